//! `--output markdown`: a GitHub-flavoured report, also the PR comment and the job summary.
//!
//! The title alone tells a reviewer whether to look, and counts gated rows only. Then one row per benchmark
//! that got worse (its worst gated metric), worst first; every other gated row folded in `<details>`, and
//! the rows that are reported but never gated folded apart, with the reason. Nothing is shown twice. It fits
//! GitHub's comment limit by leaving out the least important parts first, and says so.

use std::fmt::Write as _;
use std::io;

use crate::compare::{Comparison, Kind};
use crate::escape;
use crate::evidence::Outcome;
use crate::model::Unit;
use crate::report::{
    bound_pct, budget_limit, change_only, headline, icon, is_unverified, legend, not_gated_reason,
    plural, reason, summary_line, value, RenderOptions, Renderer, RunInfo, Sections,
};
use crate::severity::Severity;
use crate::verdict::{Status, Summary, Verdict};

/// GitHub's limit for a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;
/// GitHub's limit for one step's job summary, in bytes (1 MiB), with room for a warning after it.
pub const SUMMARY_LIMIT_BYTES: usize = 1024 * 1024 - 4096;
/// Most rows of the visible table; further regressed benchmarks are in the details.
pub const MAX_VISIBLE_ROWS: usize = 25;

/// Renders the verdict as markdown (for `--output markdown`), with links from the CI run it was given.
#[derive(Debug, Clone, Default)]
pub struct MarkdownRenderer {
    pub run: RunInfo,
}

/// Where the report goes and how large it may be.
#[derive(Debug, Clone)]
pub struct MarkdownOptions {
    /// Links (run, repository) and head commit for the title and footer.
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

/// A URL from the CI context, kept from breaking out of a markdown link.
fn safe_url(url: &str) -> Option<String> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return None;
    }
    Some(
        url.chars()
            .filter(|c| !c.is_whitespace() && !c.is_control() && !"()<>\"'[]`".contains(*c))
            .collect(),
    )
}

/// The baseline's commit, short, linked to the repository when both are known and the commit is a hash.
pub(crate) fn commit_ref(commit: &str, run: &RunInfo) -> String {
    let short: String = commit.chars().take(7).collect();
    let code = escape::markdown_code(&short);
    let is_hash = (7..=64).contains(&commit.len()) && commit.chars().all(|c| c.is_ascii_hexdigit());
    match run.repo_url.as_deref().and_then(safe_url) {
        Some(repo) if is_hash => {
            format!("[{code}]({}/commit/{commit})", repo.trim_end_matches('/'))
        }
        _ => code,
    }
}

/// The title line, e.g. ``### ❌ perfgate: 2 regressions in 1 benchmark (1 critical, 1 high) vs baseline `main` @ `abc1234` ``.
pub fn title(v: &Verdict, run: &RunInfo) -> String {
    let against = match &v.baseline {
        Some(b) => {
            let mut s = format!(" vs baseline {}", escape::markdown_code(&b.name));
            if let Some(c) = &b.commit {
                let _ = write!(s, " @ {}", commit_ref(c, run));
            }
            s
        }
        None => String::new(),
    };
    let mark = match v.status {
        Status::Fail => "❌",
        Status::Warn => "⚠️",
        Status::Pass => "✅",
        Status::NoBaseline => "⚪",
    };
    format!("### {mark} perfgate: {}{against}", headline(v))
}

/// A value with its unit; a unit the tool named (not one perfgate knows) is shown as code.
fn show_value(v: Option<f64>, unit: &Unit) -> String {
    let Some(v) = v else {
        return "—".to_string();
    };
    match unit {
        Unit::Other(u) if !u.is_empty() => format!(
            "{} {}",
            escape::markdown_text(&value::human(v, &Unit::Other(String::new()))),
            escape::markdown_code(u)
        ),
        _ => escape::markdown_text(&value::human(v, unit)),
    }
}

/// `47.8 ms → 81.3 ms`; for a budget only the current value (the limit is in the bound column).
fn values(c: &Comparison) -> String {
    if c.kind == Kind::Budget {
        return show_value(c.current, &c.unit);
    }
    format!(
        "{} → {}",
        show_value(c.baseline, &c.unit),
        show_value(c.current, &c.unit)
    )
}

