//! End-to-end tests of the micro-benchmark readers on result pairs made with the real tools
//! (`fixtures/<tool>/`, see each directory's README.md), and detection of the saved real-world files.

use crate::common;

use std::path::PathBuf;

use common::{
    benchmarks, corpus, corpus_files, fixture, read_json, row, run_stderr, severity, Sandbox,
};
use serde_json::Value;

/// `perfgate analyze --baseline <baseline> <current> -o json`, which must fail the gate (exit 1).
fn analyze_fails(baseline: &str, current: &str) -> Value {
    let v = Sandbox::new().fixture_verdict(baseline, current, 1);
    assert_eq!(v["status"], "fail");
    v
}

/// The slowed benchmark fails the gate on a central metric (high or critical) and no central metric of it
/// is called unchanged without saying that the change is unproven; the others' are not high or critical.
///
/// Severity is the band of the 75 % bound, so a +16 % mean measured once per side can be medium, and a
/// median of ten repetitions whose bound stays below the band is `inconclusive` rather than high. Only
/// central metrics are checked: min/max/stddev of unchanged benchmarks are noisy on a shared machine.
fn assert_only_slowed(v: &Value, slowed: &str, unchanged: &[&str], central: &[&str]) {
    let failing = |s: &str| s == "high" || s == "critical";
    assert!(
        central.iter().any(|m| failing(severity(v, slowed, m))),
        "{slowed}: no central metric fails the gate"
    );
    for m in central {
        let s = severity(v, slowed, m);
        let outcome = row(v, slowed, m)["evidence"]["outcome"].clone();
        assert!(
            s == "medium" || failing(s) || outcome == "inconclusive",
            "{slowed} {m}: {s} {outcome}"
        );
        for other in unchanged {
            let s = severity(v, other, m);
            assert!(!failing(s), "{other} {m}: {s}");
        }
    }
}

#[test]
fn hyperfine_pair_flags_primes() {
    let v = analyze_fails("hyperfine/baseline.json", "hyperfine/current.json");
    assert_only_slowed(&v, "primes", &["loop", "strings"], &["mean", "median"]);
    assert_eq!(severity(&v, "primes", "error_rate"), "unchanged");
    assert_eq!(row(&v, "primes", "median")["unit"], "ms");
}

#[test]
fn google_benchmark_pair_flags_vector_sort() {
    let v = analyze_fails(
        "google-benchmark/baseline.json",
        "google-benchmark/current.json",
    );
    assert_only_slowed(
        &v,
        "BM_VectorSort",
        &["BM_StringConcat", "BM_Checksum/4096"],
        &["real_time", "cpu_time"],
    );
    // Aggregate rows are statistics of their benchmark, not benchmarks.
    assert!(!benchmarks(&v).iter().any(|b| b.ends_with("_mean")));
}

#[test]
fn pytest_benchmark_pair_flags_test_sort() {
    let v = analyze_fails(
        "pytest-benchmark/baseline.json",
        "pytest-benchmark/current.json",
    );
    assert_only_slowed(
        &v,
        "test_suite.py::test_sort",
        &["test_suite.py::test_join", "test_suite.py::test_fnv"],
        &["mean", "median"],
    );
    // ops is 1/mean: +16 % time is -13.5 % operations per second, a medium drop of a higher-is-better metric.
    assert_eq!(severity(&v, "test_suite.py::test_sort", "ops"), "medium");
}

#[test]
fn go_bench_pair_flags_sort() {
    let v = analyze_fails("go-bench/baseline.txt", "go-bench/current.txt");
    assert_only_slowed(
        &v,
        "BenchmarkSort-2",
        &["BenchmarkFnv1a-2", "BenchmarkStringBuilder-2"],
        &["ns/op"],
    );
    assert_eq!(severity(&v, "BenchmarkSort-2", "allocs/op"), "high");
    assert_eq!(severity(&v, "BenchmarkFnv1a-2", "MB/s"), "unchanged");
}

