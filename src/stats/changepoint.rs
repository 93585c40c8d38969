//! Change points of a series: where main's history stepped, and how surely.
//!
//! Binary segmentation with a permutation test, in the family of E-divisive means (Apache Otava,
//! MongoDB's signal processing), made robust to outlier snapshots:
//!
//! 1. Spikes go first: a value further than 3 robust standard deviations (from successive differences)
//!    from the median of the 5 around it is replaced by that median, the furthest first and its
//!    neighbours judged again. One or two outliers in a row are flattened; a step, with 3 or more values
//!    on each side, is not, and an outlier next to a step does not move it.
//! 2. In a segment, every split scores its between-groups sum of squares (orders splits as the F statistic
//!    does). The best split is the candidate; its p-value is the share of shuffles of the segment whose
//!    best split scores as high (fixed-seed PRNG: the same series always gets the same answer). Shuffles
//!    stop early once the p-value can no longer reach `alpha`, so a quiet series costs a few.
//! 3. When no single split is significant, a stretch that differs from the rest (a step and a step back,
//!    circular binary segmentation) is tested at `alpha / 4`.
//! 4. A significant split is kept and both halves are searched again; then every change point is tested
//!    again between its neighbours (dropping the weakest until all are significant, and moving each to its
//!    best split there), as Otava re-checks its points.
//! 5. Each change point is then placed, within [`LOCATE_WITHIN`] snapshots, where a step fits the raw
//!    values best under normal noise with outliers (maximum likelihood, each value's cost capped at
//!    [`OUTLIER_CAP`] robust standard deviations). Despiking can flatten the first values of a new level or
//!    the last of the old one when noise is a quarter of the step; the raw values do not lie about where
//!    the step is. Outliers count as more likely on the side where the series' own spikes lie (slow runs
//!    for timings), so a slow run just before a step of its size is read as an outlier, not as the step.
//!
//! No segment is shorter than [`MIN_SEGMENT`]: one outlier snapshot can never become a segment of its own.

use std::ops::Range;

/// Fewest values in a segment. One or two outlier snapshots in a row are not a segment; a step is found
/// once this many snapshots have been recorded after it.
pub const MIN_SEGMENT: usize = 3;

/// The significance level perfgate uses for change points in main's history.
pub const DEFAULT_ALPHA: f64 = 0.01;

/// Largest number of shuffles per test (p-values resolve down to about `1 / MAX_SHUFFLES`).
const MAX_SHUFFLES: usize = 4999;

/// Rounds of re-testing the change points between their neighbours; it settles in one or two.
const MAX_REFINE_ROUNDS: usize = 8;

/// How far (snapshots) the final placement may move a change point from where the test put it.
const LOCATE_WITHIN: usize = 3;

/// Robust standard deviations beyond which a value costs as an outlier does, wherever it lands.
const OUTLIER_CAP: f64 = 2.5;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePoint {
    /// Index of the first value of the new segment.
    pub index: usize,
    /// Permutation p-value of the split, tested between the neighbouring change points (at the test's
    /// best split, which the final placement may have moved by up to 3 snapshots).
    pub p_value: f64,
    /// Median of the new segment minus the median of the previous one, in the units passed (for `ln`
    /// values, the log of the ratio of the segments' medians).
    pub step: f64,
}

/// Change points of a series (pass ln values), ascending by index. Deterministic.
///
/// Empty when the series is too short to split (fewer than `2 * MIN_SEGMENT` values), when a value is not
/// finite, or when `alpha` is not in (0, 1). Constant series and series of ties have none.
pub fn change_points(values: &[f64], alpha: f64) -> Vec<ChangePoint> {
    if !(alpha > 0.0 && alpha < 1.0 && values.iter().all(|v| v.is_finite())) {
        return Vec::new();
    }
    let clean = despiked(values);
    let mut cuts = Vec::new();
    let mut todo: Vec<Range<usize>> = Vec::new();
    todo.push(0..values.len());
    while let Some(range) = todo.pop() {
        let segment = &clean[range.clone()];
        // A single step first; failing that, a stretch that differs from the rest (a step and a step
        // back, which one split alone tells poorly from noise).
        let split = best_split(segment, alpha, Shape::Step)
            .filter(|s| s.p <= alpha)
            .or_else(|| {
                best_split(segment, alpha / 4.0, Shape::Stretch).filter(|s| s.p <= alpha / 4.0)
            });
        let Some(split) = split else {
            continue;
        };
        let mut at = range.start;
        for cut in [range.start + split.start, range.start + split.end] {
            if cut > range.start && cut < range.end {
                cuts.push(cut);
                todo.push(at..cut);
                at = cut;
            }
        }
        todo.push(at..range.end);
    }
    cuts.sort_unstable();
    let p_values = refine(&clean, &mut cuts, alpha);
    locate(values, &clean, &mut cuts);
    cuts.iter()
        .zip(p_values)
        .enumerate()
        .map(|(i, (&index, p_value))| {
            let before = if i == 0 { 0 } else { cuts[i - 1] };
            let after = cuts.get(i + 1).copied().unwrap_or(values.len());
            ChangePoint {
                index,
                p_value,
                step: median_of(&values[index..after]) - median_of(&values[before..index]),
            }
        })
        .collect()
}

