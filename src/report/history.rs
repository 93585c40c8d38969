//! `perfgate history` as a table: each metric's value per snapshot and the change from the step before.

use std::io;

use comfy_table::{Cell, CellAlignment};

use crate::escape;
use crate::history::{Change, MetricStep, Series};
use crate::report::{plain_table, value, write_table};

/// One row per snapshot and metric, grouped by metric.
pub fn table(series: &[Series], w: &mut dyn io::Write) -> io::Result<()> {
    let mut t = plain_table(["Benchmark", "Metric", "Snapshot", "Commit", "Value", "Step"]);
    t.force_no_tty();
    for s in series {
        let mut prev: Option<f64> = None;
        for (i, p) in s.points.iter().enumerate() {
            let step = match prev {
                Some(b) if b != 0.0 => value::pct((p.value - b) / b.abs() * 100.0),
                _ => String::new(),
            };
            t.add_row(vec![
                Cell::new(if i == 0 {
                    escape::terminal(&s.benchmark)
                } else {
                    String::new()
                }),
                Cell::new(if i == 0 {
                    escape::terminal(&s.metric)
                } else {
                    String::new()
                }),
                Cell::new(escape::terminal(&p.created_at)),
                Cell::new(escape::terminal(
                    &p.commit
                        .as_deref()
                        .map(|c| c.chars().take(7).collect::<String>())
                        .unwrap_or_default(),
                )),
                Cell::new(value::human(p.value, &s.unit)).set_alignment(CellAlignment::Right),
                Cell::new(step).set_alignment(CellAlignment::Right),
            ]);
            prev = Some(p.value);
        }
    }
    write_table(&t, w)
}

/// Short commit (or the date when the snapshot has none) and the date, for labels.
pub fn snapshot_label(commit: Option<&str>, created_at: &str) -> String {
    let date: String = created_at.chars().take(10).collect();
    match commit {
        Some(c) => format!("{} {date}", c.chars().take(7).collect::<String>()),
        None => created_at.chars().take(16).collect(),
    }
}

/// `12.0 ms → 15.1 ms (+25.8 %)`.
pub fn step_text(m: &MetricStep) -> String {
    let pct = m
        .change
        .step_pct
        .map(|p| format!(" ({})", value::pct(p)))
        .unwrap_or_default();
    format!(
        "{} → {}{pct}",
        value::human(m.change.before, &m.unit),
        value::human(m.change.after, &m.unit)
    )
}

/// `perfgate history NAME --changes`: one row per metric that stepped, grouped by the snapshot that
/// started the step, newest first.
pub fn changes_table(
    name: &str,
    changes: &[Change],
    all: bool,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    let which = if all {
        ""
    } else {
        " beyond the low band in gated metrics"
    };
    if changes.is_empty() {
        return writeln!(
            w,
            "no change points{which} in the history of `{}`",
            escape::terminal(name)
        );
    }
    let steps: usize = changes.iter().map(|c| c.metrics.len()).sum();
    writeln!(
        w,
        "{} change point{}{which} in `{}` at {} snapshot{}, newest first:",
        steps,
        if steps == 1 { "" } else { "s" },
        escape::terminal(name),
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
    )?;
    let mut t = plain_table([
        "Snapshot",
        "Benchmark",
        "Metric",
        "Step",
        "Severity",
        "Noise before / after",
        "p",
    ]);
    t.force_no_tty();
    for c in changes {
        for (i, m) in c.metrics.iter().enumerate() {
            t.add_row(vec![
                Cell::new(if i == 0 {
                    escape::terminal(&snapshot_label(c.commit.as_deref(), &c.created_at))
                } else {
                    String::new()
                }),
                Cell::new(escape::terminal(&m.benchmark)),
                Cell::new(format!(
                    "{}{}",
                    escape::terminal(&m.metric),
                    if m.gated { "" } else { " (not gated)" }
                )),
                Cell::new(escape::terminal(&step_text(m))),
                Cell::new(m.change.severity.as_str()),
                Cell::new(format!(
                    "±{:.1} % / ±{:.1} %",
                    m.change.noise_before_pct, m.change.noise_after_pct
                ))
                .set_alignment(CellAlignment::Right),
                Cell::new(format!("{:.3}", m.change.p_value)).set_alignment(CellAlignment::Right),
            ]);
        }
    }
    write_table(&t, w)
}

/// After the values table: how many change points there are, and how to list them.
pub fn changes_hint(changes: &[Change], w: &mut dyn io::Write) -> io::Result<()> {
    let steps: usize = changes.iter().map(|c| c.metrics.len()).sum();
    if steps == 0 {
        return writeln!(w, "\nno change points beyond the low band in gated metrics");
    }
    let newest = &changes[0];
    writeln!(
        w,
        "\n{steps} change point{} beyond the low band in gated metrics, newest at {} ({} metric{}); `--changes` lists them",
        if steps == 1 { "" } else { "s" },
        escape::terminal(&snapshot_label(newest.commit.as_deref(), &newest.created_at)),
        newest.metrics.len(),
        if newest.metrics.len() == 1 { "" } else { "s" },
    )
}

/// One line per change the newest snapshot brought, for the terminal:
/// `perfgate: change point at abc1234 2025-12-07: search p95 22.6 ms → 28.8 ms (+27.9 %, critical), …`.
pub fn notice_lines(name: &str, changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .map(|c| {
            let metrics: Vec<String> = c
                .metrics
                .iter()
                .map(|m| {
                    format!(
                        "{} {} {} ({})",
                        m.benchmark,
                        m.metric,
                        step_text(m),
                        m.change.severity.as_str()
                    )
                })
                .collect();
            format!(
                "change point in `{name}` at {}: {} metric{} stepped: {}",
                snapshot_label(c.commit.as_deref(), &c.created_at),
                c.metrics.len(),
                if c.metrics.len() == 1 { "" } else { "s" },
                metrics.join("; ")
            )
        })
        .collect()
}

/// The job summary section for the changes the newest snapshot brought on main.
pub fn notice_markdown(name: &str, changes: &[Change], run: &crate::report::RunInfo) -> String {
    let mut out = String::new();
    for c in changes {
        let at = match c.commit.as_deref() {
            Some(commit) => super::markdown::commit_ref(commit, run),
            None => escape::markdown_code(&c.created_at),
        };
        out.push_str(&format!(
            "### ⚠️ perfgate: main's history of {} stepped at {at} ({})\n\n| Benchmark | Metric | Step | Severity | Noise before / after |\n|---|---|---|---|---|\n",
            escape::markdown_code(name),
            escape::markdown_text(c.created_at.get(..10).unwrap_or(&c.created_at)),
        ));
        for m in &c.metrics {
            out.push_str(&format!(
                "| {} | {} | {} | {} | ±{:.1} % / ±{:.1} % |\n",
                escape::markdown_code(&m.benchmark),
                escape::markdown_code(&m.metric),
                escape::markdown_text(&step_text(m)),
                m.change.severity.as_str(),
                m.change.noise_before_pct,
                m.change.noise_after_pct,
            ));
        }
        out.push_str("\nA change point is found once 3 snapshots show the new level; `perfgate history NAME --changes` lists all of them.\n\n");
    }
    out
}
