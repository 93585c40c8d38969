//! `--output openmetrics`: every comparison as gauges for Prometheus/Grafana (also what `perfgate push` sends).
//!
//! Units differ per row, so they are a `unit` label, not a `# UNIT` line (OpenMetrics ties a family's unit
//! to its name's suffix); only `perfgate_change_ratio` has a fixed unit.

use std::io;

use crate::compare::{Comparison, Kind};
use crate::report::{RenderOptions, Renderer};
use crate::severity::Severity;
use crate::verdict::Verdict;

/// Renders the verdict as OpenMetrics text.
pub struct OpenMetricsRenderer;

impl Renderer for OpenMetricsRenderer {
    fn render(
        &self,
        verdict: &Verdict,
        _: &RenderOptions,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        w.write_all(render(verdict).as_bytes())
    }
}

/// The numeric level of a severity, for charts and alerts: regressions are positive, improvements negative.
pub fn severity_level(s: Severity) -> i8 {
    match s {
        Severity::Improvement => -1,
        Severity::Unchanged | Severity::New | Severity::Missing => 0,
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

/// A sample value; non-finite numbers are written as OpenMetrics spells them.
fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        format!("{v}")
    }
}

fn labels(c: &Comparison) -> String {
    let kind = match c.kind {
        Kind::Change => "change",
        Kind::Budget => "budget",
    };
    format!(
        "benchmark=\"{}\",metric=\"{}\",unit=\"{}\",kind=\"{kind}\"",
        crate::escape::prometheus_string(&c.benchmark),
        crate::escape::prometheus_string(&c.metric),
        crate::escape::prometheus_string(c.unit.as_str()),
    )
}

type Family = (
    &'static str,
    &'static str,
    Option<&'static str>,
    fn(&Comparison) -> Option<f64>,
);

const FAMILIES: &[Family] = &[
    ("perfgate_value", "Current value of the metric, in the unit label's unit.", None, |c| c.current),
    ("perfgate_baseline_value", "Baseline value of the metric, in the unit label's unit.", None, |c| c.baseline),
    (
        "perfgate_change_ratio",
        "Relative change against the baseline (0.1 = 10 % higher).",
        Some("ratio"),
        |c| c.change_pct.map(|p| p / 100.0),
    ),
    (
        "perfgate_severity",
        "Severity level: -1 improvement, 0 unchanged/new/missing, 1 low, 2 medium, 3 high, 4 critical.",
        None,
        |c| Some(f64::from(severity_level(c.severity))),
    ),
    ("perfgate_gated", "1 when the metric can fail the gate.", None, |c| Some(if c.gated { 1.0 } else { 0.0 })),
];

/// The whole exposition, ending in `# EOF`.
pub fn render(verdict: &Verdict) -> String {
    let mut out = String::new();
    for (name, help, unit, get) in FAMILIES {
        out.push_str(&format!("# TYPE {name} gauge\n# HELP {name} {help}\n"));
        if let Some(u) = unit {
            out.push_str(&format!("# UNIT {name} {u}\n"));
        }
        // Identical label sets would be invalid; keep the first (rows are unique by kind, benchmark, metric).
        let mut seen = std::collections::HashSet::new();
        for c in &verdict.comparisons {
            let l = labels(c);
            if let Some(v) = get(c) {
                if seen.insert(l.clone()) {
                    out.push_str(&format!("{name}{{{l}}} {}\n", number(v)));
                }
            }
        }
    }
    out.push_str(
        "# TYPE perfgate_gate_failed gauge\n# HELP perfgate_gate_failed 1 when the gate failed.\n",
    );
    out.push_str(&format!(
        "perfgate_gate_failed {}\n",
        u8::from(verdict.gate_failed())
    ));
    out.push_str("# EOF\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(
            crate::escape::prometheus_string("a\\b\"c\nd"),
            "a\\\\b\\\"c\\nd"
        );
    }

    #[test]
    fn severities_are_ordered() {
        assert!(severity_level(Severity::Critical) > severity_level(Severity::High));
        assert!(severity_level(Severity::Improvement) < 0);
    }
}