/// The segments the change points cut `0..len` into, in order.
pub fn segments(len: usize, points: &[ChangePoint]) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for p in points.iter().filter(|p| p.index > 0 && p.index < len) {
        if p.index > start {
            out.push(start..p.index);
            start = p.index;
        }
    }
    if start < len || len == 0 {
        out.push(start..len);
    }
    out
}

/// Re-tests every cut between its neighbours: drops the least significant while any is above `alpha`,
/// moves each to its best single split between its neighbours, until nothing changes. Returns the
/// p-values.
fn refine(values: &[f64], cuts: &mut Vec<usize>, alpha: f64) -> Vec<f64> {
    // (best split, its p-value, whether the test could reach `alpha` there at all)
    let test = |cuts: &[usize], i: usize| {
        let (lo, hi) = neighbours(values.len(), cuts, i);
        match best_split(&values[lo..hi], alpha, Shape::Step) {
            Some(Split { start, p, .. }) => (lo + start, p, can_reach(hi - lo, start, alpha)),
            None => (cuts[i], 1.0, true),
        }
    };
    for _ in 0..MAX_REFINE_ROUNDS {
        let tests: Vec<(usize, f64, bool)> = (0..cuts.len()).map(|i| test(cuts, i)).collect();
        // A cut the test cannot judge between its neighbours (too few values either side for any
        // arrangement to reach `alpha`) stays: its discovery, in a longer segment, was significant. Else a
        // large step between two short segments would go and leave the drift around it.
        let weakest = tests
            .iter()
            .enumerate()
            .filter(|(_, t)| t.1 > alpha && t.2)
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1).then(b.0.cmp(&a.0)));
        if let Some((i, _)) = weakest {
            cuts.remove(i);
            continue;
        }
        let moved: Vec<usize> = tests.iter().map(|t| t.0).collect();
        // Moving two neighbours at once could leave a short segment between them: keep the old cuts then.
        let spaced = moved.windows(2).all(|w| w[1] >= w[0] + MIN_SEGMENT);
        if !spaced || moved == *cuts {
            break;
        }
        *cuts = moved;
    }
    (0..cuts.len()).map(|i| test(cuts, i).1).collect()
}

/// Whether a split of `n` values after `k` can be significant at `alpha`: its smallest permutation p-value
/// is 2 / C(n, k) (the k values in a block at either end score alike).
fn can_reach(n: usize, k: usize, alpha: f64) -> bool {
    let k = k.min(n - k);
    // C(n, k) by the product formula, stopping once it is large enough.
    let mut c = 1.0f64;
    for j in 0..k {
        c = c * (n - j) as f64 / (j + 1) as f64;
        if 2.0 / c <= alpha {
            return true;
        }
    }
    2.0 / c <= alpha
}

fn neighbours(len: usize, cuts: &[usize], i: usize) -> (usize, usize) {
    let lo = if i == 0 { 0 } else { cuts[i - 1] };
    (lo, cuts.get(i + 1).copied().unwrap_or(len))
}

/// What a test looks for in a segment: one step, or also a stretch that differs from the rest (a step
/// and a step back, which one split alone tells poorly from noise: circular binary segmentation).
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Step,
    Stretch,
}

/// The best split of a segment: the values `start..end` (offsets) differ from the rest (`end` is the
/// segment's length for a single step), with its permutation p-value.
struct Split {
    start: usize,
    end: usize,
    p: f64,
}

