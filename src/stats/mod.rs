//! Statistics for the regression gate. Pure functions: invalid input
//! (empty, NaN, ±∞, too few values) yields `None`/`Err`, never a panic.
//!
//! * [`quantile`]: type 7 quantiles (numpy default, k6, criterion).
//! * [`mann_whitney`]: Mann–Whitney U test, exact for small untied samples.
//! * [`hodges_lehmann`]: two-sample shift estimate and distribution-free
//!   confidence bounds; feed it `ln` values to get log-ratios.
//! * [`prediction`]: log-scale Student-t prediction interval for one new
//!   value given a history (summary-only inputs).
//! * [`moments`]: the mean and the squared deviations from it.
//! * [`precision`]: one run's standard error of ln(mean) or ln(quantile).
//! * [`trend`]: Theil–Sen slope and the exact Mann–Kendall test, for drift.
//! * [`robust`]: median, MAD and outlier rejection for between-run spreads.
//! * [`changepoint`]: where a series stepped (rank binary segmentation, permutation test).
//! * [`sketch`]: bounded-memory count, sum, extremes and type 7 percentiles of
//!   a long stream (k6 NDJSON trends).
//! * [`distinct`]: the number of distinct values of a stream in 4 KiB
//!   (HyperLogLog), for warnings about values that are not kept.

pub mod changepoint;
pub mod combine;
pub mod counts;
pub mod distinct;
pub mod hodges_lehmann;
pub mod mann_whitney;
pub mod moments;
pub mod precision;
pub mod prediction;
pub mod quantile;
pub mod robust;
pub mod sketch;
pub mod trend;

pub use hodges_lehmann::{
    hl_lower_bound, hl_upper_bound, hodges_lehmann, hodges_lehmann_ci, kth_pairwise_difference,
    CiMethod, HlEstimate, Sides,
};
pub use mann_whitney::{
    mann_whitney, mann_whitney_with, min_achievable_p, min_equal_n_for_alpha, Alternative,
    ExactUDistribution, MethodChoice, MwMethod, MwResult, EXACT_MAX_PAIRS,
};
pub use precision::{log_mean_se, log_quantile_se};
pub use prediction::{
    check_lower, check_upper, check_with, prediction_interval, prediction_interval_with,
    PredictionCheck, PredictionError, PredictionInterval, Tail, MEDIAN_OF_3_VAR_FACTOR,
};
pub use quantile::{median, quantile, quantile_sorted, quantiles, sorted_finite};
pub use trend::{increasing_trend_p, theil_sen_slope};

#[cfg(test)]
pub(crate) mod test_util {
    /// Reference samples of 20 and 25 values: `rng = np.random.default_rng(5);
    /// x = np.round(rng.normal(0, 1, 20), 3); y = np.round(rng.normal(0.6, 1, 25), 3)`.
    pub(crate) const RNG5_X: [f64; 20] = [
        -0.802, -1.324, -0.248, 0.42, 1.136, 0.11, -0.553, -0.785, 0.749, 1.635, 0.273, -1.233,
        -0.958, 1.6, 0.203, -1.732, -0.084, -1.163, -0.629, -0.488,
    ];
    pub(crate) const RNG5_Y: [f64; 25] = [
        -0.113, 1.153, 0.537, 0.011, 1.01, 1.43, -1.043, 0.343, -0.381, 0.427, -0.689, 0.621,
        0.562, 0.296, -0.448, 0.204, -0.491, -0.755, 0.825, -0.509, 1.77, 1.317, -1.398, 0.872,
        -0.502,
    ];

    /// Tiny deterministic PRNG for tests (64-bit LCG, Knuth's MMIX constants).
    pub(crate) struct Lcg(pub u64);

    impl Lcg {
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0
        }

        /// Uniform in [0, 1) from the 53 high bits.
        pub fn uniform(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
        }

        pub fn below(&mut self, n: usize) -> usize {
            (self.uniform() * n as f64) as usize
        }

        /// Standard normal via Box–Muller; `1 - u` avoids ln(0).
        pub fn normal(&mut self) -> f64 {
            let (u1, u2) = (1.0 - self.uniform(), self.uniform());
            (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_panic_on_odd_inputs() {
        let odd: Vec<Vec<f64>> = vec![
            vec![],
            vec![0.0],
            vec![-0.0, 0.0],
            vec![f64::NAN],
            vec![1.0, f64::NAN, 2.0],
            vec![f64::INFINITY, 1.0],
            vec![f64::NEG_INFINITY],
            vec![f64::MIN_POSITIVE / 4.0, 5e-324, 1.0],
            vec![f64::MAX, -f64::MAX],
            vec![1e300, 1e-300, 1.0],
            vec![-1.0, -2.0, 3.0],
            vec![7.0; 40],
            (0..60).map(|i| f64::from(i % 3)).collect(),
        ];
        let alphas = [0.0, 1e-300, 0.01, 0.5, 1.0, f64::NAN, -1.0];
        for x in &odd {
            for p in [0.0, 0.5, 1.0, f64::NAN, 2.0] {
                let _ = quantile(x, p);
                let _ = quantile_sorted(x, p);
            }
            let _ = quantiles(x, &[0.5, 0.95]);
            for y in &odd {
                for alt in [
                    Alternative::Less,
                    Alternative::Greater,
                    Alternative::TwoSided,
                ] {
                    for choice in [
                        MethodChoice::Auto,
                        MethodChoice::Exact,
                        MethodChoice::Normal,
                    ] {
                        if let Some(r) = mann_whitney_with(x, y, alt, choice) {
                            assert!((0.0..=1.0).contains(&r.p_value));
                        }
                    }
                }
                let _ = hodges_lehmann(x, y);
                for k in [0, 1, 5, usize::MAX] {
                    let _ = kth_pairwise_difference(x, y, k);
                }
                for a in alphas {
                    for sides in [Sides::Lower, Sides::Upper, Sides::TwoSided] {
                        if let Some(e) = hodges_lehmann_ci(x, y, a, sides) {
                            assert!(!e.shift.is_nan() && e.lower <= e.upper);
                        }
                    }
                }
            }
            for a in alphas {
                for v in [0.0, 1.0, f64::NAN, 1e308] {
                    let _ = check_upper(x, v, a);
                    let _ = check_lower(x, v, a);
                    let _ = check_with(x, v, a, Tail::Upper, f64::INFINITY);
                }
            }
        }
        for (m, n) in [(0, 0), (1, 0), (60, 60), (usize::MAX, 2)] {
            let _ = ExactUDistribution::new(m, n);
            let _ = min_achievable_p(m, n);
        }
    }
}
