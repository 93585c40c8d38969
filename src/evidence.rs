//! Evidence for a change: is it bigger than the noise?
//!
//! * Samples or repeated runs on both sides: Hodges–Lehmann shift of ln(values) with a distribution-free
//!   confidence interval and a one-sided exact Mann–Whitney test (normal approximation with tie
//!   correction for large or tied samples). A regression needs significance at α **and** an estimate
//!   beyond the low band; the severity comes from the estimate.
//! * One value per side, with history: a log-scale Student-t prediction interval from earlier snapshots.
//! * Otherwise: the bands alone, marked unverified.
//!
//! See `shared/notes/statistics.md` §7 for the derivation and the simulation behind the defaults.

use serde::{Deserialize, Serialize};

use crate::model::Direction;
use crate::severity::{Bands, Severity};
use crate::stats::{self, Alternative, PredictionError, Sides, Tail};

/// How a row's severity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Hodges–Lehmann estimate and Mann–Whitney test on samples or runs.
    MannWhitney,
    /// Prediction interval from the baseline's history.
    PredictionInterval,
    /// One value per side and no history: bands only.
    Unverified,
}

/// What the evidence says about the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Significant and beyond the band floor.
    Significant,
    /// Not distinguishable from noise.
    WithinNoise,
    /// Significant, but smaller than the low band.
    BelowBand,
    /// Too few values per side for the test to ever reach α.
    TooFewSamples,
    /// No noise estimate available.
    Unverified,
}

/// The evidence block of a comparison (`evidence` in the JSON verdict).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub method: Method,
    pub outcome: Outcome,
    /// One-sided p-value in the worse direction, when a test was run.
    pub p_value: Option<f64>,
    /// The estimated change in percent (Hodges–Lehmann for samples).
    pub estimate_pct: Option<f64>,
    /// Confidence bounds on the change in percent (each one-sided at α).
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub n_baseline: usize,
    pub n_current: usize,
}

impl Evidence {
    /// Evidence for a row judged by the bands alone.
    pub fn unverified() -> Evidence {
        Evidence {
            method: Method::Unverified,
            outcome: Outcome::Unverified,
            p_value: None,
            estimate_pct: None,
            ci_low_pct: None,
            ci_high_pct: None,
            n_baseline: 1,
            n_current: 1,
        }
    }

    /// The confidence bound on the side nearest to zero in the worse direction, e.g. `≥ +11 %`.
    pub fn worse_bound(&self, direction: Direction) -> Option<(char, f64)> {
        match direction {
            Direction::LowerIsBetter => self.ci_low_pct.map(|b| ('≥', b)),
            Direction::HigherIsBetter => self.ci_high_pct.map(|b| ('≤', b)),
        }
    }
}

/// A judged change: severity, evidence and the reason when it is not obvious.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub severity: Severity,
    pub evidence: Evidence,
    pub note: Option<String>,
}

/// One-sided level of the bound that must clear the band floor.
const FLOOR_ALPHA: f64 = 0.25;

fn sign(direction: Direction) -> f64 {
    match direction {
        Direction::LowerIsBetter => 1.0,
        Direction::HigherIsBetter => -1.0,
    }
}

