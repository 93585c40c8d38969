//! k6 runs stored in Prometheus by k6's remote-write output (`k6 run -o experimental-prometheus-rw`),
//! turned into the same benchmarks and metrics as the k6 summary readers.
//!
//! Series names: trend stats `k6_<metric>_<stat>` (`p95`, `p99`, `p999` = p(99.9), `avg`, `med`, `min`,
//! `max`, `count`, `sum`), in seconds for time trends; counters `k6_<metric>_total`; rates
//! `k6_<metric>_rate`; anything else (gauges such as `k6_vus`) is not read. k6 sends one series per tag
//! set, so a sub-metric like `http_req_duration{name:login}` may span several series (status, method…):
//! counts and counter rates add up, error rates are weighted by the matching `k6_http_reqs_total`, and
//! percentiles of several series cannot be combined: those are reported as the worse series' value,
//! with the range as bounds, and not gated.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::input::k6_common::{self, K6Type};
use crate::model::{Direction, Run};
use crate::stats::combine::{combine, Combined, Rule};

/// Tags that split a metric into sub-metrics, as in the NDJSON reader.
const SPLIT_TAGS: &[&str] = &["name", "scenario", "status", "method"];

/// One series: its labels and its samples `(unix seconds, value)` in time order.
#[derive(Debug, Clone, Default)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub samples: Vec<(f64, f64)>,
}

