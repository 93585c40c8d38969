//! Counts compared as counts: failed requests out of all requests (error rates, failed checks) on two
//! sides, tested with Fisher's exact test (one-sided, conditional on the margins).
//!
//! A relative change of a small count says nothing: 1 failure of 100 → 2 of 100 is "+100 %" but happens
//! by chance about half the time (one-sided p ≈ 0.5). Fisher's test is exact for any counts, including a
//! zero baseline, so one rule covers 0 → k and k → m. It is conservative (its true size is below α),
//! which suits a gate. The caller adds a materiality floor in percentage points.

use statrs::distribution::{Binomial, DiscreteCDF};
use statrs::function::gamma::ln_gamma;

/// `events` out of `trials` (e.g. failed requests out of all requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub events: u64,
    pub trials: u64,
}

impl Counts {
    /// Counts from a rate and its number of trials (`round(rate × trials)`); `None` when the rate is not a
    /// fraction or there are no trials.
    pub fn from_rate(rate: f64, trials: f64) -> Option<Counts> {
        if !(0.0..=1.0).contains(&rate) || !(1.0..=1e15).contains(&trials) {
            return None;
        }
        let trials = trials.round() as u64;
        let events = (rate * trials as f64).round().min(trials as f64) as u64;
        Some(Counts { events, trials })
    }

    /// The fraction of trials that were events.
    pub fn rate(&self) -> f64 {
        self.events as f64 / self.trials as f64
    }
}

fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// One-sided p-values of Fisher's exact test for "the current side's event rate is higher" and "lower".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FisherResult {
    /// P(at least as many current events | margins): small when the current rate rose.
    pub p_higher: f64,
    /// P(at most as many current events | margins): small when the current rate fell.
    pub p_lower: f64,
}

/// Fisher's exact test on a 2×2 table (events/non-events × baseline/current). `None` when a side has no
/// trials.
pub fn fisher(base: Counts, cur: Counts) -> Option<FisherResult> {
    if base.trials == 0 || cur.trials == 0 || base.events > base.trials || cur.events > cur.trials {
        return None;
    }
    // Hypergeometric: the current side draws `cur.trials` of all trials; `k` of all events land in it.
    let total = base.trials + cur.trials;
    let k = base.events + cur.events;
    let n = cur.trials;
    let lo = k.saturating_sub(total - n);
    let hi = k.min(n);
    let ln_denom = ln_choose(total, n);
    let pmf = |x: u64| (ln_choose(k, x) + ln_choose(total - k, n - x) - ln_denom).exp();
    let observed = cur.events;
    // Sum from the observed value outwards; terms fall off fast in the tails, so stop once negligible.
    let tail = |range: &mut dyn Iterator<Item = u64>| {
        let mut sum = 0.0;
        for x in range {
            let t = pmf(x);
            sum += t;
            if t < sum * 1e-17 {
                break;
            }
        }
        sum.min(1.0)
    };
    let p_higher = tail(&mut (observed.max(lo)..=hi));
    let p_lower = tail(&mut (lo..=observed.min(hi)).rev());
    Some(FisherResult { p_higher, p_lower })
}

