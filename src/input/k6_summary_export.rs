//! k6 legacy `--summary-export=summary.json`.
//!
//! Metrics are flattened (`{"avg": …, "p(95)": …, "thresholds": {"p(95)<500": true}}`) with no type; a rate's
//! fraction is called `value`, and a threshold's `true` means it FAILED.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::k6_common::{self, K6Type};
use crate::input::{InputFormat, Probe};
use crate::model::Run;

/// Reader for k6's legacy summary export.
pub struct K6SummaryExportInput;

/// Infers the k6 type from the flattened keys.
fn infer_type(m: &Map<String, Value>) -> Option<K6Type> {
    if m.contains_key("passes") && m.contains_key("fails") {
        Some(K6Type::Rate)
    } else if m.contains_key("count") && m.contains_key("rate") {
        Some(K6Type::Counter)
    } else if m.contains_key("value") {
        Some(K6Type::Gauge)
    } else if m.keys().any(|k| k6_common::trend_stat_name(k).is_some()) {
        Some(K6Type::Trend)
    } else {
        None
    }
}

impl InputFormat for K6SummaryExportInput {
    fn id(&self) -> &'static str {
        "k6-summary-export"
    }

    fn tool(&self) -> &'static str {
        "k6"
    }

    fn example(&self) -> &'static str {
        "k6 run --summary-export=summary.json script.js"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let Some(doc) = probe.json() else {
            return false;
        };
        let Some(metrics) = k6_common::metrics_object(doc) else {
            return false;
        };
        let has_k6_shape = doc.get("root_group").is_some()
            || metrics.keys().any(|k| {
                matches!(
                    k6_common::base_name(k),
                    "http_reqs" | "iterations" | "http_req_duration" | "vus"
                )
            });
        has_k6_shape
            && !metrics.is_empty()
            && metrics
                .values()
                .all(|m| m.is_object() && m.get("values").is_none())
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let mut run = Run::default();
        for metric in k6_common::each_metric(doc)? {
            let (key, m) = metric?;
            let Some(kind) = infer_type(m) else { continue };
            let mut values = m.clone();
            values.remove("thresholds");
            if kind == K6Type::Rate {
                if let Some(v) = values.remove("value") {
                    values.insert("rate".into(), v);
                }
            }
            k6_common::add_metric(&mut run, key, kind, None, &values);
            if let Some(thresholds) = m.get("thresholds").and_then(|t| t.as_object()) {
                for (expr, crossed) in thresholds {
                    if let Some(crossed) = crossed.as_bool() {
                        k6_common::add_threshold(&mut run, key, expr, !crossed);
                    }
                }
            }
        }
        k6_common::declare_failure_counters(&mut run);
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Unit};

    /// The files of this format carry no licence: only in the outside corpus.
    fn shared(path: &str) -> Option<Run> {
        let full = crate::input::shared_formats::file(path)?;
        Some(crate::input::read_file(&full, None).expect("parses"))
    }

    #[test]
    fn legacy_threshold_true_means_failed() {
        let Some(run) = shared("k6-summary-export/Sweet-Poision_rate-limiter_k6-summary.json")
        else {
            return;
        };
        let p95 = run.metric("http_req_duration", "p95").unwrap();
        assert_eq!(p95.value, 269.06783674999986);
        assert_eq!(p95.unit, Unit::Milliseconds);
        let t = run
            .tool_checks
            .iter()
            .find(|c| c.expression == "p(95)<50")
            .unwrap();
        assert!(!t.ok, "p95 = 269 ms crossed p(95)<50");
        let failed = run.metric("http_req_failed", "error_rate").unwrap();
        assert_eq!(failed.value, 0.21745900204861077);
        let dropped = run.metric("dropped_iterations", "rate").unwrap();
        assert_eq!(dropped.direction, Direction::LowerIsBetter);
        assert_eq!(
            run.metric("http_reqs", "rate").unwrap().value,
            8621.047451099874
        );
        assert!(run.metric("vus", "value").is_none());
    }

    #[test]
    fn custom_trend_stats_and_zero_failures() {
        let Some(run) =
            shared("k6-summary-export/andreposman_qr-code-generator_summary-export.json")
        else {
            return;
        };
        let d = &run.benchmarks["http_req_duration"].metrics;
        assert!(d.contains_key("p99") && d.contains_key("p99.9"));
        assert!(!d.contains_key("p95"));
        // passes = 0 failed requests, value = 0.
        assert_eq!(
            run.metric("http_req_failed", "error_rate").unwrap().value,
            0.0
        );
    }
}
