//! Mann–Whitney U test, own implementation: statrs 0.18/0.19 returns
//! `1 - p` on its exact path whenever `x.len() <= y.len()`.
//!
//! Conventions follow `scipy.stats.mannwhitneyu(x, y, alternative=...)`:
//! * `u` is the U statistic of `x`: `#{(i, j): x_i > y_j} + 0.5 · #{x_i == y_j}`.
//! * [`Alternative::Greater`]: x is stochastically greater than y (p = P(U ≥ u)).
//! * [`Alternative::Less`]: x is stochastically less than y (p = P(U ≤ u)).
//!
//! For perfgate with `x = ln(baseline)`, `y = ln(current)`, "current is
//! larger" is `Alternative::Less`, which matches the sign of
//! [`hodges_lehmann`](super::hodges_lehmann::hodges_lehmann)`(x, y) > 0`.

use statrs::distribution::{ContinuousCDF, Normal};

/// Largest `m · n` for which the exact null distribution is used. Counts for
/// 50 vs 50 (C(100, 50) ≈ 1e29) still fit in `u128`, and the cost is tiny.
pub const EXACT_MAX_PAIRS: usize = 2500;

/// Alternative hypothesis, stated for `x` relative to `y` (scipy convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    /// x and y differ in location.
    TwoSided,
    /// x tends to be greater than y.
    Greater,
    /// x tends to be less than y.
    Less,
}

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MwMethod {
    /// Exact null distribution of U (no ties; see [`exact_feasible`]).
    Exact,
    /// Exact distribution of U conditional on the observed ties (small samples with ties).
    ExactConditional,
    /// Normal approximation with tie and continuity correction.
    Normal,
    /// Every value in both samples is equal: no evidence either way, p = 1.
    AllTied,
}

/// Requested method for [`mann_whitney_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodChoice {
    /// Exact when the smaller sample is small enough (conditional on ties, if any), else normal.
    Auto,
    /// Exact only; `None` if the samples are too large.
    Exact,
    /// Normal approximation (scipy `method="asymptotic"`, continuity on).
    Normal,
}

/// Result of a Mann–Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MwResult {
    /// U statistic of `x` (see module docs); `m · n - u` is the U of `y`.
    pub u: f64,
    /// p-value for the requested alternative, in `[0, 1]`.
    pub p_value: f64,
    /// Method used.
    pub method: MwMethod,
    /// Whether the pooled sample contains ties.
    pub has_ties: bool,
}

/// Mann–Whitney U test with automatic method choice (exact if no ties and
/// `m · n <= EXACT_MAX_PAIRS`, else normal approximation).
///
/// Returns `None` if either sample is empty or contains a non-finite value.
pub fn mann_whitney(x: &[f64], y: &[f64], alternative: Alternative) -> Option<MwResult> {
    mann_whitney_with(x, y, alternative, MethodChoice::Auto)
}

/// Mann–Whitney U test with an explicit method choice.
pub fn mann_whitney_with(
    x: &[f64],
    y: &[f64],
    alternative: Alternative,
    choice: MethodChoice,
) -> Option<MwResult> {
    let (m, n) = (x.len(), y.len());
    if m == 0 || n == 0 || !x.iter().chain(y).all(|v| v.is_finite()) {
        return None;
    }
    let ranks = rank_sum(x, y);
    let u = ranks.rank_sum_x - (m * (m + 1)) as f64 / 2.0;
    let has_ties = ranks.tie_term > 0.0;
    let mn = (m * n) as f64;

    let exact_ok = if has_ties {
        conditional_feasible(x, y)
    } else {
        exact_feasible(m, n)
    };
    let use_exact = match choice {
        MethodChoice::Auto => exact_ok,
        MethodChoice::Exact if exact_ok => true,
        MethodChoice::Exact => return None,
        MethodChoice::Normal => false,
    };

    let nn = (m + n) as f64;
    let all_tied = ranks.tie_term >= nn * nn * nn - nn;
    if use_exact && has_ties && !all_tied {
        if let Some(p) = conditional_p(x, y, u, alternative) {
            return Some(MwResult {
                u,
                p_value: p.clamp(0.0, 1.0),
                method: MwMethod::ExactConditional,
                has_ties,
            });
        }
    } else if use_exact && !has_ties {
        let dist = ExactUDistribution::cached(m, n)?;
        // No ties: u is an integer in 0..=mn.
        let ui = u.round() as usize;
        let p = match alternative {
            Alternative::Greater => dist.sf(ui),
            Alternative::Less => dist.cdf(ui),
            Alternative::TwoSided => 2.0 * dist.sf(ui.max(m * n - ui)),
        };
        return Some(MwResult {
            u,
            p_value: p.clamp(0.0, 1.0),
            method: MwMethod::Exact,
            has_ties,
        });
    }

    let total = (m + n) as f64;
    let var = mn / 12.0 * ((total + 1.0) - ranks.tie_term / (total * (total - 1.0)));
    if var.is_nan() || var <= 0.0 {
        // Only when every value is tied (or m + n < 2, excluded above).
        return Some(MwResult {
            u,
            p_value: 1.0,
            method: MwMethod::AllTied,
            has_ties,
        });
    }
    // Same statistic choice and continuity correction as scipy.
    let (stat, factor) = match alternative {
        Alternative::Greater => (u, 1.0),
        Alternative::Less => (mn - u, 1.0),
        Alternative::TwoSided => (u.max(mn - u), 2.0),
    };
    let z = (stat - mn / 2.0 - 0.5) / var.sqrt();
    let p = factor * standard_normal()?.sf(z);
    Some(MwResult {
        u,
        p_value: p.clamp(0.0, 1.0),
        method: MwMethod::Normal,
        has_ties,
    })
}

