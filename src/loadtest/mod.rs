//! Load-test rules (k6, Artillery, autocannon): a pass over the graded rows that keeps the gate quiet on
//! unchanged code and still fails on a slower endpoint.
//!
//! * **What is gated** is decided by the readers (connection phases, p99.9+, `min`/`max`, counts and
//!   sub-metrics split by status/method/scenario are reported only); the policy file's `gate` overrides.
//! * **Thin percentiles**: a percentile needs [`MIN_TAIL`] requests beyond it on the smaller side
//!   (N·(1−q) for upper percentiles); below that it is an order statistic of a handful of requests and is
//!   reported, not gated.
//! * **Materiality**: a latency change smaller than the low band (5 %) of the median duration of the request
//!   it belongs to (the endpoint's `http_req_duration` p50 for k6 phases), or than [`MIN_LATENCY_CHANGE_MS`]
//!   (a few milliseconds of scheduling delay on a shared machine), never fails; a `min_abs_change` rule in
//!   the policy file replaces the floor. Of a change between values the tool rounded (Locust's whole
//!   milliseconds, `Metric::resolution`), only what the rounding cannot account for counts.
//! * **Counts**: error rates and check rates are tested as counts (Fisher's exact test, [`counts`]) with a
//!   floor of [`MIN_RATE_POINTS`] percentage points, one rule for zero and non-zero baselines.
//! * **Failure counts** the readers declare (HTTP 4xx/5xx, errors, failed VUs) get the same test, a counter
//!   one side lacks being a zero there ([`failures`]).
//! * **Family-wise control**: Benjamini–Hochberg over the gated rows that moved ([`familywise`]), run by
//!   `analyze` for every comparison, load test or not.
//!
//! What each rule did is recorded as data in [`LoadTest`] on the row (`load_test` in the JSON verdict).

pub mod failures;
pub mod familywise;

use crate::comparison::{Comparison, Kind, Reason};
pub use crate::comparison::{CountFacts, Exemption, LoadTest};
use crate::evidence::Outcome;
pub use crate::model::trials_name;
use crate::model::{Direction, Run, Unit};
use crate::policy::Policy;
use crate::severity::Severity;
use crate::stats::counts::{self, Counts};

/// Input formats whose rows these rules apply to.
pub const LOAD_TEST_FORMATS: &[&str] = &[
    "k6-summary",
    "k6-summary-export",
    "k6-ndjson",
    "artillery",
    "autocannon",
    // Load testers beyond k6 (issue 25): `input::endpoint_stats` writes their rows.
    "jmeter-jtl",
    "locust",
    "locust-csv",
    "oha",
];

/// Requests needed beyond a percentile (N·(1−q), or N·q below the median) for it to be gated: p95 needs
/// 200 requests, p99 1 000.
pub const MIN_TAIL: f64 = 10.0;

/// A latency change below this many milliseconds is immaterial: on a shared 2-core machine the p50–p95 of
/// unchanged endpoints moved by up to 3.1 ms between runs (fixtures/artillery; 1.9 ms in fixtures/k6), from
/// scheduling alone.
pub const MIN_LATENCY_CHANGE_MS: f64 = 5.0;

/// A rate (errors, failed checks) must move by at least this many percentage points to matter.
pub const MIN_RATE_POINTS: f64 = 1.0;

/// Whether the run came from load-test tools only.
pub fn is_load_test(run: &Run) -> bool {
    !run.sources.is_empty()
        && run
            .sources
            .iter()
            .all(|s| LOAD_TEST_FORMATS.contains(&s.format.as_str()))
}

/// The quantile of a percentile metric name: `p95` → 0.95, `p97.5` → 0.975; `None` for other names.
pub fn quantile_of(metric: &str) -> Option<f64> {
    crate::model::percentile_of(metric).map(|p| p / 100.0)
}

