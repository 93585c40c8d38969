//! Vitest bench `--outputJson`: `{"files": [{"filepath", "groups": [{"fullName", "benchmarks": [{"name",
//! "hz", "mean", "median", "p75", "p99", "min", "max", "sd", "rme", "sampleCount", "samples", …}]}]}]}`.
//!
//! Each benchmark is tinybench's task result (milliseconds) plus Vitest's `median`, read by
//! [`super::tinybench::task_metrics`]. Its name is the group's `fullName` and the benchmark's, joined
//! with Vitest's own ` > ` (`fib.bench.ts > fibonacci > fib(10)`), as Bencher names them; the machine's
//! absolute `filepath` is not part of it.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, InputFormat, Probe};
use crate::model::Run;

/// Reader for `vitest bench --outputJson`.
pub struct VitestInput;

fn groups(doc: &Value) -> impl Iterator<Item = &Value> {
    doc.get("files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("groups").and_then(Value::as_array))
        .flatten()
}

impl InputFormat for VitestInput {
    fn id(&self) -> &'static str {
        "vitest"
    }

    fn tool(&self) -> &'static str {
        "vitest"
    }

    fn example(&self) -> &'static str {
        "npx vitest bench --run --outputJson bench.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        if !head.contains("\"files\"") || !head.contains("\"groups\"") {
            return false;
        }
        probe.json().is_some_and(|d| {
            d.get("files").is_some_and(Value::is_array)
                && groups(d).all(|g| g.get("benchmarks").is_some_and(Value::is_array))
                && groups(d).next().is_some()
        })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = probe.json_result()?;
        if !doc.get("files").is_some_and(Value::is_array) {
            return Err(ParseError::new("no `files` array"));
        }
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (gi, g) in groups(doc).enumerate() {
            let group = g.get("fullName").and_then(Value::as_str).unwrap_or("");
            let benchmarks = g
                .get("benchmarks")
                .and_then(Value::as_array)
                .ok_or_else(|| ParseError::new(format!("group {gi} has no `benchmarks` array")))?;
            for (bi, b) in benchmarks.iter().enumerate() {
                let b = json::object(b, &format!("group {gi} benchmarks[{bi}]"))?;
                let leaf = b.get("name").and_then(Value::as_str).ok_or_else(|| {
                    ParseError::new(format!("group {gi} benchmarks[{bi}] has no `name`"))
                })?;
                let full = if group.is_empty() {
                    leaf.to_string()
                } else {
                    format!("{group} > {leaf}")
                };
                let name = names.unique(&full);
                let what = format!("benchmark `{}`", crate::escape::terminal(&name));
                super::tinybench::task_metrics(&mut run, &name, b, &what)?;
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
    fn names_join_the_group_and_missing_means_are_named() {
        let text = r#"{"files": [{"filepath": "/x/a.bench.ts", "groups": [
            {"fullName": "a.bench.ts > math", "benchmarks": [
                {"name": "add", "hz": 1000, "mean": 1.0, "median": 0.75, "sd": 0.25, "rme": 25, "samples": []}]},
            {"fullName": "", "benchmarks": [{"name": "top", "mean": 2.0, "p75": 2.0}]}]}]}"#;
        let probe = Probe::from_text(Path::new("v.json"), text);
        assert!(VitestInput.sniff(&probe));
        let run = VitestInput.parse(&probe).unwrap();
        let add = &run.benchmarks["a.bench.ts > math > add"].metrics;
        assert_eq!(add["mean"].value, 1e6);
        assert_eq!(add["median"].value, 0.75e6);
        assert_eq!(add["ops"].value, 1000.0);
        assert!(add["median"].gated && !add["stddev"].gated);
        assert!(run.benchmarks.contains_key("top"));
        let broken = text.replace("\"mean\": 1.0,", "");
        let err = VitestInput
            .parse(&Probe::from_text(Path::new("v.json"), &broken))
            .unwrap_err();
        assert!(err.message.contains("a.bench.ts > math > add"), "{err}");
    }
}
