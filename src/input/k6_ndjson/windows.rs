//! Per-time-window percentiles of the gated trends, cut into batches at the end for the batch-means
//! evidence.

use std::collections::BTreeMap;

use crate::stats::sketch::Summary;

/// Batches per run for the batch-means evidence (Schmeiser 1982 suggests 10–30).
pub const BATCHES: usize = 10;

/// Windows kept per series before adjacent ones are merged (each merge doubles the window width), so
/// memory stays bounded whatever the test's length.
const MAX_WINDOWS: usize = 256;

/// One gated trend's values summarised per time window (1 s, doubled as needed). At the end the windows are
/// cut into [`BATCHES`] consecutive batches; each batch's p50/p90/p95/p99 is one value of the metric's
/// `samples`, so a test on them sees the run's variation over time (warm-up, pauses, interference), which
/// requests next to each other share (autocorrelation), instead of treating every request as independent.
#[derive(Default)]
pub(crate) struct Windows {
    width: i64,
    map: BTreeMap<i64, Summary>,
    /// The window last added to, outside `map`: points come in time order, so most go to the same one.
    current: Option<(i64, Summary)>,
}

impl Windows {
    pub(crate) fn add(&mut self, sec: i64, v: f64) {
        if self.width == 0 {
            self.width = 1;
        }
        let key = sec.div_euclid(self.width);
        match &mut self.current {
            Some((k, s)) if *k == key => {
                s.add(v);
                return;
            }
            _ => {}
        }
        self.flush();
        // The flush may have widened the windows.
        let key = sec.div_euclid(self.width);
        let mut s = self.map.remove(&key).unwrap_or_default();
        s.add(v);
        self.current = Some((key, s));
    }

    /// Puts the current window back into the map, halving the resolution when there are too many.
    fn flush(&mut self) {
        if let Some((k, s)) = self.current.take() {
            self.map.insert(k, s);
        }
        if self.map.len() > MAX_WINDOWS {
            self.width *= 2;
            let old = std::mem::take(&mut self.map);
            for (k, s) in old {
                self.map.entry(k.div_euclid(2)).or_default().merge(&s);
            }
        }
    }

    /// Per-batch percentiles, by perfgate stat name; `None` with fewer windows than batches.
    pub(crate) fn batches(mut self) -> Option<Vec<(&'static str, Vec<f64>)>> {
        self.flush();
        let windows: Vec<Summary> = self.map.into_values().collect();
        let n = windows.len();
        if n < BATCHES {
            return None;
        }
        const STATS: [(&str, f64); 4] = [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)];
        let mut out: Vec<(&'static str, Vec<f64>)> =
            STATS.iter().map(|(s, _)| (*s, Vec::new())).collect();
        for b in 0..BATCHES {
            let mut batch = Summary::default();
            for w in &windows[b * n / BATCHES..(b + 1) * n / BATCHES] {
                batch.merge(w);
            }
            let qs = batch.quantiles(&STATS.map(|(_, q)| q));
            for ((_, values), q) in out.iter_mut().zip(qs) {
                values.push(q?);
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stay_bounded_and_cut_into_ten_time_batches() {
        let mut w = Windows::default();
        // An hour at one value per second, slowing down steadily.
        for sec in 0..3600i64 {
            w.add(1_700_000_000 + sec, 10.0 + sec as f64 / 360.0);
        }
        w.flush();
        assert!(w.map.len() <= MAX_WINDOWS, "{}", w.map.len());
        assert_eq!(w.width, 16);
        let batches = w.batches().unwrap();
        let p50 = &batches.iter().find(|(n, _)| *n == "p50").unwrap().1;
        assert_eq!(p50.len(), BATCHES);
        // Each batch is a tenth of the run, in time order.
        assert!(p50.windows(2).all(|p| p[1] > p[0]), "{p50:?}");
        assert!(
            (p50[0] - 10.5).abs() < 0.2 && (p50[9] - 19.5).abs() < 0.2,
            "{p50:?}"
        );
        let mut short = Windows::default();
        for sec in 0..5 {
            short.add(sec, 1.0);
        }
        assert!(
            short.batches().is_none(),
            "five windows are too few for ten batches"
        );
    }
}
