//! Detection quality of perfgate's decision rule, by simulation, from one run per side to ten.
//!
//! Each simulated run holds `--samples` within-run samples (iterations; default 50). Runs differ from each other by
//! more than their samples suggest: every run is multiplied by its own log-normal factor whose sd is
//! `RUN_RATIO` times the run's within-run standard error (3.4–6.7 measured on the same-code noise sets in
//! `fixtures/`). For every cell (within-run CV × noise shape × runs per side × true slowdown) the example
//! draws a baseline and a current side and judges two rows with perfgate's own code (`evidence`, the code
//! `perfgate analyze` uses): the median row and the mean row. With one run per side the rows are judged
//! on the run's samples (`judge_within_run`); with more, each run's median or mean is one observation
//! (`judge_runs`). It counts how often each row is flagged as a regression (any severity): at 0 % that is
//! the false-alarm rate, above it the power. The naive rule (the row more than 5 % worse) is the contrast.
//!
//! Noise shapes (multiplicative): `clean` log-normal with the CV; `outliers` 5 % of samples × U(1.5, 3);
//! `bimodal` 30 % of samples in a mode 20 % slower; `heavy` 1 % of samples × U(3, 30). Shape changes
//! (power only): `mode shift`, a slow mode twice as slow growing from 30 % to 70 % of samples; `heavy
//! tail`, 10 % of current samples three times slower (mean +20 %, median about +3 %). `offset` adds a 2 %
//! log-normal factor shared by all runs of a side (baseline and current on different runners): no
//! comparison of runs can tell that from a regression.
//!
//! Run: `cargo run --release --example detection_quality [-- --reps 400] [--samples 50] [--json]` (a few
//! seconds at the default 400 replicates per cell; `--reps 4000` for the README's table).

#[path = "detection_quality/load_tests.rs"]
mod load_tests;

use perfgate::evidence::{judge_runs, judge_within_run, Judgement, Statistic};
use perfgate::model::Direction;
use perfgate::severity::Bands;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

const CVS: [f64; 4] = [0.02, 0.05, 0.10, 0.15];
const SHAPES: [&str; 4] = ["clean", "outliers", "bimodal", "heavy"];
const NS: [usize; 6] = [1, 2, 3, 4, 5, 10];
const SHIFTS: [f64; 4] = [0.0, 0.05, 0.10, 0.25];
const RUN_RATIO: f64 = 3.0;
/// Rows judged, and the rules counted: perfgate and naive for each row.
const ROWS: [&str; 2] = ["median", "mean"];

#[derive(Clone, Copy, PartialEq)]
enum Change {
    Slower(f64),
    ModeShift,
    HeavyTail,
}

struct Cell {
    cv: f64,
    shape: &'static str,
    n: usize,
    change: Change,
    /// Flagged counts: [median perfgate, median naive, mean perfgate, mean naive].
    flagged: [usize; 4],
    reps: usize,
}

/// One run's samples.
fn draw_run(
    rng: &mut StdRng,
    sim: &Sim,
    cv: f64,
    shape: &str,
    scale: f64,
    slow_share: f64,
) -> Vec<f64> {
    let sigma = (1.0 + cv * cv).ln().sqrt();
    let noise = Normal::new(0.0, sigma).expect("valid sigma");
    let run_sd = RUN_RATIO * sigma / (sim.samples as f64).sqrt();
    let run = Normal::new(0.0, run_sd)
        .expect("valid sd")
        .sample(rng)
        .exp();
    (0..sim.samples)
        .map(|_| {
            let mut x = scale * run * noise.sample(rng).exp();
            match shape {
                "outliers" if rng.gen::<f64>() < 0.05 => x *= rng.gen_range(1.5..3.0),
                "bimodal" if rng.gen::<f64>() < 0.30 => x *= 1.20,
                "heavy" if rng.gen::<f64>() < 0.01 => x *= rng.gen_range(3.0..30.0),
                _ => {}
            }
            if slow_share > 0.0 && rng.gen::<f64>() < slow_share {
                x *= if shape == "tail" { 3.0 } else { 2.0 };
            }
            x
        })
        .collect()
}

