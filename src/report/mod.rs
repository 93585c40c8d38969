//! Rendering a [`Verdict`]: one file per output format behind the [`Renderer`] seam.
//!
//! To add an output format: one file implementing [`Renderer`], one [`OutputFormat`] variant.

pub mod baselines;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod table;
pub mod value;

use std::io;

use crate::compare::Comparison;
use crate::severity::Severity;
use crate::verdict::Verdict;

/// Options every renderer may honour.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Use ANSI colours (terminal only).
    pub color: bool,
    /// List unchanged rows too.
    pub all: bool,
}

/// Writes a verdict in one output format.
pub trait Renderer {
    /// Renders `verdict` to `w`.
    fn render(
        &self,
        verdict: &Verdict,
        opts: &RenderOptions,
        w: &mut dyn io::Write,
    ) -> io::Result<()>;
}

/// The output formats of `perfgate analyze --output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// A table for the terminal.
    #[default]
    Table,
    /// A GitHub-flavoured markdown report.
    Markdown,
    /// The stable `perfgate/verdict/v1` JSON document.
    Json,
    /// JUnit XML (one test case per gated metric) for GitLab, Jenkins and other CI test reports.
    Junit,
}

impl OutputFormat {
    /// The renderer for this format.
    pub fn renderer(self) -> Box<dyn Renderer> {
        match self {
            OutputFormat::Table => Box::new(table::TableRenderer),
            OutputFormat::Markdown => Box::new(markdown::MarkdownRenderer),
            OutputFormat::Json => Box::new(json::JsonRenderer),
            OutputFormat::Junit => Box::new(junit::JunitRenderer),
        }
    }
}

/// The change column: relative when defined, else absolute.
pub fn change_text(c: &Comparison) -> String {
    match (c.change_pct, c.change_abs) {
        (Some(p), _) => value::pct(p),
        (None, Some(d)) => value::abs_change(d, &c.unit),
        (None, None) => String::new(),
    }
}

/// The change with its confidence bound where the comparison has one, e.g. `+67.6 % (≥ +58 %)`.
///
/// Hook for the statistics work: rows carry no interval yet, so this is the plain change for now.
pub fn change_with_bound(c: &Comparison) -> String {
    change_text(c)
}

/// One-line summary of counts, worst first: `2 critical · 1 high · 55 unchanged`.
pub fn counts_line(verdict: &Verdict) -> String {
    let parts: Vec<String> = verdict
        .summary
        .nonzero()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    if parts.is_empty() {
        "nothing compared".to_string()
    } else {
        parts.join(" · ")
    }
}

/// Whether a row is shown without `--all`.
pub fn is_notable(c: &Comparison) -> bool {
    c.severity != Severity::Unchanged
}
