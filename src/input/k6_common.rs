//! What k6's summary metrics mean, shared by the handleSummary and legacy summary-export readers.
//!
//! k6 writes every time value in milliseconds, whatever `--summary-time-unit` says; data metrics are bytes.
//! Trend stats are named as in k6's `summaryTrendStats` (`avg`, `med`, `p(95)`, …) and renamed to perfgate's
//! names (`mean`, `p50`, `p95`, …). Gauges (`vus`, `vus_max`, custom gauges) describe the test set-up, not
//! the system under test, and are not read.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::json;
use crate::model::trials_name;
use crate::model::{Direction, Metric, Run, ToolCheck, Trials, Unit};

/// The kind of a k6 metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum K6Type {
    Trend,
    Counter,
    Rate,
    Gauge,
}

impl K6Type {
    pub(crate) fn parse(s: &str) -> Option<K6Type> {
        match s {
            "trend" => Some(K6Type::Trend),
            "counter" => Some(K6Type::Counter),
            "rate" => Some(K6Type::Rate),
            "gauge" => Some(K6Type::Gauge),
            _ => None,
        }
    }
}

/// The metric name without its tag set: `http_req_duration{name:login}` → `http_req_duration`.
pub(crate) fn base_name(key: &str) -> &str {
    key.split_once('{').map_or(key, |(base, _)| base)
}

/// perfgate's name for a k6 trend stat: `avg` → `mean`, `med` → `p50`, `p(95)` → `p95`, `p(99.9)` → `p99.9`.
pub(crate) fn trend_stat_name(k6: &str) -> Option<String> {
    match k6 {
        "avg" => Some("mean".into()),
        "med" => Some("p50".into()),
        "min" | "max" | "count" => Some(k6.into()),
        _ => {
            let inner = k6.strip_prefix("p(")?.strip_suffix(')')?;
            let pct: f64 = inner.trim().parse().ok()?;
            if !(0.0..=100.0).contains(&pct) {
                return None;
            }
            Some(format!("p{}", inner.trim()))
        }
    }
}

/// k6's built-in protocol trends that hold durations (HTTP, gRPC, WebSocket, iterations and groups).
fn is_protocol_time_trend(base: &str) -> bool {
    base.starts_with("http_req_")
        || matches!(
            base,
            "iteration_duration" | "group_duration" | "grpc_req_duration"
        )
        || base.starts_with("ws_")
}

/// Built-in k6 trends that hold durations, for the legacy export which does not say: the protocol ones and
/// the browser's (all but the unitless layout shift).
pub(crate) fn is_builtin_time_trend(base: &str) -> bool {
    is_protocol_time_trend(base) || (base.starts_with("browser_") && !base.ends_with("_cls"))
}

/// Counters and rates whose growth is bad: dropped iterations, failures, errors.
fn counts_bad_things(base: &str) -> bool {
    let b = base.to_ascii_lowercase();
    ["fail", "error", "dropped", "timeout", "reject"]
        .iter()
        .any(|w| b.contains(w))
}

/// A custom counter of failures by its name (`errors`, `failed_logins`, `timeouts`, `rejected`): k6
/// writes a counter only once it was added to, so a run without one had none. Dropped iterations are the
/// load generator's shortfall, not a failure of the system under test.
fn counts_failures(base: &str) -> bool {
    let b = base.to_ascii_lowercase();
    ["fail", "error", "timeout", "reject"]
        .iter()
        .any(|w| b.contains(w))
}

/// Declares each custom failure counter's `count` a failure count out of the run's requests
/// (`http_reqs` of the same tags, else all of them; `iterations` in a test without HTTP), gated in place
/// of its per-second rate. Call once a summary is read whole.
pub(crate) fn declare_failure_counters(run: &mut Run) {
    let keys: Vec<String> = run.benchmarks.keys().cloned().collect();
    for key in keys {
        let base = base_name(&key);
        if base.starts_with("http_req") || !counts_failures(base) {
            continue;
        }
        let tags = key.find('{').map_or("", |i| &key[i..]);
        let trials = [
            format!("http_reqs{tags}"),
            "http_reqs".into(),
            "iterations".into(),
        ]
        .into_iter()
        .find(|t| run.metric(t, "count").is_some());
        let (Some(trials), Some(b)) = (trials, run.benchmarks.get_mut(&key)) else {
            continue;
        };
        // Counters only: a count next to a per-second rate, lower is better.
        let is_counter = b
            .metrics
            .get("rate")
            .is_some_and(|r| r.unit == Unit::PerSecond);
        let Some(count) = b.metrics.get_mut("count").filter(|m| {
            is_counter && m.unit == Unit::Count && m.direction == Direction::LowerIsBetter
        }) else {
            continue;
        };
        let of = if trials.starts_with("iterations") {
            Trials::Iterations
        } else {
            Trials::Requests
        };
        *count = count.clone().failures_of(&trials, "count", of);
        count.gated = gated_tags(&key);
        if let Some(rate) = b.metrics.get_mut("rate") {
            rate.gated = false;
        }
    }
}

