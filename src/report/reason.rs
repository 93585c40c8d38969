//! The sentence behind a row's [`Reason`]: the one place grading's reasons are worded, for every
//! renderer (table and markdown notes, the not-gated column, the JSON verdict's `note`).

use crate::comparison::reason::{BudgetLimit, BudgetProblem};
use crate::comparison::{Comparison, Exemption, Reason};
use crate::escape;
use crate::model::{Direction, Trials};
use crate::report::value::{human, pct};
use crate::verdict::Verdict;

/// The verdict's warnings as every report lists them: the budget problems first, then the rest.
pub fn warnings(v: &Verdict) -> Vec<String> {
    let budgets = v.budget_problems.iter().map(budget_problem);
    budgets.chain(v.warnings.iter().cloned()).collect()
}

/// A budget that produced no row, as a warning.
pub fn budget_problem(p: &BudgetProblem) -> String {
    match p {
        BudgetProblem::UnitMismatch {
            benchmark,
            metric,
            budget_unit,
            metric_unit,
        } => format!(
            "budget for {benchmark} {metric} is in {budget_unit} but the metric is in {metric_unit}; skipped"
        ),
        BudgetProblem::MatchedNothing { benchmark, metric } => {
            format!("budget for benchmark {benchmark:?} metric {metric:?} matched nothing in the current run")
        }
    }
}

/// The row's reason as a sentence, when it has one.
pub fn note(c: &Comparison) -> Option<String> {
    c.reason.as_ref().map(|r| sentence(r, c))
}

/// One reason as a sentence; numbers are shown in the row's unit.
pub fn sentence(reason: &Reason, c: &Comparison) -> String {
    let unit = &c.unit;
    match reason {
        Reason::NotCompared {
            baseline_unit,
            current_unit,
        } => format!(
            "not compared: the baseline is in {} but the current run is in {}",
            escape::terminal(baseline_unit.as_str()),
            escape::terminal(current_unit.as_str())
        ),
        Reason::ZeroBaselinePoints { points } => {
            format!("baseline is 0; graded by the change of {points:+} percentage points")
        }
        Reason::ZeroBaseline => {
            "baseline is 0, so there is no relative change; graded by direction only".to_string()
        }
        Reason::CappedAtResolution { change } => format!(
            "a change of {} is one step of the data's resolution; graded low at most",
            human(*change, unit)
        ),
        Reason::BelowMinAbsChange {
            change,
            min_abs_change,
        } => format!(
            "the change of {} is below min_abs_change = {min_abs_change}; graded low at most",
            human(*change, unit)
        ),
        Reason::BudgetExceeded {
            value,
            limit,
            breaks,
        } => {
            let what = match breaks {
                BudgetLimit::FailAbove => "above the fail limit",
                BudgetLimit::FailBelow => "below the fail limit",
                BudgetLimit::WarnAbove => "above the warning limit",
                BudgetLimit::WarnBelow => "below the warning limit",
            };
            format!(
                "budget: {} is {what} {}",
                human(*value, unit),
                human(*limit, unit)
            )
        }
        Reason::WithinBudget => "within budget".to_string(),
        Reason::ThinPercentile {
            requests,
            beyond,
            needed,
        } => format!(
            "{} of {requests:.0} requests rests on {beyond:.0} beyond it (needs {needed:.0}); reported, too thin to gate",
            c.metric
        ),
        Reason::BelowMateriality {
            change,
            floor,
            rounding: None,
        } => format!(
            "a change of {} is below the load-test materiality floor of {}",
            human(*change, unit),
            human(*floor, unit)
        ),
        Reason::BelowMateriality {
            change,
            floor,
            rounding: Some(r),
        } => format!(
            "a change of {} between rounded values may be as little as {}, below the load-test materiality floor of {}",
            human(*change, unit),
            human((*change - *r).max(0.0), unit),
            human(*floor, unit)
        ),
        Reason::CountingNoise {
            baseline_events,
            current_events,
            p_value,
        } => format!(
            "{baseline_events} → {current_events} events: counting noise explains it ({})",
            p_text("p", *p_value)
        ),
        Reason::FailedCounts {
            baseline_failed,
            baseline_trials,
            current_failed,
            current_trials,
            points,
            p_value,
            trials,
        } => {
            let counts = format!(
                "{baseline_failed} of {baseline_trials} → {current_failed} of {current_trials}"
            );
            let test = format!("{points:+.2} points, Fisher exact {}", p_text("p", *p_value));
            match trials {
                None => format!("{counts} failed ({test})"),
                Some(t) => {
                    let why = match c.load_test.as_ref().and_then(|l| l.exemption) {
                        Some(Exemption::CountsWithinNoise) => ": too few to tell from chance",
                        Some(Exemption::BelowRateFloor) => ": below the percentage-point floor",
                        _ => "",
                    };
                    format!("{counts} {}{why} ({test})", trials_word(*t))
                }
            }
        }
        Reason::FamilyWise {
            gated_rows,
            adjusted_p,
        } => format!(
            "significant alone, not after Benjamini–Hochberg over {gated_rows} rows that moved ({})",
            p_text("adjusted p", *adjusted_p)
        ),
        Reason::WholeRun {
            shift_pct,
            p_value,
            snapshots,
            outlier_snapshots,
            benchmarks,
            own_pct,
        } => {
            let own = own_pct.map_or(String::new(), |o| format!("; its own change: {}", pct(o)));
            format!(
                "the whole run moved {} (median of {benchmarks} other benchmarks), as a noisy neighbour moves every row; one run per side cannot tell that from a change ({} with {outlier_snapshots} of {snapshots} snapshots such a run){own}",
                pct(*shift_pct),
                p_text("p", *p_value)
            )
        }
        Reason::Approximate {
            workers,
            low,
            high,
            best_case_worse_pct,
            also,
        } => {
            let unit = unit.as_str();
            let first = match best_case_worse_pct {
                Some(worse) => {
                    let better = match c.direction {
                        Direction::LowerIsBetter => low,
                        Direction::HigherIsBetter => high,
                    };
                    format!(
                        "approximate: merged from {workers} worker summaries; even the best case ({} {unit}) is {} worse, so it is gated",
                        bound(*better),
                        pct(*worse)
                    )
                }
                None => format!(
                    "approximate: merged from {workers} worker summaries; the true value lies between {} and {} {unit} (shown: the worse bound); not gated",
                    bound(*low),
                    bound(*high)
                ),
            };
            match also {
                Some(also) => format!("{first}; {}", sentence(also, c)),
                None => first,
            }
        }
    }
}

