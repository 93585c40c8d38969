//! Evidence for a change: is it bigger than the noise? One rule from one run per side to many, with or
//! without history.
//!
//! Every judgement is a change on the log scale, `d = ln(current) − ln(reference)`, with a standard
//! error built from the between-run noise the comparison can **measure**, and a Student-t reference:
//!
//! * **History** (one value per side, ≥ `min_history` earlier snapshots of main): the history is cut at
//!   its last change point (a merged step starts a new reference), outlier snapshots are rejected
//!   ([`stats::robust`]), the reference is the centre of the last segment and the noise is the spread of
//!   all kept snapshots around their own segment's centre: `se² = s²·(1 + 1/k) + e²`, with `e²` the
//!   current run's within-run error beyond the history's typical one. A monotone drift over
//!   the window that a line explains better than steps is raised to at least medium.
//! * **Repeated runs** (≥ 2 runs on either side, `perfgate ab`'s interleaved runs): the run is the unit.
//!   The row's own spread between runs is moderated (empirical Bayes, as limma does) with a prior
//!   scale: the metric's history when there is one, else the median spread of the other rows of the
//!   same comparison ([`Prior`]), else [`FLOOR_SD_PCT`]. Two runs per side give 2 df alone; the prior
//!   lends the degrees of freedom that the row's own runs lack, and the row's own spread still counts,
//!   so one slow run raises its error instead of passing for a regression. Outlier runs are left out:
//!   of two, the worse one when the pair is further apart than the prior allows (a noisy neighbour only
//!   slows); of three or more, those far from their side's median. A row is never its own prior.
//! * **One run per side, no history**: the row's statistic and its within-run error from each run's
//!   samples, plus the floor for the between-run noise that one run cannot show
//!   ([`Method::WithinRun`], marked †: only the within-run noise is measured).
//!
//! A regression is **established** by a one-sided test at α **and** a point estimate beyond the low band
//! (the materiality floor); its severity is then the band of the point estimate, so "15–25 % worse
//! fails" holds whenever the change is established. The one-sided confidence bound is shown as "at
//! least". Where a side has no spread at all (all values equal), the exact conditional Mann–Whitney
//! p-value decides significance instead.
//!
//! See docs/noise.md ("When is a change real?") and `examples/detection_quality.rs` for the
//! simulation behind every constant here.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::model::Direction;
use crate::severity::{Bands, Severity};
use crate::stats::changepoint;
use crate::stats::moments::{mean, sum_sq_dev};
use crate::stats::{self, robust, Alternative};

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
    /// measured and is allowed for by [`FLOOR_SD_PCT`].
    WithinRun,
    /// A deterministic count (instructions, cache hits): no noise, so the change is exact.
    Deterministic,
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
    /// Significant (one-sided, at α) and its estimate beyond the low band.
    Significant,
    /// Not distinguishable from noise, and the estimate is inside the low band.
    WithinNoise,
    /// Significant, but smaller than the low band.
    BelowBand,
    /// Too few values per side for any test.
    TooFewSamples,
    /// No noise estimate available.
    Unverified,
    /// The estimate is beyond the low band but not significant: a change that more runs would settle, not
    /// a small one.
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
    /// the estimate (kept for readers of the JSON; the severity is the band of the estimate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound_pct: Option<f64>,
    /// The statistic compared, for rows judged on within-run samples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<Statistic>,
    /// Why the severity is not the band of the estimate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjustment: Option<Adjustment>,
    /// Theil–Sen drift over the kept history and this run, in percent, when history was used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_pct: Option<f64>,
    /// One-sided p-value of the drift's trend test (exact Mann–Kendall) in the worse direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_p_value: Option<f64>,
    /// Where the between-run noise came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise: Option<NoiseSource>,
    /// The between-run sd used, in percent (log scale ×100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_sd_pct: Option<f64>,
    /// History: snapshots in the reference segment (after the last change point), and outlier snapshots
    /// left out of the spread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment_len: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outliers_dropped: Option<usize>,
}

/// Where a row's between-run noise was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoiseSource {
    /// The metric's own history on main.
    History,
    /// The other rows of the same comparison (their runs' spread).
    Suite,
    /// Nothing measured it: [`FLOOR_SD_PCT`].
    Floor,
}

