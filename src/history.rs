//! Metric values over a baseline's snapshots, for `perfgate history` and its charts, and where they
//! stepped: the change points of each series ([`crate::stats::changepoint`]), the segments between them
//! with their noise, and the steps grouped by the snapshot (commit) that started them.

use serde::Serialize;

use crate::baseline::Snapshot;
use crate::model::{Direction, Unit};
use crate::policy::{Pattern, Policy};
use crate::severity::{Bands, Severity};
use crate::stats::changepoint;

/// One snapshot's value of a metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub created_at: String,
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub value: f64,
    /// Position of the snapshot in the history (series skip snapshots that lack the metric).
    #[serde(skip)]
    pub snapshot: usize,
}

/// A metric of a benchmark over time, oldest first, in one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    /// Whether the gate judges this metric (the policy's `gate`/`ignore`/`report_only` applied).
    pub gated: bool,
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
                .enumerate()
                .filter_map(|(i, s)| {
                    let v = s
                        .run
                        .metric(bench_name, metric_name)?
                        .converted_to(&m.unit)?;
                    Some(Point {
                        created_at: s.created_at.clone(),
                        commit: s.git.commit.clone(),
                        branch: s.git.branch.clone(),
                        value: v.value,
                        snapshot: i,
                    })
                })
                .collect();
            out.push(Series {
                benchmark: bench_name.clone(),
                metric: metric_name.clone(),
                unit: m.unit.clone(),
                direction: m.direction,
                gated: m.gated,
                points,
            });
        }
    }
    out
}

/// Applies the policy's `gate`, `ignore` and `report_only` to the series' `gated` flags and direction.
pub fn apply_policy(series: &mut [Series], policy: &Policy) {
    for s in series {
        let mp = policy.for_metric(&s.benchmark, &s.metric);
        s.gated = !mp.ignore && mp.gate.unwrap_or(s.gated);
        s.direction = mp.direction.unwrap_or(s.direction);
    }
}

/// A stretch of snapshots between change points (indices into the series' points, `last` inclusive).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    pub first: usize,
    pub last: usize,
    /// Median value, in the series' unit.
    pub median: f64,
    /// Robust spread of one snapshot around the median, in percent (1.4826 · MAD of ln values).
    pub noise_pct: f64,
}

/// Where a series stepped: the first point of the new segment and the step between the segments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesChange {
    /// Index into the series' points of the first value after the step.
    pub index: usize,
    /// Medians of the segments before and after, in the series' unit.
    pub before: f64,
    pub after: f64,
    /// `after / before − 1` in percent; `None` when `before` is 0 (a rate leaving 0).
    pub step_pct: Option<f64>,
    /// Percent worse (negative: better) for the metric's direction; what the bands grade.
    pub worse_pct: Option<f64>,
    pub severity: Severity,
    pub p_value: f64,
    pub noise_before_pct: f64,
    pub noise_after_pct: f64,
}

/// A series with its segments and change points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysed {
    #[serde(flatten)]
    pub series: Series,
    pub segments: Vec<Segment>,
    pub change_points: Vec<SeriesChange>,
    /// The metric's bands (the policy's), for the thresholds drawn on the page.
    #[serde(skip)]
    pub bands: Bands,
}

impl Analysed {
    /// The series never moved and holds a rate or count that stayed put (e.g. `error_rate` always 0):
    /// the page folds it into a line of text.
    pub fn is_flat(&self) -> bool {
        let first = self.series.points.first().map(|p| p.value);
        self.change_points.is_empty() && self.series.points.iter().all(|p| Some(p.value) == first)
    }

    /// The newest segment (the one a change is judged against).
    pub fn current(&self) -> Option<&Segment> {
        self.segments.last()
    }
}

/// Segments and change points of every series. Each series is segmented on `ln` of its values when all
/// are positive, else on the values themselves (rates that touch 0).
pub fn analyse(series: Vec<Series>, bands: impl Fn(&Series) -> Bands) -> Vec<Analysed> {
    series
        .into_iter()
        .map(|s| {
            let b = bands(&s);
            analyse_one(s, &b)
        })
        .collect()
}

fn analyse_one(series: Series, bands: &Bands) -> Analysed {
    let values: Vec<f64> = series.points.iter().map(|p| p.value).collect();
    let positive = values.iter().all(|v| *v > 0.0);
    let scaled: Vec<f64> = if positive {
        values.iter().map(|v| v.ln()).collect()
    } else {
        values.clone()
    };
    let points = changepoint::change_points(&scaled, changepoint::DEFAULT_ALPHA);
    let segments: Vec<Segment> = changepoint::segments(values.len(), &points)
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| Segment {
            first: r.start,
            last: r.end - 1,
            median: crate::stats::median(&values[r.clone()]).unwrap_or(f64::NAN),
            noise_pct: robust_spread_pct(&values[r]),
        })
        .collect();
    let change_points = points
        .iter()
        .filter_map(|cp| {
            let after = segments.iter().position(|g| g.first == cp.index)?;
            let (b, a) = (segments.get(after.checked_sub(1)?)?, &segments[after]);
            let step_pct = (b.median != 0.0).then(|| (a.median / b.median - 1.0) * 100.0);
            let worse_pct = step_pct.map(|p| match series.direction {
                Direction::LowerIsBetter => p,
                Direction::HigherIsBetter => -p,
            });
            Some(SeriesChange {
                index: cp.index,
                before: b.median,
                after: a.median,
                step_pct,
                worse_pct,
                // A rate leaving 0 has no percent step: graded by its direction alone, as critical.
                severity: match worse_pct {
                    Some(w) => bands.grade(w),
                    None if (a.median > b.median)
                        == (series.direction == Direction::LowerIsBetter) =>
                    {
                        Severity::Critical
                    }
                    None => Severity::Improvement,
                },
                p_value: cp.p_value,
                noise_before_pct: b.noise_pct,
                noise_after_pct: a.noise_pct,
            })
        })
        .collect();
    Analysed {
        series,
        segments,
        change_points,
        bands: *bands,
    }
}

