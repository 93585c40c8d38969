//! Criterion.rs result files: `target/criterion/<bench dir>/{new,base,<named>}/{estimates,sample,benchmark}.json`.
//!
//! Accepts the whole `target/criterion` tree, any subtree, one benchmark's directory, or a single
//! `estimates.json`. Times are nanoseconds per iteration. Both the current snake_case keys and the
//! PascalCase keys and bare-tuple `sample.json` of criterion ≤ 0.3.2 are read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{ParseError, ParseKind};
use crate::input::{json, InputFormat, Probe};
use crate::model::{Direction, Metric, Run, Unit};

/// Reader for Criterion.rs result directories.
pub struct CriterionInput;

/// How deep the detection walk looks (`target/criterion/group/function/value/new/estimates.json`).
const SNIFF_DEPTH: usize = 7;
/// How many directory entries the detection walk visits at most.
const SNIFF_ENTRIES: usize = 5_000;
/// How deep parsing walks.
const PARSE_DEPTH: usize = 16;

impl InputFormat for CriterionInput {
    fn id(&self) -> &'static str {
        "criterion"
    }

    fn tool(&self) -> &'static str {
        "criterion"
    }

    fn example(&self) -> &'static str {
        "cargo bench   # then pass target/criterion (or one benchmark's directory)"
    }

    fn sniff(&self, probe: &Probe) -> bool {
        if probe.is_dir() {
            return walkdir::WalkDir::new(probe.path())
                .max_depth(SNIFF_DEPTH)
                .into_iter()
                .take(SNIFF_ENTRIES)
                .filter_map(|e| e.ok())
                .any(|e| is_estimates_file(e.path()));
        }
        probe.json().is_some_and(looks_like_estimates)
    }

    fn parse(&self, probe: &Probe) -> Result<Run, ParseError> {
        let mut run = Run::default();
        if !probe.is_dir() {
            let est = probe.json_result()?;
            if !looks_like_estimates(est) {
                return Err(ParseError::new(
                    "not a criterion estimates.json (no `mean`/`std_dev` estimates)",
                ));
            }
            let dir = probe.path().parent().unwrap_or(Path::new("."));
            // `<bench dir>/new/estimates.json` is named after its bench dir, a renamed copy after itself.
            let named_estimates = probe
                .path()
                .file_name()
                .is_some_and(|n| n == "estimates.json");
            let fallback = if named_estimates {
                dir.parent().and_then(|p| p.file_name())
            } else {
                probe.path().file_stem()
            }
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "benchmark".to_string());
            add_benchmark(&mut run, dir, est, &fallback)?;
            return Ok(run);
        }
        let root = probe.path();
        // bench dir -> measurement dirs (`new`, `base`, named baselines) holding an estimates.json
        let mut found: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
        for entry in walkdir::WalkDir::new(root).max_depth(PARSE_DEPTH) {
            let entry = entry.map_err(|e| {
                ParseError::of(
                    ParseKind::Unreadable,
                    format!("cannot walk the directory: {e}"),
                )
            })?;
            if !is_estimates_file(entry.path()) {
                continue;
            }
            let Some(dir) = entry.path().parent() else {
                continue;
            };
            let bench_dir = dir.parent().unwrap_or(root).to_path_buf();
            found.entry(bench_dir).or_default().push(dir.to_path_buf());
        }
        if found.is_empty() {
            return Err(ParseError::empty(
                "no criterion `<benchmark>/new/estimates.json` under this directory",
            ));
        }
        for (bench_dir, dirs) in found {
            let dir = pick_measurement(&dirs);
            let est_path = dir.join("estimates.json");
            let est = read_json(&est_path)?;
            let fallback = bench_dir
                .strip_prefix(root)
                .ok()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(&bench_dir)
                .to_string_lossy()
                .replace('\\', "/");
            add_benchmark(&mut run, &dir, &est, &fallback).map_err(|e| {
                // Errors about sample.json already name it.
                if e.message.starts_with(&*dir.to_string_lossy()) {
                    e
                } else {
                    e.inside(&est_path)
                }
            })?;
        }
        Ok(run)
    }
}

/// An `estimates.json` of a measurement (not of `change/`, whose values are relative changes).
fn is_estimates_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "estimates.json")
        && path
            .parent()
            .and_then(|d| d.file_name())
            .is_some_and(|d| d != "change" && d != "report")
}

/// `new/` (this run) first, then `base/`; a named baseline only when there is nothing else, the newest.
fn pick_measurement(dirs: &[PathBuf]) -> PathBuf {
    for wanted in ["new", "base"] {
        if let Some(d) = dirs
            .iter()
            .find(|d| d.file_name().is_some_and(|n| n == wanted))
        {
            return d.clone();
        }
    }
    let mtime = |d: &PathBuf| {
        std::fs::metadata(d.join("estimates.json"))
            .and_then(|m| m.modified())
            .ok()
    };
    dirs.iter()
        .max_by_key(|d| (mtime(d), std::cmp::Reverse((*d).clone())))
        .cloned()
        .unwrap_or_default()
}

