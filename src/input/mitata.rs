//! mitata's JSON report (`await run({ format: 'json' })`, printed on stdout): `{layout, benchmarks:
//! [{alias, runs: [{name, args, stats: {avg, p50, min, max, p25, p75, p99, p999, samples, …}}]}],
//! context}`, times in nanoseconds.
//!
//! One benchmark per run (a benchmark with `.args()` has one run per argument set, named by mitata, e.g.
//! `fib(10)`). `avg` (as `mean`) and `p50` (as `median`) are gated, with the samples when the report
//! keeps them; the other percentiles, `min` and `max` are reported. A run that threw (`error`, no
//! `stats`) is named in a warning.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{check_metric, json, lenient_json, warn_not_read, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for mitata's JSON report.
pub struct MitataInput;

fn looks_like_mitata(v: &Value) -> bool {
    v.get("layout").is_some_and(Value::is_array)
        && v.get("benchmarks")
            .and_then(Value::as_array)
            .is_some_and(|b| b.iter().all(|b| b.get("runs").is_some_and(Value::is_array)))
}

impl InputFormat for MitataInput {
    fn id(&self) -> &'static str {
        "mitata"
    }

    fn tool(&self) -> &'static str {
        "mitata"
    }

    fn example(&self) -> &'static str {
        "node bench.mjs > bench.json   # with await run({ format: 'json' })"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        head.contains("\"layout\"")
            && head.contains("\"benchmarks\"")
            && lenient_json(probe).is_ok_and(|v| looks_like_mitata(&v))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = lenient_json(probe)?;
        let benches = doc
            .get("benchmarks")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::new("no `benchmarks` array"))?;
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (i, b) in benches.iter().enumerate() {
            let alias = b.get("alias").and_then(Value::as_str).unwrap_or("");
            for (j, r) in b
                .get("runs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let raw = r
                    .get("name")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .unwrap_or(alias);
                if raw.is_empty() {
                    return Err(ParseError::new(format!(
                        "benchmarks[{i}].runs[{j}] has no `name`"
                    )));
                }
                let Some(stats) = r.get("stats").filter(|s| s.is_object()) else {
                    let why = r
                        .pointer("/error/message")
                        .and_then(Value::as_str)
                        .unwrap_or("no `stats`");
                    warn_not_read(probe, None, raw, why);
                    continue;
                };
                let name = names.unique(raw);
                let ns = |v: f64| Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter);
                let samples = json::numbers(stats.get("samples"));
                let samples = if samples.len() > 1 {
                    samples
                } else {
                    Vec::new()
                };
                let avg = json::number(stats.get("avg")).ok_or_else(|| {
                    ParseError::new(format!(
                        "benchmark `{}` has no numeric `stats.avg`",
                        crate::escape::terminal(raw)
                    ))
                })?;
                let mean = ns(avg).with_samples(samples.clone());
                check_metric(&name, "mean", &mean)?;
                run.insert(&name, "mean", mean);
                if let Some(p50) = json::number(stats.get("p50")) {
                    run.insert(&name, "median", ns(p50).with_samples(samples));
                }
                for key in ["min", "max", "p25", "p75", "p99", "p999"] {
                    if let Some(v) = json::number(stats.get(key)) {
                        run.insert(&name, key, ns(v).informational());
                    }
                }
            }
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn runs_arguments_and_errors() {
        let text = r#"{"layout":[{"name":null,"types":[]}],"benchmarks":[
          {"alias":"fib","runs":[{"name":"fib(10)","args":{"n":10},"stats":{"avg":120.5,"p50":110,"min":100,"max":900,"p75":130,"p99":800,"p999":900,"samples":[100,110,151.5]}},
                                 {"name":"fib(20)","args":{"n":20},"stats":{"avg":15000,"p50":14000}}]},
          {"alias":"throws","runs":[{"name":"throws","error":{"message":"boom"}}]}
        ],"context":{"runtime":"node"}}"#;
        let probe = Probe::from_text(Path::new("m.json"), text);
        assert!(MitataInput.sniff(&probe));
        let run = MitataInput.parse(&probe).unwrap();
        let m = run.metric("fib(10)", "mean").unwrap();
        assert_eq!((m.value, m.samples.len()), (120.5, 3));
        assert_eq!(run.metric("fib(10)", "median").unwrap().value, 110.0);
        assert!(!run.metric("fib(10)", "p99").unwrap().gated);
        assert_eq!(run.metric("fib(20)", "mean").unwrap().value, 15000.0);
        assert_eq!(run.benchmarks.len(), 2);
    }
}
