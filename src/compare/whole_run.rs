//! Whole-run shifts: a noisy neighbour slows a whole run, every benchmark of a suite and every endpoint
//! of a load test by one factor. With one run per side and a history on main, each row alone sees that
//! factor as a change of its own; the suite sees it as every row moving together.
//!
//! For each benchmark, the **run factor** of every snapshot and of the current run is the median, over
//! the *other* benchmarks (a row is not its own reference), of their rows' shift from their own mean
//! over the history (log scale, worse-oriented). The current run's factor is judged against the
//! snapshots' factors by the history rule ([`evidence::judge_history`]: change points, outlier snapshots
//! rejected, drift). A slow run is a mixture: the t-test's p-value says how unlikely the factor is for a
//! clean run, and a run may be an outlier run, whose rate the history shows: `k` outlier snapshots of
//! `n` give a predictive rate of `(k + ½) / (n + 1)` (Jeffreys' prior), and an outlier run can be of any
//! size. The whole-run shift is established only when `(1 − π)·p + π ≤ α`, which takes about 50 clean
//! snapshots at α = 1 %; with 10 it never is: one run per side cannot tell a slowed run from a change
//! that slows everything alike.
//!
//! When the shift is not established, the factors do not creep, and there is something shared to take
//! out (some run's factor, a snapshot's or the current one, beyond the low band from the snapshots'
//! median: a slow run, a slow snapshot, a merged step), each row is judged on its own change beyond its run's factor: the row's history and current value divided by their runs' factors.
//! A merged step that moved every benchmark is then a step of the factors, not of the rows; one slow
//! snapshot is one slow factor. When the factors creep (drift), or a long history establishes the shift,
//! the rows are judged as they are.

use std::collections::HashMap;

use crate::evidence::{self, Adjustment};
use crate::model::{Direction, Metric, Run};
use crate::policy::Policy;
use crate::stats;

use super::Context;

/// Fewest other benchmarks whose median makes a run factor: with fewer, one regressed benchmark among
/// them moves the median by much of its change.
pub const MIN_OTHER_BENCHMARKS: usize = 5;

/// The run factors of one benchmark's reference (the other benchmarks), and how the current one was
/// judged.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFactors {
    /// Worse-oriented log factor of each snapshot (oldest first) and of the current run.
    pub snapshots: Vec<f64>,
    pub current: f64,
    /// The current run's factor against the snapshots', in percent (worse positive).
    pub shift_pct: f64,
    /// The mixture p-value of that shift (see the module documentation).
    pub p_value: f64,
    /// Snapshots, and those whose factor was an outlier.
    pub n: usize,
    pub outliers: usize,
    /// Benchmarks the factor is the median of.
    pub benchmarks: usize,
}

/// The row's values in each snapshot and the current one, when it takes part: gated, one run per side,
/// not a count, positive, and present in every snapshot.
pub fn row_series(
    bench: &str,
    metric: &str,
    cur: &Metric,
    ctx: &Context<'_>,
) -> Option<(Vec<f64>, f64)> {
    let mp = ctx.policy.for_metric(bench, metric);
    if mp.ignore || !mp.gate.unwrap_or(cur.gated) || cur.deterministic || cur.runs.len() >= 2 {
        return None;
    }
    let history: Vec<f64> = ctx
        .history
        .iter()
        .map(|run| {
            let m = run.metric(bench, metric)?.converted_to(&cur.unit)?;
            (m.runs.len() < 2).then_some(m.value)
        })
        .collect::<Option<_>>()?;
    let positive = |v: f64| v.is_finite() && v > 0.0;
    (history.iter().all(|v| positive(*v)) && positive(cur.value)).then_some((history, cur.value))
}

/// The run factors for each benchmark of the current run that has enough others, and whose current
/// shift is not established (those are the benchmarks whose rows are judged on their residuals).
pub fn factors(current: &Run, ctx: &Context<'_>) -> HashMap<String, RunFactors> {
    let n = ctx.history.len();
    let mut out = HashMap::new();
    if n < ctx.policy.min_history.max(2) {
        return out;
    }
    // Per benchmark: the median over its rows of each run's shift from the row's own mean.
    let mut shifts: Vec<(String, Vec<f64>)> = Vec::new();
    for (bench, b) in &current.benchmarks {
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for (metric, cur) in &b.metrics {
            let Some((history, c)) = row_series(bench, metric, cur, ctx) else {
                continue;
            };
            let s = ctx
                .policy
                .for_metric(bench, metric)
                .direction
                .unwrap_or(cur.direction)
                .worse_sign();
            let logs: Vec<f64> = history.iter().chain([&c]).map(|v| v.ln()).collect();
            let centre = logs[..n].iter().sum::<f64>() / n as f64;
            rows.push(logs.iter().map(|l| s * (l - centre)).collect());
        }
        if rows.is_empty() {
            continue;
        }
        let per_run: Option<Vec<f64>> = (0..=n)
            .map(|j| stats::median(&rows.iter().map(|r| r[j]).collect::<Vec<_>>()))
            .collect();
        if let Some(v) = per_run {
            shifts.push((bench.clone(), v));
        }
    }
    if shifts.len() < MIN_OTHER_BENCHMARKS + 1 {
        return out;
    }
    for (i, (bench, _)) in shifts.iter().enumerate() {
        let others = shifts.len() - 1;
        let series: Option<Vec<f64>> = (0..=n)
            .map(|j| {
                let v: Vec<f64> = shifts
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| *k != i)
                    .map(|(_, (_, s))| s[j])
                    .collect();
                stats::median(&v)
            })
            .collect();
        let Some(series) = series else { continue };
        if let Some(f) = judge(&series[..n], series[n], others, ctx.policy) {
            out.insert(bench.clone(), f);
        }
    }
    out
}