/// The best split of `segment` and its permutation p-value; `None` when it is too short or has no spread.
/// A p-value above `alpha` may be a lower bound (the shuffles stop once it cannot reach `alpha`).
fn best_split(segment: &[f64], alpha: f64, shape: Shape) -> Option<Split> {
    let n = segment.len();
    if n < 2 * MIN_SEGMENT {
        return None;
    }
    let mut x = segment.to_vec();
    let mean = x.iter().sum::<f64>() / n as f64;
    for v in &mut x {
        *v -= mean;
    }
    if x.iter()
        .all(|v| v.abs() <= f64::EPSILON * mean.abs().max(1.0))
    {
        return None;
    }
    let mut prefix = vec![0.0; n + 1];
    let (start, end, observed) = max_contrast(&x, &mut prefix, shape);
    // Shuffles scoring at least as high count against the split; a relative tolerance keeps rounding
    // in the prefix sums from deciding ties.
    let bar = observed * (1.0 - 1e-9);
    let shuffles = ((5.0 / alpha).ceil() as usize - 1).clamp(99, MAX_SHUFFLES);
    let give_up = alpha * (shuffles + 1) as f64;
    let mut rng = SplitMix64(0x9e37_79b9_7f4a_7c15 ^ n as u64);
    let mut as_high = 0usize;
    for done in 1..=shuffles {
        rng.shuffle(&mut x);
        if max_contrast(&x, &mut prefix, shape).2 >= bar {
            as_high += 1;
            if (as_high + 1) as f64 > give_up {
                let p = (as_high + 1) as f64 / (done + 1) as f64;
                return Some(Split { start, end, p });
            }
        }
    }
    let p = (as_high + 1) as f64 / (shuffles + 1) as f64;
    Some(Split { start, end, p })
}

/// The stretch `start..end` of centred values `x` whose mean differs most from the rest's, scored by the
/// between-groups sum of squares `S² n / (m (n − m))` (S the stretch's sum, m its length). With the total
/// sum of squares fixed under shuffling, this orders splits as the F statistic does. Every piece has at
/// least `MIN_SEGMENT` values.
fn max_contrast(x: &[f64], prefix: &mut [f64], shape: Shape) -> (usize, usize, f64) {
    let n = x.len();
    for (i, v) in x.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v;
    }
    let score = |i: usize, j: usize| {
        let m = j - i;
        let s = prefix[j] - prefix[i];
        s * s * n as f64 / (m * (n - m)) as f64
    };
    let mut best = (0, n, f64::NEG_INFINITY);
    for t in MIN_SEGMENT..=n - MIN_SEGMENT {
        let s = score(t, n);
        if s > best.2 {
            best = (t, n, s);
        }
    }
    if shape == Shape::Stretch {
        for i in MIN_SEGMENT..=n - 2 * MIN_SEGMENT {
            for j in i + MIN_SEGMENT..=n - MIN_SEGMENT {
                let s = score(i, j);
                if s > best.2 {
                    best = (i, j, s);
                }
            }
        }
    }
    best
}

/// The series with its spikes replaced by the local level: a value further than 3 robust standard
/// deviations from the median of the 5 around it becomes that median, the furthest first and the
/// neighbours judged again after each replacement. One or two outlier snapshots in a row are thus
/// flattened, while a step (3 of the 5 on its side) is kept; and an outlier just before a step no longer
/// drags the last value of the old level into the new one (it goes first, so that value is not a spike
/// any more). The scale comes from successive differences, which a step moves only once; with no spread
/// there, nothing is replaced.
fn despiked(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    let sigma = local_sigma(values);
    if sigma.is_nan() || sigma <= 0.0 {
        return values.to_vec();
    }
    // Five values around i, shifted inwards at the ends (two outliers at the start are still outvoted).
    let window = |i: usize| {
        let lo = i.saturating_sub(2).min(n.saturating_sub(5));
        lo..(lo + 5).min(n)
    };
    let mut x = values.to_vec();
    let mut replaced = vec![false; n];
    let mut level: Vec<f64> = (0..n).map(|i| median_of(&x[window(i)])).collect();
    loop {
        let worst = (0..n)
            .filter(|&i| !replaced[i])
            .map(|i| (i, (x[i] - level[i]).abs()))
            .filter(|&(_, d)| d > 3.0 * sigma)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((i, _)) = worst else {
            return x;
        };
        x[i] = level[i];
        replaced[i] = true;
        // Only windows holding i changed.
        for j in i.saturating_sub(4)..(i + 5).min(n) {
            level[j] = median_of(&x[window(j)]);
        }
    }
}