/// The severity in words beside its mark: `🔴 critical`, `within noise`.
fn severity_cell(c: &Comparison) -> String {
    let word = match c.severity {
        Severity::Unchanged => match c.evidence.as_ref().map(|e| e.outcome) {
            Some(Outcome::WithinNoise) => "within noise",
            Some(Outcome::BelowBand) => "below band",
            _ if c.kind == Kind::Budget => "within budget",
            _ => "unchanged",
        },
        s => s.as_str(),
    };
    let mark = icon(c.severity);
    if mark.is_empty() {
        word.to_string()
    } else {
        format!("{mark} {word}")
    }
}

fn metric_cell(c: &Comparison, more: usize) -> String {
    let mut s = escape::markdown_code(&c.metric);
    if c.kind == Kind::Budget {
        s.push_str(" budget");
    }
    if more > 0 {
        let _ = write!(s, " and {more} more");
    }
    s
}

/// The change, bold for a gated regression, with `†` when a gated row's grade is unverified.
fn change_cell(c: &Comparison, gated_row: bool) -> String {
    let change = escape::markdown_text(&change_only(c));
    let mut s = if gated_row && c.severity.is_regression() && !change.is_empty() {
        format!("**{change}**")
    } else {
        change
    };
    if gated_row && is_unverified(c) {
        s.push_str(" †");
    }
    s
}

fn bound_cell(c: &Comparison) -> String {
    if let Some(limit) = budget_limit(c) {
        return escape::markdown_text(&limit);
    }
    match bound_pct(c) {
        Some((sym, b)) => escape::markdown_text(&format!("{sym} {}", value::pct(b))),
        // A regression without a bound says so rather than leaving a gap.
        None if c.severity.is_regression() => "—".to_string(),
        None => String::new(),
    }
}

const GATED_HEADER: &str =
    "| Severity | Benchmark | Metric | Change | Bound | Baseline → Current |\n|---|---|---|---:|---|---:|\n";

fn gated_row(out: &mut String, c: &Comparison, more: usize) {
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        severity_cell(c),
        escape::markdown_code(&c.benchmark),
        metric_cell(c, more),
        change_cell(c, true),
        bound_cell(c),
        values(c)
    );
}

fn not_gated_table(out: &mut String, rows: &[&Comparison]) {
    out.push_str("| Benchmark | Metric | Change | Baseline → Current | Why not gated |\n");
    out.push_str("|---|---|---:|---:|---|\n");
    for c in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            escape::markdown_code(&c.benchmark),
            escape::markdown_code(&c.metric),
            change_cell(c, false),
            values(c),
            escape::markdown_text(&not_gated_reason(c))
        );
    }
    out.push('\n');
}

/// How much of the report to include; tried from most to least until it fits.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Unchanged gated rows in the details.
    unchanged_in_details: bool,
    /// The "also changed, not gated" list.
    not_gated: bool,
    /// The details of the other gated rows.
    details: bool,
    /// Rows of the visible table.
    max_rows: usize,
}

