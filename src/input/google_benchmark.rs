//! Google Benchmark `--benchmark_format=json` / `--benchmark_out=FILE`:
//! `{"context": {…}, "benchmarks": [{"name", "run_name", "run_type", "real_time", "cpu_time", "time_unit", …}]}`.
//!
//! One benchmark per `run_name`. Its repetitions (`run_type: iteration`) are the samples, and its
//! aggregate rows (`_mean`, `_median`, `_stddev`, `_cv`) are statistics of it, never benchmarks of
//! their own. Times are converted from each row's `time_unit` to nanoseconds. Google Benchmark writes
//! bare `NaN`/`Infinity` tokens, which are read as missing.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::ParseError;
use crate::input::{json, lenient_json, sniff_benchmarks, units, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for Google Benchmark JSON.
pub struct GoogleBenchmarkInput;

/// Row fields that are not counters.
const KNOWN: &[&str] = &[
    "name",
    "family_index",
    "per_family_instance_index",
    "run_name",
    "run_type",
    "repetitions",
    "repetition_index",
    "threads",
    "iterations",
    "real_time",
    "cpu_time",
    "time_unit",
    "aggregate_name",
    "aggregate_unit",
    "error_occurred",
    "error_message",
    "skipped",
    "skip_message",
    "label",
    "big_o",
    "cpu_coefficient",
    "real_coefficient",
    "rms",
];

/// Memory-manager fields: lower is better and meaningful enough to gate.
const MEMORY: &[&str] = &[
    "allocs_per_iter",
    "max_bytes_used",
    "total_allocated_bytes",
    "net_heap_growth",
];

impl InputFormat for GoogleBenchmarkInput {
    fn id(&self) -> &'static str {
        "google-benchmark"
    }

    fn tool(&self) -> &'static str {
        "Google Benchmark"
    }

    fn example(&self) -> &'static str {
        "./my_benchmark --benchmark_out=results.json --benchmark_out_format=json --benchmark_repetitions=10"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        sniff_benchmarks(probe, "\"context\"", |b| {
            b.iter().any(|r| r.get("time_unit").is_some())
        })
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let doc = lenient_json(probe)?;
        let rows = doc
            .get("benchmarks")
            .and_then(Value::as_array)
            .ok_or_else(|| ParseError::new("no `benchmarks` array"))?;
        let mut groups: BTreeMap<String, Group> = BTreeMap::new();
        for (i, row) in rows.iter().enumerate() {
            let row = json::object(row, &format!("benchmarks[{i}]"))?;
            let name = row
                .get("run_name")
                .or_else(|| row.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| ParseError::new(format!("benchmarks[{i}] has no `name`")))?;
            let g = groups.entry(name.to_string()).or_default();
            if row.get("skipped").and_then(Value::as_bool) == Some(true) {
                continue; // SkipWithMessage: deliberately not run
            }
            if row.get("error_occurred").and_then(Value::as_bool) == Some(true) {
                g.errors += 1;
                continue;
            }
            match row.get("run_type").and_then(Value::as_str) {
                Some("aggregate") => {
                    let agg = row
                        .get("aggregate_name")
                        .and_then(Value::as_str)
                        .unwrap_or("aggregate");
                    g.aggregates.push((agg.to_string(), row));
                }
                _ => g.iterations.push(row),
            }
        }
        let mut run = Run::default();
        for (name, g) in &groups {
            g.emit(&mut run, name)?;
        }
        // A benchmark whose only rows were skipped has nothing to compare.
        run.benchmarks.retain(|_, b| !b.metrics.is_empty());
        Ok(run)
    }
}

#[derive(Default)]
struct Group<'a> {
    iterations: Vec<&'a Map<String, Value>>,
    aggregates: Vec<(String, &'a Map<String, Value>)>,
    errors: usize,
}

/// A time field of a row in nanoseconds, from the row's own `time_unit` (ns when absent).
fn time_ns(row: &Map<String, Value>, key: &str) -> Result<Option<f64>, ParseError> {
    let Some(v) = json::number(row.get(key)) else {
        return Ok(None);
    };
    let unit = row.get("time_unit").and_then(Value::as_str).unwrap_or("ns");
    let factor = units::time_unit(unit)
        .and_then(|u| u.nanos())
        .ok_or_else(|| ParseError::unit(format!("unknown `time_unit` \"{unit}\"")))?;
    Ok(Some(v * factor))
}

fn ns(v: f64) -> Metric {
    Metric::new(v, Unit::Nanoseconds, Direction::LowerIsBetter)
}

fn counter_metric(key: &str, v: f64) -> Metric {
    if units::is_throughput(key) {
        Metric::new(v, Unit::PerSecond, Direction::HigherIsBetter)
    } else if MEMORY.contains(&key) {
        let unit = if key.contains("bytes") || key.contains("heap") {
            Unit::Bytes
        } else {
            Unit::Count
        };
        Metric::new(v, unit, Direction::LowerIsBetter)
    } else {
        // User counters carry no unit or direction in the file: report them, never gate.
        Metric::new(v, Unit::Other(String::new()), units::direction_for(key)).informational()
    }
}

