//! asv (airspeed velocity) results: `.asv/results/<machine>/<commit>-<env>.json`, as `asv run` writes
//! them. Version 2 (asv ≥ 0.5): `result_columns` names the columns of each `results.<benchmark>` row
//! (`result`, `params`, `stats_ci_99_a`, `stats_ci_99_b`, `stats_q_25`, `stats_q_75`, `samples`, …);
//! version 1 (older asv): `results.<benchmark>` is `{result, params, stats, samples}` or a bare number.
//!
//! The benchmark's type is its name's prefix, as asv discovers it: `time_`/`timeraw_` (seconds, read as
//! nanoseconds, metric `time`), `mem_` and `peakmem_` (bytes, `mem`/`peakmem`), all gated, lower is
//! better; `track_` values carry their unit only in `benchmarks.json`, so they are reported, not gated.
//! A parameterized benchmark is one benchmark per combination, named as `asv compare` does:
//! `suite.time_range_sum(10)`. `--record-samples` samples are kept; asv's 99 % interval is the
//! confidence interval. A benchmark that failed or was skipped (`null`) is named in a warning.
//!
//! asv's other files are refused with what to give instead: `benchmarks.json` (the suite's list) and
//! `machine.json`.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, lenient_json, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for asv result files.
pub struct AsvInput;

/// One benchmark's columns, whichever version wrote them.
#[derive(Default)]
struct Row {
    result: Vec<Option<f64>>,
    params: Vec<Vec<String>>,
    ci: Vec<(Option<f64>, Option<f64>)>,
    samples: Vec<Vec<f64>>,
}

fn opt_numbers(v: Option<&Value>) -> Vec<Option<f64>> {
    match v {
        Some(Value::Array(a)) => a.iter().map(|x| json::number(Some(x))).collect(),
        Some(x) => vec![json::number(Some(x))],
        None => Vec::new(),
    }
}

