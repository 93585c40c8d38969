//! `--merge-workers`: several result files of ONE distributed run (one per load generator) read as one run.
//!
//! Raw k6 NDJSON streams are merged exactly: every file is fed into one [`K6Aggregator`], so percentiles
//! come from the union of all samples (and stay exact, or within the sketch's error, whatever the
//! aggregator keeps). Summaries hold percentiles only, and percentiles do not combine: merging them is
//! refused unless `--approximate-merge` is given, which reports bounds (see [`merge_approximate`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, ParseError, Result};
use crate::input::k6_ndjson::{self, K6Aggregator, K6NdjsonInput};
use crate::input::{self, InputFormat, Probe};
pub use crate::model::Approximation;
use crate::model::{Direction, Metric, Run, Source, Unit};
use crate::stats::combine::{combine, Combined, Rule};

/// A merged run and the metrics in it that are approximate.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    pub run: Run,
    pub approximate: Vec<Approximation>,
}

/// Reads the per-worker files of one run as one run.
pub fn read_workers(
    paths: &[PathBuf],
    format: Option<&'static dyn InputFormat>,
    approximate: bool,
) -> Result<Merged> {
    input::refuse_repeated_files(paths)?;
    let ndjson: &'static dyn InputFormat = &K6NdjsonInput;
    let mut probes = Vec::with_capacity(paths.len());
    let mut summary = None;
    for path in paths {
        let probe = Probe::open(path)?;
        let f = match format {
            Some(f) => f,
            None => input::detect(&probe)?,
        };
        if f.id() != ndjson.id() && summary.is_none() {
            summary = Some((path.clone(), f.id()));
        }
        probes.push(probe);
    }
    if let Some((path, id)) = summary {
        if !approximate {
            return Err(Error::parse(
                &path,
                id,
                ParseError::new(format!(
                    "--merge-workers: this is a {id} file, which holds percentiles only, and percentiles of \
                     several workers cannot be combined exactly; give each worker's raw stream \
                     (k6 run --out json=worker-N.json) or add --approximate-merge for bounds (not gated)"
                )),
            ));
        }
        let runs = paths
            .iter()
            .map(|p| input::read_file(p, format))
            .collect::<Result<Vec<_>>>()?;
        return Ok(merge_approximate(runs));
    }
    let mut agg = K6Aggregator::new();
    for probe in &probes {
        // The same streaming reader as a single file (fast path, threads, gzip), into one aggregator.
        agg = k6_ndjson::feed_probe(agg, probe)
            .map_err(|e| input::parse_error(probe.path(), ndjson, e))?;
    }
    let mut run = agg.finish();
    if run.benchmarks.is_empty() {
        let all: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::parse(
            Path::new(&all.join(", ")),
            ndjson.id(),
            ParseError::empty("no k6 metrics in any of these worker files (--merge-workers)"),
        ));
    }
    run.sources = paths
        .iter()
        .map(|p| Source {
            path: p.display().to_string(),
            format: ndjson.id().to_string(),
            tool: ndjson.tool().to_string(),
        })
        .collect();
    Ok(Merged {
        run,
        approximate: Vec::new(),
    })
}

/// Combines per-worker summaries. Exact where the statistic allows it: `count` and counter rates add up
/// (workers run side by side over the same window), `min`/`max` take the extreme, `mean` is weighted by the
/// benchmark's `count`. Everything else (percentiles, error rates) is bounded by the workers' values: the
/// value is the worse bound, the metric is not gated, and grading ([`crate::compare::approximate`])
/// explains the row.
pub fn merge_approximate(runs: Vec<Run>) -> Merged {
    let mut values: BTreeMap<(String, String), Vec<Metric>> = BTreeMap::new();
    let mut merged = Run::default();
    for run in runs {
        for (bench, b) in run.benchmarks {
            for (name, m) in b.metrics {
                values.entry((bench.clone(), name)).or_default().push(m);
            }
        }
        merged.tool_checks.extend(run.tool_checks);
        merged.sources.extend(run.sources);
    }
    let counts: BTreeMap<String, Vec<f64>> = values
        .iter()
        .filter(|((_, m), _)| m == "count")
        .map(|((b, _), ms)| (b.clone(), ms.iter().map(|m| m.value).collect()))
        .collect();
    let mut approximate = Vec::new();
    for ((bench, name), ms) in values {
        let Some(first) = ms.first() else { continue };
        let unit = first.unit.clone();
        let direction = first.direction;
        let gated = first.gated;
        let vals: Vec<f64> = ms
            .iter()
            .filter_map(|m| m.converted_to(&unit))
            .map(|m| m.value)
            .collect();
        let rule = match name.as_str() {
            "count" => Rule::Sum,
            "min" => Rule::Min,
            "max" => Rule::Max,
            "mean" => Rule::Mean,
            _ if unit == Unit::PerSecond || unit == Unit::Other("B/s".into()) => Rule::Sum,
            _ => Rule::Bound,
        };
        let metric = match combine(rule, &vals, counts.get(&bench).map(Vec::as_slice)) {
            Combined::Exact(v) => {
                let mut m = Metric::new(v, unit, direction);
                m.gated = gated;
                m
            }
            Combined::Bounds { low, high } => {
                let worse = match direction {
                    Direction::LowerIsBetter => high,
                    Direction::HigherIsBetter => low,
                };
                approximate.push(Approximation {
                    benchmark: bench.clone(),
                    metric: name.clone(),
                    low,
                    high,
                    workers: vals.len(),
                });
                Metric::new(worse, unit, direction)
                    .informational()
                    .with_ci(Some(low), Some(high))
            }
        };
        merged.insert(&bench, &name, metric);
    }
    Merged {
        run: merged,
        approximate,
    }
}