#[test]
fn criterion_pair_flags_sort() {
    let v = analyze_fails("criterion/baseline", "criterion/current");
    assert_only_slowed(
        &v,
        "sort_u32",
        &["fib_iter_1000", "hash/fnv1a_4k"],
        &["mean", "median"],
    );
}

/// The numbers criterion printed in `fixtures/libtest/`: (benchmark, baseline ns/iter, current ns/iter).
const LIBTEST_TABLE: [(&str, f64, f64); 3] = [
    ("fib_iter_1000", 238.0, 240.0),
    ("sort_u32", 124843.0, 143917.0),
    ("hash/fnv1a_4k", 4293.0, 4145.0),
];

#[test]
fn libtest_pair_is_read_with_the_numbers_the_tool_printed() {
    let sb = Sandbox::new();
    let v = sb.fixture_verdict("libtest/baseline.txt", "libtest/current.txt", 1);
    for (bench, base, cur) in LIBTEST_TABLE {
        let r = row(&v, bench, "ns_per_iter");
        assert_eq!(r["baseline"], base, "{bench}");
        assert_eq!(r["current"], cur, "{bench}");
        assert_eq!(r["unit"], "ns");
    }
}

#[test]
fn libtest_pair_flags_sort() {
    let v = analyze_fails("libtest/baseline.txt", "libtest/current.txt");
    assert_only_slowed(
        &v,
        "sort_u32",
        &["fib_iter_1000", "hash/fnv1a_4k"],
        &["ns_per_iter"],
    );
}

#[test]
fn every_saved_real_file_is_detected_as_its_format() {
    let dirs = [
        ("hyperfine", "hyperfine"),
        ("google-benchmark", "google-benchmark"),
        ("pytest-benchmark", "pytest-benchmark"),
        ("go-bench", "go-bench"),
        ("rust-libtest", "libtest"),
        ("jmh", "jmh"),
        ("benchmarkdotnet", "benchmarkdotnet"),
    ];
    for (dir, id) in dirs {
        let found = corpus_files(dir);
        assert!(!found.is_empty(), "{dir}");
        for path in found {
            let probe = perfgate::input::Probe::open(&path).unwrap();
            let f = perfgate::input::detect(&probe).unwrap();
            assert_eq!(f.id(), id, "{}", path.display());
        }
    }
    // criterion's --output-format bencher text is libtest's format.
    let bencher = corpus(
        "criterion-text/benchmark-action_github-action-benchmark_criterion_bencher_output.txt",
    );
    let probe = perfgate::input::Probe::open(&bencher).unwrap();
    assert_eq!(perfgate::input::detect(&probe).unwrap().id(), "libtest");
    // A criterion measurement's estimates.json (benchmark.json, sample.json and change/ only
    // accompany it), and the real result trees as directories.
    for dir in ["criterion-files", "criterion-0.2-files"] {
        for path in corpus_files(dir) {
            if path.to_string_lossy().ends_with("new_estimates.json") {
                let probe = perfgate::input::Probe::open(&path).unwrap();
                assert_eq!(perfgate::input::detect(&probe).unwrap().id(), "criterion");
            }
        }
    }
    for tree in [
        "criterion/baseline",
        "criterion/current",
        "criterion/baseline/hash",
    ] {
        let probe = perfgate::input::Probe::open(&fixture(tree)).unwrap();
        assert_eq!(perfgate::input::detect(&probe).unwrap().id(), "criterion");
    }
}

