//! Failure counts (HTTP 4xx/5xx, network errors, failed VUs, KO) judged as failed out of trials, also
//! when one side lacks the counter: tools write a failure counter only once the first failure happened
//! (Artillery's `http.codes.500`, `errors.ETIMEDOUT`; a custom k6 `errors` counter), so a baseline without
//! it had zero failures, provided it reports how many requests (iterations, VUs) it made.
//!
//! Readers declare which metrics count failures and out of what ([`FailuresOf`] on the metric); nothing
//! here knows a tool's names. A counter of something else (a new success code, a new endpoint's
//! requests) has no declaration and stays "new", reported only. The test is the one error rates get
//! (the load-test counts rule: Fisher's exact test with the percentage-point floor), per endpoint where the
//! reader gives endpoints and in aggregate; fewer failures is an improvement, never a failure.

use crate::comparison::{Comparison, Kind, LoadTest, Reason};
use crate::evidence::Evidence;
use crate::model::{FailuresOf, Run};
use crate::policy::Policy;
use crate::severity::Severity;
use crate::stats::counts::Counts;

/// The declaration of a row's metric, from whichever side has it (the current one first).
fn declaration<'r>(
    baseline: &'r Run,
    current: &'r Run,
    row: &Comparison,
) -> Option<&'r FailuresOf> {
    [current, baseline]
        .into_iter()
        .find_map(|run| run.metric(&row.benchmark, &row.metric)?.failures.as_ref())
}

/// Failed of total on one side: the metric's value, zero when the side lacks it, `None` when the side does
/// not report the trials either (a new endpoint) or the numbers are no counts.
fn counts(run: &Run, row: &Comparison, decl: &FailuresOf) -> Option<Counts> {
    let own = run.metric(&row.benchmark, &row.metric);
    let of = own.and_then(|m| m.failures.as_ref()).unwrap_or(decl);
    let trials = run.metric(&of.benchmark, &of.metric)?.value;
    let failed = own.map_or(0.0, |m| m.value);
    if !(failed.is_finite() && failed >= 0.0 && failed <= trials) {
        return None;
    }
    Counts::from_rate(if trials > 0.0 { failed / trials } else { 0.0 }, trials)
}

/// Grades every row whose metric is a declared failure count, on both sides' counts, one side's missing
/// counter being a zero there. Rows that cannot be counted keep their grade (`new`, `missing`).
pub fn judge(baseline: &Run, current: &Run, rows: &mut [Comparison], policy: &Policy) {
    for row in rows.iter_mut().filter(|r| r.kind == Kind::Change) {
        let Some(decl) = declaration(baseline, current, row) else {
            continue;
        };
        let (Some(b), Some(c)) = (counts(baseline, row, decl), counts(current, row, decl)) else {
            continue;
        };
        // No failure on either side: nothing to test, the row stays as graded (unchanged).
        if b.events + c.events == 0 {
            continue;
        }
        let mp = policy.for_metric(&row.benchmark, &row.metric);
        let mut lt = row.load_test.take().unwrap_or_default();
        let mut graded = row.clone();
        graded.evidence.get_or_insert_with(Evidence::unverified);
        if !super::counts_rule(&mut graded, b, c, mp.min_abs_change, policy, &mut lt) {
            row.load_test = (lt != LoadTest::default()).then_some(lt);
            continue;
        }
        let (bv, cv) = (b.events as f64, c.events as f64);
        graded.baseline = Some(bv);
        graded.current = Some(cv);
        graded.change_abs = Some(cv - bv);
        graded.change_pct = (bv > 0.0).then(|| (cv - bv) / bv * 100.0);
        if let Some(Reason::FailedCounts { trials, .. }) = graded.reason.as_mut() {
            *trials = Some(decl.trials);
        }
        graded.load_test = Some(lt);
        *row = graded;
    }
}

