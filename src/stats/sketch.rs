//! Bounded-memory summary of a stream of numbers: exact count, sum, min and max, and percentiles with a
//! relative error of at most 2⁻¹¹ ≈ 0.049 %.
//!
//! The first [`EXACT_CAP`] values are kept as they are, so small series get exact type-7 percentiles. After
//! that, values go into a log-linear histogram over the bits of the `f64`: 2¹⁰ buckets per power of two, each
//! at most 2⁻¹⁰ of its lower edge wide, represented by its midpoint. A type-7 percentile interpolates between
//! two order statistics; each is found exactly by rank and replaced by its bucket's midpoint (error ≤ 2⁻¹¹ of
//! its value), so the interpolated result is within 2⁻¹¹ of the exact type-7 value too (for values of one
//! sign). Memory: 8 KiB per power of two actually seen, whatever the number of values. Counts are additive,
//! so merging histograms is exact and order-independent.

use super::quantile::{lerp, quantile_sorted, type7_position};

/// Values kept exactly before the histogram takes over.
pub(crate) const EXACT_CAP: usize = 1024;

const SUB_BITS: u32 = 10;
const SUB: usize = 1 << SUB_BITS;
const MANTISSA_SHIFT: u32 = 52 - SUB_BITS;

/// One sign's buckets: a dense run of binades (powers of two), each allocated when first hit.
#[derive(Debug, Clone, Default)]
struct Store {
    /// Biased exponent of `pages[0]`.
    first_exp: usize,
    pages: Vec<Option<Box<[u64; SUB]>>>,
}

impl Store {
    fn insert(&mut self, magnitude: f64, n: u64) {
        let bits = magnitude.to_bits();
        // Biased exponent of a finite value: 11 bits, so always < 2048.
        let exp = usize::try_from(bits >> 52).unwrap_or(0) & 0x7ff;
        let sub = usize::try_from((bits >> MANTISSA_SHIFT) & (SUB as u64 - 1)).unwrap_or(0);
        // The common case: a power of two already seen.
        if let Some(Some(c)) = self
            .pages
            .get_mut(exp.wrapping_sub(self.first_exp))
            .map(|p| p.as_mut().and_then(|p| p.get_mut(sub)))
        {
            *c += n;
            return;
        }
        if self.pages.is_empty() {
            self.first_exp = exp;
        } else if exp < self.first_exp {
            let grow = self.first_exp - exp;
            self.pages
                .splice(0..0, std::iter::repeat_with(|| None).take(grow));
            self.first_exp = exp;
        }
        let i = exp - self.first_exp;
        if i >= self.pages.len() {
            self.pages.resize_with(i + 1, || None);
        }
        if let Some(slot) = self.pages.get_mut(i) {
            let page = slot.get_or_insert_with(|| Box::new([0; SUB]));
            if let Some(c) = page.get_mut(sub) {
                *c += n;
            }
        }
    }

    fn merge(&mut self, other: &Store) {
        for (i, page) in other.pages.iter().enumerate() {
            let Some(page) = page else { continue };
            for (sub, &c) in page.iter().enumerate() {
                if c > 0 {
                    let exp = (other.first_exp + i) as u64;
                    let bits = (exp << 52) | ((sub as u64) << MANTISSA_SHIFT);
                    self.insert(f64::from_bits(bits), c);
                }
            }
        }
    }

    /// Non-empty buckets in ascending magnitude: (midpoint, count).
    fn buckets(&self) -> impl DoubleEndedIterator<Item = (f64, u64)> + '_ {
        self.pages.iter().enumerate().flat_map(move |(i, page)| {
            let exp = (self.first_exp + i) as u64;
            page.iter().flat_map(move |p| {
                p.iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(move |(sub, &c)| {
                        let lo = f64::from_bits((exp << 52) | ((sub as u64) << MANTISSA_SHIFT));
                        let hi = f64::from_bits((exp << 52) + ((sub as u64 + 1) << MANTISSA_SHIFT));
                        // Subnormals share bucket 0 of exponent 0; call them 0.
                        let mid = if exp == 0 { 0.0 } else { lo + (hi - lo) / 2.0 };
                        (mid, c)
                    })
            })
        })
    }
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    negative: Store,
    positive: Store,
}

