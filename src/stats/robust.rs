//! Robust location and scale: one slow run or one slow snapshot must not widen the spread that the
//! gate measures noise by, nor move the centre a change is measured from.
//!
//! * [`mad_sd`]: the median absolute deviation, scaled (×1.4826) to estimate a normal sd.
//! * [`trimmed`]: the values left after rejecting those more than [`REJECT_MADS`] scaled MADs from the
//!   median, the classic outlier rule; the sd of what is left has nearly the efficiency of the sample sd
//!   on clean data (the MAD alone has 37 %), and none of its fragility.

use super::moments::{mean, sum_sq_dev};

/// 1 / Φ⁻¹(3/4): makes the MAD a consistent estimate of a normal distribution's sd.
pub const MAD_TO_SD: f64 = 1.482_602_218_505_602;

/// Values further than this many scaled MADs from the median are outliers. 3.5 is Iglewicz and
/// Hoaglin's cut-off: a normal sample of 10 loses a value to it about once in 300 samples.
pub const REJECT_MADS: f64 = 3.5;

/// The scaled median absolute deviation from the median. `None` for fewer than 2 finite values.
pub fn mad_sd(v: &[f64]) -> Option<f64> {
    if v.len() < 2 || !v.iter().all(|x| x.is_finite()) {
        return None;
    }
    let m = super::median(v)?;
    let dev: Vec<f64> = v.iter().map(|x| (x - m).abs()).collect();
    super::median(&dev).map(|d| d * MAD_TO_SD)
}

/// The indices of the values within [`REJECT_MADS`] scaled MADs of the median (all of them when the
/// MAD is zero: no spread to judge outliers by, and ties are not outliers).
pub fn kept(v: &[f64]) -> Vec<usize> {
    let all = (0..v.len()).collect();
    let (Some(m), Some(s)) = (super::median(v), mad_sd(v)) else {
        return all;
    };
    if s <= 0.0 {
        return all;
    }
    (0..v.len())
        .filter(|&i| (v[i] - m).abs() <= REJECT_MADS * s)
        .collect()
}

/// The values without their outliers (see [`kept`]).
pub fn trimmed(v: &[f64]) -> Vec<f64> {
    kept(v).into_iter().map(|i| v[i]).collect()
}

/// Location and spread of a sample that tolerate outliers: the mean and sample sd of the kept values,
/// with the kept count. `None` for fewer than 2 kept values.
pub fn location_scale(v: &[f64]) -> Option<(f64, f64, usize)> {
    let t = trimmed(v);
    (t.len() >= 2).then(|| {
        (
            mean(&t),
            (sum_sq_dev(&t) / (t.len() - 1) as f64).sqrt(),
            t.len(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mad_of_a_known_sample() {
        // R: mad(c(1, 2, 3, 4, 100)) = 1.4826
        assert!((mad_sd(&[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap() - 1.4826).abs() < 1e-4);
        assert_eq!(mad_sd(&[1.0]), None);
        assert_eq!(mad_sd(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn one_slow_value_is_rejected_and_does_not_widen_the_spread() {
        let v = [0.0, 0.03, -0.02, 0.01, -0.03, 0.02, -0.01, 0.336, 0.0, 0.01];
        let t = trimmed(&v);
        assert_eq!(t.len(), 9);
        let (centre, sd, n) = location_scale(&v).unwrap();
        assert_eq!(n, 9);
        assert!(centre.abs() < 0.01 && sd < 0.03, "{centre} {sd}");
        // Ties are not outliers.
        assert_eq!(trimmed(&[1.0, 1.0, 1.0, 2.0]).len(), 4);
    }
}
