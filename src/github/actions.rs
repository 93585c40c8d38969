//! GitHub Actions output: `::error::`/`::warning::` annotations and the job summary file.

use std::io::{self, Write};
use std::path::Path;

use crate::compare::{Comparison, Kind};
use crate::escape::{workflow_data, workflow_property};
use crate::report::{budget_limit, change_with_bound, is_unverified, value};
use crate::severity::Severity;
use crate::verdict::Verdict;

/// GitHub shows at most 10 annotations of each type per step.
pub const MAX_PER_TYPE: usize = 10;

fn message(c: &Comparison, v: &Verdict) -> String {
    let show = |x: Option<f64>| {
        x.map(|x| value::human(x, &c.unit))
            .unwrap_or_else(|| "—".into())
    };
    let numbers = match budget_limit(c) {
        Some(limit) => format!("{} ({limit})", show(c.current)),
        None => format!(
            "{} → {} ({})",
            show(c.baseline),
            show(c.current),
            change_with_bound(c)
        ),
    };
    format!(
        "{} {}: {numbers}, {}{}; gate: {}",
        c.benchmark,
        c.metric,
        c.severity.as_str(),
        if is_unverified(c) {
            " (unverified)"
        } else {
            ""
        },
        v.fail_on.describe()
    )
}

/// The annotation lines: errors for gated rows that fail the gate, warnings for other gated rows that are
/// medium or worse, in the report's order (worst benchmark first), at most [`MAX_PER_TYPE`] each, then a
/// plain line saying how many were left out. Rows that are not gated are never annotated.
pub fn annotations(v: &Verdict) -> Vec<String> {
    let fails = |c: &Comparison| c.gated && v.fail_on.fails(c.severity);
    let errors: Vec<&Comparison> = v.comparisons.iter().filter(|c| fails(c)).collect();
    let warnings: Vec<&Comparison> = v
        .comparisons
        .iter()
        .filter(|c| c.gated && !fails(c) && c.severity >= Severity::Medium)
        .collect();
    let mut out = Vec::new();
    for (kind, rows) in [("error", errors), ("warning", warnings)] {
        for c in rows.iter().take(MAX_PER_TYPE) {
            let what = if c.kind == Kind::Budget {
                "over budget"
            } else {
                "regression"
            };
            let title = format!("perfgate: {} {what}", c.severity.as_str());
            out.push(format!(
                "::{kind} title={}::{}",
                workflow_property(&title),
                workflow_data(&message(c, v))
            ));
        }
        if rows.len() > MAX_PER_TYPE {
            out.push(format!(
                "perfgate: {} more {kind}s not annotated (GitHub shows {MAX_PER_TYPE} per type); see the job summary",
                rows.len() - MAX_PER_TYPE
            ));
        }
    }
    out
}

/// Writes the annotation lines.
pub fn write_annotations(v: &Verdict, w: &mut dyn Write) -> io::Result<()> {
    for line in annotations(v) {
        writeln!(w, "{line}")?;
    }
    w.flush()
}

/// A one-line `::warning::` for a problem that must not fail the gate.
pub fn warning_command(title: &str, text: &str) -> String {
    format!(
        "::warning title={}::{}",
        workflow_property(title),
        workflow_data(text)
    )
}

/// Appends `text` to the job summary file (never truncates what earlier steps wrote).
pub fn append_summary(path: &Path, text: &str) -> io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        f.write_all(b"\n")?;
    }
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::testing::p95_change;
    use crate::severity::FailOn;
    use crate::verdict::{BaselineInfo, Inputs};

    #[test]
    fn capped_per_type_most_severe_first() {
        let mut rows: Vec<Comparison> = (0..12)
            .map(|i| p95_change(&format!("h{i}"), Severity::High, 100.0))
            .collect();
        rows.push(p95_change("c", Severity::Critical, 100.0));
        rows.push(p95_change("m", Severity::Medium, 100.0));
        rows.push(p95_change("l", Severity::Low, 100.0));
        let v = Verdict::new(
            Some(BaselineInfo::default()),
            Inputs::default(),
            rows,
            FailOn::High,
            vec![],
        );
        let a = annotations(&v);
        let errors: Vec<&String> = a.iter().filter(|l| l.starts_with("::error")).collect();
        assert_eq!(errors.len(), 10);
        assert!(errors[0].contains("c p95"), "{}", errors[0]);
        assert!(a.iter().any(|l| l.starts_with("perfgate: 3 more errors")));
        assert_eq!(a.iter().filter(|l| l.starts_with("::warning")).count(), 1);
        assert!(a[0].starts_with("::error title=perfgate%3A critical regression::"));
    }
}
