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
/// evidence: runs as the unit, and one run against one.
#[test]
fn catch2_noise_never_fails_three_vs_three() {
    for tool in ["catch2", "catch2/text"] {
        three_vs_three_never_fails(tool);
    }
}

/// The Catch2 join's name as the XML and the console output both give it.
const CATCH2_JOIN: &str = "join strings with a separator into one long string, 500 parts";

/// Same-code pairs of single Catch2 runs that fail, listed, not hidden (a change to the rules or the
/// reader that fixes one, or a new one, fails this test). All have run1 as the baseline: recorded at
/// load average 12 on 2 cores, run1 caught a quiet moment (XML means: sort 35.4 µs, join 4.01 µs; the
/// other five runs 41.3–46.8 µs and 4.50–4.94 µs). Each benchmark's 100 samples take 2–4 ms, so its
/// within-run error (sort: sd 4.6 µs / √100 = 1.3 %) cannot show the load that changed between runs;
/// with the 2 % between-run floor the 16–32 % shifts are established. One run per side is a case
/// for history or repeated runs (`perfgate ab`); 3 vs 3 passes.
#[test]
fn catch2_single_pairs_fail_only_on_the_quiet_run() {
    let both: &[&str] = &["sort", CATCH2_JOIN];
    single_pair_failures_are(
        "catch2",
        &[
            ("run1 → run2", both),
            ("run1 → run3", &["sort"]),
            ("run1 → run4", both),
            ("run1 → run5", &["sort"]),
            ("run1 → run6", both),
        ],
    );
    single_pair_failures_are(
        "catch2/text",
        &[
            ("run1 → run2", both),
            ("run1 → run3", both),
            ("run1 → run4", both),
            ("run1 → run6", &["sort"]),
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

/// mitata's report with its samples (fixtures/mitata/, re-recorded with `samples: true` at load average
/// 12 on 2 cores): runs as the unit, and one run against one. Only `join`'s mean fails, listed, not
/// hidden: its mean carries the garbage collector's pauses (per-run means 25.8–34.7 µs, 35 % apart,
/// while its medians stay within 12 %: 23.7–26.6 µs), and with ~20 000 samples per run its within-run
/// error is a fraction of a percent, so the 2 % floor is all that allows for the between-run spread.
/// Every median and every other mean passes. The 3 vs 3 split that fails has runs 1, 4 and 5 (means
/// 25.8, 31.2, 34.7 µs) as the current side: the one fast run is set aside as an outlier run and the
/// other two stand 17 % above the baseline's (27.1–28.9 µs).
#[test]
fn mitata_noise_fails_only_on_the_join_mean() {
    let failures = three_vs_three_failures("mitata");
    let split: Vec<&str> = failures
        .iter()
        .map(|f| f.split(':').next().unwrap())
        .collect();
    // With issue 23's outlier-run rule merged, the split whose baseline is runs 1, 2, 3 fails too (the
    // same join mean); listed, not hidden, until join's between-run spread is measured.
    assert_eq!(
        split,
        ["baseline runs [1, 2, 3]", "baseline runs [2, 3, 6]"],
        "mitata 3 vs 3"
    );
    for f in &failures {
        assert_eq!(f.matches("method").count(), 1, "one row: {f}");
        assert!(f.contains("\\\"join\\\" \\\"mean\\\""), "{f}");
    }
    let join: &[&str] = &["join"];
    single_pair_failures_are(
        "mitata",
        &[
            ("run1 → run4", join),
            ("run1 → run5", join),
            ("run2 → run5", join),
            ("run3 → run4", join),
            ("run3 → run5", join),
            ("run6 → run5", join),
        ],
    );
}