/// Prior knowledge of a row's between-run spread: the sd of ln(one run's value) and the degrees of
/// freedom it is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    pub sd: f64,
    pub df: f64,
    pub source: NoiseSource,
}

impl Prior {
    /// Nothing measured: the floor, worth [`FLOOR_DF`] runs.
    pub fn floor() -> Prior {
        Prior {
            sd: FLOOR_SD_PCT / 100.0,
            df: FLOOR_DF,
            source: NoiseSource::Floor,
        }
    }

    /// The spread of the other rows of one comparison: the median of their pooled run variances (one
    /// noisy row does not move it), worth at most [`SUITE_PRIOR_DF`] runs since rows differ in noise.
    pub fn from_rows(variances: &[(f64, f64)]) -> Option<Prior> {
        let v: Vec<f64> = variances.iter().map(|(v, _)| *v).collect();
        let med = stats::median(&v).filter(|m| *m > 0.0 && m.is_finite())?;
        let df: f64 = variances.iter().map(|(_, d)| d).sum();
        Some(Prior {
            sd: med.sqrt(),
            df: df.min(SUITE_PRIOR_DF),
            source: NoiseSource::Suite,
        })
    }
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
            noise: None,
            noise_sd_pct: None,
            segment_len: None,
            outliers_dropped: None,
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

/// One-sided level of the bound kept in `bound_pct`.
pub const SEVERITY_BOUND_LEVEL: f64 = 0.75;

/// Between-run sd (percent, log scale) assumed where nothing measures it: one run per side without
/// history, and the prior for repeated runs with no history and no other rows. The simulation
/// (`examples/detection_quality`) draws between-run noise of 1, 3 and 5 %: with 2 % the gate's false
/// alarms stay at or below the naive rule's at every level while its power stays within a few points
/// of it (docs/noise.md, "Detection quality").
pub const FLOOR_SD_PCT: f64 = 2.0;

/// Degrees of freedom the floor is worth as a prior for repeated runs.
pub const FLOOR_DF: f64 = 2.0;

/// Degrees of freedom a prior from the other rows of a comparison is worth at most: rows differ in
/// noise, so it never outweighs a row's own runs by much (limma's estimated prior df is typically 2–6).
pub const SUITE_PRIOR_DF: f64 = 4.0;

/// A change on the log scale with its standard error and degrees of freedom (of a Student-t).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogChange {
    /// `ln(current) − ln(reference)`.
    pub shift: f64,
    pub se: f64,
    pub df: f64,
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
    let s = direction.worse_sign();
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
    // Established by the test, material by the estimate, graded by the estimate.
    let (severity, outcome, bound) = if p_worse <= alpha && worse_pct > bands.low {
        (bands.grade(worse_pct), Outcome::Significant, worse_bound)
    } else if p_better <= alpha && worse_pct < -bands.low {
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

/// The pooled variance of ln(per-run values) and its degrees of freedom, for a suite's prior.
pub fn run_variance(base: &[f64], cur: &[f64]) -> Option<(f64, f64)> {
    let (x, y) = log_values(base).zip(log_values(cur))?;
    let df = (x.len() + y.len()).checked_sub(2).filter(|d| *d > 0)? as f64;
    Some(((sum_sq_dev(&x) + sum_sq_dev(&y)) / df, df))
}

/// Judges per-run values of a row's statistic: the run is the unit. One side may hold a single run.
/// The row's own spread is moderated by `prior` (see the module documentation).
pub fn judge_runs(
    base: &[f64],
    cur: &[f64],
    direction: Direction,
    bands: &Bands,
    alpha: f64,
    prior: Prior,
) -> Judgement {
    let (nb, nc) = (base.len(), cur.len());
    let too_few = |nb, nc| too_few(nb, nc, bands);
    let finite = base.iter().chain(cur).all(|v| v.is_finite());
    if nb == 0 || nc == 0 || nb + nc < 3 || !finite {
        return too_few(nb, nc);
    }
    // Zeros (an error count, a rate) leave no ratio: the caller falls back to the bands, and load-test
    // counts have their own tests.
    let Some((x, y)) = log_values(base).zip(log_values(cur)) else {
        return too_few(nb, nc);
    };
    // A run further than `REJECT_MADS` of the prior scale from its side's median (three runs or more)
    // is an outlier run, a noisy neighbour: left out, so that it neither masks a regression nor passes
    // for one. Of two runs, the worse one when the pair is that far apart: a noisy neighbour only ever
    // slows a run, so the better run is the clean one.
    // With nothing measured (the floor), the scale is at least the runs' own robust spread.
    let s = direction.worse_sign();
    let scale = match prior.source {
        NoiseSource::Floor => prior.sd.max(robust_spread(&x, &y)),
        _ => prior.sd,
    };
    let (x, y) = (
        without_outlier_runs(x, scale, s),
        without_outlier_runs(y, scale, s),
    );
    let (kb, kc) = (x.len(), y.len());
    let df = (kb + kc).saturating_sub(2) as f64;
    let own_var = if df > 0.0 {
        (sum_sq_dev(&x) + sum_sq_dev(&y)) / df
    } else {
        0.0
    };
    let d0 = prior.df.max(0.0);
    let var = (d0 * prior.sd * prior.sd + df * own_var) / (d0 + df);
    let change = LogChange {
        shift: mean(&y) - mean(&x),
        se: (var * (1.0 / kb as f64 + 1.0 / kc as f64)).sqrt(),
        df: df + d0,
    };
    let ranks = (x.as_slice(), y.as_slice());
    let mut j = decide_or_rank(
        change,
        Method::Runs,
        (nb, nc),
        ranks,
        direction,
        bands,
        alpha,
    );
    j.evidence.noise = Some(prior.source);
    j.evidence.noise_sd_pct = Some(var.sqrt() * 100.0);
    j
}

/// The scaled median absolute deviation of both sides' runs (ln values) from their own side's median,
/// over the sides with three runs or more (zero when none has).
fn robust_spread(x: &[f64], y: &[f64]) -> f64 {
    let mut dev = Vec::new();
    for side in [x, y].into_iter().filter(|v| v.len() >= 3) {
        if let Some(m) = stats::median(side) {
            dev.extend(side.iter().map(|v| (v - m).abs()));
        }
    }
    stats::median(&dev).map_or(0.0, |d| d * robust::MAD_TO_SD)
}

/// The runs of one side (ln values) without its outlier runs: of three or more, those further than
/// `REJECT_MADS · scale` from their median (when at least two are kept); of two, the worse one (by
/// `sign`, +1 when lower is better) when the pair is more than `REJECT_MADS · scale · √2` apart.
fn without_outlier_runs(v: Vec<f64>, scale: f64, sign: f64) -> Vec<f64> {
    if scale <= 0.0 || v.len() < 2 {
        return v;
    }
    if v.len() == 2 {
        let gap = sign * (v[1] - v[0]);
        if gap.abs() <= robust::REJECT_MADS * scale * std::f64::consts::SQRT_2 {
            return v;
        }
        return vec![if gap > 0.0 { v[0] } else { v[1] }];
    }
    let Some(m) = stats::median(&v) else {
        return v;
    };
    let kept: Vec<f64> = v
        .iter()
        .copied()
        .filter(|x| (x - m).abs() <= robust::REJECT_MADS * scale)
        .collect();
    if kept.len() >= 2 {
        kept
    } else {
        v
    }
}

/// Judges one run per side by the row's statistic over each run's samples. The between-run spread is
/// not measured: each run is allowed [`FLOOR_SD_PCT`] of it on top of its within-run error.
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
    let tau = FLOOR_SD_PCT / 100.0;
    let se = (sb * sb + sc * sc + 2.0 * tau * tau).sqrt();
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
    j.evidence.noise = Some(NoiseSource::Floor);
    j.evidence.noise_sd_pct = Some(FLOOR_SD_PCT);
    j
}

/// Judges one run per side by batch means: each side's values are the row's statistic over consecutive
/// time batches of its run (k6 NDJSON), so their spread carries the run's own noise, autocorrelation
/// included. Like [`judge_within_run`], each run is allowed [`FLOOR_SD_PCT`] of between-run noise.
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
    let tau = FLOOR_SD_PCT / 100.0;
    let se = (var(&x) / nb as f64 + var(&y) / nc as f64 + 2.0 * tau * tau).sqrt();
    let change = LogChange {
        shift: mean(&y) - mean(&x),
        se,
        df: (nb.min(nc) - 1) as f64,
    };
    let ranks = (x.as_slice(), y.as_slice());
    let mut j = decide_or_rank(
        change,
        Method::WithinRun,
        (nb, nc),
        ranks,
        direction,
        bands,
        alpha,
    );
    j.evidence.noise = Some(NoiseSource::Floor);
    j.evidence.noise_sd_pct = Some(FLOOR_SD_PCT);
    j
}

