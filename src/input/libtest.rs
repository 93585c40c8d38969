//! Rust libtest bench output (`cargo +nightly bench`) and criterion's `--output-format bencher`:
//! `test name ... bench:      1,234.56 ns/iter (+/- 78)`, optionally followed by `= 123 MB/s`.
//!
//! The number is libtest's median time per iteration (criterion's bencher output also prints a
//! median); `(+/- …)` is the spread, reported as `deviation`. Times are converted to nanoseconds.

use crate::error::ParseError;
use crate::input::{check_metric, lines, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for libtest / bencher-format text.
pub struct LibtestInput;

impl InputFormat for LibtestInput {
    fn id(&self) -> &'static str {
        "libtest"
    }

    fn tool(&self) -> &'static str {
        "cargo bench"
    }

    fn example(&self) -> &'static str {
        "cargo +nightly bench | tee bench.txt   # or: cargo bench -- --output-format bencher"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        lines(probe.head()).any(|l| bench_line(l).is_some())
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let mut run = Run::default();
        for (n, line) in (1..).zip(lines(probe.text()?)) {
            let Some(b) = bench_line(line) else {
                if line.contains(" ... bench:") {
                    // Looks like a result but is not one perfgate can read: said, never dropped silently.
                    eprintln!(
                        "perfgate: warning: {}: line {n} not read (no number and unit after `bench:`): {}",
                        probe.path().display(),
                        crate::escape::terminal(line.trim())
                    );
                }
                continue;
            };
            let per_iter = b.unit.strip_suffix("/iter");
            let (metric, unit, factor, direction) = match per_iter {
                // A unit of its own (`MS/s` from a custom bencher-format emitter): the metric is the unit,
                // its direction the unit's.
                None => (
                    b.unit.to_string(),
                    Unit::Other(b.unit.to_string()),
                    1.0,
                    units::direction_for(b.unit),
                ),
                Some(u) => match units::time_unit(u).and_then(|u| u.nanos()) {
                    Some(f) => (
                        "ns_per_iter".to_string(),
                        Unit::Nanoseconds,
                        f,
                        Direction::LowerIsBetter,
                    ),
                    None if u == "ps" => (
                        "ns_per_iter".to_string(),
                        Unit::Nanoseconds,
                        1e-3,
                        Direction::LowerIsBetter,
                    ),
                    None => (
                        format!("{u}_per_iter"),
                        Unit::Other(format!("{u}/iter")),
                        1.0,
                        Direction::LowerIsBetter,
                    ),
                },
            };
            let m = Metric::new(b.value * factor, unit.clone(), direction);
            check_metric(b.name, &metric, &m).map_err(|e| e.at_line(n))?;
            run.insert(b.name, &metric, m);
            if let Some(dev) = b.deviation {
                run.insert(
                    b.name,
                    "deviation",
                    Metric::new(dev * factor, unit, direction).informational(),
                );
            }
            if let Some((v, u)) = b.throughput {
                run.insert(
                    b.name,
                    u,
                    Metric::new(v, Unit::Other(u.to_string()), Direction::HigherIsBetter),
                );
            }
        }
        Ok(run)
    }
}

struct BenchLine<'a> {
    name: &'a str,
    value: f64,
    unit: &'a str,
    deviation: Option<f64>,
    throughput: Option<(f64, &'a str)>,
}

