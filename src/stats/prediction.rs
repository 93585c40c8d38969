//! Log-scale Student-t prediction interval for one new observation given a
//! history of `k >= 2` positive values (Bencher's `t_test`, applied to logs):
//!
//! `mean(ln h) ± t_{k-1} · sd(ln h) · sqrt(v + 1/k)`
//!
//! where `v` is the variance factor of the new observation relative to one
//! history value: 1 for a single run, [`MEDIAN_OF_3_VAR_FACTOR`] for the
//! median of three reruns, `1/r` for the geometric mean of `r` reruns.

use statrs::distribution::{ContinuousCDF, StudentsT};

use super::hodges_lehmann::Sides;

/// Variance of the median of 3 normal draws relative to one draw (≈ 0.449).
pub const MEDIAN_OF_3_VAR_FACTOR: f64 = 0.449;

/// Why no interval could be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PredictionError {
    /// Fewer than 2 history values.
    TooFewValues,
    /// A history value or the new value is not finite and > 0.
    InvalidValue,
    /// All history values are equal: no noise estimate (Bencher: no limit).
    ZeroVariance,
    /// `alpha` or the variance factor is out of range.
    InvalidParameter,
}

impl std::fmt::Display for PredictionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TooFewValues => "need at least 2 history values",
            Self::InvalidValue => "values must be finite and positive",
            Self::ZeroVariance => "history has zero variance",
            Self::InvalidParameter => "alpha or variance factor out of range",
        })
    }
}

impl std::error::Error for PredictionError {}

/// Prediction interval, in the original scale unless named `log_*`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionInterval {
    /// Number of history values.
    pub k: usize,
    /// Mean of ln(history).
    pub log_mean: f64,
    /// Sample standard deviation (n − 1) of ln(history).
    pub log_sd: f64,
    /// Student-t quantile used (k − 1 degrees of freedom).
    pub t_quantile: f64,
    /// `t · sd · sqrt(v + 1/k)`: half-width on the log scale.
    pub log_half_width: f64,
    /// Geometric mean of the history, `exp(log_mean)`.
    pub center: f64,
    /// Lower bound; 0 if not requested.
    pub lower: f64,
    /// Upper bound; +∞ if not requested.
    pub upper: f64,
}

impl PredictionInterval {
    /// Smallest relative change that can leave the interval on one side,
    /// `exp(log_half_width) - 1` (e.g. 0.16 = 16 %).
    pub fn min_detectable_change(&self) -> f64 {
        self.log_half_width.exp_m1()
    }
}

/// Which side is "worse" for [`check_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Flag values above the upper bound (lower-is-better metrics).
    Upper,
    /// Flag values below the lower bound (higher-is-better metrics).
    Lower,
}

/// Outcome of testing one new value against the history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PredictionCheck {
    /// The new value lies beyond the one-sided bound at level `1 - alpha`.
    pub outside: bool,
    /// One-sided p-value: P(T ≥ t) for `Upper`, P(T ≤ t) for `Lower`, with
    /// T ~ Student-t(k − 1). `outside` ⇔ `p_value < alpha` (up to rounding).
    pub p_value: f64,
    /// Standardised distance `(ln value − log_mean) / (sd · sqrt(v + 1/k))`.
    pub t_stat: f64,
    /// `value / center − 1`: the change against the history's geometric mean.
    pub change: f64,
    /// The one-sided interval that was used.
    pub interval: PredictionInterval,
}

/// Prediction interval for a single new value at level `1 - alpha`.
/// `alpha` is split across tails for [`Sides::TwoSided`].
pub fn prediction_interval(
    history: &[f64],
    alpha: f64,
    sides: Sides,
) -> Result<PredictionInterval, PredictionError> {
    prediction_interval_with(history, alpha, sides, 1.0)
}

