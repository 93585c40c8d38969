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
pub mod reason;
pub mod table;
pub mod value;

use std::io;

use crate::choice::Choice;
use crate::comparison::{Comparison, Kind};
use crate::evidence::{Evidence, Outcome};
use crate::severity::{Bands, FailOn, Severity};
use crate::verdict::{Status, Summary, Verdict};

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

/// What is known about the CI run a report is rendered for: where the markdown report links to and what
/// it was measured on. The caller builds it (from GitHub's environment, say); renderers never read the
/// environment themselves.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub run_url: Option<String>,
    pub run_id: Option<String>,
    pub head_sha: Option<String>,
    /// The repository's web address (`https://github.com/owner/name`), for links to commits.
    pub repo_url: Option<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

impl Choice for OutputFormat {
    const CHOICES: &'static [(Self, &'static str, Option<&'static str>)] = &[
        (Self::Table, "table", Some("A table for the terminal")),
        (Self::Markdown, "markdown", Some("A GitHub-flavoured markdown report")),
        (Self::Json, "json", Some("The stable `perfgate/verdict/v1` JSON document")),
        (
            Self::Junit,
            "junit",
            Some("JUnit XML (one test case per gated metric) for GitLab, Jenkins and other CI test reports"),
        ),
        (
            Self::Openmetrics,
            "openmetrics",
            Some("OpenMetrics text (Prometheus exposition) with one gauge per comparison, for dashboards"),
        ),
    ];
}

impl OutputFormat {
    /// The renderer for this format.
    pub fn renderer(self) -> Box<dyn Renderer> {
        self.renderer_for(RunInfo::default())
    }

