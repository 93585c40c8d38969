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

/// Checks (and where needed escapes) every string of a snapshot read from a file.
pub(super) fn check(s: &mut super::Snapshot) -> Result<(), ParseError> {
    check_lengths(s)?;
    for field in descriptive_mut(s) {
        if needs_escape(field) {
            *field = crate::escape::terminal(field);
        }
    }
    Ok(())
}

/// The descriptive fields, escaped by [`check`]; their lengths are checked by [`check_lengths`].
fn descriptive_mut(s: &mut super::Snapshot) -> Vec<&mut String> {
    let mut v = vec![
        &mut s.schema,
        &mut s.name,
        &mut s.created_at,
        &mut s.perfgate_version,
    ];
    v.extend(s.git.commit.as_mut());
    v.extend(s.git.branch.as_mut());
    if let Some(r) = &mut s.runner {
        v.push(&mut r.os);
        v.push(&mut r.arch);
        v.extend(r.cpu.as_mut());
    }
    for src in &mut s.run.sources {
        v.extend([&mut src.path, &mut src.format, &mut src.tool]);
    }
    v
}

/// Refuses a snapshot holding an absurdly long string (also before writing one, so that perfgate never
/// stores what it would refuse to read).
pub(super) fn check_lengths(s: &super::Snapshot) -> Result<(), ParseError> {
    check_len("schema", &s.schema, MAX_FIELD)?;
    check_len("name", &s.name, MAX_FIELD)?;
    check_len("created_at", &s.created_at, MAX_FIELD)?;
    check_len("perfgate_version", &s.perfgate_version, MAX_FIELD)?;
    if let Some(c) = &s.git.commit {
        check_len("git.commit", c, MAX_FIELD)?;
    }
    if let Some(b) = &s.git.branch {
        check_len("git.branch", b, MAX_FIELD)?;
    }
    if let Some(r) = &s.runner {
        check_len("runner.os", &r.os, MAX_FIELD)?;
        check_len("runner.arch", &r.arch, MAX_FIELD)?;
        if let Some(cpu) = &r.cpu {
            check_len("runner.cpu", cpu, MAX_FIELD)?;
        }
    }
    check_run(&s.run)
}

fn check_run(run: &Run) -> Result<(), ParseError> {
    for src in &run.sources {
        check_len("sources.path", &src.path, MAX_SOURCE)?;
        check_len("sources.format", &src.format, MAX_SOURCE)?;
        check_len("sources.tool", &src.tool, MAX_SOURCE)?;
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