/// What the trials behind a failure count are, in the plural.
fn trials_word(t: Trials) -> &'static str {
    match t {
        Trials::Requests => "requests",
        Trials::Iterations => "iterations",
        Trials::VirtualUsers => "virtual users",
        Trials::Checks => "checks",
        Trials::Sessions => "sessions",
    }
}

/// A p-value as read: `p = 0.070`, and `p < 0.001` where three decimals would print a zero.
pub fn p_text(name: &str, p: f64) -> String {
    if p < 0.0005 {
        format!("{name} < 0.001")
    } else {
        format!("{name} = {p:.3}")
    }
}

/// A worker's bound as the tool wrote it, up to three decimals: `41.5`, `0.003`.
fn bound(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::reason::tests::one_of_each;
    use crate::comparison::Kind;
    use crate::model::Unit;
    use crate::severity::Severity;

    fn row(metric: &str, unit: Unit, direction: Direction, reason: Reason) -> Comparison {
        Comparison {
            benchmark: "b".into(),
            metric: metric.into(),
            unit,
            direction,
            baseline: None,
            current: None,
            change_pct: None,
            change_abs: None,
            severity: Severity::Unchanged,
            gated: true,
            kind: Kind::Change,
            evidence: None,
            reason: Some(reason),
            load_test: None,
        }
    }

    #[test]
    fn each_reason_renders_the_sentence_reports_have_always_shown() {
        use Direction::{HigherIsBetter as Higher, LowerIsBetter as Lower};
        // The row each reason came from (metric, unit, direction), and the note perfgate printed for it.
        let rows = [
            ("value", Unit::Bytes, Lower, "not compared: the baseline is in ms but the current run is in B"),
            ("value", Unit::Ratio, Lower, "baseline is 0; graded by the change of +30 percentage points"),
            ("value", Unit::Milliseconds, Lower, "baseline is 0, so there is no relative change; graded by direction only"),
            ("value", Unit::Milliseconds, Lower, "a change of 1.00 ms is one step of the data's resolution; graded low at most"),
            ("value", Unit::Milliseconds, Lower, "the change of 40.0 ms is below min_abs_change = 50; graded low at most"),
            ("p95", Unit::Milliseconds, Lower, "budget: 38.9 ms is above the fail limit 30.0 ms"),
            ("p95", Unit::Milliseconds, Lower, "within budget"),
            ("p99", Unit::Milliseconds, Lower, "p99 of 400 requests rests on 4 beyond it (needs 10); reported, too thin to gate"),
            ("p90", Unit::Milliseconds, Lower, "a change of 1.40 ms is below the load-test materiality floor of 5.00 ms"),
            ("rate", Unit::PerSecond, Higher, "1203 → 1130 events: counting noise explains it (p = 0.070)"),
            ("error_rate", Unit::Ratio, Lower, "0 of 1203 → 30 of 1200 failed (+2.50 points, Fisher exact p < 0.001)"),
            ("p95", Unit::Milliseconds, Lower, "significant alone, not after Benjamini–Hochberg over 4 rows that moved (adjusted p = 0.030)"),
            ("p95", Unit::Milliseconds, Lower, "the whole run moved +29.5 % (median of 19 other benchmarks), as a noisy neighbour moves every row; one run per side cannot tell that from a change (p = 0.045 with 0 of 10 snapshots such a run); its own change: +0.4 %"),
            ("p90", Unit::Milliseconds, Lower, "approximate: merged from 2 worker summaries; the true value lies between 6.833 and 8.236 ms (shown: the worse bound); not gated; a change of 1.40 ms is below the load-test materiality floor of 5.00 ms"),
            ("p90", Unit::Milliseconds, Lower, "approximate: merged from 2 worker summaries; even the best case (37.38 ms) is +73.6 % worse, so it is gated"),
        ];
        let reasons = one_of_each();
        assert_eq!(reasons.len(), rows.len());
        for (reason, (metric, unit, direction, want)) in reasons.into_iter().zip(rows) {
            assert_eq!(
                note(&row(metric, unit, direction, reason)).as_deref(),
                Some(want)
            );
        }
    }

    #[test]
    fn every_budget_limit_has_its_words_and_a_higher_is_better_bound_is_the_high_one() {
        let budget = |breaks| {
            let r = Reason::BudgetExceeded {
                value: 38.87851,
                limit: 30.0,
                breaks,
            };
            note(&row("p95", Unit::Milliseconds, Direction::LowerIsBetter, r)).unwrap()
        };
        assert_eq!(
            budget(BudgetLimit::FailBelow),
            "budget: 38.9 ms is below the fail limit 30.0 ms"
        );
        assert_eq!(
            budget(BudgetLimit::WarnAbove),
            "budget: 38.9 ms is above the warning limit 30.0 ms"
        );
        assert_eq!(
            budget(BudgetLimit::WarnBelow),
            "budget: 38.9 ms is below the warning limit 30.0 ms"
        );
        // A higher-is-better row's best case is its high bound: the k6 checks rate merged from two
        // workers' summaries (0.97 and 0.99917 against 1.0), worded as if that bound had been gated.
        let (low, high) = (0.97, 0.9991666666666666);
        let checks = Reason::Approximate {
            workers: 2,
            low,
            high,
            best_case_worse_pct: Some((1.0 - high) * 100.0),
            also: None,
        };
        let r = row("rate", Unit::Ratio, Direction::HigherIsBetter, checks);
        assert_eq!(
            note(&r).unwrap(),
            "approximate: merged from 2 worker summaries; even the best case (0.999 ratio) is +0.1 % worse, so it is gated"
        );
    }

    #[test]
    fn a_declared_failure_count_is_worded_in_its_trials_with_why_it_did_not_fail() {
        use crate::comparison::LoadTest;
        let failed = |current_failed, exemption| {
            let mut r = row(
                "count",
                Unit::Count,
                Direction::LowerIsBetter,
                Reason::FailedCounts {
                    baseline_failed: 0,
                    baseline_trials: 510,
                    current_failed,
                    current_trials: 525,
                    points: current_failed as f64 / 5.25,
                    p_value: if current_failed > 1 { 2.4e-5 } else { 0.507 },
                    trials: Some(Trials::Requests),
                },
            );
            r.load_test = Some(LoadTest {
                exemption,
                ..LoadTest::default()
            });
            note(&r).unwrap()
        };
        assert_eq!(
            failed(15, None),
            "0 of 510 → 15 of 525 requests (+2.86 points, Fisher exact p < 0.001)"
        );
        assert_eq!(
            failed(1, Some(Exemption::CountsWithinNoise)),
            "0 of 510 → 1 of 525 requests: too few to tell from chance (+0.19 points, Fisher exact p = 0.507)"
        );
    }

    #[test]
    fn units_from_result_files_are_escaped_and_rows_without_a_reason_have_no_note() {
        let r = Reason::NotCompared {
            baseline_unit: Unit::Other("\u{1b}[2J".into()),
            current_unit: Unit::Bytes,
        };
        let text = note(&row("value", Unit::Bytes, Direction::LowerIsBetter, r)).unwrap();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        let mut plain = row(
            "value",
            Unit::Bytes,
            Direction::LowerIsBetter,
            Reason::ZeroBaseline,
        );
        plain.reason = None;
        assert_eq!(note(&plain), None);
    }

    #[test]
    fn budgets_that_gave_no_row_are_warned_about_first() {
        // The k6 fixture run against a policy file whose budgets name nothing there, or the wrong unit.
        let mut v = Verdict::new(
            None,
            Default::default(),
            Vec::new(),
            Default::default(),
            Vec::new(),
        );
        v.warnings = vec!["--baseline-ref: none found".into()];
        v.budget_problems = vec![
            BudgetProblem::MatchedNothing {
                benchmark: "nothing".into(),
                metric: "p95".into(),
            },
            BudgetProblem::UnitMismatch {
                benchmark: "http_reqs".into(),
                metric: "rate".into(),
                budget_unit: Unit::Milliseconds,
                metric_unit: Unit::PerSecond,
            },
        ];
        assert_eq!(
            warnings(&v),
            [
                r#"budget for benchmark "nothing" metric "p95" matched nothing in the current run"#,
                "budget for http_reqs rate is in ms but the metric is in /s; skipped",
                "--baseline-ref: none found",
            ]
        );
    }
}