pub use crate::model::CONNECTION_PHASES;

/// Tags whose sub-metrics repeat the endpoint or overall rows (one status, one method, one scenario) and are
/// reported, not gated; per-endpoint (`name`) and overall rows are what load-test users gate.
const REPORT_ONLY_TAGS: &[&str] = &[
    "status",
    "method",
    "scenario",
    "proto",
    "url",
    "error",
    "error_code",
    "tls_version",
];

/// Whether a trend row is gated by default: not a connection phase, not a sub-metric split by a report-only
/// tag, not the mean (one slow request moves a 1.5 ms endpoint's mean by 50 %; load-test users gate
/// percentiles), and not a percentile beyond p99 (p99.9 of a load test is a handful of requests).
fn trend_gated(key: &str, stat: &str) -> bool {
    let base = base_name(key);
    if CONNECTION_PHASES.contains(&base) || !gated_tags(key) || stat == "mean" {
        return false;
    }
    match crate::model::percentile_of(stat) {
        Some(p) => p <= 99.0,
        None => true,
    }
}

/// Whether a trend's values are kept per time window for batch-means evidence: the gated trends.
pub(crate) fn windowed(key: &str) -> bool {
    trend_gated(key, "p50")
}

/// Whether a sub-metric's tags allow gating (no tags, `name`, `expected_response`, custom tags).
fn gated_tags(key: &str) -> bool {
    let Some((_, tags)) = key.split_once('{') else {
        return true;
    };
    !tags.trim_end_matches('}').split(',').any(|kv| {
        let k = kv.split_once(':').map_or(kv, |(k, _)| k).trim();
        REPORT_ONLY_TAGS.contains(&k)
    })
}

/// The unit of a trend's values.
fn trend_unit(base: &str, contains: Option<&str>) -> Unit {
    match contains {
        Some("time") => Unit::Milliseconds,
        Some("data") => Unit::Bytes,
        Some(_) => Unit::Other(String::new()),
        None if is_builtin_time_trend(base) => Unit::Milliseconds,
        None if base.starts_with("data_") => Unit::Bytes,
        None => Unit::Other(String::new()),
    }
}

/// Adds one k6 metric to the run. `values` uses handleSummary's keys (a legacy rate's `value` must be
/// passed as `rate`).
pub(crate) fn add_metric(
    run: &mut Run,
    key: &str,
    kind: K6Type,
    contains: Option<&str>,
    values: &Map<String, Value>,
) {
    let base = base_name(key);
    let get = |k: &str| json::number(values.get(k));
    match kind {
        K6Type::Trend => {
            let unit = trend_unit(base, contains);
            for (k6_stat, v) in values {
                let (Some(stat), Some(value)) = (trend_stat_name(k6_stat), json::number(Some(v)))
                else {
                    continue;
                };
                let m = if stat == "count" {
                    Metric::new(value, Unit::Count, Direction::HigherIsBetter).informational()
                } else if trend_gated(key, &stat) {
                    Metric::new(value, unit.clone(), Direction::LowerIsBetter)
                } else {
                    Metric::new(value, unit.clone(), Direction::LowerIsBetter).informational()
                };
                run.insert(key, &stat, m);
            }
        }
        K6Type::Counter => {
            let direction = if counts_bad_things(base) {
                Direction::LowerIsBetter
            } else {
                Direction::HigherIsBetter
            };
            let data =
                contains == Some("data") || (contains.is_none() && base.starts_with("data_"));
            let (count_unit, rate_unit) = if data {
                (Unit::Bytes, Unit::Other("B/s".into()))
            } else {
                (Unit::Count, Unit::PerSecond)
            };
            // Totals depend on the test's length; the per-second rate is what is comparable.
            if let Some(c) = get("count") {
                run.insert(
                    key,
                    "count",
                    Metric::new(c, count_unit, direction).informational(),
                );
            }
            if let Some(r) = get("rate") {
                let m = Metric::new(r, rate_unit, direction);
                let gated = !data && gated_tags(key);
                run.insert(key, "rate", if gated { m } else { m.informational() });
            }
        }
        K6Type::Rate => {
            let Some(rate) = get("rate") else { return };
            // `passes` counts non-zero samples: for http_req_failed that is the number of failed requests.
            let (stat, direction) = if base == "http_req_failed" {
                ("error_rate", Direction::LowerIsBetter)
            } else if counts_bad_things(base) {
                ("rate", Direction::LowerIsBetter)
            } else {
                ("rate", Direction::HigherIsBetter)
            };
            let m = Metric::new(rate, Unit::Ratio, direction);
            run.insert(
                key,
                stat,
                if gated_tags(key) {
                    m
                } else {
                    m.informational()
                },
            );
            // The number of samples behind the rate, so that the rate can be tested as a count.
            if let (Some(p), Some(f)) = (get("passes"), get("fails")) {
                run.insert(key, &trials_name(stat), trials_metric(p + f));
            }
        }
        K6Type::Gauge => {}
    }
}

