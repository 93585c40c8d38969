//! Criterion benchmarks of perfgate's hot paths on generated, deterministic inputs: k6 NDJSON aggregation
//! (a real run repeated, and one distinct `name` per request), each summary format's read (one corpus file
//! per format), comparison of a k6 summary pair, of a 1 000-benchmark suite and against 100 snapshots of
//! history, and the Mann–Whitney test and Hodges–Lehmann interval at n = 10/100/1000.
//!
//! Quick run: `cargo bench --bench perf -- --quick` (or `--warm-up-time 1 --measurement-time 2`).
//! Whole-program timings (what CI gates with `perfgate ab`): `benches/self.sh`; against Python and peak
//! memory: `benches/compare.sh` and `benches/many_tags.sh`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use perfgate::compare::{self, Context};
use perfgate::input::k6_ndjson::aggregate_reader;
use perfgate::input::read_file;
use perfgate::model::Run;
use perfgate::policy::Policy;
use perfgate::stats::changepoint::{change_points, DEFAULT_ALPHA};
use perfgate::stats::{hodges_lehmann_ci, mann_whitney, Alternative, Sides};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// About 16 MB of k6 lines: the real outputs in the corpus, repeated.
fn ndjson_input() -> Vec<u8> {
    let dir = root().join("fixtures/corpus/k6-ndjson");
    let mut one = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            one.extend(std::fs::read(e.path()).unwrap_or_default());
            one.push(b'\n');
        }
    }
    assert!(!one.is_empty(), "needs fixtures/corpus/k6-ndjson");
    let mut out = Vec::with_capacity(16 << 20);
    while out.len() < 16 << 20 {
        out.extend_from_slice(&one);
    }
    out
}

/// About 16 MB of k6 lines with one distinct `name` (and `url`) per request: the dynamic-URL mistake.
fn ndjson_many_names() -> Vec<u8> {
    let mut out = String::with_capacity(17 << 20);
    for (m, t) in [("http_req_duration", "trend"), ("http_reqs", "counter")] {
        out += &format!("{{\"type\":\"Metric\",\"data\":{{\"name\":\"{m}\",\"type\":\"{t}\",\"contains\":\"time\"}},\"metric\":\"{m}\"}}\n");
    }
    let mut i = 0u64;
    while out.len() < 16 << 20 {
        let url = format!("http://127.0.0.1:8787/item/{i}");
        let time = format!(
            "2025-11-25T12:{:02}:{:02}.{:03}Z",
            i / 60_000 % 60,
            i / 1000 % 60,
            i % 1000
        );
        let v = 5.0 + (i as f64 * 0.618_034).fract() * 20.0;
        for (m, v) in [("http_req_duration", v), ("http_reqs", 1.0)] {
            out += &format!("{{\"metric\":\"{m}\",\"type\":\"Point\",\"data\":{{\"time\":\"{time}\",\"value\":{v},\"tags\":{{\"expected_response\":\"true\",\"method\":\"GET\",\"name\":\"{url}\",\"status\":\"200\",\"url\":\"{url}\"}}}}}}\n");
        }
        i += 1;
    }
    out.into_bytes()
}

fn ndjson(c: &mut Criterion) {
    let input = ndjson_input();
    let mut g = c.benchmark_group("k6_ndjson_aggregate");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    for threads in [1, 2] {
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, &t| {
            b.iter(|| aggregate_reader(black_box(input.as_slice()), t).map(|r| r.benchmarks.len()))
        });
    }
    g.finish();
    let many = ndjson_many_names();
    let mut g = c.benchmark_group("k6_ndjson_distinct_names");
    g.throughput(Throughput::Bytes(many.len() as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(4));
    g.bench_function("threads/2", |b| {
        b.iter(|| aggregate_reader(black_box(many.as_slice()), 2).map(|r| r.benchmarks.len()))
    });
    g.finish();
}

/// One file per summary format: the first of each corpus directory.
fn summary_reads(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("fixtures/corpus"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let Some(name) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            continue;
        };
        let mut files: Vec<_> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .filter(|p| read_file(p, None).is_ok())
            .collect();
        files.sort();
        let Some(file) = files.into_iter().next() else {
            continue;
        };
        g.bench_function(name, |b| {
            b.iter(|| read_file(black_box(&file), None).map(|r| r.benchmarks.len()))
        });
    }
    g.finish();
}