fn read_json(path: &Path) -> Result<Value, ParseError> {
    // Bounded and regular files only: a FIFO named estimates.json or a sample.json linked to
    // /dev/zero is refused, not waited on or read forever.
    let text = crate::bounded_read::read_to_string(path, crate::bounded_read::CRITERION_FILE)
        .map_err(|e| ParseError::from_read(&e).inside(path))?;
    serde_json::from_str(&text).map_err(|e| ParseError::from(e).inside(path))
}

/// An estimate under its current or pre-0.3.3 key.
fn estimate<'a>(est: &'a Value, key: &str, old_key: &str) -> Option<&'a Value> {
    est.get(key)
        .or_else(|| est.get(old_key))
        .filter(|v| v.is_object())
}

fn looks_like_estimates(v: &Value) -> bool {
    let has =
        |k: &str, old: &str| estimate(v, k, old).is_some_and(|e| e.get("point_estimate").is_some());
    has("mean", "Mean") && has("std_dev", "StdDev")
}

/// Per-iteration times from `sample.json`: `{iters, times}` (≥ 0.3.3) or `[[iters], [times]]`.
fn per_iteration_samples(sample: &Value) -> Vec<f64> {
    let (iters, times) = match sample {
        Value::Array(a) => (a.first(), a.get(1)),
        _ => (sample.get("iters"), sample.get("times")),
    };
    let iters = json::numbers(iters);
    let times = json::numbers(times);
    iters
        .iter()
        .zip(&times)
        .filter(|(n, _)| **n > 0.0)
        .map(|(n, t)| t / n)
        .filter(|x| x.is_finite())
        .collect()
}

