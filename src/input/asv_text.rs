//! `asv run`'s console output, as CI logs keep it: one line per benchmark, `[ 35.00%] ··· suite.time_keys
//! 11.2±0.01μs`, and for a parameterized benchmark a line ending in `ok` followed by a table of its
//! parameter combinations (`10   1.68±0.3μs`).
//!
//! The value is asv's median with its spread (half the interquartile range) as printed, three significant
//! digits: `time_` in nanoseconds (metric `time`) and `mem_`/`peakmem_` in bytes (`2.42k`, powers of
//! 1000), both gated; `track_` values are reported. A benchmark printed as `failed`, `skipped` or `n/a`
//! is named in a warning. The result files asv writes beside (`.asv/results/`, format `asv`) hold every
//! digit and the samples: prefer them.

use crate::error::ParseError;
use crate::input::{check_metric, lines, warn_not_read, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for `asv run` console output.
pub struct AsvTextInput;

/// `[ 35.00%] ··· rest` → `rest`.
fn progress_line(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix('[')?;
    let (pct, rest) = rest.split_once("%]")?;
    pct.trim().parse::<f64>().ok()?;
    let rest = rest.trim_start();
    let dots = rest.len() - rest.trim_start_matches('·').len();
    (dots > 0).then(|| rest[dots..].trim())
}

/// A time as asv prints it, in nanoseconds: `11.1±0.01μs`, `154±2μs`, `1.2s`.
fn time_ns(s: &str) -> Option<(f64, Option<f64>)> {
    let split = s
        .char_indices()
        .find(|(_, c)| c.is_alphabetic())
        .map(|(i, _)| i)?;
    let (num, unit) = s.split_at(split);
    let factor = match unit {
        "ns" => 1.0,
        "μs" | "µs" | "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        _ => return None,
    };
    let (v, err) = match num.split_once('±') {
        Some((v, e)) => (v, Some(e)),
        None => (num, None),
    };
    let v = v.parse::<f64>().ok().filter(|v| v.is_finite())?;
    let err = match err {
        Some(e) => Some(e.parse::<f64>().ok().filter(|e| e.is_finite())? * factor),
        None => None,
    };
    Some((v * factor, err))
}

/// A size or count as asv prints it: `2.42k`, `10M`, `42`.
fn si(s: &str) -> Option<f64> {
    let (num, factor) = match s.chars().last()? {
        'k' => (&s[..s.len() - 1], 1e3),
        'M' => (&s[..s.len() - 1], 1e6),
        'G' => (&s[..s.len() - 1], 1e9),
        'T' => (&s[..s.len() - 1], 1e12),
        _ => (s, 1.0),
    };
    num.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(|v| v * factor)
}

/// The last component's prefix says the type, as asv discovers benchmarks.
fn kind(name: &str) -> Option<&'static str> {
    let last = name.rsplit('.').next().unwrap_or(name);
    [
        ("time_", "time"),
        ("timeraw_", "time"),
        ("peakmem_", "peakmem"),
        ("mem_", "mem"),
        ("track_", "track"),
    ]
    .iter()
    .find(|(p, _)| last.starts_with(p))
    .map(|(_, k)| *k)
}

const NO_RESULT: [&str; 3] = ["failed", "skipped", "n/a"];

/// Adds one printed value of benchmark `name`; `Err` carries the warning when it has none.
fn add(run: &mut Run, name: &str, value: &str) -> Result<Result<(), String>, ParseError> {
    let Some(kind) = kind(name) else {
        return Ok(Err("its name has none of asv's type prefixes".into()));
    };
    if NO_RESULT.contains(&value) {
        return Ok(Err(format!("no result ({value})")));
    }
    let m = match kind {
        "time" => match time_ns(value) {
            Some((v, err)) => Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter)
                .with_ci(err.map(|e| v - e), err.map(|e| v + e)),
            None => return Ok(Err(format!("`{value}` is not a time"))),
        },
        "track" => match si(value) {
            Some(v) => {
                Metric::new(v, Unit::Other(String::new()), Direction::LowerIsBetter).informational()
            }
            None => return Ok(Err(format!("`{value}` is not a number"))),
        },
        _ => match si(value) {
            Some(v) => Metric::new(v, Unit::Bytes, Direction::LowerIsBetter),
            None => return Ok(Err(format!("`{value}` is not a size"))),
        },
    };
    check_metric(name, kind, &m)?;
    run.insert(name, kind, m);
    Ok(Ok(()))
}

