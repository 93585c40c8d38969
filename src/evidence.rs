//! Evidence for a change: is it bigger than the noise? One rule from one run per side to many.
//!
//! Every judgement is a change on the log scale, `d = ln(current) − ln(reference)`, with a standard
//! error that includes the noise the comparison can know about, and a Student-t reference distribution:
//!
//! * **Repeated runs** (≥ 2 runs on either side): the run is the unit. Each run's value of the row's
//!   statistic (its mean, median, p95 …) is one observation; the runs' spread is the noise. Pooled
//!   two-sample t on ln(values), `n_b + n_c − 2` degrees of freedom. Samples inside the runs are not
//!   pooled: they would measure one run's precision, not the spread between runs.
//! * **History** (one value per side, ≥ `min_history` earlier snapshots): the reference is the
//!   history's centre (geometric mean); the prediction-interval variance `s² (1 + 1/k)` holds the
//!   between-run spread. A monotone drift across the kept window beyond the medium band is raised to
//!   at least medium.
//! * **One run per side**: the row's own statistic from each run's samples (mean: delta method;
//!   quantiles: order-statistic rank error), inflated by [`BETWEEN_RUN_RATIO`] because one run cannot
//!   show the spread between runs. The evidence says so ([`Method::WithinRun`]).
//!
//! A regression needs `p ≤ α` (one-sided) **and** the one-sided 75 % bound beyond the low band; the
//! severity is the band of that bound, not of the estimate. The t reference makes error rates and power
//! change smoothly with the number of runs: no minimum n, no jump where an exact rank test first
//! becomes able to reach α. Where a side has no spread at all (all values equal), the exact conditional
//! Mann–Whitney p-value of the values decides significance instead.
//!
//! See `shared/notes/statistics.md` and `examples/detection_quality.rs` for the simulation behind it.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::model::Direction;
use crate::severity::{Bands, Severity};
use crate::stats::moments::{mean, sum_sq_dev};
use crate::stats::{self, Alternative};

/// How a row's severity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Hodges–Lehmann estimate and Mann–Whitney test on samples (kept for stored verdicts).
    MannWhitney,
    /// Prediction interval around the centre of the baseline's history.
    PredictionInterval,
    /// One value per side and no history: bands only.
    Unverified,
    /// Repeated runs on at least one side: t on ln(per-run values), the run as the unit.
    Runs,
    /// One run per side: the row's statistic from within-run samples; the spread between runs is not
    /// known and is assumed to be [`BETWEEN_RUN_RATIO`] times the within-run error.
    WithinRun,
}

impl Method {
    /// Whether the evidence carries its own estimate of the change (rather than the rows' values).
    pub fn has_estimate(self) -> bool {
        matches!(self, Method::MannWhitney | Method::Runs | Method::WithinRun)
    }
}

/// What the evidence says about the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Significant and its 75 % bound beyond the low band.
    Significant,
    /// Not distinguishable from noise, and the estimate is inside the low band.
    WithinNoise,
    /// Significant, but smaller than the low band.
    BelowBand,
    /// Too few values per side for any test.
    TooFewSamples,
    /// No noise estimate available.
    Unverified,
    /// The estimate is beyond the low band but the evidence does not establish it (not significant, or
    /// its 75 % bound is inside the band): a change that more runs would settle, not a small one.
    Inconclusive,
}

/// The statistic a row reports, so that the row is judged by that statistic.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Statistic {
    Mean,
    /// Quantile level in [0, 1] (0.5 for the median).
    Quantile(f64),
}

