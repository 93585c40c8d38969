//! BenchmarkDotNet JSON exporter (`*-report-full.json`, also brief and 0.9-era files):
//! `{"HostEnvironmentInfo", "Benchmarks": [{"FullName", "Statistics": {…}, "Memory", "Measurements"}]}`.
//!
//! Statistics are nanoseconds per operation. BDN writes NaN and infinities as `""`, read as missing.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for BenchmarkDotNet JSON.
pub struct BenchmarkDotNetInput;

impl InputFormat for BenchmarkDotNetInput {
    fn id(&self) -> &'static str {
        "benchmarkdotnet"
    }

    fn tool(&self) -> &'static str {
        "BenchmarkDotNet"
    }

    fn example(&self) -> &'static str {
        "dotnet run -c Release -- --filter '*' --exporters fulljson   # BenchmarkDotNet.Artifacts/results/*-report-full.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        probe.json().is_some_and(|d| {
            d.get("HostEnvironmentInfo").is_some()
                && d.get("Benchmarks").is_some_and(Value::is_array)
        })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let benchmarks = doc
            .get("Benchmarks")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::new("no `Benchmarks` array"))?;
        let names = unique_names(benchmarks);
        let mut run = Run::default();
        for (b, name) in benchmarks.iter().zip(&names) {
            // A benchmark that failed to run has no statistics.
            let Some(stats) = b.get("Statistics").filter(|s| s.is_object()) else {
                continue;
            };
            let num = |k: &str| json::number(stats.get(k));
            let samples = samples(b, stats);
            let time = |v: f64| Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter);
            let Some(mean) = num("Mean") else {
                return Err(ParseError::new(format!(
                    "benchmark `{name}` has no numeric `Statistics.Mean`"
                )));
            };
            let ci = stats.get("ConfidenceInterval");
            run.insert(
                name,
                "mean",
                time(mean).with_samples(samples.clone()).with_ci(
                    json::number(ci.and_then(|c| c.get("Lower"))),
                    json::number(ci.and_then(|c| c.get("Upper"))),
                ),
            );
            if let Some(v) = num("Median") {
                run.insert(name, "median", time(v).with_samples(samples));
            }
            for (key, metric) in [
                ("Min", "min"),
                ("Max", "max"),
                ("StandardDeviation", "stddev"),
                // The median's spread (Bencher reads it so); report-only like stddev (policy).
                ("InterquartileRange", "iqr"),
            ] {
                if let Some(v) = num(key) {
                    run.insert(name, metric, time(v));
                }
            }
            if let Some(p) = stats.get("Percentiles").and_then(Value::as_object) {
                for (key, v) in p {
                    // P0, P50 and P100 repeat min, median and max.
                    let Some(q) = key
                        .strip_prefix('P')
                        .filter(|q| !["0", "50", "100"].contains(q))
                    else {
                        continue;
                    };
                    if let Some(v) = json::number(Some(v)) {
                        run.insert(name, &format!("p{q}"), time(v));
                    }
                }
            }
            let memory = b.get("Memory");
            if let Some(bytes) =
                json::number(memory.and_then(|m| m.get("BytesAllocatedPerOperation")))
            {
                run.insert(
                    name,
                    "allocated",
                    Metric::new(bytes, Unit::Bytes, Direction::LowerIsBetter),
                );
            }
            // Totals over however many operations the pilot stage chose, so reported, not gated
            // (Bencher's names).
            for (key, metric) in [
                ("Gen0Collections", "gen0-collects"),
                ("Gen1Collections", "gen1-collects"),
                ("Gen2Collections", "gen2-collects"),
                ("TotalOperations", "total-operations"),
            ] {
                if let Some(v) = json::number(memory.and_then(|m| m.get(key))) {
                    let count = Metric::new(v, Unit::Count, Direction::LowerIsBetter);
                    run.insert(name, metric, count.informational());
                }
            }
        }
        Ok(run)
    }
}

/// Per-operation times: `Measurements` of the `Workload`/`Result` stage, else `Statistics.OriginalValues`.
fn samples(b: &Value, stats: &Value) -> Vec<f64> {
    let from_measurements: Vec<f64> = b
        .get("Measurements")
        .and_then(Value::as_array)
        .map(|ms| {
            ms.iter()
                .filter(|m| {
                    m.get("IterationMode").and_then(Value::as_str) == Some("Workload")
                        && m.get("IterationStage").and_then(Value::as_str) == Some("Result")
                })
                .filter_map(|m| {
                    let ops = json::number(m.get("Operations")).filter(|o| *o > 0.0)?;
                    Some(json::number(m.get("Nanoseconds"))? / ops)
                })
                .collect()
        })
        .unwrap_or_default();
    if from_measurements.is_empty() {
        json::numbers(stats.get("OriginalValues"))
    } else {
        from_measurements
    }
}