/// A number with optional thousands separators and decimals: `13,967,756.30`.
fn number(s: &str) -> Option<f64> {
    s.replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn bench_line(line: &str) -> Option<BenchLine<'_>> {
    let rest = line.trim_start().strip_prefix("test ")?;
    let (name, after) = rest.split_once(" ... bench:")?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let mut fields = after.split_whitespace();
    let value = number(fields.next()?)?;
    let unit = fields.next()?;
    if unit.starts_with('(') {
        return None;
    }
    // `(+/- 56)`, then optionally `= 123 MB/s`
    let rest = after.split_once(unit).map(|(_, r)| r.trim()).unwrap_or("");
    let deviation = rest
        .strip_prefix("(+/-")
        .and_then(|r| r.split_once(')'))
        .and_then(|(d, _)| number(d.trim()));
    let throughput = rest.split_once('=').and_then(|(_, t)| {
        let mut t = t.split_whitespace();
        Some((number(t.next()?)?, t.next()?))
    });
    Some(BenchLine {
        name,
        value,
        unit,
        deviation,
        throughput,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// Reads every `bench:` line of a file by hand and compares with the parsed run.
    fn check_file(path: &Path) {
        let text = std::fs::read_to_string(path).unwrap();
        let run = crate::input::read_file(path, None).unwrap();
        assert_eq!(run.sources[0].format, "libtest", "{}", path.display());
        let mut seen = 0;
        for line in text.lines() {
            let Some((head, tail)) = line.split_once(" ... bench:") else {
                continue;
            };
            seen += 1;
            let name = head.trim().strip_prefix("test ").unwrap().trim();
            let f: Vec<&str> = tail.split_whitespace().collect();
            let value: f64 = f[0].replace(',', "").parse().unwrap();
            let k = match f[1] {
                "ns/iter" => 1.0,
                "μs/iter" | "µs/iter" | "us/iter" => 1e3,
                "ms/iter" => 1e6,
                "s/iter" => 1e9,
                u => panic!("{u}"),
            };
            let dev: f64 = f[3].trim_end_matches(')').replace(',', "").parse().unwrap();
            let m = run.metric(name, "ns_per_iter").unwrap();
            assert_eq!(m.value, value * k, "{line}");
            assert_eq!(m.unit, Unit::Nanoseconds);
            let d = run.metric(name, "deviation").unwrap();
            assert_eq!(d.value, dev * k, "{line}");
            assert!(!d.gated);
        }
        assert!(seen > 0);
        assert_eq!(run.benchmarks.len(), seen, "{}", path.display());
    }

    #[test]
    fn every_shared_file_matches_its_own_text() {
        for f in crate::input::shared_formats::files("rust-libtest") {
            check_file(&f);
        }
        check_file(
            &crate::input::shared_formats::file(
                "criterion-text/benchmark-action_github-action-benchmark_criterion_bencher_output.txt",
            )
            .expect("in fixtures/corpus"),
        );
    }

    #[test]
    fn fractional_separators_throughput_and_other_units() {
        let text = "test a::b   ... bench:  13,967,756.30 ns/iter (+/- 266,769.64) = 12 MB/s\r\n\
                    test c ... bench: 12 cycles/iter (+/- 1)\n\
                    test d ... FAILED\n\
                    test e ... bench: x ns/iter (+/- 1)\n";
        let probe = Probe::from_text(Path::new("t.txt"), text);
        let run = LibtestInput.parse(&probe).unwrap();
        assert_eq!(
            run.metric("a::b", "ns_per_iter").unwrap().value,
            13967756.30
        );
        assert_eq!(run.metric("a::b", "deviation").unwrap().value, 266769.64);
        let mbs = run.metric("a::b", "MB/s").unwrap();
        assert_eq!(
            (mbs.value, mbs.direction),
            (12.0, Direction::HigherIsBetter)
        );
        assert_eq!(
            run.metric("c", "cycles_per_iter").unwrap().unit,
            Unit::Other("cycles/iter".into())
        );
        assert_eq!(run.benchmarks.len(), 2);
    }

    #[test]
    fn rates_are_read_with_their_unit_and_direction() {
        let text = "test upload ... bench:        1911 MS/s (+/- 420)\n";
        let run = LibtestInput
            .parse(&Probe::from_text(Path::new("t.txt"), text))
            .unwrap();
        let m = run.metric("upload", "MS/s").unwrap();
        assert_eq!((m.value, m.direction), (1911.0, Direction::HigherIsBetter));
        assert_eq!(run.metric("upload", "deviation").unwrap().value, 420.0);
    }
}