fn render_plan(v: &Verdict, opts: &MarkdownOptions, plan: Plan) -> String {
    let mut out = String::new();
    out.push_str(&title(v, &opts.run));
    out.push_str("\n\n");
    if let Some(msg) = &v.message {
        out.push_str(&escape::markdown_text(msg));
        out.push_str("\n\n");
    }
    let sections = Sections::of(v);
    let mut left_out = Vec::new();
    let shown = sections.worst.len().min(plan.max_rows);
    if shown > 0 {
        out.push_str(GATED_HEADER);
        for (c, more) in sections.worst.iter().zip(&sections.more_worse).take(shown) {
            // A row is shown once: with the details below listing a benchmark's other regressions,
            // the visible row does not count them again ("p50 and 2 more") - only without them.
            gated_row(&mut out, c, if plan.details { 0 } else { *more });
        }
        out.push('\n');
        if shown < sections.worst.len() {
            let n = sections.worst.len() - shown;
            let _ = writeln!(
                out,
                "{n} more {} worse{}.\n",
                if n == 1 {
                    "benchmark got"
                } else {
                    "benchmarks got"
                },
                if plan.details {
                    "; see the details below"
                } else {
                    ""
                }
            );
        }
    }
    // Notes that explain a visible row's grade (budgets explain themselves in the bound column).
    for c in sections
        .worst
        .iter()
        .take(shown)
        .filter(|c| c.kind == Kind::Change)
    {
        if let Some(note) = reason::note(c) {
            let _ = writeln!(
                out,
                "- {} {}: {}",
                escape::markdown_code(&c.benchmark),
                escape::markdown_code(&c.metric),
                escape::markdown_text(&note)
            );
        }
    }
    // Gated rows that moved beyond the low band but do not fail say why (within noise, immaterial, too
    // thin, family-wise), as the terminal does.
    let moved: Vec<&Comparison> = v
        .comparisons
        .iter()
        .filter(|c| c.gated && c.kind == Kind::Change && !c.severity.is_regression())
        .filter(|c| moved_worse(c, v.bands.low))
        .collect();
    for c in moved.iter().take(10) {
        let why = reason::note(c).unwrap_or_else(|| match c.evidence.as_ref().map(|e| e.outcome) {
            Some(Outcome::Inconclusive) => {
                "inconclusive: beyond the band but not established; more runs would settle it"
                    .into()
            }
            _ => "within noise".into(),
        });
        let _ = writeln!(
            out,
            "- {} {} moved {} but did not fail: {}",
            escape::markdown_code(&c.benchmark),
            escape::markdown_code(&c.metric),
            escape::markdown_text(&change_only(c)),
            escape::markdown_text(&why)
        );
    }
    if moved.len() > 10 {
        let _ = writeln!(
            out,
            "- and {} more rows that moved without failing.",
            moved.len() - 10
        );
    }
    // Everything gated that is not in the visible table, in report order.
    let visible: Vec<*const Comparison> = sections.worst[..shown]
        .iter()
        .map(|c| *c as *const Comparison)
        .collect();
    let rest: Vec<&Comparison> = v
        .comparisons
        .iter()
        .filter(|c| c.gated && !visible.contains(&(*c as *const Comparison)))
        .collect();
    if !rest.is_empty() {
        if plan.details {
            let listed: Vec<&Comparison> = rest
                .iter()
                .copied()
                .filter(|c| plan.unchanged_in_details || c.severity != Severity::Unchanged)
                .collect();
            let label = if shown > 0 {
                "Other gated metrics"
            } else {
                "Gated metrics"
            };
            let _ = writeln!(
                out,
                "<details><summary>{label}: {}</summary>\n",
                summary_line(&Summary::of(rest.iter().copied()))
            );
            if !listed.is_empty() {
                out.push_str(GATED_HEADER);
                for c in &listed {
                    gated_row(&mut out, c, 0);
                }
                out.push('\n');
            }
            if listed.len() < rest.len() {
                let n = rest.len() - listed.len();
                let _ = writeln!(out, "{} not listed.\n", plural(n, "unchanged metric"));
                left_out.push(plural(n, "unchanged gated row"));
            }
            out.push_str("</details>\n\n");
        } else {
            left_out.push(format!("the other {}", plural(rest.len(), "gated row")));
        }
    }
    let changed = &sections.not_gated_changed;
    if !changed.is_empty() {
        if plan.not_gated {
            let _ = writeln!(
                out,
                "<details><summary>Also changed, not gated: {} (reported only, never fail the gate)</summary>\n",
                plural(changed.len(), "metric")
            );
            not_gated_table(&mut out, changed);
            if !sections.not_gated_unchanged.is_empty() {
                let _ = writeln!(
                    out,
                    "{} not gated and unchanged.\n",
                    plural(sections.not_gated_unchanged.len(), "more metric")
                );
            }
            out.push_str("</details>\n\n");
        } else {
            left_out.push(format!(
                "{} not gated",
                plural(changed.len(), "changed metric")
            ));
        }
    }
    for t in v.tool_checks.iter().filter(|t| !t.ok).take(10) {
        let _ = writeln!(
            out,
            "- the tool's own threshold {} on {} failed in the current run",
            escape::markdown_code(&t.expression),
            escape::markdown_code(&t.benchmark)
        );
    }
    for w in reason::warnings(v).iter().take(10) {
        let _ = writeln!(out, "- warning: {}", escape::markdown_text(w));
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
    let mut first = legend(&v.bands);
    if v.comparisons.iter().any(|c| c.gated && is_unverified(c)) {
        first.push_str(
            " · † unverified: one value per side and no history, so noise could not be ruled out",
        );
    }
    if v.comparisons
        .iter()
        .any(|c| c.gated && c.kind == Kind::Change && bound_pct(c).is_some())
    {
        let level = ((1.0 - v.alpha) * 1000.0).round() / 10.0;
        let _ = write!(
            first,
            " · bound: one-sided {level} % confidence bound of the change"
        );
    }
    let mut parts = vec![format!(
        "gate: {}, gated metrics only",
        v.fail_on.describe()
    )];
    if let Some(sha) = &opts.run.head_sha {
        parts.push(format!(
            "head {}",
            escape::markdown_code(&sha.chars().take(7).collect::<String>())
        ));
    }
    if let Some(url) = opts.run.run_url.as_deref().and_then(safe_url) {
        let label = opts
            .run
            .run_id
            .as_deref()
            .filter(|id| id.chars().all(|c| c.is_ascii_digit()))
            .map(|id| format!("run {id}"))
            .unwrap_or_else(|| "workflow run".into());
        parts.push(format!("[{label}]({url})"));
    }
    parts.push(format!("perfgate {}", v.perfgate_version));
    let _ = writeln!(
        out,
        "<sub>{first}</sub>\n\n<sub>{}</sub>",
        parts.join(" · ")
    );
}

fn fits(s: &str, opts: &MarkdownOptions) -> bool {
    s.len() <= opts.max_bytes && s.chars().count() <= opts.max_chars
}

/// Renders the report, shortened as needed to fit `opts`' limits.
pub fn render(v: &Verdict, opts: &MarkdownOptions) -> String {
    let mut plan = Plan {
        unchanged_in_details: true,
        not_gated: true,
        details: true,
        max_rows: MAX_VISIBLE_ROWS,
    };
    let full = render_plan(v, opts, plan);
    if fits(&full, opts) {
        return full;
    }
    for step in 0..3 {
        match step {
            0 => plan.unchanged_in_details = false,
            1 => plan.not_gated = false,
            _ => plan.details = false,
        }
        let s = render_plan(v, opts, plan);
        if fits(&s, opts) {
            return s;
        }
    }
    // Last resort: as many rows of the visible table as fit (binary search).
    let (mut lo, mut hi) = (0usize, MAX_VISIBLE_ROWS);
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
            run: self.run.clone(),
            ..MarkdownOptions::default()
        };
        w.write_all(render(v, &opts).as_bytes())
    }
}