/// Robust standard deviation of the noise from successive differences, which a step moves only once.
fn local_sigma(values: &[f64]) -> f64 {
    let diffs: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    // median |x_{i+1} − x_i| of normal noise is 0.6745 · √2 · σ.
    median_of(&diffs) / (0.674_489_75 * std::f64::consts::SQRT_2)
}

/// Moves each cut, within `LOCATE_WITHIN` and keeping `MIN_SEGMENT` to its neighbours, to the split of
/// the raw `values` between its neighbours that costs least under normal noise with outliers (see
/// [`outlier_cost`]); ties keep the cut where it is. `clean` (the despiked values) tells on which side the
/// series' outliers lie.
fn locate(values: &[f64], clean: &[f64], cuts: &mut [usize]) {
    let sigma = local_sigma(values);
    if sigma.is_nan() || sigma <= 0.0 {
        return;
    }
    // Share of the spikes that were high, with one pseudo-count each way (½ when there were none).
    let (high, low) = values.iter().zip(clean).fold((1.0, 1.0), |(h, l), (v, c)| {
        (
            h + f64::from(u8::from(v > c)),
            l + f64::from(u8::from(v < c)),
        )
    });
    let high_share = high / (high + low);
    let cost = |x: &[f64]| outlier_cost(x, sigma, high_share);
    for i in 0..cuts.len() {
        let (lo, hi) = neighbours(values.len(), cuts, i);
        let from = cuts[i].saturating_sub(LOCATE_WITHIN).max(lo + MIN_SEGMENT);
        let to = (cuts[i] + LOCATE_WITHIN).min(hi.saturating_sub(MIN_SEGMENT));
        let mut best = (
            cuts[i],
            cost(&values[lo..cuts[i]]) + cost(&values[cuts[i]..hi]),
        );
        for t in from..=to {
            let c = cost(&values[lo..t]) + cost(&values[t..hi]);
            if c < best.1 - 1e-9 * best.1.abs() {
                best = (t, c);
            }
        }
        cuts[i] = best.0;
    }
}

/// −2 log-likelihood (up to a constant) of a segment around its median: normal noise of `sigma`, or an
/// outlier, whose density is that of the normal at `OUTLIER_CAP` standard deviations, weighted by the share
/// of outliers on the value's side. So a value's cost grows as r² near the level and levels off past the
/// cap: an outlier costs about the same in either segment, and does not decide where the step is.
fn outlier_cost(x: &[f64], sigma: f64, high_share: f64) -> f64 {
    let floor = (-OUTLIER_CAP * OUTLIER_CAP / 2.0).exp();
    let level = median_of(x);
    x.iter()
        .map(|v| {
            let r = (v - level) / sigma;
            let side = 2.0
                * if r > 0.0 {
                    high_share
                } else {
                    1.0 - high_share
                };
            -2.0 * ((-r * r / 2.0).exp() + floor * side).ln()
        })
        .sum()
}

