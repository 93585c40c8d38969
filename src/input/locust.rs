//! Locust `locust --headless --json > stats.json` (or `--json-file stats`): an array with one object per
//! request name and method.
//!
//! One benchmark per request, named `METHOD name` as Locust's report lists it (`GET /search`), plus
//! `Aggregated` over all of them, as in Locust's CSV (so the JSON and the CSV of one run read alike; see
//! `locust_csv`). Percentiles are computed from `response_times` (Locust's histogram of rounded
//! milliseconds) exactly as Locust computes the ones it prints; `mean` is `total_response_time /
//! num_requests`; `rate` is requests over `start_time`..`last_request_timestamp` (Locust's "Requests/s"),
//! reported only, since Locust's users are a closed loop. `failures` is `num_failures`; metrics as in
//! [`super::endpoint_stats`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::endpoint_stats::EndpointStats;
use crate::input::{json, InputFormat, Probe};
use crate::model::Run;

/// Reader for Locust's JSON stats.
pub struct LocustInput;

/// The percentiles read from Locust: those of its CSV that load-test users gate (k6's defaults and p99),
/// and p99.9, reported. Its 66 %, 75 %, 80 % and 98 % columns would only lengthen the table.
pub(crate) const PERCENTILES: &[f64] = &[50.0, 90.0, 95.0, 99.0, 99.9];

/// The benchmark holding every request, Locust's own name for it.
pub(crate) const AGGREGATED: &str = "Aggregated";

/// `METHOD name`, or the name alone when the method is empty.
pub(crate) fn bench_name(method: &str, name: &str) -> String {
    if method.trim().is_empty() {
        name.to_string()
    } else {
        format!("{method} {name}")
    }
}

/// The step Locust rounds a response time of `ms` to before it counts it (`_log_response_time`: whole
/// milliseconds below 100 ms, tens below 1 s, hundreds below 10 s, thousands beyond), so the step of each
/// percentile it reports.
pub(crate) fn rounding_step(ms: f64) -> f64 {
    match ms {
        m if m < 100.0 => 1.0,
        m if m < 1000.0 => 10.0,
        m if m < 10_000.0 => 100.0,
        _ => 1000.0,
    }
}

/// Locust's `calculate_response_time_percentile`: the smallest rounded response time with at most
/// `int(n * q)` requests above it.
fn locust_percentile(hist: &BTreeMap<u64, f64>, n: f64, q: f64) -> Option<f64> {
    let allowed = (n * q).floor();
    let mut processed = 0.0;
    for (&ms, &c) in hist.iter().rev() {
        processed += c;
        if n - processed <= allowed {
            return Some(ms as f64);
        }
    }
    None
}

/// One stats entry, accumulated so that the entries can be summed into `Aggregated`.
#[derive(Default)]
struct Entry {
    requests: f64,
    /// Requests without a response time (`num_none_requests`): counted, not in the histogram.
    timeless: f64,
    failures: f64,
    total_ms: f64,
    min: Option<f64>,
    max: Option<f64>,
    start: Option<f64>,
    last: Option<f64>,
    hist: BTreeMap<u64, f64>,
}

impl Entry {
    fn read(obj: &Map<String, Value>, what: &str) -> Result<Entry, ParseError> {
        let num = |k: &str| json::number(obj.get(k));
        let requests = num("num_requests")
            .ok_or_else(|| ParseError::new(format!("`{what}` has no `num_requests`")))?;
        let mut hist = BTreeMap::new();
        if let Some(times) = obj.get("response_times") {
            for (k, v) in json::object(times, &format!("{what}.response_times"))? {
                let ms: u64 = k.trim().parse().map_err(|_| {
                    ParseError::new(format!(
                        "`{what}.response_times` key `{}` is not whole milliseconds",
                        crate::escape::terminal(k)
                    ))
                })?;
                if let Some(c) = json::number(Some(v)).filter(|c| *c >= 0.0) {
                    *hist.entry(ms).or_insert(0.0) += c;
                }
            }
        }
        Ok(Entry {
            requests,
            timeless: num("num_none_requests").unwrap_or(0.0),
            failures: num("num_failures").unwrap_or(0.0),
            total_ms: num("total_response_time").unwrap_or(0.0),
            min: num("min_response_time"),
            max: num("max_response_time"),
            start: num("start_time"),
            last: num("last_request_timestamp"),
            hist,
        })
    }

    fn add(&mut self, o: &Entry) {
        self.requests += o.requests;
        self.timeless += o.timeless;
        self.failures += o.failures;
        self.total_ms += o.total_ms;
        let pick = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        self.min = pick(self.min, o.min, f64::min);
        self.max = pick(self.max, o.max, f64::max);
        self.start = pick(self.start, o.start, f64::min);
        self.last = pick(self.last, o.last, f64::max);
        for (&k, &c) in &o.hist {
            *self.hist.entry(k).or_insert(0.0) += c;
        }
    }