/// Prediction interval with a variance factor `v >= 0` for the new
/// observation (see module docs); `v = 0` gives the CI of the mean.
pub fn prediction_interval_with(
    history: &[f64],
    alpha: f64,
    sides: Sides,
    var_factor: f64,
) -> Result<PredictionInterval, PredictionError> {
    let tail_alpha = match sides {
        Sides::TwoSided if alpha > 0.0 && alpha < 1.0 => alpha / 2.0,
        Sides::Lower | Sides::Upper if alpha > 0.0 && alpha < 0.5 => alpha,
        _ => return Err(PredictionError::InvalidParameter),
    };
    if !(var_factor.is_finite() && var_factor >= 0.0) {
        return Err(PredictionError::InvalidParameter);
    }
    let k = history.len();
    if k < 2 {
        return Err(PredictionError::TooFewValues);
    }
    if !history.iter().all(|&v| valid_value(v)) {
        return Err(PredictionError::InvalidValue);
    }
    let kf = k as f64;
    // Centre on the first value so identical histories give exactly sd = 0.
    let origin = history[0].ln();
    let mean_dev = history.iter().map(|v| v.ln() - origin).sum::<f64>() / kf;
    let log_mean = origin + mean_dev;
    let ss: f64 = history
        .iter()
        .map(|v| (v.ln() - origin - mean_dev).powi(2))
        .sum();
    let log_sd = (ss / (kf - 1.0)).sqrt();
    if log_sd.is_nan() || log_sd <= 0.0 {
        return Err(PredictionError::ZeroVariance);
    }
    let dist = students_t(k)?;
    let t_quantile = dist.inverse_cdf(1.0 - tail_alpha);
    let log_half_width = t_quantile * log_sd * (var_factor + 1.0 / kf).sqrt();
    let (lower, upper) = match sides {
        Sides::TwoSided => (
            (log_mean - log_half_width).exp(),
            (log_mean + log_half_width).exp(),
        ),
        Sides::Upper => (0.0, (log_mean + log_half_width).exp()),
        Sides::Lower => ((log_mean - log_half_width).exp(), f64::INFINITY),
    };
    Ok(PredictionInterval {
        k,
        log_mean,
        log_sd,
        t_quantile,
        log_half_width,
        center: log_mean.exp(),
        lower,
        upper,
    })
}

/// Is `value` above the one-sided `1 - alpha` upper prediction bound?
pub fn check_upper(
    history: &[f64],
    value: f64,
    alpha: f64,
) -> Result<PredictionCheck, PredictionError> {
    check_with(history, value, alpha, Tail::Upper, 1.0)
}

/// Is `value` below the one-sided `1 - alpha` lower prediction bound?
pub fn check_lower(
    history: &[f64],
    value: f64,
    alpha: f64,
) -> Result<PredictionCheck, PredictionError> {
    check_with(history, value, alpha, Tail::Lower, 1.0)
}

/// General check: one-sided bound on `tail`, variance factor `var_factor`
/// for the new value (e.g. [`MEDIAN_OF_3_VAR_FACTOR`] when `value` is the
/// median of three reruns).
pub fn check_with(
    history: &[f64],
    value: f64,
    alpha: f64,
    tail: Tail,
    var_factor: f64,
) -> Result<PredictionCheck, PredictionError> {
    let sides = match tail {
        Tail::Upper => Sides::Upper,
        Tail::Lower => Sides::Lower,
    };
    let interval = prediction_interval_with(history, alpha, sides, var_factor)?;
    if !valid_value(value) {
        return Err(PredictionError::InvalidValue);
    }
    let d = value.ln() - interval.log_mean;
    let scale = interval.log_sd * (var_factor + 1.0 / interval.k as f64).sqrt();
    // scale > 0: log_sd > 0 and 1/k > 0.
    let t_stat = d / scale;
    let dist = students_t(interval.k)?;
    let (outside, p_value) = match tail {
        Tail::Upper => (d > interval.log_half_width, dist.sf(t_stat)),
        Tail::Lower => (d < -interval.log_half_width, dist.cdf(t_stat)),
    };
    Ok(PredictionCheck {
        outside,
        p_value: p_value.clamp(0.0, 1.0),
        t_stat,
        change: d.exp_m1(),
        interval,
    })
}

