//! k6 `--out json=results.json`: one JSON object per line, every sample of every metric.
//!
//! `{"type":"Metric","data":{"type":"trend","contains":"time",…},"metric":"http_req_duration"}` comes once
//! before a metric's first point; then `{"metric":…,"type":"Point","data":{"time","value","tags"}}` per
//! sample (key order differs between k6 versions). perfgate computes the summary k6 would print: per
//! metric, and per value of the `name`, `scenario`, `status` and `method` tags as sub-metrics named like
//! k6's own (`http_req_duration{name:login}`), plus `{expected_response:true}` which k6 always creates.
//! Files are huge, so they are streamed line by line and only the values of trends are kept.

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::k6_common::{self, K6Type};
use crate::input::{InputFormat, Probe, GZIP_UNSUPPORTED};
use crate::model::Run;

/// Reader for k6's NDJSON stream.
pub struct K6NdjsonInput;

/// Tags whose values split a metric into sub-metrics.
const SPLIT_TAGS: &[&str] = &["name", "scenario", "status", "method"];

/// Percentiles computed for trends, as k6 names them.
const PERCENTILES: &[(&str, f64)] = &[
    ("med", 0.5),
    ("p(90)", 0.9),
    ("p(95)", 0.95),
    ("p(99)", 0.99),
];

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    metric: Option<String>,
    data: Option<Data>,
}

/// The union of a Metric line's and a Point line's `data`.
#[derive(Deserialize)]
struct Data {
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    contains: Option<String>,
    time: Option<String>,
    value: Option<Value>,
    tags: Option<Map<String, Value>>,
}

impl InputFormat for K6NdjsonInput {
    fn id(&self) -> &'static str {
        "k6-ndjson"
    }

    fn tool(&self) -> &'static str {
        "k6"
    }

    fn example(&self) -> &'static str {
        "k6 run --out json=results.json script.js"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let Some(first) = probe.head().lines().map(str::trim).find(|l| !l.is_empty()) else {
            return false;
        };
        let Ok(Value::Object(o)) = serde_json::from_str::<Value>(first) else {
            return false;
        };
        matches!(
            o.get("type").and_then(Value::as_str),
            Some("Metric" | "Point")
        ) && o.get("metric").is_some_and(Value::is_string)
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        if probe.is_gzip() {
            return Err(ParseError::new(GZIP_UNSUPPORTED));
        }
        let mut reader = probe.reader()?;
        let mut agg = K6Aggregator::new();
        let mut buf = Vec::new();
        let mut line_no = 0u64;
        loop {
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| ParseError::new(format!("line {}: {e}", line_no + 1)))?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let mut bytes = buf.as_slice();
            if line_no == 1 {
                bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
            }
            let bytes = bytes.trim_ascii();
            if bytes.is_empty() {
                continue;
            }
            let line: Line = serde_json::from_slice(bytes)
                .map_err(|e| ParseError::new(format!("line {line_no}: invalid JSON: {e}")))?;
            feed_line(&mut agg, line)
                .map_err(|e| ParseError::new(format!("line {line_no}: {e}")))?;
        }
        Ok(agg.finish())
    }
}

fn feed_line(agg: &mut K6Aggregator, line: Line) -> Result<(), String> {
    let data = line.data;
    match line.kind.as_deref() {
        Some("Metric") => {
            let Some(data) = data else { return Ok(()) };
            let name = line
                .metric
                .or(data.name)
                .ok_or("Metric line without `metric`")?;
            if let Some(kind) = data.kind.as_deref() {
                agg.define(&name, kind, data.contains.as_deref());
            }
        }
        Some("Point") => {
            let metric = line.metric.ok_or("Point line without `metric`")?;
            let data = data.ok_or("Point line without `data`")?;
            if let Some(t) = data.time.as_deref() {
                let ns = parse_rfc3339_nanos(t)
                    .ok_or_else(|| format!("`data.time` {t:?} is not an RFC 3339 timestamp"))?;
                agg.observe_time(ns);
            }
            // A null or non-numeric value is a missing sample, never 0.
            let Some(value) = data.value.as_ref().and_then(Value::as_f64) else {
                return Ok(());
            };
            let tags = data.tags.iter().flatten();
            agg.add_point(
                &metric,
                value,
                tags.filter_map(|(k, v)| Some((k.as_str(), v.as_str()?))),
            );
        }
        // Future line types are not ours to judge.
        _ => {}
    }
    Ok(())
}

