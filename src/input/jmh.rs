//! JMH `-rf json`: an array of `{"benchmark", "mode", "params", "primaryMetric": {"score", "scoreUnit",
//! "scoreConfidence", "scorePercentiles", "rawData"}, "secondaryMetrics": {…}}`.
//!
//! One benchmark per `benchmark` + `params` + `mode`. Time-per-op units are converted to ns, ops-per-time
//! to `/s`. Throughput mode (`thrpt`) is higher-is-better, the other modes lower; where the mode and the unit disagree (`s/op` under `thrpt`), the unit decides. JMH writes non-finite
//! numbers as the strings `"NaN"`, `"+INF"`, `"-INF"`, which read as missing.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for JMH JSON results.
pub struct JmhInput;

impl InputFormat for JmhInput {
    fn id(&self) -> &'static str {
        "jmh"
    }

    fn tool(&self) -> &'static str {
        "JMH"
    }

    fn example(&self) -> &'static str {
        "java -jar target/benchmarks.jar -rf json -rff jmh-result.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        probe
            .json()
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .is_some_and(|e| e.get("benchmark").is_some() && e.get("primaryMetric").is_some())
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let entries = probe
            .json_result()?
            .as_array()
            .ok_or_else(|| ParseError::new("not a JSON array of JMH results"))?;
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (i, e) in entries.iter().enumerate() {
            let bench = e
                .get("benchmark")
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new(format!("[{i}] has no `benchmark`")))?;
            let mode = e.get("mode").and_then(Value::as_str).unwrap_or("");
            // A repeated result (two runs concatenated) is kept, numbered, not overwritten.
            let name = names.unique(&benchmark_name(bench, e.get("params"), mode));
            let primary = e
                .get("primaryMetric")
                .ok_or_else(|| ParseError::new(format!("`{name}` has no `primaryMetric`")))?;
            let unit = primary
                .get("scoreUnit")
                .and_then(Value::as_str)
                .unwrap_or("");
            // The unit decides where it and the mode disagree (`s/op` under `thrpt`): a time per
            // operation is lower-is-better whatever the mode says.
            let direction = if unit.ends_with("/op") {
                Direction::LowerIsBetter
            } else if unit.starts_with("ops/") || mode == "thrpt" {
                Direction::HigherIsBetter
            } else {
                Direction::LowerIsBetter
            };
            add_score(&mut run, &name, "score", primary, Some(direction), true)
                .map_err(|err| err.context(format_args!("`{name}` primaryMetric")))?;
            if let Some(secondary) = e.get("secondaryMetrics").and_then(Value::as_object) {
                for (key, m) in secondary {
                    // JMH 1.8–1.36 prefix profiler results with `·`, before 1.8 with `@`.
                    let metric = key.trim_start_matches(['\u{b7}', '@']);
                    add_score(&mut run, &name, metric, m, None, false).map_err(|err| {
                        err.context(format_args!("`{name}` secondaryMetrics.{key}"))
                    })?;
                }
            }
        }
        Ok(run)
    }
}

/// `pkg.Class.method{a=1,b=x} thrpt`; params keep JMH's (declaration) order.
fn benchmark_name(bench: &str, params: Option<&Value>, mode: &str) -> String {
    let mut name = bench.to_string();
    if let Some(p) = params.and_then(Value::as_object).filter(|p| !p.is_empty()) {
        let parts: Vec<String> = p
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        name.push('{');
        name.push_str(&parts.join(","));
        name.push('}');
    }
    if !mode.is_empty() {
        name.push(' ');
        name.push_str(mode);
    }
    name
}

/// The factor and unit a JMH score unit normalises to: `x/op` time → ns, `ops/x` → per second.
fn normalise(unit: &str) -> (f64, Unit) {
    if let Some(per) = unit.strip_suffix("/op").and_then(units::time_unit) {
        if let Some(n) = per.nanos() {
            return (n, Unit::Nanoseconds);
        }
    }
    if let Some(per) = unit.strip_prefix("ops/").and_then(units::time_unit) {
        if let Some(n) = per.nanos() {
            return (1e9 / n, Unit::PerSecond);
        }
    }
    (1.0, Unit::Other(unit.to_string()))
}