fn add_benchmark(run: &mut Run, dir: &Path, est: &Value, fallback: &str) -> Result<(), ParseError> {
    // The directory name is truncated and made file-safe; benchmark.json has the real id.
    let name = read_json(&dir.join("benchmark.json"))
        .ok()
        .and_then(|b| {
            b.get("full_id")
                .or_else(|| b.get("title"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| fallback.to_string());
    // Missing is fine (older Criterion, copied estimates); present but unreadable is an error, not n = 1.
    let sample_path = dir.join("sample.json");
    let samples = if std::fs::symlink_metadata(&sample_path).is_ok() {
        let s = per_iteration_samples(&read_json(&sample_path)?);
        if s.is_empty() {
            return Err(ParseError::new(format!(
                "{}: no per-iteration samples (`iters`/`times`)",
                sample_path.display()
            )));
        }
        s
    } else {
        Vec::new()
    };
    let stats = [
        ("mean", "Mean", true),
        ("median", "Median", true),
        // The slope estimates the same per-iteration time, so the same samples test it.
        ("slope", "Slope", true),
        ("std_dev", "StdDev", false),
    ];
    for (key, old_key, central) in stats {
        let Some(e) = estimate(est, key, old_key) else {
            if key == "mean" {
                return Err(ParseError::new("estimates.json has no `mean` estimate"));
            }
            continue; // slope is null under flat sampling
        };
        let Some(point) = json::number(e.get("point_estimate")) else {
            continue;
        };
        let ci = e.get("confidence_interval");
        let mut m = Metric::new(point, Unit::Nanoseconds, Direction::LowerIsBetter).with_ci(
            json::number(ci.and_then(|c| c.get("lower_bound"))),
            json::number(ci.and_then(|c| c.get("upper_bound"))),
        );
        if central {
            m = m.with_samples(samples.clone());
        }
        run.insert(&name, key, m);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::input::shared_formats;

    fn shared(rel: &str) -> PathBuf {
        crate::input::shared_formats::file(rel).expect("in fixtures/corpus")
    }

    /// Rebuilds `<bench dir>/{new,change}/` from the flat shared copies (`<prefix>_new_estimates.json` …).
    fn tree(dir: &str, prefix: &str, into: &Path, bench_dir: &str) -> PathBuf {
        let bench = into.join(bench_dir);
        for f in crate::input::shared_formats::files(dir) {
            let file = f.file_name().unwrap().to_string_lossy().to_string();
            let Some(rest) = file.strip_prefix(prefix) else {
                continue;
            };
            let (sub, name) = rest.split_once('_').unwrap();
            std::fs::create_dir_all(bench.join(sub)).unwrap();
            std::fs::copy(&f, bench.join(sub).join(name)).unwrap();
        }
        bench
    }

    fn check_against_files(run: &Run, est: &Value, sample: &Value, id: &str, old: bool) {
        let k = |new: &'static str, o: &'static str| if old { o } else { new };
        let b = &run.benchmarks[id].metrics;
        let mean = &b["mean"];
        assert_eq!(mean.value, est[k("mean", "Mean")]["point_estimate"]);
        assert_eq!(
            mean.ci_low.unwrap(),
            est[k("mean", "Mean")]["confidence_interval"]["lower_bound"]
        );
        assert_eq!(
            mean.ci_high.unwrap(),
            est[k("mean", "Mean")]["confidence_interval"]["upper_bound"]
        );
        assert_eq!(
            b["median"].value,
            est[k("median", "Median")]["point_estimate"]
        );
        assert_eq!(
            b["std_dev"].value,
            est[k("std_dev", "StdDev")]["point_estimate"]
        );
        assert!(b["std_dev"].samples.is_empty());
        match est[k("slope", "Slope")].get("point_estimate") {
            Some(s) => assert_eq!(b["slope"].value, *s),
            None => assert!(!b.contains_key("slope"), "null slope is not a metric"),
        }
        let (iters, times) = if old {
            (&sample[0], &sample[1])
        } else {
            (&sample["iters"], &sample["times"])
        };
        let n = iters.as_array().unwrap().len();
        assert_eq!(mean.samples.len(), n);
        assert_eq!(
            mean.samples[n - 1],
            times[n - 1].as_f64().unwrap() / iters[n - 1].as_f64().unwrap()
        );
        assert_eq!(mean.unit, Unit::Nanoseconds);
        assert_eq!(mean.direction, Direction::LowerIsBetter);
    }

    #[test]
    fn reads_current_files_with_linear_and_flat_sampling() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("criterion");
        let a = tree(
            "criterion-files",
            "dougch_criterion_gettingstarted_fib-20-slow_",
            &root,
            "fib 20 - slow",
        );
        let b = tree(
            "criterion-files",
            "garypen_deduplicate_get_dedup-get_1024_flat_",
            &root,
            "get/deduplicate get/1024",
        );
        let run = crate::input::read_file(&root, None).unwrap();
        assert_eq!(run.sources[0].format, "criterion");
        assert_eq!(run.benchmarks.len(), 2, "change/ is not a benchmark");
        for (dir, id) in [(a, "fib 20 - slow"), (b, "get/deduplicate get/1024")] {
            let est = shared_formats::json(&dir.join("new/estimates.json"));
            let sample = shared_formats::json(&dir.join("new/sample.json"));
            check_against_files(&run, &est, &sample, id, false);
        }
    }

    #[test]
    fn reads_pre_0_3_3_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tree(
            "criterion-0.2-files",
            "criterion.rs_book_Fibonacci_Iterative_",
            tmp.path(),
            "Fibonacci/Iterative",
        );
        // A single benchmark's directory is accepted too.
        let run = crate::input::read_file(&dir, None).unwrap();
        let est = shared_formats::json(&dir.join("new/estimates.json"));
        let sample = shared_formats::json(&dir.join("new/sample.json"));
        check_against_files(&run, &est, &sample, "Fibonacci/Iterative", true);
    }

    #[test]
    fn every_shared_estimates_file_is_detected_and_read_alone() {
        for dir in ["criterion-files", "criterion-0.2-files"] {
            for f in crate::input::shared_formats::files(dir) {
                let name = f.file_name().unwrap().to_string_lossy().to_string();
                if !name.ends_with("new_estimates.json") {
                    continue;
                }
                let run = crate::input::read_file(&f, None).unwrap();
                assert_eq!(run.sources[0].format, "criterion", "{name}");
                let est = shared_formats::json(&f);
                let b = run.benchmarks.values().next().unwrap();
                let mean = est.get("mean").or(est.get("Mean")).unwrap();
                assert_eq!(b.metrics["mean"].value, mean["point_estimate"], "{name}");
            }
        }
    }

    #[test]
    fn prefers_new_then_base_and_ignores_change() {
        let tmp = tempfile::tempdir().unwrap();
        let src = shared(
            "criterion-files/dougch_criterion_gettingstarted_fib-20-slow_new_estimates.json",
        );
        let bench = tmp.path().join("b");
        for sub in ["base", "v1"] {
            std::fs::create_dir_all(bench.join(sub)).unwrap();
            std::fs::copy(&src, bench.join(sub).join("estimates.json")).unwrap();
        }
        let run = crate::input::read_file(tmp.path(), None).unwrap();
        assert_eq!(run.benchmarks.len(), 1);
        assert!(run.benchmarks.contains_key("b"));
        // The named baseline alone is used when nothing else is there.
        std::fs::remove_dir_all(bench.join("base")).unwrap();
        let run = crate::input::read_file(tmp.path(), None).unwrap();
        assert!(run.metric("b", "mean").is_some());
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        let tmp = tempfile::tempdir().unwrap();
        let new = tmp.path().join("x/new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("estimates.json"), "{\"mean\": 3").unwrap();
        let err = crate::input::read_file(tmp.path(), Some(&CriterionInput)).unwrap_err();
        assert!(err.to_string().contains("estimates.json"), "{err}");
        std::fs::write(new.join("estimates.json"), "{\"median\": {}}").unwrap();
        let err = crate::input::read_file(tmp.path(), Some(&CriterionInput)).unwrap_err();
        assert!(err.to_string().contains("mean"), "{err}");
        std::fs::write(
            new.join("estimates.json"),
            "{\"mean\": {\"point_estimate\": 5.0}}",
        )
        .unwrap();
        std::fs::write(new.join("sample.json"), "[[1, 0, \"x\"], [10]]").unwrap();
        let run = crate::input::read_file(tmp.path(), Some(&CriterionInput)).unwrap();
        assert_eq!(run.metric("x", "mean").unwrap().samples, vec![10.0]);
    }
}
