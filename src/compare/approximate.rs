//! Grading of rows merged from several workers' summaries (`--merge-workers --approximate-merge`): the
//! reader records the bounds ([`Approximation`]); here each such row gets its reason, and is gated after
//! all when even its better bound is a regression at the gate's severity.

use crate::comparison::{Comparison, Kind, Reason};
use crate::model::{Approximation, Direction};
use crate::severity::{Bands, FailOn};

/// Explains approximate rows, and gates one after all when even its better bound is a regression at the
/// gate's severity: then the true value regressed at least that much, whatever the workers' mix was.
pub fn grade(rows: &mut [Comparison], approx: &[Approximation], bands: &Bands, fail_on: FailOn) {
    for row in rows.iter_mut().filter(|r| r.kind == Kind::Change) {
        let Some(a) = approx
            .iter()
            .find(|a| a.benchmark == row.benchmark && a.metric == row.metric)
        else {
            continue;
        };
        let mut best_case_worse_pct = None;
        if let Some(base) = row.baseline.filter(|b| b.abs() > 1e-12) {
            let worse_pct = match row.direction {
                Direction::LowerIsBetter => (a.low - base) / base.abs() * 100.0,
                Direction::HigherIsBetter => (base - a.high) / base.abs() * 100.0,
            };
            let sure = bands.grade(worse_pct);
            if fail_on.fails(sure) {
                row.gated = true;
                row.severity = row.severity.max(sure);
                best_case_worse_pct = Some(worse_pct);
            }
        }
        row.reason = Some(Reason::Approximate {
            workers: a.workers,
            low: a.low,
            high: a.high,
            best_case_worse_pct,
            also: row.reason.take().map(Box::new),
        });
    }
}
