//! Bencher Metric Format (BMF): `{"<benchmark>": {"<measure>": {"value", "lower_value"?, "upper_value"?}}}`,
//! as read by `bencher run --adapter json` and written by every Bencher adapter.
//!
//! Each measure becomes a metric of that name; `lower_value`/`upper_value` become `<measure>.lower` and
//! `<measure>.upper`, reported only (tools fill them with mean±stddev, min/max or a CI, and they do not
//! always bracket the value). The file carries no units: Bencher's built-in measures get theirs
//! (`latency` ns, `throughput` ops/s, `build-time` s, `file-size` and `*-bytes` B, counters such as
//! `instructions`), any other measure is unitless and lower-is-better unless its name says throughput.

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::{json, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for BMF JSON.
pub struct BmfInput;

const VALUE_KEYS: &[&str] = &["value", "lower_value", "upper_value"];

/// A measure object: has `value` and nothing but the three value keys.
fn is_measure(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.contains_key("value") && m.keys().all(|k| VALUE_KEYS.contains(&k.as_str()))
    })
}

/// Unit and direction of a measure, from Bencher's built-in measures (matched by slug or display name).
fn measure_kind(measure: &str) -> (Unit, Direction) {
    let slug = measure.trim().to_ascii_lowercase().replace([' ', '_'], "-");
    let lower = Direction::LowerIsBetter;
    match slug.as_str() {
        "latency" => (Unit::Nanoseconds, lower),
        "throughput" => (Unit::PerSecond, Direction::HigherIsBetter),
        "build-time" => (Unit::Seconds, lower),
        "file-size" | "allocated" => (Unit::Bytes, lower),
        "instructions" | "l1-accesses" | "l2-accesses" | "ram-accesses" | "estimated-cycles"
        | "total-read-write" | "gen0-collects" | "gen1-collects" | "gen2-collects" => {
            (Unit::Count, lower)
        }
        s if s.ends_with("-bytes") => (Unit::Bytes, lower),
        // Hit rates are the one built-in percentage where more is better.
        s if s.ends_with("-hit-rate") => (Unit::Other("%".into()), Direction::HigherIsBetter),
        // Common custom measures where more is better; read lower-is-better, a 50 % drop would be an
        // "improvement".
        "qps" | "rps" | "tps" | "iops" | "bandwidth" | "hit-rate" | "speedup" | "score" => {
            (Unit::Other(String::new()), Direction::HigherIsBetter)
        }
        s if s.ends_with("-per-second") || s.ends_with("-qps") || s.ends_with("-rps") => {
            (Unit::Other(String::new()), Direction::HigherIsBetter)
        }
        _ => (Unit::Other(String::new()), units::direction_for(measure)),
    }
}

impl InputFormat for BmfInput {
    fn id(&self) -> &'static str {
        "bmf"
    }

    fn tool(&self) -> &'static str {
        "bencher"
    }

    fn example(&self) -> &'static str {
        "bencher run --adapter json --file results.json   # any tool writing Bencher Metric Format"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let Some(doc) = probe.json().and_then(Value::as_object) else {
            return false;
        };
        !doc.is_empty()
            && doc.values().all(|b| {
                b.as_object()
                    .is_some_and(|b| !b.is_empty() && b.values().all(is_measure))
            })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = json::object(probe.json_result()?, "document")?;
        let mut run = Run::default();
        for (bench, measures) in doc {
            for (measure, m) in json::object(measures, bench)? {
                let m: &Map<String, Value> = json::object(m, &format!("{bench}.{measure}"))?;
                if !m.contains_key("value") {
                    return Err(ParseError::new(format!(
                        "`{bench}.{measure}` has no `value`"
                    )));
                }
                let (unit, direction) = measure_kind(measure);
                // null, NaN and strings are missing values, never 0.
                if let Some(v) = json::number(m.get("value")) {
                    run.insert(bench, measure, Metric::new(v, unit.clone(), direction));
                }
                for (key, suffix) in [("lower_value", "lower"), ("upper_value", "upper")] {
                    if let Some(v) = json::number(m.get(key)) {
                        run.insert(
                            bench,
                            &format!("{measure}.{suffix}"),
                            Metric::new(v, unit.clone(), direction).informational(),
                        );
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
    use crate::input::read_file;

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        let files = crate::input::shared_formats::read_json("bmf", "bmf");
        assert_eq!(files.len(), 3);
        for (_, doc, run) in files {
            let doc = doc.as_object().unwrap();
            assert_eq!(run.benchmarks.len(), doc.len());
            for (bench, measures) in doc {
                for (measure, m) in measures.as_object().unwrap() {
                    let ours = run.metric(bench, measure).unwrap();
                    assert_eq!(ours.value, m["value"].as_f64().unwrap());
                    assert!(ours.gated);
                    if let Some(lo) = m.get("lower_value") {
                        let l = run.metric(bench, &format!("{measure}.lower")).unwrap();
                        assert_eq!(l.value, lo.as_f64().unwrap());
                        assert!(!l.gated);
                    }
                    if let Some(hi) = m.get("upper_value") {
                        let u = run.metric(bench, &format!("{measure}.upper")).unwrap();
                        assert_eq!(u.value, hi.as_f64().unwrap());
                    }
                }
            }
        }
    }

    #[test]
    fn known_measures_get_units() {
        let files = crate::input::shared_formats::files("bmf");
        let run = read_file(&files[2], None).unwrap(); // report_latency
        let m = run.metric("tests::benchmark_a", "latency").unwrap();
        assert_eq!(m.unit, Unit::Nanoseconds);
        assert_eq!(m.direction, Direction::LowerIsBetter);
        let run = read_file(&files[1], None).unwrap(); // report_dhat
        let m = run.metric("bench_play_game", "Total Bytes").unwrap();
        assert_eq!(m.unit, Unit::Bytes);
        let m = run.metric("bench_play_game", "Max Blocks").unwrap();
        assert_eq!(m.unit, Unit::Other(String::new()));
        assert_eq!(m.direction, Direction::LowerIsBetter);
        assert_eq!(measure_kind("throughput").1, Direction::HigherIsBetter);
        assert_eq!(measure_kind("requests/s").1, Direction::HigherIsBetter);
        assert_eq!(measure_kind("File Size").0, Unit::Bytes);
        assert_eq!(measure_kind("l1-hit-rate").1, Direction::HigherIsBetter);
    }

    #[test]
    fn sniff_is_strict_and_values_may_be_missing() {
        let sniff = |t: &str| BmfInput.sniff(&Probe::from_text(Path::new("b.json"), t));
        assert!(sniff(r#"{"a":{"latency":{"value":1}}}"#));
        assert!(!sniff(r#"{}"#));
        assert!(!sniff(r#"{"a":{}}"#));
        assert!(!sniff(r#"{"a":{"latency":{"value":1,"min":0}}}"#));
        assert!(!sniff(
            r#"{"metrics":{"vus":{"value":1,"min":1,"max":1}},"root_group":{}}"#
        ));
        assert!(!sniff(r#"[{"name":"a","unit":"ns","value":1}]"#));
        let parse = |t: &str| BmfInput.parse(&Probe::from_text(Path::new("b.json"), t));
        let run = parse(r#"{"a":{"latency":{"value":null},"x":{"value":2}}}"#).unwrap();
        assert!(run.metric("a", "latency").is_none());
        assert_eq!(run.metric("a", "x").unwrap().value, 2.0);
        assert!(parse(r#"{"a":{"latency":{"lower_value":1}}}"#).is_err());
        assert!(parse(r#"{"a":3}"#).is_err());
        assert!(parse(r#"[]"#).is_err());
    }
}
