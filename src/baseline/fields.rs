//! Strings of a snapshot file checked on the way in. A pull request can add or edit a snapshot, so its
//! strings are untrusted: every output escapes them already; this is the second line of defence.
//!
//! Descriptive fields (name, dates, git, runner, sources) holding control characters or direction
//! overrides are kept in escaped form (`\u{1b}`), so nothing later can print them raw. Benchmark and
//! metric names and units are kept as they are, since they must match the current results (and a result
//! file may hold such names); they, like every field, are refused when absurdly long.

use crate::error::ParseError;
use crate::model::{Run, Unit};

/// Longest descriptive field (commit, branch, date, version, runner, snapshot name).
const MAX_FIELD: usize = 1024;
/// Longest source path, format or tool.
const MAX_SOURCE: usize = 4096;
/// Longest benchmark name or tool-check expression (k6 names carry tags such as full URLs).
const MAX_NAME: usize = 16 * 1024;
/// Longest metric name or unit.
const MAX_METRIC: usize = 1024;

/// Refuses a string over `max` bytes, naming the field.
fn check_len(field: &str, s: &str, max: usize) -> Result<(), ParseError> {
    if s.len() <= max {
        return Ok(());
    }
    let start: String = s.chars().take(24).collect();
    Err(ParseError::value(format!(
        "field `{field}` is {} bytes long (starts \"{}…\"); perfgate reads at most {max}",
        s.len(),
        crate::escape::terminal(&start)
    )))
}

/// Whether `s` holds anything a terminal or a log would interpret.
fn needs_escape(s: &str) -> bool {
    s.chars().any(|c| {
        c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// A descriptive field: length-checked, then escaped when it holds control or direction characters.
fn descriptive(field: &str, s: &mut String, max: usize) -> Result<(), ParseError> {
    check_len(field, s, max)?;
    if needs_escape(s) {
        *s = crate::escape::terminal(s);
    }
    Ok(())
}

/// Checks (and where needed escapes) every string of a snapshot read from a file.
pub(super) fn check(s: &mut super::Snapshot) -> Result<(), ParseError> {
    descriptive("schema", &mut s.schema, MAX_FIELD)?;
    descriptive("name", &mut s.name, MAX_FIELD)?;
    descriptive("created_at", &mut s.created_at, MAX_FIELD)?;
    descriptive("perfgate_version", &mut s.perfgate_version, MAX_FIELD)?;
    if let Some(c) = &mut s.git.commit {
        descriptive("git.commit", c, MAX_FIELD)?;
    }
    if let Some(b) = &mut s.git.branch {
        descriptive("git.branch", b, MAX_FIELD)?;
    }
    if let Some(r) = &mut s.runner {
        descriptive("runner.os", &mut r.os, MAX_FIELD)?;
        descriptive("runner.arch", &mut r.arch, MAX_FIELD)?;
        if let Some(cpu) = &mut r.cpu {
            descriptive("runner.cpu", cpu, MAX_FIELD)?;
        }
    }
    check_run(&mut s.run)
}

fn check_run(run: &mut Run) -> Result<(), ParseError> {
    for src in &mut run.sources {
        descriptive("sources.path", &mut src.path, MAX_SOURCE)?;
        descriptive("sources.format", &mut src.format, MAX_SOURCE)?;
        descriptive("sources.tool", &mut src.tool, MAX_SOURCE)?;
    }
    for check in &run.tool_checks {
        check_len("tool_checks.benchmark", &check.benchmark, MAX_NAME)?;
        check_len("tool_checks.expression", &check.expression, MAX_NAME)?;
    }
    for (bench, b) in &run.benchmarks {
        check_len("benchmarks (a benchmark name)", bench, MAX_NAME)?;
        for (metric, m) in &b.metrics {
            check_len("benchmarks.*.metrics (a metric name)", metric, MAX_METRIC)?;
            if let Unit::Other(u) = &m.unit {
                check_len("benchmarks.*.metrics.*.unit", u, MAX_METRIC)?;
            }
        }
    }
    Ok(())
}