/// Largest smaller side for which the exact distribution is used whatever the larger side (up to
/// [`EXACT_MAX_PAIRS_SMALL_SIDE`] pairs): the normal approximation is poor when one side is tiny, e.g.
/// 2 values against 1300.
pub const EXACT_SMALL_SIDE: usize = 10;
/// Pair limit for the small-side exact path.
pub const EXACT_MAX_PAIRS_SMALL_SIDE: usize = 200_000;
/// Largest smaller side for the exact conditional distribution under ties.
pub const EXACT_TIES_SMALL_SIDE: usize = 25;
/// Work limit (state updates) of the exact conditional distribution.
const CONDITIONAL_MAX_WORK: usize = 40_000_000;

/// Whether the exact tie-free distribution is used for sizes `m`, `n`: chosen by the smaller sample.
pub fn exact_feasible(m: usize, n: usize) -> bool {
    let Some(pairs) = m.checked_mul(n) else {
        return false;
    };
    pairs <= EXACT_MAX_PAIRS
        || (m.min(n) <= EXACT_SMALL_SIDE && pairs <= EXACT_MAX_PAIRS_SMALL_SIDE)
}

/// Sizes of the tie groups of the pooled sample, in ascending order of value (finite input).
fn tie_groups(x: &[f64], y: &[f64]) -> Vec<(usize, usize)> {
    // (value, is_x) sorted; groups as (size, number of x in it).
    let mut pooled: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    pooled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups = Vec::new();
    let mut start = 0;
    while start < pooled.len() {
        let mut end = start + 1;
        // `==` rather than total_cmp so that -0.0 and 0.0 tie.
        while end < pooled.len() && pooled[end].0 == pooled[start].0 {
            end += 1;
        }
        let in_x = pooled[start..end].iter().filter(|p| p.1).count();
        groups.push((end - start, in_x));
        start = end;
    }
    groups
}

fn conditional_work(m: usize, n: usize, groups: &[(usize, usize)]) -> Option<usize> {
    let small = m.min(n);
    let states = (small + 1).checked_mul(2 * m.checked_mul(n)? + 1)?;
    groups.iter().try_fold(0usize, |acc, &(t, _)| {
        acc.checked_add(states.checked_mul(t.min(small) + 1)?)
    })
}

fn conditional_feasible(x: &[f64], y: &[f64]) -> bool {
    let (m, n) = (x.len(), y.len());
    m.min(n) <= EXACT_TIES_SMALL_SIDE
        && conditional_work(m, n, &tie_groups(x, y)).is_some_and(|w| w <= CONDITIONAL_MAX_WORK)
}

