//! The default terminal output: a header line, the gated rows grouped by benchmark (worst benchmark first,
//! the same order as the markdown report), then the rows that are not gated with the reason, and a verdict
//! line that counts gated rows only.

use std::io;

use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement};

use crate::compare::{Comparison, Kind};
use crate::escape;
use crate::evidence::Outcome;
use crate::report::{
    budget_limit, change_text, headline, is_notable, is_unverified, not_gated_reason, plain_table,
    plural, reason, severity_label, summary_line, value, write_table, RenderOptions, Renderer,
    ESTIMATE_LEGEND, UNVERIFIED_FOOTNOTE,
};
use crate::severity::Severity;
use crate::verdict::{Status, Verdict};

/// Renders the verdict as a terminal table.
pub struct TableRenderer;

fn severity_cell(c: &Comparison, color: bool) -> Cell {
    let cell = Cell::new(severity_label(c));
    // Rows that are not gated are never coloured as regressions.
    if !color || !c.gated {
        return cell;
    }
    match c.severity {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        // Orange, as in the markdown: red is for critical only.
        Severity::High => cell.fg(Color::AnsiValue(208)),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Improvement => cell.fg(Color::Green),
        Severity::New | Severity::Missing => cell.fg(Color::Cyan),
        _ => cell,
    }
}

fn value_cell(v: Option<f64>, c: &Comparison) -> Cell {
    let text = v
        .map(|v| value::human(v, &c.unit))
        .unwrap_or_else(|| "—".into());
    Cell::new(text).set_alignment(CellAlignment::Right)
}

/// The header: what was compared with what.
pub fn header(verdict: &Verdict) -> String {
    let mut s = format!("perfgate {}", verdict.perfgate_version);
    match &verdict.baseline {
        Some(b) => {
            s.push_str(&format!(" · baseline {}", escape::terminal(&b.name)));
            let mut details = Vec::new();
            // Both come from the snapshot file: untrusted.
            if let Some(c) = &b.commit {
                details.push(escape::terminal(&c.chars().take(7).collect::<String>()));
            }
            if let Some(t) = &b.created_at {
                details.push(escape::terminal(&t.chars().take(10).collect::<String>()));
            }
            if !details.is_empty() {
                s.push_str(&format!(" ({})", details.join(", ")));
            }
        }
        None => s.push_str(" · no baseline"),
    }
    s.push_str(&format!(
        " · {} · {} · {}",
        plural(verdict.current.files.len(), "file"),
        plural(verdict.current.benchmarks, "benchmark"),
        plural(verdict.current.metrics, "metric")
    ));
    s
}

/// The closing verdict line, e.g.
/// `FAIL  2 regressions in 1 benchmark (2 critical)      (gate: fail on high or worse)`: gated rows only.
pub fn verdict_line(verdict: &Verdict, color: bool) -> String {
    let (word, code) = match verdict.status {
        Status::Pass => ("PASS", "32"),
        Status::Warn => ("WARN", "33"),
        Status::Fail => ("FAIL", "31;1"),
        Status::NoBaseline => ("NO BASELINE", "36"),
    };
    let word = if color {
        format!("\x1b[{code}m{word}\x1b[0m")
    } else {
        word.to_string()
    };
    if verdict.status == Status::NoBaseline && verdict.summary.total() == 0 {
        return format!("{word}  {}", verdict.message.as_deref().unwrap_or(""));
    }
    format!(
        "{word}  {}      (gate: {})",
        headline(verdict),
        verdict.fail_on.describe()
    )
}

fn new_table(header: [&str; 6], color: bool) -> comfy_table::Table {
    let mut table = plain_table(header);
    if color {
        table.enforce_styling();
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.force_no_tty();
    }
    table
}

/// The rows of one section, gated or not, that are listed (all of them with `--all`, else the notable
/// ones), in report order, and how many are left out.
fn section(verdict: &Verdict, gated: bool, all: bool) -> (Vec<&Comparison>, usize) {
    let (shown, hidden): (Vec<&Comparison>, Vec<&Comparison>) = verdict
        .comparisons
        .iter()
        .filter(|c| c.gated == gated)
        .partition(|c| all || is_notable(c));
    (shown, hidden.len())
}

