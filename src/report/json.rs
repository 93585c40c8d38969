//! `--output json`: the `perfgate/verdict/v1` document, pretty-printed.
//!
//! Each comparison's `reason` is data; for readers of schema v1 its sentence is added as `note` (the same
//! text the table and markdown reports show), just before `reason`.

use std::io;

use serde_json::{Map, Value};

use crate::report::{reason, RenderOptions, Renderer};
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
        serde_json::to_writer_pretty(&mut *w, &to_value(verdict)?)?;
        writeln!(w)
    }
}

/// The verdict as a JSON value, with each comparison's `note`.
pub fn to_value(verdict: &Verdict) -> io::Result<Value> {
    let mut doc = serde_json::to_value(verdict)?;
    let rows = doc
        .get_mut("comparisons")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten();
    for (row, c) in rows.zip(&verdict.comparisons) {
        let (Some(note), Some(fields)) = (reason::note(c), row.as_object_mut()) else {
            continue;
        };
        // Rebuilt rather than appended, so that `note` stays where schema v1 readers saw it.
        let mut with_note = Map::with_capacity(fields.len() + 1);
        for (k, v) in std::mem::take(fields) {
            if k == "reason" {
                with_note.insert("note".to_string(), Value::String(note.clone()));
            }
            with_note.insert(k, v);
        }
        *fields = with_note;
    }
    Ok(doc)
}