/// Exact p-value of U conditional on the tie structure: every way of choosing which `m` of the pooled
/// values belong to `x` is equally likely. Dynamic programme over tie groups on (x used, 2U).
fn conditional_p(x: &[f64], y: &[f64], u: f64, alternative: Alternative) -> Option<f64> {
    let (m, n) = (x.len(), y.len());
    let groups = tie_groups(x, y);
    if conditional_work(m, n, &groups)? > CONDITIONAL_MAX_WORK * 2 {
        return None;
    }
    let width = 2 * m * n + 1;
    // dp[k * width + u2]: weight of arrangements with k x-values placed and 2U = u2 so far.
    let mut dp = vec![0.0f64; (m + 1) * width];
    dp[0] = 1.0;
    let mut placed = 0usize;
    for &(t, _) in &groups {
        let mut next = vec![0.0f64; (m + 1) * width];
        // C(t, j) for j = 0..=t, in f64 (exact for the sizes allowed).
        let mut binom = vec![1.0f64; t + 1];
        for j in 1..=t {
            binom[j] = binom[j - 1] * (t + 1 - j) as f64 / j as f64;
        }
        for k in 0..=m.min(placed) {
            let ys_below = placed - k;
            if ys_below > n {
                continue;
            }
            for u2 in 0..width {
                let w = dp[k * width + u2];
                if w == 0.0 {
                    continue;
                }
                for (j, &ways) in binom.iter().enumerate().take(t.min(m - k) + 1) {
                    if t - j > n - ys_below {
                        continue;
                    }
                    let add = 2 * j * ys_below + j * (t - j);
                    if let Some(slot) = next.get_mut((k + j) * width + u2 + add) {
                        *slot += w * ways;
                    }
                }
            }
        }
        dp = next;
        placed += t;
    }
    let row = &dp[m * width..(m + 1) * width];
    let total: f64 = row.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    let obs = (2.0 * u).round() as usize;
    let le: f64 = row[..=obs.min(width - 1)].iter().sum::<f64>() / total;
    let ge: f64 = row[obs.min(width - 1)..].iter().sum::<f64>() / total;
    Some(match alternative {
        Alternative::Greater => ge,
        Alternative::Less => le,
        Alternative::TwoSided => (2.0 * le.min(ge)).min(1.0),
    })
}

/// Smallest one-sided p-value the exact test can reach with sample sizes
/// `m` and `n`: `1 / C(m + n, m)` (double it for two-sided). Returns 1 if
/// either size is 0. E.g. 3 vs 3 gives 0.05, so α = 0.01 is unreachable.
pub fn min_achievable_p(m: usize, n: usize) -> f64 {
    let (small, large) = (m.min(n), m.max(n));
    // 1 / C(large + small, small) = Π i / (large + i); stays in f64 range.
    let mut acc = 1.0;
    for i in 1..=small {
        acc *= i as f64 / (large as f64 + i as f64);
        if acc == 0.0 {
            break; // Underflowed; also bounds the loop for huge sizes.
        }
    }
    acc
}

/// Smallest per-side size `n` for which an `n` vs `n` one-sided exact test can
/// reach `alpha` (e.g. 5 for α = 0.01, 4 for α = 0.05). `None` if `alpha` is
/// not in `(0, 1]`.
pub fn min_equal_n_for_alpha(alpha: f64) -> Option<usize> {
    if !(alpha > 0.0 && alpha <= 1.0) {
        return None;
    }
    // 1/C(2n, n) < 4^-n · 2n, so n ≤ 600 covers every alpha above 1e-300.
    // Relative slack so that 3 vs 3 counts for α = 0.05 (p = 1/20 exactly).
    (1..=600).find(|&n| min_achievable_p(n, n) <= alpha * (1.0 + 1e-12))
}

/// Exact null distribution of U for sample sizes `m` and `n` without ties
/// (all C(m + n, m) arrangements equally likely).
#[derive(Debug, Clone)]
pub struct ExactUDistribution {
    m: usize,
    n: usize,
    /// cumulative[u] = #arrangements with U <= u.
    cumulative: Vec<u128>,
}

impl ExactUDistribution {
    /// Like [`ExactUDistribution::new`], memoised per `(m, n)`: gates compare many metrics with the
    /// same sample sizes, and the detection-quality simulation calls this millions of times.
    pub fn cached(m: usize, n: usize) -> Option<std::sync::Arc<Self>> {
        use std::collections::HashMap;
        use std::sync::{Arc, Mutex, OnceLock};
        type Cache = Mutex<HashMap<(usize, usize), Arc<ExactUDistribution>>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        if let Some(d) = cache.lock().ok()?.get(&(m, n)) {
            return Some(Arc::clone(d));
        }
        let d = Arc::new(ExactUDistribution::new(m, n)?);
        if let Ok(mut c) = cache.lock() {
            // Bounded: only small tables (≤ 2500 pairs) are kept.
            if c.len() < 4096 && m * n <= EXACT_MAX_PAIRS {
                c.insert((m, n), Arc::clone(&d));
            }
        }
        Some(d)
    }