impl Statistic {
    /// The statistic behind a row: from its name (`mean`, `*_mean`, `median`, `pNN`, `min`, `max`), else
    /// whichever of the samples' mean and median the reported value is closer to.
    pub fn of_row(name: &str, value: f64, samples: &[f64]) -> Statistic {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "mean" | "avg" | "average" => return Statistic::Mean,
            "median" | "med" => return Statistic::Quantile(0.5),
            "min" => return Statistic::Quantile(0.0),
            "max" => return Statistic::Quantile(1.0),
            _ => {}
        }
        if lower.ends_with("_mean") {
            return Statistic::Mean;
        }
        if lower.ends_with("_median") {
            return Statistic::Quantile(0.5);
        }
        if let Some(q) = crate::model::percentile_of(&lower) {
            return Statistic::Quantile(q / 100.0);
        }
        let mean = mean(samples);
        match stats::median(samples) {
            Some(med) if (value - mean).abs() < (value - med).abs() => Statistic::Mean,
            _ => Statistic::Quantile(0.5),
        }
    }

    /// ln of this statistic of `samples` and its within-run standard error.
    pub fn log_with_se(self, samples: &[f64]) -> Option<(f64, f64)> {
        match self {
            Statistic::Mean => stats::log_mean_se(samples),
            Statistic::Quantile(q) => stats::log_quantile_se(samples, q),
        }
    }
}

/// Why a severity differs from the band of the evidence's bound. Data, so that reports word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Adjustment {
    /// Capped at low: the change is one step of the data's recording resolution.
    CappedAtResolution,
    /// Capped at low: the absolute change is below the policy's `min_abs_change`.
    CappedAtMinAbsChange,
    /// Raised to at least medium: a monotone drift over the kept history beyond the medium band.
    RaisedByDrift,
}

/// The evidence block of a comparison (`evidence` in the JSON verdict).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub method: Method,
    pub outcome: Outcome,
    /// One-sided p-value in the worse direction, when a test was run.
    pub p_value: Option<f64>,
    /// The estimated change in percent against the reference.
    pub estimate_pct: Option<f64>,
    /// Confidence bounds on the change in percent (each one-sided at α).
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub n_baseline: usize,
    pub n_current: usize,
    /// The one-sided 75 % bound on the change in percent, on the side nearer to zero in the direction of
    /// the estimate: the severity is the band of this bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_pct: Option<f64>,
    /// The statistic compared, for rows judged on within-run samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
    /// Why the severity is not the band of `bound_pct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
    /// Theil–Sen drift over the kept history and this run, in percent, when history was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_pct: Option<f64>,
    /// One-sided p-value of the drift's trend test (exact Mann–Kendall) in the worse direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_p_value: Option<f64>,
}

impl Evidence {
    fn new(method: Method, outcome: Outcome, n_baseline: usize, n_current: usize) -> Evidence {
        Evidence {
            method,
            outcome,
            p_value: None,
            estimate_pct: None,
            ci_low_pct: None,
            ci_high_pct: None,
            n_baseline,
            n_current,
            bound_pct: None,
            statistic: None,
            adjustment: None,
            drift_pct: None,
            drift_p_value: None,
        }
    }

    /// Evidence for a row judged by the bands alone.
    pub fn unverified() -> Evidence {
        Evidence::new(Method::Unverified, Outcome::Unverified, 1, 1)
    }

    /// The confidence bound on the side nearest to zero in the worse direction, e.g. `≥ +11 %`.
    pub fn worse_bound(&self, direction: Direction) -> Option<(char, f64)> {
        match direction {
            Direction::LowerIsBetter => self.ci_low_pct.map(|b| ('≥', b)),
            Direction::HigherIsBetter => self.ci_high_pct.map(|b| ('≤', b)),
        }
    }
}

/// A judged change: severity and evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub severity: Severity,
    pub evidence: Evidence,
}

/// One-sided level of the bound whose band is the severity.
pub const SEVERITY_BOUND_LEVEL: f64 = 0.75;

/// With one run per side, the spread between runs of a run's statistic is assumed to be this many times
/// its within-run standard error. Measured on the same-code noise sets in `fixtures/` (six runs each):
/// hyperfine 3.4–5.0, pytest-benchmark 4.2–6.7. The error used is `se · √(1 + r²)`.
pub const BETWEEN_RUN_RATIO: f64 = 3.0;

