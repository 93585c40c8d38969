//! Detection quality of perfgate's verdicts, by simulation: gate failures on generated runs whose true
//! change is known, perfgate beside the naive rule ("fail when the median is > 15 % worse").
//!
//! Every verdict comes from `perfgate::analyze::grade`, the function `perfgate analyze` calls after
//! reading the files: compare and grade every row, the load-test rules, family-wise control. The runs are
//! built as the readers build them (one run: the row's value and its samples; several runs: one value
//! per run, shown as their median), so only the file parsing is skipped.
//!
//! Noise, all in percent:
//! * a benchmark run is 20 iterations, log-normal with CV 5 %, 2 % of them × U(1.5, 3) (iteration
//!   outliers);
//! * each run has its own log-normal offset of sd 1, 3 or 5 % (between-run noise), and 5 % of runs are
//!   outlier runs × U(1.15, 1.5), a noisy neighbour for a whole run, drawn per benchmark (the worst case);
//! * a suite is 20 benchmarks (200 for the family-wise table); benchmark 0 carries the change, the others
//!   give the false alarms; a benchmark fails when its mean or median row fails the default gate;
//! * histories are 10 snapshots of main, one run each: stationary, one snapshot 40 % slow, a +20 % step
//!   merged at snapshot 6, or a creep of +2 % per snapshot that the PR continues;
//! * k6 summaries have 20 endpoints, 2 000 requests each, p50/p90/p95 per endpoint gated; each endpoint's
//!   percentiles share a log-normal run factor (sd 3, 5 or 10 %) and have 1 % jitter of their own.
//!
//! Run: `cargo run --release --example detection_quality [-- --reps 1000] [--json]` (the README's tables,
//! a few minutes on two cores at 1 000 replicates per cell).

#[path = "detection_quality/load_tests.rs"]
mod load_tests;

use perfgate::analyze::grade;
use perfgate::compare::{Comparison, Context};
use perfgate::model::{Direction, Metric, Run, Source, Unit};
use perfgate::policy::Policy;
use perfgate::severity::{FailOn, Severity};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

const ITERATIONS: usize = 20;
const NS: [usize; 5] = [1, 2, 3, 5, 10];
const CHANGES: [f64; 6] = [0.0, 0.10, 0.15, 0.20, 0.25, 0.50];
const SUITE: usize = 20;
const HISTORY: usize = 10;

#[derive(Clone, Copy)]
struct Noise {
    run_sd: f64,
    outlier_runs: bool,
}

impl Noise {
    fn label(self) -> String {
        format!(
            "{:.0} %{}",
            self.run_sd * 100.0,
            if self.outlier_runs {
                ", outlier runs"
            } else {
                ""
            }
        )
    }
}

struct Sim {
    reps: usize,
    json: bool,
    rng: StdRng,
    iter_noise: Normal<f64>,
}

fn lnorm_sigma(cv: f64) -> f64 {
    (1.0 + cv * cv).ln().sqrt()
}