    /// The renderer for this format, with what is known about the CI run (links in the markdown report).
    /// Renderers never read the environment themselves.
    pub fn renderer_for(self, run: RunInfo) -> Box<dyn Renderer> {
        match self {
            OutputFormat::Table => Box::new(table::TableRenderer),
            OutputFormat::Markdown => Box::new(markdown::MarkdownRenderer { run }),
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
    let bound = bound_pct(c)
        .map(|(sym, b)| format!(" ({sym} {})", value::pct(b)))
        .unwrap_or_default();
    format!("{}{bound}", change_only(c))
}

/// The change alone, without its bound: `+18.0 %`, or `+3.00 ms` when there is no relative change.
pub fn change_only(c: &Comparison) -> String {
    let sampled = c.evidence.as_ref().filter(|e| e.method.has_estimate());
    match (
        sampled.and_then(|e| e.estimate_pct),
        c.change_pct,
        c.change_abs,
    ) {
        (Some(est), _, _) => value::pct(est),
        (None, Some(p), _) => value::pct(p),
        (None, None, Some(d)) => value::abs_change(d, &c.unit),
        (None, None, None) => String::new(),
    }
}

/// The confidence bound of an established change, on the worse side (better side for improvements).
pub fn bound_pct(c: &Comparison) -> Option<(char, f64)> {
    c.evidence
        .as_ref()
        .filter(|e| e.outcome == Outcome::Significant)
        .and_then(|e| {
            if c.severity == Severity::Improvement {
                better_bound(e, c)
            } else {
                e.worse_bound(c.direction)
            }
        })
}

/// For a budget row, the limit and which side of it fails: `fail above 50.0 ms`, `within 50.0 ms`.
pub fn budget_limit(c: &Comparison) -> Option<String> {
    if c.kind != Kind::Budget {
        return None;
    }
    let limit = value::human(c.baseline?, &c.unit);
    let side = match c.direction {
        crate::model::Direction::LowerIsBetter => "above",
        crate::model::Direction::HigherIsBetter => "below",
    };
    Some(match c.severity {
        Severity::Critical | Severity::High => format!("fail {side} {limit}"),
        s if s.is_regression() => format!("warn {side} {limit}"),
        _ => format!("limit {limit}"),
    })
}

/// Legend for changes computed from samples.
pub const ESTIMATE_LEGEND: &str = "changes with a bound in brackets are estimates from the runs (or one run's samples), with their one-sided 99 % confidence bound";

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

/// The severity as shown to people: `CRITICAL`, `HIGH`, `medium`, `within noise`, `budget`, with `†` for
/// unverified. Rows that are not gated are described by their change only, never by a regression word.
pub fn severity_label(c: &Comparison) -> String {
    if !c.gated && c.severity.is_regression() {
        return "not gated".to_string();
    }
    let base = match c.severity {
        Severity::Critical => "CRITICAL".to_string(),
        Severity::High => "HIGH".to_string(),
        Severity::Unchanged => match c.evidence.as_ref().map(|e| e.outcome) {
            Some(Outcome::WithinNoise) => "within noise".to_string(),
            Some(Outcome::BelowBand) => "below band".to_string(),
            Some(Outcome::Inconclusive) => "inconclusive".to_string(),
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
    label
}

/// Footnote explaining `†`.
pub const UNVERIFIED_FOOTNOTE: &str = "† unverified: one value per side and no history, so noise could not be ruled out; pass every run's result file (several runs per side) or keep history with `perfgate baseline create NAME --append`";

/// The change with its confidence bound where the comparison has one, e.g. `+67.6 % (≥ +58 %)`.
pub fn change_with_bound(c: &Comparison) -> String {
    change_text(c)
}

/// One-line summary of counts, worst first: `2 critical · 1 high · 55 unchanged`.
pub fn summary_line(s: &Summary) -> String {
    let parts: Vec<String> = s
        .nonzero()
        .iter()
        .map(|(sev, n)| match sev {
            Severity::Improvement if *n != 1 => format!("{n} improvements"),
            _ => format!("{n} {}", sev.as_str()),
        })
        .collect();
    if parts.is_empty() {
        "nothing compared".to_string()
    } else {
        parts.join(" · ")
    }
}

/// The gated counts and how many rows are not gated: `2 critical · 55 unchanged · 12 not gated`.
pub fn counts_line(verdict: &Verdict) -> String {
    let mut line = summary_line(&verdict.summary);
    let n = verdict.not_gated.total();
    if n > 0 {
        line.push_str(&format!(" · {n} not gated"));
    }
    line
}

/// Whether a row is shown without `--all`.
pub fn is_notable(c: &Comparison) -> bool {
    c.severity != Severity::Unchanged
}

/// The colour mark of a severity; each regression level has its own, so the word is never needed to tell
/// critical from high, and the word is always beside it anyway.
pub fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "🔴",
        Severity::High => "🟠",
        Severity::Medium => "🟡",
        Severity::Low => "⚪",
        Severity::Improvement => "🟢",
        Severity::New | Severity::Missing => "🔵",
        Severity::Unchanged => "",
    }
}

/// The one-line legend of the marks, with the bands in force: `🔴 critical > 25 % · 🟠 high > 15 % · …`.
pub fn legend(bands: &Bands) -> String {
    format!(
        "{} critical > {} % · {} high > {} % · {} medium > {} % · {} low > {} % worse · {} improvement > {} % better",
        icon(Severity::Critical),
        num(bands.critical),
        icon(Severity::High),
        num(bands.high),
        icon(Severity::Medium),
        num(bands.medium),
        icon(Severity::Low),
        num(bands.low),
        icon(Severity::Improvement),
        num(bands.low),
    )
}

/// A band edge without needless decimals: `25`, `7.5`.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Why a row is reported but not gated, in a few words.
pub fn not_gated_reason(c: &Comparison) -> String {
    let metric = c.metric.to_ascii_lowercase();
    let bench = c.benchmark.to_ascii_lowercase();
    let base = bench.split('{').next().unwrap_or("");
    let has = |words: &[&str]| {
        words.iter().any(|w| {
            metric == *w
                || metric.starts_with(&format!("{w}_"))
                || metric.ends_with(&format!("_{w}"))
        })
    };
    if crate::model::CONNECTION_PHASES.contains(&base) {
        return "connection phase; the request duration is gated".into();
    }
    if has(&["min", "max"]) {
        return "extreme: one iteration or request".into();
    }
    if has(&[
        "stddev",
        "std_dev",
        "iqr",
        "mad",
        "deviation",
        "cv",
        "variance",
        "rms",
    ]) {
        return "spread: describes noise, not speed".into();
    }
    if has(&["user", "system"]) {
        return "CPU time split; wall time is gated".into();
    }
    if c.unit == crate::model::Unit::Count || has(&["count", "rounds", "iterations"]) {
        return "a count, not a speed".into();
    }
    if base.starts_with("data_") || c.unit == crate::model::Unit::Other("B/s".into()) {
        return "data volume, not speed".into();
    }
    if metric.starts_with("p99.9") || metric.starts_with("p999") {
        return "extreme percentile: few requests behind it".into();
    }
    if let Some(note) = reason::note(c) {
        return note;
    }
    "reported only (input format or policy file)".into()
}

/// How a gated row counts in the headline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Fails the gate.
    Regression,
    /// Medium or worse without failing the gate (e.g. medium with `--fail-on high`).
    Warning,
    /// Worse, but below the warning level (low).
    Minor,
    Improvement,
    /// New, missing, unchanged.
    Other,
}

/// The class of a gated row under the verdict's gate.
pub fn class(c: &Comparison, fail_on: FailOn) -> Class {
    if fail_on.fails(c.severity) {
        Class::Regression
    } else if c.severity >= Severity::Medium {
        Class::Warning
    } else if c.severity == Severity::Low {
        Class::Minor
    } else if c.severity == Severity::Improvement {
        Class::Improvement
    } else {
        Class::Other
    }
}

/// The rows of a report in the order and sections every format shows them.
#[derive(Debug, Default)]
pub struct Sections<'a> {
    /// The worst gated row of each benchmark that got worse, worst benchmark first.
    pub worst: Vec<&'a Comparison>,
    /// For each entry of `worst`, how many more gated rows of that benchmark got worse.
    pub more_worse: Vec<usize>,
    /// Every other gated row, in report order.
    pub other_gated: Vec<&'a Comparison>,
    /// Rows that are not gated and changed, in report order.
    pub not_gated_changed: Vec<&'a Comparison>,
    /// Rows that are not gated and did not change.
    pub not_gated_unchanged: Vec<&'a Comparison>,
}

