//! `--output markdown`: a GitHub-flavoured report, also the PR comment and the job summary.
//!
//! The title alone tells a reviewer whether to look; then regressions and warnings, improvements, and
//! every metric folded in `<details>`. It fits GitHub's comment limit by leaving out the least important
//! parts first (unchanged rows, then improvements, then rows of the main table), and says so.

use std::fmt::Write as _;
use std::io;

use crate::compare::Comparison;
use crate::escape;
use crate::github::RunInfo;
use crate::report::{change_with_bound, counts_line, value, RenderOptions, Renderer};
use crate::severity::Severity;
use crate::verdict::{Status, Verdict};

/// GitHub's limit for a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// GitHub's limit for one step's job summary, in bytes (1 MiB), with room for a warning after it.
pub const SUMMARY_LIMIT_BYTES: usize = 1024 * 1024 - 4096;

/// Renders the verdict as markdown (for `--output markdown`).
pub struct MarkdownRenderer;

/// Where the report goes and how large it may be.
#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Run link and head commit for the footer.
    pub run: RunInfo,
    /// Most characters the report may have.
    pub max_chars: usize,
    /// Most bytes (UTF-8) the report may have.
    pub max_bytes: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        MarkdownOptions {
            run: RunInfo::default(),
            // Room for the marker line the PR comment adds.
            max_chars: COMMENT_LIMIT - 200,
            // GitHub has been seen to count bytes too (4 per character at most).
            max_bytes: 4 * COMMENT_LIMIT - 800,
        }
    }
}

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

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The title line, e.g. `### 🔴 perfgate: 2 regressions (1 critical, 1 high) vs baseline `main@abc1234``.
pub fn title(v: &Verdict) -> String {
    let against = match &v.baseline {
        Some(b) => {
            let label = match &b.commit {
                Some(c) => format!("{}@{}", b.name, c.chars().take(7).collect::<String>()),
                None => b.name.clone(),
            };
            format!(" vs baseline {}", escape::markdown_code(&label))
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
                "### {icon} perfgate: {} ({}){against}",
                plural(regressions, "regression"),
                detail.join(", ")
            )
        }
        Status::Pass => format!(
            "### 🟢 perfgate: no regressions in {} metrics{against}",
            v.comparisons.len()
        ),
    }
}

fn table(out: &mut String, rows: &[&Comparison]) {
    out.push_str("| | Benchmark | Metric | Baseline | Current | Change |\n");
    out.push_str("|---|---|---|---:|---:|---:|\n");
    for c in rows {
        let show = |v: Option<f64>| {
            escape::markdown_text(
                &v.map(|v| value::human(v, &c.unit))
                    .unwrap_or_else(|| "—".into()),
            )
        };
        let change = escape::markdown_text(&change_with_bound(c));
        let change = if c.severity.is_regression() && !change.is_empty() {
            format!("**{change}**")
        } else {
            change
        };
        let change = if c.severity.is_regression() && !c.gated {
            format!("{change} (not gated)")
        } else {
            change
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            icon(c.severity),
            escape::markdown_code(&c.benchmark),
            escape::markdown_text(&c.metric),
            show(c.baseline),
            show(c.current),
            change
        );
    }
    out.push('\n');
}

/// How much of the report to include; tried from most to least until it fits.
#[derive(Debug, Clone, Copy)]
struct Plan {
    unchanged_in_details: bool,
    improvements: bool,
    details: bool,
    /// Rows of the regressions table.
    max_rows: usize,
}