/// Robust spread of one value around a segment's level, in percent: 1.4826 · MAD of the ln values (or
/// of the values relative to their median when some are not positive), through `stats::robust`.
fn robust_spread_pct(values: &[f64]) -> f64 {
    let logs: Vec<f64> = if values.iter().all(|v| *v > 0.0) {
        values.iter().map(|v| v.ln()).collect()
    } else {
        let m = crate::stats::median(values).unwrap_or(0.0).abs();
        if m == 0.0 {
            return 0.0;
        }
        values.iter().map(|v| v / m).collect()
    };
    let mad = crate::stats::robust::mad_sd(&logs).unwrap_or(0.0);
    (mad.exp() - 1.0) * 100.0
}

/// One metric's step in a [`Change`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricStep {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    pub gated: bool,
    #[serde(flatten)]
    pub change: SeriesChange,
}

/// A snapshot that started a change point in one or more metrics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub created_at: String,
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// Position of the snapshot in the kept history, oldest 0.
    pub snapshot: usize,
    /// Worst first.
    pub metrics: Vec<MetricStep>,
}

impl Change {
    pub fn worst(&self) -> Severity {
        self.metrics
            .iter()
            .map(|m| m.change.severity)
            .max()
            .unwrap_or(Severity::Unchanged)
    }
}

/// The change points of all series grouped by the snapshot that started them, newest first. Without
/// `all`, only steps beyond the low band (either way) in gated metrics are listed.
pub fn changes(analysed: &[Analysed], all: bool) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    for a in analysed {
        for c in &a.change_points {
            if !all && (c.severity == Severity::Unchanged || !a.series.gated) {
                continue;
            }
            let p = &a.series.points[c.index];
            let step = MetricStep {
                benchmark: a.series.benchmark.clone(),
                metric: a.series.metric.clone(),
                unit: a.series.unit.clone(),
                direction: a.series.direction,
                gated: a.series.gated,
                change: c.clone(),
            };
            match out.iter_mut().find(|g| g.snapshot == p.snapshot) {
                Some(g) => g.metrics.push(step),
                None => out.push(Change {
                    created_at: p.created_at.clone(),
                    commit: p.commit.clone(),
                    branch: p.branch.clone(),
                    snapshot: p.snapshot,
                    metrics: vec![step],
                }),
            }
        }
    }
    for g in &mut out {
        g.metrics.sort_by(|a, b| {
            b.change
                .severity
                .cmp(&a.change.severity)
                .then(b.gated.cmp(&a.gated))
        });
    }
    out.sort_by_key(|c| std::cmp::Reverse(c.snapshot));
    out
}

/// The whole of `perfgate history --output json`: every series with its segments and change points,
/// and the change points grouped by snapshot.
#[derive(Debug, Serialize)]
pub struct Report<'a> {
    pub baseline: &'a str,
    pub snapshots: usize,
    pub changes: &'a [Change],
    pub series: &'a [Analysed],
}

/// Indices of the snapshots either side of every change point beyond the low band in a gated metric
/// (default bands): what `baseline prune` keeps beyond `--keep`.
pub fn boundaries(snapshots: &[Snapshot]) -> Vec<usize> {
    let policy = Policy::default();
    let mut series = series(snapshots, None, None);
    apply_policy(&mut series, &policy);
    series.retain(|s| s.gated);
    let analysed = analyse(series, |_| policy.bands);
    let mut out = Vec::new();
    for c in changes(&analysed, false) {
        out.push(c.snapshot);
        out.extend(c.snapshot.checked_sub(1));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The change points the newest snapshot brought, at `min` or worse in gated metrics: found in the
/// history with it and not (for that metric, within 2 snapshots) in the history without it. A step is
/// found once [`changepoint::MIN_SEGMENT`] snapshots show it, so the change usually starts a snapshot or
/// two before the newest; it is named by the snapshot that started it.
pub fn new_changes(snapshots: &[Snapshot], policy: &Policy, min: Severity) -> Vec<Change> {
    let found = |snaps: &[Snapshot]| {
        let mut s = series(snaps, None, None);
        apply_policy(&mut s, policy);
        s.retain(|s| s.gated);
        changes(
            &analyse(s, |s| policy.for_metric(&s.benchmark, &s.metric).bands),
            false,
        )
    };
    let Some((_, before)) = snapshots.split_last() else {
        return Vec::new();
    };
    let known = found(before);
    let mut now = found(snapshots);
    for c in &mut now {
        let at = c.snapshot;
        c.metrics.retain(|m| {
            m.change.severity >= min
                && m.change.severity.is_regression()
                && !known.iter().any(|k| {
                    k.snapshot.abs_diff(at) <= 2
                        && k.metrics
                            .iter()
                            .any(|o| o.benchmark == m.benchmark && o.metric == m.metric)
                })
        });
    }
    now.retain(|c| !c.metrics.is_empty());
    now
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
