//! Gungraun's (and iai-callgrind's) terminal output, as `cargo bench | tee bench.txt` keeps it:
//!
//! ```text
//! work::work::bench_sort unsorted:(numbers())
//!   Instructions:                 203500|203500          (No change)
//!   L1 Hits:                      281907|N/A             (*********)
//! ```
//!
//! A benchmark line is its module path, then ` id:description`; the description may wrap over several
//! lines, and is not part of the name (`work::work::bench_sort unsorted`, as [`super::gungraun`] names
//! the summary). The value before `|` is this run's; the one after is the previous run's and is not read.
//! `======= DHAT =======`-style headers switch to another tool, whose counts are prefixed with its name.
//! Colour escapes are stripped. Metrics as in [`super::gungraun`]: deterministic, `instructions` and
//! `estimated_cycles` gated.

use crate::error::ParseError;
use crate::input::gungraun::{count_metric, event_name};
use crate::input::{lines, InputFormat, Probe};
use crate::model::Run;

/// Reader for Gungraun's terminal output.
pub struct GungraunTextInput;

/// `  Instructions:    79443|N/A    (*********)` → (`Instructions`, 79443).
fn metric_line(line: &str) -> Option<(&str, f64)> {
    if !line.starts_with([' ', '\t']) {
        return None;
    }
    let (label, rest) = line.trim_start().split_once(':')?;
    let (new, _old) = rest.trim_start().split_once('|')?;
    let label = label.trim();
    if label.is_empty() || label.contains('|') {
        return None;
    }
    let value = new
        .trim()
        .trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())?;
    Some((label, value))
}

/// `  ======= DHAT =========` → `DHAT`.
fn tool_header(line: &str) -> Option<&str> {
    let t = line.trim();
    let inner = t.strip_prefix("==")?.trim_start_matches('=').trim();
    let name = inner.strip_suffix("==")?.trim_end_matches('=').trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())).then_some(name)
}

/// A benchmark line: a module path (`a::b::c`, no spaces) at the line's start, then ` id:…`.
fn bench_name(line: &str) -> Option<String> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (path, rest) = match line.split_once(' ') {
        Some((p, r)) => (p, Some(r)),
        None => (line.trim_end(), None),
    };
    let parts: Vec<&str> = path.split("::").collect();
    let ident = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if parts.len() < 3 || !parts.iter().all(ident) {
        return None;
    }
    match rest
        .and_then(|r| r.split(':').next())
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => Some(format!("{path} {id}")),
        None => Some(path.to_string()),
    }
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

impl InputFormat for GungraunTextInput {
    fn id(&self) -> &'static str {
        "gungraun-text"
    }

    fn tool(&self) -> &'static str {
        "gungraun"
    }

    fn example(&self) -> &'static str {
        "cargo bench --bench my_gungraun_bench | tee bench.txt"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        if head.trim_start().starts_with(['{', '[']) {
            return false;
        }
        let head = strip_ansi(head);
        let mut named = false;
        for l in lines(&head) {
            if bench_name(l).is_some() {
                named = true;
            } else if named && metric_line(l).is_some_and(|(k, _)| event_name(k).1) {
                return true;
            }
        }
        false
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let text = strip_ansi(probe.text()?);
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        let mut current: Option<String> = None;
        // Whether the current benchmark has had a metric line yet: before it, unindented lines are its
        // wrapped description.
        let mut started = false;
        let mut tool: Option<String> = None;
        for line in lines(&text) {
            if let Some((label, value)) = metric_line(line) {
                let Some(name) = &current else { continue };
                started = true;
                let (metric, gated) = event_name(label);
                let (metric, gated) = match &tool {
                    Some(t) if !matches!(t.as_str(), "CALLGRIND" | "CACHEGRIND") => {
                        (format!("{}_{metric}", t.to_ascii_lowercase()), false)
                    }
                    _ => (metric, gated),
                };
                run.insert(name, &metric, count_metric(&metric, value, gated));
            } else if let Some(t) = tool_header(line) {
                tool = Some(t.to_string());
            } else if let Some(name) = bench_name(line) {
                current = Some(names.unique(&name));
                started = false;
                tool = None;
            } else if started && !line.starts_with([' ', '\t']) {
                // Anything else unindented after the metrics ends the benchmark.
                current = None;
            }
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn wrapped_descriptions_tools_and_colour() {
        let text = "running 0 tests\n\n\
            \u{1b}[32mb::g::multi\u{1b}[0m id_0:string with two\n\
            lines\n  Instructions:      1|N/A     (*********)\n  L1 Hits:  2|1  (+100.000%) [+2.00000x]\n\
              ======= DHAT ========\n  Total bytes:   96|96  (No change)\n\
            b::g::other\n  Estimated Cycles:  12|12 (No change)\n\
            Gungraun result: Ok. 2 without regressions\n";
        let probe = Probe::from_text(Path::new("g.txt"), text);
        assert!(GungraunTextInput.sniff(&probe));
        let run = GungraunTextInput.parse(&probe).unwrap();
        let ir = run.metric("b::g::multi id_0", "instructions").unwrap();
        assert_eq!((ir.value, ir.gated, ir.deterministic), (1.0, true, true));
        assert_eq!(
            run.metric("b::g::multi id_0", "l1_hits").unwrap().value,
            2.0
        );
        assert_eq!(
            run.metric("b::g::multi id_0", "dhat_total_bytes")
                .unwrap()
                .value,
            96.0
        );
        assert_eq!(
            run.metric("b::g::other", "estimated_cycles").unwrap().value,
            12.0
        );
        assert_eq!(run.benchmarks.len(), 2);
    }
}