/// What has been collected for one metric or sub-metric.
enum Series {
    Trend(Vec<f64>),
    Counter(f64),
    Rate { nonzero: u64, total: u64 },
}

/// Turns k6 samples into the summary k6 would compute. Fed one point at a time so that the reading
/// (lines, gzip, …) stays separate from the statistics.
pub struct K6Aggregator {
    kinds: HashMap<String, (K6Type, Option<String>)>,
    series: BTreeMap<String, (K6Type, Series)>,
    first_ns: Option<i128>,
    last_ns: Option<i128>,
}

impl Default for K6Aggregator {
    fn default() -> Self {
        Self::new()
    }
}

impl K6Aggregator {
    /// An empty aggregator.
    pub fn new() -> K6Aggregator {
        K6Aggregator {
            kinds: HashMap::new(),
            series: BTreeMap::new(),
            first_ns: None,
            last_ns: None,
        }
    }

    /// Records a metric's k6 type (`trend`, `counter`, `rate`, `gauge`) and `contains` (`time`, `data`, …).
    pub fn define(&mut self, metric: &str, kind: &str, contains: Option<&str>) {
        if let Some(kind) = K6Type::parse(kind) {
            self.kinds
                .insert(metric.to_string(), (kind, contains.map(str::to_string)));
        }
    }

    /// Records a point's timestamp (nanoseconds since the epoch) for the span that counters' rates use.
    pub fn observe_time(&mut self, ns: i128) {
        self.first_ns = Some(self.first_ns.map_or(ns, |f| f.min(ns)));
        self.last_ns = Some(self.last_ns.map_or(ns, |l| l.max(ns)));
    }

    /// Adds one sample of `metric` with its tags. Setup/teardown samples, gauges and non-finite values are
    /// ignored.
    pub fn add_point<'a>(
        &mut self,
        metric: &str,
        value: f64,
        tags: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        if !value.is_finite() {
            return;
        }
        let Some(kind) = self
            .kinds
            .get(metric)
            .map(|(k, _)| *k)
            .or_else(|| builtin_kind(metric))
        else {
            return;
        };
        if kind == K6Type::Gauge {
            return;
        }
        let mut keys = vec![metric.to_string()];
        for (k, v) in tags {
            if k == "group" && is_setup_or_teardown(v) {
                return;
            }
            let split = (SPLIT_TAGS.contains(&k) && !v.is_empty())
                || (k == "expected_response" && v == "true");
            if split {
                keys.push(format!("{metric}{{{k}:{v}}}"));
            }
        }
        for key in keys {
            let (_, series) = self.series.entry(key).or_insert_with(|| {
                let s = match kind {
                    K6Type::Trend => Series::Trend(Vec::new()),
                    K6Type::Counter => Series::Counter(0.0),
                    _ => Series::Rate {
                        nonzero: 0,
                        total: 0,
                    },
                };
                (kind, s)
            });
            match series {
                Series::Trend(values) => values.push(value),
                Series::Counter(sum) => *sum += value,
                Series::Rate { nonzero, total } => {
                    *total += 1;
                    if value != 0.0 {
                        *nonzero += 1;
                    }
                }
            }
        }
    }

    /// The run: trends give count, mean, min, max, p50, p90, p95, p99; counters count and per-second rate
    /// over the span of the file's timestamps; rates their fraction of non-zero samples.
    pub fn finish(self) -> Run {
        let span_s = match (self.first_ns, self.last_ns) {
            (Some(f), Some(l)) if l > f => Some(nanos_to_secs(l - f)),
            _ => None,
        };
        let mut run = Run::default();
        for (key, (kind, series)) in self.series {
            let base = k6_common::base_name(&key);
            let contains = self.kinds.get(base).and_then(|(_, c)| c.as_deref());
            let mut values = Map::new();
            let mut put = |k: &str, v: Option<f64>| {
                if let Some(n) = v.and_then(serde_json::Number::from_f64) {
                    values.insert(k.to_string(), Value::Number(n));
                }
            };
            match series {
                Series::Trend(mut v) => {
                    if v.is_empty() {
                        continue;
                    }
                    v.sort_by(f64::total_cmp);
                    let n = v.len();
                    put("count", Some(usize_to_f64(n)));
                    put("avg", Some(v.iter().sum::<f64>() / usize_to_f64(n)));
                    put("min", v.first().copied());
                    put("max", v.last().copied());
                    for (name, p) in PERCENTILES {
                        put(name, quantile_sorted(&v, *p));
                    }
                }
                Series::Counter(sum) => {
                    put("count", Some(sum));
                    put("rate", span_s.map(|s| sum / s));
                }
                Series::Rate { nonzero, total } => {
                    if total == 0 {
                        continue;
                    }
                    put("rate", Some(u64_to_f64(nonzero) / u64_to_f64(total)));
                }
            }
            k6_common::add_metric(&mut run, &key, kind, contains, &values);
        }
        run
    }
}