/// What main's history of one metric says about its noise: the reference segment (since the last
/// change point), its centre, and the between-run spread of all kept snapshots around their own
/// segment's centre. Everything on the log scale.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryNoise {
    /// ln of the reference: the mean of the kept snapshots of the last segment.
    pub centre: f64,
    /// sd of one snapshot around its segment's centre, outliers rejected.
    pub sd: f64,
    /// Degrees of freedom of `sd`: kept snapshots minus segments.
    pub df: f64,
    /// Kept snapshots in the last segment (the reference).
    pub k: usize,
    /// Snapshots in the last segment.
    pub segment_len: usize,
    /// Snapshots (anywhere in the window) rejected as outliers.
    pub outliers: usize,
    /// Index of the first snapshot of the last segment.
    pub segment_start: usize,
    /// Segments' start indices, ascending (the first is 0).
    pub starts: Vec<usize>,
}

/// Significance level of the change-point test on a history. Not the detector's default 0.01: its
/// permutation test cannot go below 0.02 on a 10-snapshot window, so at 0.01 a merged +20 % step is never
/// found (measured: `examples/detection_quality`). A false change point costs little here, since the
/// spread is pooled over all segments and only the reference's count shrinks.
pub const CHANGE_POINT_ALPHA: f64 = 0.05;

