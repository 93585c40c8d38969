//! The graded row: one metric compared against its baseline (or budget), with the data behind its grade.
//!
//! Grading ([`crate::compare`], [`crate::budget`], [`crate::loadtest`]) fills these rows; the renderers in
//! [`crate::report`] word them. Nothing here knows how a number is shown.

pub mod reason;

use serde::{Deserialize, Serialize};

pub use self::reason::Reason;
use crate::evidence::Evidence;
use crate::model::{Direction, Unit};
use crate::severity::Severity;

/// What a row compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Current against baseline.
    Change,
    /// Current against an absolute budget from the policy file.
    Budget,
}

/// One metric compared against its baseline (or its budget).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub benchmark: String,
    pub metric: String,
    pub unit: Unit,
    pub direction: Direction,
    pub baseline: Option<f64>,
    pub current: Option<f64>,
    /// Relative change in percent of the baseline; `None` when the baseline is zero or a side is absent.
    pub change_pct: Option<f64>,
    /// Absolute change in `unit`.
    pub change_abs: Option<f64>,
    pub severity: Severity,
    /// Whether this row can fail the gate.
    pub gated: bool,
    pub kind: Kind,
    /// How the severity was established (significance test, history, or bands only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
    /// Why the row was graded as it was, when that is not obvious from the numbers (`reason` in the JSON
    /// verdict, a tagged object; the JSON renderer adds its sentence as `note`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// What the load-test rules found (thin percentile, materiality, count test, family-wise), as data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_test: Option<LoadTest>,
}

/// Why a load-test row cannot fail the gate (absent when it can).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exemption {
    /// Too few requests beyond the percentile on one side.
    ThinPercentile,
    /// The absolute change is below the materiality floor.
    Immaterial,
    /// A rate's change is below the percentage-point floor.
    BelowRateFloor,
    /// The count test found no evidence of a change.
    CountsWithinNoise,
    /// Significant alone, but not after the family-wise correction over the rows that moved.
    FamilyWise,
}

/// Failed and total trials on each side of a rate row, and the exact test's p-value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountFacts {
    pub baseline_events: u64,
    pub baseline_trials: u64,
    pub current_events: u64,
    pub current_trials: u64,
    /// One-sided Fisher exact p-value in the worse direction.
    pub p_value: f64,
    /// Change of the failure rate in percentage points.
    pub change_points: f64,
}

/// What the load-test rules found for one row (`load_test` in the JSON verdict).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadTest {
    /// Why the row cannot fail the gate, when it cannot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exemption: Option<Exemption>,
    /// Requests behind the row on the smaller side (the trend's count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<f64>,
    /// Requests beyond the percentile on the smaller side, and how many are needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tail_requests: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tail_needed: Option<f64>,
    /// Smallest absolute change (in the row's unit) that can fail the gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub material_change: Option<f64>,
    /// The count test of a rate row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counts: Option<CountFacts>,
    /// Family-wise adjusted p-value (Benjamini–Hochberg; the field keeps its first name), when the row took part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holm_p: Option<f64>,
}

/// Rows for the tests of the renderers and the GitHub output.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A gated p95 row of `bench` that changed by `pct` % from 10 ms, graded `severity`.
    pub fn p95_change(bench: &str, severity: Severity, pct: f64) -> Comparison {
        Comparison {
            benchmark: bench.to_string(),
            metric: "p95".into(),
            unit: Unit::Milliseconds,
            direction: Direction::LowerIsBetter,
            baseline: Some(10.0),
            current: Some(10.0 * (1.0 + pct / 100.0)),
            change_pct: Some(pct),
            change_abs: Some(pct / 10.0),
            severity,
            gated: true,
            kind: Kind::Change,
            evidence: None,
            reason: None,
            load_test: None,
        }
    }
}
