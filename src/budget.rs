//! Absolute budgets from the policy file ("p95 of /auth below 1000 ms, failing above 1500 ms"): checked on
//! the current run alone, with or without a baseline.

use crate::comparison::reason::{BudgetLimit, BudgetProblem};
use crate::comparison::{Comparison, Kind, Reason};
use crate::model::{Direction, Run};
use crate::policy::Budget;
use crate::severity::Severity;

/// One row per (budget, matching metric); also the budgets that gave no row, for a warning.
pub fn evaluate(budgets: &[Budget], current: &Run) -> (Vec<Comparison>, Vec<BudgetProblem>) {
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for budget in budgets {
        let mut matched = false;
        for (bench_name, bench) in current
            .benchmarks
            .iter()
            .filter(|(n, _)| budget.benchmark.matches(n))
        {
            for (metric_name, m) in bench
                .metrics
                .iter()
                .filter(|(n, _)| budget.metric.matches(n))
            {
                matched = true;
                // Limits are in the budget's unit when given, else in the metric's own unit.
                let unit = budget.unit.clone().unwrap_or_else(|| m.unit.clone());
                let Some(m) = m.converted_to(&unit) else {
                    unmatched.push(BudgetProblem::UnitMismatch {
                        benchmark: bench_name.clone(),
                        metric: metric_name.clone(),
                        budget_unit: unit,
                        metric_unit: m.unit.clone(),
                    });
                    continue;
                };
                let v = m.value;
                let check = [
                    (
                        budget.fail_above.filter(|l| v > *l),
                        Severity::Critical,
                        BudgetLimit::FailAbove,
                        Direction::LowerIsBetter,
                    ),
                    (
                        budget.fail_below.filter(|l| v < *l),
                        Severity::Critical,
                        BudgetLimit::FailBelow,
                        Direction::HigherIsBetter,
                    ),
                    (
                        budget.warn_above.filter(|l| v > *l),
                        Severity::Medium,
                        BudgetLimit::WarnAbove,
                        Direction::LowerIsBetter,
                    ),
                    (
                        budget.warn_below.filter(|l| v < *l),
                        Severity::Medium,
                        BudgetLimit::WarnBelow,
                        Direction::HigherIsBetter,
                    ),
                ];
                let breach = check
                    .iter()
                    .find_map(|(lim, sev, breaks, dir)| lim.map(|l| (l, *sev, *breaks, *dir)));
                let (limit, severity, reason, direction) = match breach {
                    Some((limit, sev, breaks, dir)) => (
                        Some(limit),
                        sev,
                        Reason::BudgetExceeded {
                            value: v,
                            limit,
                            breaks,
                        },
                        dir,
                    ),
                    None => (
                        budget
                            .fail_above
                            .or(budget.warn_above)
                            .or(budget.fail_below)
                            .or(budget.warn_below),
                        Severity::Unchanged,
                        Reason::WithinBudget,
                        if budget.fail_above.or(budget.warn_above).is_some() {
                            Direction::LowerIsBetter
                        } else {
                            Direction::HigherIsBetter
                        },
                    ),
                };
                rows.push(Comparison {
                    benchmark: bench_name.clone(),
                    metric: metric_name.clone(),
                    unit: unit.clone(),
                    direction,
                    baseline: limit,
                    current: Some(v),
                    change_pct: None,
                    change_abs: limit.map(|l| v - l),
                    severity,
                    gated: true,
                    kind: Kind::Budget,
                    evidence: None,
                    reason: Some(reason),
                    load_test: None,
                });
            }
        }
        if !matched {
            unmatched.push(BudgetProblem::MatchedNothing {
                benchmark: budget.benchmark.as_str().to_string(),
                metric: budget.metric.as_str().to_string(),
            });
        }
    }
    (rows, unmatched)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::{Metric, Unit};
    use crate::policy::Policy;

    fn policy() -> Policy {
        Policy::parse(
            "[[budget]]\nbenchmark = \"http_req_duration{name:auth}\"\nmetric = \"p95\"\nwarn_above = 1000\nfail_above = 1500\n\
             [[budget]]\nbenchmark = \"http_reqs\"\nmetric = \"rate\"\nfail_below = 50\n\
             [[budget]]\nbenchmark = \"nothing\"\nmetric = \"p95\"\nfail_above = 1\n\
             [[budget]]\nbenchmark = \"http_req_duration{name:auth}\"\nmetric = \"p99\"\nfail_above = 2\nunit = \"s\"\n",
            Path::new("perfgate.toml"),
        )
        .unwrap()
    }

    fn run(p95: f64, rate: f64) -> Run {
        let mut r = Run::default();
        r.insert(
            "http_req_duration{name:auth}",
            "p95",
            Metric::new(p95, Unit::Milliseconds, Direction::LowerIsBetter),
        );
        r.insert(
            "http_req_duration{name:auth}",
            "p99",
            Metric::new(2500.0, Unit::Milliseconds, Direction::LowerIsBetter),
        );
        r.insert(
            "http_reqs",
            "rate",
            Metric::new(rate, Unit::PerSecond, Direction::HigherIsBetter),
        );
        r
    }

    #[test]
    fn breaches_and_passes() {
        let (rows, warnings) = evaluate(&policy().budgets, &run(1600.0, 80.0));
        let find = |b: &str, m: &str| {
            rows.iter()
                .find(|r| r.benchmark == b && r.metric == m)
                .unwrap()
        };
        let p95 = find("http_req_duration{name:auth}", "p95");
        assert_eq!(p95.severity, Severity::Critical);
        assert_eq!(
            p95.reason,
            Some(Reason::BudgetExceeded {
                value: 1600.0,
                limit: 1500.0,
                breaks: BudgetLimit::FailAbove
            })
        );
        assert_eq!(find("http_reqs", "rate").severity, Severity::Unchanged);
        // 2500 ms against a 2 s limit, converted.
        assert_eq!(
            find("http_req_duration{name:auth}", "p99").severity,
            Severity::Critical
        );
        assert_eq!(
            warnings,
            [BudgetProblem::MatchedNothing {
                benchmark: "nothing".into(),
                metric: "p95".into()
            }]
        );
        let (rows, _) = evaluate(&policy().budgets, &run(1200.0, 40.0));
        let find = |b: &str, m: &str| {
            rows.iter()
                .find(|r| r.benchmark == b && r.metric == m)
                .unwrap()
                .severity
        };
        assert_eq!(
            find("http_req_duration{name:auth}", "p95"),
            Severity::Medium
        );
        assert_eq!(find("http_reqs", "rate"), Severity::Critical);
    }
}