/// A change on the log scale with its standard error and degrees of freedom (of a Student-t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogChange {
    /// `ln(current) − ln(reference)`.
    pub shift: f64,
    pub se: f64,
    pub df: f64,
}

fn sign(direction: Direction) -> f64 {
    match direction {
        Direction::LowerIsBetter => 1.0,
        Direction::HigherIsBetter => -1.0,
    }
}

fn percent(shift: f64) -> f64 {
    shift.exp_m1() * 100.0
}

fn t_dist(df: f64) -> Option<StudentsT> {
    StudentsT::new(0.0, 1.0, df.max(1.0)).ok()
}

/// Judges a log-scale change: the last step shared by every mode, public so that other evidence (batch
/// means of a load test, say) is graded by the same rule. `p_override` replaces the t p-values (worse,
/// better) when the spread is zero.
pub fn decide(
    change: LogChange,
    method: Method,
    counts: (usize, usize),
    direction: Direction,
    bands: &Bands,
    alpha: f64,
    p_override: Option<(f64, f64)>,
) -> Judgement {
    let mut evidence = Evidence::new(method, Outcome::WithinNoise, counts.0, counts.1);
    let LogChange { shift, se, df } = change;
    let Some(t) = t_dist(df).filter(|_| shift.is_finite() && se.is_finite() && se >= 0.0) else {
        evidence.outcome = Outcome::Unverified;
        return Judgement {
            severity: Severity::Unchanged,
            evidence,
        };
    };
    let s = sign(direction);
    // Worse-oriented shift: positive means worse.
    let w = s * shift;
    let (p_worse, p_better) = match p_override {
        Some(p) => p,
        None if se == 0.0 => {
            let p = if w > 0.0 { 0.0 } else { 1.0 };
            (p, if w < 0.0 { 0.0 } else { 1.0 })
        }
        None => (t.sf(w / se), t.cdf(w / se)),
    };
    let q_alpha = t.inverse_cdf(1.0 - alpha);
    let q_sev = t.inverse_cdf(SEVERITY_BOUND_LEVEL);
    evidence.p_value = Some(p_worse.clamp(0.0, 1.0));
    evidence.estimate_pct = Some(percent(shift));
    evidence.ci_low_pct = Some(percent(shift - q_alpha * se));
    evidence.ci_high_pct = Some(percent(shift + q_alpha * se));
    let worse_pct = s * percent(shift);
    // The 75 % bounds on the worsening, on each side, as the bands see them.
    let worse_bound = s * percent(s * (w - q_sev * se));
    let better_bound = s * percent(s * (w + q_sev * se));
    let (severity, outcome, bound) = if p_worse <= alpha && worse_bound > bands.low {
        (bands.grade(worse_bound), Outcome::Significant, worse_bound)
    } else if p_better <= alpha && better_bound < -bands.low {
        (Severity::Improvement, Outcome::Significant, better_bound)
    } else {
        let nearer = if w >= 0.0 {
            worse_bound.max(0.0)
        } else {
            better_bound.min(0.0)
        };
        let outcome = if worse_pct.abs() > bands.low {
            Outcome::Inconclusive
        } else if p_worse <= alpha || p_better <= alpha {
            Outcome::BelowBand
        } else {
            Outcome::WithinNoise
        };
        (Severity::Unchanged, outcome, nearer)
    };
    evidence.outcome = outcome;
    evidence.bound_pct = Some(s * bound);
    Judgement { severity, evidence }
}

fn log_values(v: &[f64]) -> Option<Vec<f64>> {
    v.iter()
        .all(|x| x.is_finite() && *x > 0.0)
        .then(|| v.iter().map(|x| x.ln()).collect())
}