/// Judges the current factor against the snapshots'; `None` when the rows must be judged as they are
/// (the shift established, or the factors creeping).
fn judge(
    snapshots: &[f64],
    current: f64,
    benchmarks: usize,
    policy: &Policy,
) -> Option<RunFactors> {
    let values: Vec<f64> = snapshots.iter().map(|f| f.exp()).collect();
    let noise = evidence::history_noise(&values)?;
    let j = evidence::judge_history(
        &values,
        current.exp(),
        0.0,
        Direction::LowerIsBetter,
        &policy.bands,
        policy.alpha,
    );
    if j.evidence.adjustment == Some(Adjustment::RaisedByDrift) {
        return None;
    }
    let p = j.evidence.p_value?;
    // Nothing shared to take out: no run's factor (a snapshot's or the current one) is further from the
    // snapshots' median than the low band. The rows are then judged as they are: the factor's own
    // estimation noise would only add to theirs.
    let mid = stats::median(snapshots)?;
    let material = (1.0 + policy.bands.low / 100.0).ln();
    if snapshots
        .iter()
        .chain([&current])
        .all(|f| (f - mid).abs() <= material)
    {
        return None;
    }
    let n = snapshots.len();
    let rate = (noise.outliers as f64 + 0.5) / (n as f64 + 1.0);
    let p_value = (1.0 - rate) * p + rate;
    if j.severity.is_regression() && p_value <= policy.alpha {
        return None;
    }
    Some(RunFactors {
        snapshots: snapshots.to_vec(),
        current,
        shift_pct: j.evidence.estimate_pct?,
        p_value,
        n,
        outliers: noise.outliers,
        benchmarks,
    })
}

/// `m` divided by a run factor (worse-oriented log `f`): the value the run would have had at factor 0.
pub fn adjusted(m: &Metric, f: f64, direction: Direction) -> Metric {
    let k = (-direction.worse_sign() * f).exp();
    let mut m = m.clone();
    m.value *= k;
    m.samples.iter_mut().for_each(|v| *v *= k);
    m.batches.iter_mut().for_each(|v| *v *= k);
    m.ci_low = m.ci_low.map(|v| v * k);
    m.ci_high = m.ci_high.map(|v| v * k);
    m
}

#[cfg(test)]
mod tests {
    use crate::compare::{compare, Context, Reason};
    use crate::model::{Direction, Metric, Run, Unit};
    use crate::policy::Policy;
    use crate::severity::Severity;

    /// Eight benchmarks, each run's value 100 ms × a small per-benchmark jitter × `factor(b)`.
    fn run(seed: u64, factor: impl Fn(usize) -> f64) -> Run {
        let mut rng = crate::stats::test_util::Lcg(seed);
        let mut run = Run::default();
        for b in 0..8 {
            let v = 100.0 * (0.02 * rng.normal()).exp() * factor(b);
            run.insert(
                &format!("b{b}"),
                "median",
                Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter),
            );
        }
        run
    }

    #[test]
    fn a_whole_run_slowed_warns_and_one_slowed_benchmark_fails() {
        let policy = Policy::default();
        let history: Vec<Run> = (0..10).map(|i| run(i + 1, |_| 1.0)).collect();
        let ctx = Context {
            policy: &policy,
            history: &history,
        };
        let base = history.last().unwrap();
        let rows = compare(base, &run(99, |_| 1.3), &ctx).unwrap();
        for r in &rows {
            assert_eq!(r.severity, Severity::Medium, "{r:?}");
            assert!(matches!(r.reason, Some(Reason::WholeRun { .. })), "{r:?}");
        }
        let rows = compare(base, &run(99, |b| if b == 0 { 1.3 } else { 1.0 }), &ctx).unwrap();
        let b0 = rows.iter().find(|r| r.benchmark == "b0").unwrap();
        assert!(b0.severity >= Severity::High, "{b0:?}");
        assert!(rows
            .iter()
            .filter(|r| r.benchmark != "b0")
            .all(|r| !r.severity.is_regression()));
    }
}