fn pct_from_shift(shift: f64, log_scale: bool, scale: f64) -> f64 {
    if log_scale {
        shift.exp_m1() * 100.0
    } else {
        shift / scale * 100.0
    }
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Judges a change from samples (or repeated-run values) on both sides.
pub fn judge_samples(
    base: &[f64],
    cur: &[f64],
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let (nb, nc) = (base.len(), cur.len());
    // Ratios need positive values; metrics that can be 0 (error counts) use plain differences.
    let log_scale = base.iter().chain(cur).all(|v| *v > 0.0);
    let tf = |v: &[f64]| -> Vec<f64> {
        if log_scale {
            v.iter().map(|x| x.ln()).collect()
        } else {
            v.to_vec()
        }
    };
    let (x, y) = (tf(base), tf(cur));
    let scale = stats::median(base)
        .map(f64::abs)
        .filter(|m| *m > 0.0)
        .unwrap_or(1.0);
    let mut evidence = Evidence {
        method: Method::MannWhitney,
        outcome: Outcome::WithinNoise,
        p_value: None,
        estimate_pct: None,
        ci_low_pct: None,
        ci_high_pct: None,
        n_baseline: nb,
        n_current: nc,
    };
    let Some(hl) = stats::hodges_lehmann_ci(&x, &y, 2.0 * alpha, Sides::TwoSided) else {
        evidence.outcome = Outcome::Unverified;
        return Judgement {
            severity: Severity::Unchanged,
            evidence,
            note: Some("samples are not finite numbers; no test possible".into()),
        };
    };
    let estimate = pct_from_shift(hl.shift, log_scale, scale);
    evidence.estimate_pct = Some(estimate);
    evidence.ci_low_pct = finite(hl.lower).map(|l| pct_from_shift(l, log_scale, scale));
    evidence.ci_high_pct = finite(hl.upper).map(|u| pct_from_shift(u, log_scale, scale));
    let worse_alt = match direction {
        Direction::LowerIsBetter => Alternative::Less,
        Direction::HigherIsBetter => Alternative::Greater,
    };
    let better_alt = match worse_alt {
        Alternative::Less => Alternative::Greater,
        _ => Alternative::Less,
    };
    let p_worse = stats::mann_whitney(&x, &y, worse_alt).map(|r| r.p_value);
    let p_better = stats::mann_whitney(&x, &y, better_alt).map(|r| r.p_value);
    evidence.p_value = p_worse;
    let worse_pct = sign(direction) * estimate;
    let min_p = stats::min_achievable_p(nb, nc);
    if min_p > alpha {
        // The exact test cannot reach α with so few values: fall back to the bands, and say so.
        evidence.outcome = Outcome::TooFewSamples;
        let need = stats::min_equal_n_for_alpha(alpha).unwrap_or(5);
        return Judgement {
            severity: bands.grade(worse_pct),
            evidence,
            note: Some(format!(
                "{nb} vs {nc} values can never reach significance at α = {alpha} (smallest p = {min_p:.3}); unverified, run ≥ {need} times per side"
            )),
        };
    }
    let significant_worse = p_worse.is_some_and(|p| p <= alpha);
    let significant_better = p_better.is_some_and(|p| p <= alpha);
    // The band floor is checked on a 75 % one-sided bound rather than on the estimate: a runner-to-runner
    // offset just above 5 % otherwise passes as a regression (2 % offsets: 3.9 % → 2.5 % false alarms,
    // same power at 25 %; see examples/detection_quality.rs).
    let floor_bound = |sides: Sides| {
        stats::hodges_lehmann_ci(&x, &y, FLOOR_ALPHA, sides)
            .and_then(|e| {
                finite(if sides == Sides::Lower {
                    e.lower
                } else {
                    e.upper
                })
            })
            .map(|b| sign(direction) * pct_from_shift(b, log_scale, scale))
    };
    let (worse_side, better_side) = match direction {
        Direction::LowerIsBetter => (Sides::Lower, Sides::Upper),
        Direction::HigherIsBetter => (Sides::Upper, Sides::Lower),
    };
    // Only a significant change needs its floor bound.
    let beyond_floor_worse =
        significant_worse && floor_bound(worse_side).is_some_and(|w| w > bands.low);
    let beyond_floor_better =
        significant_better && floor_bound(better_side).is_some_and(|w| w < -bands.low);
    let p_text = |p: Option<f64>| p.map(|p| format!("{p:.3}")).unwrap_or_else(|| "n/a".into());
    let (severity, outcome, note) = if significant_worse && beyond_floor_worse {
        (bands.grade(worse_pct), Outcome::Significant, None)
    } else if significant_better && beyond_floor_better {
        (Severity::Improvement, Outcome::Significant, None)
    } else if significant_worse || significant_better {
        (
            Severity::Unchanged,
            Outcome::BelowBand,
            Some(format!(
                "a real but small change ({estimate:+.1} %), inside the ±{} % band",
                bands.low
            )),
        )
    } else {
        (
            Severity::Unchanged,
            Outcome::WithinNoise,
            Some(format!(
                "within noise (p = {} > α = {alpha}, {nb} vs {nc} values)",
                p_text(p_worse)
            )),
        )
    };
    evidence.outcome = outcome;
    Judgement {
        severity,
        evidence,
        note,
    }
}

/// Judges one current value against the history of baseline values for the same metric.
///
/// `worse_pct` is the change against the baseline value in the worse direction, as the bands see it.
pub fn judge_history(
    history: &[f64],
    current: f64,
    worse_pct: f64,
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let (worse_tail, better_tail) = match direction {
        Direction::LowerIsBetter => (Tail::Upper, Tail::Lower),
        Direction::HigherIsBetter => (Tail::Lower, Tail::Upper),
    };
    let k = history.len();
    let worse = stats::check_with(history, current, alpha, worse_tail, 1.0);
    let better = stats::check_with(history, current, alpha, better_tail, 1.0);
    let (worse, better) = match (worse, better) {
        (Ok(w), Ok(b)) => (w, b),
        (Err(e), _) | (_, Err(e)) => {
            let why = match e {
                PredictionError::ZeroVariance => "history has no variation".to_string(),
                other => other.to_string(),
            };
            let mut j = unverified(worse_pct, bands);
            j.note = Some(format!("unverified: {why}"));
            return j;
        }
    };
    let mdc = worse.interval.min_detectable_change() * 100.0;
    let evidence = |outcome| Evidence {
        method: Method::PredictionInterval,
        outcome,
        p_value: Some(worse.p_value),
        estimate_pct: Some(worse.change * 100.0),
        ci_low_pct: None,
        ci_high_pct: None,
        n_baseline: k,
        n_current: 1,
    };
    if worse.outside && worse_pct > bands.low {
        Judgement {
            severity: bands.grade(worse_pct),
            evidence: evidence(Outcome::Significant),
            note: None,
        }
    } else if better.outside && worse_pct < -bands.low {
        Judgement {
            severity: Severity::Improvement,
            evidence: evidence(Outcome::Significant),
            note: None,
        }
    } else {
        Judgement {
            severity: Severity::Unchanged,
            evidence: evidence(Outcome::WithinNoise),
            note: Some(format!(
                "within the noise of {k} earlier snapshots (p = {:.3}; changes under ±{mdc:.0} % are not detectable)",
                worse.p_value
            )),
        }
    }
}

/// The bands alone, for one value per side and no history.
pub fn unverified(worse_pct: f64, bands: &Bands) -> Judgement {
    // No per-row note: reports explain unverified rows once, in a footnote.
    Judgement {
        severity: bands.grade(worse_pct),
        evidence: Evidence::unverified(),
        note: None,
    }
}

/// The smallest step a value was recorded with: `12` → 1, `12.5` → 0.1, `20.090773` → 1e-6.
pub fn resolution(v: f64) -> f64 {
    let s = format!("{}", v.abs());
    if s.contains(['e', 'E']) || !v.is_finite() {
        return 0.0;
    }
    match s.split_once('.') {
        Some((_, frac)) => 10f64.powi(-(frac.len() as i32)),
        None => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands() -> Bands {
        Bands::default()
    }

    #[test]
    fn separated_samples_are_a_significant_regression_with_a_bound() {
        let base = [
            100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 100.8, 99.2, 100.1, 99.9,
        ];
        let cur: Vec<f64> = base.iter().map(|v| v * 1.2).collect();
        let j = judge_samples(&base, &cur, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::High);
        assert_eq!(j.evidence.outcome, Outcome::Significant);
        let est = j.evidence.estimate_pct.unwrap();
        assert!((est - 20.0).abs() < 1.0, "{est}");
        let (sym, low) = j.evidence.worse_bound(Direction::LowerIsBetter).unwrap();
        assert_eq!(sym, '≥');
        assert!(low > 5.0 && low < est, "{low}");
        assert!(j.evidence.p_value.unwrap() < 0.001);
    }

    #[test]
    fn overlapping_noise_is_within_noise() {
        let base = [100.0, 130.0, 90.0, 110.0, 95.0, 125.0, 85.0, 105.0];
        let cur = [108.0, 128.0, 92.0, 118.0, 99.0, 131.0, 88.0, 112.0];
        let j = judge_samples(&base, &cur, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.outcome, Outcome::WithinNoise);
        assert!(j.note.unwrap().contains("within noise"));
    }

    #[test]
    fn three_vs_three_says_it_cannot_reach_alpha() {
        let j = judge_samples(
            &[1.0, 1.1, 1.2],
            &[2.0, 2.1, 2.2],
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.evidence.outcome, Outcome::TooFewSamples);
        assert_eq!(j.severity, Severity::Critical, "falls back to the bands");
        assert!(j.note.unwrap().contains("never reach significance"));
    }

    #[test]
    fn throughput_drop_is_worse_and_bound_is_upper() {
        let base: Vec<f64> = (0..10).map(|i| 1000.0 + i as f64).collect();
        let cur: Vec<f64> = base.iter().map(|v| v * 0.7).collect();
        let j = judge_samples(&base, &cur, Direction::HigherIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Critical);
        let (sym, b) = j.evidence.worse_bound(Direction::HigherIsBetter).unwrap();
        assert_eq!(sym, '≤');
        assert!(b < -25.0);
    }

    #[test]
    fn small_significant_change_is_below_band() {
        let base: Vec<f64> = (0..30).map(|i| 100.0 + (i % 5) as f64 * 0.1).collect();
        let cur: Vec<f64> = base.iter().map(|v| v * 1.02).collect();
        let j = judge_samples(&base, &cur, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.outcome, Outcome::BelowBand);
    }

    #[test]
    fn zeros_use_plain_differences() {
        let j = judge_samples(
            &[0.0; 6],
            &[0.0; 6],
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.severity, Severity::Unchanged);
    }

    #[test]
    fn history_decides_summary_metrics() {
        let history = [100.0, 103.0, 98.0, 101.0, 99.0, 102.0];
        let j = judge_history(
            &history,
            140.0,
            40.0,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.severity, Severity::Critical);
        assert_eq!(j.evidence.method, Method::PredictionInterval);
        let noisy = [100.0, 140.0, 80.0, 120.0, 90.0, 130.0];
        let j = judge_history(
            &noisy,
            125.0,
            25.0,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.severity, Severity::Unchanged);
        assert!(j.note.unwrap().contains("not detectable"));
    }

    #[test]
    fn resolution_of_recorded_values() {
        assert_eq!(resolution(12.0), 1.0);
        assert_eq!(resolution(12.5), 0.1);
        assert!((resolution(20.090773) - 1e-6).abs() < 1e-18);
    }
}
