//! hyperfine `--export-json`: `{"results": [{"command", "mean", "median", "min", "max", "stddev", "times", "exit_codes", …}]}`.
//!
//! Whole-process wall-clock times, converted from seconds to milliseconds.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for hyperfine JSON exports.
pub struct HyperfineInput;

impl InputFormat for HyperfineInput {
    fn id(&self) -> &'static str {
        "hyperfine"
    }

    fn tool(&self) -> &'static str {
        "hyperfine"
    }

    fn example(&self) -> &'static str {
        "hyperfine --export-json results.json 'my-command --flag'"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let Some(results) = probe
            .json()
            .and_then(|d| d.get("results"))
            .and_then(Value::as_array)
        else {
            return false;
        };
        results
            .first()
            .is_some_and(|r| r.get("command").is_some() && r.get("mean").is_some())
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let results = doc
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::new("no `results` array"))?;
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (i, r) in results.iter().enumerate() {
            let r = json::object(r, &format!("results[{i}]"))?;
            let command = r
                .get("command")
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new(format!("results[{i}] has no `command`")))?;
            // `--command-name` can give two commands the same name; keep both.
            let name = names.unique(&format!(
                "{command}{}",
                parameters(r.get("parameters"), r.get("parameter"))
            ));
            let ms = |key: &str| json::number(r.get(key)).map(|s| s * 1e3);
            let samples: Vec<f64> = json::numbers(r.get("times"))
                .into_iter()
                .map(|s| s * 1e3)
                .collect();
            let time = |v: f64| Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter);
            let mean = ms("mean").ok_or_else(|| {
                ParseError::new(format!("results[{i}] (`{command}`) has no numeric `mean`"))
            })?;
            run.insert(&name, "mean", time(mean).with_samples(samples.clone()));
            // `median` exists since hyperfine 1.6; compute it from `times` for older files.
            if let Some(median) = ms("median").or_else(|| crate::stats::median(&samples)) {
                run.insert(&name, "median", time(median).with_samples(samples.clone()));
            }
            for key in ["min", "max", "stddev"] {
                // stddev is null for a single run.
                if let Some(v) = ms(key) {
                    run.insert(&name, key, time(v));
                }
            }
            for key in ["user", "system"] {
                if let Some(v) = ms(key) {
                    run.insert(&name, key, time(v).informational());
                }
            }
            // A run that exited non-zero (only kept with --ignore-failure) or was killed (null) failed.
            if let Some(codes) = r.get("exit_codes").and_then(Value::as_array) {
                if !codes.is_empty() {
                    let failed = codes.iter().filter(|c| c.as_i64() != Some(0)).count();
                    let rate = failed as f64 / codes.len() as f64;
                    run.insert(
                        &name,
                        "error_rate",
                        Metric::new(rate, Unit::Ratio, Direction::LowerIsBetter),
                    );
                }
            }
        }
        Ok(run)
    }
}

/// ` {name=value, …}` for `--parameter-scan`/`--parameter-list` runs, or the pre-1.11 single `parameter`.
fn parameters(params: Option<&Value>, old: Option<&Value>) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(p) = params.and_then(Value::as_object).filter(|p| !p.is_empty()) {
        let parts: Vec<String> = p.iter().map(|(k, v)| format!("{k}={}", text(v))).collect();
        return format!(" {{{}}}", parts.join(", "));
    }
    match old {
        Some(v) if !v.is_null() => format!(" {{parameter={}}}", text(v)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::shared_formats;

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        for (_, doc, run) in shared_formats::read_json("hyperfine", "hyperfine") {
            for r in doc["results"].as_array().unwrap() {
                let b = &run.benchmarks[r["command"].as_str().unwrap()].metrics;
                let s = |k: &str| r[k].as_f64().unwrap() * 1e3;
                assert_eq!(b["mean"].value, s("mean"));
                assert_eq!(b["median"].value, s("median"));
                assert_eq!(b["min"].value, s("min"));
                assert_eq!(b["max"].value, s("max"));
                assert_eq!(b["stddev"].value, s("stddev"));
                assert_eq!(b["mean"].unit, Unit::Milliseconds);
                let times = r["times"].as_array().unwrap();
                assert_eq!(b["mean"].samples.len(), times.len());
                assert_eq!(b["median"].samples[0], times[0].as_f64().unwrap() * 1e3);
                assert!(b["min"].samples.is_empty());
                assert_eq!(b["error_rate"].value, 0.0);
                assert!(!b["user"].gated);
            }
        }
    }

    #[test]
    fn failed_runs_parameters_and_missing_fields() {
        let text = r#"{"results": [
            {"command": "sleep 1", "mean": 1.0, "stddev": null, "min": 1.0, "max": 1.0,
             "times": [1.0, 2.0, 3.0, 4.0], "exit_codes": [0, 1, null, 0], "parameters": {"n": "1"}},
            {"command": "sleep 1", "mean": "NaN", "times": []}
        ]}"#;
        let probe = Probe::from_text(Path::new("h.json"), text);
        let err = HyperfineInput.parse(&probe).unwrap_err();
        assert!(
            err.message.contains("results[1]") && err.message.contains("mean"),
            "{err}"
        );
        let text = text.replace("\"NaN\"", "2.0");
        let run = HyperfineInput
            .parse(&Probe::from_text(Path::new("h.json"), &text))
            .unwrap();
        let b = &run.benchmarks["sleep 1 {n=1}"].metrics;
        assert_eq!(b["error_rate"].value, 0.5);
        assert_eq!(b["median"].value, 2500.0, "computed from times when absent");
        assert!(!b.contains_key("stddev"), "null stddev is missing, not 0");
        assert!(run.benchmarks.contains_key("sleep 1"));
    }
}