fn render_plan(v: &Verdict, opts: &MarkdownOptions, plan: Plan) -> String {
    let mut out = String::new();
    out.push_str(&title(v));
    out.push_str("\n\n");
    if v.status == Status::NoBaseline {
        out.push_str(&escape::markdown_text(v.message.as_deref().unwrap_or("")));
        out.push_str("\n\n");
        footer(&mut out, v, opts);
        return out;
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
    let mut left_out = Vec::new();
    if !regressions.is_empty() {
        let shown = &regressions[..regressions.len().min(plan.max_rows)];
        table(&mut out, shown);
        if shown.len() < regressions.len() {
            left_out.push(format!(
                "{} of the regressions",
                regressions.len() - shown.len()
            ));
        }
    }
    if !improvements.is_empty() {
        if plan.improvements {
            out.push_str("**Improvements**\n\n");
            table(&mut out, &improvements);
        } else {
            left_out.push(plural(improvements.len(), "improvement"));
        }
    }
    if plan.details {
        let all: Vec<&Comparison> = v
            .comparisons
            .iter()
            .filter(|c| plan.unchanged_in_details || c.severity != Severity::Unchanged)
            .filter(|c| plan.improvements || c.severity != Severity::Improvement)
            .collect();
        let _ = writeln!(
            out,
            "<details><summary>All {} metrics: {}</summary>\n",
            v.comparisons.len(),
            counts_line(v)
        );
        table(&mut out, &all);
        if !plan.unchanged_in_details && v.summary.unchanged > 0 {
            left_out.push(format!(
                "{} unchanged rows of the details",
                v.summary.unchanged
            ));
        }
        out.push_str("</details>\n\n");
    } else {
        left_out.push("the table of all metrics".to_string());
    }
    let notes: Vec<&Comparison> = v
        .comparisons
        .iter()
        .filter(|c| c.note.is_some() && c.severity != Severity::Unchanged)
        .take(10)
        .collect();
    for c in notes {
        let _ = writeln!(
            out,
            "- {} {}: {}",
            escape::markdown_code(&c.benchmark),
            escape::markdown_text(&c.metric),
            escape::markdown_text(c.note.as_deref().unwrap_or_default())
        );
    }
    for t in v.tool_checks.iter().filter(|t| !t.ok).take(10) {
        let _ = writeln!(
            out,
            "- the tool's own threshold {} on {} failed in the current run",
            escape::markdown_code(&t.expression),
            escape::markdown_code(&t.benchmark)
        );
    }
    if !out.ends_with("\n\n") {
        out.push('\n');
    }
    if !left_out.is_empty() {
        let _ = writeln!(
            out,
            "> Shortened to fit GitHub's size limit: left out {}. `perfgate analyze --output json` lists every metric.\n",
            left_out.join(", ")
        );
    }
    footer(&mut out, v, opts);
    out
}

fn footer(out: &mut String, v: &Verdict, opts: &MarkdownOptions) {
    let mut parts = vec![
        "bands: critical > 25 %, high > 15 %, medium > 10 %, low > 5 %".to_string(),
        format!("gate: {}", v.fail_on.describe()),
    ];
    if let Some(sha) = &opts.run.head_sha {
        parts.push(format!(
            "head {}",
            escape::markdown_code(&sha.chars().take(7).collect::<String>())
        ));
    }
    if let Some(url) = &opts.run.run_url {
        // Built from GitHub's own variables, but keep it from breaking out of the link anyway.
        if url.starts_with("https://") || url.starts_with("http://") {
            let label = opts
                .run
                .run_id
                .as_deref()
                .filter(|id| id.chars().all(|c| c.is_ascii_digit()))
                .map(|id| format!("run {id}"))
                .unwrap_or_else(|| "workflow run".into());
            let url: String = url
                .chars()
                .filter(|c| !c.is_whitespace() && !"()<>\"".contains(*c))
                .collect();
            parts.push(format!("[{label}]({url})"));
        }
    }
    parts.push(format!("perfgate {}", v.perfgate_version));
    let _ = writeln!(out, "<sub>{}</sub>", parts.join(" · "));
}

fn fits(s: &str, opts: &MarkdownOptions) -> bool {
    s.len() <= opts.max_bytes && s.chars().count() <= opts.max_chars
}

/// Renders the report, shortened as needed to fit `opts`' limits.
pub fn render(v: &Verdict, opts: &MarkdownOptions) -> String {
    let mut plan = Plan {
        unchanged_in_details: true,
        improvements: true,
        details: true,
        max_rows: usize::MAX,
    };
    let full = render_plan(v, opts, plan);
    if fits(&full, opts) {
        return full;
    }
    plan.unchanged_in_details = false;
    let s = render_plan(v, opts, plan);
    if fits(&s, opts) {
        return s;
    }
    plan.improvements = false;
    let s = render_plan(v, opts, plan);
    if fits(&s, opts) {
        return s;
    }
    // Last resort: no details, and as many regression rows as fit (binary search).
    plan.details = false;
    let (mut lo, mut hi) = (0usize, v.comparisons.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        plan.max_rows = mid;
        if fits(&render_plan(v, opts, plan), opts) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    plan.max_rows = lo;
    render_plan(v, opts, plan)
}

impl Renderer for MarkdownRenderer {
    fn render(&self, v: &Verdict, _: &RenderOptions, w: &mut dyn io::Write) -> io::Result<()> {
        let opts = MarkdownOptions {
            run: RunInfo::from(&crate::github::Context::from_env()),
            ..MarkdownOptions::default()
        };
        w.write_all(render(v, &opts).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Unit};
    use crate::severity::FailOn;
    use crate::verdict::{BaselineInfo, Inputs};

    fn row(bench: &str, sev: Severity, pct: f64) -> Comparison {
        Comparison {
            benchmark: bench.to_string(),
            metric: "p95".into(),
            unit: Unit::Milliseconds,
            direction: Direction::LowerIsBetter,
            baseline: Some(10.0),
            current: Some(10.0 * (1.0 + pct / 100.0)),
            change_pct: Some(pct),
            change_abs: Some(pct / 10.0),
            severity: sev,
            gated: true,
            kind: crate::compare::Kind::Change,
            evidence: None,
            note: None,
            load_test: None,
        }
    }

    fn verdict(rows: Vec<Comparison>) -> Verdict {
        let info = BaselineInfo {
            name: "main".into(),
            commit: Some("abc1234def".into()),
            ..BaselineInfo::default()
        };
        Verdict::new(Some(info), Inputs::default(), rows, FailOn::High, vec![])
    }

    #[test]
    fn title_names_the_regressions_and_the_baseline() {
        let v = verdict(vec![
            row("a", Severity::Critical, 40.0),
            row("b", Severity::High, 20.0),
            row("c", Severity::Unchanged, 1.0),
        ]);
        assert_eq!(
            title(&v),
            "### 🔴 perfgate: 2 regressions (1 critical, 1 high) vs baseline `main@abc1234`"
        );
    }

    #[test]
    fn large_reports_drop_unchanged_then_improvements_then_rows() {
        let mut rows = Vec::new();
        for i in 0..400 {
            rows.push(row(
                &format!("bench_{i:04}_{}", "x".repeat(60)),
                Severity::Unchanged,
                1.0,
            ));
        }
        for i in 0..50 {
            rows.push(row(&format!("fast_{i}"), Severity::Improvement, -20.0));
        }
        for i in 0..30 {
            rows.push(row(&format!("slow_{i}"), Severity::Critical, 40.0));
        }
        let v = verdict(rows);
        let opts = |n| MarkdownOptions {
            max_chars: n,
            ..MarkdownOptions::default()
        };
        let full = render(&v, &opts(usize::MAX));
        assert!(!full.contains("Shortened"));
        let s = render(&v, &opts(full.chars().count() - 1));
        assert!(
            s.contains("400 unchanged rows") && s.contains("fast_1"),
            "{s}"
        );
        let s = render(&v, &opts(6000));
        assert!(s.chars().count() <= 6000);
        assert!(
            s.contains("50 improvements") && !s.contains("fast_1`"),
            "{s}"
        );
        let s = render(&v, &opts(2000));
        assert!(s.chars().count() <= 2000, "{}", s.chars().count());
        assert!(
            s.contains("of the regressions") && s.contains("slow_0"),
            "{s}"
        );
        assert!(s.starts_with("### 🔴"));
    }

    #[test]
    fn footer_links_to_the_run() {
        let v = verdict(vec![row("a", Severity::Unchanged, 1.0)]);
        let opts = MarkdownOptions {
            run: RunInfo {
                run_url: Some("https://github.com/o/r/actions/runs/42".into()),
                run_id: Some("42".into()),
                head_sha: Some("0123456789".into()),
            },
            ..MarkdownOptions::default()
        };
        let s = render(&v, &opts);
        assert!(
            s.contains("[run 42](https://github.com/o/r/actions/runs/42)"),
            "{s}"
        );
        assert!(s.contains("head `0123456`"), "{s}");
    }
}
