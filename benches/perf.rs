//! Criterion benchmarks: k6 NDJSON aggregation throughput, `analyze` on a k6 summary pair, and the
//! Mann–Whitney test and Hodges–Lehmann interval at n = 10/100/1000.
//!
//! Quick run: `cargo bench --bench perf -- --quick` (or `--warm-up-time 1 --measurement-time 2`).
//! Whole-program comparisons with Python and peak memory: `benches/compare.sh`.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use perfgate::compare::{self, Context};
use perfgate::input::k6_ndjson::aggregate_reader;
use perfgate::input::read_file;
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
    targets = ndjson, analyze_pair, stats, changepoints
}
criterion_main!(benches);