/// k6 tags setup and teardown samples with these groups; they are not part of the load.
fn is_setup_or_teardown(group: &str) -> bool {
    ["::setup", "::teardown"]
        .iter()
        .any(|g| group == *g || group.strip_prefix(g).is_some_and(|r| r.starts_with("::")))
}

/// Types of built-in metrics, for streams whose Metric lines were cut off.
fn builtin_kind(metric: &str) -> Option<K6Type> {
    match metric {
        "http_reqs" | "iterations" | "data_sent" | "data_received" | "dropped_iterations" => {
            Some(K6Type::Counter)
        }
        "http_req_failed" | "checks" => Some(K6Type::Rate),
        "vus" | "vus_max" => Some(K6Type::Gauge),
        "iteration_duration" | "group_duration" | "grpc_req_duration" => Some(K6Type::Trend),
        m if m.starts_with("http_req_") => Some(K6Type::Trend),
        _ => None,
    }
}

/// Type-7 (linear interpolation at `p·(n-1)`, as k6 and numpy's default) quantile of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = usize_to_f64(sorted.len() - 1) * p;
    let lo_f = h.floor();
    // `h` lies in [0, n-1], so the conversion is exact; `get` guards anyway.
    let lo = lo_f as usize;
    let a = *sorted.get(lo)?;
    let b = *sorted.get(lo + 1).unwrap_or(&a);
    Some(a + (h - lo_f) * (b - a))
}

#[allow(clippy::cast_precision_loss)]
fn usize_to_f64(n: usize) -> f64 {
    n as f64
}

#[allow(clippy::cast_precision_loss)]
fn u64_to_f64(n: u64) -> f64 {
    n as f64
}

#[allow(clippy::cast_precision_loss)]
fn nanos_to_secs(ns: i128) -> f64 {
    ns as f64 / 1e9
}

