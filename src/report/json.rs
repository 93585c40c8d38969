//! `--output json`: the `perfgate/verdict/v1` document, pretty-printed.

use std::io;

use crate::report::{RenderOptions, Renderer};
use crate::verdict::Verdict;

/// Renders the verdict as JSON.
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(
        &self,
        verdict: &Verdict,
        _: &RenderOptions,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, verdict)?;
        writeln!(w)
    }
}
