//! `go test -bench` output (the Go benchmark data format that benchstat reads):
//! `BenchmarkName-8   1000000   123 ns/op   45 B/op   2 allocs/op   12.3 MB/s`.
//!
//! One metric per unit, named by the unit string. A name repeated with `-count N` is N runs of one
//! benchmark: the compared value is their median and the runs are the samples. The `-N` GOMAXPROCS
//! suffix stays in the name. With several `pkg:` blocks, names are prefixed `pkg.`.

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::input::{check_metric, lines, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for `go test -bench` text.
pub struct GoBenchInput;

impl InputFormat for GoBenchInput {
    fn id(&self) -> &'static str {
        "go-bench"
    }

    fn tool(&self) -> &'static str {
        "go test"
    }

    fn example(&self) -> &'static str {
        "go test -run '^$' -bench . -benchmem -count 6 ./... | tee bench.txt"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        lines(probe.head()).any(|l| result_line(l).is_some())
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let text = probe.text()?;
        let mut pkg: Option<String> = None;
        let mut better: BTreeMap<String, Direction> = BTreeMap::new();
        let mut results = Vec::new();
        for (n, line) in (1..).zip(lines(text)) {
            if let Some(value) = line.strip_prefix("pkg:") {
                let value = value.trim();
                pkg = (!value.is_empty()).then(|| value.to_string());
            } else if let Some(rest) = line.strip_prefix("Unit ") {
                // benchfmt metadata: `Unit <unit> better=higher|lower assume=…`
                let mut parts = rest.split_whitespace();
                if let Some(unit) = parts.next() {
                    for kv in parts {
                        match kv {
                            "better=higher" => {
                                better.insert(unit.to_string(), Direction::HigherIsBetter)
                            }
                            "better=lower" => {
                                better.insert(unit.to_string(), Direction::LowerIsBetter)
                            }
                            _ => None,
                        };
                    }
                }
            } else if let Some((name, values)) = result_line(line) {
                for (value, unit) in &values {
                    let m = metric_for(unit, *value, better.get(*unit).copied());
                    check_metric(name, unit, &m).map_err(|e| e.at_line(n))?;
                }
                results.push((pkg.clone(), name, values));
            }
        }
        let packages: std::collections::BTreeSet<_> = results.iter().map(|r| &r.0).collect();
        let prefix = packages.len() > 1;
        // (benchmark, unit) -> one value per run, in file order
        let mut runs: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
        for (pkg, name, values) in &results {
            let name = match (prefix, pkg) {
                (true, Some(p)) => format!("{p}.{name}"),
                _ => name.to_string(),
            };
            for (value, unit) in values {
                runs.entry((name.clone(), unit.to_string()))
                    .or_default()
                    .push(*value);
            }
        }
        let mut run = Run::default();
        for ((name, unit), values) in runs {
            let Some(value) = crate::stats::median(&values) else {
                continue;
            };
            let samples = if values.len() > 1 { values } else { Vec::new() };
            run.insert(
                &name,
                &unit,
                metric_for(&unit, value, better.get(&unit).copied()).with_samples(samples),
            );
        }
        Ok(run)
    }
}

/// `Benchmark<Name> <iterations> (<value> <unit>)+`; `None` for anything else.
fn result_line(line: &str) -> Option<(&str, Vec<(f64, &str)>)> {
    let mut fields = line.split_whitespace();
    let name = fields.next()?;
    if !name.starts_with("Benchmark") {
        return None;
    }
    fields.next()?.parse::<u64>().ok()?;
    let rest: Vec<&str> = fields.collect();
    if rest.is_empty() || rest.len() % 2 != 0 {
        return None;
    }
    let mut values = Vec::new();
    for pair in rest.chunks(2) {
        let [value, unit] = pair else {
            return None;
        };
        let value = value.parse::<f64>().ok().filter(|v| v.is_finite())?;
        values.push((value, *unit));
    }
    Some((name, values))
}

