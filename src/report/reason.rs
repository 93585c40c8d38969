//! The sentence behind a row's [`Reason`]: the one place grading's reasons are worded, for every
//! renderer (table and markdown notes, the not-gated column, the JSON verdict's `note`).

use crate::comparison::reason::BudgetLimit;
use crate::comparison::{Comparison, Reason};
use crate::escape;
use crate::model::Direction;
use crate::report::value::{human, pct};

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
        Reason::BelowMateriality { change, floor } => format!(
            "a change of {} is below the load-test materiality floor of {}",
            human(*change, unit),
            human(*floor, unit)
        ),
        Reason::CountingNoise {
            baseline_events,
            current_events,
            p_value,
        } => format!(
            "{baseline_events} → {current_events} events: counting noise explains it (p = {p_value:.3})"
        ),
        Reason::FailedCounts {
            baseline_failed,
            baseline_trials,
            current_failed,
            current_trials,
            points,
            p_value,
        } => format!(
            "{baseline_failed} of {baseline_trials} → {current_failed} of {current_trials} failed ({points:+.2} points, Fisher exact p = {p_value:.3})"
        ),
        Reason::FamilyWise {
            gated_rows,
            adjusted_p,
        } => format!(
            "significant alone, not after Holm over {gated_rows} gated rows (adjusted p = {adjusted_p:.3})"
        ),
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

/// A worker's bound as the tool wrote it, up to three decimals: `41.5`, `0.003`.
fn bound(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