/// Exact (conditional under ties) one-sided Mann–Whitney p-values (worse, better) of `x` vs `y` (logs).
fn rank_p(x: &[f64], y: &[f64], direction: Direction) -> (f64, f64) {
    let p = |alt| stats::mann_whitney(x, y, alt).map_or(1.0, |r| r.p_value);
    let (worse, better) = match direction {
        Direction::LowerIsBetter => (Alternative::Less, Alternative::Greater),
        Direction::HigherIsBetter => (Alternative::Greater, Alternative::Less),
    };
    (p(worse), p(better))
}

/// [`decide`], with the exact rank test of `ranks` (baseline, current) for the p-values when the values
/// have no spread at all but a shift.
fn decide_or_rank(
    change: LogChange,
    method: Method,
    counts: (usize, usize),
    ranks: (&[f64], &[f64]),
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let p_override =
        (change.se == 0.0 && change.shift != 0.0).then(|| rank_p(ranks.0, ranks.1, direction));
    decide(change, method, counts, direction, bands, alpha, p_override)
}

/// No judgement: too few values (or none usable on the log scale) on a side.
fn too_few(nb: usize, nc: usize, bands: &Bands) -> Judgement {
    let mut j = unverified(0.0, bands);
    j.evidence.outcome = Outcome::TooFewSamples;
    (j.evidence.n_baseline, j.evidence.n_current) = (nb, nc);
    j
}

/// Judges per-run values of a row's statistic: the run is the unit. One side may hold a single run.
pub fn judge_runs(
    base: &[f64],
    cur: &[f64],
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let (nb, nc) = (base.len(), cur.len());
    let too_few = |nb, nc| too_few(nb, nc, bands);
    let finite = base.iter().chain(cur).all(|v| v.is_finite());
    if nb == 0 || nc == 0 || nb + nc < 3 || !finite {
        return too_few(nb, nc);
    }
    let df = (nb + nc - 2) as f64;
    // Zeros (an error count, a rate) leave no ratio: the caller falls back to the bands, and load-test
    // counts have their own tests.
    let Some((x, y)) = log_values(base).zip(log_values(cur)) else {
        return too_few(nb, nc);
    };
    let pooled_var = (sum_sq_dev(&x) + sum_sq_dev(&y)) / df;
    let change = LogChange {
        shift: mean(&y) - mean(&x),
        se: (pooled_var * (1.0 / nb as f64 + 1.0 / nc as f64)).sqrt(),
        df,
    };
    let ranks = (x.as_slice(), y.as_slice());
    decide_or_rank(
        change,
        Method::Runs,
        (nb, nc),
        ranks,
        direction,
        bands,
        alpha,
    )
}

/// Judges one run per side by the row's statistic over each run's samples. The between-run spread is
/// unknown and allowed for by [`BETWEEN_RUN_RATIO`].
pub fn judge_within_run(
    base: &[f64],
    cur: &[f64],
    statistic: Statistic,
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let (nb, nc) = (base.len(), cur.len());
    let (Some((lb, sb)), Some((lc, sc))) =
        (statistic.log_with_se(base), statistic.log_with_se(cur))
    else {
        let mut j = too_few(nb, nc, bands);
        j.evidence.statistic = Some(statistic);
        return j;
    };
    let se = (sb * sb + sc * sc).sqrt() * (1.0 + BETWEEN_RUN_RATIO * BETWEEN_RUN_RATIO).sqrt();
    let change = LogChange {
        shift: lc - lb,
        se,
        df: (nb.min(nc) - 1) as f64,
    };
    let ranks = (base, cur);
    let mut j = decide_or_rank(
        change,
        Method::WithinRun,
        (nb, nc),
        ranks,
        direction,
        bands,
        alpha,
    );
    j.evidence.statistic = Some(statistic);
    j
}

