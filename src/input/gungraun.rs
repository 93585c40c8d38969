//! Gungraun (formerly iai-callgrind) summaries: the `summary.json` it saves with `--save-summary=json`
//! (`target/gungraun/<package>/<bench>/<group>/<function>[.<id>]/summary.json`), and the same documents
//! printed by `--output-format=json|pretty-json`, one after another and amid cargo's other output.
//!
//! Each summary is one benchmark, named by its `module_path` and `id` (`work::work::bench_sort unsorted`,
//! as its terminal output names it). Both schemas are read: version 7 (gungraun 0.20:
//! `profiles[].data.total.metrics.<Ir|L1hits|…>.values.new`) and the earlier one of iai-callgrind and
//! gungraun ≤ 0.19 (`profiles[].summaries.total.summary.<Tool>.<Ir|…>.metrics.Left|Both`).
//!
//! The counts are Valgrind's and deterministic: they are marked so, and a change is graded as real
//! ([`crate::evidence::exact`]). `instructions` and `estimated_cycles` are gated; cache hits, reads and
//! writes, rates and the other tools' counts (DHAT, Memcheck, …) are reported.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::{InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for Gungraun's JSON summaries.
pub struct GungraunInput;

/// perfgate's name of a Callgrind/Cachegrind event, and whether it is gated.
pub(crate) fn event_name(key: &str) -> (String, bool) {
    let (name, gated) = match key {
        "Ir" | "Instructions" => ("instructions", true),
        "EstimatedCycles" | "Estimated Cycles" => ("estimated_cycles", true),
        "L1hits" | "L1 Hits" => ("l1_hits", false),
        "LLhits" | "LL Hits" => ("ll_hits", false),
        "L2 Hits" => ("l2_hits", false),
        "RamHits" | "RAM Hits" => ("ram_hits", false),
        "TotalRW" | "Total read+write" => ("total_read_write", false),
        other => return (snake(other), false),
    };
    (name.to_string(), gated)
}

/// `L1HitRate` → `l1_hit_rate`, `Total bytes` → `total_bytes`.
fn snake(s: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('_').to_string()
}

/// A deterministic count (rates are ratios of counts, deterministic too), lower is better except hit
/// rates.
pub(crate) fn count_metric(name: &str, value: f64, gated: bool) -> Metric {
    let rate = name.ends_with("_rate");
    let direction = if name.ends_with("hit_rate") && !name.starts_with("ram") {
        Direction::HigherIsBetter
    } else {
        Direction::LowerIsBetter
    };
    let unit = if rate {
        Unit::Other("%".into())
    } else {
        Unit::Count
    };
    let m = Metric::new(value, unit, direction).deterministic();
    if gated {
        m
    } else {
        m.informational()
    }
}

/// The new value of one event in either schema.
fn new_value(v: &Value) -> Option<f64> {
    if let Some(n) = v.get("values").and_then(|x| x.get("new")) {
        return n.as_f64();
    }
    let m = v.get("metrics")?;
    let side = m
        .get("Left")
        .or_else(|| m.get("Both").and_then(|b| b.get(0)))?;
    side.get("Int")
        .or_else(|| side.get("Float"))
        .unwrap_or(side)
        .as_f64()
}

/// The events of one profile's total, with the tool's name.
fn profile_events(p: &Value) -> Option<(String, &Map<String, Value>)> {
    let tool = p.get("tool").and_then(Value::as_str).unwrap_or("Callgrind");
    if let Some(m) = p.pointer("/data/total/metrics").and_then(Value::as_object) {
        return Some((tool.to_string(), m));
    }
    let summary = p.pointer("/summaries/total/summary")?.as_object()?;
    // `{"Callgrind": {...}}`, `{"ErrorTool": {...}}`, or `"None"`.
    let (_, events) = summary.iter().next()?;
    Some((tool.to_string(), events.as_object()?))
}

pub(crate) fn looks_like_summary(v: &Value) -> bool {
    v.get("module_path").is_some_and(Value::is_string)
        && v.get("profiles").is_some_and(Value::is_array)
}

/// The benchmark's name: `module_path` and, when it has one, ` id`.
fn summary_name(v: &Value) -> Option<String> {
    let path = v.get("module_path")?.as_str()?;
    Some(
        match v
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            Some(id) => format!("{path} {id}"),
            None => path.to_string(),
        },
    )
}