fn params(v: Option<&Value>) -> Vec<Vec<String>> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|axis| {
            axis.as_array()
                .into_iter()
                .flatten()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

fn row_v2(columns: &[&str], cells: &[Value]) -> Row {
    let col = |name: &str| {
        columns
            .iter()
            .position(|c| *c == name)
            .and_then(|i| cells.get(i))
    };
    let a = opt_numbers(col("stats_ci_99_a"));
    let b = opt_numbers(col("stats_ci_99_b"));
    Row {
        result: opt_numbers(col("result")),
        params: params(col("params")),
        ci: a
            .iter()
            .zip(b.iter().chain(std::iter::repeat(&None)))
            .map(|(a, b)| (*a, *b))
            .collect(),
        samples: col("samples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| json::numbers(Some(s)))
            .collect(),
    }
}

fn row_v1(v: &Value) -> Row {
    let Some(o) = v.as_object() else {
        return Row {
            result: vec![json::number(Some(v))],
            ..Row::default()
        };
    };
    let stats = o.get("stats").and_then(Value::as_array);
    let ci = stats
        .into_iter()
        .flatten()
        .map(|s| {
            let c = json::numbers(s.get("ci_99"));
            (c.first().copied(), c.get(1).copied())
        })
        .collect();
    Row {
        result: opt_numbers(o.get("result")),
        params: params(o.get("params")),
        ci,
        samples: o
            .get("samples")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|s| json::numbers(Some(s)))
            .collect(),
    }
}

/// The parameter combinations in asv's order (the last parameter varies fastest), as `(10, 'a')`.
fn combinations(params: &[Vec<String>]) -> Vec<String> {
    let mut out = vec![String::new()];
    for axis in params {
        let mut next = Vec::with_capacity(out.len() * axis.len());
        for prefix in &out {
            for p in axis {
                next.push(if prefix.is_empty() {
                    p.clone()
                } else {
                    format!("{prefix}, {p}")
                });
            }
        }
        out = next;
    }
    if params.is_empty() {
        return vec![String::new()];
    }
    out.into_iter().map(|c| format!("({c})")).collect()
}

/// asv's benchmark type from the name's last component: metric name, unit, factor, gated.
fn kind(name: &str) -> Option<(&'static str, Unit, f64, bool)> {
    let last = name.rsplit('.').next().unwrap_or(name);
    if last.starts_with("time_") || last.starts_with("timeraw_") {
        Some(("time", Unit::Nanoseconds, 1e9, true))
    } else if last.starts_with("peakmem_") {
        Some(("peakmem", Unit::Bytes, 1.0, true))
    } else if last.starts_with("mem_") {
        Some(("mem", Unit::Bytes, 1.0, true))
    } else if last.starts_with("track_") {
        Some(("track", Unit::Other(String::new()), 1.0, false))
    } else {
        None
    }
}

fn looks_like_results(v: &Value) -> bool {
    v.get("results").is_some_and(Value::is_object)
        && (v.get("result_columns").is_some_and(Value::is_array)
            || (v.get("commit_hash").is_some() && v.get("env_name").is_some()))
}

/// asv's `benchmarks.json`: every entry but `version` describes a benchmark (`code`, `type`, `unit`).
fn looks_like_benchmark_list(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    o.contains_key("version")
        && o.len() > 1
        && o.iter()
            .filter(|(k, _)| *k != "version")
            .all(|(_, b)| b.get("code").is_some() && b.get("type").is_some())
}

fn looks_like_machine(v: &Value) -> bool {
    ["machine", "arch", "cpu", "os", "ram", "version"]
        .iter()
        .all(|k| v.get(k).is_some())
        && v.get("results").is_none()
}

impl InputFormat for AsvInput {
    fn id(&self) -> &'static str {
        "asv"
    }

    fn tool(&self) -> &'static str {
        "asv"
    }

    fn example(&self) -> &'static str {
        "asv run -E existing --set-commit-hash $(git rev-parse HEAD)   # .asv/results/<machine>/<commit>-<env>.json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        let results = head.contains("\"results\"")
            && (head.contains("\"result_columns\"") || head.contains("\"commit_hash\""));
        let other = head.contains("\"version\"")
            && (head.contains("\"code\"") || head.contains("\"machine\""));
        if !results && !other {
            return false;
        }
        lenient_json(probe).is_ok_and(|v| {
            looks_like_results(&v) || looks_like_benchmark_list(&v) || looks_like_machine(&v)
        })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = lenient_json(probe)?;
        if !looks_like_results(&doc) {
            let what = if looks_like_benchmark_list(&doc) {
                "asv's benchmarks.json (the list of the suite's benchmarks)"
            } else if looks_like_machine(&doc) {
                "asv's machine.json"
            } else {
                "not an asv result file (no `results` object)"
            };
            return Err(ParseError::new(format!(
                "{what}: give the result files, .asv/results/<machine>/<commit>-<env>.json"
            )));
        }
        let results = json::object(&doc["results"], "results")?;
        let columns: Option<Vec<&str>> = doc
            .get("result_columns")
            .and_then(Value::as_array)
            .map(|c| c.iter().filter_map(Value::as_str).collect());
        let mut run = Run::default();
        for (name, cells) in results {
            let row = match (&columns, cells) {
                (Some(cols), Value::Array(cells)) => row_v2(cols, cells),
                (Some(_), _) => {
                    return Err(ParseError::new(format!(
                        "results.{}: not a row of `result_columns`",
                        crate::escape::terminal(name)
                    )))
                }
                (None, v) => row_v1(v),
            };
            add(&mut run, probe, name, &row)?;
        }
        Ok(run)
    }
}

