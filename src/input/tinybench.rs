//! tinybench used alone: the JSON of its task results, `JSON.stringify(bench.tasks.map(t => ({ name:
//! t.name, ...t.result })))` (or `{ name, result }` per task), in any tinybench version: the flat
//! statistics of tinybench 2 (`hz`, `mean`, `p75`, … in milliseconds) or the `latency` / `throughput`
//! statistics of tinybench 3 and later (`latency.mean`, `latency.p50`, …).
//!
//! The same statistics are what Vitest bench writes per benchmark ([`super::vitest`]): both go through
//! [`task_metrics`]. Times become nanoseconds; `mean` and `median` are gated, the rest reported.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::{json, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for tinybench task results as JSON.
pub struct TinybenchInput;

/// The statistics object of one task: tinybench ≥ 3's `latency`, else the flat (tinybench 2 / Vitest) one.
fn latency_stats(task: &Map<String, Value>) -> Option<&Map<String, Value>> {
    let result = task
        .get("result")
        .and_then(Value::as_object)
        .unwrap_or(task);
    match result.get("latency").and_then(Value::as_object) {
        Some(l) => Some(l),
        None => result
            .contains_key("mean")
            .then_some(result)
            .filter(|r| r.contains_key("hz") || r.contains_key("p75")),
    }
}

/// The throughput in operations per second: tinybench 2 / Vitest `hz`, tinybench ≥ 3 `throughput.mean`.
fn ops_per_second(task: &Map<String, Value>) -> Option<f64> {
    let result = task
        .get("result")
        .and_then(Value::as_object)
        .unwrap_or(task);
    json::number(result.get("hz")).or_else(|| {
        json::number(
            result
                .get("throughput")
                .and_then(Value::as_object)
                .and_then(|t| t.get("mean")),
        )
    })
}

/// Adds the metrics of one tinybench task (statistics in milliseconds) to `run` under `name`.
pub(crate) fn task_metrics(
    run: &mut Run,
    name: &str,
    task: &Map<String, Value>,
    what: &str,
) -> Result<(), ParseError> {
    let stats = latency_stats(task)
        .ok_or_else(|| ParseError::new(format!("{what} has no latency statistics (`mean`)")))?;
    let ns = |key: &str| json::number(stats.get(key)).map(|ms| ms * 1e6);
    let samples: Vec<f64> = json::numbers(stats.get("samples"))
        .into_iter()
        .map(|ms| ms * 1e6)
        .collect();
    let time = |v: f64| Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter);
    let mean =
        ns("mean").ok_or_else(|| ParseError::new(format!("{what} has no numeric `mean`")))?;
    run.insert(name, "mean", time(mean).with_samples(samples.clone()));
    if let Some(median) = ns("median")
        .or_else(|| ns("p50"))
        .or_else(|| crate::stats::median(&samples))
    {
        run.insert(name, "median", time(median).with_samples(samples));
    }
    for key in ["p75", "p99", "p995", "p999", "min", "max"] {
        if let Some(v) = ns(key) {
            run.insert(name, key, time(v).informational());
        }
    }
    if let Some(sd) = ns("sd") {
        run.insert(name, "stddev", time(sd).informational());
    }
    if let Some(rme) = json::number(stats.get("rme")) {
        let m = Metric::new(rme, Unit::Other("%".into()), Direction::LowerIsBetter);
        run.insert(name, "rme", m.informational());
    }
    if let Some(hz) = ops_per_second(task) {
        // 1/mean: reported, not gated a second time.
        let m = Metric::new(hz, Unit::PerSecond, Direction::HigherIsBetter);
        run.insert(name, "ops", m.informational());
    }
    let count = json::number(stats.get("sampleCount")).or(json::number(stats.get("samplesCount")));
    if let Some(n) = count {
        run.insert(
            name,
            "samples",
            Metric::new(n, Unit::Count, Direction::HigherIsBetter).informational(),
        );
    }
    Ok(())
}

