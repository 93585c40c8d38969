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
//! Run: `cargo run --release --example detection_quality [-- --reps 1000] [--json]` (the tables of docs/noise.md, "Detection quality", and docs/load-tests.md,
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
    /// The noisy neighbour slows a whole suite run (every benchmark of it) rather than one benchmark.
    per_suite: bool,
}

const fn noise(run_sd: f64, outlier_runs: bool) -> Noise {
    Noise {
        run_sd,
        outlier_runs,
        per_suite: false,
    }
}

impl Noise {
    fn label(self) -> String {
        format!(
            "{:.0} %{}",
            self.run_sd * 100.0,
            match (self.outlier_runs, self.per_suite) {
                (true, true) => ", outlier suite runs",
                (true, false) => ", outlier runs",
                _ => "",
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
    /// A run's outlier factor: × U(1.15, 1.5) for 5 % of runs with outlier runs, else 1.
    fn outlier(&mut self, noise: Noise) -> f64 {
        if noise.outlier_runs && self.rng.gen::<f64>() < 0.05 {
            self.rng.gen_range(1.15..1.5)
        } else {
            1.0
        }
    }

    /// One run's iterations of a benchmark whose true time is `scale`, and the run's own factor (its
    /// offset times its outlier factor). `suite` is the suite run's outlier factor when the noisy
    /// neighbour slows whole suite runs.
    fn run(&mut self, noise: Noise, scale: f64, suite: Option<f64>) -> (Vec<f64>, f64) {
        let mut offset =
            (noise.run_sd * self.rng.sample::<f64, _>(rand_distr::StandardNormal)).exp();
        offset *= match suite {
            Some(f) => f,
            None => self.outlier(noise),
        };
        let iterations = (0..ITERATIONS)
            .map(|_| {
                let mut x = scale * offset * self.iter_noise.sample(&mut self.rng).exp();
                if self.rng.gen::<f64>() < 0.02 {
                    x *= self.rng.gen_range(1.5..3.0);
                }
                x
            })
            .collect();
        (iterations, offset)
    }
}

/// Whether a run's own factor is beyond the failing band: no rule that sees one run per side can tell
/// that run from a regression of that size.
fn beyond_band(factor: f64) -> bool {
    factor > 1.15
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
    /// Rows (every benchmark) most of whose current runs are beyond the failing band by their own noise,
    /// and suites with at least one such row: the information bound.
    bound_rows: usize,
    bound_suites: usize,
    /// Warnings of benchmark 0, by cause: raised by drift, and judged on a segment that does not start
    /// at the merged step (the change point missed or misplaced).
    warn_drift: usize,
    warn_segment: usize,
}

impl Counts {
    fn pct(n: usize, of: usize) -> f64 {
        100.0 * n as f64 / of.max(1) as f64
    }
    /// Fail rate of the changed benchmark; at no change, the per-row rate over every benchmark.
    /// The information bound per row, in %.
    fn bound(&self) -> f64 {
        Self::pct(self.bound_rows, self.reps + self.others)
    }
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
        // The suite runs' outlier factors when the noisy neighbour slows whole suite runs: the current
        // side's runs, the baseline side's runs, the snapshots.
        let mut suite_factors = |k: usize| -> Vec<Option<f64>> {
            (0..k)
                .map(|_| noise.per_suite.then(|| sim.outlier(noise)))
                .collect()
        };
        let (cur_f, base_f, snap_f) = (suite_factors(n), suite_factors(n), suite_factors(HISTORY));
        let mut bound_any = false;
        for (b, naive_b) in naive.iter_mut().enumerate() {
            let name = bench_name(b);
            let pr = history.map_or(1.0, |h| h.factor(HISTORY, slow_at))
                * if b == 0 { 1.0 + change } else { 1.0 };
            let mut cur_runs = Vec::with_capacity(n);
            let mut beyond = 0;
            for f in &cur_f {
                let (r, factor) = sim.run(noise, pr, *f);
                beyond += usize::from(beyond_band(factor));
                cur_runs.push(r);
            }
            // Most of the current side's runs beyond the band: nothing in the data tells them from a
            // regression.
            if 2 * beyond > n {
                c.bound_rows += 1;
                bound_any = true;
            }
            let base_runs: Vec<Vec<f64>> = match history {
                Some(h) => {
                    let mut last = Vec::new();
                    for (i, snap) in snaps.iter_mut().enumerate() {
                        let r = vec![sim.run(noise, h.factor(i, slow_at), snap_f[i]).0];
                        insert_bench(snap, &name, &r);
                        last = r;
                    }
                    last
                }
                None => base_f.iter().map(|f| sim.run(noise, 1.0, *f).0).collect(),
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
        if warn[0] {
            let warned = rows.iter().filter(|r| {
                r.benchmark == bench_name(0) && r.gated && r.severity >= Severity::Medium
            });
            let (mut drift, mut segment) = (false, false);
            for r in warned {
                let e = r.evidence.as_ref();
                drift |= e.and_then(|e| e.adjustment)
                    == Some(perfgate::evidence::Adjustment::RaisedByDrift);
                segment |= history == Some(History::MergedStep)
                    && e.and_then(|e| e.segment_len) != Some(HISTORY - 5);
            }
            c.warn_drift += usize::from(drift);
            c.warn_segment += usize::from(segment);
        }
        c.reps += 1;
        c.bound_suites += usize::from(bound_any);
        c.fail += usize::from(fail[0]);
        c.warn += usize::from(warn[0]);
        c.naive += usize::from(naive[0]);
        c.others += benches - 1;
        c.others_fail += fail[1..].iter().filter(|f| **f).count();
        c.others_naive += naive[1..].iter().filter(|f| **f).count();
        c.suite_fail += usize::from(fail.iter().any(|f| *f));
        c.suite_naive += usize::from(naive.iter().any(|f| *f));
        if std::env::var_os("DQ_DEBUG").is_some() && change == 0.0 {
            for r in rows
                .iter()
                .filter(|r| r.gated && FailOn::High.fails(r.severity))
            {
                eprintln!(
                    "{} {} {:?} {:?} {:?}",
                    r.benchmark, r.metric, r.baseline, r.current, r.evidence
                );
            }
        }
    }
    c
}

/// Where a k6 test's change is: endpoint 0's p95 (and p99), or every percentile of every endpoint.
#[derive(Clone, Copy, PartialEq)]
enum K6Change {
    OneP95,
    EveryEndpoint,
}

/// A k6 summary run of `endpoints` endpoints slowed by `change` where `at` says; every endpoint slowed
/// by `outlier` (a noisy neighbour slows the whole test run).
fn k6_run(
    sim: &mut Sim,
    sd: f64,
    endpoints: usize,
    (change, at): (f64, K6Change),
    outlier: f64,
) -> Run {
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
        let factor = outlier * (sd * sim.rng.sample::<f64, _>(rand_distr::StandardNormal)).exp();
        for (metric, mult, gated) in [
            ("p50", 1.0, true),
            ("p90", 1.6, true),
            ("p95", 2.0, true),
            ("p99", 3.0, false),
        ] {
            let jitter = (0.01 * sim.rng.sample::<f64, _>(rand_distr::StandardNormal)).exp();
            let target = e == 0 && (metric == "p95" || metric == "p99");
            let slowed = if at == K6Change::EveryEndpoint || target {
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
/// 10-snapshot history; naive beside; and the share of current runs that are outlier runs beyond the
/// failing band (with outlier runs: 5 % of whole test runs × U(1.15, 1.5)).
fn k6_cell(
    sim: &mut Sim,
    sd: f64,
    outliers: bool,
    (change, at): (f64, K6Change),
    with_history: bool,
) -> (f64, f64, f64) {
    let policy = Policy::default();
    let (mut fails, mut naive, mut bound) = (0, 0, 0);
    let n = noise(sd, outliers);
    for _ in 0..sim.reps {
        let snaps: Vec<Run> = if with_history {
            (0..HISTORY)
                .map(|_| {
                    let o = sim.outlier(n);
                    k6_run(sim, sd, 20, (0.0, at), o)
                })
                .collect()
        } else {
            Vec::new()
        };
        let base = match snaps.last() {
            Some(last) => last.clone(),
            None => {
                let o = sim.outlier(n);
                k6_run(sim, sd, 20, (0.0, at), o)
            }
        };
        let o = sim.outlier(n);
        bound += usize::from(beyond_band(o));
        let cur = k6_run(sim, sd, 20, (change, at), o);
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
        if change == 0.0 || at == K6Change::EveryEndpoint {
            fails += usize::from(rows.iter().any(|r| failed(&r)));
            naive += usize::from(rows.iter().any(|r| naive_fails(&r)));
        } else {
            fails += usize::from(rows.iter().filter(target).any(|r| failed(&r)));
            naive += usize::from(rows.iter().filter(target).any(|r| naive_fails(&r)));
        }
    }
    let pct = |n: usize| 100.0 * n as f64 / sim.reps as f64;
    (pct(fails), pct(naive), pct(bound))
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
            noise(0.03, true),
            noise(0.01, true),
            noise(0.05, true),
            noise(0.03, false),
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
        let noise = noise(0.03, true);
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
        let mut diagnoses = Vec::new();
        println!("## One run per side, 10-snapshot history on main (suite of {SUITE}; at +0 % the per-row rate)\n");
        println!("| between-run sd | history | PR change | perfgate fail | perfgate warn+ | naive vs latest | bound |");
        println!("|---|---|---|---:|---:|---:|---:|");
        for sd in [0.03, 0.01, 0.05] {
            let noise = noise(sd, true);
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
                    // The share of rows whose current run alone is beyond the failing band.
                    let bound = if ch == 0.0 {
                        format!("{:.1}", c.bound())
                    } else {
                        "".into()
                    };
                    println!(
                        "| {} | {} | +{:.0} % | {p:.1} | {warn:.1} | {naive:.1} | {bound} |",
                        noise.label(),
                        h.label(),
                        ch * 100.0
                    );
                    if ch == 0.0 && c.warn > 0 {
                        diagnoses.push(format!(
                            "{}, {}: benchmark 0 warns {warn:.1} %: {:.1} % raised by drift, {:.1} % on a segment not starting at the step",
                            noise.label(),
                            h.label(),
                            Counts::pct(c.warn_drift, c.reps),
                            Counts::pct(c.warn_segment, c.reps)
                        ));
                    }
                    json.push(serde_json::json!({"table": "history", "noise": noise.label(), "history": h.label(),
                        "change": ch, "perfgate": p, "warn": warn, "naive": naive, "bound": c.bound(),
                        "warn_drift": Counts::pct(c.warn_drift, c.reps),
                        "warn_segment": Counts::pct(c.warn_segment, c.reps)}));
                }
            }
        }
        println!();
        if std::env::var_os("DQ_DEBUG").is_some() {
            for d in &diagnoses {
                println!("{d}");
            }
        }
        json.push(serde_json::json!({"table": "history-diagnoses", "lines": diagnoses}));
    }

    if want("suite") {
        println!("## 200-benchmark suite of unchanged code: suites failing %\n");
        println!("| between-run sd | design | perfgate | naive > 15 % | bound |");
        println!("|---|---|---:|---:|---:|");
        let per_suite = Noise {
            per_suite: true,
            ..noise(0.03, true)
        };
        for noise in [noise(0.03, true), per_suite, noise(0.03, false)] {
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
                // Suites with at least one current run beyond the failing band by its own noise.
                let bound = Counts::pct(c.bound_suites, c.reps);
                println!(
                    "| {} | {label} | {p:.1} | {naive:.1} | {bound:.1} |",
                    noise.label()
                );
                json.push(
                    serde_json::json!({"table": "suite", "noise": noise.label(), "design": label,
                    "perfgate": p, "naive": naive, "bound": bound}),
                );
            }
        }
        println!();
    }

    if want("k6") {
        println!("## k6 summaries, 20 endpoints: unchanged test fails % / +20 % p95 on one endpoint fails %\n");
        println!("| run-to-run sd | design | unchanged: perfgate / naive | +20 % p95: perfgate / naive | +20 % every endpoint: perfgate / naive | bound |");
        println!("|---|---|---|---|---|---:|");
        let designs = [
            (0.03, false, "one summary per side", false),
            (0.03, false, "10-snapshot history", true),
            (0.03, true, "10-snapshot history", true),
            (0.05, false, "one summary per side", false),
            (0.05, false, "10-snapshot history", true),
            (0.10, false, "one summary per side", false),
            (0.10, false, "10-snapshot history", true),
        ];
        for (sd, outliers, label, hist) in designs {
            let (f0, n0, b0) = k6_cell(&mut sim, sd, outliers, (0.0, K6Change::OneP95), hist);
            let (f1, n1, _) = k6_cell(&mut sim, sd, outliers, (0.20, K6Change::OneP95), hist);
            let (f2, n2, _) = k6_cell(
                &mut sim,
                sd,
                outliers,
                (0.20, K6Change::EveryEndpoint),
                hist,
            );
            let bound = if outliers {
                format!("{b0:.1}")
            } else {
                String::new()
            };
            println!(
                "| {} | {label} | {f0:.1} / {n0:.1} | {f1:.1} / {n1:.1} | {f2:.1} / {n2:.1} | {bound} |",
                noise(sd, outliers).label()
            );
            json.push(serde_json::json!({"table": "k6", "sd": sd, "outlier_runs": outliers, "design": label,
                "unchanged": f0, "unchanged_naive": n0, "p95_20": f1, "p95_20_naive": n1,
                "every_endpoint_20": f2, "every_endpoint_20_naive": n2, "bound": b0}));
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