impl InputFormat for AsvTextInput {
    fn id(&self) -> &'static str {
        "asv-text"
    }

    fn tool(&self) -> &'static str {
        "asv"
    }

    fn example(&self) -> &'static str {
        "asv run -E existing 2>&1 | tee asv.txt   # or give the result files (format asv)"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        !head.trim_start().starts_with(['{', '[', '<'])
            && lines(head).any(|l| {
                progress_line(l).is_some_and(|r| {
                    r.rsplit_once(char::is_whitespace)
                        .is_some_and(|(n, _)| kind(n.trim()).is_some())
                })
            })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let mut run = Run::default();
        let warn = |n: usize, name: &str, why: &str| warn_not_read(probe, Some(n), name, why);
        // A parameterized benchmark whose table is being read: its name and the table's rule count.
        let mut table: Option<(String, usize)> = None;
        for (i, line) in lines(probe.text()?).enumerate() {
            let n = i + 1;
            let rest = progress_line(line);
            let trimmed = line.trim();
            if let Some((name, rules)) = &mut table {
                let body = rest.unwrap_or(trimmed);
                if body.starts_with("==") {
                    *rules += 1;
                    if *rules == 2 {
                        table = None;
                    }
                    continue;
                }
                if *rules == 1 && !body.starts_with("--") && !body.is_empty() {
                    let cells: Vec<&str> = body.split_whitespace().collect();
                    // The header row names the parameters; a data row ends in a value.
                    if let Some((value, params)) = cells.split_last() {
                        let looks_like_value = time_ns(value).is_some()
                            || si(value).is_some()
                            || NO_RESULT.contains(value);
                        if looks_like_value && !params.is_empty() {
                            let full = format!("{name}({})", params.join(", "));
                            if let Err(why) =
                                add(&mut run, &full, value).map_err(|e| e.at_line(n as u64))?
                            {
                                warn(n, &full, &why);
                            }
                        }
                    }
                    continue;
                }
                if rest.is_none() {
                    continue;
                }
                table = None;
            }
            let Some(rest) = rest else { continue };
            let Some((name, value)) = rest.rsplit_once(char::is_whitespace) else {
                continue;
            };
            let (name, value) = (name.trim(), value.trim());
            if name.contains(' ') || kind(name).is_none() {
                continue; // asv's own messages: `Building for …`, `Running (…)….`
            }
            if value == "ok" {
                table = Some((name.to_string(), 0));
                continue;
            }
            if let Err(why) = add(&mut run, name, value).map_err(|e| e.at_line(n as u64))? {
                warn(n, name, &why);
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
    fn lines_tables_and_failures() {
        let text = "· Discovering benchmarks\n\
            [ 0.00%] · For p commit 52226e20 <main>:\n\
            [16.67%] ··· Running (bench_work.ParamSuite.time_range_sum--)....\n\
            [58.33%] ··· bench_work.MemSuite.mem_list                                  2.1k\n\
            [66.67%] ··· bench_work.ParamSuite.time_range_sum                            ok\n\
            [66.67%] ··· ===== ============\n\
            \x20              n               \n\
            \x20            ----- ------------\n\
            \x20              10   1.68±0.3μs \n\
            \x20             100       failed \n\
            \x20            ===== ============\n\
            \n\
            [75.00%] ··· bench_work.TimeSuite.time_fib                             67.2±2μs\n\
            [85.00%] ··· benchmarks.TimeSuite.time_iterkeys3                         failed\n\
            [100.00%] ··· bench_work.track_items                                          42\n";
        let probe = Probe::from_text(Path::new("asv.txt"), text);
        assert!(AsvTextInput.sniff(&probe));
        let run = AsvTextInput.parse(&probe).unwrap();
        assert_eq!(
            run.metric("bench_work.MemSuite.mem_list", "mem")
                .unwrap()
                .value,
            2100.0
        );
        let m = run
            .metric("bench_work.ParamSuite.time_range_sum(10)", "time")
            .unwrap();
        assert!((m.value - 1680.0).abs() < 1e-6 && (m.ci_low.unwrap() - 1380.0).abs() < 1e-6);
        assert!(run
            .metric("bench_work.ParamSuite.time_range_sum(100)", "time")
            .is_none());
        assert_eq!(
            run.metric("bench_work.TimeSuite.time_fib", "time")
                .unwrap()
                .value,
            67200.0
        );
        assert!(!run.metric("bench_work.track_items", "track").unwrap().gated);
        assert_eq!(run.benchmarks.len(), 4);
    }
}
