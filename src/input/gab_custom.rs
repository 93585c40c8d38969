//! github-action-benchmark's custom JSON (`tool: customSmallerIsBetter` / `customBiggerIsBetter`):
//! `[{"name", "unit", "value", "range"?, "extra"?}]`.
//!
//! Each entry is a benchmark `name` with one metric, `value`, in the entry's unit. The direction is the
//! flavour's, chosen by the workflow rather than written in the file, so detection can only guess
//! `gab-smaller`; bigger-is-better files need `--format gab-bigger`. Like GAB, a numeric string value
//! (`"12.3"`) is accepted; `range` and `extra` are display text and not read. A repeated name gets ` #2`,
//! ` #3`, … since GAB keeps duplicates as separate entries.

use serde_json::Value;

use crate::error::ParseError;
use crate::input::{json, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for one flavour of github-action-benchmark custom JSON.
pub struct GabCustomInput {
    bigger_is_better: bool,
}

/// `customSmallerIsBetter`; the flavour detection picks.
pub static GAB_SMALLER: GabCustomInput = GabCustomInput {
    bigger_is_better: false,
};

/// `customBiggerIsBetter`; only with `--format gab-bigger`.
pub static GAB_BIGGER: GabCustomInput = GabCustomInput {
    bigger_is_better: true,
};

/// GAB coerces names and units with `String(x)`: numbers are fine too.
fn coerced_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn coerced_number(v: Option<&Value>) -> Option<f64> {
    match v {
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().filter(|x| x.is_finite()),
        other => json::number(other),
    }
}

fn looks_like_entry(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("name") && o.contains_key("value") && o.contains_key("unit")
    })
}

impl InputFormat for GabCustomInput {
    fn id(&self) -> &'static str {
        if self.bigger_is_better {
            "gab-bigger"
        } else {
            "gab-smaller"
        }
    }

    fn tool(&self) -> &'static str {
        "github-action-benchmark"
    }

    fn example(&self) -> &'static str {
        if self.bigger_is_better {
            "github-action-benchmark with tool: customBiggerIsBetter, output-file-path: output.json"
        } else {
            "github-action-benchmark with tool: customSmallerIsBetter, output-file-path: output.json"
        }
    }

    fn sniff(&self, probe: &Probe) -> bool {
        if self.bigger_is_better {
            return false;
        }
        probe
            .json()
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty() && a.iter().all(looks_like_entry))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let entries = probe
            .json_result()?
            .as_array()
            .ok_or_else(|| ParseError::new("not a JSON array of {name, unit, value} entries"))?;
        let direction = if self.bigger_is_better {
            Direction::HigherIsBetter
        } else {
            Direction::LowerIsBetter
        };
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        let mut rates = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let o = json::object(e, &format!("[{i}]"))?;
            let name = coerced_string(o.get("name"))
                .ok_or_else(|| ParseError::new(format!("entry {i} has no `name`")))?;
            let unit = coerced_string(o.get("unit"))
                .ok_or_else(|| ParseError::new(format!("entry `{name}` has no `unit`")))?;
            if !o.contains_key("value") {
                return Err(ParseError::new(format!("entry `{name}` has no `value`")));
            }
            let Some(value) = coerced_number(o.get("value")) else {
                continue;
            };
            if !self.bigger_is_better && units::is_throughput(&unit) && rates.len() < 3 {
                rates.push(format!(
                    "`{}` ({})",
                    crate::escape::terminal(&name),
                    crate::escape::terminal(&unit)
                ));
            }
            let unit = units::time_unit(&unit).unwrap_or_else(|| Unit::parse(unit.trim()));
            let key = names.unique(&name);
            run.insert(&key, "value", Metric::new(value, unit, direction));
        }
        if !rates.is_empty() {
            // A smaller-is-better reading of a rate turns a drop into an "improvement": say so.
            eprintln!(
                "perfgate: warning: {}: read as smaller-is-better (gab-smaller), but {} {} a rate; if this is a customBiggerIsBetter file, pass --format gab-bigger",
                probe.path().display(),
                rates.join(", "),
                if rates.len() == 1 { "is" } else { "are" }
            );
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::input::read_file;

    fn shared() -> Vec<PathBuf> {
        crate::input::shared_formats::files("gab-custom")
    }

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        let files = shared();
        assert_eq!(files.len(), 3);
        for path in files {
            let bigger = path.to_string_lossy().contains("BiggerIsBetter");
            let format: &'static dyn InputFormat = if bigger { &GAB_BIGGER } else { &GAB_SMALLER };
            let run = read_file(&path, Some(format)).expect("parses");
            let detected = read_file(&path, None).unwrap();
            assert_eq!(detected.sources[0].format, "gab-smaller");
            let doc = crate::input::shared_formats::json(&path);
            for e in doc.as_array().unwrap() {
                let m = run.metric(e["name"].as_str().unwrap(), "value").unwrap();
                assert_eq!(m.value, e["value"].as_f64().unwrap());
                assert_eq!(m.unit.as_str(), e["unit"].as_str().unwrap());
                let want = if bigger {
                    Direction::HigherIsBetter
                } else {
                    Direction::LowerIsBetter
                };
                assert_eq!(m.direction, want);
            }
        }
    }

    #[test]
    fn coercions_duplicates_and_errors() {
        let parse = |t: &str| GAB_SMALLER.parse(&Probe::from_text(Path::new("g.json"), t));
        let run = parse(
            r#"[{"name":"a","unit":"ms","value":"12.5"},{"name":"a","unit":"ms","value":3},{"name":7,"unit":"x","value":null}]"#,
        )
        .unwrap();
        assert_eq!(run.metric("a", "value").unwrap().value, 12.5);
        assert_eq!(run.metric("a", "value").unwrap().unit, Unit::Milliseconds);
        assert_eq!(run.metric("a #2", "value").unwrap().value, 3.0);
        assert!(!run.benchmarks.contains_key("7"), "null is missing, not 0");
        assert!(parse(r#"[{"name":"a","value":1}]"#).is_err());
        assert!(parse(r#"[{"unit":"a","value":1}]"#).is_err());
        assert!(parse(r#"[{"name":"a","unit":"ns"}]"#).is_err());
        assert!(parse(r#"[3]"#).is_err());
        assert!(parse(r#"{}"#).is_err());
        let sniff = |t: &str| GAB_SMALLER.sniff(&Probe::from_text(Path::new("g.json"), t));
        assert!(!sniff("[]"));
        assert!(!sniff(r#"{"a":{"latency":{"value":1}}}"#));
        assert!(!sniff(r#"[{"benchmark":"x","primaryMetric":{}}]"#));
        assert!(!GAB_BIGGER.sniff(&Probe::from_text(
            Path::new("g.json"),
            r#"[{"name":"a","unit":"ns","value":1}]"#
        )));
    }
}