/// The noise of a metric's history (oldest first), or `None` when fewer than 2 positive values remain.
pub fn history_noise(history: &[f64]) -> Option<HistoryNoise> {
    let h = log_values(history).filter(|h| h.len() >= 2)?;
    let mut starts = vec![0];
    starts.extend(
        changepoint::change_points(&h, CHANGE_POINT_ALPHA)
            .iter()
            .map(|c| c.index)
            .filter(|&i| i > 0 && i < h.len()),
    );
    starts.dedup();
    let mut residuals = Vec::with_capacity(h.len());
    let mut segment_of = Vec::with_capacity(h.len());
    for (s, &start) in starts.iter().enumerate() {
        let end = starts.get(s + 1).copied().unwrap_or(h.len());
        let centre = stats::median(&h[start..end])?;
        residuals.extend(h[start..end].iter().map(|v| v - centre));
        segment_of.extend(std::iter::repeat_n(s, end - start));
    }
    let kept = robust::kept(&residuals);
    let last = starts.len() - 1;
    let last_kept: Vec<f64> = kept
        .iter()
        .filter(|&&i| segment_of[i] == last)
        .map(|&i| h[i])
        .collect();
    // Spread around each segment's own mean of kept values.
    let mut ss = 0.0;
    for s in 0..starts.len() {
        let seg: Vec<f64> = kept
            .iter()
            .filter(|&&i| segment_of[i] == s)
            .map(|&i| h[i])
            .collect();
        if !seg.is_empty() {
            ss += sum_sq_dev(&seg);
        }
    }
    let df = kept.len().checked_sub(starts.len()).filter(|d| *d > 0)? as f64;
    if last_kept.is_empty() {
        return None;
    }
    Some(HistoryNoise {
        centre: mean(&last_kept),
        sd: (ss / df).sqrt(),
        df,
        k: last_kept.len(),
        segment_len: h.len() - starts[last],
        outliers: h.len() - kept.len(),
        segment_start: starts[last],
        starts,
    })
}

impl HistoryNoise {
    /// The history's between-run spread as a prior for repeated runs.
    pub fn prior(&self) -> Prior {
        Prior {
            sd: self.sd,
            df: self.df,
            source: NoiseSource::History,
        }
    }
}

