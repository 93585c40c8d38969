//! Real noise: six runs of unchanged code, recorded with the real tools (fixtures/<tool>/noise/), must never
//! fail the gate nor grade a gated row medium or worse, whichever three are the baseline and the other three
//! the current (runs as the unit), and whichever single run is compared with another (within-run samples).

use crate::common;

use std::path::PathBuf;

use common::{fixture, Sandbox};

/// Paths of the six noise runs of a tool.
fn runs(tool: &str) -> Vec<PathBuf> {
    let dir = fixture(&format!("{tool}/noise"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("run"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "{tool}: six noise runs");
    files
}

/// Every way to pick three of six.
fn triples() -> Vec<[usize; 3]> {
    let mut out = Vec::new();
    for a in 0..6 {
        for b in a + 1..6 {
            for c in b + 1..6 {
                out.push([a, b, c]);
            }
        }
    }
    out
}

fn three_vs_three_never_fails(tool: &str) {
    let failures = three_vs_three_failures(tool);
    assert!(
        failures.is_empty(),
        "{tool}: unchanged code failed the gate:\n{}",
        failures.join("\n")
    );
}

/// The splits of the six runs into three baseline and three current runs that fail the gate or grade a
/// gated row medium or worse, described (`baseline runs [i, j, k]` numbers the runs from 1).
fn three_vs_three_failures(tool: &str) -> Vec<String> {
    let files = runs(tool);
    let mut failures = Vec::new();
    for t in triples() {
        let sb = Sandbox::new();
        let (base, cur): (Vec<_>, Vec<_>) = (0..6).partition(|i| t.contains(i));
        sb.create_baseline(
            &["main"],
            &base.iter().map(|&i| &files[i]).collect::<Vec<_>>(),
        );
        let out = sb
            .cmd()
            .args(["analyze", "-o", "json"])
            .args(cur.iter().map(|&i| &files[i]))
            .output()
            .unwrap();
        let bad = medium_or_worse(&out.stdout);
        if out.status.code() != Some(0) || !bad.is_empty() {
            let numbers: Vec<usize> = base.iter().map(|i| i + 1).collect();
            failures.push(format!("baseline runs {numbers:?}: {bad:?}"));
        }
    }
    failures
}

/// Gated rows graded medium or worse in a JSON verdict, described.
fn medium_or_worse(stdout: &[u8]) -> Vec<String> {
    graded(stdout, &["medium", "high", "critical"])
}

/// Gated rows that fail the default gate (high or worse), described.
fn failing(stdout: &[u8]) -> Vec<String> {
    graded(stdout, &["high", "critical"])
}

/// Gated rows of a JSON verdict with one of `severities`, described.
fn graded(stdout: &[u8], severities: &[&str]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(stdout).unwrap_or_default();
    v["comparisons"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter(|c| {
                    c["gated"] == true && severities.contains(&c["severity"].as_str().unwrap_or(""))
                })
                .map(|c| {
                    format!(
                        "{} {} {} {} {}",
                        c["benchmark"], c["metric"], c["severity"], c["change_pct"], c["evidence"]
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every ordered pair of single runs: one run per side, judged on within-run samples. One run per side
/// without history measures only the within-run noise, so a same-code pair may warn (the between-run
/// floor is 2 %; this machine's runs differ by up to 12 %), but it must never fail.
fn no_single_pair_fails(tool: &str) {
    let failures = single_pair_failures(tool);
    assert!(
        failures.is_empty(),
        "{tool}: unchanged code failed the gate:\n{}",
        failures
            .iter()
            .map(|(pair, rows)| format!("{pair}: {rows:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The ordered pairs of single runs (`run1 → run2`) that fail the gate, each with its failing rows
/// described.
fn single_pair_failures(tool: &str) -> Vec<(String, Vec<String>)> {
    let files = runs(tool);
    let sb = Sandbox::new();
    let mut failures = Vec::new();
    for (i, a) in files.iter().enumerate() {
        for (j, b) in files.iter().enumerate() {
            if i == j {
                continue;
            }
            let out = sb
                .cmd()
                .args(["analyze", "-o", "json", "--baseline"])
                .arg(a)
                .arg(b)
                .output()
                .unwrap();
            let bad = failing(&out.stdout);
            if out.status.code() != Some(0) || !bad.is_empty() {
                failures.push((format!("run{} → run{}", i + 1, j + 1), bad));
            }
        }
    }
    failures
}

/// Asserts that exactly the `known` pairs of single runs fail, each on exactly the listed benchmarks.
fn single_pair_failures_are(tool: &str, known: &[(&str, &[&str])]) {
    let found: Vec<(String, Vec<String>)> = single_pair_failures(tool)
        .into_iter()
        .map(|(pair, rows)| {
            let mut names: Vec<String> = rows
                .iter()
                .map(|r| r.split('"').nth(1).unwrap_or("").to_string())
                .collect();
            names.sort();
            (pair, names)
        })
        .collect();
    let known: Vec<(String, Vec<String>)> = known
        .iter()
        .map(|(p, b)| {
            let mut names: Vec<String> = b.iter().map(|s| s.to_string()).collect();
            names.sort();
            (p.to_string(), names)
        })
        .collect();
    assert_eq!(found, known, "{tool}: same-code pairs that fail changed");
}

#[test]
fn hyperfine_noise_never_fails() {
    three_vs_three_never_fails("hyperfine");
}

#[test]
fn google_benchmark_noise_never_fails() {
    three_vs_three_never_fails("google-benchmark");
}

#[test]
fn pytest_benchmark_noise_never_fails() {
    three_vs_three_never_fails("pytest-benchmark");
}

#[test]
fn criterion_noise_never_fails() {
    three_vs_three_never_fails("criterion");
}

#[test]
fn no_single_hyperfine_pair_fails() {
    no_single_pair_fails("hyperfine");
}

#[test]
fn no_single_google_benchmark_pair_fails() {
    no_single_pair_fails("google-benchmark");
}

#[test]
fn no_single_pytest_benchmark_pair_fails() {
    no_single_pair_fails("pytest-benchmark");
}

#[test]
fn no_single_criterion_pair_fails() {
    no_single_pair_fails("criterion");
}

/// The JavaScript harnesses write statistics, not samples (Vitest's `samples` is empty unless configured):
/// one value per side is graded by the bands alone (unverified, `†`), so same-code runs are judged with
/// the runs as the unit.
#[test]
fn javascript_noise_never_fails() {
    for tool in ["vitest", "tinybench", "benchmark-js"] {
        three_vs_three_never_fails(tool);
    }
}

/// Valgrind's counts are deterministic: unchanged code passes also one run against one.
#[test]
fn gungraun_noise_never_fails() {
    for tool in ["gungraun", "gungraun/text"] {
        three_vs_three_never_fails(tool);
        no_single_pair_fails(tool);
    }
}

/// Catch2 writes no raw samples but their count, mean and standard deviation, the mean's within-run
/// evidence: runs as the unit, and one run against one. The XML runs pass both ways.
#[test]
fn catch2_xml_noise_never_fails() {
    three_vs_three_never_fails("catch2");
    no_single_pair_fails("catch2");
}

/// The Catch2 join's name as the XML and the console output both give it.
const CATCH2_JOIN: &str = "join strings with a separator into one long string, 500 parts";

/// The console runs that fail, listed, not hidden (a change to the rules or the reader that fixes one,
/// or a new one, fails this test). Recorded pinned to one core at real-time priority (fixtures/quiet.sh),
/// the six runs' means still span 4.19-4.92 µs for the join and 39.2-45.5 µs for sort (each benchmark's
/// 100 samples take a few milliseconds). That between-process spread is not address-space layout:
/// 10 runs each, interleaved, pinned at real-time priority, gave per-run-mean CVs of sort 6.8 %, join
/// 3.3 % with ASLR and 10.4 %, 6.3 % with it off (`setarch -R`); the XML runs of the same recording
/// spread as much (join 12.1 %, console 17.4 %); no steal time, fixed 2.6 GHz; the other core was busy
/// throughout (shared caches). So the recording method stays and these stay listed. The three single pairs are more than 15 % worse by the naive rule
/// too (join run1 -> run5 +17.4 %, run6 -> run5 +15.7 %; sort run3 -> run1 +16.1 %): the runs differ. Of
/// the two 3 vs 3 splits that grade the join's mean medium (the gate passes), baseline runs 1, 4, 6
/// (medians 4.25 against 4.92 µs, +15.6 %) fail the naive rule too; baseline runs 1, 5, 6 (medians
/// 4.25 against 4.59 µs, +7.9 %) do not: perfgate sets run5 (4.92 µs) aside as an outlier run of the
/// baseline while the current side has run3 at 4.92 µs, and grades the remaining +11.0 % against the
/// suite's 3.8 % between-run noise (reported to issue 23).
#[test]
fn catch2_console_noise_fails_only_where_listed() {
    let failures = three_vs_three_failures("catch2/text");
    let split: Vec<&str> = failures
        .iter()
        .map(|f| f.split(':').next().unwrap())
        .collect();
    assert_eq!(
        split,
        ["baseline runs [1, 4, 6]", "baseline runs [1, 5, 6]"],
        "catch2/text 3 vs 3: {failures:?}"
    );
    for f in &failures {
        assert_eq!(f.matches("method").count(), 1, "one row: {f}");
        assert!(
            f.contains(&format!("\\\"{CATCH2_JOIN}\\\" \\\"mean\\\"")),
            "{f}"
        );
    }
    single_pair_failures_are(
        "catch2/text",
        &[
            ("run1 → run5", &[CATCH2_JOIN]),
            ("run3 → run1", &["sort"]),
            ("run6 → run5", &[CATCH2_JOIN]),
        ],
    );
}

/// asv with `--record-samples` (and its console output, statistics only): runs as the unit, and one run
/// against one.
#[test]
fn asv_noise_never_fails() {
    for tool in ["asv", "asv/text"] {
        three_vs_three_never_fails(tool);
        no_single_pair_fails(tool);
    }
}

/// mitata's report with its samples (fixtures/mitata/, recorded at real-time priority, fixtures/quiet.sh):
/// runs as the unit, and one run against one.
#[test]
fn mitata_noise_never_fails() {
    three_vs_three_never_fails("mitata");
    no_single_pair_fails("mitata");
}