/// Whether a row's change is beyond `low` percent in the worse direction.
fn moved_worse(c: &Comparison, low: f64) -> bool {
    let est = c
        .evidence
        .as_ref()
        .filter(|e| e.method.has_estimate())
        .and_then(|e| e.estimate_pct)
        .or(c.change_pct);
    let worse = match (est, c.direction) {
        (Some(e), crate::model::Direction::LowerIsBetter) => e,
        (Some(e), crate::model::Direction::HigherIsBetter) => -e,
        (None, _) => return false,
    };
    worse > low
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comparison::testing::p95_change;
    use crate::severity::FailOn;
    use crate::verdict::{BaselineInfo, Inputs};

    fn verdict(rows: Vec<Comparison>) -> Verdict {
        let info = BaselineInfo {
            name: "main".into(),
            commit: Some("abc1234def".into()),
            ..BaselineInfo::default()
        };
        Verdict::new(Some(info), Inputs::default(), rows, FailOn::High, vec![])
    }

    #[test]
    fn title_counts_gated_rows_and_names_the_baseline() {
        let mut ungated = p95_change("d", Severity::Critical, 90.0);
        ungated.gated = false;
        let v = verdict(vec![
            p95_change("a", Severity::Critical, 40.0),
            p95_change("b", Severity::High, 20.0),
            p95_change("c", Severity::Unchanged, 1.0),
            ungated,
        ]);
        assert_eq!(
            title(&v, &RunInfo::default()),
            "### ❌ perfgate: 2 regressions in 2 benchmarks (1 critical, 1 high) vs baseline `main` @ `abc1234`"
        );
        let run = RunInfo {
            repo_url: Some("https://github.com/o/r".into()),
            ..RunInfo::default()
        };
        assert!(
            title(&v, &run).ends_with("@ [`abc1234`](https://github.com/o/r/commit/abc1234def)")
        );
    }

    #[test]
    fn a_minor_change_is_not_called_no_regressions_alone() {
        let v = verdict(vec![p95_change("a", Severity::Low, 7.0)]);
        assert_eq!(v.status, Status::Pass);
        let t = title(&v, &RunInfo::default());
        assert!(
            t.starts_with("### ✅ perfgate: no regressions; 1 minor change in 1 benchmark (1 low)"),
            "{t}"
        );
    }

    #[test]
    fn ungated_rows_never_make_a_warning() {
        let mut r = p95_change("a", Severity::Critical, 90.0);
        r.gated = false;
        let v = verdict(vec![r, p95_change("b", Severity::Unchanged, 1.0)]);
        assert_eq!(v.status, Status::Pass);
        let md = render(&v, &MarkdownOptions::default());
        assert!(
            md.starts_with("### ✅ perfgate: no regressions in 1 gated metric"),
            "{md}"
        );
        let visible = md.split("<details>").next().unwrap();
        assert!(!visible.contains('🔴'), "{md}");
        assert!(md.contains("Also changed, not gated"), "{md}");
    }

    #[test]
    fn one_visible_row_per_benchmark_and_nothing_twice() {
        let v = verdict(vec![
            p95_change("a", Severity::High, 20.0),
            p95_change("a", Severity::Critical, 40.0),
            p95_change("b", Severity::Critical, 60.0),
            p95_change("c", Severity::Unchanged, 1.0),
        ]);
        let md = render(&v, &MarkdownOptions::default());
        let visible = md.split("<details>").next().unwrap();
        let rows: Vec<&str> = visible.lines().filter(|l| l.starts_with("| 🔴")).collect();
        assert_eq!(rows.len(), 2, "{md}");
        assert!(rows[0].contains("`b`") && rows[1].contains("`a`"), "{md}");
        // The details list a's other regression, so the visible row does not count it again.
        assert!(!rows[1].contains("more"), "{md}");
        assert!(md.contains("Other gated metrics: 1 high"), "{md}");
        // Every row once.
        for needle in ["+60.0 %", "+40.0 %", "+20.0 %", "+1.0 %"] {
            assert_eq!(md.matches(needle).count(), 1, "{needle}: {md}");
        }
    }

    #[test]
    fn large_reports_drop_unchanged_then_not_gated_then_details_then_rows() {
        let mut rows = Vec::new();
        for i in 0..400 {
            rows.push(p95_change(
                &format!("bench_{i:04}_{}", "x".repeat(60)),
                Severity::Unchanged,
                1.0,
            ));
        }
        for i in 0..50 {
            let mut r = p95_change(&format!("spread_{i}"), Severity::Critical, 40.0);
            r.gated = false;
            rows.push(r);
        }
        for i in 0..30 {
            rows.push(p95_change(&format!("slow_{i}"), Severity::Critical, 40.0));
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
            s.contains("400 unchanged gated rows") && s.contains("spread_1`"),
            "{s}"
        );
        let s = render(&v, &opts(8000));
        assert!(s.chars().count() <= 8000);
        assert!(
            s.contains("50 changed metrics not gated") && !s.contains("spread_1`"),
            "{s}"
        );
        let s = render(&v, &opts(2500));
        assert!(s.chars().count() <= 2500, "{}", s.chars().count());
        assert!(
            s.contains("slow_0") && s.contains("more benchmarks got worse."),
            "{s}"
        );
        assert!(s.starts_with("### ❌"));
    }

    #[test]
    fn footer_links_to_the_run_and_states_the_bands_in_force() {
        let mut v = verdict(vec![p95_change("a", Severity::Unchanged, 1.0)]);
        v.bands.critical = 40.0;
        let opts = MarkdownOptions {
            run: RunInfo {
                run_url: Some("https://github.com/o/r/actions/runs/42".into()),
                run_id: Some("42".into()),
                head_sha: Some("0123456789".into()),
                repo_url: None,
            },
            ..MarkdownOptions::default()
        };
        let s = render(&v, &opts);
        assert!(
            s.contains("[run 42](https://github.com/o/r/actions/runs/42)"),
            "{s}"
        );
        assert!(s.contains("head `0123456`"), "{s}");
        assert!(s.contains("🔴 critical > 40 %"), "{s}");
    }
}
