//! Rendering a [`Verdict`]: one file per output format behind the [`Renderer`] seam.
//!
//! To add an output format: one file implementing [`Renderer`], one [`OutputFormat`] variant.

pub mod baselines;
pub mod chart;
pub mod history;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod openmetrics;
pub mod table;
pub mod value;

use std::io;

use crate::compare::{Comparison, Kind};
use crate::evidence::{Evidence, Method, Outcome};
use crate::severity::Severity;
use crate::verdict::Verdict;

/// A borderless table with only a rule under the header, the look of every perfgate table.
pub fn plain_table<T: Into<comfy_table::Cell>>(
    header: impl IntoIterator<Item = T>,
) -> comfy_table::Table {
    use comfy_table::{presets, TableComponent};
    let mut t = comfy_table::Table::new();
    t.load_preset(presets::NOTHING);
    for part in [
        TableComponent::HeaderLines,
        TableComponent::MiddleHeaderIntersections,
        TableComponent::LeftHeaderIntersection,
        TableComponent::RightHeaderIntersection,
    ] {
        t.set_style(part, '─');
    }
    t.set_header(header);
    t
}

/// Writes a table without the padding comfy-table leaves at the end of each line. Every line goes
/// through [`crate::escape::line`]: cells escape their own text, and this makes sure no cell that
/// forgot (or a unit, or a line comfy-table wrapped) can start a workflow command or move the cursor.
pub fn write_table(t: &comfy_table::Table, w: &mut dyn io::Write) -> io::Result<()> {
    let colour = t.should_style();
    for line in t.to_string().lines() {
        writeln!(w, "{}", crate::escape::line(line.trim_end(), colour))?;
    }
    Ok(())
}

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
    /// OpenMetrics text (Prometheus exposition) with one gauge per comparison, for dashboards.
    Openmetrics,
}

impl OutputFormat {
    /// The renderer for this format.
    pub fn renderer(self) -> Box<dyn Renderer> {
        match self {
            OutputFormat::Table => Box::new(table::TableRenderer),
            OutputFormat::Markdown => Box::new(markdown::MarkdownRenderer),
            OutputFormat::Json => Box::new(json::JsonRenderer),
            OutputFormat::Junit => Box::new(junit::JunitRenderer),
            OutputFormat::Openmetrics => Box::new(openmetrics::OpenMetricsRenderer),
        }
    }
}

/// The change column: relative when defined, else absolute. Rows judged on samples show the
/// Hodges–Lehmann estimate the severity comes from, with the confidence bound on the worse side when the
/// change is established, e.g. `+18.0 % (≥ +11.2 %)`.
pub fn change_text(c: &Comparison) -> String {
    let sampled = c
        .evidence
        .as_ref()
        .filter(|e| e.method == Method::MannWhitney);
    let change = match (
        sampled.and_then(|e| e.estimate_pct),
        c.change_pct,
        c.change_abs,
    ) {
        (Some(est), _, _) => value::pct(est),
        (None, Some(p), _) => value::pct(p),
        (None, None, Some(d)) => value::abs_change(d, &c.unit),
        (None, None, None) => String::new(),
    };
    let bound = c
        .evidence
        .as_ref()
        .filter(|e| e.outcome == Outcome::Significant)
        .and_then(|e| {
            if c.severity == Severity::Improvement {
                better_bound(e, c)
            } else {
                e.worse_bound(c.direction)
            }
        })
        .map(|(sym, b)| format!(" ({sym} {})", value::pct(b)));
    format!("{change}{}", bound.unwrap_or_default())
}

/// Legend for changes computed from samples.
pub const ESTIMATE_LEGEND: &str = "changes with a bound in brackets are Hodges–Lehmann estimates over the samples, with their one-sided 99 % confidence bound";

/// For an improvement, the bound on the better side.
fn better_bound(e: &Evidence, c: &Comparison) -> Option<(char, f64)> {
    match c.direction {
        crate::model::Direction::LowerIsBetter => e.ci_high_pct.map(|b| ('≤', b)),
        crate::model::Direction::HigherIsBetter => e.ci_low_pct.map(|b| ('≥', b)),
    }
}

/// Whether a regression was graded by the bands alone, without a noise estimate.
pub fn is_unverified(c: &Comparison) -> bool {
    c.severity.is_regression()
        && c.kind == Kind::Change
        && c.evidence
            .as_ref()
            .is_some_and(|e| matches!(e.outcome, Outcome::Unverified | Outcome::TooFewSamples))
}

/// The severity as shown to people: `CRITICAL`, `high`, `within noise`, `budget`, with `†` for unverified.
pub fn severity_label(c: &Comparison) -> String {
    let base = match c.severity {
        Severity::Critical => "CRITICAL".to_string(),
        Severity::High => "HIGH".to_string(),
        Severity::Unchanged => match c.evidence.as_ref().map(|e| e.outcome) {
            Some(Outcome::WithinNoise) => "within noise".to_string(),
            Some(Outcome::BelowBand) => "below band".to_string(),
            _ if c.kind == Kind::Budget => "within budget".to_string(),
            _ => "unchanged".to_string(),
        },
        s => s.as_str().to_string(),
    };
    let mut label = base;
    if c.kind == Kind::Budget && c.severity.is_regression() {
        label.push_str(" (budget)");
    }
    if is_unverified(c) {
        label.push_str(" †");
    }
    if c.severity.is_regression() && !c.gated {
        label.push_str(" (not gated)");
    }
    label
}

/// Footnote explaining `†`.
pub const UNVERIFIED_FOOTNOTE: &str = "† unverified: one value per side and no history, so noise could not be ruled out; pass every run's result file (≥ 5 per side) or keep history with `perfgate baseline create NAME --append`";

/// The change with its confidence bound where the comparison has one, e.g. `+67.6 % (≥ +58 %)`.
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
