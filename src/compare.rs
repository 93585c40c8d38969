//! Pairs every metric of the current run with its baseline and grades the change.

pub mod approximate;
pub mod whole_run;

pub use crate::comparison::{Comparison, Kind, Reason};
use crate::error::Result;
use crate::evidence;
use crate::model::{Metric, Run, Unit};
use crate::policy::{MetricPolicy, Policy};
use crate::severity::Severity;

/// Below this magnitude a baseline counts as zero: a relative change would be meaningless.
const ZERO: f64 = 1e-12;

/// Everything besides the two runs that grading needs.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub policy: &'a Policy,
    /// Earlier snapshots of the baseline, oldest first (may be empty).
    pub history: &'a [Run],
}

impl<'a> Context<'a> {
    /// A context with no history.
    pub fn new(policy: &'a Policy) -> Context<'a> {
        Context {
            policy,
            history: &[],
        }
    }

    /// The metric over the history, in `unit`.
    fn history_of(&self, bench: &str, metric: &str, unit: &Unit) -> Vec<Metric> {
        self.history
            .iter()
            .filter_map(|run| run.metric(bench, metric)?.converted_to(unit))
            .collect()
    }
}

/// Compares two runs metric by metric.
///
/// Returns an error when a metric's unit kinds differ between the sides (e.g. bytes vs milliseconds),
/// since no honest comparison exists.
pub fn compare(baseline: &Run, current: &Run, ctx: &Context<'_>) -> Result<Vec<Comparison>> {
    let mut out = Vec::new();
    let suite = suite_variances(baseline, current, ctx.policy);
    let factors = whole_run::factors(current, ctx);
    for (bench_name, bench) in &current.benchmarks {
        for (metric_name, cur) in &bench.metrics {
            let mp = ctx.policy.for_metric(bench_name, metric_name);
            if mp.ignore {
                continue;
            }
            let row = match baseline.metric(bench_name, metric_name) {
                Some(base) => {
                    // Units of different kinds: this row cannot be compared, the others still can.
                    let Some(base) = base.converted_to(&cur.unit) else {
                        let mut row =
                            one_sided(bench_name, metric_name, cur, &mp, None, Severity::New);
                        row.reason = Some(Reason::NotCompared {
                            baseline_unit: base.unit.clone(),
                            current_unit: cur.unit.clone(),
                        });
                        out.push(row);
                        continue;
                    };
                    let history = ctx.history_of(bench_name, metric_name, &cur.unit);
                    let prior = suite_prior(&suite, bench_name, metric_name);
                    let row = grade_pair(
                        bench_name,
                        metric_name,
                        &base,
                        cur,
                        &mp,
                        ctx.policy,
                        &history,
                        prior,
                    );
                    match factors.get(bench_name.as_str()) {
                        Some(f)
                            if whole_run::row_series(bench_name, metric_name, cur, ctx)
                                .is_some() =>
                        {
                            beyond_run_factor(row, f, &base, cur, &history, &mp, ctx.policy)
                        }
                        _ => row,
                    }
                }
                None => one_sided(bench_name, metric_name, cur, &mp, None, Severity::New),
            };
            out.push(row);
        }
    }
    for (bench_name, bench) in &baseline.benchmarks {
        for (metric_name, base) in &bench.metrics {
            let mp = ctx.policy.for_metric(bench_name, metric_name);
            if !mp.ignore && current.metric(bench_name, metric_name).is_none() {
                out.push(one_sided(
                    bench_name,
                    metric_name,
                    base,
                    &mp,
                    Some(base.value),
                    Severity::Missing,
                ));
            }
        }
    }
    sort_worst_first(&mut out);
    Ok(out)
}

/// Regrades a history row on its change beyond its runs' factors ([`whole_run`]); the row keeps its
/// own values and change, and says so when the whole run's shift is what moved it.
fn beyond_run_factor(
    row: Comparison,
    f: &whole_run::RunFactors,
    base: &Metric,
    cur: &Metric,
    history: &[Metric],
    mp: &MetricPolicy,
    policy: &Policy,
) -> Comparison {
    let judged_by_history = |r: &Comparison| {
        r.evidence.as_ref().map(|e| e.method) == Some(evidence::Method::PredictionInterval)
    };
    if !judged_by_history(&row) || history.len() != f.snapshots.len() {
        return row;
    }
    let direction = mp.direction.unwrap_or(cur.direction);
    let last = f.snapshots.last().copied().unwrap_or(0.0);
    let adj_history: Vec<Metric> = history
        .iter()
        .zip(&f.snapshots)
        .map(|(m, s)| whole_run::adjusted(m, *s, direction))
        .collect();
    let adj = grade_pair(
        &row.benchmark,
        &row.metric,
        &whole_run::adjusted(base, last, direction),
        &whole_run::adjusted(cur, f.current, direction),
        mp,
        policy,
        &adj_history,
        None,
    );
    if !judged_by_history(&adj) {
        return row;
    }
    let moved_by_run = row.severity.is_regression() && !adj.severity.is_regression();
    // A whole run that moved beyond the medium band warns: it does not fail the gate, but it is shown.
    let severity =
        if moved_by_run && f.shift_pct > mp.bands.medium && row.severity >= Severity::Medium {
            Severity::Medium
        } else {
            adj.severity
        };
    Comparison {
        severity,
        reason: if moved_by_run {
            Some(Reason::WholeRun {
                shift_pct: f.shift_pct,
                p_value: f.p_value,
                snapshots: f.n,
                outlier_snapshots: f.outliers,
                benchmarks: f.benchmarks,
                own_pct: adj.evidence.as_ref().and_then(|e| e.estimate_pct),
            })
        } else {
            adj.reason
        },
        evidence: adj.evidence,
        ..row
    }
}

fn one_sided(
    bench: &str,
    metric: &str,
    m: &Metric,
    mp: &MetricPolicy,
    baseline: Option<f64>,
    severity: Severity,
) -> Comparison {
    Comparison {
        benchmark: bench.to_string(),
        metric: metric.to_string(),
        unit: m.unit.clone(),
        direction: mp.direction.unwrap_or(m.direction),
        baseline,
        current: if baseline.is_some() {
            None
        } else {
            Some(m.value)
        },
        change_pct: None,
        change_abs: None,
        severity,
        gated: mp.gate.unwrap_or(m.gated),
        kind: Kind::Change,
        evidence: None,
        reason: None,
        load_test: None,
    }
}

/// Rounds away floating-point dust so that e.g. exactly 25 % lands on the band edge.
fn tidy(pct: f64) -> f64 {
    (pct * 1e9).round() / 1e9
}

/// What a pair of metrics is judged on.
enum ValueSets<'m> {
    /// Per-run values of the row's statistic; at least one side has several runs.
    Runs(Vec<f64>, Vec<f64>),
    /// One run per side: each run's own samples.
    WithinRun(&'m [f64], &'m [f64]),
    /// One run per side: the row's statistic over consecutive time batches of each run (batch means).
    Batches(&'m [f64], &'m [f64]),
}

