//! `--output json`: the `perfgate/verdict/v1` document, pretty-printed.
//!
//! Each comparison's `reason` is data; for readers of schema v1 its sentence is added as `note` (the same
//! text the table and markdown reports show), just before `reason`; the budgets that produced no row are
//! worded into `warnings`.

use std::io;

use serde_json::{Map, Value};

use crate::report::{reason, RenderOptions, Renderer};
use crate::verdict::Verdict;

/// Renders the verdict as JSON.
pub struct JsonRenderer;

impl Renderer for JsonRenderer {
    fn render(
        &self,
        verdict: &Verdict,
        _: &RenderOptions,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &to_value(verdict)?)?;
        writeln!(w)
    }
}

/// The verdict as a JSON value, with each comparison's `note` and the budget problems among `warnings`.
pub fn to_value(verdict: &Verdict) -> io::Result<Value> {
    let mut doc = serde_json::to_value(verdict)?;
    if let (false, Some(fields)) = (verdict.budget_problems.is_empty(), doc.as_object_mut()) {
        let all = Value::from(reason::warnings(verdict));
        if let Some(w) = fields.get_mut("warnings") {
            *w = all;
        } else {
            // Where `warnings` stands when there are others: right after `alpha`.
            let mut with = Map::with_capacity(fields.len() + 1);
            for (k, v) in std::mem::take(fields) {
                let after = k == "alpha";
                with.insert(k, v);
                if after {
                    with.insert("warnings".to_string(), all.clone());
                }
            }
            *fields = with;
        }
    }
    let rows = doc
        .get_mut("comparisons")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten();
    for (row, c) in rows.zip(&verdict.comparisons) {
        let (Some(note), Some(fields)) = (reason::note(c), row.as_object_mut()) else {
            continue;
        };
        // Rebuilt rather than appended, so that `note` stays where schema v1 readers saw it.
        let mut with_note = Map::with_capacity(fields.len() + 1);
        for (k, v) in std::mem::take(fields) {
            if k == "reason" {
                with_note.insert("note".to_string(), Value::String(note.clone()));
            }
            with_note.insert(k, v);
        }
        *fields = with_note;
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::{Comparison, Kind, Reason};
    use crate::model::{Direction, Unit};
    use crate::severity::{FailOn, Severity};
    use crate::verdict::{BaselineInfo, Inputs};

    #[test]
    fn each_row_keeps_its_note_just_before_the_reason() {
        // The thin p99 of the k6 fixture pair (25.0 ms → 40.2 ms, 400 requests).
        let row = Comparison {
            benchmark: "http_req_duration{name:search}".into(),
            metric: "p99".into(),
            unit: Unit::Milliseconds,
            direction: Direction::LowerIsBetter,
            baseline: Some(25.0),
            current: Some(40.2),
            change_pct: Some(60.8),
            change_abs: Some(15.2),
            severity: Severity::Critical,
            gated: false,
            kind: Kind::Change,
            evidence: None,
            reason: Some(Reason::ThinPercentile {
                requests: 400.0,
                beyond: 4.0000000000000036,
                needed: 10.0,
            }),
            load_test: None,
        };
        let mut plain = row.clone();
        plain.metric = "p95".into();
        plain.reason = None;
        let v = Verdict::new(
            Some(BaselineInfo::default()),
            Inputs::default(),
            vec![row, plain],
            FailOn::High,
            vec![],
        );
        let doc = to_value(&v).unwrap();
        let rows = doc["comparisons"].as_array().unwrap();
        let thin = rows.iter().find(|r| r["metric"] == "p99").unwrap();
        let keys: Vec<&str> = thin
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys[keys.len() - 2..], ["note", "reason"], "{thin}");
        assert_eq!(
            thin["note"],
            "p99 of 400 requests rests on 4 beyond it (needs 10); reported, too thin to gate"
        );
        assert_eq!(thin["reason"]["kind"], "thin_percentile");
        let p95 = rows.iter().find(|r| r["metric"] == "p95").unwrap();
        assert!(
            p95.get("note").is_none() && p95.get("reason").is_none(),
            "{p95}"
        );
        // What `perfgate comment --from` reads back: the reason, not the note.
        let back: Verdict = serde_json::from_value(doc).unwrap();
        assert_eq!(back.comparisons, v.comparisons);
    }

    #[test]
    fn budget_problems_are_worded_into_warnings_after_alpha() {
        let mut v = Verdict::new(None, Inputs::default(), vec![], FailOn::High, vec![]);
        v.budget_problems = vec![crate::comparison::reason::BudgetProblem::MatchedNothing {
            benchmark: "nothing".into(),
            metric: "p95".into(),
        }];
        let doc = to_value(&v).unwrap();
        let keys: Vec<&str> = doc
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let at = keys.iter().position(|k| *k == "alpha").unwrap();
        assert_eq!(keys[at + 1], "warnings", "{keys:?}");
        assert_eq!(
            doc["warnings"],
            serde_json::json!([
                "budget for benchmark \"nothing\" metric \"p95\" matched nothing in the current run"
            ])
        );
        // Read back, the sentence is a plain warning and is not listed twice.
        let back: Verdict = serde_json::from_value(doc).unwrap();
        assert!(back.budget_problems.is_empty());
        assert_eq!(crate::report::reason::warnings(&back).len(), 1);
    }
}
