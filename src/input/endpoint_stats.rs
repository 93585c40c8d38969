//! One endpoint's load-test statistics as perfgate metrics, shared by the Locust, Gatling, JMeter, vegeta and
//! oha readers, so that every load tester's rows mean the same thing and meet the same load-test rules
//! (`crate::loadtest`) as k6's, Artillery's and autocannon's:
//!
//! - `p50` … `p99` (ms, lower is better) gated; `p99.9` and beyond, `mean`, `min` and `max` reported only (one
//!   slow request moves a fast endpoint's mean a lot; the extremes are single requests).
//! - `count`: the requests behind the percentiles (reported; the thin-percentile rule and the throughput
//!   test read it).
//! - `rate`: requests per second, gated only for open-loop tools (a fixed arrival rate); a closed loop's
//!   rate is concurrency / latency and restates the latency rows.
//! - `failures` (count, lower is better, gated, always written, also when zero, so that a baseline without
//!   failures compares as zero), declared as failures of the endpoint's `count` (`Metric::failures_of`), so
//!   that `loadtest::failures` tests them as failed of requests like k6's and Artillery's and `error_rate` = failures / requests with its `error_rate_trials`, tested
//!   as counts.

use crate::model::trials_name;
use crate::model::{Direction, Metric, Run, Trials, Unit};

/// The failure-count metric every reader of this module writes.
pub const FAILURES: &str = "failures";

/// One endpoint's numbers, in milliseconds and requests.
#[derive(Debug, Default, Clone)]
pub(crate) struct EndpointStats {
    /// (percentile in 0..=100, value in ms).
    pub percentiles: Vec<(f64, f64)>,
    /// The step, in ms, the tool rounded a percentile of this value to (`Metric::resolution`).
    pub percentile_step: Option<fn(f64) -> f64>,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Requests sent (successful and failed).
    pub requests: Option<f64>,
    /// Requests that failed (the tool's own notion: Locust failures, Gatling KO, JMeter errors, non-2xx).
    pub failures: Option<f64>,
    /// Requests per second.
    pub rate: Option<f64>,
    /// Whether `rate` is gated (open-loop load).
    pub rate_gated: bool,
    /// All endpoints together (Locust's `Aggregated`, Gatling's global stats): its latency rows restate the
    /// endpoints' and its percentiles jump between the endpoints' modes (p66 of a 7 ms and a 22 ms endpoint),
    /// so they are reported only; its failures and error rate are gated.
    pub overall: bool,
}

/// perfgate's name of a percentile: 95 → `p95`, 99.9 → `p99.9`.
pub(crate) fn percentile_name(pct: f64) -> String {
    format!("p{}", (pct * 1000.0).round() / 1000.0)
}

fn info(m: Metric) -> Metric {
    m.informational()
}

impl EndpointStats {
    /// Writes the endpoint's metrics into `run` under `bench`.
    pub(crate) fn insert(&self, run: &mut Run, bench: &str) {
        let ms = |v: f64| Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter);
        for &(pct, v) in &self.percentiles {
            let m = match self.percentile_step {
                Some(step) => ms(v).with_resolution(step(v)),
                None => ms(v),
            };
            let gated = pct <= 99.0 && !self.overall;
            run.insert(
                bench,
                &percentile_name(pct),
                if gated { m } else { info(m) },
            );
        }
        for (name, v) in [("mean", self.mean), ("min", self.min), ("max", self.max)] {
            if let Some(v) = v {
                run.insert(bench, name, info(ms(v)));
            }
        }
        let count = |n: f64| Metric::new(n, Unit::Count, Direction::HigherIsBetter).informational();
        if let Some(n) = self.requests {
            run.insert(bench, "count", count(n));
        }
        if let Some(r) = self.rate {
            let m = Metric::new(r, Unit::PerSecond, Direction::HigherIsBetter);
            let gated = self.rate_gated && !self.overall;
            run.insert(bench, "rate", if gated { m } else { info(m) });
        }
        if let Some(f) = self.failures {
            let m = Metric::new(f, Unit::Count, Direction::LowerIsBetter);
            // Judged as failed of the endpoint's requests (`loadtest::failures`), a zero on a side
            // without failures, so that an error the baseline never had fails on its own endpoint.
            let m = match self.requests {
                Some(_) => m.failures_of(bench, "count", Trials::Requests),
                None => m,
            };
            run.insert(bench, FAILURES, m);
            if let Some(n) = self.requests.filter(|n| *n > 0.0) {
                let rate = (f / n).clamp(0.0, 1.0);
                run.insert(
                    bench,
                    "error_rate",
                    Metric::new(rate, Unit::Ratio, Direction::LowerIsBetter),
                );
                run.insert(bench, &trials_name("error_rate"), count(n));
            }
        }
    }
}

/// Splits one CSV record (RFC 4180 quoting: `"a,b"`, `""` for a quote) into its fields.
pub(crate) fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_commas() {
        assert_eq!(
            csv_fields("a,\"b,c\",\"d\"\"e\","),
            ["a", "b,c", "d\"e", ""]
        );
        assert_eq!(csv_fields(""), [""]);
    }

    #[test]
    fn percentile_names() {
        assert_eq!(percentile_name(95.0), "p95");
        assert_eq!(percentile_name(99.9), "p99.9");
        assert_eq!(percentile_name(99.99), "p99.99");
        assert_eq!(percentile_name(97.5), "p97.5");
    }

    #[test]
    fn failures_are_always_written_with_their_rate() {
        let mut run = Run::default();
        EndpointStats {
            percentiles: vec![(95.0, 10.0), (99.9, 30.0)],
            requests: Some(200.0),
            failures: Some(0.0),
            rate: Some(20.0),
            ..EndpointStats::default()
        }
        .insert(&mut run, "GET /a");
        let b = &run.benchmarks["GET /a"].metrics;
        assert!(b["p95"].gated && !b["p99.9"].gated && !b["rate"].gated);
        assert_eq!(b[FAILURES].value, 0.0);
        assert!(b[FAILURES].gated);
        let of = b[FAILURES].failures.as_ref().expect("declared as failures");
        assert_eq!(
            (of.benchmark.as_str(), of.metric.as_str()),
            ("GET /a", "count")
        );
        assert_eq!(of.trials, Trials::Requests);
        assert_eq!(b["error_rate"].value, 0.0);
        assert_eq!(b["error_rate_trials"].value, 200.0);
    }
}