/// Judges one run per side by batch means: each side's values are the row's statistic over consecutive
/// time batches of its run (k6 NDJSON), so their spread carries the run's own noise, autocorrelation
/// included. Like [`judge_within_run`], the spread between runs is unknown and allowed for by
/// [`BETWEEN_RUN_RATIO`].
pub fn judge_batches(
    base: &[f64],
    cur: &[f64],
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let (nb, nc) = (base.len(), cur.len());
    let Some((x, y)) = log_values(base)
        .zip(log_values(cur))
        .filter(|_| nb >= 2 && nc >= 2)
    else {
        return too_few(nb, nc, bands);
    };
    let var = |v: &[f64]| sum_sq_dev(v) / (v.len() - 1) as f64;
    let se_within = (var(&x) / nb as f64 + var(&y) / nc as f64).sqrt();
    let change = LogChange {
        shift: mean(&y) - mean(&x),
        se: se_within * (1.0 + BETWEEN_RUN_RATIO * BETWEEN_RUN_RATIO).sqrt(),
        df: (nb.min(nc) - 1) as f64,
    };
    let ranks = (x.as_slice(), y.as_slice());
    decide_or_rank(
        change,
        Method::WithinRun,
        (nb, nc),
        ranks,
        direction,
        bands,
        alpha,
    )
}

/// Judges one current value against the centre of the history of baseline values (oldest first):
/// significance and severity from the same prediction interval, plus drift over the window.
pub fn judge_history(
    history: &[f64],
    current: f64,
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let k = history.len();
    let Some(h) = log_values(history).filter(|_| k >= 2) else {
        return unverified(0.0, bands);
    };
    let Some(c) = log_values(&[current]).map(|v| v[0]) else {
        return unverified(0.0, bands);
    };
    let centre = mean(&h);
    let sd = (sum_sq_dev(&h) / (k - 1) as f64).sqrt();
    let change = LogChange {
        shift: c - centre,
        se: sd * (1.0 + 1.0 / k as f64).sqrt(),
        df: (k - 1) as f64,
    };
    let current_log = [c];
    let ranks = (h.as_slice(), current_log.as_slice());
    let mut j = decide_or_rank(
        change,
        Method::PredictionInterval,
        (k, 1),
        ranks,
        direction,
        bands,
        alpha,
    );
    // Drift: the worse-oriented series of the window and this run.
    let s = sign(direction);
    let series: Vec<f64> = h.iter().chain([&c]).map(|v| s * v).collect();
    let slope = stats::theil_sen_slope(&series);
    let trend_p = stats::increasing_trend_p(&series);
    if let (Some(slope), Some(p)) = (slope, trend_p) {
        let drift_worse = percent(slope * (series.len() - 1) as f64);
        j.evidence.drift_pct = Some(s * drift_worse);
        j.evidence.drift_p_value = Some(p);
        if p <= alpha && drift_worse > bands.medium && j.severity < Severity::Medium {
            j.severity = Severity::Medium;
            j.evidence.adjustment = Some(Adjustment::RaisedByDrift);
        }
    }
    j
}

