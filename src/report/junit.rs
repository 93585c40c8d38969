//! `--output junit`: JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure).
//!
//! One test case per gated metric (`classname` = benchmark, `name` = metric); a `<failure>` for each that
//! fails the gate, in the report's order. Metrics that are not gated (e.g. request counts) are not test cases.

use std::io;

use crate::compare::Comparison;
use crate::escape::xml;
use crate::report::{budget_limit, change_with_bound, value, RenderOptions, Renderer};
use crate::severity::Severity;
use crate::verdict::{Status, Verdict};

/// Renders the verdict as JUnit XML.
pub struct JunitRenderer;

fn numbers(c: &Comparison) -> String {
    let show = |v: Option<f64>| {
        v.map(|v| value::human(v, &c.unit))
            .unwrap_or_else(|| "—".into())
    };
    if let Some(limit) = budget_limit(c) {
        return format!(
            "{} {}: current {} ({limit}); {}",
            c.benchmark,
            c.metric,
            show(c.current),
            c.severity.as_str()
        );
    }
    let change = change_with_bound(c);
    format!(
        "{} {}: baseline {} → current {}{}; {}",
        c.benchmark,
        c.metric,
        show(c.baseline),
        show(c.current),
        if change.is_empty() {
            String::new()
        } else {
            format!(" ({change})")
        },
        c.severity.as_str()
    )
}

impl Renderer for JunitRenderer {
    fn render(&self, v: &Verdict, _: &RenderOptions, w: &mut dyn io::Write) -> io::Result<()> {
        let cases: Vec<&Comparison> = v.comparisons.iter().filter(|c| c.gated).collect();
        let failures = cases.iter().filter(|c| v.fail_on.fails(c.severity)).count();
        let skipped = cases
            .iter()
            .filter(|c| c.severity == Severity::Missing)
            .count();
        let tests = cases.len().max(usize::from(v.status == Status::NoBaseline));
        let skipped = skipped + usize::from(v.status == Status::NoBaseline);
        writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            w,
            r#"<testsuites name="perfgate" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}">"#
        )?;
        writeln!(
            w,
            r#"  <testsuite name="perfgate" tests="{tests}" failures="{failures}" errors="0" skipped="{skipped}">"#
        )?;
        writeln!(w, "    <properties>")?;
        writeln!(
            w,
            r#"      <property name="status" value="{}"/>"#,
            v.status.as_str()
        )?;
        writeln!(
            w,
            r#"      <property name="gate" value="{}"/>"#,
            xml(v.fail_on.describe())
        )?;
        if let Some(b) = &v.baseline {
            writeln!(
                w,
                r#"      <property name="baseline" value="{}"/>"#,
                xml(&b.name)
            )?;
        }
        writeln!(w, "    </properties>")?;
        if v.status == Status::NoBaseline {
            writeln!(
                w,
                r#"    <testcase classname="perfgate" name="baseline"><skipped message="{}"/></testcase>"#,
                xml(v.message.as_deref().unwrap_or("no baseline"))
            )?;
        }
        for c in cases {
            let text = numbers(c);
            write!(
                w,
                r#"    <testcase classname="{}" name="{}">"#,
                xml(&c.benchmark),
                xml(&c.metric)
            )?;
            if v.fail_on.fails(c.severity) {
                write!(
                    w,
                    r#"<failure type="{}" message="{}">{}</failure>"#,
                    c.severity.as_str(),
                    xml(&match budget_limit(c) {
                        Some(limit) => format!(
                            "{} over budget ({limit}), gate: {}",
                            c.severity.as_str(),
                            v.fail_on.describe()
                        ),
                        None => format!(
                            "{} regression ({}), gate: {}",
                            c.severity.as_str(),
                            change_with_bound(c),
                            v.fail_on.describe()
                        ),
                    }),
                    xml(&text)
                )?;
            } else if c.severity == Severity::Missing {
                write!(w, r#"<skipped message="only in the baseline"/>"#)?;
            }
            writeln!(w, "<system-out>{}</system-out></testcase>", xml(&text))?;
        }
        writeln!(w, "  </testsuite>")?;
        writeln!(w, "</testsuites>")
    }
}