/// One side: `n` runs, each with an optional shared runner offset.
fn draw_side(
    rng: &mut StdRng,
    sim: &Sim,
    n: usize,
    cv: f64,
    shape: &str,
    scale: f64,
    slow: f64,
) -> Vec<Vec<f64>> {
    let offset = if shape == "offset" {
        Normal::<f64>::new(0.0, 0.02)
            .expect("valid sd")
            .sample(rng)
            .exp()
    } else {
        1.0
    };
    let inner = if shape == "offset" { "clean" } else { shape };
    (0..n)
        .map(|_| draw_run(rng, sim, cv, inner, scale * offset, slow))
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

fn judge(base: &[Vec<f64>], cur: &[Vec<f64>], row: &str, bands: &Bands) -> (Judgement, f64) {
    let (stat, f): (Statistic, fn(&[f64]) -> f64) = match row {
        "mean" => (Statistic::Mean, mean),
        _ => (Statistic::Quantile(0.5), median),
    };
    let d = Direction::LowerIsBetter;
    let vb: Vec<f64> = base.iter().map(|r| f(r)).collect();
    let vc: Vec<f64> = cur.iter().map(|r| f(r)).collect();
    let naive = median(&vc) / median(&vb) - 1.0;
    let j = if base.len() == 1 && cur.len() == 1 {
        judge_within_run(&base[0], &cur[0], stat, d, bands, 0.01)
    } else {
        judge_runs(&vb, &vc, d, bands, 0.01)
    };
    (j, naive)
}

fn run_cell(sim: &Sim, cv: f64, shape: &'static str, n: usize, change: Change, seed: u64) -> Cell {
    let reps = sim.reps;
    let mut rng = StdRng::seed_from_u64(seed);
    let bands = Bands::default();
    let mut flagged = [0; 4];
    let (scale, base_slow, cur_slow, cur_shape) = match change {
        Change::Slower(s) => (1.0 + s, 0.0, 0.0, shape),
        Change::ModeShift => (1.0, 0.3, 0.7, shape),
        Change::HeavyTail => (1.0, 0.0, 0.1, "tail"),
    };
    for _ in 0..reps {
        let base = draw_side(&mut rng, sim, n, cv, shape, 100.0, base_slow);
        let cur = draw_side(&mut rng, sim, n, cv, cur_shape, 100.0 * scale, cur_slow);
        for (i, row) in ROWS.iter().enumerate() {
            let (j, naive) = judge(&base, &cur, row, &bands);
            flagged[2 * i] += usize::from(j.severity.is_regression());
            flagged[2 * i + 1] += usize::from(naive > 0.05);
        }
    }
    Cell {
        cv,
        shape,
        n,
        change,
        flagged,
        reps,
    }
}

/// Percentage of replicates flagged, pooled over the cells that pass `keep`.
fn pooled(cells: &[Cell], column: usize, keep: impl Fn(&Cell) -> bool) -> f64 {
    let (f, r) = cells
        .iter()
        .filter(|c| keep(c))
        .fold((0, 0), |(f, r), c| (f + c.flagged[column], r + c.reps));
    100.0 * f as f64 / r.max(1) as f64
}

fn slowdown_table(cells: &[Cell], title: &str, row: usize, same_runner: bool) {
    println!("\n{title}\n");
    print!("| rule | runs/side |");
    for s in SHIFTS {
        print!(" {:.0} % slower |", s * 100.0);
    }
    println!();
    println!("|---|---|{}", "---|".repeat(SHIFTS.len()));
    for (rule, column) in [("perfgate", 2 * row), ("naive>5%", 2 * row + 1)] {
        for n in NS {
            print!("| {rule} | {n} |");
            for s in SHIFTS {
                let p = pooled(cells, column, |c| {
                    c.n == n
                        && c.change == Change::Slower(s)
                        && ((c.shape == "offset") != same_runner)
                });
                print!(" {p:.1} |");
            }
            println!();
        }
    }
}

/// Simulation settings from the command line.
struct Sim {
    reps: usize,
    samples: usize,
    json: bool,
}

impl Sim {
    fn from_args() -> Sim {
        let args: Vec<String> = std::env::args().collect();
        let num = |flag: &str, default: usize| {
            args.iter()
                .position(|a| a == flag)
                .and_then(|i| args.get(i + 1))
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        Sim {
            reps: num("--reps", 400).max(1),
            samples: num("--samples", 50).max(2),
            json: args.iter().any(|a| a == "--json"),
        }
    }
}

/// The simulation of micro-benchmark rows (median and mean of iterations).
fn micro_benchmarks(sim: &Sim) {
    let (reps, samples, json) = (sim.reps, sim.samples, sim.json);
    let mut cells = Vec::new();
    let mut seed = 1u64;
    let mut add = |cv, shape, n, change| {
        cells.push(run_cell(sim, cv, shape, n, change, seed));
        seed += 1;
    };
    for cv in CVS {
        for n in NS {
            for shape in SHAPES {
                for s in SHIFTS {
                    add(cv, shape, n, Change::Slower(s));
                }
            }
            for s in [0.0, 0.25] {
                add(cv, "offset", n, Change::Slower(s));
            }
            add(cv, "clean", n, Change::ModeShift);
            add(cv, "clean", n, Change::HeavyTail);
        }
    }
    if json {
        let rows: Vec<serde_json::Value> = cells
            .iter()
            .flat_map(|c| {
                let change = match c.change {
                    Change::Slower(s) => format!("{:.0} % slower", s * 100.0),
                    Change::ModeShift => "mode shift".into(),
                    Change::HeavyTail => "heavy tail".into(),
                };
                (0..4).map(move |k| {
                    serde_json::json!({
                        "row": ROWS[k / 2], "rule": if k % 2 == 0 { "perfgate" } else { "naive>5%" },
                        "cv": c.cv, "shape": c.shape, "runs_per_side": c.n, "change": change,
                        "flagged_pct": 100.0 * c.flagged[k] as f64 / c.reps as f64, "reps": c.reps,
                    })
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&rows).expect("serialises")
        );
        return;
    }
    println!("perfgate detection quality: % of {reps} simulated comparisons per cell flagged as a regression");
    println!("(0 % slower = false-alarm rate; otherwise power). {samples} samples per run; runs differ by");
    println!(
        "{RUN_RATIO}x their within-run standard error. naive: the row's value more than 5 % worse."
    );
    slowdown_table(
        &cells,
        "Median rows, same runner: pooled over CV 2/5/10/15 % and clean/outliers/bimodal/heavy noise",
        0,
        true,
    );
    slowdown_table(&cells, "Mean rows, same runner: pooled as above", 1, true);
    println!("\nShape changes (pooled over CV): % flagged per row\n");
    println!("| runs/side | mode shift: median | mode shift: mean | heavy tail: mean | heavy tail: median |");
    println!("|---|---|---|---|---|");
    for n in NS {
        let at = |change, column| pooled(&cells, column, |c| c.n == n && c.change == change);
        println!(
            "| {n} | {:.1} | {:.1} | {:.1} | {:.1} |",
            at(Change::ModeShift, 0),
            at(Change::ModeShift, 2),
            at(Change::HeavyTail, 2),
            at(Change::HeavyTail, 0)
        );
    }
    println!("\nDifferent runners (2 % offset per side), median rows, pooled over CV\n");
    println!("| runs/side | 0 % slower | 25 % slower |");
    println!("|---|---|---|");
    for n in NS {
        let at = |s| {
            pooled(&cells, 0, |c| {
                c.n == n && c.shape == "offset" && c.change == Change::Slower(s)
            })
        };
        println!("| {n} | {:.1} | {:.1} |", at(0.0), at(0.25));
    }
    println!("\nMedian rows, same runner, by CV: false alarms / power at 25 %\n");
    print!("| CV |");
    for n in NS {
        print!(" {n} run{} |", if n == 1 { "" } else { "s" });
    }
    println!();
    println!("|---|{}", "---|".repeat(NS.len()));
    for cv in CVS {
        print!("| {:.0} % |", cv * 100.0);
        for n in NS {
            let at = |s| {
                pooled(&cells, 0, |c| {
                    c.n == n && c.cv == cv && c.shape != "offset" && c.change == Change::Slower(s)
                })
            };
            print!(" {:.1} / {:.0} |", at(0.0), at(0.25));
        }
        println!();
    }
    load_tests::report(false);
}

fn main() {
    let sim = Sim::from_args();
    micro_benchmarks(&sim);
}
