//! `perfgate history` as a table: each metric's value per snapshot and the change from the step before.

use std::io;

use comfy_table::{Cell, CellAlignment};

use crate::escape;
use crate::history::Series;
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
