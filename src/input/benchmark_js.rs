//! benchmark.js console lines, as its `cycle` handler prints `String(event.target)`:
//! `name x 1,234,567 ops/sec ±1.23% (90 runs sampled)`.
//!
//! `ops` (operations per second, the mean rate) is gated; `rme` (the relative margin of error, %) and
//! `runs_sampled` are reported. A name may itself contain ` x `: the last one before the rate splits.

use crate::error::ParseError;
use crate::input::{check_metric, lines, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for benchmark.js output.
pub struct BenchmarkJsInput;

struct Line<'a> {
    name: &'a str,
    ops: f64,
    rme: Option<f64>,
    runs: Option<f64>,
}

fn number(s: &str) -> Option<f64> {
    s.replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

fn result_line(line: &str) -> Option<Line<'_>> {
    let line = line.trim();
    let (before, after) = line.split_once(" ops/sec")?;
    let (name, rate) = before.rsplit_once(" x ")?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let ops = number(rate.trim())?;
    let after = after.trim();
    let rme = after
        .strip_prefix('±')
        .and_then(|r| r.split_once('%'))
        .and_then(|(p, _)| number(p.trim()));
    let runs = after
        .split_once('(')
        .and_then(|(_, r)| r.split_once(" runs sampled"))
        .and_then(|(n, _)| number(n.trim()));
    Some(Line {
        name,
        ops,
        rme,
        runs,
    })
}

impl InputFormat for BenchmarkJsInput {
    fn id(&self) -> &'static str {
        "benchmark-js"
    }

    fn tool(&self) -> &'static str {
        "benchmark.js"
    }

    fn example(&self) -> &'static str {
        "node bench.js | tee bench.txt   # suite.on('cycle', e => console.log(String(e.target)))"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        let head = probe.head();
        !head.trim_start().starts_with(['{', '['])
            && lines(head).any(|l| result_line(l).is_some_and(|r| r.runs.is_some()))
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let mut run = Run::default();
        let mut names = super::names::UniqueNames::default();
        for (n, line) in (1..).zip(lines(probe.text()?)) {
            let Some(r) = result_line(line) else {
                continue;
            };
            let name = names.unique(r.name);
            let ops = Metric::new(r.ops, Unit::PerSecond, Direction::HigherIsBetter);
            check_metric(&name, "ops", &ops).map_err(|e| e.at_line(n))?;
            run.insert(&name, "ops", ops);
            if let Some(rme) = r.rme {
                let m = Metric::new(rme, Unit::Other("%".into()), Direction::LowerIsBetter);
                run.insert(&name, "rme", m.informational());
            }
            if let Some(runs) = r.runs {
                let m = Metric::new(runs, Unit::Count, Direction::HigherIsBetter);
                run.insert(&name, "runs_sampled", m.informational());
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
    fn names_with_x_separators_and_partial_lines() {
        let text = "Running...\n\
                    fib(10) x 1,431,759 ops/sec ±0.74% (96 runs sampled)\r\n\
                    benchmark with x 2 many things x 50.00 ops/sec ±0.10% (5 runs sampled)\n\
                    plain x 12 ops/sec\n\
                    Fastest is fib(10)\n";
        let probe = Probe::from_text(Path::new("b.txt"), text);
        assert!(BenchmarkJsInput.sniff(&probe));
        let run = BenchmarkJsInput.parse(&probe).unwrap();
        assert_eq!(run.metric("fib(10)", "ops").unwrap().value, 1431759.0);
        assert_eq!(run.metric("fib(10)", "rme").unwrap().value, 0.74);
        assert_eq!(run.metric("fib(10)", "runs_sampled").unwrap().value, 96.0);
        assert_eq!(
            run.metric("benchmark with x 2 many things", "ops")
                .unwrap()
                .value,
            50.0
        );
        assert_eq!(run.metric("plain", "ops").unwrap().value, 12.0);
        assert_eq!(run.benchmarks.len(), 3);
    }
}