fn add_score(
    run: &mut Run,
    name: &str,
    metric: &str,
    m: &Value,
    direction: Option<Direction>,
    primary: bool,
) -> Result<(), ParseError> {
    let unit_str = m
        .get("scoreUnit")
        .and_then(Value::as_str)
        .ok_or_else(|| ParseError::new("no `scoreUnit`"))?;
    let Some(score) = json::number(m.get("score")) else {
        return Ok(()); // "NaN": nothing to compare
    };
    let (k, unit) = normalise(unit_str);
    let direction = direction.unwrap_or_else(|| units::direction_for(unit_str));
    let samples: Vec<f64> = match m.get("rawData").and_then(Value::as_array) {
        Some(forks) => forks
            .iter()
            .flat_map(|f| json::numbers(Some(f)))
            .map(|v| v * k)
            .collect(),
        None => Vec::new(),
    };
    let ci = m.get("scoreConfidence").and_then(Value::as_array);
    let bound = |i: usize| json::number(ci.and_then(|c| c.get(i))).map(|v| v * k);
    let base = Metric::new(score * k, unit.clone(), direction);
    // Per-op results and @Group throughputs are gated; profiler rates and counts (gc.alloc.rate,
    // gc.count, gc.time) have no clear better direction and are only reported.
    let gated = primary || unit_str.ends_with("/op") || unit_str.starts_with("ops/");
    let score_metric = base.with_ci(bound(0), bound(1)).with_samples(samples);
    run.insert(
        name,
        metric,
        if gated {
            score_metric
        } else {
            score_metric.informational()
        },
    );
    if !primary {
        return Ok(());
    }
    if let Some(p) = m.get("scorePercentiles").and_then(Value::as_object) {
        for (q, v) in p {
            let Some(v) = json::number(Some(v)) else {
                continue;
            };
            let key = match q.as_str() {
                "0.0" => "min".to_string(),
                "100.0" => "max".to_string(),
                q => format!("p{}", q.strip_suffix(".0").unwrap_or(q)),
            };
            run.insert(name, &key, Metric::new(v * k, unit.clone(), direction));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        for (path, doc, run) in crate::input::shared_formats::read_json("jmh", "jmh") {
            let entries = doc.as_array().unwrap();
            assert_eq!(run.benchmarks.len(), entries.len(), "{}", path.display());
            for e in entries {
                let mode = e["mode"].as_str().unwrap();
                let name = &benchmark_name(e["benchmark"].as_str().unwrap(), e.get("params"), mode);
                assert!(name.ends_with(mode));
                if let Some(p) = e.get("params") {
                    for (k, v) in p.as_object().unwrap() {
                        assert!(
                            name.contains(&format!("{k}={}", v.as_str().unwrap())),
                            "{name}"
                        );
                    }
                }
                let pm = &e["primaryMetric"];
                let (k, unit) = match pm["scoreUnit"].as_str().unwrap() {
                    "ops/s" => (1.0, Unit::PerSecond),
                    "ops/ms" => (1e3, Unit::PerSecond),
                    "ns/op" => (1.0, Unit::Nanoseconds),
                    "ms/op" => (1e6, Unit::Nanoseconds),
                    u => panic!("{u}"),
                };
                let score = run.metric(name, "score").unwrap();
                assert_eq!(score.value, pm["score"].as_f64().unwrap() * k, "{name}");
                assert_eq!(score.unit, unit);
                let want = if mode == "thrpt" {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                };
                assert_eq!(score.direction, want);
                let raw: Vec<f64> = pm["rawData"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .flat_map(|f| f.as_array().unwrap().iter().filter_map(Value::as_f64))
                    .map(|v| v * k)
                    .collect();
                assert_eq!(score.samples, raw);
                if let Some(lo) = pm["scoreConfidence"][0].as_f64() {
                    assert_eq!(score.ci_low, Some(lo * k));
                }
                let p50 = pm["scorePercentiles"]["50.0"].as_f64().unwrap();
                assert_eq!(run.metric(name, "p50").unwrap().value, p50 * k);
                assert!(run.metric(name, "p50").unwrap().samples.is_empty());
                for (key, sm) in e["secondaryMetrics"].as_object().unwrap() {
                    let metric = key.trim_start_matches('\u{b7}');
                    if let Some(s) = sm["score"].as_f64() {
                        let got = run.metric(name, metric).unwrap();
                        assert_eq!(
                            got.value,
                            s * normalise(sm["scoreUnit"].as_str().unwrap()).0
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn nan_strings_are_missing_and_units_normalise() {
        let text = r#"[{"benchmark": "a.B.c", "mode": "avgt", "primaryMetric": {"score": 2.0,
            "scoreError": "NaN", "scoreConfidence": ["NaN", "+INF"], "scorePercentiles": {"0.0": 1.5, "99.9": "NaN"},
            "scoreUnit": "us/op", "rawData": [[1.5, "NaN", 2.5]]},
            "secondaryMetrics": {"\u00b7gc.alloc.rate.norm": {"score": 16, "scoreUnit": "B/op"},
                                 "\u00b7gc.count": {"score": "NaN", "scoreUnit": "counts"}}}]"#;
        let run = JmhInput
            .parse(&Probe::from_text(Path::new("j.json"), text))
            .unwrap();
        let s = run.metric("a.B.c avgt", "score").unwrap();
        assert_eq!((s.value, s.ci_low, s.ci_high), (2000.0, None, None));
        assert_eq!(s.samples, vec![1500.0, 2500.0]);
        assert_eq!(run.metric("a.B.c avgt", "min").unwrap().value, 1500.0);
        assert!(run.metric("a.B.c avgt", "p99.9").is_none());
        let alloc = run.metric("a.B.c avgt", "gc.alloc.rate.norm").unwrap();
        assert_eq!(
            (alloc.value, alloc.direction),
            (16.0, Direction::LowerIsBetter)
        );
        assert!(run.metric("a.B.c avgt", "gc.count").is_none());
        let err = JmhInput
            .parse(&Probe::from_text(
                Path::new("j.json"),
                r#"[{"benchmark": "x", "primaryMetric": {"score": 1}}]"#,
            ))
            .unwrap_err();
        assert!(err.message.contains("scoreUnit"), "{err}");
    }
}
