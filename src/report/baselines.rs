//! Views of the baseline store for `perfgate baseline list|show|latest` and of the format list.

use std::io;

use comfy_table::{Cell, CellAlignment, Table};
use serde_json::json;

use crate::baseline::Snapshot;
use crate::escape;
use crate::report::{plain_table, value, write_table};

fn new_table(header: &[&str]) -> Table {
    let mut t = plain_table(header.to_vec());
    t.force_no_tty();
    t
}

fn commit_of(s: &Snapshot) -> String {
    escape::terminal(s.short_commit().unwrap_or("—"))
}

/// One line per snapshot: name, created, commit, branch, benchmarks, metrics.
pub fn list(snapshots: &[Snapshot], w: &mut dyn io::Write) -> io::Result<()> {
    let mut t = new_table(&[
        "Name",
        "Created",
        "Commit",
        "Branch",
        "Benchmarks",
        "Metrics",
    ]);
    for s in snapshots {
        t.add_row(vec![
            Cell::new(escape::terminal(&s.name)),
            Cell::new(escape::terminal(&s.created_at)),
            Cell::new(commit_of(s)),
            Cell::new(escape::terminal(s.git.branch.as_deref().unwrap_or("—"))),
            Cell::new(s.run.benchmarks.len()).set_alignment(CellAlignment::Right),
            Cell::new(s.run.metric_count()).set_alignment(CellAlignment::Right),
        ]);
    }
    write_table(&t, w)
}

/// The same list as JSON.
pub fn list_json(snapshots: &[Snapshot], w: &mut dyn io::Write) -> io::Result<()> {
    let rows: Vec<_> = snapshots.iter().map(summary_json).collect();
    serde_json::to_writer_pretty(&mut *w, &rows)?;
    writeln!(w)
}

/// Name, date, commit and counts of one snapshot as JSON.
pub fn summary_json(s: &Snapshot) -> serde_json::Value {
    json!({
        "name": s.name,
        "created_at": s.created_at,
        "commit": s.git.commit,
        "branch": s.git.branch,
        "benchmarks": s.run.benchmarks.len(),
        "metrics": s.run.metric_count(),
    })
}

/// Everything in one snapshot.
pub fn show(s: &Snapshot, w: &mut dyn io::Write) -> io::Result<()> {
    writeln!(
        w,
        "baseline {} · created {} · commit {} · branch {}",
        escape::terminal(&s.name),
        escape::terminal(&s.created_at),
        commit_of(s),
        escape::terminal(s.git.branch.as_deref().unwrap_or("—"))
    )?;
    for src in &s.run.sources {
        writeln!(
            w,
            "source: {} ({}, {})",
            escape::terminal(&src.path),
            src.format,
            src.tool
        )?;
    }
    let mut t = new_table(&["Benchmark", "Metric", "Value", "Direction", "Samples"]);
    for (bench_name, bench) in &s.run.benchmarks {
        let mut first = true;
        for (metric_name, m) in &bench.metrics {
            let n = m.samples.len().max(m.runs.len());
            t.add_row(vec![
                Cell::new(if first {
                    escape::terminal(bench_name)
                } else {
                    String::new()
                }),
                Cell::new(escape::terminal(metric_name)),
                Cell::new(value::human(m.value, &m.unit)).set_alignment(CellAlignment::Right),
                Cell::new(m.direction.as_str()),
                Cell::new(if n > 0 { n.to_string() } else { String::new() })
                    .set_alignment(CellAlignment::Right),
            ]);
            first = false;
        }
    }
    write_table(&t, w)
}

/// `perfgate formats`: one row per input format, its id, tool and how to produce it.
pub fn formats<'a>(
    formats: impl IntoIterator<Item = [&'a str; 3]>,
    w: &mut dyn io::Write,
) -> io::Result<()> {
    let mut t = new_table(&["Format", "Tool", "Produce it with"]);
    for row in formats {
        t.add_row(row.to_vec());
    }
    write_table(&t, w)?;
    writeln!(
        w,
        "The format is detected from the content; --format ID forces one."
    )
}