/// Compares two event rates (requests per second) as Poisson counts over their exposure times: given
/// `base_events + cur_events` events in total, the current side's share is Binomial(n, t_cur / (t_base +
/// t_cur)) when the rates are equal (the exact conditional test). Random halves of one run differ by this
/// counting noise alone (±5 % for 400 iterations), which a relative band would call a regression.
pub fn poisson_rates(
    base_events: u64,
    base_seconds: f64,
    cur_events: u64,
    cur_seconds: f64,
) -> Option<FisherResult> {
    if !(base_seconds > 0.0
        && cur_seconds > 0.0
        && base_seconds.is_finite()
        && cur_seconds.is_finite())
    {
        return None;
    }
    let n = base_events.checked_add(cur_events)?;
    if n == 0 {
        return Some(FisherResult {
            p_higher: 1.0,
            p_lower: 1.0,
        });
    }
    let share = cur_seconds / (base_seconds + cur_seconds);
    let b = Binomial::new(share, n).ok()?;
    let p_lower = b.cdf(cur_events).min(1.0);
    let p_higher = if cur_events == 0 {
        1.0
    } else {
        b.sf(cur_events - 1).min(1.0)
    };
    Some(FisherResult { p_higher, p_lower })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(events: u64, trials: u64) -> Counts {
        Counts { events, trials }
    }

    #[test]
    fn matches_scipy_fisher_exact() {
        // scipy.stats.fisher_exact([[cur_events, cur_non], [base_events, base_non]], alternative="greater")
        let r = fisher(c(1, 100), c(2, 100)).unwrap();
        assert!((r.p_higher - 0.5).abs() < 1e-9, "{}", r.p_higher);
        let r = fisher(c(0, 1000), c(30, 1000)).unwrap();
        // C(1000,30)/C(2000,30)
        let exact = (0..30)
            .map(|i| (1000.0 - i as f64) / (2000.0 - i as f64))
            .product::<f64>();
        assert!(
            (r.p_higher / exact - 1.0).abs() < 1e-9,
            "{} {exact}",
            r.p_higher
        );
        assert!(r.p_higher < 1e-9);
        assert!((r.p_lower - 1.0).abs() < 1e-12);
        let r = fisher(c(5, 1000), c(50, 1000)).unwrap();
        assert!(r.p_higher < 1e-8, "{}", r.p_higher);
        // Hand-checked small table: [[3, 1], [1, 3]] → one-sided p = 17/70.
        let r = fisher(c(1, 4), c(3, 4)).unwrap();
        assert!((r.p_higher - 17.0 / 70.0).abs() < 1e-12, "{}", r.p_higher);
        assert!((r.p_lower - 69.0 / 70.0).abs() < 1e-12, "{}", r.p_lower);
    }

    #[test]
    fn no_events_anywhere_is_no_evidence() {
        let r = fisher(c(0, 500), c(0, 700)).unwrap();
        assert_eq!((r.p_higher, r.p_lower), (1.0, 1.0));
        assert_eq!(fisher(c(0, 0), c(1, 10)), None);
        assert_eq!(fisher(c(3, 2), c(1, 10)), None);
    }

    #[test]
    fn counts_from_rates() {
        assert_eq!(Counts::from_rate(0.02, 100.0), Some(c(2, 100)));
        assert_eq!(Counts::from_rate(0.0, 1203.0), Some(c(0, 1203)));
        assert_eq!(Counts::from_rate(1.5, 10.0), None);
        assert_eq!(Counts::from_rate(0.5, 0.0), None);
        assert_eq!(Counts::from_rate(f64::NAN, 10.0), None);
    }

    #[test]
    fn poisson_rates_conditional_binomial() {
        // Equal exposure: the current side's share is Binomial(n, 1/2); 179 of 400 → P(X <= 179).
        let r = poisson_rates(221, 10.0, 179, 10.0).unwrap();
        assert!(r.p_lower > 0.01 && r.p_lower < 0.025, "{}", r.p_lower);
        assert!(r.p_higher > 0.97);
        // 375 requests in 4 s against 217 in 4 s: a real drop.
        let r = poisson_rates(375, 4.0, 217, 4.0).unwrap();
        assert!(r.p_lower < 1e-9, "{}", r.p_lower);
        // Hand-checked: 1 vs 1 event, equal time: P(X >= 1 | n = 2, 1/2) = 3/4.
        let r = poisson_rates(1, 1.0, 1, 1.0).unwrap();
        assert!((r.p_higher - 0.75).abs() < 1e-12);
        assert!((r.p_lower - 0.75).abs() < 1e-12);
        assert_eq!(poisson_rates(1, 0.0, 1, 1.0), None);
    }

    #[test]
    fn huge_counts_stay_finite() {
        let r = fisher(c(1_000, 10_000_000), c(1_400, 10_000_000)).unwrap();
        assert!(r.p_higher > 0.0 && r.p_higher < 1e-10, "{}", r.p_higher);
        assert!(r.p_lower > 0.999);
    }
}
