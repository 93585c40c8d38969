//! Detection quality of the load-test rules on the real runs in fixtures/{k6,artillery,autocannon}.
//!
//! False alarms: every pair of the six unchanged runs (15 pairs, 1 vs 1) and every split of them into
//! three against three (10 splits, 3 vs 3; each split once, as the baseline side is the first three). Power:
//! the same comparisons with the slowed endpoint's latency rows on the current side multiplied by 1 + s,
//! and the real regression (/search 20 → 35 ms: each of the six unchanged runs against each of the three
//! slowed runs, 18 pairs; and every three unchanged runs against the three slowed, 20 comparisons).
//! "Flagged" means the gate fails (a gated row graded high or worse), through the code `perfgate analyze`
//! runs: readers, `analyze::grade`, `Verdict`.

use std::path::{Path, PathBuf};

use perfgate::analyze::grade;
use perfgate::compare::Context;
use perfgate::input::read_files;
use perfgate::loadtest;
use perfgate::model::Run;
use perfgate::policy::Policy;
use perfgate::severity::FailOn;
use perfgate::verdict::{Inputs, Verdict};

const SCALES: [f64; 4] = [0.0, 0.10, 0.25, 0.50];

struct Tool {
    name: &'static str,
    dir: &'static str,
    /// File names of one run, from its stem.
    files: fn(&str) -> Vec<String>,
    /// The slowed endpoint's benchmark.
    slow: &'static str,
}

const TOOLS: &[Tool] = &[
    Tool {
        name: "k6 summary",
        dir: "k6",
        files: |s| vec![format!("{s}-summary.json")],
        slow: "http_req_duration{name:search}",
    },
    Tool {
        name: "k6 NDJSON",
        dir: "k6",
        files: |s| vec![format!("{s}.ndjson.gz")],
        slow: "http_req_duration{name:search}",
    },
    Tool {
        name: "Artillery",
        dir: "artillery",
        files: |s| vec![format!("{s}.json")],
        slow: "http.response_time{endpoint:/search}",
    },
    Tool {
        name: "autocannon",
        dir: "autocannon",
        files: |s| {
            ["health", "items", "search"]
                .iter()
                .map(|e| format!("{s}-{e}.json"))
                .collect()
        },
        slow: "/search",
    },
];

fn read(tool: &Tool, stems: &[String]) -> Run {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(tool.dir);
    let paths: Vec<PathBuf> = stems
        .iter()
        .flat_map(|s| (tool.files)(s))
        .map(|f| root.join(f))
        .collect();
    let mut run = read_files(&paths, None).unwrap_or_else(|e| panic!("{}: {e}", tool.name));
    loadtest::prepare(&mut run);
    run
}

/// The current run with the slowed endpoint's time rows (their per-run, sample and batch values too)
/// scaled by 1 + s.
fn slowed(run: &Run, bench: &str, s: f64) -> Run {
    let mut run = run.clone();
    if let Some(b) = run.benchmarks.get_mut(bench) {
        for m in b.metrics.values_mut().filter(|m| m.unit.nanos().is_some()) {
            m.value *= 1.0 + s;
            m.runs.iter_mut().for_each(|v| *v *= 1.0 + s);
            m.samples.iter_mut().for_each(|v| *v *= 1.0 + s);
            m.batches.iter_mut().for_each(|v| *v *= 1.0 + s);
        }
    }
    run
}

fn fails(base: &Run, cur: &Run, policy: &Policy) -> bool {
    let rows = grade(base, cur, &Context::new(policy), FailOn::High).expect("comparable");
    if std::env::var_os("DQ_DEBUG").is_some() {
        for r in rows
            .iter()
            .filter(|r| (r.metric == "p95" || r.metric == "p90") && r.gated)
        {
            eprintln!(
                "{} {:?} {:?} {:?} {:?} {:?}",
                r.benchmark, r.severity, r.baseline, r.current, r.evidence, r.load_test
            );
        }
    }
    Verdict::new(None, Inputs::default(), rows, FailOn::High, Vec::new()).gate_failed()
}

fn noise(i: usize) -> String {
    format!("noise/run{i}")
}

fn triples() -> Vec<[usize; 3]> {
    let mut out = Vec::new();
    for a in 1..=6 {
        for b in a + 1..=6 {
            for c in b + 1..=6 {
                out.push([a, b, c]);
            }
        }
    }
    out
}

/// Prints the load-test table (markdown) and returns it as JSON rows.
pub fn report(json: bool) -> Vec<serde_json::Value> {
    let policy = Policy::default();
    let mut out = Vec::new();
    if !json {
        println!("\nLoad-test rows, real runs (fixtures/k6, artillery, autocannon): % of comparisons failing the gate");
        println!("(0 % = false alarms on unchanged code; +s % = slowed endpoint's latency rows scaled on the");
        println!("current side; +15 ms = the recorded regression, /search 20 → 35 ms)\n");
        println!("| tool | design | comparisons | 0 % | +10 % | +25 % | +50 % | +15 ms (real) |");
        println!("|---|---|---|---|---|---|---|---|");
    }
    for tool in TOOLS {
        let one: Vec<Run> = (1..=6).map(|i| read(tool, &[noise(i)])).collect();
        let slow_one: Vec<Run> = ["current", "current-run2", "current-run3"]
            .iter()
            .map(|s| read(tool, &[s.to_string()]))
            .collect();
        let slow_three = read(
            tool,
            &["current", "current-run2", "current-run3"].map(String::from),
        );
        for design in ["1 vs 1", "3 vs 3"] {
            let pairs: Vec<(Run, Run)> = if design == "1 vs 1" {
                let mut v = Vec::new();
                for i in 0..6 {
                    for j in i + 1..6 {
                        v.push((one[i].clone(), one[j].clone()));
                    }
                }
                v
            } else {
                triples()
                    .into_iter()
                    .filter(|t| t[0] == 1)
                    .map(|t| {
                        let rest: Vec<String> =
                            (1..=6).filter(|i| !t.contains(i)).map(noise).collect();
                        (read(tool, &t.map(noise)), read(tool, &rest))
                    })
                    .collect()
            };
            let mut rates = Vec::new();
            for s in SCALES {
                let n = pairs
                    .iter()
                    .filter(|(b, c)| fails(b, &slowed(c, tool.slow, s), &policy))
                    .count();
                rates.push(100.0 * n as f64 / pairs.len() as f64);
            }
            let real: Vec<bool> = if design == "1 vs 1" {
                one.iter()
                    .flat_map(|b| slow_one.iter().map(move |c| (b, c)))
                    .map(|(b, c)| fails(b, c, &policy))
                    .collect()
            } else {
                triples()
                    .into_iter()
                    .map(|t| fails(&read(tool, &t.map(noise)), &slow_three, &policy))
                    .collect()
            };
            let real_pct = 100.0 * real.iter().filter(|f| **f).count() as f64 / real.len() as f64;
            if !json {
                println!(
                    "| {} | {design} | {} / {} | {:.0} | {:.0} | {:.0} | {:.0} | {real_pct:.0} |",
                    tool.name,
                    pairs.len(),
                    real.len(),
                    rates[0],
                    rates[1],
                    rates[2],
                    rates[3]
                );
            }
            out.push(serde_json::json!({
                "tool": tool.name, "design": design, "comparisons": pairs.len(),
                "flagged_pct": SCALES.iter().zip(&rates).map(|(s, r)| serde_json::json!({"slowdown": s, "pct": r})).collect::<Vec<_>>(),
                "real_regression_comparisons": real.len(), "real_regression_flagged_pct": real_pct,
            }));
        }
    }
    out
}