impl<'a> Sections<'a> {
    /// Splits a verdict's rows (already in report order).
    pub fn of(v: &'a Verdict) -> Sections<'a> {
        let mut s = Sections::default();
        let mut seen = std::collections::HashSet::new();
        for c in &v.comparisons {
            if !c.gated {
                if c.severity == Severity::Unchanged {
                    s.not_gated_unchanged.push(c);
                } else {
                    s.not_gated_changed.push(c);
                }
            } else if c.severity.is_regression() && seen.insert(c.benchmark.as_str()) {
                s.worst.push(c);
                s.more_worse.push(0);
            } else {
                if c.severity.is_regression() {
                    if let Some(i) = s.worst.iter().position(|w| w.benchmark == c.benchmark) {
                        s.more_worse[i] += 1;
                    }
                }
                s.other_gated.push(c);
            }
        }
        s
    }
}

/// `1 metric`, `3 metrics`: a count and its word (the command line's messages use it too).
pub fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The headline, without a mark or baseline: `3 regressions in 2 benchmarks (2 critical, 1 high)`, or
/// `no regressions in 61 gated metrics`. Counts gated rows only.
pub fn headline(v: &Verdict) -> String {
    if v.status == Status::NoBaseline && v.summary.total() == 0 {
        return "no baseline to compare against".to_string();
    }
    let gated: Vec<&Comparison> = v.comparisons.iter().filter(|c| c.gated).collect();
    let of_class = |k: Class| -> Vec<&Comparison> {
        gated
            .iter()
            .copied()
            .filter(|c| class(c, v.fail_on) == k)
            .collect()
    };
    let describe = |rows: &[&Comparison], one: &str, many: &str| -> String {
        let benches: std::collections::HashSet<&str> =
            rows.iter().map(|c| c.benchmark.as_str()).collect();
        let sev: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|&s| {
                let n = rows.iter().filter(|c| c.severity == s).count();
                (n > 0).then(|| format!("{n} {}", s.as_str()))
            })
            .collect();
        let budgets = rows.iter().filter(|c| c.kind == Kind::Budget).count();
        let over = if budgets > 0 {
            format!("; {budgets} over budget")
        } else {
            String::new()
        };
        format!(
            "{} {} in {} ({}{over})",
            rows.len(),
            if rows.len() == 1 { one } else { many },
            plural(benches.len(), "benchmark"),
            sev.join(", ")
        )
    };
    let regressions = of_class(Class::Regression);
    let warnings = of_class(Class::Warning);
    let minor = of_class(Class::Minor);
    let improvements = of_class(Class::Improvement);
    // The worst class is described in full; the milder ones after it only counted.
    let mut parts = Vec::new();
    if !regressions.is_empty() {
        parts.push(describe(&regressions, "regression", "regressions"));
    }
    if !warnings.is_empty() {
        parts.push(if parts.is_empty() {
            describe(&warnings, "warning", "warnings")
        } else {
            plural(warnings.len(), "warning")
        });
    }
    if !minor.is_empty() {
        parts.push(if parts.is_empty() {
            format!(
                "no regressions; {}",
                describe(&minor, "minor change", "minor changes")
            )
        } else {
            plural(minor.len(), "minor change")
        });
    }
    if parts.is_empty() {
        parts.push(format!(
            "no regressions in {}",
            plural(gated.len(), "gated metric")
        ));
    }
    if !improvements.is_empty() {
        parts.push(plural(improvements.len(), "improvement"));
    }
    parts.join(" · ")
}