/// The number of requests behind a benchmark's latency rows: a trend's `count` (k6 with `count` in
/// summaryTrendStats, k6 NDJSON, Artillery), autocannon's `requests_total`, or, for a k6 summary without
/// trend counts, the counter of the same tags (`http_reqs{name:a}` for `http_req_duration{name:a}`,
/// `iterations` for `iteration_duration`).
fn requests_of(run: &Run, bench: &str) -> Option<f64> {
    let own = run.benchmarks.get(bench).and_then(|b| {
        ["count", "requests_total"]
            .iter()
            .find_map(|k| b.metrics.get(*k))
    });
    let counter = || {
        let tags = bench.find('{').map_or("", |i| &bench[i..]);
        let counter = if bench.starts_with("http_req_") {
            format!("http_reqs{tags}")
        } else if bench.starts_with("iteration_duration") {
            format!("iterations{tags}")
        } else {
            return None;
        };
        run.metric(&counter, "count")
    };
    own.or_else(counter)
        .map(|m| m.value)
        .filter(|v| v.is_finite() && *v >= 0.0)
}

/// The benchmark holding the request a row belongs to: a k6 phase `http_req_waiting{name:a}` belongs to
/// `http_req_duration{name:a}`; everything else to itself.
fn request_bench(bench: &str) -> String {
    match bench.strip_prefix("http_req_") {
        Some(rest) if !rest.starts_with("duration") && !rest.starts_with("failed") => {
            let tags = rest.find('{').map_or("", |i| &rest[i..]);
            format!("http_req_duration{tags}")
        }
        _ => bench.to_string(),
    }
}