/// What the series name says about the k6 metric.
enum Kind<'a> {
    Trend { base: &'a str, stat: String },
    Counter(&'a str),
    Rate(&'a str),
}

fn classify(name: &str) -> Option<Kind<'_>> {
    let rest = name.strip_prefix("k6_")?;
    if let Some(base) = rest.strip_suffix("_total") {
        return Some(Kind::Counter(base));
    }
    if let Some(base) = rest.strip_suffix("_rate") {
        return Some(Kind::Rate(base));
    }
    let (base, stat) = rest.rsplit_once('_')?;
    let stat = match stat {
        "avg" | "med" | "min" | "max" | "count" | "sum" => stat.to_string(),
        p if p.len() >= 3 && p.starts_with('p') && p[1..].bytes().all(|b| b.is_ascii_digit()) => {
            // k6 drops the dot: p(99.9) is `p999`, p(95) is `p95`.
            let digits = &p[1..];
            if digits.len() > 2 {
                format!("p({}.{})", &digits[..2], &digits[2..])
            } else {
                format!("p({digits})")
            }
        }
        _ => return None,
    };
    Some(Kind::Trend { base, stat })
}

/// The benchmark keys a series counts towards: the metric and one sub-metric per splitting tag.
fn keys(base: &str, labels: &BTreeMap<String, String>) -> Vec<String> {
    let mut keys = vec![base.to_string()];
    for (k, v) in labels {
        let split = (SPLIT_TAGS.contains(&k.as_str()) && !v.is_empty())
            || (k == "expected_response" && v == "true");
        if split {
            keys.push(format!("{base}{{{k}:{v}}}"));
        }
    }
    keys
}

/// The labels that identify a series apart from its name, to pair a rate with its request counter.
fn identity(labels: &BTreeMap<String, String>) -> Vec<(String, String)> {
    labels
        .iter()
        .filter(|(k, _)| k.as_str() != "__name__")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[derive(Default)]
struct Acc {
    kind: Option<K6Type>,
    /// Trend stat → each series' last value.
    stats: BTreeMap<String, Vec<f64>>,
    counter_total: f64,
    counter_increase: f64,
    /// Rate: (value, weight) per series.
    rates: Vec<(f64, Option<f64>)>,
}

/// A k6 run from its series; `time_scale` converts time trends to milliseconds (1000 for seconds).
/// Also returns the sub-metrics whose percentiles span several series.
pub fn run_from_series(series: &[Series], time_scale: f64) -> (Run, Vec<String>) {
    let t0 = series
        .iter()
        .filter_map(|s| s.samples.first().map(|p| p.0))
        .fold(f64::INFINITY, f64::min);
    let t1 = series
        .iter()
        .filter_map(|s| s.samples.last().map(|p| p.0))
        .fold(f64::NEG_INFINITY, f64::max);
    let span = t1 - t0;
    let request_counts: BTreeMap<Vec<(String, String)>, f64> = series
        .iter()
        .filter(|s| s.labels.get("__name__").map(String::as_str) == Some("k6_http_reqs_total"))
        .filter_map(|s| Some((identity(&s.labels), s.samples.last()?.1)))
        .collect();
    let mut accs: BTreeMap<String, Acc> = BTreeMap::new();
    for s in series {
        let Some(name) = s.labels.get("__name__") else {
            continue;
        };
        let Some(kind) = classify(name) else { continue };
        let (Some(&(first_t, first_v)), Some(&(_, last_v))) = (s.samples.first(), s.samples.last())
        else {
            continue;
        };
        if !last_v.is_finite() {
            continue;
        }
        let base = match &kind {
            Kind::Trend { base, .. } | Kind::Counter(base) | Kind::Rate(base) => *base,
        };
        for key in keys(base, &s.labels) {
            let acc = accs.entry(key).or_default();
            match &kind {
                Kind::Trend { stat, .. } => {
                    acc.kind = Some(K6Type::Trend);
                    acc.stats.entry(stat.clone()).or_default().push(last_v);
                }
                Kind::Counter(_) => {
                    acc.kind = Some(K6Type::Counter);
                    acc.counter_total += last_v;
                    // A series present at the first flush already counts requests from before it;
                    // one that appears later started from zero inside the window.
                    let from = if first_t - t0 < 1.0 { first_v } else { 0.0 };
                    acc.counter_increase += last_v - from;
                }
                Kind::Rate(_) => {
                    acc.kind = Some(K6Type::Rate);
                    let weight = (base == "http_req_failed")
                        .then(|| {
                            request_counts
                                .get(&identity_without_name(&s.labels))
                                .copied()
                        })
                        .flatten();
                    acc.rates.push((last_v, weight));
                }
            }
        }
    }
    let mut run = Run::default();
    let mut approximate = Vec::new();
    for (key, acc) in accs {
        let Some(kind) = acc.kind else { continue };
        let base = k6_common::base_name(&key).to_string();
        // k6 writes time trends in seconds (the browser's too); custom trends cannot be told apart and
        // keep their unit.
        let time = k6_common::is_builtin_time_trend(&base);
        let mut values = Map::new();
        let mut put = |k: &str, v: f64| {
            if let Some(n) = serde_json::Number::from_f64(v) {
                values.insert(k.to_string(), Value::Number(n));
            }
        };
        let mut bounds: Vec<(String, f64, f64)> = Vec::new();
        match kind {
            K6Type::Trend => {
                let counts = acc.stats.get("count").cloned();
                for (stat, vals) in &acc.stats {
                    let scale = if time && stat != "count" {
                        time_scale
                    } else {
                        1.0
                    };
                    let rule = match stat.as_str() {
                        "count" | "sum" => Rule::Sum,
                        "min" => Rule::Min,
                        "max" => Rule::Max,
                        "avg" => Rule::Mean,
                        _ => Rule::Bound,
                    };
                    let v = match combine(rule, vals, counts.as_deref()) {
                        Combined::Exact(v) => v * scale,
                        Combined::Bounds { low, high } => {
                            if let Some(name) = k6_common::trend_stat_name(stat) {
                                bounds.push((name, low * scale, high * scale));
                            }
                            high * scale
                        }
                    };
                    put(stat, v);
                }
            }
            K6Type::Counter => {
                put("count", acc.counter_total);
                if span > 0.0 {
                    put("rate", acc.counter_increase / span);
                }
            }
            K6Type::Rate => {
                let weighted = acc.rates.iter().all(|(_, w)| w.is_some());
                let total: f64 = acc.rates.iter().filter_map(|(_, w)| *w).sum();
                let lo = acc.rates.iter().map(|r| r.0).fold(f64::INFINITY, f64::min);
                let hi = acc
                    .rates
                    .iter()
                    .map(|r| r.0)
                    .fold(f64::NEG_INFINITY, f64::max);
                if acc.rates.len() == 1 {
                    put("rate", lo);
                } else if weighted && total > 0.0 {
                    let sum: f64 = acc.rates.iter().map(|(v, w)| v * w.unwrap_or(0.0)).sum();
                    put("rate", sum / total);
                } else {
                    let stat = if base == "http_req_failed" {
                        "error_rate"
                    } else {
                        "rate"
                    };
                    bounds.push((stat.to_string(), lo, hi));
                    put("rate", hi);
                }
            }
            K6Type::Gauge => {}
        }
        k6_common::add_metric(&mut run, &key, kind, time.then_some("time"), &values);
        for (stat, lo, hi) in bounds {
            if let Some(m) = run
                .benchmarks
                .get_mut(&key)
                .and_then(|b| b.metrics.get_mut(&stat))
            {
                // The worse series is shown; the true value lies in between, so it cannot gate.
                m.value = if m.direction == Direction::LowerIsBetter {
                    hi
                } else {
                    lo
                };
                m.gated = false;
                m.ci_low = Some(lo);
                m.ci_high = Some(hi);
                approximate.push(format!("{key} {stat}"));
            }
        }
    }
    k6_common::declare_failure_counters(&mut run);
    (run, approximate)
}

fn identity_without_name(labels: &BTreeMap<String, String>) -> Vec<(String, String)> {
    identity(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, labels: &[(&str, &str)], samples: &[(f64, f64)]) -> Series {
        let mut l: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        l.insert("__name__".into(), name.into());
        Series {
            labels: l,
            samples: samples.to_vec(),
        }
    }

    #[test]
    fn maps_k6_names_and_units() {
        let login = [("name", "login"), ("status", "200"), ("testid", "t")];
        let s = vec![
            series(
                "k6_http_req_duration_p95",
                &login,
                &[(0.0, 0.1), (10.0, 0.2)],
            ),
            series("k6_http_req_duration_p999", &login, &[(10.0, 0.3)]),
            series("k6_http_reqs_total", &login, &[(0.0, 10.0), (10.0, 110.0)]),
            series("k6_http_req_failed_rate", &login, &[(10.0, 0.25)]),
            series("k6_vus", &login, &[(10.0, 3.0)]),
        ];
        let (run, approx) = run_from_series(&s, 1000.0);
        let m = run.metric("http_req_duration{name:login}", "p95").unwrap();
        assert!((m.value - 200.0).abs() < 1e-9);
        assert!(m.gated);
        assert!(run.metric("http_req_duration", "p99.9").is_some());
        let rate = run.metric("http_reqs{name:login}", "rate").unwrap();
        assert!((rate.value - 10.0).abs() < 1e-9);
        let err = run.metric("http_req_failed", "error_rate").unwrap();
        assert!((err.value - 0.25).abs() < 1e-12);
        assert!(!run.benchmarks.contains_key("vus"));
        assert!(approx.is_empty());
    }

    #[test]
    fn browser_timings_are_durations_and_layout_shift_is_not() {
        let page = [("testid", "t")];
        let s = vec![
            series("k6_browser_web_vital_lcp_p95", &page, &[(10.0, 1.25)]),
            series("k6_browser_web_vital_cls_p95", &page, &[(10.0, 0.05)]),
        ];
        let (run, _) = run_from_series(&s, 1000.0);
        let lcp = run.metric("browser_web_vital_lcp", "p95").unwrap();
        assert!((lcp.value - 1250.0).abs() < 1e-9, "{lcp:?}");
        assert_eq!(lcp.unit, crate::model::Unit::Milliseconds);
        let cls = run.metric("browser_web_vital_cls", "p95").unwrap();
        assert!((cls.value - 0.05).abs() < 1e-12, "{cls:?}");
    }

    #[test]
    fn percentiles_of_several_series_are_bounds() {
        let a = [("name", "a"), ("status", "200")];
        let b = [("name", "a"), ("status", "500")];
        let s = vec![
            series("k6_http_req_duration_p95", &a, &[(10.0, 0.1)]),
            series("k6_http_req_duration_p95", &b, &[(10.0, 0.3)]),
            series("k6_http_reqs_total", &a, &[(0.0, 0.0), (10.0, 30.0)]),
            series("k6_http_reqs_total", &b, &[(0.0, 0.0), (10.0, 10.0)]),
            series("k6_http_req_failed_rate", &a, &[(10.0, 0.0)]),
            series("k6_http_req_failed_rate", &b, &[(10.0, 1.0)]),
        ];
        let (run, approx) = run_from_series(&s, 1000.0);
        let m = run.metric("http_req_duration{name:a}", "p95").unwrap();
        assert!((m.value - 300.0).abs() < 1e-9 && !m.gated);
        assert_eq!(m.ci_low, Some(100.0));
        assert!(approx.contains(&"http_req_duration{name:a} p95".to_string()));
        let err = run.metric("http_req_failed{name:a}", "error_rate").unwrap();
        assert!((err.value - 0.25).abs() < 1e-12 && err.gated);
    }
}