fn valid_value(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

fn students_t(k: usize) -> Result<StudentsT, PredictionError> {
    StudentsT::new(0.0, 1.0, (k - 1) as f64).map_err(|_| PredictionError::InvalidParameter)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Lcg;
    use super::*;

    const HIST: [f64; 10] = [
        100.0, 102.0, 98.0, 101.0, 99.0, 103.0, 97.0, 100.0, 104.0, 96.0,
    ];

    fn assert_close(got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= tol * want.abs().max(1e-300),
            "got {got}, want {want}"
        );
    }

    #[test]
    fn matches_scipy_reference() {
        // h = np.log(HIST); m, s = h.mean(), h.std(ddof=1); t = stats.t.ppf(0.99, 9)
        // upper = exp(m + t*s*sqrt(1.1)); p = stats.t.sf((log(108) - m)/(s*sqrt(1.1)), 9)
        let pi = prediction_interval(&HIST, 0.01, Sides::Upper).unwrap();
        assert_close(pi.t_quantile, SCIPY_T99_9, 1e-9);
        assert_close(pi.log_sd, SCIPY_LOG_SD, 1e-12);
        assert_close(pi.upper, SCIPY_UPPER, 1e-9);
        assert_eq!(pi.lower, 0.0);
        let c = check_upper(&HIST, 108.0, 0.01).unwrap();
        assert_close(c.p_value, SCIPY_P_108, 1e-7);
        assert!(c.outside);
        assert_eq!(c.outside, c.p_value < 0.01);
    }
    // -> t=2.821437925025809 s=0.025831927681685424 upper=107.91140143357649
    //    p=0.009517699409529684
    const SCIPY_T99_9: f64 = 2.821437925025809;
    const SCIPY_LOG_SD: f64 = 0.025831927681685424;
    const SCIPY_UPPER: f64 = 107.91140143357649;
    const SCIPY_P_108: f64 = 0.009517699409529684;

    #[test]
    fn known_t_quantile() {
        // From the notes: StudentsT(0,1,9).inverse_cdf(0.975) = 2.262157.
        let pi = prediction_interval(&HIST, 0.05, Sides::TwoSided).unwrap();
        assert!((pi.t_quantile - 2.262157).abs() < 1e-6);
        assert!(pi.lower < pi.center && pi.center < pi.upper);
        // Symmetric on the log scale.
        assert_close(pi.upper / pi.center, pi.center / pi.lower, 1e-12);
    }

    #[test]
    fn scale_invariance() {
        let base = check_upper(&HIST, 111.0, 0.01).unwrap();
        for c in [1e-3, 7.5, 1e6] {
            let h: Vec<f64> = HIST.iter().map(|v| v * c).collect();
            let s = check_upper(&h, 111.0 * c, 0.01).unwrap();
            assert_close(s.p_value, base.p_value, 1e-9);
            assert_close(s.interval.upper, base.interval.upper * c, 1e-9);
            assert_eq!(s.outside, base.outside);
        }
    }

    #[test]
    fn upper_and_lower_mirror() {
        // A value r times the centre above vs r times below: same p-value.
        let pi = prediction_interval(&HIST, 0.01, Sides::TwoSided).unwrap();
        let up = check_upper(&HIST, pi.center * 1.07, 0.01).unwrap();
        let down = check_lower(&HIST, pi.center / 1.07, 0.01).unwrap();
        assert_close(up.p_value, down.p_value, 1e-9);
        assert_eq!(up.outside, down.outside);
        assert!(check_lower(&HIST, 200.0, 0.01).unwrap().p_value > 0.99);
    }

    #[test]
    fn outside_iff_beyond_bound() {
        let pi = prediction_interval(&HIST, 0.01, Sides::Upper).unwrap();
        assert!(!check_upper(&HIST, pi.upper * 0.999, 0.01).unwrap().outside);
        let c = check_upper(&HIST, pi.upper * 1.001, 0.01).unwrap();
        assert!(c.outside && c.p_value < 0.01);
        assert_close(
            pi.min_detectable_change(),
            pi.upper / pi.center - 1.0,
            1e-12,
        );
    }

    #[test]
    fn var_factor_narrows_interval() {
        let one = prediction_interval(&HIST, 0.01, Sides::Upper).unwrap();
        let med3 =
            prediction_interval_with(&HIST, 0.01, Sides::Upper, MEDIAN_OF_3_VAR_FACTOR).unwrap();
        let mean_ci = prediction_interval_with(&HIST, 0.01, Sides::Upper, 0.0).unwrap();
        assert!(mean_ci.upper < med3.upper && med3.upper < one.upper);
        let c = check_with(
            &HIST,
            med3.upper * 1.01,
            0.01,
            Tail::Upper,
            MEDIAN_OF_3_VAR_FACTOR,
        )
        .unwrap();
        assert!(c.outside);
    }

    #[test]
    fn two_values_work() {
        let pi = prediction_interval(&[100.0, 110.0], 0.01, Sides::Upper).unwrap();
        assert_eq!(pi.k, 2);
        assert!(pi.upper.is_finite() && pi.upper > 110.0);
    }

    #[test]
    fn false_alarm_rate_near_nominal() {
        // Log-normal noise: the prediction interval is exact, so about 1 % of
        // new values exceed the 99 % upper bound.
        let mut rng = Lcg(42);
        let reps = 20_000;
        let mut flagged = 0;
        for _ in 0..reps {
            let h: Vec<f64> = (0..10)
                .map(|_| 100.0 * (0.05 * rng.normal()).exp())
                .collect();
            let new = 100.0 * (0.05 * rng.normal()).exp();
            flagged += usize::from(check_upper(&h, new, 0.01).unwrap().outside);
        }
        // Binomial(20000, 0.01): mean 200, sd ≈ 14.
        assert!((140..=260).contains(&flagged), "flagged {flagged}");
    }

    #[test]
    fn extreme_parameters_do_not_panic() {
        let pi = prediction_interval(&HIST, 1e-300, Sides::Upper).unwrap();
        assert!(pi.upper >= 104.0);
        let mut rng = Lcg(1);
        let long: Vec<f64> = (0..100_000).map(|_| (0.1 * rng.normal()).exp()).collect();
        let pi = prediction_interval(&long, 0.05, Sides::TwoSided).unwrap();
        // Many degrees of freedom: t quantile approaches the normal 1.959964.
        assert!((pi.t_quantile - 1.959964).abs() < 1e-3, "{}", pi.t_quantile);
        let c = check_upper(&long, 1e300, 0.01).unwrap();
        assert!(c.outside && c.p_value < 1e-12);
        let c = check_upper(&[1e-300, 1e300], 1.0, 0.01).unwrap();
        assert!(!c.outside);
    }

    #[test]
    fn errors_not_panics() {
        use PredictionError::*;
        let e = |r: Result<PredictionInterval, PredictionError>| r.unwrap_err();
        assert_eq!(
            e(prediction_interval(&[], 0.01, Sides::Upper)),
            TooFewValues
        );
        assert_eq!(
            e(prediction_interval(&[5.0], 0.01, Sides::Upper)),
            TooFewValues
        );
        assert_eq!(
            e(prediction_interval(&[5.0; 8], 0.01, Sides::Upper)),
            ZeroVariance
        );
        assert_eq!(
            e(prediction_interval(&[5.0, 0.0], 0.01, Sides::Upper)),
            InvalidValue
        );
        assert_eq!(
            e(prediction_interval(&[5.0, -1.0], 0.01, Sides::Upper)),
            InvalidValue
        );
        assert_eq!(
            e(prediction_interval(&[5.0, f64::NAN], 0.01, Sides::Upper)),
            InvalidValue
        );
        assert_eq!(
            e(prediction_interval(
                &[5.0, f64::INFINITY],
                0.01,
                Sides::Upper
            )),
            InvalidValue
        );
        for a in [0.0, 0.5, -1.0, f64::NAN] {
            assert_eq!(
                e(prediction_interval(&HIST, a, Sides::Upper)),
                InvalidParameter
            );
        }
        assert_eq!(
            e(prediction_interval(&HIST, 1.0, Sides::TwoSided)),
            InvalidParameter
        );
        assert_eq!(
            e(prediction_interval_with(&HIST, 0.01, Sides::Upper, -1.0)),
            InvalidParameter
        );
        assert_eq!(check_upper(&HIST, 0.0, 0.01).unwrap_err(), InvalidValue);
        assert_eq!(
            check_upper(&HIST, f64::NAN, 0.01).unwrap_err(),
            InvalidValue
        );
        assert_eq!(check_upper(&[1.0], 2.0, 0.01).unwrap_err(), TooFewValues);
        assert!(!ZeroVariance.to_string().is_empty());
    }
}