/// The bands alone, for one value per side and no history.
pub fn unverified(worse_pct: f64, bands: &Bands) -> Judgement {
    // No per-row note: reports explain unverified rows once, in a footnote.
    Judgement {
        severity: bands.grade(worse_pct),
        evidence: Evidence::unverified(),
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

    fn lower(base: &[f64], cur: &[f64]) -> Judgement {
        judge_runs(base, cur, Direction::LowerIsBetter, &bands(), 0.01)
    }

    #[test]
    fn separated_runs_are_a_regression_graded_by_the_bound() {
        let base = [100.0, 101.0, 99.0, 100.5, 99.5];
        let cur: Vec<f64> = base.iter().map(|v| v * 1.2).collect();
        let j = lower(&base, &cur);
        assert_eq!(j.evidence.method, Method::Runs);
        assert_eq!(j.evidence.outcome, Outcome::Significant);
        let est = j.evidence.estimate_pct.unwrap();
        let bound = j.evidence.bound_pct.unwrap();
        assert!((est - 20.0).abs() < 0.01, "{est}");
        assert!(bound > 15.0 && bound < est, "{bound}");
        assert_eq!(j.severity, Severity::High);
        assert!(j.evidence.p_value.unwrap() < 1e-6);
    }

    #[test]
    fn severity_comes_from_the_bound_not_the_estimate() {
        // Estimate ≈ +16 % (high by the estimate), but the runs are noisy: the 75 % bound is lower.
        let base = [100.0, 104.0, 96.0, 101.0, 99.0];
        let cur = [112.0, 121.0, 110.0, 118.0, 119.0];
        let j = lower(&base, &cur);
        let est = j.evidence.estimate_pct.unwrap();
        let bound = j.evidence.bound_pct.unwrap();
        assert!(est > 15.0 && bound < 15.0, "{est} {bound}");
        assert_eq!(j.severity, Bands::default().grade(bound));
        assert_eq!(j.severity, Severity::Medium);
    }

    #[test]
    fn two_runs_per_side_can_already_decide() {
        let j = lower(&[100.0, 101.0], &[150.0, 151.5]);
        assert_eq!(j.evidence.outcome, Outcome::Significant);
        assert_eq!(j.severity, Severity::Critical);
        // One run against several: the several give the spread.
        let j = lower(&[100.0, 101.0, 99.0, 100.0], &[150.0]);
        assert_eq!(j.severity, Severity::Critical);
        assert_eq!((j.evidence.n_baseline, j.evidence.n_current), (4, 1));
        // One against one is no test at all.
        assert_eq!(
            lower(&[1.0], &[2.0]).evidence.outcome,
            Outcome::TooFewSamples
        );
    }

    #[test]
    fn overlapping_runs_are_within_noise() {
        let base = [100.0, 130.0, 90.0, 110.0, 95.0, 125.0, 85.0, 105.0];
        let cur = [102.0, 128.0, 92.0, 108.0, 99.0, 121.0, 88.0, 103.0];
        let j = lower(&base, &cur);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.outcome, Outcome::WithinNoise);
    }

    #[test]
    fn a_big_but_unproven_change_is_inconclusive_not_small() {
        let base = [100.0, 160.0, 80.0];
        let cur = [150.0, 90.0, 190.0];
        let j = lower(&base, &cur);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.outcome, Outcome::Inconclusive);
    }

    #[test]
    fn equal_runs_use_the_exact_rank_test() {
        // No spread at all: 5 vs 5 separated reaches p = 1/252, 3 vs 3 only 1/20.
        let j = lower(&[10.0; 5], &[12.0; 5]);
        assert!((j.evidence.p_value.unwrap() - 1.0 / 252.0).abs() < 1e-12);
        assert_eq!(j.severity, Severity::High);
        let j = lower(&[10.0; 3], &[12.0; 3]);
        assert!((j.evidence.p_value.unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(j.evidence.outcome, Outcome::Inconclusive);
        let j = lower(&[10.0; 3], &[10.0; 3]);
        assert_eq!(j.evidence.outcome, Outcome::WithinNoise);
    }

    #[test]
    fn throughput_drop_is_worse_and_bound_is_upper() {
        let base: Vec<f64> = (0..6).map(|i| 1000.0 + i as f64).collect();
        let cur: Vec<f64> = base.iter().map(|v| v * 0.7).collect();
        let j = judge_runs(&base, &cur, Direction::HigherIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Critical);
        let (sym, b) = j.evidence.worse_bound(Direction::HigherIsBetter).unwrap();
        assert_eq!(sym, '≤');
        assert!(b < -25.0);
        assert!(j.evidence.bound_pct.unwrap() < -25.0);
        let j = judge_runs(&cur, &base, Direction::HigherIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Improvement);
    }

    #[test]
    fn small_significant_change_is_below_band() {
        let base: Vec<f64> = (0..30).map(|i| 100.0 + (i % 5) as f64 * 0.1).collect();
        let cur: Vec<f64> = base.iter().map(|v| v * 1.02).collect();
        let j = lower(&base, &cur);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.outcome, Outcome::BelowBand);
    }

    /// 100 iterations, `slow` of them in a mode twice as slow.
    fn bimodal(slow: usize) -> Vec<f64> {
        (0..100)
            .map(|i| {
                let jitter = 1.0 + (i % 10) as f64 * 0.002;
                if i < slow {
                    2.0 * jitter
                } else {
                    jitter
                }
            })
            .collect()
    }

    #[test]
    fn a_mode_shift_is_judged_by_each_row_statistic() {
        // 30 % → 70 % of iterations in the slow mode: median +99 %.
        let (base, cur) = (bimodal(30), bimodal(70));
        let within =
            |stat| judge_within_run(&base, &cur, stat, Direction::LowerIsBetter, &bands(), 0.01);
        let median = within(Statistic::Quantile(0.5));
        assert_eq!(median.evidence.method, Method::WithinRun);
        assert_eq!(median.severity, Severity::Critical);
        assert!(median.evidence.estimate_pct.unwrap() > 95.0);
        let mean = within(Statistic::Mean);
        assert!(mean.evidence.estimate_pct.unwrap() > 25.0);
        assert_ne!(mean.evidence.outcome, Outcome::BelowBand);
        assert_ne!(mean.evidence.outcome, Outcome::WithinNoise);
        // p90 sits in the slow mode on both sides: unchanged.
        assert_eq!(
            within(Statistic::Quantile(0.9)).severity,
            Severity::Unchanged
        );
    }

    #[test]
    fn one_slow_iteration_moves_the_mean_row_only() {
        let base = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0, 1.0];
        let mut cur = base;
        cur[4] = 100.0;
        let mean = judge_within_run(
            &base,
            &cur,
            Statistic::Mean,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert!(mean.evidence.estimate_pct.unwrap() > 900.0);
        // One iteration in ten is no evidence on its own, but it is not a small change either.
        assert_eq!(mean.evidence.outcome, Outcome::Inconclusive);
        let median = judge_within_run(
            &base,
            &cur,
            Statistic::Quantile(0.5),
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(median.severity, Severity::Unchanged);
        assert_eq!(median.evidence.outcome, Outcome::WithinNoise);
        // The same outlier in every one of five runs is a regression of the mean.
        let means: Vec<f64> = (0..5).map(|i| 10.9 + 0.01 * i as f64).collect();
        let j = lower(&[1.0, 1.01, 0.99, 1.0, 1.02], &means);
        assert_eq!(j.severity, Severity::Critical);
    }

    #[test]
    fn row_statistics_from_names_and_values() {
        let s = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(Statistic::of_row("mean", 4.0, &s), Statistic::Mean);
        assert_eq!(
            Statistic::of_row("real_time_mean", 4.0, &s),
            Statistic::Mean
        );
        assert_eq!(
            Statistic::of_row("median", 2.5, &s),
            Statistic::Quantile(0.5)
        );
        assert_eq!(Statistic::of_row("p95", 9.0, &s), Statistic::Quantile(0.95));
        assert_eq!(
            Statistic::of_row("p99.9", 9.0, &s),
            Statistic::Quantile(99.9 / 100.0)
        );
        assert_eq!(Statistic::of_row("max", 10.0, &s), Statistic::Quantile(1.0));
        assert_eq!(
            Statistic::of_row("real_time", 2.5, &s),
            Statistic::Quantile(0.5)
        );
        assert_eq!(Statistic::of_row("ns/op", 4.1, &s), Statistic::Mean);
    }

    #[test]
    fn history_is_judged_against_its_centre() {
        let history = [100.0, 103.0, 98.0, 101.0, 99.0, 102.0];
        let j = judge_history(&history, 140.0, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Critical);
        assert_eq!(j.evidence.method, Method::PredictionInterval);
        let centre = (history.iter().map(|v: &f64| v.ln()).sum::<f64>() / 6.0).exp();
        let est = j.evidence.estimate_pct.unwrap();
        assert!((est - (140.0 / centre - 1.0) * 100.0).abs() < 1e-9);
        let noisy = [100.0, 140.0, 80.0, 120.0, 90.0, 130.0];
        let j = judge_history(&noisy, 125.0, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.adjustment, None);
    }

    #[test]
    fn creep_of_four_percent_per_snapshot_is_at_least_medium() {
        let history: Vec<f64> = (0..6).map(|i| 100.0 * 1.04f64.powi(i)).collect();
        let j = judge_history(
            &history,
            100.0 * 1.04f64.powi(6),
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.severity, Severity::Medium);
        assert_eq!(j.evidence.adjustment, Some(Adjustment::RaisedByDrift));
        assert!((j.evidence.drift_pct.unwrap() - (1.04f64.powi(6) - 1.0) * 100.0).abs() < 1e-9);
        // The last step alone is inside the noise of the creeping history.
        assert_ne!(j.evidence.outcome, Outcome::Significant);
        // A flat, noisy history has no drift.
        let flat = [100.0, 103.0, 98.0, 101.0, 99.0, 102.0];
        let j = judge_history(&flat, 101.0, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Unchanged);
        assert!(j.evidence.drift_p_value.unwrap() > 0.01);
    }

    #[test]
    fn zeros_in_runs_and_samples() {
        // Runs with zeros (an error rate per run) have no ratio to test: the caller uses the bands.
        let j = lower(&[0.0, 0.01, 0.02, 0.0, 0.01], &[0.2, 0.25, 0.3, 0.22, 0.28]);
        assert_eq!(j.evidence.outcome, Outcome::TooFewSamples);
        assert_eq!(
            lower(&[0.0; 3], &[0.0; 3]).evidence.outcome,
            Outcome::TooFewSamples
        );
        let j = judge_within_run(
            &[0.0, 1.0, 1.0, 2.0, 1.0, 1.0],
            &[0.0, 1.0, 1.0, 2.0, 1.0, 2.0],
            Statistic::Mean,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.evidence.method, Method::WithinRun);
        assert_eq!(j.severity, Severity::Unchanged);
    }

    #[test]
    fn error_rates_change_smoothly_with_the_number_of_runs() {
        // Log-normal run values with 8 % spread: false alarms stay near 1 % or below at every n and the
        // power at +25 % grows with n, without a jump where a rank test first reaches α.
        let mut rng = crate::stats::test_util::Lcg(17);
        let reps = 1500;
        let mut draw = |n: usize, shift: f64| -> Vec<f64> {
            (0..n)
                .map(|_| 100.0 * (1.0 + shift) * (0.08 * rng.normal()).exp())
                .collect()
        };
        let mut last_power = 0.0;
        for n in [2, 3, 4, 5, 10] {
            let (mut alarms, mut hits) = (0, 0);
            for _ in 0..reps {
                let base = draw(n, 0.0);
                alarms += usize::from(lower(&base, &draw(n, 0.0)).severity.is_regression());
                hits += usize::from(lower(&base, &draw(n, 0.25)).severity.is_regression());
            }
            let (fa, power) = (alarms as f64 / reps as f64, hits as f64 / reps as f64);
            // Nominal 1 %; Binomial(1500, 0.01) has sd ≈ 0.26 %, so 2 % is about four sd above.
            assert!(fa <= 0.02, "n = {n}: false alarms {fa}");
            assert!(
                power > last_power,
                "n = {n}: power {power} after {last_power}"
            );
            assert!(
                power - last_power < 0.6,
                "n = {n}: a jump from {last_power} to {power}"
            );
            last_power = power;
        }
        assert!(last_power > 0.95);
    }

    #[test]
    fn resolution_of_recorded_values() {
        assert_eq!(resolution(12.0), 1.0);
        assert_eq!(resolution(12.5), 0.1);
        assert!((resolution(20.090773) - 1e-6).abs() < 1e-18);
    }
}
