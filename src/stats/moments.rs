//! The mean of a sample and the spread around it, computed one way for every caller.

/// The arithmetic mean; NaN for no values (callers check the count first).
pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The sum of squared deviations from the mean, Σ (v − mean)²: the variance's numerator.
pub fn sum_sq_dev(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|a| (a - m).powi(2)).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_squared_deviations() {
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&v), 5.0);
        assert_eq!(sum_sq_dev(&v), 32.0);
        assert!(mean(&[]).is_nan());
    }
}
