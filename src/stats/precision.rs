//! Precision of one run's statistic from that run's own samples: the standard error of ln(statistic).
//! It describes one run only; the spread between runs comes from repeated runs or from history.
//!
//! * Mean: the delta method, `sd / (mean · √n)`.
//! * Quantile q: the distance between the type 7 quantiles at `q ± Δ`, `Δ = √(q(1−q)/n)`, which is
//!   one standard error of the order statistic's rank on each side (the binomial argument behind
//!   distribution-free quantile intervals). For normal data at the median this is `1.2533 σ / √n`.
//!   A bimodal run whose quantile sits between the modes gets the wide error it deserves.

use super::moments::{mean, sum_sq_dev};
use super::quantile::{quantile_sorted, sorted_finite};

/// ln(mean) and its standard error; `None` for fewer than 2 values, a negative or non-finite value, or a
/// mean of 0.
pub fn log_mean_se(samples: &[f64]) -> Option<(f64, f64)> {
    let n = samples.len();
    if n < 2 || !samples.iter().all(|v| v.is_finite() && *v >= 0.0) {
        return None;
    }
    let nf = n as f64;
    let mean = mean(samples);
    let var = sum_sq_dev(samples) / (nf - 1.0);
    let se = var.sqrt() / (mean * nf.sqrt());
    (mean > 0.0 && mean.is_finite() && se.is_finite()).then(|| (mean.ln(), se))
}

/// ln(type 7 quantile q) and its standard error; `None` as for [`log_mean_se`] (a quantile of 0) or `q`
/// outside [0, 1]. Zeros below a positive quantile (a timer's resolution) use the relative spread.
pub fn log_quantile_se(samples: &[f64], q: f64) -> Option<(f64, f64)> {
    let n = samples.len();
    if n < 2 || !(0.0..=1.0).contains(&q) || !samples.iter().all(|v| *v >= 0.0) {
        return None;
    }
    let sorted = sorted_finite(samples)?;
    let nf = n as f64;
    let delta = (q * (1.0 - q) / nf).sqrt().max(1.0 / nf);
    let (lo_p, hi_p) = ((q - delta).max(0.0), (q + delta).min(1.0));
    let value = quantile_sorted(&sorted, q)?;
    let lo = quantile_sorted(&sorted, lo_p)?;
    let hi = quantile_sorted(&sorted, hi_p)?;
    // Scaled so that a truncated span at either end still stands for one rank error per side.
    if value <= 0.0 {
        return None;
    }
    let spread = if lo > 0.0 {
        hi.ln() - lo.ln()
    } else {
        (hi - lo) / value
    };
    let se = spread * delta / (hi_p - lo_p);
    se.is_finite().then(|| (value.ln(), se))
}

#[cfg(test)]
mod tests {
    use super::super::test_util::Lcg;
    use super::*;

    #[test]
    fn standard_errors_match_theory_for_log_normal_runs() {
        // ln values ~ N(0, 0.1): se(ln mean) ≈ 0.1/√n, se(ln median) ≈ 1.2533 · 0.1/√n.
        let mut rng = Lcg(8);
        let n = 400;
        let v: Vec<f64> = (0..n).map(|_| (0.1 * rng.normal()).exp()).collect();
        let (_, se_mean) = log_mean_se(&v).unwrap();
        let (_, se_med) = log_quantile_se(&v, 0.5).unwrap();
        let unit = 0.1 / (n as f64).sqrt();
        assert!((se_mean / unit - 1.0).abs() < 0.15, "{se_mean}");
        assert!((se_med / (1.2533 * unit) - 1.0).abs() < 0.25, "{se_med}");
        // Repeated draws: the spread of ln(median) matches the average estimated error.
        let draws: Vec<(f64, f64)> = (0..300)
            .map(|_| {
                let r: Vec<f64> = (0..n).map(|_| (0.1 * rng.normal()).exp()).collect();
                log_quantile_se(&r, 0.5).unwrap()
            })
            .collect();
        let m = draws.iter().map(|d| d.0).sum::<f64>() / 300.0;
        let sd = (draws.iter().map(|d| (d.0 - m).powi(2)).sum::<f64>() / 299.0).sqrt();
        let avg_se = draws.iter().map(|d| d.1).sum::<f64>() / 300.0;
        assert!((sd / avg_se - 1.0).abs() < 0.2, "{sd} vs {avg_se}");
    }

    #[test]
    fn bimodal_median_between_modes_is_imprecise() {
        let mut v = vec![1.0; 50];
        v.extend(vec![2.0; 50]);
        let (_, se) = log_quantile_se(&v, 0.5).unwrap();
        assert!(se > 0.2, "{se}");
        let (_, se_p10) = log_quantile_se(&v, 0.1).unwrap();
        assert_eq!(se_p10, 0.0);
    }

    #[test]
    fn extremes_and_bad_input() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!(log_quantile_se(&v, 1.0).unwrap().1 > 0.0);
        assert!(log_quantile_se(&v, 0.0).unwrap().1 > 0.0);
        assert_eq!(log_quantile_se(&[1.0], 0.5), None);
        assert_eq!(log_quantile_se(&[0.0, 0.0, 1.0], 0.5), None);
        assert!(log_quantile_se(&[0.0, 1.0, 1.0, 2.0], 0.5).unwrap().1 > 0.0);
        assert_eq!(log_mean_se(&[0.0, 0.0]), None);
        assert!(log_mean_se(&[0.0, 2.0]).is_some());
        assert_eq!(log_quantile_se(&v, 1.5), None);
        assert_eq!(log_mean_se(&[1.0, f64::NAN]), None);
        assert_eq!(log_mean_se(&[-1.0, 2.0]), None);
    }
}