/// Judges one current value against main's history (oldest first): the reference is the segment since
/// the last change point, the noise the robust spread of the whole window ([`history_noise`]); plus
/// drift over the window when a line explains it better than steps. `extra_var` is the current run's
/// within-run error beyond what the history's runs typically carried (log scale, a variance).
pub fn judge_history(
    history: &[f64],
    current: f64,
    extra_var: f64,
    direction: Direction,
    bands: &Bands,
    alpha: f64,
) -> Judgement {
    let Some(noise) = history_noise(history).filter(|_| history.len() >= 2) else {
        return unverified(0.0, bands);
    };
    let Some(c) = log_values(&[current]).map(|v| v[0]) else {
        return unverified(0.0, bands);
    };
    let change = LogChange {
        shift: c - noise.centre,
        se: (noise.sd * noise.sd * (1.0 + 1.0 / noise.k as f64) + extra_var.max(0.0)).sqrt(),
        df: noise.df,
    };
    let h = log_values(history).unwrap_or_default();
    let current_log = [c];
    let segment = &h[noise.segment_start..];
    let ranks = (segment, current_log.as_slice());
    let mut j = decide_or_rank(
        change,
        Method::PredictionInterval,
        (history.len(), 1),
        ranks,
        direction,
        bands,
        alpha,
    );
    j.evidence.noise = Some(NoiseSource::History);
    j.evidence.noise_sd_pct = Some(noise.sd * 100.0);
    j.evidence.segment_len = Some(noise.segment_len);
    j.evidence.outliers_dropped = Some(noise.outliers);
    // Drift: the worse-oriented series of the window and this run, outlier snapshots left out.
    let s = direction.worse_sign();
    let mut series: Vec<f64> = h.iter().map(|v| s * v).collect();
    series.push(s * c);
    let kept: Vec<f64> = robust::trimmed(&series);
    let slope = stats::theil_sen_slope(&kept);
    let trend_p = stats::increasing_trend_p(&kept);
    if let (Some(slope), Some(p)) = (slope, trend_p) {
        let drift_worse = percent(slope * (kept.len() - 1) as f64);
        j.evidence.drift_pct = Some(s * drift_worse);
        j.evidence.drift_p_value = Some(p);
        let creep = p <= alpha && drift_worse > bands.medium && line_beats_steps(&series, &noise);
        if creep && j.severity < Severity::Medium {
            j.severity = Severity::Medium;
            j.evidence.adjustment = Some(Adjustment::RaisedByDrift);
        }
    }
    j
}

/// Whether a straight line (Theil–Sen) fits the window and this run at least as well as the history's
/// segments do, and better than any single step: a merged step is a change point, not drift.
fn line_beats_steps(series: &[f64], noise: &HistoryNoise) -> bool {
    let Some(slope) = stats::theil_sen_slope(series) else {
        return false;
    };
    let offsets: Vec<f64> = series
        .iter()
        .enumerate()
        .map(|(i, v)| v - slope * i as f64)
        .collect();
    let Some(intercept) = stats::median(&offsets) else {
        return false;
    };
    let line: f64 = offsets.iter().map(|o| (o - intercept).powi(2)).sum();
    // The current run belongs to the last segment.
    let mut steps = 0.0;
    for (s, &start) in noise.starts.iter().enumerate() {
        let end = noise.starts.get(s + 1).copied().unwrap_or(series.len());
        steps += sum_sq_dev(&series[start..end]);
    }
    // A step the detector missed (10 snapshots are few for its test) is still a step: the best single
    // split, with segments as long as the detector's, must fit worse than the line too.
    let min = changepoint::MIN_SEGMENT;
    let best_split = (min..=series.len().saturating_sub(min))
        .map(|k| sum_sq_dev(&series[..k]) + sum_sq_dev(&series[k..]))
        .fold(f64::INFINITY, f64::min);
    line <= steps.min(best_split)
}

/// The bands alone, for one value per side and no history.
pub fn unverified(worse_pct: f64, bands: &Bands) -> Judgement {
    // No per-row note: reports explain unverified rows once, in a footnote.
    Judgement {
        severity: bands.grade(worse_pct),
        evidence: Evidence::unverified(),
    }
}

