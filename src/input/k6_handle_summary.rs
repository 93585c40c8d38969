//! k6 `handleSummary` JSON: `export function handleSummary(data) { return {"summary.json": JSON.stringify(data)} }`.
//!
//! Each metric is `{"type", "contains", "values": {...}, "thresholds": {"<expr>": {"ok": bool}}}`.

use crate::error::ParseError;
use crate::input::k6_common::{self, K6Type};
use crate::input::{json, InputFormat, Probe};
use crate::model::Run;

/// Reader for k6 `handleSummary` data.
pub struct K6HandleSummaryInput;

impl InputFormat for K6HandleSummaryInput {
    fn id(&self) -> &'static str {
        "k6-summary"
    }

    fn tool(&self) -> &'static str {
        "k6"
    }

    fn example(&self) -> &'static str {
        "k6 run script.js   # with handleSummary returning {\"summary.json\": JSON.stringify(data)}"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let Some(metrics) = probe.json().and_then(k6_common::metrics_object) else {
            return false;
        };
        metrics
            .values()
            .any(|m| m.get("values").is_some() && m.get("type").is_some())
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let mut run = Run::default();
        for metric in k6_common::each_metric(doc)? {
            let (key, m) = metric?;
            let kind = m
                .get("type")
                .and_then(|t| t.as_str())
                .ok_or_else(|| ParseError::new(format!("metric `{key}` has no `type`")))?;
            let Some(kind) = K6Type::parse(kind) else {
                return Err(ParseError::value(format!(
                    "metric `{key}` has unknown type `{kind}`"
                )));
            };
            let values = match m.get("values") {
                Some(serde_json::Value::String(_)) => {
                    // PowerShell's ConvertTo-Json with its default depth writes nested objects as strings.
                    return Err(ParseError::new(format!(
                        "metric `{key}` has its values as a string; the file was re-serialised too shallowly (PowerShell ConvertTo-Json needs -Depth 10)"
                    )));
                }
                Some(v) => json::object(v, &format!("{key}.values"))?,
                None => return Err(ParseError::new(format!("metric `{key}` has no `values`"))),
            };
            let contains = m.get("contains").and_then(|c| c.as_str());
            k6_common::add_metric(&mut run, key, kind, contains, values);
            if let Some(thresholds) = m.get("thresholds").and_then(|t| t.as_object()) {
                for (expr, result) in thresholds {
                    if let Some(ok) = result.get("ok").and_then(|o| o.as_bool()) {
                        k6_common::add_threshold(&mut run, key, expr, ok);
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

    fn shared(path: &str) -> Run {
        let full = crate::input::shared_formats::file(path).expect("in fixtures/corpus");
        crate::input::read_file(&full, None).expect("parses")
    }

    #[test]
    fn reads_k6_reporter_test_data_with_its_own_numbers() {
        let run = shared("k6-handlesummary/benc-uk_k6-reporter_test-data.json");
        let d = run.benchmarks.get("http_req_duration").unwrap();
        assert_eq!(d.metrics["p50"].value, 20.090773);
        assert_eq!(d.metrics["p95"].value, 30.0256841);
        assert_eq!(d.metrics["p99"].value, 39.577136380000084);
        assert_eq!(d.metrics["mean"].value, 21.37513127107059);
        assert_eq!(d.metrics["p95"].unit, Unit::Milliseconds);
        assert_eq!(d.metrics["p95"].direction, Direction::LowerIsBetter);
        let failed = run.metric("http_req_failed", "error_rate").unwrap();
        assert_eq!(failed.value, 0.39749430523917995);
        assert_eq!(failed.direction, Direction::LowerIsBetter);
        let reqs = run.metric("http_reqs", "rate").unwrap();
        assert_eq!(reqs.value, 35.94634922417172);
        assert_eq!(reqs.direction, Direction::HigherIsBetter);
        assert!(run
            .benchmarks
            .contains_key("http_req_duration{expected_response:true}"));
        assert!(!run.benchmarks.contains_key("vus"), "gauges are not read");
        assert!(run
            .tool_checks
            .iter()
            .any(|c| c.expression == "p(95)<1000" && c.ok));
    }

    #[test]
    fn reads_grpc_summary_without_p99() {
        let run = shared("k6-handlesummary/benc-uk_k6-reporter_grpc.json");
        let d = run.benchmarks.get("grpc_req_duration").unwrap();
        assert!(d.metrics.contains_key("p95"));
        assert!(
            !d.metrics.contains_key("p99"),
            "p99 is absent unless configured"
        );
    }
}
