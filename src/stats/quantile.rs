//! Hyndman–Fan type 7 quantiles (numpy's default `linear`, k6 `TrendSink`,
//! criterion): linear interpolation at virtual index `h = (n - 1) p`.
//!
//! All functions return `None` for empty input, any non-finite value, or a
//! level `p` outside `[0, 1]`.

use std::cmp::Ordering;

/// Type 7 quantile of an already ascending-sorted slice.
///
/// Returns `None` if the slice is empty, contains a non-finite value, is not
/// sorted ascending, or `p` is not in `[0, 1]`. The checks are O(n).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if !valid_level(p) || !is_sorted_finite(sorted) {
        return None;
    }
    quantile_sorted_unchecked(sorted, p)
}

/// Type 7 quantile of an unsorted slice (copies and sorts).
pub fn quantile(values: &[f64], p: f64) -> Option<f64> {
    if !valid_level(p) {
        return None;
    }
    let sorted = sorted_finite(values)?;
    quantile_sorted_unchecked(&sorted, p)
}

/// Median (type 7 at p = 0.5: midpoint of the two middle values for even n).
pub fn median(values: &[f64]) -> Option<f64> {
    quantile(values, 0.5)
}

/// Several type 7 quantiles from a single sort, in the order of `ps`.
///
/// Returns `None` if the data are invalid or any level is outside `[0, 1]`.
pub fn quantiles(values: &[f64], ps: &[f64]) -> Option<Vec<f64>> {
    if !ps.iter().all(|&p| valid_level(p)) {
        return None;
    }
    let sorted = sorted_finite(values)?;
    ps.iter()
        .map(|&p| quantile_sorted_unchecked(&sorted, p))
        .collect()
}

/// Sorted copy of `values`, or `None` if empty or any value is non-finite.
pub fn sorted_finite(values: &[f64]) -> Option<Vec<f64>> {
    if values.is_empty() || !values.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    Some(v)
}

fn valid_level(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

fn is_sorted_finite(s: &[f64]) -> bool {
    !s.is_empty()
        && s.iter().all(|v| v.is_finite())
        && s.windows(2)
            .all(|w| w[0].partial_cmp(&w[1]) != Some(Ordering::Greater))
}

/// Caller guarantees: non-empty, finite, sorted, `p` in `[0, 1]`.
fn quantile_sorted_unchecked(sorted: &[f64], p: f64) -> Option<f64> {
    let (lo, hi, t) = type7_position(sorted.len() as u64, p)?;
    let at = |rank: u64| sorted.get(usize::try_from(rank).ok()?).copied();
    Some(lerp(at(lo)?, at(hi)?, t))
}

/// Where the type 7 quantile at level `p` of `n` sorted values lies: the 0-based
/// ranks either side of the virtual index `h = (n - 1) p` and the fraction of
/// the way from the first to the second. `None` if `n` is 0 or `p` is not in
/// `[0, 1]`. For summaries that find order statistics without a sorted slice.
pub fn type7_position(n: u64, p: f64) -> Option<(u64, u64, f64)> {
    if n == 0 || !valid_level(p) {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let lo = h.floor();
    let lo_rank = (lo as u64).min(n - 1);
    Some((lo_rank, (lo_rank + 1).min(n - 1), h - lo))
}

/// The value a fraction `t` of the way from order statistic `a` to `b`.
///
/// numpy's `_lerp`: interpolating from the nearer end keeps results exact at
/// t = 0 and t = 1 and makes us bit-identical to `np.quantile`. k6's
/// `TrendSink.P` computes `a + (b - a) t`, which rounds differently in the
/// last bit now and then (1 of the 480 percentiles in `fixtures/k6`); this
/// form's error bound is never larger (`b - a` and its rounding are scaled by
/// the smaller of `t` and `1 - t`) and it never leaves `[a, b]`.
pub fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_numpy_type7() {
        // np.quantile(np.arange(1, 11), [0, .1, .25, .5, .9, .95, .99, 1])
        // -> [1.0, 1.9, 3.25, 5.5, 9.1, 9.549999999999999, 9.91, 10.0]
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        let ps = [0.0, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0];
        let want = [1.0, 1.9, 3.25, 5.5, 9.1, 9.549999999999999, 9.91, 10.0];
        // Same lerp as numpy, so bit-identical.
        assert_eq!(quantiles(&v, &ps).unwrap(), want);
    }

    #[test]
    fn matches_numpy_unsorted_with_duplicates() {
        // np.quantile([3.5, 1.0, 7.25, 1.0, 10.0, 2.0, 7.25], [0.3, 0.5, 0.95])
        // -> [1.7999999999999998, 3.5, 9.174999999999997]
        let v = [3.5, 1.0, 7.25, 1.0, 10.0, 2.0, 7.25];
        let got = quantiles(&v, &[0.3, 0.5, 0.95]).unwrap();
        assert_eq!(got, [1.7999999999999998, 3.5, 9.174999999999997]);
        assert_eq!(median(&v), Some(3.5));
    }

    #[test]
    fn median_even_and_odd() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[42.0]), Some(42.0));
    }

    #[test]
    fn single_value_any_level() {
        for p in [0.0, 0.3, 1.0] {
            assert_eq!(quantile(&[7.0], p), Some(7.0));
        }
    }

    #[test]
    fn endpoints_are_min_and_max() {
        let v = [0.1, -3.0, 8.5, 2.2];
        assert_eq!(quantile(&v, 0.0), Some(-3.0));
        assert_eq!(quantile(&v, 1.0), Some(8.5));
    }

    #[test]
    fn monotone_in_p() {
        let v = [5.0, 1.0, 9.0, 2.0, 2.0, 7.0];
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=100 {
            let q = quantile(&v, f64::from(i) / 100.0).unwrap();
            assert!(q >= prev);
            prev = q;
        }
    }

    #[test]
    fn all_equal_values() {
        assert_eq!(quantile(&[3.0; 5], 0.95), Some(3.0));
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(median(&[]), None);
        assert_eq!(quantile(&[1.0, f64::NAN], 0.5), None);
        assert_eq!(quantile(&[1.0, f64::INFINITY], 0.5), None);
        assert_eq!(quantile(&[1.0, 2.0], -0.1), None);
        assert_eq!(quantile(&[1.0, 2.0], 1.1), None);
        assert_eq!(quantile(&[1.0, 2.0], f64::NAN), None);
        assert_eq!(quantiles(&[1.0, 2.0], &[0.5, 2.0]), None);
        assert_eq!(quantiles(&[1.0, 2.0], &[]), Some(vec![]));
    }

    #[test]
    fn tiny_inputs() {
        assert_eq!(quantile_sorted(&[4.0], 0.99), Some(4.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 1.0), Some(2.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 1.5), None);
    }

    #[test]
    fn positions_either_side_of_the_virtual_index() {
        // n = 11, p = 0.95: h = 9.5, between ranks 9 and 10.
        assert_eq!(type7_position(11, 0.95), Some((9, 10, 0.5)));
        assert_eq!(type7_position(11, 1.0), Some((10, 10, 0.0)));
        assert_eq!(type7_position(1, 0.5), Some((0, 0, 0.0)));
        assert_eq!(type7_position(0, 0.5), None);
        assert_eq!(type7_position(5, 1.5), None);
    }

    #[test]
    fn sorted_variant_checks_order() {
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0], 0.5), Some(2.0));
        assert_eq!(quantile_sorted(&[3.0, 2.0, 1.0], 0.5), None);
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[1.0, f64::NAN], 0.5), None);
    }
}