/// The run is the unit: with several runs on either side the runs' values are the observations (a side
/// with one run contributes its value), and the samples inside the runs are not used (they are pooled
/// across runs by the reader and would measure one run's precision, not the spread between runs).
fn sample_sets<'m>(base: &'m Metric, cur: &'m Metric, policy: &Policy) -> Option<ValueSets<'m>> {
    let runs = |m: &Metric| {
        if m.runs.len() >= 2 {
            m.runs.clone()
        } else {
            vec![m.value]
        }
    };
    if base.runs.len() >= 2 || cur.runs.len() >= 2 {
        return Some(ValueSets::Runs(runs(base), runs(cur)));
    }
    if base.batches.len() >= 2 && cur.batches.len() >= 2 {
        return Some(ValueSets::Batches(&base.batches, &cur.batches));
    }
    let enough = |n: usize| n >= policy.min_samples.max(2);
    (enough(base.samples.len()) && enough(cur.samples.len()))
        .then(|| ValueSets::WithinRun(&base.samples, &cur.samples))
}

/// The between-run variances (and their df) of the rows of this comparison that have repeated runs, per
/// metric name (mean rows with mean rows: a mean carries its iterations' outliers, a median does not),
/// by benchmark; gated rows only.
type SuiteVariances = std::collections::HashMap<String, Vec<(String, (f64, f64))>>;