/// A deterministic metric ([`crate::model::Metric::deterministic`]): the same code gives the same count,
/// so a change that exists is real. No test; the bands grade the exact change.
pub fn exact(worse_pct: f64, bands: &Bands) -> Judgement {
    let mut evidence = Evidence::new(Method::Deterministic, Outcome::WithinNoise, 1, 1);
    let severity = bands.grade(worse_pct);
    evidence.outcome = match severity {
        Severity::Unchanged if worse_pct == 0.0 => Outcome::WithinNoise,
        Severity::Unchanged => Outcome::BelowBand,
        _ => Outcome::Significant,
    };
    evidence.p_value = Some(if worse_pct > 0.0 { 0.0 } else { 1.0 });
    Judgement { severity, evidence }
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
        judge_runs(
            base,
            cur,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
            Prior::floor(),
        )
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
    fn severity_comes_from_the_estimate_once_established() {
        // Estimate ≈ +16 %, the runs noisy: the bound is lower, but an established +16 % is high.
        let base = [100.0, 104.0, 96.0, 101.0, 99.0];
        let cur = [112.0, 121.0, 110.0, 118.0, 119.0];
        let j = lower(&base, &cur);
        let est = j.evidence.estimate_pct.unwrap();
        let bound = j.evidence.bound_pct.unwrap();
        assert!(est > 15.0 && bound < 15.0, "{est} {bound}");
        assert_eq!(j.evidence.outcome, Outcome::Significant);
        assert_eq!(j.severity, Severity::High);
        // The shown "at least" bound is the one-sided confidence bound at α.
        assert!(j.evidence.ci_low_pct.unwrap() < bound);
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
        // With no prior and no spread at all: 5 vs 5 separated reaches p = 1/252, 3 vs 3 only 1/20.
        let none = Prior {
            sd: 0.0,
            df: 0.0,
            source: NoiseSource::Floor,
        };
        let lower =
            |b: &[f64], c: &[f64]| judge_runs(b, c, Direction::LowerIsBetter, &bands(), 0.01, none);
        let j = lower(&[10.0; 5], &[12.0; 5]);
        assert!((j.evidence.p_value.unwrap() - 1.0 / 252.0).abs() < 1e-12);
        assert_eq!(j.severity, Severity::High);
        let j = lower(&[10.0; 3], &[12.0; 3]);
        assert!((j.evidence.p_value.unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(j.evidence.outcome, Outcome::Inconclusive);
        let j = lower(&[10.0; 3], &[10.0; 3]);
        assert_eq!(j.evidence.outcome, Outcome::WithinNoise);
        // The floor lends its spread: three equal runs 20 % apart are then established.
        let j = judge_runs(
            &[10.0; 3],
            &[12.0; 3],
            Direction::LowerIsBetter,
            &bands(),
            0.01,
            Prior::floor(),
        );
        assert_eq!(j.severity, Severity::High);
    }

    #[test]
    fn throughput_drop_is_worse_and_bound_is_upper() {
        let base: Vec<f64> = (0..6).map(|i| 1000.0 + i as f64).collect();
        let cur: Vec<f64> = base.iter().map(|v| v * 0.7).collect();
        let j = judge_runs(
            &base,
            &cur,
            Direction::HigherIsBetter,
            &bands(),
            0.01,
            Prior::floor(),
        );
        assert_eq!(j.severity, Severity::Critical);
        let (sym, b) = j.evidence.worse_bound(Direction::HigherIsBetter).unwrap();
        assert_eq!(sym, '≤');
        assert!(b < -25.0);
        assert!(j.evidence.bound_pct.unwrap() < -25.0);
        let j = judge_runs(
            &cur,
            &base,
            Direction::HigherIsBetter,
            &bands(),
            0.01,
            Prior::floor(),
        );
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

    fn suite(sd: f64) -> Prior {
        Prior {
            sd,
            df: 4.0,
            source: NoiseSource::Suite,
        }
    }

    fn runs(base: &[f64], cur: &[f64], direction: Direction, prior: Prior) -> Judgement {
        judge_runs(base, cur, direction, &bands(), 0.01, prior)
    }

    #[test]
    fn of_two_runs_the_one_a_neighbour_slowed_is_left_out() {
        let lower = Direction::LowerIsBetter;
        // A slow baseline run would hide +20 %, a slow current run would fake +30 %.
        let j = runs(&[100.0, 130.0], &[120.0, 121.0], lower, suite(0.03));
        assert_eq!(j.severity, Severity::High, "{j:?}");
        assert!((j.evidence.estimate_pct.unwrap() - 20.5).abs() < 0.1);
        let j = runs(&[100.0, 101.0], &[100.5, 131.0], lower, suite(0.03));
        assert_eq!(j.severity, Severity::Unchanged, "{j:?}");
        // Higher is better: the neighbour lowers throughput, so the lower run is the one left out.
        let higher = Direction::HigherIsBetter;
        let j = runs(&[1000.0, 770.0], &[800.0, 805.0], higher, suite(0.03));
        assert_eq!(j.severity, Severity::High, "{j:?}");
        // Two runs as far apart as the noise allows are both kept.
        let j = runs(&[100.0, 108.0], &[100.0, 101.0], lower, suite(0.03));
        assert_eq!(j.evidence.n_baseline, 2);
        assert!(
            (j.evidence.estimate_pct.unwrap() + 3.3).abs() < 0.1,
            "{j:?}"
        );
    }

    #[test]
    fn a_current_run_with_more_within_run_error_widens_the_prediction() {
        let history = [100.0, 103.0, 98.0, 101.0, 99.0, 102.0, 100.0, 97.0];
        let lower = Direction::LowerIsBetter;
        let quiet = judge_history(&history, 118.0, 0.0, lower, &bands(), 0.01);
        assert_eq!(quiet.severity, Severity::High, "{quiet:?}");
        // The same value from a run whose own samples put its mean ±6 % off.
        let noisy = judge_history(&history, 118.0, 0.06 * 0.06, lower, &bands(), 0.01);
        assert_eq!(noisy.severity, Severity::Unchanged, "{noisy:?}");
        assert!(noisy.evidence.p_value.unwrap() > quiet.evidence.p_value.unwrap());
    }

    #[test]
    fn a_step_the_detector_missed_is_not_drift() {
        // Too short a step after it for a change point at 0.05, but a step fits better than a line.
        let history = [100.0, 101.0, 99.0, 100.0, 101.0, 99.0, 121.0, 119.0, 120.0];
        let j = judge_history(
            &history,
            120.5,
            0.0,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_ne!(
            j.evidence.adjustment,
            Some(Adjustment::RaisedByDrift),
            "{j:?}"
        );
    }

    #[test]
    fn history_is_judged_against_its_centre() {
        let history = [100.0, 103.0, 98.0, 101.0, 99.0, 102.0];
        let j = judge_history(
            &history,
            140.0,
            0.0,
            Direction::LowerIsBetter,
            &bands(),
            0.01,
        );
        assert_eq!(j.severity, Severity::Critical);
        assert_eq!(j.evidence.method, Method::PredictionInterval);
        let centre = (history.iter().map(|v: &f64| v.ln()).sum::<f64>() / 6.0).exp();
        let est = j.evidence.estimate_pct.unwrap();
        assert!((est - (140.0 / centre - 1.0) * 100.0).abs() < 1e-9);
        let noisy = [100.0, 140.0, 80.0, 120.0, 90.0, 130.0];
        let j = judge_history(&noisy, 125.0, 0.0, Direction::LowerIsBetter, &bands(), 0.01);
        assert_eq!(j.severity, Severity::Unchanged);
        assert_eq!(j.evidence.adjustment, None);
    }

    #[test]
    fn creep_of_four_percent_per_snapshot_is_at_least_medium() {
        let history: Vec<f64> = (0..6).map(|i| 100.0 * 1.04f64.powi(i)).collect();
        let j = judge_history(
            &history,
            100.0 * 1.04f64.powi(6),
            0.0,
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
        let j = judge_history(&flat, 101.0, 0.0, Direction::LowerIsBetter, &bands(), 0.01);
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
        // Log-normal run values with 8 % spread, and a prior that knows it (history, other rows): false
        // alarms stay near 1 % or below at every n and the power at +25 % grows with n, without a jump
        // where a rank test first reaches α.
        let prior = Prior {
            sd: 0.08,
            df: 4.0,
            source: NoiseSource::Suite,
        };
        let lower = |b: &[f64], c: &[f64]| {
            judge_runs(b, c, Direction::LowerIsBetter, &bands(), 0.01, prior)
        };
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