/// How far a failing failure row's rate rose, in percentage points (0 for every other row): the report
/// puts the worst-hit endpoint first among rows of one severity.
pub fn rise_points(row: &Comparison) -> f64 {
    match &row.reason {
        Some(Reason::FailedCounts { points, .. })
            if row.severity.is_regression() && row.severity != Severity::Missing =>
        {
            points.max(0.0)
        }
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{compare, Context};
    use crate::loadtest::Exemption;
    use crate::model::{Direction, Metric, Source, Trials, Unit};

    /// An Artillery-like run: `requests` per endpoint and, when `failed` > 0, its `http.codes.500`.
    fn run(endpoints: &[(&str, f64, f64)]) -> Run {
        let mut run = Run {
            sources: vec![Source {
                path: "report.json".into(),
                format: "artillery".into(),
                tool: "artillery".into(),
            }],
            ..Run::default()
        };
        for (ep, requests, failed) in endpoints {
            let reqs = format!("http.requests{{endpoint:{ep}}}");
            let count = Metric::new(*requests, Unit::Count, Direction::HigherIsBetter);
            run.insert(&reqs, "count", count.informational());
            if *failed > 0.0 {
                let m = Metric::new(*failed, Unit::Count, Direction::LowerIsBetter).failures_of(
                    &reqs,
                    "count",
                    Trials::Requests,
                );
                run.insert(&format!("http.codes.500{{endpoint:{ep}}}"), "count", m);
            }
        }
        run
    }

    fn judged(base: &Run, cur: &Run) -> Vec<Comparison> {
        let policy = Policy::default();
        let mut rows = compare(base, cur, &Context::new(&policy)).unwrap();
        crate::loadtest::apply(base, cur, &mut rows, &policy);
        crate::compare::sort_worst_first(&mut rows);
        rows
    }

    fn row<'a>(rows: &'a [Comparison], bench: &str) -> &'a Comparison {
        rows.iter().find(|r| r.benchmark == bench).unwrap()
    }

    #[test]
    fn a_counter_the_baseline_lacks_is_a_zero_there() {
        let base = run(&[("/login", 510.0, 0.0), ("/home", 510.0, 0.0)]);
        let cur = run(&[("/login", 525.0, 15.0), ("/home", 525.0, 0.0)]);
        let rows = judged(&base, &cur);
        let login = &rows[0];
        assert_eq!(login.benchmark, "http.codes.500{endpoint:/login}");
        assert!(login.severity >= Severity::High, "{login:?}");
        assert_eq!((login.baseline, login.current), (Some(0.0), Some(15.0)));
        let counts = login.load_test.as_ref().unwrap().counts.clone().unwrap();
        assert_eq!((counts.baseline_trials, counts.current_trials), (510, 525));
        assert!(matches!(
            login.reason,
            Some(Reason::FailedCounts {
                trials: Some(Trials::Requests),
                ..
            })
        ));
        // The reverse is an improvement.
        let rows = judged(&cur, &base);
        let login = row(&rows, "http.codes.500{endpoint:/login}");
        assert_eq!(login.severity, Severity::Improvement, "{login:?}");
        assert_eq!((login.baseline, login.current), (Some(15.0), Some(0.0)));
    }

    #[test]
    fn too_few_to_tell_and_new_endpoints() {
        // 0 of 500 → 1 of 500: chance explains it.
        let rows = judged(&run(&[("/a", 500.0, 0.0)]), &run(&[("/a", 500.0, 1.0)]));
        let a = row(&rows, "http.codes.500{endpoint:/a}");
        assert_eq!(a.severity, Severity::Unchanged);
        let lt = a.load_test.as_ref().unwrap();
        assert_eq!(lt.exemption, Some(Exemption::CountsWithinNoise));
        // A new endpoint has no trials in the baseline: its errors stay new, reported only.
        let rows = judged(
            &run(&[("/a", 500.0, 0.0)]),
            &run(&[("/a", 500.0, 0.0), ("/b", 100.0, 30.0)]),
        );
        assert_eq!(
            row(&rows, "http.codes.500{endpoint:/b}").severity,
            Severity::New
        );
    }
}