fn suite_variances(baseline: &Run, current: &Run, policy: &Policy) -> SuiteVariances {
    let mut variances = SuiteVariances::default();
    for (bench_name, bench) in &current.benchmarks {
        for (metric_name, cur) in &bench.metrics {
            // Only gated rows: a load test's connection phases move by hundreds of percent between
            // runs and would lend that spread to its endpoints' latencies.
            let mp = policy.for_metric(bench_name, metric_name);
            if mp.ignore || !mp.gate.unwrap_or(cur.gated) {
                continue;
            }
            let Some(base) = baseline
                .metric(bench_name, metric_name)
                .and_then(|b| b.converted_to(&cur.unit))
            else {
                continue;
            };
            // A row recorded in steps coarser than the low band (1 → 2 ms) measures its recording
            // step, not the noise between runs.
            let coarse = [base.value, cur.value]
                .iter()
                .any(|v| *v != 0.0 && evidence::resolution(*v) / v.abs() > mp.bands.low / 100.0);
            if coarse {
                continue;
            }
            if let Some(ValueSets::Runs(bs, cs)) = sample_sets(&base, cur, policy) {
                if let Some(v) = evidence::run_variance(&bs, &cs) {
                    variances
                        .entry(metric_name.clone())
                        .or_default()
                        .push((bench_name.clone(), v));
                }
            }
        }
    }
    variances
}

/// The prior of a row whose own runs are few and that has no history: the spread of the *other* rows
/// of the comparison with the same metric name (a row is not its own prior; a benchmark alone has
/// none and gets the floor).
fn suite_prior(suite: &SuiteVariances, bench: &str, metric: &str) -> Option<evidence::Prior> {
    let others: Vec<(f64, f64)> = suite
        .get(metric)?
        .iter()
        .filter(|(b, _)| b != bench)
        .map(|(_, v)| *v)
        .collect();
    evidence::Prior::from_rows(&others)
}