/// The median duration of the request a row belongs to, in the row's unit.
fn request_median(run: &Run, bench: &str, unit: &Unit) -> Option<f64> {
    let b = run.benchmarks.get(&request_bench(bench))?;
    ["p50", "median", "mean"]
        .iter()
        .find_map(|k| b.metrics.get(*k))
        .and_then(|m| m.converted_to(unit))
        .map(|m| m.value)
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// The counts behind a rate row, from the rate and its `<metric>_trials` sibling.
fn counts_of(run: &Run, bench: &str, metric: &str, direction: Direction) -> Option<Counts> {
    let b = run.benchmarks.get(bench)?;
    let rate = b.metrics.get(metric)?.value;
    let trials = b.metrics.get(&trials_name(metric))?.value;
    // A higher-is-better rate (checks passing) fails on the complement.
    let failure_rate = match direction {
        Direction::LowerIsBetter => rate,
        Direction::HigherIsBetter => 1.0 - rate,
    };
    Counts::from_rate(failure_rate.clamp(0.0, 1.0), trials)
}

fn is_time(unit: &Unit) -> bool {
    unit.nanos().is_some()
}

/// Runs are the unit: when several result files give a metric one value per run, the per-window batch
/// values of those runs (k6 NDJSON `batches`) are dropped rather than pooled, so that the decision rule
/// compares run against run. Call on both sides before comparing; other runs are left alone.
pub fn prepare(run: &mut Run) {
    if !is_load_test(run) {
        return;
    }
    for m in run
        .benchmarks
        .values_mut()
        .flat_map(|b| b.metrics.values_mut())
    {
        if m.runs.len() > 1 {
            m.batches.clear();
        }
    }
}

/// Applies the load-test rules to the rows of a load-test comparison; other runs are left alone.
pub fn apply(baseline: &Run, current: &Run, rows: &mut [Comparison], policy: &Policy) {
    // Failure counts declared by any reader, also those one side lacks (a zero there).
    failures::judge(baseline, current, rows, policy);
    if !is_load_test(current) {
        return;
    }
    for row in rows.iter_mut() {
        if row.kind != Kind::Change || row.baseline.is_none() || row.current.is_none() {
            continue;
        }
        let mp = policy.for_metric(&row.benchmark, &row.metric);
        let mut lt = LoadTest::default();
        if row.unit == Unit::Ratio {
            rate_rule(baseline, current, row, mp.min_abs_change, policy, &mut lt);
        } else if row.unit == Unit::PerSecond {
            throughput_rule(baseline, current, row, policy, &mut lt);
        } else {
            thin_rule(baseline, current, row, mp.gate, &mut lt);
            if is_time(&row.unit) {
                let rounding = rounding_of(baseline, current, row);
                material_rule(
                    baseline,
                    row,
                    mp.min_abs_change,
                    mp.bands.low,
                    rounding,
                    &mut lt,
                );
            }
        }
        if lt != LoadTest::default() {
            row.load_test = Some(lt);
        }
    }
}

/// Percentiles with too few requests beyond them are reported, not gated (unless a rule forces the gate).
fn thin_rule(
    baseline: &Run,
    current: &Run,
    row: &mut Comparison,
    forced: Option<bool>,
    lt: &mut LoadTest,
) {
    let Some(q) = quantile_of(&row.metric) else {
        return;
    };
    let n = match (
        requests_of(baseline, &row.benchmark),
        requests_of(current, &row.benchmark),
    ) {
        (Some(b), Some(c)) => b.min(c),
        _ => return,
    };
    let tail = n * q.min(1.0 - q);
    lt.requests = Some(n);
    lt.tail_requests = Some(tail);
    lt.tail_needed = Some(MIN_TAIL);
    if tail < MIN_TAIL && forced != Some(true) && row.gated {
        row.gated = false;
        lt.exemption = Some(Exemption::ThinPercentile);
        row.reason = Some(Reason::ThinPercentile {
            requests: n,
            beyond: tail,
            needed: MIN_TAIL,
        });
    }
}

/// How much of a row's change the tools' rounding may account for, in the row's unit: half a step on
/// each side (Locust's percentiles are whole milliseconds: 9 → 14 ms is a change of 4 to 6 ms). Zero
/// for values written unrounded.
fn rounding_of(baseline: &Run, current: &Run, row: &Comparison) -> f64 {
    let half_step = |run: &Run| {
        let m = run.metric(&row.benchmark, &row.metric)?;
        Some(m.resolution? * m.unit.factor_to(&row.unit)? / 2.0)
    };
    half_step(baseline).unwrap_or(0.0) + half_step(current).unwrap_or(0.0)
}

/// Latency changes that are small next to the request's own duration, or a few milliseconds of
/// scheduling, never fail the gate; of a change between rounded values, only what the rounding cannot
/// account for counts.
fn material_rule(
    baseline: &Run,
    row: &mut Comparison,
    min_abs: Option<f64>,
    low_band_pct: f64,
    rounding: f64,
    lt: &mut LoadTest,
) {
    let floor = match min_abs {
        Some(m) => m,
        None => {
            let ms = Unit::Milliseconds.factor_to(&row.unit).unwrap_or(1.0);
            let relative = request_median(baseline, &row.benchmark, &row.unit)
                .map_or(0.0, |med| low_band_pct / 100.0 * med);
            relative.max(MIN_LATENCY_CHANGE_MS * ms)
        }
    };
    lt.material_change = Some(floor);
    let change = row.change_abs.unwrap_or(0.0).abs();
    if change - rounding < floor && row.severity != Severity::Unchanged {
        row.severity = Severity::Unchanged;
        if lt.exemption.is_none() {
            lt.exemption = Some(Exemption::Immaterial);
            row.reason = Some(Reason::BelowMateriality {
                change,
                floor,
                rounding: (rounding > 0.0).then_some(rounding),
            });
        }
    }
}

/// Events and the seconds they were counted over, from a per-second rate and its `count` sibling.
fn events_of(run: &Run, bench: &str, metric: &str) -> Option<(u64, f64)> {
    let b = run.benchmarks.get(bench)?;
    let rate = b.metrics.get(metric)?.value;
    let count = b
        .metrics
        .get("count")
        .filter(|m| m.unit == Unit::Count)?
        .value;
    if !(rate > 0.0 && (0.0..1e15).contains(&count)) {
        return None;
    }
    Some((count.round() as u64, count / rate))
}

/// Throughput (requests or iterations per second) tested as Poisson counts over their time spans; a change
/// that counting noise explains is not a regression, whatever its size.
fn throughput_rule(
    baseline: &Run,
    current: &Run,
    row: &mut Comparison,
    policy: &Policy,
    lt: &mut LoadTest,
) {
    let (Some((eb, tb)), Some((ec, tc))) = (
        events_of(baseline, &row.benchmark, &row.metric),
        events_of(current, &row.benchmark, &row.metric),
    ) else {
        return;
    };
    let Some(t) = counts::poisson_rates(eb, tb, ec, tc) else {
        return;
    };
    // Worse is fewer events per second for throughput, more for a bad-things counter.
    let (p_worse, p_better) = match row.direction {
        Direction::HigherIsBetter => (t.p_lower, t.p_higher),
        Direction::LowerIsBetter => (t.p_higher, t.p_lower),
    };
    lt.counts = Some(CountFacts {
        baseline_events: eb,
        baseline_trials: eb,
        current_events: ec,
        current_trials: ec,
        p_value: p_worse,
        change_points: 0.0,
    });
    let significant = (row.severity.is_regression() && p_worse <= policy.alpha)
        || (row.severity == Severity::Improvement && p_better <= policy.alpha);
    if let Some(e) = row.evidence.as_mut() {
        e.p_value = Some(p_worse);
        e.outcome = if significant {
            Outcome::Significant
        } else {
            Outcome::WithinNoise
        };
    }
    if !significant && row.severity != Severity::Unchanged {
        row.severity = Severity::Unchanged;
        lt.exemption = Some(Exemption::CountsWithinNoise);
        row.reason = Some(Reason::CountingNoise {
            baseline_events: eb,
            current_events: ec,
            p_value: p_worse,
        });
    }
}

/// Rates (errors, failed checks) tested as counts with a percentage-point floor.
fn rate_rule(
    baseline: &Run,
    current: &Run,
    row: &mut Comparison,
    min_abs: Option<f64>,
    policy: &Policy,
    lt: &mut LoadTest,
) {
    let (Some(b), Some(c)) = (
        counts_of(baseline, &row.benchmark, &row.metric, row.direction),
        counts_of(current, &row.benchmark, &row.metric, row.direction),
    ) else {
        return;
    };
    counts_rule(row, b, c, min_abs, policy, lt);
}

/// Grades a row on failed of total trials per side: Fisher's exact test with a percentage-point floor.
/// Returns false, leaving the row alone, when the counts cannot be tested (no trials, more failures than
/// trials).
pub(crate) fn counts_rule(
    row: &mut Comparison,
    b: Counts,
    c: Counts,
    min_abs: Option<f64>,
    policy: &Policy,
    lt: &mut LoadTest,
) -> bool {
    let Some(f) = counts::fisher(b, c) else {
        return false;
    };
    let points = (c.rate() - b.rate()) * 100.0;
    let floor = min_abs.map_or(MIN_RATE_POINTS, |m| m * 100.0);
    lt.counts = Some(CountFacts {
        baseline_events: b.events,
        baseline_trials: b.trials,
        current_events: c.events,
        current_trials: c.trials,
        p_value: f.p_higher,
        change_points: points,
    });
    // Relative change of the failure rates, kept finite for a zero baseline by half an event on each side.
    let smoothed = |k: Counts| (k.events as f64 + 0.5) / (k.trials as f64 + 1.0);
    let worse_pct = (smoothed(c) / smoothed(b) - 1.0) * 100.0;
    let (severity, outcome, exemption) = if f.p_higher <= policy.alpha && points >= floor {
        (
            policy.bands.grade(worse_pct).max(Severity::Low),
            Outcome::Significant,
            None,
        )
    } else if f.p_lower <= policy.alpha && -points >= floor {
        (Severity::Improvement, Outcome::Significant, None)
    } else if f.p_higher <= policy.alpha || f.p_lower <= policy.alpha {
        (
            Severity::Unchanged,
            Outcome::BelowBand,
            Some(Exemption::BelowRateFloor),
        )
    } else {
        (
            Severity::Unchanged,
            Outcome::WithinNoise,
            Some(Exemption::CountsWithinNoise),
        )
    };
    row.severity = severity;
    lt.exemption = exemption;
    // With no failure on either side there is nothing to explain.
    row.reason = (b.events + c.events > 0).then_some(Reason::FailedCounts {
        baseline_failed: b.events,
        baseline_trials: b.trials,
        current_failed: c.events,
        current_trials: c.trials,
        points,
        p_value: f.p_higher,
        trials: None,
    });
    if let Some(e) = row.evidence.as_mut() {
        e.outcome = outcome;
        e.p_value = Some(f.p_higher);
        e.n_baseline = usize::try_from(b.trials).unwrap_or(usize::MAX);
        e.n_current = usize::try_from(c.trials).unwrap_or(usize::MAX);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{compare, Context};
    use crate::model::{Metric, Source};

    fn k6_run(metric: &str, direction: Direction, rate: f64, trials: f64) -> Run {
        let mut run = Run {
            sources: vec![Source {
                path: "summary.json".into(),
                format: "k6-summary".into(),
                tool: "k6".into(),
            }],
            ..Run::default()
        };
        let bench = if metric == "error_rate" {
            "http_req_failed"
        } else {
            "checks"
        };
        run.insert(bench, metric, Metric::new(rate, Unit::Ratio, direction));
        run.insert(
            bench,
            &trials_name(metric),
            Metric::new(trials, Unit::Count, Direction::HigherIsBetter).informational(),
        );
        run
    }

    /// Severity of the error-rate row for `failed of total` on each side.
    fn error_rate(base: (f64, f64), cur: (f64, f64)) -> (Severity, Comparison) {
        let policy = Policy::default();
        let b = k6_run(
            "error_rate",
            Direction::LowerIsBetter,
            base.0 / base.1,
            base.1,
        );
        let c = k6_run("error_rate", Direction::LowerIsBetter, cur.0 / cur.1, cur.1);
        let mut rows = compare(&b, &c, &Context::new(&policy)).unwrap();
        apply(&b, &c, &mut rows, &policy);
        let row = rows.into_iter().find(|r| r.metric == "error_rate").unwrap();
        (row.severity, row)
    }

    #[test]
    fn error_rates_are_tested_as_counts() {
        // 1 → 2 failures of 100: "+100 %", but one-sided p = 0.5.
        let (sev, row) = error_rate((1.0, 100.0), (2.0, 100.0));
        assert_eq!(sev, Severity::Unchanged);
        let lt = row.load_test.unwrap();
        assert_eq!(lt.exemption, Some(Exemption::CountsWithinNoise));
        let counts = lt.counts.unwrap();
        assert_eq!((counts.baseline_events, counts.current_events), (1, 2));
        assert!((counts.p_value - 0.5).abs() < 1e-9);
        // A zero baseline follows the same rule: 0 → 30 of 1000 fails.
        let (sev, _) = error_rate((0.0, 1000.0), (30.0, 1000.0));
        assert!(sev >= Severity::High, "{sev:?}");
        // 0.5 % → 5 % fails.
        let (sev, _) = error_rate((5.0, 1000.0), (50.0, 1000.0));
        assert!(sev >= Severity::High, "{sev:?}");
        // Significant but below the 1-point floor: 0 → 40 of 10 000 (0.4 points).
        let (sev, row) = error_rate((0.0, 10_000.0), (40.0, 10_000.0));
        assert_eq!(sev, Severity::Unchanged);
        assert_eq!(
            row.load_test.unwrap().exemption,
            Some(Exemption::BelowRateFloor)
        );
        // Fewer errors is an improvement, same test.
        let (sev, _) = error_rate((50.0, 1000.0), (5.0, 1000.0));
        assert_eq!(sev, Severity::Improvement);
    }

    #[test]
    fn failed_checks_are_counted_on_the_complement() {
        let policy = Policy::default();
        let b = k6_run("rate", Direction::HigherIsBetter, 1.0, 1200.0);
        let c = k6_run("rate", Direction::HigherIsBetter, 0.97, 1200.0);
        let mut rows = compare(&b, &c, &Context::new(&policy)).unwrap();
        apply(&b, &c, &mut rows, &policy);
        let row = rows.iter().find(|r| r.metric == "rate").unwrap();
        assert!(row.severity >= Severity::High, "{row:?}");
        let counts = row.load_test.as_ref().unwrap().counts.as_ref().unwrap();
        assert_eq!((counts.baseline_events, counts.current_events), (0, 36));
    }

    #[test]
    fn quantiles_from_names() {
        assert_eq!(quantile_of("p95"), Some(0.95));
        assert_eq!(quantile_of("p97.5"), Some(0.975));
        assert_eq!(quantile_of("mean"), None);
        assert_eq!(quantile_of("p101"), None);
    }

    #[test]
    fn phases_belong_to_their_request() {
        assert_eq!(
            request_bench("http_req_waiting{name:a}"),
            "http_req_duration{name:a}"
        );
        assert_eq!(request_bench("http_req_blocked"), "http_req_duration");
        assert_eq!(
            request_bench("http_req_duration{name:a}"),
            "http_req_duration{name:a}"
        );
        assert_eq!(request_bench("iteration_duration"), "iteration_duration");
        assert_eq!(
            request_bench("http.response_time{endpoint:/x}"),
            "http.response_time{endpoint:/x}"
        );
    }
}