/// `FullName` (or Namespace.Type.Method + parameters); the job from `DisplayInfo` when a name repeats
/// (the same method run on several jobs or runtimes).
fn unique_names(benchmarks: &[Value]) -> Vec<String> {
    let s = |b: &Value, k: &str| {
        b.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let names: Vec<String> = benchmarks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            s(b, "FullName").unwrap_or_else(|| {
                let parts: Vec<String> = ["Namespace", "Type", "Method"]
                    .iter()
                    .filter_map(|k| s(b, k))
                    .collect();
                let mut name = if parts.is_empty() {
                    s(b, "ShortInfo").unwrap_or_else(|| format!("benchmark {i}"))
                } else {
                    parts.join(".")
                };
                if let Some(p) = s(b, "Parameters") {
                    name.push_str(&format!("({p})"));
                }
                name
            })
        })
        .collect();
    let mut seen = BTreeSet::new();
    let dups: BTreeSet<&String> = names.iter().filter(|n| !seen.insert(*n)).collect();
    let mut used = BTreeSet::new();
    names
        .iter()
        .zip(benchmarks)
        .enumerate()
        .map(|(i, (n, b))| {
            let mut name = n.clone();
            if dups.contains(n) {
                let job = s(b, "DisplayInfo")
                    .and_then(|d| d.rsplit_once(": ").map(|(_, j)| j.to_string()));
                if let Some(job) = job {
                    name = format!("{n} [{job}]");
                }
            }
            if !used.insert(name.clone()) {
                name = format!("{name} #{}", i + 1);
            }
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        for (_, doc, run) in
            crate::input::shared_formats::read_json("benchmarkdotnet", "benchmarkdotnet")
        {
            let benches = doc["Benchmarks"].as_array().unwrap();
            let names = unique_names(benches);
            assert_eq!(run.benchmarks.len(), benches.len());
            for (b, name) in benches.iter().zip(&names) {
                if let Some(full) = b.get("FullName") {
                    assert!(name.starts_with(full.as_str().unwrap()));
                }
                let m = &run.benchmarks[name].metrics;
                let st = &b["Statistics"];
                assert_eq!(m["mean"].value, st["Mean"].as_f64().unwrap(), "{name}");
                assert_eq!(m["median"].value, st["Median"].as_f64().unwrap());
                assert_eq!(m["stddev"].value, st["StandardDeviation"].as_f64().unwrap());
                if let Some(iqr) = st.get("InterquartileRange") {
                    assert_eq!(m["iqr"].value, iqr.as_f64().unwrap(), "{name}");
                }
                assert_eq!(m["mean"].unit, Unit::Nanoseconds);
                if let Some(max) = st.get("Max") {
                    assert_eq!(m["max"].value, max.as_f64().unwrap());
                    assert_eq!(m["p95"].value, st["Percentiles"]["P95"].as_f64().unwrap());
                }
                if let Some(lo) = st.pointer("/ConfidenceInterval/Lower") {
                    assert_eq!(m["mean"].ci_low, lo.as_f64());
                }
                let result_stage: Vec<f64> = b
                    .get("Measurements")
                    .and_then(Value::as_array)
                    .map(|ms| {
                        ms.iter()
                            .filter(|x| {
                                x["IterationMode"] == "Workload" && x["IterationStage"] == "Result"
                            })
                            .map(|x| {
                                x["Nanoseconds"].as_f64().unwrap()
                                    / x["Operations"].as_f64().unwrap()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if !result_stage.is_empty() {
                    assert_eq!(m["mean"].samples, result_stage);
                }
                if let Some(orig) = st.get("OriginalValues") {
                    assert_eq!(m["median"].samples.len(), orig.as_array().unwrap().len());
                }
                match b.pointer("/Memory/BytesAllocatedPerOperation") {
                    Some(v) => assert_eq!(m["allocated"].value, v.as_f64().unwrap()),
                    None => assert!(!m.contains_key("allocated")),
                }
                if let Some(g0) = b.pointer("/Memory/Gen0Collections") {
                    assert_eq!(m["gen0-collects"].value, g0.as_f64().unwrap());
                    assert!(!m["gen0-collects"].gated && !m["total-operations"].gated);
                }
            }
        }
    }

    #[test]
    fn empty_strings_are_missing_and_jobs_disambiguate() {
        let text = r#"{"HostEnvironmentInfo": {}, "Benchmarks": [
            {"FullName": "N.T.M", "DisplayInfo": "T.M: Job-A(Runtime=.NET 8.0)",
             "Statistics": {"Mean": 5.0, "Median": "", "StandardDeviation": "", "Percentiles": {"P90": ""}}},
            {"FullName": "N.T.M", "DisplayInfo": "T.M: Job-B(Runtime=.NET 9.0)", "Statistics": {"Mean": 6.0}},
            {"FullName": "N.T.Failed", "Statistics": null},
            {"FullName": "N.T.Bad", "Statistics": {"Mean": ""}}
        ]}"#;
        let probe = Probe::from_text(Path::new("b.json"), text);
        let err = BenchmarkDotNetInput.parse(&probe).unwrap_err();
        assert!(
            err.message.contains("N.T.Bad") && err.message.contains("Mean"),
            "{err}"
        );
        let text = text.replace(r#"{"Mean": ""}"#, r#"{"Mean": 1}"#);
        let run = BenchmarkDotNetInput
            .parse(&Probe::from_text(Path::new("b.json"), &text))
            .unwrap();
        let a = &run.benchmarks["N.T.M [Job-A(Runtime=.NET 8.0)]"].metrics;
        assert_eq!(a.len(), 1, "empty strings are missing, not 0: {a:?}");
        assert_eq!(
            run.metric("N.T.M [Job-B(Runtime=.NET 9.0)]", "mean")
                .unwrap()
                .value,
            6.0
        );
        assert!(!run.benchmarks.contains_key("N.T.Failed"));
    }
}