impl Group<'_> {
    fn aggregate(&self, name: &str) -> Option<&Map<String, Value>> {
        self.aggregates
            .iter()
            .find(|(a, _)| a == name)
            .map(|(_, r)| *r)
    }

    fn emit(&self, run: &mut Run, name: &str) -> Result<(), ParseError> {
        let err = |e: ParseError| e.context(format_args!("benchmark `{name}`"));
        for key in ["real_time", "cpu_time"] {
            let mut values = Vec::new();
            for row in &self.iterations {
                if let Some(v) = time_ns(row, key).map_err(err)? {
                    values.push(v);
                }
            }
            let agg = |a: &str| -> Result<Option<f64>, ParseError> {
                match self.aggregate(a) {
                    Some(row) => time_ns(row, key).map_err(err),
                    None => Ok(None),
                }
            };
            let samples = if values.len() > 1 {
                values.clone()
            } else {
                Vec::new()
            };
            // The compared value: the one measurement, else the median of the repetitions.
            let central = match crate::stats::median(&values) {
                Some(m) => Some(m),
                None => agg("median")?.or(agg("mean")?),
            };
            if let Some(v) = central {
                run.insert(name, key, ns(v).with_samples(samples.clone()));
            }
            let repeated = values.len() > 1 || !self.aggregates.is_empty();
            let mean_value = agg("mean")?.or(if values.len() > 1 {
                Some(crate::stats::moments::mean(&values))
            } else {
                None
            });
            if let (true, Some(v)) = (repeated, mean_value) {
                run.insert(name, &format!("{key}_mean"), ns(v).with_samples(samples));
            }
            for (agg_name, row) in &self.aggregates {
                if agg_name == "mean" || agg_name == "median" {
                    continue;
                }
                // `cv` and user statistics with aggregate_unit "percentage" are fractions, not times.
                let is_ratio =
                    row.get("aggregate_unit").and_then(Value::as_str) == Some("percentage");
                let m = if is_ratio {
                    json::number(row.get(key))
                        .map(|v| Metric::new(v, Unit::Ratio, Direction::LowerIsBetter))
                } else {
                    time_ns(row, key).map_err(err)?.map(ns)
                };
                if let Some(m) = m {
                    run.insert(name, &format!("{key}_{agg_name}"), m.informational());
                }
            }
        }
        // Complexity rows (`->Complexity()`): fitted coefficients and the fit's RMS, reported only.
        for (_, row) in &self.aggregates {
            for (key, metric) in [
                ("real_coefficient", "big_o_real_coefficient"),
                ("cpu_coefficient", "big_o_cpu_coefficient"),
            ] {
                if let Some(v) = time_ns(row, key).map_err(err)? {
                    run.insert(name, metric, ns(v).informational());
                }
            }
            if let Some(v) = json::number(row.get("rms")) {
                run.insert(
                    name,
                    "rms",
                    Metric::new(v, Unit::Ratio, Direction::LowerIsBetter).informational(),
                );
            }
        }
        // Counters come from the repetitions; with aggregates only, from the median (or mean) row.
        let counter_rows: Vec<&Map<String, Value>> = if self.iterations.is_empty() {
            self.aggregate("median")
                .or(self.aggregate("mean"))
                .into_iter()
                .collect()
        } else {
            self.iterations.clone()
        };
        let mut counters: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        for row in &counter_rows {
            for (k, v) in row.iter() {
                if KNOWN.contains(&k.as_str()) {
                    continue;
                }
                if let Some(x) = json::number(Some(v)) {
                    counters.entry(k).or_default().push(x);
                }
            }
        }
        for (k, values) in counters {
            if let Some(v) = crate::stats::median(&values) {
                let samples = if values.len() > 1 { values } else { Vec::new() };
                run.insert(name, k, counter_metric(k, v).with_samples(samples));
            }
        }
        // A repetition that failed (SkipWithError) has no time; a rise from 0 fails the gate.
        let attempts = self.iterations.len() + self.errors;
        if attempts > 0 {
            run.insert(
                name,
                "error_rate",
                Metric::new(
                    self.errors as f64 / attempts as f64,
                    Unit::Ratio,
                    Direction::LowerIsBetter,
                ),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::shared_formats;

    fn factor(unit: &str) -> f64 {
        match unit {
            "ns" => 1.0,
            "us" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            u => panic!("{u}"),
        }
    }

    #[test]
    fn every_shared_file_matches_its_own_numbers() {
        for (_, doc, run) in shared_formats::read_json("google-benchmark", "google-benchmark") {
            for row in doc["benchmarks"].as_array().unwrap() {
                let bench = row
                    .get("run_name")
                    .unwrap_or(&row["name"])
                    .as_str()
                    .unwrap();
                let m = &run.benchmarks[bench].metrics;
                let Some(real) = row.get("real_time").and_then(Value::as_f64) else {
                    if let Some(c) = row.get("real_coefficient") {
                        assert_eq!(m["big_o_real_coefficient"].value, c.as_f64().unwrap());
                    }
                    if let Some(rms) = row.get("rms") {
                        assert_eq!(m["rms"].value, rms.as_f64().unwrap());
                    }
                    continue;
                };
                let k = factor(row["time_unit"].as_str().unwrap());
                let cpu = row["cpu_time"].as_f64().unwrap();
                match row.get("aggregate_name").and_then(Value::as_str) {
                    None => {
                        assert_eq!(m["real_time"].value, real * k, "{bench}");
                        assert_eq!(m["cpu_time"].value, cpu * k, "{bench}");
                        assert_eq!(m["real_time"].unit, Unit::Nanoseconds);
                        assert_eq!(m["error_rate"].value, 0.0);
                    }
                    Some(agg) => {
                        // aggregate-only file: a user statistic with aggregate_unit "percentage"
                        assert_eq!(m[&format!("real_time_{agg}")].value, real);
                        assert_eq!(m[&format!("real_time_{agg}")].unit, Unit::Ratio);
                    }
                }
            }
        }
    }

    fn fixture_rows(rel: &str) -> (Run, Vec<Value>) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel);
        let doc = shared_formats::json(&path);
        let run = crate::input::read_file(&path, None).unwrap();
        (run, doc["benchmarks"].as_array().unwrap().clone())
    }

    #[test]
    fn repetitions_are_samples_and_aggregates_are_statistics() {
        let (run, rows) = fixture_rows("google-benchmark/baseline.json");
        let sort = &run.benchmarks["BM_VectorSort"].metrics;
        let reps: Vec<f64> = rows
            .iter()
            .filter(|r| r["run_name"] == "BM_VectorSort" && r["run_type"] == "iteration")
            .map(|r| r["real_time"].as_f64().unwrap())
            .collect();
        assert_eq!(reps.len(), 10);
        assert_eq!(sort["real_time"].samples, reps);
        let agg = |a: &str| {
            rows.iter()
                .find(|r| r["name"] == format!("BM_VectorSort_{a}"))
                .unwrap()["real_time"]
                .as_f64()
                .unwrap()
        };
        assert!((sort["real_time"].value - agg("median")).abs() < 1e-6 * agg("median"));
        assert_eq!(sort["real_time_mean"].value, agg("mean"));
        assert_eq!(sort["real_time_stddev"].value, agg("stddev"));
        assert_eq!(sort["real_time_cv"].value, agg("cv"));
        assert_eq!(sort["real_time_cv"].unit, Unit::Ratio);
        assert!(!sort["real_time_stddev"].gated);
        assert!(sort["real_time_stddev"].samples.is_empty());
        assert!(!run.benchmarks.keys().any(|k| k.ends_with("_mean")));
        let items = run.metric("BM_Checksum/4096", "items_per_second").unwrap();
        assert_eq!(items.direction, Direction::HigherIsBetter);
        assert_eq!(items.unit, Unit::PerSecond);
    }

    #[test]
    fn nan_tokens_errors_and_units() {
        let text = r#"{"context": {"date": "x"}, "benchmarks": [
          {"name": "BM_A", "run_name": "BM_A", "run_type": "iteration", "repetitions": 2, "iterations": 5,
           "real_time": 2.0, "cpu_time": 1.5, "time_unit": "us", "items_per_second": Infinity, "foo": NaN},
          {"name": "BM_A", "run_name": "BM_A", "run_type": "iteration", "repetitions": 2,
           "error_occurred": true, "error_message": "boom", "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns"},
          {"name": "BM_B", "label": "NaN Infinity", "iterations": 1, "real_time": 1, "cpu_time": 1, "time_unit": "ms"}
        ]}"#;
        let probe = Probe::from_text(Path::new("g.json"), text);
        assert!(probe.json().is_none(), "strict JSON rejects NaN");
        assert!(GoogleBenchmarkInput.sniff(&probe));
        let run = GoogleBenchmarkInput.parse(&probe).unwrap();
        let a = &run.benchmarks["BM_A"].metrics;
        assert_eq!(a["real_time"].value, 2000.0);
        assert_eq!(a["error_rate"].value, 0.5);
        assert!(!a.contains_key("items_per_second") && !a.contains_key("foo"));
        assert_eq!(run.metric("BM_B", "cpu_time").unwrap().value, 1e6);
        let bad = text.replace("\"us\"", "\"fortnights\"");
        let err = GoogleBenchmarkInput
            .parse(&Probe::from_text(Path::new("g.json"), &bad))
            .unwrap_err();
        assert!(
            err.message.contains("BM_A") && err.message.contains("time_unit"),
            "{err}"
        );
    }
}