    /// Builds the distribution; `None` if `m` or `n` is 0 or the sizes are beyond
    /// [`exact_feasible`] (or the counts overflow).
    pub fn new(m: usize, n: usize) -> Option<Self> {
        if m == 0 || n == 0 || !exact_feasible(m, n) {
            return None;
        }
        let counts = u_counts(m, n)?;
        let mut acc: u128 = 0;
        let mut cumulative = Vec::with_capacity(counts.len());
        for c in counts {
            acc = acc.checked_add(c)?;
            cumulative.push(acc);
        }
        Some(Self { m, n, cumulative })
    }

    /// Sample sizes `(m, n)`.
    pub fn sizes(&self) -> (usize, usize) {
        (self.m, self.n)
    }

    /// Largest possible U, `m · n`.
    pub fn max_u(&self) -> usize {
        self.m * self.n
    }

    /// Number of arrangements, C(m + n, m).
    pub fn total(&self) -> u128 {
        self.cumulative.last().copied().unwrap_or(1)
    }

    /// P(U <= u); 1 for u beyond `max_u`.
    pub fn cdf(&self, u: usize) -> f64 {
        match self.cumulative.get(u) {
            Some(&c) => c as f64 / self.total() as f64,
            None => 1.0,
        }
    }

    /// P(U >= u); 0 for u beyond `max_u`.
    pub fn sf(&self, u: usize) -> f64 {
        if u == 0 {
            return 1.0;
        }
        match self.cumulative.get(u - 1) {
            Some(&below) if u <= self.max_u() => {
                (self.total() - below) as f64 / self.total() as f64
            }
            _ => 0.0,
        }
    }

    /// P(U = u).
    pub fn pmf(&self, u: usize) -> f64 {
        if u > self.max_u() {
            return 0.0;
        }
        let below = if u == 0 { 0 } else { self.cumulative[u - 1] };
        (self.cumulative[u] - below) as f64 / self.total() as f64
    }

    /// Largest `c` with P(U <= c) <= `alpha`, or `None` if even P(U <= 0)
    /// exceeds `alpha`. This is the critical value for one-sided tests and
    /// for the Hodges–Lehmann confidence bounds.
    pub fn lower_critical_value(&self, alpha: f64) -> Option<usize> {
        let total = self.total() as f64;
        // cumulative is increasing, so the admissible u form a prefix.
        let count = self
            .cumulative
            .partition_point(|&c| c as f64 / total <= alpha);
        count.checked_sub(1)
    }
}

/// Counts of U = 0..=m·n: coefficients of the Gaussian binomial
/// [m+n choose m]_q = Π_{i=1..m} (1 - q^{n+i}) / (1 - q^i).
/// O(m · m·n) integer operations and exact, unlike a probability DP.
fn u_counts(m: usize, n: usize) -> Option<Vec<u128>> {
    let (m, n) = (m.min(n), m.max(n));
    let deg = m * n;
    let mut c = vec![0i128; deg + 1];
    c[0] = 1;
    for i in 1..=m {
        let k = n + i;
        // Multiply by (1 - q^k): descending so c[u - k] is still the old value.
        for u in (k..=deg).rev() {
            c[u] = c[u].checked_sub(c[u - k])?;
        }
        // Divide by (1 - q^i): ascending running sum (exact polynomial division).
        for u in i..=deg {
            c[u] = c[u].checked_add(c[u - i])?;
        }
    }
    c.into_iter().map(|v| u128::try_from(v).ok()).collect()
}

struct RankSum {
    rank_sum_x: f64,
    /// Σ (t³ - t) over tie groups of the pooled sample.
    tie_term: f64,
}

/// Mid-rank sum of `x` in the pooled sample. Inputs must be finite.
fn rank_sum(x: &[f64], y: &[f64]) -> RankSum {
    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    for (size, in_x) in tie_groups(x, y) {
        let end = start + size;
        let t = size as f64;
        // 1-based ranks start+1..=end share their mean.
        let mid = (start + 1 + end) as f64 / 2.0;
        rank_sum_x += mid * in_x as f64;
        tie_term += t * t * t - t;
        start = end;
    }
    RankSum {
        rank_sum_x,
        tie_term,
    }
}

