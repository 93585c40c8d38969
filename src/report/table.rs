//! The default terminal output: a header line, a table grouped by benchmark (worst first) and a verdict line.

use std::io;

use comfy_table::{Attribute, Cell, CellAlignment, Color, ContentArrangement};

use crate::compare::{Comparison, Kind};
use crate::escape;
use crate::evidence::{Method, Outcome};
use crate::report::{
    change_text, counts_line, is_notable, is_unverified, plain_table, severity_label, value,
    write_table, RenderOptions, Renderer, ESTIMATE_LEGEND, UNVERIFIED_FOOTNOTE,
};
use crate::severity::Severity;
use crate::verdict::{Status, Verdict};

/// Renders the verdict as a terminal table.
pub struct TableRenderer;

fn severity_cell(c: &Comparison, color: bool) -> Cell {
    let cell = Cell::new(severity_label(c));
    if !color {
        return cell;
    }
    match c.severity {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => cell.fg(Color::Red),
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
    let files = verdict.current.files.len();
    s.push_str(&format!(
        " · {files} file{} · {} benchmarks · {} metrics",
        if files == 1 { "" } else { "s" },
        verdict.current.benchmarks,
        verdict.current.metrics
    ));
    s
}

/// The closing verdict line, e.g. `FAIL  1 critical · 20 unchanged  (gate: fail on high or worse)`.
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
    if verdict.status == Status::NoBaseline {
        return format!("{word}  {}", verdict.message.as_deref().unwrap_or(""));
    }
    format!(
        "{word}  {}      (gate: {})",
        counts_line(verdict),
        verdict.fail_on.describe()
    )
}

impl Renderer for TableRenderer {
    fn render(
        &self,
        verdict: &Verdict,
        opts: &RenderOptions,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        writeln!(w, "{}", header(verdict))?;
        let shown: Vec<&Comparison> = verdict
            .comparisons
            .iter()
            .filter(|c| opts.all || is_notable(c))
            .collect();
        if !shown.is_empty() {
            let mut table = plain_table([
                "Benchmark",
                "Metric",
                "Baseline",
                "Current",
                "Change",
                "Severity",
            ]);
            if opts.color {
                table.enforce_styling();
                table.set_content_arrangement(ContentArrangement::Dynamic);
            } else {
                table.force_no_tty();
            }
            let mut last_bench: Option<&str> = None;
            for c in shown {
                // Group rows: the benchmark name is printed once per group.
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
                        Cell::new(
                            c.baseline
                                .map(|l| format!("limit {}", value::human(l, &c.unit)))
                                .unwrap_or_default(),
                        )
                        .set_alignment(CellAlignment::Right)
                    } else {
                        value_cell(c.baseline, c)
                    },
                    value_cell(c.current, c),
                    Cell::new(change_text(c)).set_alignment(CellAlignment::Right),
                    severity_cell(c, opts.color),
                ]);
            }
            write_table(&table, w)?;
        }
        let hidden = verdict
            .comparisons
            .iter()
            .filter(|c| !opts.all && !is_notable(c))
            .count();
        if hidden > 0 {
            writeln!(w, " … {hidden} unchanged metrics (use --all to list)")?;
        }
        for c in verdict
            .comparisons
            .iter()
            .filter(|c| c.note.is_some() && (opts.all || is_notable(c)))
        {
            writeln!(
                w,
                " note: {} {}: {}",
                escape::terminal(&c.benchmark),
                escape::terminal(&c.metric),
                c.note.as_deref().unwrap_or_default()
            )?;
        }
        let shown_bound = verdict
            .comparisons
            .iter()
            .filter(|c| opts.all || is_notable(c))
            .any(|c| {
                c.evidence.as_ref().is_some_and(|e| {
                    e.method == Method::MannWhitney && e.outcome == Outcome::Significant
                })
            });
        if shown_bound {
            writeln!(w, " {ESTIMATE_LEGEND}")?;
        }
        if verdict.comparisons.iter().any(is_unverified) {
            writeln!(w, " {UNVERIFIED_FOOTNOTE}")?;
        }
        for warning in &verdict.warnings {
            writeln!(w, " warning: {}", escape::terminal(warning))?;
        }
        for t in verdict.tool_checks.iter().filter(|t| !t.ok) {
            writeln!(
                w,
                " note: the tool's own threshold `{}` on {} failed in the current run",
                escape::terminal(&t.expression),
                escape::terminal(&t.benchmark)
            )?;
        }
        writeln!(w)?;
        writeln!(w, "{}", verdict_line(verdict, opts.color))
    }
}