#[test]
fn unknown_text_still_exits_2_listing_every_format() {
    let sb = Sandbox::new();
    let f = sb.write("notes.txt", "Benchmarks are fun\ntest a ... ok\n");
    let err = run_stderr(sb.cmd().arg("analyze").arg(&f), 2);
    for id in [
        "criterion",
        "hyperfine",
        "pytest-benchmark",
        "google-benchmark",
        "jmh",
        "benchmarkdotnet",
        "go-bench",
        "libtest",
    ] {
        assert!(err.contains(id), "{id}: {err}");
    }
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_criterion_directory_can_be_stored_as_a_baseline() {
    let sb = Sandbox::new();
    sb.create_baseline(&["main"], &[fixture("criterion/baseline")]);
    let snap: Value = read_json(sb.path("baselines/main.json"));
    let text = snap.to_string();
    assert!(text.contains("\"criterion\""), "{text}");
    assert!(text.contains("ci_low"), "confidence intervals are stored");
    sb.cmd()
        .args(["analyze", "--baseline", "main"])
        .arg(fixture("criterion/current"))
        .assert()
        .code(1);
}

#[test]
fn every_reader_survives_every_saved_file_and_junk_without_panicking() {
    let sb = Sandbox::new();
    let mut inputs: Vec<PathBuf> = corpus_files("");
    let junk = [
        "",
        "{}",
        "[]",
        "[{}]",
        "null",
        "{\"results\": [{\"command\": 1, \"mean\": {}}]}",
        "{\"context\": {}, \"benchmarks\": [{\"time_unit\": 5}, 3, {\"name\": \"x\", \"run_type\": \"aggregate\"}]}",
        "{\"benchmarks\": [{\"stats\": {\"data\": 5}}]}",
        "[{\"benchmark\": \"b\", \"primaryMetric\": {\"scoreUnit\": 3, \"rawData\": 1}}]",
        "{\"HostEnvironmentInfo\": 1, \"Benchmarks\": [1, {\"Statistics\": []}]}",
        "{\"mean\": {\"point_estimate\": \"x\"}, \"std_dev\": {\"point_estimate\": 1}}",
        "BenchmarkX 1\nBenchmarkY 1 2\nBenchmarkZ 99999999999999999999999 1 ns/op\nUnit\npkg:\n",
        "test  ... bench:\ntest x ... bench: 1 /iter (+/-\ntest y ... bench: 1,2,3 ns/iter = \n",
        "{\"a\": NaN, \"b\": \"NaN\\\" Infinity\", \"c\": -Infinity",
    ];
    for (i, text) in junk.iter().enumerate() {
        inputs.push(sb.write(&format!("junk{i}.txt"), text));
    }
    inputs.push(sb.dir());
    for format in perfgate::input::FORMATS {
        for path in &inputs {
            // Errors are fine; panics are not.
            let _ = perfgate::input::read_file(path, Some(*format));
        }
    }
}

/// Every real file copied into `fixtures/corpus/` is attributed in `fixtures/README.md` (source repository,
/// path, commit, licence), and every attributed file is there.
#[test]
fn every_corpus_file_is_attributed() {
    let readme = std::fs::read_to_string(fixture("README.md")).unwrap();
    let corpus = &readme[readme.find("## `corpus/`").expect("a corpus section")..];
    let listed: std::collections::BTreeSet<String> = corpus
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap().to_string())
        .collect();
    let root = fixture("corpus");
    let mut copied = std::collections::BTreeSet::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).unwrap() {
                copied.insert(f.unwrap().file_name().to_string_lossy().to_string());
            }
        }
    }
    assert_eq!(listed, copied);
    assert!(root.join("LICENSES.md").is_file());
}

#[test]
fn vitest_pair_flags_sort() {
    let v = analyze_fails("vitest/baseline.json", "vitest/current.json");
    let name = |b: &str| format!("work.bench.js > work > {b}");
    assert_only_slowed(
        &v,
        &name("sort"),
        &[&name("fib"), &name("join")],
        &["mean", "median"],
    );
    assert_eq!(row(&v, &name("sort"), "mean")["unit"], "ns");
}

#[test]
fn tinybench_pair_flags_sort() {
    let v = analyze_fails("tinybench/baseline.json", "tinybench/current.json");
    assert_only_slowed(&v, "sort", &["fib", "join"], &["mean", "median"]);
}

#[test]
fn benchmark_js_pair_flags_sort() {
    let v = analyze_fails("benchmark-js/baseline.txt", "benchmark-js/current.txt");
    assert_only_slowed(&v, "sort", &["fib", "join"], &["ops"]);
}