/// Grades one metric present on both sides (baseline already in the current unit). `suite` is the
/// spread of the comparison's other rows with repeated runs, if any.
#[allow(clippy::too_many_arguments)]
pub fn grade_pair(
    bench: &str,
    metric: &str,
    base: &Metric,
    cur: &Metric,
    mp: &MetricPolicy,
    policy: &Policy,
    history: &[Metric],
    suite: Option<evidence::Prior>,
) -> Comparison {
    let (mut b, c) = (base.value, cur.value);
    let history_metrics = history;
    let history: Vec<f64> = history.iter().map(|m| m.value).collect();
    let history = history.as_slice();
    let direction = mp.direction.unwrap_or(cur.direction);
    let sign = direction.worse_sign();
    let bands = &mp.bands;
    let (change_pct, mut judgement, mut reason) = if b.abs() > ZERO {
        let worse_pct = sign * tidy((c - b) / b.abs() * 100.0);
        let j = match sample_sets(base, cur, policy) {
            _ if base.deterministic && cur.deterministic => evidence::exact(worse_pct, bands),
            Some(ValueSets::Runs(bs, cs)) => {
                // The metric's own history knows its noise best; else the suite; else the floor.
                let prior = evidence::history_noise(history)
                    .filter(|_| history.len() >= policy.min_history)
                    .map(|h| h.prior())
                    .or(suite)
                    .unwrap_or_else(evidence::Prior::floor);
                let j = evidence::judge_runs(&bs, &cs, direction, bands, policy.alpha, prior);
                if j.evidence.outcome == evidence::Outcome::TooFewSamples {
                    // No ratio to judge (zero means): the bands, marked unverified, still gate.
                    evidence::unverified(worse_pct, bands)
                } else {
                    j
                }
            }
            // Single runs: the history knows the spread between runs, the samples do not.
            _ if history.len() >= policy.min_history => {
                let extra = excess_within_run_var(metric, cur, history_metrics, policy);
                let j = evidence::judge_history(history, c, extra, direction, bands, policy.alpha);
                if let Some(h) = evidence::history_noise(history)
                    .filter(|_| j.evidence.method == evidence::Method::PredictionInterval)
                {
                    // One reference for significance, severity and the row: the centre of the history
                    // since its last change point.
                    b = h.centre.exp();
                }
                j
            }
            Some(ValueSets::Batches(bs, cs)) => {
                let j = evidence::judge_batches(bs, cs, direction, bands, policy.alpha);
                if j.evidence.outcome == evidence::Outcome::TooFewSamples {
                    evidence::unverified(worse_pct, bands)
                } else {
                    j
                }
            }
            Some(ValueSets::WithinRun(bs, cs)) => {
                let stat = evidence::Statistic::of_row(metric, c, cs);
                let j = evidence::judge_within_run(bs, cs, stat, direction, bands, policy.alpha);
                if j.evidence.outcome == evidence::Outcome::TooFewSamples {
                    evidence::unverified(worse_pct, bands)
                } else {
                    j
                }
            }
            None => evidence::unverified(worse_pct, bands),
        };
        (Some(tidy((c - b) / b.abs() * 100.0)), j, None)
    } else if c.abs() <= ZERO {
        (Some(0.0), evidence::unverified(0.0, bands), None)
    } else if cur.unit == Unit::Ratio {
        // A rate that was zero (no errors): grade the rise in percentage points.
        let points = tidy((c - b) * 100.0);
        let j = evidence::unverified(sign * points, bands);
        (None, j, Some(Reason::ZeroBaselinePoints { points }))
    } else {
        let worse = sign * (c - b) > 0.0;
        let mut j = evidence::unverified(0.0, bands);
        j.severity = if worse {
            Severity::Low
        } else {
            Severity::Improvement
        };
        (None, j, Some(Reason::ZeroBaseline))
    };
    let change_abs = c - b;
    if judgement.severity > Severity::Low {
        // A zero says nothing about the recording step, and fractions (error rates) have none.
        let step = [b, c]
            .iter()
            .filter(|v| **v != 0.0)
            .map(|v| evidence::resolution(*v))
            .fold(f64::INFINITY, f64::min);
        let has_step = cur.unit != Unit::Ratio && step.is_finite() && step > 0.0;
        if has_step && change_abs.abs() <= step * (1.0 + 1e-9) {
            judgement.severity = Severity::Low;
            judgement.evidence.adjustment = Some(evidence::Adjustment::CappedAtResolution);
            reason = Some(Reason::CappedAtResolution {
                change: change_abs.abs(),
            });
        } else if let Some(min) = mp.min_abs_change.filter(|m| change_abs.abs() < *m) {
            judgement.severity = Severity::Low;
            judgement.evidence.adjustment = Some(evidence::Adjustment::CappedAtMinAbsChange);
            reason = Some(Reason::BelowMinAbsChange {
                change: change_abs.abs(),
                min_abs_change: min,
            });
        }
    }
    Comparison {
        benchmark: bench.to_string(),
        metric: metric.to_string(),
        unit: cur.unit.clone(),
        direction,
        baseline: Some(b),
        current: Some(c),
        change_pct,
        change_abs: Some(change_abs),
        severity: judgement.severity,
        gated: mp.gate.unwrap_or(cur.gated),
        kind: Kind::Change,
        evidence: Some(judgement.evidence),
        reason,
        load_test: None,
    }
}

/// How much more within-run error the current run's value carries than the history's runs typically
/// did (log scale, a variance): the history's spread already holds the typical within-run error, but a
/// run with slow iterations moves its mean further, and its own samples show it. Zero without samples;
/// all of it when the history kept none.
fn excess_within_run_var(metric: &str, cur: &Metric, history: &[Metric], policy: &Policy) -> f64 {
    let enough = |m: &Metric| m.samples.len() >= policy.min_samples.max(2);
    if !enough(cur) {
        return 0.0;
    }
    let stat = evidence::Statistic::of_row(metric, cur.value, &cur.samples);
    let Some((_, se)) = stat.log_with_se(&cur.samples) else {
        return 0.0;
    };
    let typical: Vec<f64> = history
        .iter()
        .filter(|m| enough(m))
        .filter_map(|m| stat.log_with_se(&m.samples))
        .map(|(_, s)| s * s)
        .collect();
    let typical = crate::stats::median(&typical).unwrap_or(0.0);
    (se * se - typical).max(0.0)
}

/// Rank of a metric name for display: means and percentiles before extremes and the rest.
fn metric_rank(name: &str) -> (u8, f64, String) {
    match name {
        "mean" => (0, 0.0, String::new()),
        "median" => (1, 50.0, String::new()),
        "min" => (3, 0.0, String::new()),
        "max" => (4, 0.0, String::new()),
        _ => match crate::model::percentile_of(name) {
            Some(p) => (1, p, String::new()),
            None => (2, 0.0, name.to_string()),
        },
    }
}