impl Sim {
    /// One run's iterations of a benchmark whose true time is `scale`.
    fn run(&mut self, noise: Noise, scale: f64) -> Vec<f64> {
        let mut offset =
            (noise.run_sd * self.rng.sample::<f64, _>(rand_distr::StandardNormal)).exp();
        if noise.outlier_runs && self.rng.gen::<f64>() < 0.05 {
            offset *= self.rng.gen_range(1.15..1.5);
        }
        (0..ITERATIONS)
            .map(|_| {
                let mut x = scale * offset * self.iter_noise.sample(&mut self.rng).exp();
                if self.rng.gen::<f64>() < 0.02 {
                    x *= self.rng.gen_range(1.5..3.0);
                }
                x
            })
            .collect()
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn median(v: &[f64]) -> f64 {
    perfgate::stats::median(v).expect("values")
}

/// A row as the readers build it from `runs` (each one run's iterations).
fn row(runs: &[Vec<f64>], stat: fn(&[f64]) -> f64) -> Metric {
    let mut m = Metric::new(0.0, Unit::Milliseconds, Direction::LowerIsBetter);
    if runs.len() == 1 {
        m.value = stat(&runs[0]);
        m.samples = runs[0].clone();
    } else {
        m.runs = runs.iter().map(|r| stat(r)).collect();
        m.value = median(&m.runs);
    }
    m
}

fn insert_bench(run: &mut Run, name: &str, runs: &[Vec<f64>]) {
    run.insert(name, "mean", row(runs, mean));
    run.insert(name, "median", row(runs, median));
}

fn bench_name(i: usize) -> String {
    format!("bench{i:03}")
}

/// Which benchmarks fail the default gate, and which warn (medium or worse).
fn outcome(rows: &[Comparison], benches: usize) -> (Vec<bool>, Vec<bool>) {
    let (mut fail, mut warn) = (vec![false; benches], vec![false; benches]);
    for r in rows.iter().filter(|r| r.gated) {
        let i: usize = r
            .benchmark
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(0);
        if i < benches {
            fail[i] |= FailOn::High.fails(r.severity);
            warn[i] |= r.severity.is_regression() && r.severity >= Severity::Medium;
        }
    }
    (fail, warn)
}

/// A history scenario: the factor of snapshot `i` (0-based, oldest first) and of the PR before its own
/// change.
#[derive(Clone, Copy, PartialEq)]
enum History {
    Stationary,
    SlowSnapshot,
    MergedStep,
    Creep,
}

impl History {
    fn label(self) -> &'static str {
        match self {
            History::Stationary => "stationary",
            History::SlowSnapshot => "one snapshot 40 % slow",
            History::MergedStep => "+20 % step merged at snapshot 6",
            History::Creep => "creep +2 % per snapshot",
        }
    }

    fn factor(self, i: usize, slow_at: usize) -> f64 {
        match self {
            History::Stationary => 1.0,
            History::SlowSnapshot if i == slow_at => 1.4,
            History::SlowSnapshot => 1.0,
            History::MergedStep if i >= 5 => 1.2,
            History::MergedStep => 1.0,
            History::Creep => 1.02f64.powi(i as i32),
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    /// Benchmark 0 (the changed one): perfgate fail, warn, naive fail.
    fail: usize,
    warn: usize,
    naive: usize,
    /// The other benchmarks: perfgate fail, naive fail, and how many were judged.
    others_fail: usize,
    others_naive: usize,
    others: usize,
    /// Whole suites failing.
    suite_fail: usize,
    suite_naive: usize,
    reps: usize,
}

impl Counts {
    fn pct(n: usize, of: usize) -> f64 {
        100.0 * n as f64 / of.max(1) as f64
    }
    /// Fail rate of the changed benchmark; at no change, the per-row rate over every benchmark.
    fn power(&self, change: f64) -> (f64, f64) {
        if change == 0.0 {
            (
                Self::pct(self.fail + self.others_fail, self.reps + self.others),
                Self::pct(self.naive + self.others_naive, self.reps + self.others),
            )
        } else {
            (
                Self::pct(self.fail, self.reps),
                Self::pct(self.naive, self.reps),
            )
        }
    }
}

/// One cell: `benches` benchmarks, `n` runs per side, benchmark 0 slowed by `change`, optionally a
/// history (then the baseline is the latest snapshot, as `perfgate analyze` against a stored name).
fn cell(
    sim: &mut Sim,
    noise: Noise,
    n: usize,
    change: f64,
    benches: usize,
    history: Option<History>,
) -> Counts {
    let policy = Policy::default();
    let mut c = Counts::default();
    for _ in 0..sim.reps {
        let slow_at = sim.rng.gen_range(0..HISTORY);
        let (mut base, mut cur) = (Run::default(), Run::default());
        let mut snaps = vec![Run::default(); history.map_or(0, |_| HISTORY)];
        let mut naive = vec![false; benches];
        for (b, naive_b) in naive.iter_mut().enumerate() {
            let name = bench_name(b);
            let pr = history.map_or(1.0, |h| h.factor(HISTORY, slow_at))
                * if b == 0 { 1.0 + change } else { 1.0 };
            let cur_runs: Vec<Vec<f64>> = (0..n).map(|_| sim.run(noise, pr)).collect();
            let base_runs: Vec<Vec<f64>> = match history {
                Some(h) => {
                    let mut last = Vec::new();
                    for (i, snap) in snaps.iter_mut().enumerate() {
                        let r = vec![sim.run(noise, h.factor(i, slow_at))];
                        insert_bench(snap, &name, &r);
                        last = r;
                    }
                    last
                }
                None => (0..n).map(|_| sim.run(noise, 1.0)).collect(),
            };
            insert_bench(&mut base, &name, &base_runs);
            insert_bench(&mut cur, &name, &cur_runs);
            let (bv, cv) = (
                base.metric(&name, "median").expect("row").value,
                cur.metric(&name, "median").expect("row").value,
            );
            *naive_b = cv / bv > 1.15;
        }
        let ctx = Context {
            policy: &policy,
            history: &snaps,
        };
        let rows = grade(&base, &cur, &ctx, FailOn::High).expect("comparable");
        let (fail, warn) = outcome(&rows, benches);
        c.reps += 1;
        c.fail += usize::from(fail[0]);
        c.warn += usize::from(warn[0]);
        c.naive += usize::from(naive[0]);
        c.others += benches - 1;
        c.others_fail += fail[1..].iter().filter(|f| **f).count();
        c.others_naive += naive[1..].iter().filter(|f| **f).count();
        c.suite_fail += usize::from(fail.iter().any(|f| *f));
        c.suite_naive += usize::from(naive.iter().any(|f| *f));
    }
    c
}

/// A k6 summary run of `endpoints` endpoints; endpoint 0's p95 (and p99) slowed by `change`.
fn k6_run(sim: &mut Sim, sd: f64, endpoints: usize, change: f64) -> Run {
    let mut run = Run {
        sources: vec![Source {
            path: "summary.json".into(),
            format: "k6-summary".into(),
            tool: "k6".into(),
        }],
        ..Run::default()
    };
    let ms = |v| Metric::new(v, Unit::Milliseconds, Direction::LowerIsBetter);
    for e in 0..endpoints {
        let bench = format!("http_req_duration{{name:e{e:02}}}");
        let p50 = 40.0 + 10.0 * e as f64;
        let factor = (sd * sim.rng.sample::<f64, _>(rand_distr::StandardNormal)).exp();
        for (metric, mult, gated) in [
            ("p50", 1.0, true),
            ("p90", 1.6, true),
            ("p95", 2.0, true),
            ("p99", 3.0, false),
        ] {
            let jitter = (0.01 * sim.rng.sample::<f64, _>(rand_distr::StandardNormal)).exp();
            let slowed = if e == 0 && (metric == "p95" || metric == "p99") {
                1.0 + change
            } else {
                1.0
            };
            let mut m = ms(p50 * mult * factor * jitter * slowed);
            m.gated = gated;
            run.insert(&bench, metric, m);
        }
        run.insert(
            &bench,
            "count",
            Metric::new(2000.0, Unit::Count, Direction::HigherIsBetter).informational(),
        );
    }
    run
}

/// k6 cell: unchanged-test fail rate and the slowed endpoint's p95 fail rate, with or without a
/// 10-snapshot history; naive beside.
fn k6_cell(sim: &mut Sim, sd: f64, change: f64, with_history: bool) -> (f64, f64) {
    let policy = Policy::default();
    let (mut fails, mut naive) = (0, 0);
    for _ in 0..sim.reps {
        let snaps: Vec<Run> = if with_history {
            (0..HISTORY).map(|_| k6_run(sim, sd, 20, 0.0)).collect()
        } else {
            Vec::new()
        };
        let base = snaps
            .last()
            .cloned()
            .unwrap_or_else(|| k6_run(sim, sd, 20, 0.0));
        let cur = k6_run(sim, sd, 20, change);
        let ctx = Context {
            policy: &policy,
            history: &snaps,
        };
        let rows = grade(&base, &cur, &ctx, FailOn::High).expect("comparable");
        let failed = |r: &&Comparison| r.gated && FailOn::High.fails(r.severity);
        let naive_fails = |r: &&Comparison| {
            r.gated
                && r.unit == Unit::Milliseconds
                && cur.metric(&r.benchmark, &r.metric).unwrap().value
                    / base.metric(&r.benchmark, &r.metric).unwrap().value
                    > 1.15
        };
        let target =
            |r: &&Comparison| r.benchmark == "http_req_duration{name:e00}" && r.metric == "p95";
        if change == 0.0 {
            fails += usize::from(rows.iter().any(|r| failed(&r)));
            naive += usize::from(rows.iter().any(|r| naive_fails(&r)));
        } else {
            fails += usize::from(rows.iter().filter(target).any(|r| failed(&r)));
            naive += usize::from(rows.iter().filter(target).any(|r| naive_fails(&r)));
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / sim.reps as f64;
    (pct(fails), pct(naive))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_default();
    let mut sim = Sim {
        reps,
        json: args.iter().any(|a| a == "--json"),
        rng: StdRng::seed_from_u64(23),
        iter_noise: Normal::new(0.0, lnorm_sigma(0.05)).expect("sigma"),
    };
    let mut json = Vec::new();
    let want = |t: &str| only.is_empty() || only == t;
    println!("{reps} replicates per cell; status fail %, perfgate / naive > 15 %\n");

    if want("runs") {
        println!("## Runs per side, no history (suite of {SUITE}; at +0 % the per-row rate)\n");
        print!("| between-run sd | n/side |");
        for ch in CHANGES {
            print!(" +{:.0} % |", ch * 100.0);
        }
        println!("\n|---|---|{}", "---:|".repeat(CHANGES.len()));
        let noises = [
            Noise {
                run_sd: 0.03,
                outlier_runs: true,
            },
            Noise {
                run_sd: 0.01,
                outlier_runs: true,
            },
            Noise {
                run_sd: 0.05,
                outlier_runs: true,
            },
            Noise {
                run_sd: 0.03,
                outlier_runs: false,
            },
        ];
        for noise in noises {
            for n in NS {
                print!("| {} | {n} |", noise.label());
                for ch in CHANGES {
                    let c = cell(&mut sim, noise, n, ch, SUITE, None);
                    let (p, naive) = c.power(ch);
                    print!(" {p:.1} / {naive:.1} |");
                    json.push(
                        serde_json::json!({"table": "runs", "noise": noise.label(), "n": n,
                        "change": ch, "perfgate": p, "naive": naive}),
                    );
                }
                println!();
            }
        }
        // One benchmark alone: nothing but its own runs and the floor measure its noise.
        let noise = Noise {
            run_sd: 0.03,
            outlier_runs: true,
        };
        for n in [2, 3] {
            print!("| {} (one benchmark alone) | {n} |", noise.label());
            for ch in CHANGES {
                let c = cell(&mut sim, noise, n, ch, 1, None);
                let (p, naive) = c.power(ch);
                print!(" {p:.1} / {naive:.1} |");
                json.push(
                    serde_json::json!({"table": "runs-alone", "noise": noise.label(), "n": n,
                    "change": ch, "perfgate": p, "naive": naive}),
                );
            }
            println!();
        }
        println!();
    }

    if want("history") {
        println!("## One run per side, 10-snapshot history on main (suite of {SUITE}; at +0 % the per-row rate)\n");
        println!("| between-run sd | history | PR change | perfgate fail | perfgate warn+ | naive vs latest |");
        println!("|---|---|---|---:|---:|---:|");
        for sd in [0.03, 0.01, 0.05] {
            let noise = Noise {
                run_sd: sd,
                outlier_runs: true,
            };
            for h in [
                History::Stationary,
                History::SlowSnapshot,
                History::MergedStep,
                History::Creep,
            ] {
                for ch in [0.0, 0.20, 0.50] {
                    if sd != 0.03 && ch == 0.50 {
                        continue;
                    }
                    let c = cell(&mut sim, noise, 1, ch, SUITE, Some(h));
                    let (p, naive) = c.power(ch);
                    let warn = Counts::pct(c.warn, c.reps);
                    println!(
                        "| {} | {} | +{:.0} % | {p:.1} | {warn:.1} | {naive:.1} |",
                        noise.label(),
                        h.label(),
                        ch * 100.0
                    );
                    json.push(serde_json::json!({"table": "history", "noise": noise.label(), "history": h.label(),
                        "change": ch, "perfgate": p, "warn": warn, "naive": naive}));
                }
            }
        }
        println!();
    }

    if want("suite") {
        println!("## 200-benchmark suite of unchanged code: suites failing %\n");
        println!("| between-run sd | design | perfgate | naive > 15 % |");
        println!("|---|---|---:|---:|");
        for noise in [
            Noise {
                run_sd: 0.03,
                outlier_runs: true,
            },
            Noise {
                run_sd: 0.03,
                outlier_runs: false,
            },
        ] {
            for (label, n, h) in [
                ("1 run per side, no history", 1, None),
                (
                    "1 run per side, 10-snapshot history",
                    1,
                    Some(History::Stationary),
                ),
                ("3 runs per side", 3, None),
            ] {
                let c = cell(&mut sim, noise, n, 0.0, 200, h);
                let (p, naive) = (
                    Counts::pct(c.suite_fail, c.reps),
                    Counts::pct(c.suite_naive, c.reps),
                );
                println!("| {} | {label} | {p:.1} | {naive:.1} |", noise.label());
                json.push(
                    serde_json::json!({"table": "suite", "noise": noise.label(), "design": label,
                    "perfgate": p, "naive": naive}),
                );
            }
        }
        println!();
    }

    if want("k6") {
        println!("## k6 summaries, 20 endpoints: unchanged test fails % / +20 % p95 on one endpoint fails %\n");
        println!("| run-to-run sd | design | unchanged: perfgate / naive | +20 % p95: perfgate / naive |");
        println!("|---|---|---|---|");
        for sd in [0.03, 0.05, 0.10] {
            for (label, hist) in [
                ("one summary per side", false),
                ("10-snapshot history", true),
            ] {
                let (f0, n0) = k6_cell(&mut sim, sd, 0.0, hist);
                let (f1, n1) = k6_cell(&mut sim, sd, 0.20, hist);
                println!(
                    "| {:.0} % | {label} | {f0:.1} / {n0:.1} | {f1:.1} / {n1:.1} |",
                    sd * 100.0
                );
                json.push(serde_json::json!({"table": "k6", "sd": sd, "design": label,
                    "unchanged": f0, "unchanged_naive": n0, "p95_20": f1, "p95_20_naive": n1}));
            }
        }
        println!();
    }

    if want("fixtures") {
        json.extend(load_tests::report(false));
    }
    if sim.json {
        println!("{}", serde_json::Value::Array(json));
    }
}
