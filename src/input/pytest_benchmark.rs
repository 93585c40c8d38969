//! pytest-benchmark `--benchmark-json` (and `--benchmark-save` storage files):
//! `{"machine_info", "benchmarks": [{"name", "fullname", "group", "stats": {min, max, mean, …, data}}]}`.
//!
//! Statistics are seconds per call, converted to nanoseconds.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, lenient_json, sniff_benchmarks, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for pytest-benchmark JSON.
pub struct PytestBenchmarkInput;

impl InputFormat for PytestBenchmarkInput {
    fn id(&self) -> &'static str {
        "pytest-benchmark"
    }

    fn tool(&self) -> &'static str {
        "pytest-benchmark"
    }

    fn example(&self) -> &'static str {
        "pytest --benchmark-json=results.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        // Python writes bare NaN/Infinity, so a strict parse may fail on a genuine file.
        sniff_benchmarks(probe, "\"stats\"", |b| {
            b.first()
                .and_then(|b| b.get("stats"))
                .is_some_and(|s| s.get("mean").is_some() && s.get("rounds").is_some())
        })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = lenient_json(probe)?;
        let benchmarks = doc
            .get("benchmarks")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::new("no `benchmarks` array"))?;
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (i, b) in benchmarks.iter().enumerate() {
            // fullname (`path::test[param]`) is unique; `name` alone may repeat across files.
            let name = b
                .get("fullname")
                .and_then(Value::as_str)
                .or_else(|| b.get("name").and_then(Value::as_str))
                .ok_or_else(|| {
                    ParseError::new(format!("benchmarks[{i}] has no `fullname` or `name`"))
                })?;
            // A repeated name (the same test collected twice) is kept, numbered, not overwritten.
            let name = &names.unique(name);
            let stats = b
                .get("stats")
                .ok_or_else(|| ParseError::new(format!("benchmark `{name}` has no `stats`")))?;
            json::object(stats, &format!("{name}.stats"))?;
            let ns = |key: &str| json::number(stats.get(key)).map(|s| s * 1e9);
            let samples: Vec<f64> = json::numbers(stats.get("data"))
                .into_iter()
                .map(|s| s * 1e9)
                .collect();
            let time = |v: f64| Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter);
            let mean = ns("mean").ok_or_else(|| {
                ParseError::new(format!("benchmark `{name}` has no numeric `stats.mean`"))
            })?;
            run.insert(name, "mean", time(mean).with_samples(samples.clone()));
            if let Some(median) = ns("median") {
                run.insert(name, "median", time(median).with_samples(samples.clone()));
            }
            for key in ["min", "max", "stddev", "iqr"] {
                if let Some(v) = ns(key) {
                    run.insert(name, key, time(v));
                }
            }
            if let Some(ops) = json::number(stats.get("ops")) {
                run.insert(
                    name,
                    "ops",
                    Metric::new(ops, Unit::PerSecond, Direction::HigherIsBetter),
                );
            }
            // How many rounds ran depends on --benchmark-max-time, not on the code: reported only.
            if let Some(rounds) = json::number(stats.get("rounds")) {
                run.insert(
                    name,
                    "rounds",
                    Metric::new(rounds, Unit::Count, Direction::HigherIsBetter).informational(),
                );
            }
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::shared_formats;

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        for (_, doc, run) in shared_formats::read_json("pytest-benchmark", "pytest-benchmark") {
            let benches = doc["benchmarks"].as_array().unwrap();
            assert_eq!(run.benchmarks.len(), benches.len());
            for b in benches {
                let name = b.get("fullname").unwrap_or(&b["name"]).as_str().unwrap();
                let m = &run.benchmarks[name].metrics;
                let stats = &b["stats"];
                for key in ["mean", "median", "min", "max", "stddev", "iqr"] {
                    assert_eq!(
                        m[key].value,
                        stats[key].as_f64().unwrap() * 1e9,
                        "{name} {key}"
                    );
                    assert_eq!(m[key].unit, Unit::Nanoseconds);
                }
                assert_eq!(m["rounds"].value, stats["rounds"].as_f64().unwrap());
                assert!(!m["rounds"].gated);
                match stats.get("ops") {
                    Some(ops) => {
                        assert_eq!(m["ops"].value, *ops);
                        assert_eq!(m["ops"].direction, Direction::HigherIsBetter);
                    }
                    None => assert!(!m.contains_key("ops"), "2.x files have no ops"),
                }
                let numeric: Vec<f64> = stats
                    .get("data")
                    .and_then(Value::as_array)
                    .map(|d| d.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                assert_eq!(
                    m["mean"].samples.len(),
                    numeric.len(),
                    "{name}: strings skipped"
                );
                if let Some(first) = numeric.first() {
                    assert_eq!(m["median"].samples[0], first * 1e9);
                }
                assert!(m["max"].samples.is_empty());
            }
        }
    }

    #[test]
    fn bare_nan_and_missing_fields_are_tolerated() {
        let text = r#"{"machine_info": {}, "benchmarks": [{"name": "t", "fullname": "a.py::t",
            "stats": {"mean": 0.5, "median": NaN, "stddev": Infinity, "rounds": 3, "ops": null,
                      "data": [0.25, "x", 1, NaN]}}]}"#;
        let probe = Probe::from_text(Path::new("p.json"), text);
        assert!(PytestBenchmarkInput.sniff(&probe));
        let run = PytestBenchmarkInput.parse(&probe).unwrap();
        let m = &run.benchmarks["a.py::t"].metrics;
        assert_eq!(m["mean"].value, 0.5e9);
        assert_eq!(m["mean"].samples, vec![0.25e9, 1e9]);
        assert!(!m.contains_key("median") && !m.contains_key("stddev") && !m.contains_key("ops"));
        let bad = r#"{"benchmarks": [{"name": "t", "stats": {"rounds": 1, "mean": "1"}}]}"#;
        let err = PytestBenchmarkInput
            .parse(&Probe::from_text(Path::new("p.json"), bad))
            .unwrap_err();
        assert!(err.message.contains("stats.mean"), "{err}");
    }
}