/// The informational count of trials behind a ratio metric.
fn trials_metric(n: f64) -> Metric {
    Metric::new(n, Unit::Count, Direction::HigherIsBetter).informational()
}

/// Records a k6 threshold result.
pub(crate) fn add_threshold(run: &mut Run, key: &str, expression: &str, ok: bool) {
    run.tool_checks.push(ToolCheck {
        benchmark: key.to_string(),
        expression: expression.to_string(),
        ok,
    });
}

/// Both k6 summary shapes keep metrics in a top-level `metrics` object.
pub(crate) fn metrics_object(doc: &Value) -> Option<&Map<String, Value>> {
    doc.as_object()?.get("metrics")?.as_object()
}

/// One metric of a summary: its name and its object.
pub(crate) type NamedMetric<'a> = (&'a String, &'a Map<String, Value>);

/// Each metric of a summary, by name, in file order: an error for a document without a `metrics` object,
/// and in its turn for a metric that is not an object.
pub(crate) fn each_metric(
    doc: &Value,
) -> Result<impl Iterator<Item = Result<NamedMetric<'_>, ParseError>>, ParseError> {
    let metrics = metrics_object(doc).ok_or_else(|| ParseError::new("no `metrics` object"))?;
    Ok(metrics
        .iter()
        .map(|(key, m)| Ok((key, json::object(m, key)?))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trend_stats_take_k6_names() {
        assert_eq!(trend_stat_name("med").as_deref(), Some("p50"));
        assert_eq!(trend_stat_name("avg").as_deref(), Some("mean"));
        assert_eq!(trend_stat_name("p(95)").as_deref(), Some("p95"));
        assert_eq!(trend_stat_name("p(99.9)").as_deref(), Some("p99.9"));
        assert_eq!(trend_stat_name("p(101)"), None);
        assert_eq!(trend_stat_name("thresholds"), None);
    }

    #[test]
    fn phases_tags_and_extreme_percentiles_are_report_only() {
        assert!(trend_gated("http_req_duration", "p95"));
        assert!(trend_gated("http_req_duration{name:search}", "p99"));
        assert!(trend_gated(
            "http_req_duration{expected_response:true}",
            "p50"
        ));
        assert!(trend_gated("iteration_duration", "p50"));
        assert!(!trend_gated("iteration_duration", "mean"));
        assert!(!trend_gated("http_req_connecting{name:health}", "mean"));
        assert!(!trend_gated("http_req_waiting", "p95"));
        assert!(!trend_gated("http_req_duration{status:200}", "p95"));
        assert!(!trend_gated("http_req_duration{name:a,method:GET}", "p95"));
        assert!(!trend_gated("http_req_duration", "p99.9"));
    }

    #[test]
    fn custom_error_counters_are_failures_of_the_requests_and_dropped_iterations_are_not() {
        let mut run = Run::default();
        let counter = |run: &mut Run, key: &str, n: f64| {
            let v = serde_json::json!({"count": n, "rate": n / 10.0});
            add_metric(run, key, K6Type::Counter, None, v.as_object().unwrap());
        };
        counter(&mut run, "iterations", 400.0);
        counter(&mut run, "errors", 13.0);
        counter(&mut run, "dropped_iterations", 3.0);
        declare_failure_counters(&mut run);
        // No HTTP in this test: out of the iterations.
        let errors = run.metric("errors", "count").unwrap();
        let of = errors.failures.as_ref().unwrap();
        assert_eq!(
            (of.benchmark.as_str(), of.trials),
            ("iterations", Trials::Iterations)
        );
        assert!(errors.gated);
        assert!(!run.metric("errors", "rate").unwrap().gated);
        assert!(run
            .metric("dropped_iterations", "count")
            .unwrap()
            .failures
            .is_none());
        counter(&mut run, "http_reqs", 1200.0);
        counter(&mut run, "http_reqs{name:login}", 400.0);
        counter(&mut run, "errors{name:login}", 13.0);
        declare_failure_counters(&mut run);
        let of = |k: &str| run.metric(k, "count").unwrap().failures.clone().unwrap();
        assert_eq!(of("errors{name:login}").benchmark, "http_reqs{name:login}");
        assert_eq!(of("errors").benchmark, "http_reqs");
    }

    #[test]
    fn base_name_strips_tags() {
        assert_eq!(
            base_name("http_req_duration{name:login}"),
            "http_req_duration"
        );
        assert_eq!(base_name("vus"), "vus");
    }
}