/// A Google Benchmark pair of 1 000 benchmarks, five repetitions each, the current side 2 % slower.
fn suite_pair(dir: &Path) -> (Run, Run) {
    let mut runs = Vec::new();
    for (side, scale) in [("baseline", 1.0), ("current", 1.02)] {
        let mut bms = Vec::new();
        for i in 0..1000u32 {
            for rep in 0..5u32 {
                let jitter = 1.0 + ((i * 5 + rep) as f64 * 0.618_034).fract() * 0.04;
                let v = 100.0 * f64::from(1 + i % 37) * scale * jitter;
                bms.push(serde_json::json!({"name": format!("BM_case/{i}"), "run_name": format!("BM_case/{i}"),
                    "run_type": "iteration", "repetitions": 5, "repetition_index": rep, "threads": 1,
                    "iterations": 1000, "real_time": v, "cpu_time": v, "time_unit": "ns"}));
            }
        }
        let doc = serde_json::json!({"context": {"date": "2026-01-01T00:00:00+00:00", "host_name": "bench",
            "executable": "./bench", "num_cpus": 2, "library_build_type": "release"}, "benchmarks": bms});
        let path = dir.join(format!("{side}.json"));
        std::fs::write(&path, doc.to_string()).expect("temp file");
        runs.push(read_file(&path, None).expect("a Google Benchmark file"));
    }
    let current = runs.pop().expect("two runs");
    (runs.pop().expect("two runs"), current)
}

fn analyze_suite_and_history(c: &mut Criterion) {
    let policy = Policy::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let (base, cur) = suite_pair(dir.path());
    assert_eq!(base.benchmarks.len(), 1000);
    c.bench_function("analyze_suite_1000", |b| {
        b.iter(|| {
            let ctx = Context {
                policy: &policy,
                history: &[],
            };
            compare::compare(black_box(&base), black_box(&cur), &ctx)
                .ok()
                .map(|r| r.len())
        })
    });
    let base = read_file(&root().join("fixtures/k6/baseline-summary.json"), None).expect("fixture");
    let cur = read_file(&root().join("fixtures/k6/current-summary.json"), None).expect("fixture");
    // 100 earlier snapshots: the baseline with every value moved by a deterministic ±3 %.
    let history: Vec<Run> = (0..100u32)
        .map(|k| {
            let mut r = base.clone();
            for (j, b) in r.benchmarks.values_mut().enumerate() {
                for m in b.metrics.values_mut() {
                    m.value *= 0.97 + ((k * 31 + j as u32) as f64 * 0.618_034).fract() * 0.06;
                }
            }
            r
        })
        .collect();
    c.bench_function("analyze_history_100", |b| {
        b.iter(|| {
            let ctx = Context {
                policy: &policy,
                history: &history,
            };
            compare::compare(black_box(&base), black_box(&cur), &ctx)
                .ok()
                .map(|r| r.len())
        })
    });
}

fn analyze_pair(c: &mut Criterion) {
    let base = root().join("fixtures/k6/baseline-summary.json");
    let cur = root().join("fixtures/k6/current-summary.json");
    let policy = Policy::default();
    c.bench_function("analyze_k6_summary_pair", |b| {
        b.iter(|| {
            let base = read_file(&base, None).ok()?;
            let cur = read_file(&cur, None).ok()?;
            let ctx = Context {
                policy: &policy,
                history: &[],
            };
            compare::compare(&base, &cur, &ctx).ok().map(|r| r.len())
        })
    });
}

fn stats(c: &mut Criterion) {
    let mut g = c.benchmark_group("stats");
    for n in [10usize, 100, 1000] {
        // Deterministic, tie-free log-normal-ish samples.
        let x: Vec<f64> = (0..n)
            .map(|i| (1.0 + (i as f64 * 0.618_034).fract()).ln())
            .collect();
        let y: Vec<f64> = x.iter().map(|v| v + 0.05).collect();
        g.bench_with_input(BenchmarkId::new("mann_whitney", n), &n, |b, _| {
            b.iter(|| mann_whitney(black_box(&x), black_box(&y), Alternative::Less))
        });
        g.bench_with_input(BenchmarkId::new("hodges_lehmann_ci", n), &n, |b, _| {
            b.iter(|| hodges_lehmann_ci(black_box(&x), black_box(&y), 0.01, Sides::Lower))
        });
    }
    g.finish();
}

/// One metric's history of 100 snapshots (issue 24: 1 000 metrics must stay well under a second):
/// quiet noise, and the same with a +15 % step at snapshot 70 and a second one back at 85.
fn changepoints(c: &mut Criterion) {
    let mut g = c.benchmark_group("change_points");
    let noise = |i: usize| 0.03 * ((i as f64 * 0.618_034).fract() - 0.5);
    let quiet: Vec<f64> = (0..100).map(noise).collect();
    let stepped: Vec<f64> = (0..100)
        .map(|i| noise(i) + if (70..85).contains(&i) { 0.14 } else { 0.0 })
        .collect();
    for (name, x) in [("quiet_100", &quiet), ("two_steps_100", &stepped)] {
        g.bench_function(name, |b| {
            b.iter(|| change_points(black_box(x), DEFAULT_ALPHA).len())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = ndjson, summary_reads, analyze_pair, analyze_suite_and_history, stats, changepoints
}
criterion_main!(benches);