/// Parses an RFC 3339 timestamp with offset (`2024-08-22T01:14:12.708268909-03:00`, `…Z`) into
/// nanoseconds since the Unix epoch.
pub fn parse_rfc3339_nanos(s: &str) -> Option<i128> {
    let b = s.trim().as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i128> {
        let digits = b.get(range)?;
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        digits
            .iter()
            .try_fold(0i128, |acc, d| Some(acc * 10 + i128::from(d - b'0')))
    };
    let sep = |i: usize, allowed: &[u8]| b.get(i).is_some_and(|c| allowed.contains(c));
    if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut i = 19;
    let mut frac_ns = 0i128;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // Nanosecond precision: digits past the ninth are dropped.
        let digits = b.get(start..i)?;
        let mut scale = 100_000_000i128;
        for d in digits.iter().take(9) {
            frac_ns += i128::from(d - b'0') * scale;
            scale /= 10;
        }
    }
    let offset_s = match b.get(i..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && sep(i + 3, b":") => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'-' {
                -off
            } else {
                off
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_s;
    Some(secs * 1_000_000_000 + frac_ns)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i128, m: i128, d: i128) -> i128 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::read_file;
    use crate::model::{Direction, Unit};

    fn shared_dir() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/formats/k6-ndjson")
    }

    fn parse_text(text: &str) -> Result<Run, ParseError> {
        K6NdjsonInput.parse(&Probe::from_text(Path::new("t.json"), text))
    }

    /// Points of one metric in the file, for checking perfgate's numbers against the file's own values.
    fn points(path: &Path, metric: &str) -> Vec<(f64, Map<String, Value>)> {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["type"] == "Point" && v["metric"] == metric)
            .filter(|v| {
                let g = v["data"]["tags"]["group"].as_str().unwrap_or("");
                !g.starts_with("::setup") && !g.starts_with("::teardown")
            })
            .map(|v| {
                let tags = v["data"]["tags"].as_object().cloned().unwrap_or_default();
                (v["data"]["value"].as_f64().unwrap(), tags)
            })
            .collect()
    }

    #[test]
    fn every_shared_file_parses_with_its_own_numbers() {
        let mut n = 0;
        for entry in std::fs::read_dir(shared_dir()).unwrap() {
            let path = entry.unwrap().path();
            let run = read_file(&path, None).expect("parses");
            assert_eq!(run.sources[0].format, "k6-ndjson", "{}", path.display());
            let dur = points(&path, "http_req_duration");
            let mut vals: Vec<f64> = dur.iter().map(|(v, _)| *v).collect();
            vals.sort_by(f64::total_cmp);
            let d = &run.benchmarks["http_req_duration"].metrics;
            assert_eq!(d["count"].value, vals.len() as f64);
            assert_eq!(d["max"].value, *vals.last().unwrap());
            assert_eq!(d["min"].value, vals[0]);
            assert_eq!(d["p95"].unit, Unit::Milliseconds);
            assert_eq!(d["p95"].direction, Direction::LowerIsBetter);
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            assert!((d["mean"].value - mean).abs() < 1e-9);
            // Sub-metrics by the tags the points carry.
            for (value, tags) in &dur {
                for tag in ["name", "status", "method", "scenario"] {
                    let v = tags[tag].as_str().unwrap();
                    let key = format!("http_req_duration{{{tag}:{v}}}");
                    assert!(run.benchmarks.contains_key(&key), "{key}");
                    let m = &run.benchmarks[&key].metrics;
                    assert!(m["min"].value <= *value && *value <= m["max"].value);
                }
            }
            let reqs = points(&path, "http_reqs");
            assert_eq!(
                run.metric("http_reqs", "count").unwrap().value,
                reqs.iter().map(|(v, _)| v).sum::<f64>()
            );
            let failed = points(&path, "http_req_failed");
            let nonzero = failed.iter().filter(|(v, _)| *v != 0.0).count();
            assert_eq!(
                run.metric("http_req_failed", "error_rate").unwrap().value,
                nonzero as f64 / failed.len() as f64
            );
            assert!(!run.benchmarks.contains_key("vus"), "gauges are skipped");
            n += 1;
        }
        assert_eq!(n, 2);
    }

    #[test]
    fn setup_points_are_skipped() {
        // KirillY's iteration_duration has one ::setup point (0.001976 ms) and one real iteration.
        let run = read_file(
            &shared_dir().join("KirillY_k6-load-template_k6-results.trimmed.ndjson"),
            None,
        )
        .unwrap();
        let it = &run.benchmarks["iteration_duration"].metrics;
        assert_eq!(it["count"].value, 1.0);
        assert!(it["min"].value > 0.01);
        assert_eq!(run.metric("checks", "rate").unwrap().value, 1.0);
    }

    /// Hand-made stream: both key orders, a Metric line with `"tags": null`, blank lines, CRLF, local-TZ
    /// timestamps, a setup point, a gauge and a null value.
    const STREAM: &str = concat!(
        "{\"type\":\"Metric\",\"data\":{\"name\":\"http_req_duration\",\"type\":\"trend\",\"contains\":\"time\",\"thresholds\":[],\"submetrics\":null},\"metric\":\"http_req_duration\"}\r\n",
        "{\"type\":\"Metric\",\"data\":{\"type\":\"counter\",\"contains\":\"default\",\"tainted\":null},\"metric\":\"http_reqs\"}\r\n",
        "{\"type\":\"Metric\",\"data\":{\"type\":\"rate\"},\"metric\":\"http_req_failed\"}\n",
        "{\"type\":\"Metric\",\"data\":{\"type\":\"gauge\"},\"metric\":\"vus\"}\n",
        "\n",
        "{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T01:13:59-03:00\",\"value\":5,\"tags\":null}}\n",
        "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T01:14:00-03:00\",\"value\":9999,\"tags\":{\"group\":\"::setup\",\"name\":\"home\"}}}\n",
    );

    fn stream() -> String {
        let values = [
            12.5, 3.0, 7.25, 100.0, 45.5, 8.0, 19.75, 61.0, 2.5, 33.0, 27.125,
        ];
        let mut s = STREAM.to_string();
        for (i, v) in values.iter().enumerate() {
            let name = if i % 2 == 0 { "home" } else { "search" };
            let status = if i == 3 { "500" } else { "200" };
            // Spans 04:14:00Z (as -03:00) to 04:14:10Z.
            let time = if i == 0 {
                "2024-08-22T01:14:00-03:00".to_string()
            } else {
                format!("2024-08-22T04:14:{:02}.5Z", i - 1)
            };
            let time = if i == values.len() - 1 {
                "2024-08-22T06:14:10+02:00".to_string()
            } else {
                time
            };
            let tags = format!("{{\"name\":\"{name}\",\"status\":\"{status}\",\"method\":\"GET\",\"group\":\"\",\"scenario\":\"default\"}}");
            s += &format!("{{\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{v},\"tags\":{tags}}},\"metric\":\"http_req_duration\"}}\r\n");
            s += &format!("{{\"metric\":\"http_reqs\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":1,\"tags\":{tags}}}}}\n");
            let failed = u8::from(status == "500");
            s += &format!("{{\"metric\":\"http_req_failed\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{failed},\"tags\":{tags}}}}}\n");
        }
        s += "{\"metric\":\"http_req_duration\",\"type\":\"Point\",\"data\":{\"time\":\"2024-08-22T04:14:05Z\",\"value\":null,\"tags\":null}}\n";
        s
    }

    #[test]
    fn type7_percentiles_match_numpy() {
        let run = parse_text(&stream()).unwrap();
        // numpy.percentile(v, [50, 90, 95, 99]) (default method "linear" = type 7).
        let all = &run.benchmarks["http_req_duration"].metrics;
        assert_eq!(all["count"].value, 11.0);
        assert_eq!(all["p50"].value, 19.75);
        assert_eq!(all["p90"].value, 61.0);
        assert!((all["p95"].value - 80.5).abs() < 1e-12);
        assert!((all["p99"].value - 96.10000000000001).abs() < 1e-12);
        assert!((all["mean"].value - 29.056818181818183).abs() < 1e-12);
        assert_eq!(all["max"].value, 100.0, "the ::setup point is skipped");
        let home = &run.benchmarks["http_req_duration{name:home}"].metrics;
        assert_eq!(home["p50"].value, 16.125);
        assert!((home["p90"].value - 36.3125).abs() < 1e-12);
        assert!((home["p95"].value - 40.90625).abs() < 1e-12);
        assert!((home["p99"].value - 44.581250000000004).abs() < 1e-12);
        assert!((home["mean"].value - 19.104166666666668).abs() < 1e-12);
        assert_eq!(home["min"].value, 2.5);
        assert_eq!(
            run.metric("http_req_duration{status:500}", "max")
                .unwrap()
                .value,
            100.0
        );
        assert!(run.benchmarks.contains_key("http_req_duration{method:GET}"));
        assert!(run
            .benchmarks
            .contains_key("http_req_duration{scenario:default}"));
        assert!(!run.benchmarks.contains_key("http_req_duration{group:}"));
        assert!(!run.benchmarks.contains_key("vus"));
    }

    #[test]
    fn counters_rates_and_error_rate() {
        let run = parse_text(&stream()).unwrap();
        let count = run.metric("http_reqs", "count").unwrap();
        assert_eq!(count.value, 11.0);
        assert!(!count.gated, "totals depend on the test length");
        // 11 requests between the first point (04:13:59Z, the gauge) and the last (04:14:10Z).
        let rate = run.metric("http_reqs", "rate").unwrap();
        assert!((rate.value - 1.0).abs() < 1e-12, "{}", rate.value);
        assert_eq!(rate.direction, Direction::HigherIsBetter);
        let err = run.metric("http_req_failed", "error_rate").unwrap();
        assert!((err.value - 1.0 / 11.0).abs() < 1e-12);
        assert_eq!(err.unit, Unit::Ratio);
        assert_eq!(
            run.metric("http_req_failed{status:500}", "error_rate")
                .unwrap()
                .value,
            1.0
        );
    }

    #[test]
    fn quantiles_of_tiny_inputs() {
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&[4.0], 0.99), Some(4.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 1.0), Some(2.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&[1.0, 2.0], 1.5), None);
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_rfc3339_nanos("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339_nanos("2024-08-22T01:14:12.708268909-03:00"),
            Some(1_724_300_052_708_268_909)
        );
        assert_eq!(
            parse_rfc3339_nanos("2022-08-13T01:26:26.97176957Z"),
            Some(1_660_353_986_971_769_570)
        );
        assert_eq!(
            parse_rfc3339_nanos("1969-12-31T23:59:59.5Z"),
            Some(-500_000_000)
        );
        for bad in [
            "",
            "2024-08-22",
            "2024-13-01T00:00:00Z",
            "2024-08-22T01:14:12",
            "2024-08-22T01:14:12.Z",
            "2024-08-22T01:14:12+0300",
            "2024-08-22T01:14:12+03:00x",
            "２024-08-22T01:14:12Z",
        ] {
            assert_eq!(parse_rfc3339_nanos(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_lines_are_errors_naming_the_line() {
        let e = parse_text(
            "{\"type\":\"Metric\",\"data\":{\"type\":\"trend\"},\"metric\":\"x\"}\n{oops\n",
        )
        .unwrap_err();
        assert!(e.0.starts_with("line 2: invalid JSON"), "{e}");
        let e = parse_text(
            "{\"type\":\"Point\",\"data\":{\"time\":\"yesterday\",\"value\":1},\"metric\":\"http_reqs\"}\n",
        )
        .unwrap_err();
        assert!(e.0.contains("line 1") && e.0.contains("data.time"), "{e}");
        let e = parse_text("{\"type\":\"Point\",\"data\":{}}\n").unwrap_err();
        assert!(e.0.contains("without `metric`"), "{e}");
        assert!(parse_text("[1]\n").is_err());
        assert!(parse_text("\"Point\"\n").is_err());
    }

    #[test]
    fn sniffs_only_k6_lines() {
        let sniff = |t: &str| K6NdjsonInput.sniff(&Probe::from_text(Path::new("x"), t));
        assert!(sniff(
            "\n{\"metric\":\"vus\",\"type\":\"Point\",\"data\":{}}\n"
        ));
        assert!(sniff(
            "\u{feff}{\"type\":\"Metric\",\"data\":{},\"metric\":\"vus\"}"
        ));
        assert!(!sniff("{\"type\":\"Point\",\"data\":{}}"));
        assert!(!sniff("{\"metrics\":{}}"));
        assert!(!sniff("[{\"name\":\"a\",\"unit\":\"ns\",\"value\":1}]"));
    }

    #[test]
    fn gzip_is_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("results.json.gz");
        std::fs::write(&p, [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]).unwrap();
        let e = read_file(&p, None).unwrap_err().to_string();
        assert!(
            e.contains("gzip-compressed input is not supported yet"),
            "{e}"
        );
        let e = read_file(&p, Some(&K6NdjsonInput)).unwrap_err().to_string();
        assert!(
            e.contains("gzip-compressed input is not supported yet"),
            "{e}"
        );
    }
}