/// Valgrind's counts do not move on unchanged code: the change is graded as exact, with no test.
#[test]
fn gungraun_pair_flags_sort_exactly() {
    for (base, cur) in [
        ("gungraun/baseline.json", "gungraun/current.json"),
        ("gungraun/text/baseline.txt", "gungraun/text/current.txt"),
    ] {
        let v = analyze_fails(base, cur);
        let sort = "work::work::bench_sort unsorted";
        let r = row(&v, sort, "instructions");
        assert_eq!(r["evidence"]["method"], "deterministic", "{base}");
        assert_eq!(r["severity"], "high", "{base}");
        for other in ["work::work::bench_fib", "work::work::bench_join"] {
            assert_eq!(severity(&v, other, "instructions"), "unchanged", "{base}");
        }
        assert_eq!(benchmarks(&v)[0], sort, "the slowed benchmark first");
    }
}

#[test]
fn new_harnesses_are_detected_from_content() {
    for (file, id) in [
        ("vitest/baseline.json", "vitest"),
        ("tinybench/baseline.json", "tinybench"),
        ("benchmark-js/baseline.txt", "benchmark-js"),
        ("gungraun/baseline.json", "gungraun"),
        ("gungraun/text/baseline.txt", "gungraun-text"),
    ] {
        let probe = perfgate::input::Probe::open(&fixture(file)).unwrap();
        assert_eq!(perfgate::input::detect(&probe).unwrap().id(), id, "{file}");
    }
}

#[test]
fn catch2_pairs_flag_sort() {
    let join = "join strings with a separator into one long string, 500 parts";
    for (base, cur) in [
        ("catch2/baseline.xml", "catch2/current.xml"),
        // The console output wraps the join's name over two lines: read back whole.
        ("catch2/text/baseline.txt", "catch2/text/current.txt"),
    ] {
        let v = analyze_fails(base, cur);
        assert_only_slowed(&v, "sort", &["fib 20", join], &["mean"]);
        assert_eq!(
            benchmarks(&v)[0],
            "sort",
            "{base}: the slowed benchmark first"
        );
        assert_eq!(row(&v, join, "mean")["unit"], "ns", "{base}");
    }
}

#[test]
fn asv_pair_flags_time_sort() {
    let v = analyze_fails("asv/baseline.json", "asv/current.json");
    let name = |b: &str| format!("bench_work.TimeSuite.{b}");
    assert_only_slowed(
        &v,
        &name("time_sort"),
        &[
            &name("time_fib"),
            &name("time_join"),
            "bench_work.ParamSuite.time_range_sum(10)",
            "bench_work.ParamSuite.time_range_sum(1000)",
        ],
        &["time"],
    );
    assert_eq!(
        benchmarks(&v)[0],
        name("time_sort"),
        "the slowed benchmark first"
    );
    assert_eq!(
        severity(&v, "bench_work.MemSuite.mem_list", "mem"),
        "unchanged"
    );
}

#[test]
fn catch2_and_asv_are_detected_from_content() {
    for (file, id) in [
        ("catch2/baseline.xml", "catch2"),
        ("catch2/text/baseline.txt", "catch2-text"),
        ("asv/baseline.json", "asv"),
        ("asv/no-samples.json", "asv"),
    ] {
        let probe = perfgate::input::Probe::open(&fixture(file)).unwrap();
        assert_eq!(perfgate::input::detect(&probe).unwrap().id(), id, "{file}");
    }
}

