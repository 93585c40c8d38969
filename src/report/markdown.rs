//! `--output markdown`: a GitHub-flavoured report. The title alone tells a reviewer whether to look;
//! regressions first, improvements next, every metric folded in `<details>`.

use std::io;

use crate::compare::Comparison;
use crate::escape;
use crate::report::{change_text, counts_line, value, RenderOptions, Renderer};
use crate::severity::Severity;
use crate::verdict::{Status, Verdict};

/// Renders the verdict as markdown.
pub struct MarkdownRenderer;

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "🔴",
        Severity::Medium => "🟠",
        Severity::Low => "🟡",
        Severity::Improvement => "🟢",
        Severity::New | Severity::Missing => "🔵",
        Severity::Unchanged => "⚪",
    }
}

/// The title line.
pub fn title(v: &Verdict) -> String {
    let against = match &v.baseline {
        Some(b) => {
            let commit = b
                .commit
                .as_deref()
                .map(|c| format!(" @ {}", c.chars().take(7).collect::<String>()))
                .unwrap_or_default();
            format!(" vs baseline {}{}", escape::markdown_code(&b.name), commit)
        }
        None => String::new(),
    };
    let s = &v.summary;
    let regressions = s.critical + s.high + s.medium + s.low;
    match v.status {
        Status::NoBaseline => "### ⚪ perfgate: no baseline to compare against".to_string(),
        Status::Fail | Status::Warn => {
            let icon = if v.status == Status::Fail {
                "🔴"
            } else {
                "🟠"
            };
            let detail: Vec<String> = [
                (s.critical, "critical"),
                (s.high, "high"),
                (s.medium, "medium"),
                (s.low, "low"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, name)| format!("{n} {name}"))
            .collect();
            format!(
                "### {icon} perfgate: {regressions} regression{} ({}){against}",
                if regressions == 1 { "" } else { "s" },
                detail.join(", ")
            )
        }
        Status::Pass => format!(
            "### 🟢 perfgate: no regressions in {} metrics{against}",
            v.comparisons.len()
        ),
    }
}

fn table(rows: &[&Comparison], w: &mut dyn io::Write) -> io::Result<()> {
    writeln!(w, "| | Benchmark | Metric | Baseline | Current | Change |")?;
    writeln!(w, "|---|---|---|---:|---:|---:|")?;
    for c in rows {
        let show = |v: Option<f64>| {
            v.map(|v| value::human(v, &c.unit))
                .unwrap_or_else(|| "—".into())
        };
        let change = change_text(c);
        let change = if c.severity.is_regression() && !change.is_empty() {
            format!("**{change}**")
        } else {
            change
        };
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            icon(c.severity),
            escape::markdown_code(&c.benchmark),
            escape::markdown_text(&c.metric),
            show(c.baseline),
            show(c.current),
            change
        )?;
    }
    writeln!(w)
}

impl Renderer for MarkdownRenderer {
    fn render(&self, v: &Verdict, _: &RenderOptions, w: &mut dyn io::Write) -> io::Result<()> {
        writeln!(w, "{}", title(v))?;
        writeln!(w)?;
        if v.status == Status::NoBaseline {
            writeln!(
                w,
                "{}",
                escape::markdown_text(v.message.as_deref().unwrap_or(""))
            )?;
            return Ok(());
        }
        let regressions: Vec<&Comparison> = v
            .comparisons
            .iter()
            .filter(|c| c.severity.is_regression())
            .collect();
        let improvements: Vec<&Comparison> = v
            .comparisons
            .iter()
            .filter(|c| c.severity == Severity::Improvement)
            .collect();
        if !regressions.is_empty() {
            table(&regressions, w)?;
        }
        if !improvements.is_empty() {
            writeln!(w, "**Improvements**")?;
            writeln!(w)?;
            table(&improvements, w)?;
        }
        let all: Vec<&Comparison> = v.comparisons.iter().collect();
        writeln!(
            w,
            "<details><summary>All {} metrics: {}</summary>",
            all.len(),
            counts_line(v)
        )?;
        writeln!(w)?;
        table(&all, w)?;
        writeln!(w, "</details>")?;
        writeln!(w)?;
        writeln!(
            w,
            "Bands: critical > 25 %, high > 15 %, medium > 10 %, low > 5 % · gate: {} · perfgate {}",
            v.fail_on.describe(),
            v.perfgate_version
        )
    }
}