fn median_of(values: &[f64]) -> f64 {
    super::median(values).unwrap_or(f64::NAN)
}

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast, and the same stream on every platform.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..bound by the multiply-high method (bias below 2⁻⁵⁰ for these sizes).
    fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next_u64()) * bound as u128) >> 64) as usize
    }

    fn shuffle(&mut self, xs: &mut [f64]) {
        for i in (1..xs.len()).rev() {
            let j = self.below(i + 1);
            xs.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_util::Lcg;

    fn ln_series(values: &[f64]) -> Vec<f64> {
        values.iter().map(|v| v.ln()).collect()
    }

    #[test]
    fn finds_a_clear_step_at_its_first_snapshot() {
        let mut v = vec![
            100.0, 101.0, 99.0, 100.5, 99.5, 100.2, 100.8, 99.1, 100.0, 100.3,
        ];
        v.extend([120.0, 121.0, 119.0, 120.5, 119.5, 120.2, 120.8, 119.1]);
        let cps = change_points(&ln_series(&v), DEFAULT_ALPHA);
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert_eq!(cps[0].index, 10);
        assert!(cps[0].p_value <= DEFAULT_ALPHA);
        assert!(
            (cps[0].step.exp() - 1.2).abs() < 0.01,
            "{}",
            cps[0].step.exp()
        );
        assert_eq!(segments(v.len(), &cps), vec![0..10, 10..18]);
    }

    #[test]
    fn two_steps_are_two_change_points() {
        let mut rng = Lcg(11);
        let v: Vec<f64> = (0..45)
            .map(|i| {
                let level: f64 = match i {
                    0..=14 => 1.0,
                    15..=29 => 1.3,
                    _ => 1.0,
                };
                level.ln() + 0.02 * rng.normal()
            })
            .collect();
        let cps = change_points(&v, DEFAULT_ALPHA);
        let at: Vec<usize> = cps.iter().map(|c| c.index).collect();
        assert_eq!(at, vec![15, 30], "{cps:?}");
        assert!(cps[0].step > 0.2 && cps[1].step < -0.2);
    }

    #[test]
    fn deterministic_and_pure() {
        let mut rng = Lcg(3);
        let v: Vec<f64> = (0..50)
            .map(|i| if i < 30 { 0.0 } else { 0.1 } + 0.04 * rng.normal())
            .collect();
        let a = change_points(&v, 0.05);
        let b = change_points(&v, 0.05);
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }

    #[test]
    fn one_outlier_is_no_change_point_and_never_two() {
        let mut rng = Lcg(7);
        for n in [6, 7, 12, 30, 60] {
            for at in 0..n {
                let v: Vec<f64> = (0..n)
                    .map(|i| 0.01 * rng.normal() + if i == at { 2.0 } else { 0.0 })
                    .collect();
                let cps = change_points(&v, DEFAULT_ALPHA);
                assert!(cps.len() <= 1, "n {n}, outlier at {at}: {cps:?}");
            }
        }
    }

    #[test]
    fn an_outlier_just_before_a_step_does_not_move_it() {
        let mut rng = Lcg(5);
        for at in [8, 15, 22] {
            let mut v: Vec<f64> = (0..30)
                .map(|i| 0.01 * rng.normal() + if i >= at { 1.1f64.ln() } else { 0.0 })
                .collect();
            // A 35 %-slow run two snapshots before the step: the last old value stays old.
            v[at - 2] += 1.35f64.ln();
            let cps = change_points(&v, DEFAULT_ALPHA);
            assert_eq!(cps.len(), 1, "step at {at}: {cps:?}");
            assert_eq!(cps[0].index, at, "{cps:?}");
        }
    }

    #[test]
    fn nothing_to_find_in_flat_short_or_bad_series() {
        assert!(change_points(&[], 0.01).is_empty());
        assert!(change_points(&[1.0; 5], 0.01).is_empty());
        assert!(change_points(&[0.0; 100], 0.01).is_empty());
        assert!(change_points(&[0.0, 1.0, f64::NAN, 0.0, 1.0, 0.0, 1.0], 0.01).is_empty());
        let step: Vec<f64> = (0..20).map(|i| if i < 10 { 0.0 } else { 1.0 }).collect();
        for bad in [0.0, 1.0, f64::NAN, -0.5] {
            assert!(change_points(&step, bad).is_empty());
        }
        // All ties but one block: a step from 0 to 1 in a rate is still a step.
        assert_eq!(change_points(&step, 0.01).len(), 1);
        assert_eq!(segments(0, &[]), vec![0..0]);
        assert_eq!(segments(4, &[]), vec![0..4]);
    }

    /// One generated history: `n` ln values with per-snapshot noise `sigma` (ln scale, so percent), each
    /// snapshot an outlier (15–50 % slower) with probability `outliers`, and `step` (ln) from `at` on.
    struct History {
        values: Vec<f64>,
        at: usize,
    }

    fn history(rng: &mut Lcg, step: f64, outliers: f64) -> History {
        let n = 30 + rng.below(31);
        let sigma = 0.01 + 0.04 * rng.uniform();
        // The step lands anywhere that leaves 5 snapshots after it.
        let at = 5 + rng.below(n - 9);
        let values = (0..n)
            .map(|i| {
                let mut v = sigma * rng.normal();
                if rng.uniform() < outliers {
                    v += (1.15 + 0.35 * rng.uniform()).ln();
                }
                if i >= at {
                    v += step;
                }
                v
            })
            .collect();
        History { values, at }
    }

    /// Share of `runs` histories in which the step is found within ±1 snapshot.
    fn found_rate(seed: u64, runs: usize, step_pct: f64) -> f64 {
        let mut rng = Lcg(seed);
        let found = (0..runs)
            .filter(|_| {
                let h = history(&mut rng, (1.0 + step_pct / 100.0).ln(), 0.05);
                change_points(&h.values, DEFAULT_ALPHA)
                    .iter()
                    .any(|c| c.index.abs_diff(h.at) <= 1)
            })
            .count();
        found as f64 / runs as f64
    }

    /// Rates of one seed set (`seed` .. `seed + 3`), 1 000 histories per cell.
    struct Rates {
        step10: f64,
        step20: f64,
        /// Stationary histories with any change point (the test's calibration: about `alpha` + `alpha / 4`).
        any: f64,
        /// Stationary histories with a change point beyond the low band.
        false_alarms: f64,
    }

    const RUNS: usize = 1000;

    fn rates(seed: u64) -> Rates {
        let low_band = 1.05f64.ln();
        let step10 = found_rate(seed, RUNS, 10.0);
        let step20 = found_rate(seed + 1, RUNS, 20.0);
        let mut rng = Lcg(seed + 2);
        let (mut any, mut beyond) = (0, 0);
        for _ in 0..RUNS {
            let h = history(&mut rng, 0.0, 0.05);
            let cps = change_points(&h.values, DEFAULT_ALPHA);
            any += usize::from(!cps.is_empty());
            beyond += usize::from(cps.iter().any(|c| c.step.abs() > low_band));
        }
        Rates {
            step10,
            step20,
            any: any as f64 / RUNS as f64,
            false_alarms: beyond as f64 / RUNS as f64,
        }
    }

    fn print_rates(seed: u64, r: &Rates) {
        println!(
            "seeds {seed}-{}: {RUNS} histories per cell of 30-60 snapshots, noise 1-5 %, 5 % outlier snapshots, alpha {DEFAULT_ALPHA}:\n\
             +10 % step found at ±1: {:.1} %\n+20 % step found at ±1: {:.1} %\n\
             stationary, any change point: {:.1} %; beyond the low band: {:.1} %",
            seed + 2,
            100.0 * r.step10,
            100.0 * r.step20,
            100.0 * r.any,
            100.0 * r.false_alarms,
        );
    }

    /// The measurement issue 24 asks for; `cargo test --lib changepoint -- --nocapture` prints it.
    #[test]
    fn detection_rates_on_generated_histories() {
        let r = rates(1);
        print_rates(1, &r);
        // One outlier, 30–100 % slower, in otherwise clean noise: never a step up and back down around
        // it, and rarely any change point beyond the low band.
        let low_band = 1.05f64.ln();
        let mut rng = Lcg(4);
        let (mut two, mut beyond) = (0, 0);
        for _ in 0..RUNS {
            let mut h = history(&mut rng, 0.0, 0.0);
            let at = rng.below(h.values.len());
            h.values[at] += (1.3 + 0.7 * rng.uniform()).ln();
            let cps = change_points(&h.values, DEFAULT_ALPHA);
            // A short segment holding the outlier: it was read as a step up and a step back.
            let short = |w: &[ChangePoint]| w[1].index - w[0].index <= 2 * MIN_SEGMENT;
            if cps
                .windows(2)
                .any(|w| w[0].index <= at && at < w[1].index && short(w))
            {
                two += 1;
            }
            if cps.iter().any(|c| c.step.abs() > low_band) {
                beyond += 1;
            }
        }
        println!(
            "one outlier snapshot: change point beyond the low band {:.1} %, two around it {:.1} %",
            100.0 * beyond as f64 / RUNS as f64,
            100.0 * two as f64 / RUNS as f64,
        );
        assert!(r.step10 >= 0.90, "+10 %: {}", r.step10);
        assert!(r.step20 >= 0.985, "+20 %: {}", r.step20);
        assert!(r.false_alarms <= 0.02, "stationary: {}", r.false_alarms);
        assert_eq!(two, 0);
    }

    /// The same rates on three other seed sets, to see the margin is not the seeds' (about 3 × the run
    /// time of the test above): `cargo test --release --lib changepoint -- --ignored --nocapture`.
    #[test]
    #[ignore = "slow: three more seed sets of the rates test"]
    fn detection_rates_on_other_seeds() {
        for seed in [11, 21, 31] {
            let r = rates(seed);
            print_rates(seed, &r);
            assert!(r.step10 >= 0.90 && r.false_alarms <= 0.02, "seeds {seed}");
        }
    }
}
