//! The load-test verdict on real runs (fixtures/{k6,artillery,autocannon}, recorded by each directory's
//! generate.sh against fixtures/load-server.js): unchanged code never fails, the endpoint slowed by 15 ms
//! does, from one run per side and from three.

use crate::common;

use std::io::Read;
use std::path::PathBuf;

use common::{failing_rows, fixture, rows, Sandbox};
use serde_json::Value;

/// One run of a tool: the files it wrote (autocannon writes one per endpoint).
fn run_files(tool: &str, stem: &str) -> Vec<PathBuf> {
    match tool {
        "k6-summary" => vec![fixture(&format!("k6/{stem}-summary.json"))],
        "k6-export" => vec![fixture(&format!("k6/{stem}-export.json"))],
        "k6-ndjson" => vec![fixture(&format!("k6/{stem}.ndjson.gz"))],
        "artillery" => vec![fixture(&format!("artillery/{stem}.json"))],
        "autocannon" => ["health", "items", "search"]
            .iter()
            .map(|ep| fixture(&format!("autocannon/{stem}-{ep}.json")))
            .collect(),
        _ => unreachable!("{tool}"),
    }
}

const TOOLS: &[&str] = &[
    "k6-summary",
    "k6-export",
    "k6-ndjson",
    "artillery",
    "autocannon",
];

/// Records `base` runs as the baseline and analyzes `cur` runs against it; returns exit code and verdict.
fn analyze(tool: &str, base: &[&str], cur: &[&str]) -> (i32, Value) {
    let sb = Sandbox::new();
    let files = |stems: &[&str]| -> Vec<PathBuf> {
        stems.iter().flat_map(|s| run_files(tool, s)).collect()
    };
    sb.create_baseline(&["main"], &files(base));
    let out = sb
        .cmd()
        .args(["analyze", "-o", "json"])
        .args(files(cur))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{tool}: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

/// Gated rows graded high or critical, for messages.
pub(crate) fn failing(v: &Value) -> Vec<String> {
    failing_rows(v)
        .iter()
        .map(|c| {
            format!(
                "{} {} {} → {} {}",
                c["benchmark"], c["metric"], c["baseline"], c["current"], c["severity"]
            )
        })
        .collect()
}

fn noise(i: usize) -> String {
    format!("noise/run{i}")
}

#[test]
fn no_pair_of_six_unchanged_runs_fails_and_neither_does_three_vs_three() {
    for tool in TOOLS {
        let mut bad = Vec::new();
        for i in 1..=6 {
            for j in i + 1..=6 {
                let (code, v) = analyze(tool, &[&noise(i)], &[&noise(j)]);
                if code != 0 {
                    bad.push(format!("run{i} vs run{j}: {:?}", failing(&v)));
                }
            }
        }
        let (code, v) = analyze(
            tool,
            &["noise/run1", "noise/run2", "noise/run3"],
            &["noise/run4", "noise/run5", "noise/run6"],
        );
        if code != 0 {
            bad.push(format!("runs 1-3 vs 4-6: {:?}", failing(&v)));
        }
        assert!(
            bad.is_empty(),
            "{tool}: unchanged code failed:\n{}",
            bad.join("\n")
        );
    }
}

/// The slowed endpoint's benchmark and the other endpoints', per tool.
fn endpoints(tool: &str) -> (&'static str, [&'static str; 2]) {
    match tool {
        "artillery" => (
            "http.response_time{endpoint:/search}",
            [
                "http.response_time{endpoint:/health}",
                "http.response_time{endpoint:/items}",
            ],
        ),
        "autocannon" => ("/search", ["/health", "/items"]),
        _ => (
            "http_req_duration{name:search}",
            [
                "http_req_duration{name:health}",
                "http_req_duration{name:items}",
            ],
        ),
    }
}

fn assert_regression_caught(tool: &str, base: &[&str], cur: &[&str]) {
    let (code, v) = analyze(tool, base, cur);
    assert_eq!(code, 1, "{tool} {base:?} vs {cur:?}: the gate must fail");
    let (slow, others) = endpoints(tool);
    // autocannon reports p90 and p97.5 but no p95; its p97.5 of ~220 requests is too thin to gate.
    let p = if tool == "autocannon" { "p90" } else { "p95" };
    common::assert_only_slowed_endpoint(&v, &format!("{tool} {base:?}"), slow, p, &others);
}

#[test]
fn the_endpoint_slowed_by_15_ms_fails_on_its_p95_from_one_run_and_from_three() {
    for tool in TOOLS {
        assert_regression_caught(tool, &["baseline"], &["current"]);
        assert_regression_caught(
            tool,
            &["noise/run1", "noise/run2", "noise/run3"],
            &["current", "current-run2", "current-run3"],
        );
    }
}

