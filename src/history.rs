//! Metric values over a baseline's snapshots, for `perfgate history` and its charts.

use serde::Serialize;

use crate::baseline::Snapshot;
use crate::model::{Direction, Unit};
use crate::policy::Pattern;

/// One snapshot's value of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub created_at: String,
    pub commit: Option<String>,
    pub value: f64,
}

impl Point {
    /// Short label for an axis: the commit when known, else the date.
    pub fn label(&self) -> String {
        match &self.commit {
            Some(c) => c.chars().take(7).collect(),
            None => self.created_at.chars().take(10).collect(),
        }
    }
}

/// A metric of a benchmark over time, oldest first, in one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    pub points: Vec<Point>,
}

/// Builds one series per (benchmark, metric) over `snapshots` (oldest first), keeping those that match the
/// patterns. Values are converted to the newest snapshot's unit; snapshots lacking a metric are skipped.
pub fn series(
    snapshots: &[Snapshot],
    benchmark: Option<&Pattern>,
    metric: Option<&Pattern>,
) -> Vec<Series> {
    let Some(newest) = snapshots.last() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (bench_name, bench) in &newest.run.benchmarks {
        if benchmark.is_some_and(|p| !p.matches(bench_name)) {
            continue;
        }
        for (metric_name, m) in &bench.metrics {
            if metric.is_some_and(|p| !p.matches(metric_name)) {
                continue;
            }
            let points = snapshots
                .iter()
                .filter_map(|s| {
                    let v = s
                        .run
                        .metric(bench_name, metric_name)?
                        .converted_to(&m.unit)?;
                    Some(Point {
                        created_at: s.created_at.clone(),
                        commit: s.git.commit.clone(),
                        value: v.value,
                    })
                })
                .collect();
            out.push(Series {
                benchmark: bench_name.clone(),
                metric: metric_name.clone(),
                unit: m.unit.clone(),
                direction: m.direction,
                points,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Metric, Run};

    fn snap(t: &str, v: f64, unit: Unit) -> Snapshot {
        let mut run = Run::default();
        run.insert("b", "p95", Metric::new(v, unit, Direction::LowerIsBetter));
        run.insert(
            "other",
            "p95",
            Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter),
        );
        let mut s = Snapshot::new("main", run);
        s.created_at = t.to_string();
        s
    }

    #[test]
    fn series_follow_the_newest_unit_and_filters() {
        let snaps = vec![
            snap("2026-01-01T00:00:00Z", 0.010, Unit::Seconds),
            snap("2026-01-02T00:00:00Z", 12.0, Unit::Milliseconds),
        ];
        let s = series(&snaps, Some(&Pattern::new("b")), None);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].unit, Unit::Milliseconds);
        let values: Vec<f64> = s[0].points.iter().map(|p| p.value).collect();
        assert_eq!(values, vec![10.0, 12.0]);
        assert_eq!(series(&snaps, None, Some(&Pattern::new("p9?"))).len(), 2);
    }
}