impl Histogram {
    fn insert(&mut self, v: f64) {
        if v.is_sign_negative() {
            self.negative.insert(-v, 1);
        } else {
            self.positive.insert(v, 1);
        }
    }

    /// Bucket midpoints of the given ascending 0-based ranks, in one pass.
    fn at_ranks(&self, ranks: &[u64]) -> Vec<f64> {
        let all = self
            .negative
            .buckets()
            .rev()
            .map(|(m, c)| (-m, c))
            .chain(self.positive.buckets());
        let mut out = Vec::with_capacity(ranks.len());
        let mut ranks = ranks.iter().peekable();
        let mut seen = 0u64;
        for (mid, c) in all {
            seen += c;
            while let Some(&&r) = ranks.peek() {
                if r >= seen {
                    break;
                }
                out.push(mid);
                ranks.next();
            }
        }
        out
    }
}

/// Count, sum, extremes and percentiles of a series in bounded memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct Summary {
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
    exact: Vec<f64>,
    hist: Option<Box<Histogram>>,
}

impl Summary {
    /// Adds one finite value.
    pub(crate) fn add(&mut self, v: f64) {
        self.add_stats(1, v, v, v);
        match &mut self.hist {
            Some(h) => h.insert(v),
            None => {
                self.exact.push(v);
                if self.exact.len() > EXACT_CAP {
                    self.spill();
                }
            }
        }
    }

    /// Adds values whose sum was already taken (in their order), so that sums do not depend on batching.
    pub(crate) fn add_batch(&mut self, values: &[f64], sum: f64, min: f64, max: f64) {
        if values.is_empty() {
            return;
        }
        self.add_stats(values.len() as u64, sum, min, max);
        match &mut self.hist {
            Some(h) => values.iter().for_each(|&v| h.insert(v)),
            None => {
                self.exact.extend_from_slice(values);
                if self.exact.len() > EXACT_CAP {
                    self.spill();
                }
            }
        }
    }

    fn add_stats(&mut self, n: u64, sum: f64, min: f64, max: f64) {
        if self.count == 0 {
            (self.min, self.max) = (min, max);
        } else {
            self.min = self.min.min(min);
            self.max = self.max.max(max);
        }
        self.count += n;
        self.sum += sum;
    }

    fn spill(&mut self) {
        let h = self.hist.get_or_insert_with(Box::default);
        for v in self.exact.drain(..) {
            h.insert(v);
        }
        self.exact = Vec::new();
    }

    /// Merges another summary (for parallel aggregation). The sum is `self.sum + other.sum`.
    pub(crate) fn merge(&mut self, other: &Summary) {
        if other.count == 0 {
            return;
        }
        self.add_stats(other.count, other.sum, other.min, other.max);
        match (&mut self.hist, &other.hist) {
            (None, None) if self.exact.len() + other.exact.len() <= EXACT_CAP => {
                self.exact.extend_from_slice(&other.exact);
            }
            _ => {
                self.spill();
                if let Some(h) = &mut self.hist {
                    other.exact.iter().for_each(|&v| h.insert(v));
                    if let Some(o) = &other.hist {
                        h.negative.merge(&o.negative);
                        h.positive.merge(&o.positive);
                    }
                }
            }
        }
    }

    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    pub(crate) fn sum(&self) -> f64 {
        self.sum
    }

    pub(crate) fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    pub(crate) fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// Whether the percentiles are exact (few enough values to keep them all).
    #[cfg(test)]
    pub(crate) fn is_exact(&self) -> bool {
        self.hist.is_none()
    }