fn add_summary(
    run: &mut Run,
    v: &Value,
    names: &mut super::names::UniqueNames,
) -> Result<(), ParseError> {
    let name = summary_name(v).ok_or_else(|| ParseError::new("a summary has no `module_path`"))?;
    let name = names.unique(&name);
    let mut any = false;
    for p in v
        .get("profiles")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some((tool, events)) = profile_events(p) else {
            continue;
        };
        let primary = matches!(tool.as_str(), "Callgrind" | "Cachegrind");
        for (key, ev) in events {
            let Some(value) = new_value(ev).filter(|x| x.is_finite()) else {
                continue;
            };
            let (metric, gated) = event_name(key);
            let metric = if primary {
                metric
            } else {
                format!("{}_{}", tool.to_ascii_lowercase(), snake(key))
            };
            run.insert(
                &name,
                &metric,
                count_metric(&metric, value, gated && primary),
            );
            any = true;
        }
    }
    if !any {
        return Err(ParseError::value(format!(
            "benchmark `{}` has no metrics",
            crate::escape::terminal(&name)
        )));
    }
    Ok(())
}

/// Every summary document in the text: a whole-file document, or documents starting at a line's `{`
/// amid other output (`--output-format=json` is one per line, `pretty-json` spans lines).
fn summaries(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let Some(start) =
            line_starts(rest).find(|&i| rest[i..].trim_start_matches([' ', '\t']).starts_with('{'))
        else {
            break;
        };
        let mut stream = serde_json::Deserializer::from_str(&rest[start..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                if looks_like_summary(&v) {
                    out.push(v);
                }
                at += start + stream.byte_offset().max(1);
            }
            _ => at += start + 1,
        }
    }
    out
}

/// Byte offsets of the starts of lines in `s`.
fn line_starts(s: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        s.match_indices('\n')
            .map(|(i, _)| i + 1)
            .filter(move |&i| i < s.len()),
    )
}

impl InputFormat for GungraunInput {
    fn id(&self) -> &'static str {
        "gungraun"
    }

    fn tool(&self) -> &'static str {
        "gungraun"
    }

    fn example(&self) -> &'static str {
        "cargo bench -- --output-format=json > bench.json   # or give the summary.json files of --save-summary=json"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        head.contains("\"module_path\"")
            && head.contains("\"profiles\"")
            && head.contains("\"kind\"")
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let docs: Vec<Value> = match probe.json() {
            Some(v) if looks_like_summary(v) => vec![v.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter(|v| looks_like_summary(v))
                .cloned()
                .collect(),
            _ => summaries(probe.text()?),
        };
        if docs.is_empty() {
            return Err(ParseError::new(
                "no Gungraun summary (a JSON object with `module_path` and `profiles`)",
            ));
        }
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for d in &docs {
            add_summary(&mut run, d, &mut names)?;
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn both_schemas_and_documents_amid_text() {
        let v7 = r#"{"kind": "LibraryBenchmark", "module_path": "b::g::f", "id": "x", "profiles": [{"tool": "Callgrind",
            "data": {"total": {"metrics": {"Ir": {"values": {"new": 100, "old": 90}}, "L1HitRate": {"values": {"new": 99.5}}}}}}]}"#;
        let v6 = r#"{"kind": "LibraryBenchmark", "module_path": "b::g::h", "id": null, "profiles": [{"tool": "Callgrind",
            "summaries": {"total": {"summary": {"Callgrind": {"EstimatedCycles": {"metrics": {"Both": [{"Int": 7}, {"Int": 6}]}},
            "RamHits": {"metrics": {"Left": {"Int": 3}}}}}}}}]}"#;
        let text = format!(
            "running 0 tests\n\n{v7}\n{}\ntrailing text\n",
            v6.replace('\n', " ")
        );
        let probe = Probe::from_text(Path::new("g.txt"), &text);
        assert!(GungraunInput.sniff(&probe));
        let run = GungraunInput.parse(&probe).unwrap();
        let ir = run.metric("b::g::f x", "instructions").unwrap();
        assert_eq!((ir.value, ir.gated, ir.deterministic), (100.0, true, true));
        let rate = run.metric("b::g::f x", "l1_hit_rate").unwrap();
        assert_eq!(rate.direction, Direction::HigherIsBetter);
        assert_eq!(
            run.metric("b::g::h", "estimated_cycles").unwrap().value,
            7.0
        );
        assert!(!run.metric("b::g::h", "ram_hits").unwrap().gated);
    }

    #[test]
    fn names_in_snake_case() {
        assert_eq!(snake("L1HitRate"), "l1_hit_rate");
        assert_eq!(snake("Total bytes"), "total_bytes");
        assert_eq!(snake("AtTGmaxBytes"), "at_tgmax_bytes");
    }
}
