//! oha `oha -z 30s -c 10 -w --no-tui --output-format json URL > search.json`: one load of one URL.
//!
//! oha's JSON does not name the URL it loaded, so the benchmark is named after the file (`search.json` →
//! `search`): name each endpoint's file the same in every run (one directory per run). Times are seconds
//! and become milliseconds: `latencyPercentiles` (`p50`, `p90`, `p95`, `p99`, `p99.9`), `summary.average`
//! (`mean`), `fastest` (`min`), `slowest` (`max`). `count` is the responses plus the errors, `rate` is
//! `requestsPerSec` (reported only: oha's connections are a closed loop unless `-q` sets a rate).
//! `failures` are the non-2xx responses plus `errorDistribution`, except `aborted due to deadline` (the
//! requests oha itself cancels when `-z` ends, without `-w`: the tool stopping, not the server failing).
//! Metrics as in [`super::endpoint_stats`].

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::endpoint_stats::EndpointStats;
use crate::input::{json, InputFormat, Probe};
use crate::model::Run;

/// Reader for oha's JSON output.
pub struct OhaInput;

/// oha's percentile keys read, with their level.
const PERCENTILES: &[(&str, f64)] = &[
    ("p50", 50.0),
    ("p90", 90.0),
    ("p95", 95.0),
    ("p99", 99.0),
    ("p99.9", 99.9),
];

/// The error oha records for requests it cancels at the `-z` deadline.
const DEADLINE: &str = "aborted due to deadline";

/// The benchmark name: the file name without `.json`.
fn bench_name(probe: &Probe) -> String {
    let name = probe
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".json").unwrap_or(&name);
    if stem.is_empty() {
        "oha".to_string()
    } else {
        stem.to_string()
    }
}

/// Sum of a `{key: count}` object's counts whose key passes `keep`.
fn sum_counts(
    obj: Option<&Map<String, Value>>,
    keep: impl Fn(&str) -> bool,
) -> Result<f64, ParseError> {
    let mut total = 0.0;
    for (k, v) in obj.into_iter().flatten() {
        if keep(k) {
            total += json::number(Some(v)).filter(|c| *c >= 0.0).ok_or_else(|| {
                ParseError::value(format!(
                    "count of `{}` is not a number",
                    crate::escape::terminal(k)
                ))
            })?;
        }
    }
    Ok(total)
}

impl InputFormat for OhaInput {
    fn id(&self) -> &'static str {
        "oha"
    }

    fn tool(&self) -> &'static str {
        "oha"
    }

    fn example(&self) -> &'static str {
        "oha -z 30s -c 10 -w --no-tui --output-format json http://localhost:3000/search > search.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        if !probe.head().contains("\"latencyPercentiles\"") {
            return false;
        }
        probe.json().and_then(Value::as_object).is_some_and(|d| {
            d.get("summary").is_some_and(Value::is_object)
                && d.get("latencyPercentiles").is_some_and(Value::is_object)
                && d.contains_key("statusCodeDistribution")
        })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = json::object(probe.json_result()?, "document")?;
        let section = |key: &str| match doc.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => json::object(v, key).map(Some),
        };
        let summary = section("summary")?.ok_or_else(|| ParseError::new("no `summary` object"))?;
        let pcts = section("latencyPercentiles")?;
        let codes = section("statusCodeDistribution")?;
        let errors = section("errorDistribution")?;
        let ms = |v: Option<&Value>| json::number(v).map(|s| s * 1000.0);
        let responses = sum_counts(codes, |_| true)?;
        let non_2xx = sum_counts(codes, |c| !c.starts_with('2'))?;
        let errors = sum_counts(errors, |e| e != DEADLINE)?;
        let requests = responses + errors;
        let stats = EndpointStats {
            percentiles: PERCENTILES
                .iter()
                .filter_map(|(k, p)| ms(pcts.and_then(|o| o.get(*k))).map(|v| (*p, v)))
                .collect(),
            percentile_step: None,
            mean: ms(summary.get("average")),
            min: ms(summary.get("fastest")),
            max: ms(summary.get("slowest")),
            requests: Some(requests),
            failures: Some(non_2xx + errors),
            rate: json::number(summary.get("requestsPerSec")),
            rate_gated: false,
            overall: false,
        };
        let mut run = Run::default();
        stats.insert(&mut run, &bench_name(probe));
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::FAILURES;

    fn parse(name: &str, t: &str) -> Result<Run, ParseError> {
        OhaInput.parse(&Probe::from_text(Path::new(name), t))
    }

    #[test]
    fn seconds_become_ms_and_deadline_aborts_are_not_failures() {
        let run = parse(
            "dir/search.json",
            r#"{"summary":{"average":0.02,"fastest":0.019,"slowest":0.04,"requestsPerSec":94.5},
                "latencyPercentiles":{"p50":0.0207,"p95":0.0249,"p99.99":0.04},
                "statusCodeDistribution":{"200":95,"503":3},
                "errorDistribution":{"aborted due to deadline":2,"connection refused":2}}"#,
        )
        .unwrap();
        let b = &run.benchmarks["search"].metrics;
        assert!((b["p50"].value - 20.7).abs() < 1e-9);
        assert!(!b.contains_key("p99.99"));
        assert_eq!(b["count"].value, 100.0);
        assert_eq!(b[FAILURES].value, 5.0);
        assert_eq!(b["error_rate"].value, 0.05);
        assert!(!b["rate"].gated);
    }

    #[test]
    fn malformed_input() {
        assert!(parse("a.json", r#"{"latencyPercentiles":{}}"#).is_err());
        assert!(parse("a.json", r#"{"summary":3}"#).is_err());
        assert!(parse(
            "a.json",
            r#"{"summary":{},"statusCodeDistribution":{"200":"x"}}"#
        )
        .is_err());
        let run = parse(".json", r#"{"summary":{}}"#).unwrap();
        assert!(run.benchmarks.contains_key("oha"));
    }
}