    /// Type-7 percentiles at the levels `ps` (each in `[0, 1]`); exact while [`Summary::is_exact`].
    pub(crate) fn quantiles(&mut self, ps: &[f64]) -> Vec<Option<f64>> {
        if self.count == 0 {
            return vec![None; ps.len()];
        }
        let Some(h) = &self.hist else {
            self.exact.sort_by(f64::total_cmp);
            return ps
                .iter()
                .map(|&p| quantile_sorted(&self.exact, p))
                .collect();
        };
        let spots: Vec<Option<(u64, u64, f64)>> =
            ps.iter().map(|&p| type7_position(self.count, p)).collect();
        let mut ranks: Vec<u64> = spots.iter().flatten().flat_map(|s| [s.0, s.1]).collect();
        ranks.sort_unstable();
        ranks.dedup();
        let values = h.at_ranks(&ranks);
        let (min, max) = (self.min, self.max);
        let at = |r: u64| -> Option<f64> {
            let i = ranks.binary_search(&r).ok()?;
            // The true order statistic lies in [min, max]; so does its estimate.
            values.get(i).map(|v| v.clamp(min, max))
        };
        spots
            .iter()
            .map(|s| {
                let (lo, hi, frac) = (*s)?;
                Some(lerp(at(lo)?, at(hi)?, frac))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::test_util::Lcg;

    fn exact_type7(values: &[f64], p: f64) -> f64 {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        quantile_sorted(&v, p).unwrap()
    }

    const PS: [f64; 7] = [0.0, 0.01, 0.5, 0.9, 0.95, 0.99, 1.0];

    fn check(values: &[f64]) {
        let mut s = Summary::default();
        values.iter().for_each(|&v| s.add(v));
        assert_eq!(s.count(), values.len() as u64);
        let got = s.quantiles(&PS);
        for (p, g) in PS.iter().zip(got) {
            let want = exact_type7(values, *p);
            let g = g.unwrap();
            let err = if want == 0.0 {
                g.abs()
            } else {
                ((g - want) / want).abs()
            };
            assert!(err <= 0.001, "p{p}: {g} vs exact {want} (error {err})");
            assert!(err <= 1.0 / 2048.0 + 1e-12, "bound 2^-11: p{p} {err}");
        }
    }

    #[test]
    fn small_series_are_exact() {
        let v = [
            12.5, 3.0, 7.25, 100.0, 45.5, 8.0, 19.75, 61.0, 2.5, 33.0, 27.125,
        ];
        let mut s = Summary::default();
        v.iter().for_each(|&x| s.add(x));
        assert!(s.is_exact());
        assert_eq!(s.quantiles(&[0.5]), vec![Some(19.75)]);
    }

    #[test]
    fn lognormal_latencies_within_bound() {
        let mut rng = Lcg(7);
        for n in [1025, 5000, 200_000] {
            let v: Vec<f64> = (0..n).map(|_| (3.0 + 0.8 * rng.normal()).exp()).collect();
            check(&v);
        }
    }

    #[test]
    fn wide_range_ties_zeros_and_negatives() {
        let mut rng = Lcg(11);
        let mut v: Vec<f64> = (0..50_000)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => 1e-6 * (1.0 + rng.uniform()),
                2 => 1e6 * rng.uniform(),
                3 => 42.0,
                _ => rng.uniform() * 10.0,
            })
            .collect();
        check(&v);
        // Values of both signs: the bound holds for levels whose neighbours share a sign.
        v.iter_mut().step_by(3).for_each(|x| *x = -*x - 1.0);
        let mut s = Summary::default();
        v.iter().for_each(|&x| s.add(x));
        for (p, g) in [0.01, 0.99].iter().zip(s.quantiles(&[0.01, 0.99])) {
            let want = exact_type7(&v, *p);
            assert!(((g.unwrap() - want) / want).abs() <= 0.001);
        }
    }

    #[test]
    fn merge_equals_one_pass_and_spills_deterministically() {
        let mut rng = Lcg(3);
        let v: Vec<f64> = (0..10_000).map(|_| rng.uniform() * 100.0).collect();
        let mut one = Summary::default();
        v.iter().for_each(|&x| one.add(x));
        let mut merged = Summary::default();
        for part in v.chunks(700) {
            let mut s = Summary::default();
            part.iter().for_each(|&x| s.add(x));
            merged.merge(&s);
        }
        assert_eq!(one.count(), merged.count());
        assert_eq!(one.min(), merged.min());
        assert_eq!(one.max(), merged.max());
        assert_eq!(one.quantiles(&PS), merged.quantiles(&PS));
    }

    #[test]
    fn memory_is_bounded_by_binades_not_values() {
        let mut s = Summary::default();
        for i in 0..1_000_000u32 {
            s.add(1.0 + f64::from(i % 1000) / 1000.0);
        }
        let h = s.hist.as_ref().unwrap();
        assert_eq!(h.positive.pages.len(), 1);
        assert!(s.exact.capacity() == 0);
    }
}