fn tasks(doc: &Value) -> Option<&Vec<Value>> {
    doc.as_array()
}

fn looks_like_task(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|t| t.get("name").is_some_and(Value::is_string) && latency_stats(t).is_some())
}

impl InputFormat for TinybenchInput {
    fn id(&self) -> &'static str {
        "tinybench"
    }

    fn tool(&self) -> &'static str {
        "tinybench"
    }

    fn example(&self) -> &'static str {
        "node -e \"…; await bench.run(); fs.writeFileSync('bench.json', JSON.stringify(bench.tasks.map(t => ({ name: t.name, ...t.result }))))\""
    }

    fn sniff(&self, probe: &Probe) -> bool {
        if !probe.head().trim_start().starts_with('[') {
            return false;
        }
        probe
            .json()
            .and_then(tasks)
            .and_then(|t| t.first())
            .is_some_and(looks_like_task)
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        let tasks = tasks(doc).ok_or_else(|| {
            ParseError::new(
                "not an array of tinybench tasks (`[{\"name\", \"latency\"|\"mean\", …}]`)",
            )
        })?;
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (i, t) in tasks.iter().enumerate() {
            let t = json::object(t, &format!("[{i}]"))?;
            let name = t
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new(format!("[{i}] has no `name`")))?;
            // An errored or aborted task has no statistics: it is named, not skipped silently.
            if let Some(state) = t
                .get("result")
                .and_then(|r| r.get("state"))
                .or_else(|| t.get("state"))
                .and_then(Value::as_str)
                .filter(|s| !matches!(*s, "completed" | "aborted-with-statistics"))
            {
                return Err(ParseError::value(format!(
                    "task `{}` did not complete (state `{}`)",
                    crate::escape::terminal(name),
                    crate::escape::terminal(state)
                )));
            }
            let name = names.unique(name);
            task_metrics(
                &mut run,
                &name,
                t,
                &format!("[{i}] (`{}`)", crate::escape::terminal(&name)),
            )?;
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn flat_nested_and_failed_tasks() {
        let flat = r#"[{"name": "a", "hz": 1000, "mean": 1.0, "p75": 1.1, "sd": 0.1, "samples": [0.9, 1.0, 1.1]}]"#;
        let run = TinybenchInput
            .parse(&Probe::from_text(Path::new("t.json"), flat))
            .unwrap();
        assert_eq!(run.metric("a", "mean").unwrap().value, 1e6);
        assert_eq!(
            run.metric("a", "median").unwrap().value,
            1e6,
            "from the samples"
        );
        assert_eq!(run.metric("a", "mean").unwrap().samples.len(), 3);
        assert!(!run.metric("a", "ops").unwrap().gated);
        let nested = r#"[{"name": "b", "result": {"state": "completed",
            "latency": {"mean": 2.0, "p50": 1.5, "min": 1.0, "max": 3.0, "rme": 1.2, "samplesCount": 10},
            "throughput": {"mean": 600}}}]"#;
        let probe = Probe::from_text(Path::new("t.json"), nested);
        assert!(TinybenchInput.sniff(&probe));
        let run = TinybenchInput.parse(&probe).unwrap();
        assert_eq!(run.metric("b", "median").unwrap().value, 1.5e6);
        assert_eq!(run.metric("b", "ops").unwrap().value, 600.0);
        assert_eq!(run.metric("b", "samples").unwrap().value, 10.0);
        let errored = r#"[{"name": "c", "result": {"state": "errored", "error": {}}}]"#;
        let err = TinybenchInput
            .parse(&Probe::from_text(Path::new("t.json"), errored))
            .unwrap_err();
        assert!(
            err.message.contains("`c`") && err.message.contains("errored"),
            "{err}"
        );
        // github-action-benchmark's custom array is not tinybench.
        let gab = r#"[{"name": "x", "unit": "ms", "value": 1}]"#;
        assert!(!TinybenchInput.sniff(&Probe::from_text(Path::new("g.json"), gab)));
    }
}