#[test]
fn three_runs_per_side_are_compared_run_against_run() {
    for tool in ["k6-summary", "k6-ndjson"] {
        let (_, v) = analyze(
            tool,
            &["noise/run1", "noise/run2", "noise/run3"],
            &["current", "current-run2", "current-run3"],
        );
        let p95 = common::row(&v, "http_req_duration{name:search}", "p95");
        // Each run's p95 is one value: three per side, never the pooled requests or pooled batches.
        assert_eq!(p95["evidence"]["n_baseline"], 3, "{tool}: {p95}");
        assert_eq!(p95["evidence"]["n_current"], 3, "{tool}: {p95}");
    }
}

#[test]
fn one_ndjson_run_per_side_is_judged_on_batches_over_time() {
    let (code, v) = analyze("k6-ndjson", &["baseline"], &["current"]);
    assert_eq!(code, 1);
    let p95 = common::row(&v, "http_req_duration{name:search}", "p95");
    // Ten consecutive time batches per run: their p95s carry the run's own variation over time.
    assert_eq!(p95["evidence"]["method"], "within-run", "{p95}");
    assert_eq!(p95["evidence"]["outcome"], "significant", "{p95}");
    assert_eq!(p95["evidence"]["n_baseline"], 10, "{p95}");
    assert!(
        p95["evidence"]["ci_low_pct"].as_f64().unwrap() > 25.0,
        "{p95}"
    );
    assert!(
        p95["load_test"]["holm_p"].as_f64().unwrap() <= 0.01,
        "{p95}"
    );
    // The unchanged endpoint's p95 is tested the same way and stays quiet.
    let health = common::row(&v, "http_req_duration{name:health}", "p95");
    assert_eq!(health["evidence"]["method"], "within-run", "{health}");
    assert_eq!(health["severity"], "unchanged", "{health}");
}

/// Tiny deterministic PRNG (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn coin(&mut self) -> bool {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 63 == 1
    }
}

#[test]
fn random_halves_of_one_real_k6_ndjson_run_do_not_fail() {
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(
        std::fs::File::open(fixture("k6/noise/run1.ndjson.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    let mut failures = Vec::new();
    for seed in 1..=20u64 {
        let mut rng = Lcg(seed);
        let (mut a, mut b) = (String::new(), String::new());
        for line in text.lines() {
            if line.contains("\"type\":\"Metric\"") {
                a += line;
                a.push('\n');
                b += line;
                b.push('\n');
            } else if rng.coin() {
                a += line;
                a.push('\n');
            } else {
                b += line;
                b.push('\n');
            }
        }
        let sb = Sandbox::new();
        let (fa, fb) = (sb.write("a.ndjson", &a), sb.write("b.ndjson", &b));
        let out = sb
            .cmd()
            .args(["analyze", "-o", "json", "--baseline"])
            .arg(&fa)
            .arg(&fb)
            .output()
            .unwrap();
        if out.status.code() != Some(0) {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            failures.push(format!("seed {seed}: {:?}", failing(&v)));
        }
    }
    assert!(
        failures.len() <= 1,
        "{} of 20 splits failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn connection_phases_are_reported_not_gated() {
    let (_, v) = analyze("k6-ndjson", &["baseline"], &["current"]);
    for c in rows(&v) {
        let b = c["benchmark"].as_str().unwrap();
        if [
            "http_req_blocked",
            "http_req_connecting",
            "http_req_sending",
            "http_req_receiving",
            "http_req_waiting",
        ]
        .iter()
        .any(|p| b.starts_with(p))
        {
            assert_eq!(c["gated"], false, "{c}");
        }
    }
    // p99 of ~400 requests per endpoint is four requests deep: reported, too thin to gate, as data.
    let p99 = common::row(&v, "http_req_duration{name:search}", "p99");
    assert_eq!(p99["gated"], false, "{p99}");
    assert_eq!(p99["load_test"]["exemption"], "thin_percentile", "{p99}");
    assert!(p99["load_test"]["tail_requests"].as_f64().unwrap() < 10.0);
}

#[test]
fn the_policy_file_can_tighten_the_materiality_floor() {
    // health p95 4.04 → 5.63 ms between two unchanged runs: below the default 5 ms floor...
    let base = fixture("k6/noise/run1-summary.json");
    let cur = fixture("k6/noise/run3-summary.json");
    let sb = Sandbox::new();
    let v = sb.verdict(&[], &base, &[&cur], 0);
    let p95 = common::row(&v, "http_req_duration{name:health}", "p95");
    assert_eq!(p95["severity"], "unchanged", "{p95}");
    assert_eq!(p95["load_test"]["exemption"], "immaterial", "{p95}");
    // ...but a team that cares about a millisecond on this endpoint can say so.
    let cfg = sb.write(
        "perfgate.toml",
        "[[rule]]\nbenchmark = \"http_req_duration{name:health}\"\nmin_abs_change = 1.0\n",
    );
    let v = sb.verdict(&["--config", cfg.to_str().unwrap()], &base, &[&cur], 1);
    let p95 = common::row(&v, "http_req_duration{name:health}", "p95");
    assert_eq!(p95["severity"], "critical", "{p95}");
    assert_eq!(p95["load_test"]["material_change"], 1.0, "{p95}");
}
