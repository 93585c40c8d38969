//! Slow drift over a series of snapshots: Theil–Sen slope (median of pairwise slopes) and the exact
//! one-sided Mann–Kendall trend test. A creep of +4 % per merge never leaves a prediction interval built
//! from the creeping history itself, but it is a monotone trend.

/// Largest series the exact test enumerates by its inversion-count distribution (O(n³) tiny integers).
const EXACT_MAX_LEN: usize = 64;

/// Median of the pairwise slopes `(v_j - v_i) / (j - i)`, i < j. `None` for fewer than 2 finite values.
pub fn theil_sen_slope(values: &[f64]) -> Option<f64> {
    if values.len() < 2 || !values.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut slopes = Vec::with_capacity(values.len() * (values.len() - 1) / 2);
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            slopes.push((values[j] - values[i]) / (j - i) as f64);
        }
    }
    super::median(&slopes)
}

/// One-sided p-value that the series increases: P(I ≤ i) under exchangeability, where I counts the
/// pairs i < j with `v_i > v_j` (a tie counts one half, rounded up: ties never help the trend).
/// Exact from the Mahonian distribution up to [`EXACT_MAX_LEN`] values; `None` beyond or on bad input.
pub fn increasing_trend_p(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if !(2..=EXACT_MAX_LEN).contains(&n) || !values.iter().all(|v| v.is_finite()) {
        return None;
    }
    let mut half_inversions = 0usize;
    for i in 0..n {
        for j in i + 1..n {
            if values[i] > values[j] {
                half_inversions += 2;
            } else if values[i] == values[j] {
                half_inversions += 1;
            }
        }
    }
    let inversions = half_inversions.div_ceil(2);
    // counts[k] = permutations of the values so far with k inversions; probabilities keep it in range.
    let max = n * (n - 1) / 2;
    let mut probs = vec![0.0f64; max + 1];
    probs[0] = 1.0;
    for len in 2..=n {
        let mut next = vec![0.0f64; max + 1];
        for (k, &p) in probs.iter().enumerate().filter(|(_, p)| **p > 0.0) {
            // The new last element adds 0..len-1 inversions, uniformly.
            for add in 0..len {
                if let Some(slot) = next.get_mut(k + add) {
                    *slot += p / len as f64;
                }
            }
        }
        probs = next;
    }
    Some(
        probs[..=inversions.min(max)]
            .iter()
            .sum::<f64>()
            .clamp(0.0, 1.0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_a_line_with_an_outlier() {
        let v = [0.0, 1.0, 2.0, 30.0, 4.0, 5.0];
        assert_eq!(theil_sen_slope(&v), Some(1.0));
        assert_eq!(theil_sen_slope(&[1.0]), None);
        assert_eq!(theil_sen_slope(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn exact_trend_p_by_enumeration() {
        // Monotone: 1/n!; one adjacent swap: (1 + (n-1)) / n!.
        let up: Vec<f64> = (0..7).map(f64::from).collect();
        assert!((increasing_trend_p(&up).unwrap() - 1.0 / 5040.0).abs() < 1e-15);
        let mut one = up.clone();
        one.swap(2, 3);
        assert!((increasing_trend_p(&one).unwrap() - 7.0 / 5040.0).abs() < 1e-15);
        let down: Vec<f64> = up.iter().rev().copied().collect();
        assert!((increasing_trend_p(&down).unwrap() - 1.0).abs() < 1e-12);
        // Brute force over all 5! orders of 5 distinct values.
        fn perms(rest: Vec<usize>) -> Vec<Vec<usize>> {
            if rest.len() <= 1 {
                return vec![rest];
            }
            (0..rest.len())
                .flat_map(|i| {
                    let mut r = rest.clone();
                    let head = r.remove(i);
                    perms(r).into_iter().map(move |mut t| {
                        t.insert(0, head);
                        t
                    })
                })
                .collect()
        }
        let perms = perms((0..5).collect());
        let inv = |p: &[usize]| {
            (0..5)
                .flat_map(|i| (i + 1..5).map(move |j| (i, j)))
                .filter(|&(i, j)| p[i] > p[j])
                .count()
        };
        let all: Vec<usize> = perms.iter().map(|p| inv(p)).collect();
        assert_eq!(all.len(), 120);
        for p in &perms {
            let v: Vec<f64> = p.iter().map(|&x| x as f64).collect();
            let want = all.iter().filter(|&&k| k <= inv(p)).count() as f64 / 120.0;
            assert!((increasing_trend_p(&v).unwrap() - want).abs() < 1e-12);
        }
        // Ties count against the trend.
        assert!(increasing_trend_p(&[1.0, 1.0, 1.0]).unwrap() > 0.5);
        assert_eq!(increasing_trend_p(&[1.0]), None);
    }
}