fn add(run: &mut Run, probe: &Probe, name: &str, row: &Row) -> Result<(), ParseError> {
    let warn = |what: String| {
        eprintln!(
            "perfgate: warning: {}: benchmark `{}` {what}",
            probe.path().display(),
            crate::escape::terminal(name)
        );
    };
    let Some((metric, unit, factor, gated)) = kind(name) else {
        warn(
            "not read: its name has none of asv's type prefixes (time_, mem_, peakmem_, track_)"
                .into(),
        );
        return Ok(());
    };
    let combos = combinations(&row.params);
    if combos.len() != row.result.len() && !(row.params.is_empty() && row.result.len() == 1) {
        return Err(ParseError::new(format!(
            "results.{}: {} results for {} parameter combinations",
            crate::escape::terminal(name),
            row.result.len(),
            combos.len()
        )));
    }
    let direction = Direction::LowerIsBetter;
    for (i, (suffix, value)) in combos.iter().zip(&row.result).enumerate() {
        let bench = format!("{name}{suffix}");
        let Some(v) = value else {
            warn(format!(
                "{}has no result in this run (failed or skipped)",
                if suffix.is_empty() {
                    String::new()
                } else {
                    format!("{suffix} ")
                }
            ));
            continue;
        };
        let scale = |x: f64| x * factor;
        let samples: Vec<f64> = row
            .samples
            .get(i)
            .map(|s| s.iter().map(|x| scale(*x)).collect())
            .unwrap_or_default();
        let (lo, hi) = row.ci.get(i).copied().unwrap_or((None, None));
        let m = Metric::new(scale(*v), unit.clone(), direction)
            .with_samples(if samples.len() > 1 {
                samples
            } else {
                Vec::new()
            })
            .with_ci(lo.map(scale), hi.map(scale));
        crate::input::check_metric(&bench, metric, &m)?;
        run.insert(&bench, metric, if gated { m } else { m.informational() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn parse(text: &str) -> Result<Run, ParseError> {
        let probe = Probe::from_text(Path::new("r.json"), text);
        assert!(AsvInput.sniff(&probe), "{text}");
        AsvInput.parse(&probe)
    }

    #[test]
    fn version_2_rows_parameters_and_failures() {
        let run = parse(
            r#"{"commit_hash": "abc", "env_name": "e", "result_columns": ["result", "params", "version",
            "stats_ci_99_a", "stats_ci_99_b", "samples"],
            "results": {
              "s.P.time_x": [[1e-6, null, 3e-6, 4e-6], [["1", "2"], ["'a'", "'b'"]], "h", [0.5e-6, null, 2e-6, 3e-6], [2e-6, null, 4e-6, 5e-6]],
              "s.mem_list": [[2104], [], "h"],
              "s.track_n": [[42], [], "h"],
              "s.custom": [[1], [], "h"],
              "s.time_s": [[0.002], [], "h", [0.001], [0.003], [[0.001, 0.002, 0.003]]]
            }, "version": 2}"#,
        )
        .unwrap();
        let m = run.metric("s.P.time_x(1, 'a')", "time").unwrap();
        assert_eq!(
            (m.value, m.ci_low, m.ci_high),
            (1000.0, Some(500.0), Some(2000.0))
        );
        assert!(run.metric("s.P.time_x(1, 'b')", "time").is_none());
        assert_eq!(
            run.metric("s.P.time_x(2, 'b')", "time").unwrap().value,
            4000.0
        );
        assert_eq!(run.metric("s.mem_list", "mem").unwrap().value, 2104.0);
        assert!(run.metric("s.mem_list", "mem").unwrap().gated);
        assert!(!run.metric("s.track_n", "track").unwrap().gated);
        assert!(!run.benchmarks.contains_key("s.custom"));
        let t = run.metric("s.time_s", "time").unwrap();
        assert_eq!(t.samples, vec![1e6, 2e6, 3e6]);
    }

    #[test]
    fn version_1_and_refusals() {
        let run = parse(
            r#"{"commit_hash": "abc", "env_name": "e", "results": {
              "a.time_f": {"result": [0.5], "params": [], "stats": [{"ci_99": [0.4, 0.6]}]},
              "a.time_g": 0.25}}"#,
        )
        .unwrap();
        assert_eq!(run.metric("a.time_f", "time").unwrap().ci_high, Some(6e8));
        assert_eq!(run.metric("a.time_g", "time").unwrap().value, 2.5e8);
        let e = parse(
            r#"{"a.time_f": {"code": "x", "type": "time", "unit": "seconds"}, "version": 2}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("benchmarks.json"), "{}", e.message);
        let e = parse(r#"{"commit_hash": "a", "result_columns": ["result", "params"], "results": {"a.time_x": [[1, 2], [["1"]]]}}"#)
            .unwrap_err();
        assert!(
            e.message.contains("2 results for 1 parameter"),
            "{}",
            e.message
        );
    }
}