/// Orders rows by benchmark (worst benchmark first), then by severity and metric.
pub fn sort_worst_first(rows: &mut [Comparison]) {
    use std::collections::HashMap;
    // A benchmark's rank: its worst severity, then how many rows share it.
    let mut worst: HashMap<String, (Severity, usize)> = HashMap::new();
    // Among equally bad benchmarks, the failure count that rose most (the endpoint's) first.
    let mut failing: HashMap<String, f64> = HashMap::new();
    for r in rows.iter() {
        let e = worst.entry(r.benchmark.clone()).or_insert((r.severity, 0));
        if r.severity > e.0 {
            *e = (r.severity, 1);
        } else if r.severity == e.0 {
            e.1 += 1;
        }
    }
    for r in rows.iter() {
        if r.severity == worst[&r.benchmark].0 {
            let p = failing.entry(r.benchmark.clone()).or_insert(0.0);
            *p = p.max(crate::loadtest::failures::rise_points(r));
        }
    }
    rows.sort_by(|a, b| {
        let (wa, wb) = (worst[&a.benchmark], worst[&b.benchmark]);
        wb.0.cmp(&wa.0)
            .then_with(|| failing[&b.benchmark].total_cmp(&failing[&a.benchmark]))
            .then_with(|| wb.1.cmp(&wa.1))
            .then_with(|| a.benchmark.cmp(&b.benchmark))
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| {
                let (ra, rb) = (metric_rank(&a.metric), metric_rank(&b.metric));
                ra.0.cmp(&rb.0)
                    .then(ra.1.total_cmp(&rb.1))
                    .then_with(|| ra.2.cmp(&rb.2))
            })
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn ms(v: f64) -> Metric {
        Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter)
    }

    fn rps(v: f64) -> Metric {
        Metric::new(v, Unit::PerSecond, Direction::HigherIsBetter)
    }

    fn grade(base: &Metric, cur: &Metric) -> Comparison {
        let policy = Policy::default();
        let mp = policy.for_metric("b", "m");
        grade_pair("b", "m", base, cur, &mp, &policy, &[], None)
    }

    fn sev(base: Metric, cur: Metric) -> Severity {
        grade(&base, &cur).severity
    }

    fn cmp(base: &Run, cur: &Run) -> Result<Vec<Comparison>> {
        compare(base, cur, &Context::new(&Policy::default()))
    }

    #[test]
    fn every_band_edge_lower_is_better() {
        assert_eq!(sev(ms(100.0), ms(105.0)), Severity::Unchanged);
        assert_eq!(sev(ms(100.0), ms(105.01)), Severity::Low);
        assert_eq!(sev(ms(100.0), ms(110.0)), Severity::Low);
        assert_eq!(sev(ms(100.0), ms(110.01)), Severity::Medium);
        assert_eq!(sev(ms(100.0), ms(115.0)), Severity::Medium);
        assert_eq!(sev(ms(100.0), ms(115.01)), Severity::High);
        assert_eq!(sev(ms(100.0), ms(125.0)), Severity::High);
        assert_eq!(sev(ms(100.0), ms(125.01)), Severity::Critical);
        assert_eq!(sev(ms(100.0), ms(95.0)), Severity::Unchanged);
        assert_eq!(sev(ms(100.0), ms(94.99)), Severity::Improvement);
    }

    #[test]
    fn every_band_edge_higher_is_better() {
        assert_eq!(sev(rps(100.0), rps(95.0)), Severity::Unchanged);
        assert_eq!(sev(rps(100.0), rps(94.99)), Severity::Low);
        assert_eq!(sev(rps(100.0), rps(90.0)), Severity::Low);
        assert_eq!(sev(rps(100.0), rps(89.99)), Severity::Medium);
        assert_eq!(sev(rps(100.0), rps(85.0)), Severity::Medium);
        assert_eq!(sev(rps(100.0), rps(84.99)), Severity::High);
        assert_eq!(sev(rps(100.0), rps(75.0)), Severity::High);
        assert_eq!(sev(rps(100.0), rps(74.99)), Severity::Critical);
        assert_eq!(sev(rps(100.0), rps(105.0)), Severity::Unchanged);
        assert_eq!(sev(rps(100.0), rps(105.01)), Severity::Improvement);
    }

    #[test]
    fn band_edges_survive_floating_point_dust() {
        // 0.1 → 0.125 is exactly +25 % but not in binary floating point.
        assert_eq!(sev(ms(0.1), ms(0.125)), Severity::High);
        assert_eq!(sev(ms(0.3), ms(0.315)), Severity::Unchanged);
    }

    #[test]
    fn zero_baseline_gives_no_infinite_percentage() {
        let c = grade(&ms(0.0), &ms(3.0));
        assert_eq!(c.change_pct, None);
        assert_eq!(c.change_abs, Some(3.0));
        assert_eq!(c.severity, Severity::Low);
        assert_eq!(c.reason, Some(Reason::ZeroBaseline));
        assert_eq!(sev(ms(0.0), ms(0.0)), Severity::Unchanged);
        let err = |v| Metric::new(v, Unit::Ratio, Direction::LowerIsBetter);
        assert_eq!(sev(err(0.0), err(0.30)), Severity::Critical);
        assert_eq!(sev(err(0.0), err(0.0001)), Severity::Unchanged);
    }

    #[test]
    fn runs_are_the_unit_and_zeros_fall_back_to_the_bands() {
        let with_runs = |runs: &[f64], unit: Unit| {
            let mut m = Metric::new(
                crate::stats::median(runs).unwrap(),
                unit,
                Direction::LowerIsBetter,
            );
            m.runs = runs.to_vec();
            // Samples pooled across runs by the reader are not what runs are judged on.
            m.samples = vec![1.0; 50];
            m
        };
        let c = grade(
            &with_runs(&[100.0, 101.0, 99.0], Unit::Milliseconds),
            &with_runs(&[130.0, 131.0, 129.0], Unit::Milliseconds),
        );
        assert_eq!(c.severity, Severity::Critical);
        let e = c.evidence.unwrap();
        assert_eq!(e.method, evidence::Method::Runs);
        assert_eq!((e.n_baseline, e.n_current), (3, 3));
        let c = grade(
            &with_runs(&[0.0, 0.01, 0.02], Unit::Ratio),
            &with_runs(&[0.2, 0.25, 0.3], Unit::Ratio),
        );
        assert_eq!(c.severity, Severity::Critical);
        assert_eq!(c.evidence.unwrap().method, evidence::Method::Unverified);
    }

    #[test]
    fn new_and_missing_metrics() {
        let mut base = Run::default();
        base.insert("a", "p95", ms(10.0));
        base.insert("gone", "p95", ms(10.0));
        let mut cur = Run::default();
        cur.insert("a", "p95", ms(10.0));
        cur.insert("fresh", "p95", ms(10.0));
        let rows = cmp(&base, &cur).unwrap();
        let find = |b: &str| rows.iter().find(|r| r.benchmark == b).unwrap().severity;
        assert_eq!(find("gone"), Severity::Missing);
        assert_eq!(find("fresh"), Severity::New);
        assert_eq!(find("a"), Severity::Unchanged);
    }

    #[test]
    fn units_are_converted_or_refused() {
        let mut base = Run::default();
        base.insert(
            "a",
            "mean",
            Metric::new(1.0, Unit::Seconds, Direction::LowerIsBetter),
        );
        let mut cur = Run::default();
        cur.insert("a", "mean", ms(1300.0));
        let rows = cmp(&base, &cur).unwrap();
        assert_eq!(rows[0].baseline, Some(1000.0));
        assert_eq!(rows[0].severity, Severity::Critical);
        cur.insert(
            "a",
            "mean",
            Metric::new(1.0, Unit::Bytes, Direction::LowerIsBetter),
        );
        cur.insert("b", "p95", ms(1.0));
        base.insert("b", "p95", ms(1.0));
        // The mismatched row is reported, not compared; the rest of the run still is.
        let rows = cmp(&base, &cur).unwrap();
        let a = rows.iter().find(|r| r.benchmark == "a").unwrap();
        assert_eq!(a.severity, Severity::New);
        assert_eq!(
            a.reason,
            Some(Reason::NotCompared {
                baseline_unit: Unit::Seconds,
                current_unit: Unit::Bytes
            }),
            "{a:?}"
        );
        let b = rows.iter().find(|r| r.benchmark == "b").unwrap();
        assert_eq!(b.severity, Severity::Unchanged);
    }
}
