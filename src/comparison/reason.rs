//! Why a row was graded as it was, as data: the numbers behind a capped severity, an exemption from the
//! gate or a row that could not be compared. [`crate::report::reason`] words each one.

use serde::{Deserialize, Serialize};

use crate::model::{Trials, Unit};

/// Which limit of a budget a value was checked against (the policy file's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetLimit {
    FailAbove,
    FailBelow,
    WarnAbove,
    WarnBelow,
}

/// A budget of the policy file that produced no row (a warning of the verdict, not a row).
#[derive(Debug, Clone, PartialEq)]
pub enum BudgetProblem {
    /// The budget's unit and the metric's are of different kinds: the budget was skipped.
    UnitMismatch {
        benchmark: String,
        metric: String,
        budget_unit: Unit,
        metric_unit: Unit,
    },
    /// The budget's benchmark and metric patterns matched nothing in the current run.
    MatchedNothing { benchmark: String, metric: String },
}

/// The reason behind a row's grade (`reason` in the JSON verdict: `{"kind": "...", ...numbers}`).
/// Amounts are in the row's unit unless a field says otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The two sides' units are of different kinds (bytes against milliseconds): reported as new.
    NotCompared {
        baseline_unit: Unit,
        current_unit: Unit,
    },
    /// A rate whose baseline is zero, graded by its change in percentage points.
    ZeroBaselinePoints { points: f64 },
    /// A baseline of zero (not a rate): no relative change, graded by direction only.
    ZeroBaseline,
    /// Capped at low: the change is one step of the data's recording resolution.
    CappedAtResolution { change: f64 },
    /// Capped at low: the absolute change is below the policy's `min_abs_change`.
    BelowMinAbsChange { change: f64, min_abs_change: f64 },
    /// The current value breaks a budget's limit.
    BudgetExceeded {
        value: f64,
        limit: f64,
        breaks: BudgetLimit,
    },
    /// The current value is within every limit of its budget.
    WithinBudget,
    /// Load test: too few requests beyond the percentile on the smaller side; reported, not gated.
    ThinPercentile {
        requests: f64,
        beyond: f64,
        needed: f64,
    },
    /// Load test: the latency change is below the materiality floor; with `rounding` (the sum of both
    /// sides' half rounding steps) it is the change the rounded values may hide, `change` minus it.
    BelowMateriality {
        change: f64,
        floor: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rounding: Option<f64>,
    },
    /// Load test: a throughput change that Poisson counting noise explains.
    CountingNoise {
        baseline_events: u64,
        current_events: u64,
        p_value: f64,
    },
    /// Load test: a rate row tested as counts (Fisher's exact test), whatever its outcome.
    FailedCounts {
        baseline_failed: u64,
        baseline_trials: u64,
        current_failed: u64,
        current_trials: u64,
        /// Change of the failure rate in percentage points.
        points: f64,
        p_value: f64,
        /// What a trial is, for a failure count its reader declared (absent for rate rows).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        trials: Option<Trials>,
    },
    /// Significant alone, not after the family-wise correction (Benjamini–Hochberg) over the rows that moved.
    FamilyWise { gated_rows: usize, adjusted_p: f64 },
    /// One run per side with history: the whole run moved (every benchmark by one factor, as a noisy
    /// neighbour slows a run), which one run cannot tell from a change; the row is judged on its own
    /// change beyond the run's (`own_pct`). `p_value` is the shift's, with the history's rate of outlier
    /// runs (`outlier_snapshots` of `snapshots`) in it.
    WholeRun {
        shift_pct: f64,
        p_value: f64,
        snapshots: usize,
        outlier_snapshots: usize,
        benchmarks: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        own_pct: Option<f64>,
    },
    /// Merged from several workers' summaries: the true value lies between `low` and `high`.
    Approximate {
        workers: usize,
        low: f64,
        high: f64,
        /// When even the better bound regresses at the gate's severity (the row is then gated): how much
        /// worse that bound is, in percent of the baseline.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        best_case_worse_pct: Option<f64>,
        /// The reason the row had before the merge was taken into account.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        also: Option<Box<Reason>>,
    },
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One reason of each kind, with the numbers grading gave on the fixture pairs (k6 summaries, merged
    /// workers, a budget, zero and mismatched baselines; the count reasons on the k6 current summary with
    /// 30 failed requests and 1130 requests written in), and R's
    /// `p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm")` for Holm.
    pub(crate) fn one_of_each() -> Vec<Reason> {
        vec![
            Reason::NotCompared {
                baseline_unit: Unit::Milliseconds,
                current_unit: Unit::Bytes,
            },
            Reason::ZeroBaselinePoints { points: 30.0 },
            Reason::ZeroBaseline,
            Reason::CappedAtResolution { change: 1.0 },
            Reason::BelowMinAbsChange {
                change: 40.0,
                min_abs_change: 50.0,
            },
            Reason::BudgetExceeded {
                value: 38.87851,
                limit: 30.0,
                breaks: BudgetLimit::FailAbove,
            },
            Reason::WithinBudget,
            Reason::ThinPercentile {
                requests: 400.0,
                beyond: 4.0000000000000036,
                needed: 10.0,
            },
            Reason::BelowMateriality {
                change: 1.4025782000000016,
                floor: 5.0,
                rounding: None,
            },
            Reason::CountingNoise {
                baseline_events: 1203,
                current_events: 1130,
                p_value: 0.07038240157566786,
            },
            Reason::FailedCounts {
                baseline_failed: 0,
                baseline_trials: 1203,
                current_failed: 30,
                current_trials: 1200,
                points: 2.5,
                p_value: 7.464962923791736e-10,
                trials: None,
            },
            Reason::FamilyWise {
                gated_rows: 4,
                adjusted_p: 0.03,
            },
            Reason::WholeRun {
                shift_pct: 29.5,
                p_value: 0.045,
                snapshots: 10,
                outlier_snapshots: 0,
                benchmarks: 19,
                own_pct: Some(0.4),
            },
            Reason::Approximate {
                workers: 2,
                low: 6.833075,
                high: 8.235653200000002,
                best_case_worse_pct: None,
                also: Some(Box::new(Reason::BelowMateriality {
                    change: 1.4025782000000016,
                    floor: 5.0,
                    rounding: None,
                })),
            },
            Reason::Approximate {
                workers: 2,
                low: 37.380462900000005,
                high: 37.742834,
                best_case_worse_pct: Some(73.56789178635647),
                also: None,
            },
        ]
    }

    /// The tag of each kind; the match has no wildcard, so a new kind must be added to the list above.
    fn tag(r: &Reason) -> &'static str {
        match r {
            Reason::NotCompared { .. } => "not_compared",
            Reason::ZeroBaselinePoints { .. } => "zero_baseline_points",
            Reason::ZeroBaseline => "zero_baseline",
            Reason::CappedAtResolution { .. } => "capped_at_resolution",
            Reason::BelowMinAbsChange { .. } => "below_min_abs_change",
            Reason::BudgetExceeded { .. } => "budget_exceeded",
            Reason::WithinBudget => "within_budget",
            Reason::ThinPercentile { .. } => "thin_percentile",
            Reason::BelowMateriality { .. } => "below_materiality",
            Reason::CountingNoise { .. } => "counting_noise",
            Reason::FailedCounts { .. } => "failed_counts",
            Reason::FamilyWise { .. } => "family_wise",
            Reason::WholeRun { .. } => "whole_run",
            Reason::Approximate { .. } => "approximate",
        }
    }

    #[test]
    fn every_reason_round_trips_through_json_as_a_tagged_object() {
        let reasons = one_of_each();
        let tags: std::collections::BTreeSet<&str> = reasons.iter().map(tag).collect();
        assert_eq!(tags.len(), 14, "one reason of each kind");
        for r in &reasons {
            let json = serde_json::to_value(r).unwrap();
            assert_eq!(json["kind"], tag(r), "{json}");
            let back: Reason = serde_json::from_value(json.clone()).unwrap();
            assert_eq!(&back, r, "{json}");
        }
    }

    #[test]
    fn the_json_holds_the_numbers() {
        let r = Reason::BudgetExceeded {
            value: 38.87851,
            limit: 30.0,
            breaks: BudgetLimit::FailAbove,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"kind":"budget_exceeded","value":38.87851,"limit":30.0,"breaks":"fail_above"}"#
        );
        let nested = &one_of_each()[13];
        assert_eq!(
            serde_json::to_string(nested).unwrap(),
            r#"{"kind":"approximate","workers":2,"low":6.833075,"high":8.235653200000002,"also":{"kind":"below_materiality","change":1.4025782000000016,"floor":5.0}}"#
        );
    }
}