/// asv's other files are refused with what to give instead.
#[test]
fn asv_benchmark_list_is_refused_with_what_to_give() {
    let err = run_stderr(
        Sandbox::new()
            .cmd()
            .args(["baseline", "create", "x"])
            .arg(fixture("asv/benchmarks.json")),
        2,
    );
    assert!(
        err.contains("benchmarks.json") && err.contains(".asv/results/<machine>/"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// Bencher's own fixtures of the new formats (`fixtures/peers-bencher/`), read by detection, agree with
/// the values Bencher's adapter tests expect: no mismatch, no value missing, no benchmark dropped.
#[test]
fn peers_bencher_values_agree() {
    let root = fixture("peers-bencher");
    let expected = read_json(root.join("expected.json"));
    let files = expected["files"].as_object().unwrap();
    assert!(files.len() >= 5);
    let close = |got: f64, want: f64| got == want || (got - want).abs() <= 1e-3 * want.abs();
    let (mut checked, mut problems) = (0, Vec::new());
    for (rel, e) in files {
        let path = root.join(rel);
        let run =
            perfgate::input::read_file(&path, None).unwrap_or_else(|err| panic!("{rel}: {err}"));
        assert_eq!(run.sources[0].format, e["detect_as"], "{rel}: detected as");
        let peer_count = e["peer_count"].as_u64().unwrap() as usize;
        if run.benchmarks.len() < peer_count {
            problems.push(format!(
                "{rel}: {} benchmarks, Bencher reads {peer_count}",
                run.benchmarks.len()
            ));
        }
        for v in e["values"].as_array().unwrap() {
            let (bench, metric) = (v["bench"].as_str().unwrap(), v["metric"].as_str().unwrap());
            let Some(m) = run.metric(bench, metric) else {
                problems.push(format!("{rel}: missing {bench} / {metric}"));
                continue;
            };
            let want = v["want"].as_f64().unwrap();
            if !close(m.value, want) {
                problems.push(format!(
                    "{rel}: {bench} / {metric}: {} vs Bencher {want}",
                    m.value
                ));
            }
            let dir = if v["peer_dir"] == "higher" {
                "higher_is_better"
            } else {
                "lower_is_better"
            };
            if m.direction.as_str() != dir {
                problems.push(format!(
                    "{rel}: {bench} / {metric}: direction {:?}",
                    m.direction
                ));
            }
            if let Some(ci) = v["ci"].as_array() {
                let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
                if !(m.ci_low.is_some_and(|x| close(x, lo))
                    && m.ci_high.is_some_and(|x| close(x, hi)))
                {
                    problems.push(format!(
                        "{rel}: {bench} / {metric}: interval {:?}..{:?} vs [{lo}, {hi}]",
                        m.ci_low, m.ci_high
                    ));
                }
            }
            for s in v["spreads"].as_array().into_iter().flatten() {
                let sm = s["metric"].as_str().unwrap();
                let got = run.metric(bench, sm).map(|x| x.value);
                if !got.is_some_and(|g| close(g, s["want"].as_f64().unwrap())) {
                    problems.push(format!("{rel}: {bench} / {sm}: {got:?} vs {}", s["want"]));
                }
            }
            checked += 1;
        }
    }
    assert!(
        problems.is_empty(),
        "disagreements with Bencher:\n{}",
        problems.join("\n")
    );
    assert_eq!(checked, 44, "every expected value checked");
}

#[test]
fn asv_console_pair_flags_time_sort() {
    let v = analyze_fails("asv/text/baseline.txt", "asv/text/current.txt");
    let name = |b: &str| format!("bench_work.TimeSuite.{b}");
    assert_only_slowed(
        &v,
        &name("time_sort"),
        &[&name("time_fib"), &name("time_join")],
        &["time"],
    );
    assert_eq!(
        benchmarks(&v)[0],
        name("time_sort"),
        "the slowed benchmark first"
    );
    // The parameterized benchmark's table rows are benchmarks of their own.
    row(&v, "bench_work.ParamSuite.time_range_sum(1000)", "time");
}

#[test]
fn mitata_pair_flags_sort() {
    let v = analyze_fails("mitata/baseline.json", "mitata/current.json");
    assert_only_slowed(&v, "sort", &["fib", "join"], &["mean", "median"]);
    assert_eq!(benchmarks(&v)[0], "sort", "the slowed benchmark first");
}

#[test]
fn asv_console_and_mitata_are_detected_from_content() {
    for (file, id) in [
        ("asv/text/baseline.txt", "asv-text"),
        ("mitata/baseline.json", "mitata"),
    ] {
        let probe = perfgate::input::Probe::open(&fixture(file)).unwrap();
        assert_eq!(perfgate::input::detect(&probe).unwrap().id(), id, "{file}");
    }
}