/// Known Go units are gated; custom `b.ReportMetric` units have no known direction unless a
/// `Unit … better=` line says so, so they are only reported.
fn metric_for(unit: &str, value: f64, better: Option<Direction>) -> Metric {
    let (u, known) = match unit {
        "ns/op" => (Unit::Nanoseconds, true),
        "sec/op" => (Unit::Seconds, true),
        "B/op" => (Unit::Bytes, true),
        "allocs/op" | "MB/s" | "B/s" => (Unit::Other(unit.to_string()), true),
        _ => (Unit::Other(unit.to_string()), false),
    };
    let m = Metric::new(
        value,
        u,
        better.unwrap_or_else(|| units::direction_for(unit)),
    );
    if known || better.is_some() {
        m
    } else {
        m.informational()
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;

    fn shared(name: &str) -> PathBuf {
        crate::input::shared_formats::file(&format!("go-bench/{name}")).expect("in fixtures/corpus")
    }

    #[test]
    fn every_shared_file_is_detected_and_every_result_line_is_read() {
        for path in crate::input::shared_formats::files("go-bench") {
            let text = std::fs::read_to_string(&path).unwrap();
            let run = crate::input::read_file(&path, None).unwrap();
            assert_eq!(run.sources[0].format, "go-bench", "{}", path.display());
            let multi_pkg = text.matches("\npkg:").count() > 1;
            for line in text.lines() {
                let f: Vec<&str> = line.split_whitespace().collect();
                if f.len() < 4 || !f[0].starts_with("Benchmark") {
                    continue;
                }
                let name = if multi_pkg { None } else { Some(f[0]) };
                let Some(name) = name else { continue };
                let b = &run.benchmarks[name].metrics;
                for pair in f[2..].chunks(2) {
                    let m = &b[pair[1]];
                    let v: f64 = pair[0].parse().unwrap();
                    assert!(m.samples.is_empty() || m.samples.contains(&v), "{line}");
                    if m.samples.is_empty() {
                        assert_eq!(m.value, v, "{line}");
                    }
                }
            }
        }
    }

    #[test]
    fn repeated_runs_become_samples_with_the_median_compared() {
        let run =
            crate::input::read_file(&shared("golang_perf_benchstat_testdata_crc-old.txt"), None)
                .unwrap();
        let m = run
            .metric("BenchmarkCRC32/poly=IEEE/size=15/align=0-8", "ns/op")
            .unwrap();
        // The file's first ten lines for this name.
        assert_eq!(
            m.samples,
            vec![44.6, 47.3, 44.6, 46.3, 50.7, 45.8, 46.8, 44.3, 47.7, 50.6]
        );
        assert_eq!(m.value, (46.3 + 46.8) / 2.0);
        assert_eq!(m.unit, Unit::Nanoseconds);
        let mbs = run
            .metric("BenchmarkCRC32/poly=IEEE/size=15/align=0-8", "MB/s")
            .unwrap();
        assert_eq!(mbs.direction, Direction::HigherIsBetter);
    }

    #[test]
    fn packages_custom_units_and_odd_whitespace() {
        let run = crate::input::read_file(
            &shared("benchmark-action_github-action-benchmark_go_fiber_duplicate_names_output.txt"),
            None,
        )
        .unwrap();
        let cache = "github.com/gofiber/fiber/v3/middleware/cache.BenchmarkAppendMsgitem-4";
        let csrf = "github.com/gofiber/fiber/v3/middleware/csrf.BenchmarkAppendMsgitem-4";
        assert_eq!(run.metric(cache, "ns/op").unwrap().value, 55.76);
        assert_eq!(run.metric(csrf, "ns/op").unwrap().value, 0.3733);
        assert_eq!(run.metric(csrf, "B/op").unwrap().unit, Unit::Bytes);
        assert_eq!(run.benchmarks.len(), 4);

        let run = crate::input::read_file(
            &shared("benchmark-action_github-action-benchmark_go_output.txt"),
            None,
        )
        .unwrap();
        assert_eq!(
            run.metric("BenchmarkFib20", "ns/op").unwrap().value,
            40537.123
        );
        let aux = run.metric("BenchmarkFib11-16", "auxMetricUnits").unwrap();
        assert_eq!(aux.value, 3.0);
        assert!(!aux.gated, "custom units have no known direction");
        assert!(run
            .benchmarks
            .contains_key("BenchmarkFib/my/tabled/benchmark_-_20,var1=13,var2=14"));
    }

    #[test]
    fn crlf_unit_lines_and_noise() {
        let text = "goos: linux\r\nUnit score better=higher\r\nBenchmarkX-2\r\nBenchmarkX-2 \t 10\t 5 ns/op\t 7 score\r\n--- FAIL: BenchmarkY\r\nFAIL\r\nBenchmarkBad 10 x ns/op\r\nok  \tpkg\t1.0s\r\n";
        let probe = Probe::from_text(Path::new("b.txt"), text);
        assert!(GoBenchInput.sniff(&probe));
        let run = GoBenchInput.parse(&probe).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        let score = run.metric("BenchmarkX-2", "score").unwrap();
        assert_eq!(score.direction, Direction::HigherIsBetter);
        assert!(score.gated);
        assert!(!GoBenchInput.sniff(&Probe::from_text(
            Path::new("x"),
            "Benchmarks are fun 10 times\n"
        )));
    }
}