    fn stats(&self, overall: bool) -> EndpointStats {
        // As Locust: percentiles and the mean over the requests that have a response time.
        let n = self.requests;
        let timed = n - self.timeless;
        let percentiles = if self.hist.is_empty() || timed <= 0.0 {
            Vec::new()
        } else {
            PERCENTILES
                .iter()
                .filter_map(|&p| locust_percentile(&self.hist, timed, p / 100.0).map(|v| (p, v)))
                .collect()
        };
        let span = match (self.start, self.last) {
            (Some(s), Some(l)) if l > s => Some(l - s),
            _ => None,
        };
        EndpointStats {
            percentiles,
            percentile_step: Some(rounding_step),
            mean: (timed > 0.0).then(|| self.total_ms / timed),
            min: self.min.filter(|_| n > 0.0),
            max: self.max.filter(|_| n > 0.0),
            requests: Some(n),
            failures: Some(self.failures),
            rate: span.map(|s| n / s),
            rate_gated: false,
            overall,
        }
    }
}

fn looks_like_entry(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("num_requests") && o.contains_key("response_times") && o.contains_key("name")
    })
}

impl InputFormat for LocustInput {
    fn id(&self) -> &'static str {
        "locust"
    }

    fn tool(&self) -> &'static str {
        "locust"
    }

    fn example(&self) -> &'static str {
        "locust -f locustfile.py --headless -u 10 -t 1m --json --skip-log > stats.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        if !head.contains("\"num_requests\"") || !head.contains("\"response_times\"") {
            return false;
        }
        probe
            .json()
            .and_then(Value::as_array)
            .is_some_and(|a| a.first().is_some_and(looks_like_entry))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let entries = doc
            .as_array()
            .ok_or_else(|| ParseError::new("not a JSON array of Locust stats entries"))?;
        let mut run = Run::default();
        let mut total = Entry::default();
        for (i, e) in entries.iter().enumerate() {
            let what = format!("[{i}]");
            let obj = json::object(e, &what)?;
            let name = obj
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new(format!("`{what}` has no `name`")))?;
            let method = obj.get("method").and_then(Value::as_str).unwrap_or("");
            let entry = Entry::read(obj, &what)?;
            total.add(&entry);
            entry
                .stats(false)
                .insert(&mut run, &bench_name(method, name));
        }
        if !entries.is_empty() {
            total.stats(true).insert(&mut run, AGGREGATED);
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::FAILURES;

    fn parse(t: &str) -> Result<Run, ParseError> {
        LocustInput.parse(&Probe::from_text(Path::new("stats.json"), t))
    }

    #[test]
    fn percentiles_follow_locust() {
        // 10 requests: 1 ms ×5, 2 ms ×3, 10 ms, 40 ms. Locust's own function gives p50 = 2, p90 = 40.
        let run = parse(
            r#"[{"name":"/a","method":"GET","num_requests":10,"num_failures":1,"total_response_time":61,
                "min_response_time":0.9,"max_response_time":40.2,"start_time":100,"last_request_timestamp":105,
                "response_times":{"1":5,"2":3,"10":1,"40":1}}]"#,
        )
        .unwrap();
        let b = &run.benchmarks["GET /a"].metrics;
        assert_eq!(b["p50"].value, 2.0);
        assert_eq!(b["p90"].value, 40.0);
        assert_eq!(b["p99"].value, 40.0);
        assert_eq!(b["mean"].value, 6.1);
        assert_eq!(b["rate"].value, 2.0);
        assert_eq!(b[FAILURES].value, 1.0);
        assert_eq!(b["error_rate"].value, 0.1);
        assert!(run.benchmarks.contains_key(AGGREGATED));
    }

    #[test]
    fn real_run_matches_locust_own_percentiles() {
        // Values from locust.stats.calculate_response_time_percentile on the same file (locust 2.47.0).
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/locust/baseline.json");
        let run = crate::input::read_file(&path, None).unwrap();
        assert_eq!(run.sources[0].format, "locust");
        let b = &run.benchmarks["GET /search"].metrics;
        let got: Vec<f64> = ["p50", "p90", "p95", "p99", "p99.9"]
            .iter()
            .map(|p| b[*p].value)
            .collect();
        assert_eq!(got, [22.0, 25.0, 27.0, 31.0, 49.0]);
        assert_eq!(b["count"].value, 2863.0);
        assert!((b["mean"].value - 22.626_898_867_273_013).abs() < 1e-9);
        assert!((b["rate"].value - 144.821_819_794_545_43).abs() < 1e-6);
        // The aggregate's latency rows restate the endpoints': reported only.
        let agg = &run.benchmarks[AGGREGATED].metrics;
        assert!(!agg["p95"].gated && agg[FAILURES].gated);
        assert_eq!(agg["count"].value, 8597.0);
    }

    #[test]
    fn malformed_entries_are_errors() {
        assert!(parse(r#"{"a":1}"#).is_err());
        assert!(parse(r#"[{"name":"x"}]"#).is_err());
        assert!(parse(r#"[{"name":"x","num_requests":1,"response_times":{"x":1}}]"#).is_err());
        assert!(parse(r#"[{"name":"x","num_requests":1,"response_times":[]}]"#).is_err());
        assert!(parse("[3]").is_err());
        let run = parse(r#"[{"name":"x","num_requests":0,"response_times":{}}]"#).unwrap();
        assert!(!run.benchmarks["x"].metrics.contains_key("error_rate"));
    }
}
