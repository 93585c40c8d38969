//! Why a row was graded as it was, as data: the numbers behind a capped severity, an exemption from the
//! gate or a row that could not be compared. [`crate::report::reason`] words each one.

use serde::{Deserialize, Serialize};

use crate::model::Unit;

/// Which limit of a budget a value was checked against (the policy file's key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetLimit {
    FailAbove,
    FailBelow,
    WarnAbove,
    WarnBelow,
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
    /// Load test: the latency change is below the materiality floor.
    BelowMateriality { change: f64, floor: f64 },
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
    },
    /// Load test: significant alone, not after Holm's correction over the gated rows.
    FamilyWise { gated_rows: usize, adjusted_p: f64 },
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