pub(crate) fn standard_normal() -> Option<Normal> {
    Normal::new(0.0, 1.0).ok()
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{Lcg, RNG5_X, RNG5_Y};
    use super::*;

    fn assert_close(got: f64, want: f64, tol: f64) {
        assert!(
            (got - want).abs() <= tol * want.abs().max(1e-300),
            "got {got}, want {want}"
        );
    }

    fn seq(a: i32, b: i32) -> Vec<f64> {
        (a..=b).map(f64::from).collect()
    }

    #[test]
    fn five_vs_five_fully_separated() {
        let x = seq(1, 5);
        let y = seq(6, 10);
        let r = mann_whitney(&x, &y, Alternative::Less).unwrap();
        assert_eq!(r.method, MwMethod::Exact);
        assert_eq!(r.u, 0.0);
        assert_close(r.p_value, 1.0 / 252.0, 1e-12);
        // scipy.stats.mannwhitneyu(range(1,6), range(6,11), method="exact") -> 0.007936507936507936
        let two = mann_whitney(&x, &y, Alternative::TwoSided).unwrap();
        assert_close(two.p_value, 0.007936507936507936, 1e-12);
        let g = mann_whitney(&x, &y, Alternative::Greater).unwrap();
        assert_eq!(g.p_value, 1.0);
        // Swapping samples mirrors the alternative.
        let s = mann_whitney(&y, &x, Alternative::Greater).unwrap();
        assert_eq!(s.u, 25.0);
        assert_close(s.p_value, 1.0 / 252.0, 1e-12);
    }

    #[test]
    fn three_vs_three_fully_separated() {
        let r = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], Alternative::Less).unwrap();
        assert_close(r.p_value, 0.05, 1e-12);
        assert_close(min_achievable_p(3, 3), 0.05, 1e-12);
    }

    /// Checks the exact test of `x` against `y` on each side: U (of `x`) and the p-values two-sided, less and
    /// greater, as scipy computes them.
    fn assert_exact(x: &[f64], y: &[f64], u: f64, [two, less, greater]: [f64; 3]) {
        for (alternative, p) in [
            (Alternative::TwoSided, two),
            (Alternative::Less, less),
            (Alternative::Greater, greater),
        ] {
            let r = mann_whitney(x, y, alternative).unwrap();
            assert_eq!(r.method, MwMethod::Exact);
            assert_eq!(r.u, u);
            assert_close(r.p_value, p, 1e-12);
        }
    }

    #[test]
    fn scipy_exact_with_overlap() {
        // x=[1.1,2.4,3.7,5.2,8.0,9.3], y=[2.0,4.1,6.3,7.7,10.5,11.2,12.8]
        // scipy.stats.mannwhitneyu(x, y, method="exact", alternative=A)
        //   two-sided: U=12.0 p=0.23426573426573427
        //   less:      p=0.11713286713286714
        //   greater:   p=0.9096736596736598
        let x = [1.1, 2.4, 3.7, 5.2, 8.0, 9.3];
        let y = [2.0, 4.1, 6.3, 7.7, 10.5, 11.2, 12.8];
        let p = [0.23426573426573427, 0.11713286713286714, 0.9096736596736598];
        assert_exact(&x, &y, 12.0, p);
    }

    #[test]
    fn scipy_exact_medium() {
        // x, y = RNG5_X, RNG5_Y; scipy.stats.mannwhitneyu(x, y, method="exact", alternative=A)
        //   less: U=178.0 p=0.05141829838615892, two-sided: p=0.10283659677231784,
        //   greater: p=0.9509879265475228
        let p = [0.10283659677231784, 0.05141829838615892, 0.9509879265475228];
        assert_exact(&RNG5_X, &RNG5_Y, 178.0, p);
    }

    #[test]
    fn scipy_exact_unequal_sizes() {
        // The statrs bug case: x=[1, 2.5, 9], y=[0.5, 3, 4, 5, 6, 7, 8]
        // scipy.stats.mannwhitneyu(x, y, method="exact", alternative="greater")
        //   -> U=9.0 p=0.6666666666666667
        let x = [1.0, 2.5, 9.0];
        let y = [0.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let r = mann_whitney(&x, &y, Alternative::Greater).unwrap();
        assert_eq!(r.u, 9.0);
        assert_close(r.p_value, 0.6666666666666667, 1e-12);
    }

    #[test]
    fn scipy_asymptotic_with_ties() {
        // x=[1,2,2,3,3,3,4,5], y=[3,4,4,5,5,6,7,7,8]
        // scipy.stats.mannwhitneyu(x, y, method="asymptotic", alternative=A)
        //   two-sided: U=7.5 p=0.006373133838085873
        //   less:      p=0.0031865669190429364
        //   greater:   p=0.9976386658073535
        let x = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 5.0];
        let y = [3.0, 4.0, 4.0, 5.0, 5.0, 6.0, 7.0, 7.0, 8.0];
        let normal = |alt| mann_whitney_with(&x, &y, alt, MethodChoice::Normal).unwrap();
        let two = normal(Alternative::TwoSided);
        assert_eq!(two.method, MwMethod::Normal);
        assert!(two.has_ties);
        assert_eq!(two.u, 7.5);
        assert_close(two.p_value, 0.006373133838085873, 1e-9);
        assert_close(
            normal(Alternative::Less).p_value,
            0.0031865669190429364,
            1e-9,
        );
        assert_close(
            normal(Alternative::Greater).p_value,
            0.9976386658073535,
            1e-9,
        );
        // Small samples with ties take the exact conditional distribution by default.
        let auto = mann_whitney(&x, &y, Alternative::Less).unwrap();
        assert_eq!(auto.method, MwMethod::ExactConditional);
        assert_eq!(auto.p_value, brute_conditional(&x, &y, 7.5).0);
    }

    /// P(U ≤ u), P(U ≥ u) by enumerating every choice of which pooled values are x.
    fn brute_conditional(x: &[f64], y: &[f64], u: f64) -> (f64, f64) {
        let pooled: Vec<f64> = x.iter().chain(y).copied().collect();
        let (m, total) = (x.len(), pooled.len());
        let (mut le, mut ge, mut all) = (0u64, 0u64, 0u64);
        for mask in 0u32..(1 << total) {
            if mask.count_ones() as usize != m {
                continue;
            }
            let side = |want: bool| -> Vec<f64> {
                (0..total)
                    .filter(|i| (mask & (1 << i) != 0) == want)
                    .map(|i| pooled[i])
                    .collect()
            };
            let (xs, ys) = (side(true), side(false));
            let mut uu = 0.0;
            for a in &xs {
                for b in &ys {
                    uu += if a > b {
                        1.0
                    } else if a == b {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
            all += 1;
            le += u64::from(uu <= u + 1e-9);
            ge += u64::from(uu >= u - 1e-9);
        }
        (le as f64 / all as f64, ge as f64 / all as f64)
    }

    #[test]
    fn exact_conditional_under_ties_matches_enumeration() {
        let cases: [(&[f64], &[f64]); 5] = [
            (&[1.0; 4], &[2.0; 4]),
            (&[1.0, 1.0, 1.0, 1.0, 1.0], &[2.0, 2.0, 2.0, 3.0, 3.0]),
            (&[1.0, 2.0, 2.0, 3.0], &[2.0, 3.0, 3.0, 4.0, 4.0]),
            (&[5.0, 5.0], &[5.0, 6.0, 4.0, 5.0]),
            (
                &[1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0],
                &[3.0, 4.0, 4.0, 5.0, 5.0, 6.0],
            ),
        ];
        for (x, y) in cases {
            let less = mann_whitney(x, y, Alternative::Less).unwrap();
            assert_eq!(less.method, MwMethod::ExactConditional);
            let (le, ge) = brute_conditional(x, y, less.u);
            assert_close(less.p_value, le, 1e-12);
            let greater = mann_whitney(x, y, Alternative::Greater).unwrap();
            assert_close(greater.p_value, ge, 1e-12);
        }
        // 4 vs 4, each side constant: the exact minimum 1/70, not the normal 0.0066.
        let r = mann_whitney(&[1.0; 4], &[2.0; 4], Alternative::Less).unwrap();
        assert_close(r.p_value, 1.0 / 70.0, 1e-12);
        // 5 vs 5 with three distinct values can reach 1/252.
        let r = mann_whitney(&[1.0; 5], &[2.0, 2.0, 2.0, 3.0, 3.0], Alternative::Less).unwrap();
        assert_close(r.p_value, 1.0 / 252.0, 1e-12);
    }

    #[test]
    fn exact_choice_follows_the_smaller_sample() {
        // 2 vs 1300 (2600 pairs): exact, P(U = 0) = 1 / C(1302, 2).
        let x = [0.5, 0.75];
        let y: Vec<f64> = (0..1300).map(|i| 1.0 + f64::from(i)).collect();
        let r = mann_whitney(&x, &y, Alternative::Less).unwrap();
        assert_eq!(r.method, MwMethod::Exact);
        assert_close(r.p_value, 2.0 / (1302.0 * 1301.0), 1e-9);
        assert!(exact_feasible(2, 1300) && exact_feasible(50, 50) && !exact_feasible(51, 51));
    }

    #[test]
    fn scipy_asymptotic_large_no_ties() {
        // x = [((i*37) % 101) / 7 for i in range(60)], y = [((i*53) % 103) / 7 + 1.5 for i in range(70)]
        // scipy.stats.mannwhitneyu(x, y, method="asymptotic", alternative="less")
        //   -> U=1635.0 p=0.015030633708268088
        let x: Vec<f64> = (0..60).map(|i| ((i * 37) % 101) as f64 / 7.0).collect();
        let y: Vec<f64> = (0..70)
            .map(|i| ((i * 53) % 103) as f64 / 7.0 + 1.5)
            .collect();
        let r = mann_whitney(&x, &y, Alternative::Less).unwrap();
        assert_eq!(r.method, MwMethod::Normal);
        assert_eq!(r.u, 1635.0);
        assert_close(r.p_value, 0.015030633708268088, 1e-9);
    }

    #[test]
    fn forced_normal_matches_scipy_without_ties() {
        // scipy.stats.mannwhitneyu(range(1,6), range(6,11), method="asymptotic", alternative="less")
        //   -> p=0.006092890177672406
        let r = mann_whitney_with(
            &seq(1, 5),
            &seq(6, 10),
            Alternative::Less,
            MethodChoice::Normal,
        )
        .unwrap();
        assert_eq!(r.method, MwMethod::Normal);
        assert_close(r.p_value, 0.006092890177672406, 1e-9);
    }

    #[test]
    fn exact_distribution_properties() {
        let d = ExactUDistribution::new(5, 5).unwrap();
        assert_eq!(d.total(), 252);
        assert_eq!(d.max_u(), 25);
        let sum: f64 = (0..=25).map(|u| d.pmf(u)).sum();
        assert_close(sum, 1.0, 1e-12);
        for u in 0..=25 {
            // Symmetric around mn/2.
            assert_close(d.pmf(u), d.pmf(25 - u), 1e-12);
            assert_close(d.cdf(u) + d.sf(u + 1), 1.0, 1e-12);
        }
        assert_eq!(d.sf(0), 1.0);
        assert_eq!(d.sf(26), 0.0);
        assert_eq!(d.cdf(100), 1.0);
        // Known counts for 2 vs 2: U = 0..4 -> 1,1,2,1,1.
        let d = ExactUDistribution::new(2, 2).unwrap();
        let counts: Vec<f64> = (0..=4).map(|u| d.pmf(u) * 6.0).collect();
        assert_eq!(counts, vec![1.0, 1.0, 2.0, 1.0, 1.0]);
    }

    #[test]
    fn exact_distribution_largest_case() {
        let d = ExactUDistribution::new(50, 50).unwrap();
        // C(100, 50)
        assert_eq!(d.total(), 100_891_344_545_564_193_334_812_497_256);
        assert_eq!(d.cdf(0), 1.0 / d.total() as f64);
        assert_close(d.cdf(1250) - d.pmf(1250), d.sf(1251), 1e-12);
        let asym = ExactUDistribution::new(1, 2500).unwrap();
        assert_close(asym.pmf(17), 1.0 / 2501.0, 1e-12);
        assert!(ExactUDistribution::new(51, 50).is_none());
        assert!(ExactUDistribution::new(0, 5).is_none());
    }

    #[test]
    fn exact_matches_brute_force_enumeration() {
        // Enumerate all C(m+n, m) subsets as the ranks of x.
        for (m, n) in [(1, 1), (2, 3), (3, 4), (4, 4), (5, 3), (6, 6)] {
            let d = ExactUDistribution::new(m, n).unwrap();
            let total = m + n;
            let mut counts = vec![0u64; m * n + 1];
            for mask in 0u32..(1 << total) {
                if mask.count_ones() as usize != m {
                    continue;
                }
                // U of x = #(x above y) = Σ over x-ranks of (#y below).
                let mut u = 0;
                let mut ys_below = 0;
                for pos in 0..total {
                    if mask & (1 << pos) != 0 {
                        u += ys_below;
                    } else {
                        ys_below += 1;
                    }
                }
                counts[u] += 1;
            }
            let all: u64 = counts.iter().sum();
            for (u, &c) in counts.iter().enumerate() {
                assert_close(d.pmf(u), c as f64 / all as f64, 1e-12);
            }
        }
    }

    #[test]
    fn critical_value() {
        let d = ExactUDistribution::new(5, 5).unwrap();
        // P(U <= 0) = 1/252 ≈ 0.00397, P(U <= 1) = 2/252 ≈ 0.0079.
        assert_eq!(d.lower_critical_value(0.005), Some(0));
        assert_eq!(d.lower_critical_value(0.01), Some(1));
        assert_eq!(d.lower_critical_value(0.001), None);
        let c = d.lower_critical_value(0.05).unwrap();
        assert!(d.cdf(c) <= 0.05 && d.cdf(c + 1) > 0.05);
    }

    #[test]
    fn min_p_and_required_n() {
        assert_close(min_achievable_p(5, 5), 1.0 / 252.0, 1e-12);
        assert_close(min_achievable_p(4, 4), 1.0 / 70.0, 1e-12);
        assert_close(min_achievable_p(2, 7), 1.0 / 36.0, 1e-12);
        assert_eq!(min_achievable_p(0, 7), 1.0);
        assert!(min_achievable_p(1000, 1000) >= 0.0);
        assert_eq!(min_equal_n_for_alpha(0.01), Some(5));
        assert_eq!(min_equal_n_for_alpha(0.05), Some(3));
        assert_eq!(min_equal_n_for_alpha(0.0), None);
        assert_eq!(min_equal_n_for_alpha(f64::NAN), None);
        assert_eq!(min_equal_n_for_alpha(1.0), Some(1));
    }

    #[test]
    fn swap_symmetry() {
        let mut rng = Lcg(7);
        for _ in 0..50 {
            let x: Vec<f64> = (0..rng.below(12) + 1).map(|_| rng.normal()).collect();
            let y: Vec<f64> = (0..rng.below(12) + 1).map(|_| rng.normal() + 0.5).collect();
            let mn = (x.len() * y.len()) as f64;
            let a = mann_whitney(&x, &y, Alternative::Less).unwrap();
            let b = mann_whitney(&y, &x, Alternative::Greater).unwrap();
            assert_eq!(a.u, mn - b.u);
            assert_close(a.p_value, b.p_value, 1e-12);
            let a2 = mann_whitney(&x, &y, Alternative::TwoSided).unwrap();
            let b2 = mann_whitney(&y, &x, Alternative::TwoSided).unwrap();
            assert_close(a2.p_value, b2.p_value, 1e-12);
        }
    }

    #[test]
    fn degenerate_inputs() {
        assert!(mann_whitney(&[], &[1.0], Alternative::Less).is_none());
        assert!(mann_whitney(&[1.0], &[], Alternative::Less).is_none());
        assert!(mann_whitney(&[1.0, f64::NAN], &[1.0], Alternative::Less).is_none());
        assert!(mann_whitney(&[1.0], &[f64::INFINITY], Alternative::Less).is_none());
        // n = 1 each: valid, p = 1/2 at best.
        let r = mann_whitney(&[1.0], &[2.0], Alternative::Less).unwrap();
        assert_close(r.p_value, 0.5, 1e-12);
        // All equal: no evidence.
        for alt in [
            Alternative::Less,
            Alternative::Greater,
            Alternative::TwoSided,
        ] {
            let r = mann_whitney(&[3.0; 4], &[3.0; 6], alt).unwrap();
            assert_eq!(r.method, MwMethod::AllTied);
            assert_eq!(r.p_value, 1.0);
            assert_eq!(r.u, 12.0);
        }
        // -0.0 and 0.0 tie.
        let r = mann_whitney(&[-0.0], &[0.0], Alternative::Less).unwrap();
        assert_eq!(r.method, MwMethod::AllTied);
    }

    #[test]
    fn large_samples_use_normal() {
        let x: Vec<f64> = (0..2000).map(f64::from).collect();
        let y: Vec<f64> = (0..2000).map(|i| f64::from(i) + 0.5).collect();
        let r = mann_whitney(&x, &y, Alternative::Less).unwrap();
        assert_eq!(r.method, MwMethod::Normal);
        assert!(r.p_value > 0.0 && r.p_value < 1.0);
    }
}