/// Writes a section's rows as a table whose last column, `last_header`, holds `last` of each row.
fn write_rows(
    w: &mut dyn io::Write,
    rows: &[&Comparison],
    last_header: &str,
    last: impl Fn(&Comparison) -> Cell,
    color: bool,
) -> io::Result<()> {
    let header = [
        "Benchmark",
        "Metric",
        "Baseline",
        "Current",
        "Change",
        last_header,
    ];
    let mut table = new_table(header, color);
    add_rows(&mut table, rows, last);
    write_table(&table, w)
}

/// Adds rows, printing a benchmark's name once per run of its rows.
fn add_rows(
    table: &mut comfy_table::Table,
    rows: &[&Comparison],
    last: impl Fn(&Comparison) -> Cell,
) {
    let mut last_bench: Option<&str> = None;
    for c in rows {
        let bench = if last_bench == Some(c.benchmark.as_str()) {
            String::new()
        } else {
            escape::terminal(&c.benchmark)
        };
        last_bench = Some(&c.benchmark);
        table.add_row(vec![
            Cell::new(bench),
            Cell::new(escape::terminal(&c.metric)),
            if c.kind == Kind::Budget {
                Cell::new(budget_limit(c).unwrap_or_default()).set_alignment(CellAlignment::Right)
            } else {
                value_cell(c.baseline, c)
            },
            value_cell(c.current, c),
            Cell::new(change_text(c)).set_alignment(CellAlignment::Right),
            last(c),
        ]);
    }
}

impl Renderer for TableRenderer {
    fn render(
        &self,
        verdict: &Verdict,
        opts: &RenderOptions,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        writeln!(w, "{}", header(verdict))?;
        // Gated rows in report order (worst benchmark first); the rows that are not gated after them.
        let (gated, hidden) = section(verdict, true, opts.all);
        let (not_gated, hidden_not_gated) = section(verdict, false, opts.all);
        if !gated.is_empty() {
            let severity = |c: &Comparison| severity_cell(c, opts.color);
            write_rows(w, &gated, "Severity", severity, opts.color)?;
        }
        if hidden > 0 {
            let hidden = plural(hidden, "unchanged gated metric");
            writeln!(w, " … {hidden} (use --all to list)")?;
        }
        if !not_gated.is_empty() {
            writeln!(w)?;
            writeln!(
                w,
                " Also changed, not gated (reported only, never fail the gate):"
            )?;
            let why = |c: &Comparison| Cell::new(not_gated_reason(c));
            write_rows(w, &not_gated, "Why not gated", why, opts.color)?;
        }
        if hidden_not_gated > 0 {
            writeln!(
                w,
                " … {hidden_not_gated} unchanged metrics that are not gated (use --all to list)"
            )?;
        }
        for c in gated.iter().filter(|c| c.kind == Kind::Change) {
            if let Some(note) = reason::note(c) {
                writeln!(
                    w,
                    " note: {} {}: {}",
                    escape::terminal(&c.benchmark),
                    escape::terminal(&c.metric),
                    escape::terminal(&note)
                )?;
            }
        }
        let shown_bound = gated.iter().chain(&not_gated).any(|c| {
            c.evidence
                .as_ref()
                .is_some_and(|e| e.method.has_estimate() && e.outcome == Outcome::Significant)
        });
        if shown_bound {
            writeln!(w, " {ESTIMATE_LEGEND}")?;
        }
        if gated.iter().any(|c| is_unverified(c)) {
            writeln!(w, " {UNVERIFIED_FOOTNOTE}")?;
        }
        for warning in reason::warnings(verdict) {
            writeln!(w, " warning: {}", escape::terminal(&warning))?;
        }
        for t in verdict.tool_checks.iter().filter(|t| !t.ok) {
            writeln!(
                w,
                " note: the tool's own threshold `{}` on {} failed in the current run",
                escape::terminal(&t.expression),
                escape::terminal(&t.benchmark)
            )?;
        }
        // Budgets checked without a baseline: the verdict line has the counts, so say here what to do.
        if let (Some(message), true) = (&verdict.message, verdict.summary.total() > 0) {
            writeln!(w, " {}", escape::terminal(message))?;
        }
        writeln!(w)?;
        if verdict.baseline.is_some() || verdict.summary.total() > 0 {
            let mut counts = format!(" gated metrics: {}", summary_line(&verdict.summary));
            let n = verdict.not_gated.total();
            if n > 0 {
                counts.push_str(&format!("; not gated: {n}"));
            }
            writeln!(w, "{counts}")?;
        }
        writeln!(w, "{}", verdict_line(verdict, opts.color))
    }
}
