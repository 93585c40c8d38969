//! `--merge-workers`: per-worker k6 NDJSON streams of one run merge exactly; summaries are refused or bounded.

use crate::common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{fixture, k6_pair, perfgate, read_json, run_ok};
use serde_json::Value;

/// A k6 NDJSON stream of one run: two endpoints, log-normal-ish latencies, some failures.
fn generate_ndjson(points: usize) -> Vec<String> {
    let mut lines = vec![
        r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}"#.to_string(),
        r#"{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}"#.to_string(),
        r#"{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":[],"submetrics":null},"metric":"http_req_failed"}"#.to_string(),
    ];
    // A fixed LCG keeps the file identical on every run.
    let mut x: u64 = 42;
    let mut next = || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..points {
        let name = if i % 3 == 0 { "search" } else { "login" };
        let ms = 20.0 * (1.0 + 3.0 * next().powi(3)) + if name == "search" { 15.0 } else { 0.0 };
        let failed = u8::from(next() < 0.05);
        let time = format!(
            "2024-05-01T10:{:02}:{:02}.{:06}Z",
            i / 6000,
            (i / 100) % 60,
            (i % 100) * 10_000
        );
        let tags = format!(
            r#"{{"name":"{name}","method":"GET","status":"200","expected_response":"true","scenario":"default","group":""}}"#
        );
        let mut s = String::new();
        write!(s, r#"{{"metric":"http_req_duration","type":"Point","data":{{"time":"{time}","value":{ms:.4},"tags":{tags}}}}}"#).unwrap();
        lines.push(s);
        lines.push(format!(r#"{{"metric":"http_reqs","type":"Point","data":{{"time":"{time}","value":1,"tags":{tags}}}}}"#));
        lines.push(format!(r#"{{"metric":"http_req_failed","type":"Point","data":{{"time":"{time}","value":{failed},"tags":{tags}}}}}"#));
    }
    lines
}

fn write_lines(path: &Path, lines: &[&String]) {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// The streams of two k6 workers running `lines`, written to `w1.json` and `w2.json` in `dir`: k6 writes
/// the Metric lines (the first three) in every worker's stream; points go to the workers round-robin by
/// line.
fn two_workers(dir: &Path, lines: &[String]) -> (PathBuf, PathBuf) {
    let (header, points) = lines.split_at(3);
    let w1: Vec<&String> = header.iter().chain(points.iter().step_by(2)).collect();
    let w2: Vec<&String> = header
        .iter()
        .chain(points.iter().skip(1).step_by(2))
        .collect();
    let (a, b) = (dir.join("w1.json"), dir.join("w2.json"));
    write_lines(&a, &w1);
    write_lines(&b, &w2);
    (a, b)
}

fn snapshot_metrics(dir: &Path, name: &str, files: &[&Path], merge: bool) -> Value {
    let mut cmd = perfgate();
    cmd.current_dir(dir).args(["baseline", "create", name]);
    cmd.args(files);
    if merge {
        cmd.arg("--merge-workers");
    }
    run_ok(&mut cmd);
    read_json(dir.join("baselines").join(format!("{name}.json")))["benchmarks"].clone()
}

#[test]
fn per_worker_ndjson_merges_to_the_combined_percentiles() {
    let dir = tempfile::tempdir().unwrap();
    let lines = generate_ndjson(3000);
    let (a, b) = two_workers(dir.path(), &lines);
    let c = dir.path().join("all.json");
    write_lines(&c, &lines.iter().collect::<Vec<_>>());

    let combined = snapshot_metrics(dir.path(), "combined", &[&c], false);
    let merged = snapshot_metrics(dir.path(), "merged", &[&a, &b], true);
    let unmerged = snapshot_metrics(dir.path(), "unmerged", &[&a, &b], false);
    let combined = combined.as_object().unwrap();
    assert!(combined.contains_key("http_req_duration{name:login}"));
    let mut compared = 0;
    for (bench, metrics) in combined {
        for (metric, m) in metrics["metrics"].as_object().unwrap() {
            let want = m["value"].as_f64().unwrap();
            let got = merged[bench]["metrics"][metric]["value"]
                .as_f64()
                .unwrap_or(f64::NAN);
            assert!(
                (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{bench} {metric}: merged {got}, combined {want}"
            );
            compared += 1;
        }
    }
    assert!(compared > 20, "only {compared} metrics compared");
    // Without --merge-workers the two files are repeated runs: their median p95 differs from the union's.
    let p95 = |v: &Value| {
        v["http_req_duration"]["metrics"]["p95"]["runs"]
            .as_array()
            .map(Vec::len)
    };
    assert_eq!(p95(&unmerged), Some(2));
    assert_eq!(p95(&merged), None);
}

#[test]
fn a_gzip_worker_stream_merges_like_a_plain_one() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let lines = generate_ndjson(900);
    let (a, b) = two_workers(dir.path(), &lines);
    let bgz = dir.path().join("w2.json.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(&b).unwrap()).unwrap();
    std::fs::write(&bgz, gz.finish().unwrap()).unwrap();
    let plain = snapshot_metrics(dir.path(), "plain", &[&a, &b], true);
    let mixed = snapshot_metrics(dir.path(), "mixed", &[&a, &bgz], true);
    assert_eq!(plain, mixed);
}

#[test]
fn merging_summaries_is_refused_with_an_explanation() {
    let out = perfgate()
        .args(["analyze", "--merge-workers", "--baseline"])
        .arg(fixture("k6/baseline-summary.json"))
        .args(k6_pair())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("baseline-summary.json"), "{err}");
    assert!(err.contains("cannot be combined exactly"), "{err}");
    assert!(err.contains("--approximate-merge"), "{err}");
}

#[test]
fn approximate_merge_gives_bounds_and_does_not_gate_them() {
    let out = perfgate()
        .args([
            "analyze",
            "--merge-workers",
            "--approximate-merge",
            "-o",
            "json",
            "--all",
            "--baseline",
        ])
        .arg(fixture("k6/baseline-summary.json"))
        .args(k6_pair())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["comparisons"].as_array().unwrap();
    let row = |b: &str, m: &str| {
        rows.iter()
            .find(|r| r["benchmark"] == b && r["metric"] == m)
            .unwrap_or_else(|| panic!("no row {b} {m}"))
    };
    // search got 70 % slower in one worker: even the best case is a regression, so it still gates.
    let p95 = row("http_req_duration{name:search}", "p95");
    assert!(
        p95["note"].as_str().unwrap().starts_with("approximate"),
        "{p95}"
    );
    // The max of the workers' max is exact and keeps its ordinary grading.
    let max = row("http_req_duration{name:search}", "max");
    assert!(max["note"].is_null() || !max["note"].as_str().unwrap().contains("approximate"));
    // An approximate row whose better bound is the unchanged worker is reported, not gated.
    let overall = row("http_req_duration", "p95");
    assert_eq!(overall["gated"], false, "{overall}");
    assert!(overall["note"].as_str().unwrap().contains("not gated"));
    assert!(matches!(out.status.code(), Some(0 | 1)));
}
