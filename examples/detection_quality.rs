//! Detection quality of perfgate's decision rule against the plain band rule, by simulation.
//!
//! For every cell (noise CV × noise shape × values per side × true slowdown) it draws baseline and
//! current samples, runs perfgate's own `evidence::judge_samples` (the code `perfgate analyze` uses) and
//! the naive "mean is > 5 % worse" rule, and counts how often each flags a regression. At 0 % slowdown
//! that is the false-alarm rate; above it, the power.
//!
//! Noise model (multiplicative, as in `shared/notes/detection_sim.py`): log-normal with the given CV;
//! `outliers` adds 5 % of values × U(1.5, 3); `bimodal` puts 30 % of values in a mode 20 % slower;
//! `offset` multiplies each side by its own log-normal factor (sd 2 %), as when baseline and current
//! ran on different runners.
//!
//! Run: `cargo run --release --example detection_quality [-- --reps 2000] [--json]`

#[path = "detection_quality/load_tests.rs"]
mod load_tests;

use perfgate::evidence::judge_samples;
use perfgate::model::Direction;
use perfgate::severity::Bands;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

const CVS: [f64; 4] = [0.02, 0.05, 0.10, 0.15];
const SHAPES: [&str; 4] = ["clean", "outliers", "bimodal", "offset"];
const NS: [usize; 3] = [5, 10, 30];
const SHIFTS: [f64; 5] = [0.0, 0.03, 0.05, 0.10, 0.25];
const METHODS: [&str; 2] = ["perfgate", "naive>5%"];

struct Cell {
    cv: f64,
    shape: &'static str,
    n: usize,
    shift: f64,
    /// Regressions flagged per method.
    flagged: [usize; 2],
    reps: usize,
}

fn draw(rng: &mut StdRng, n: usize, cv: f64, shape: &str, scale: f64) -> Vec<f64> {
    let sigma = (1.0 + cv * cv).ln().sqrt();
    let noise = Normal::new(0.0, sigma).expect("valid sigma");
    let offset = if shape == "offset" {
        Normal::<f64>::new(0.0, 0.02)
            .expect("valid sd")
            .sample(rng)
            .exp()
    } else {
        1.0
    };
    (0..n)
        .map(|_| {
            let mut x = scale * offset * noise.sample(rng).exp();
            match shape {
                "outliers" if rng.gen::<f64>() < 0.05 => x *= rng.gen_range(1.5..3.0),
                "bimodal" if rng.gen::<f64>() < 0.30 => x *= 1.20,
                _ => {}
            }
            x
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn run_cell(cv: f64, shape: &'static str, n: usize, shift: f64, reps: usize, seed: u64) -> Cell {
    let mut rng = StdRng::seed_from_u64(seed);
    let bands = Bands::default();
    let mut flagged = [0; 2];
    for _ in 0..reps {
        let base = draw(&mut rng, n, cv, shape, 100.0);
        let cur = draw(&mut rng, n, cv, shape, 100.0 * (1.0 + shift));
        let j = judge_samples(&base, &cur, Direction::LowerIsBetter, &bands, 0.01);
        if j.severity.is_regression() {
            flagged[0] += 1;
        }
        if mean(&cur) / mean(&base) - 1.0 > 0.05 {
            flagged[1] += 1;
        }
    }
    Cell {
        cv,
        shape,
        n,
        shift,
        flagged,
        reps,
    }
}

/// Percentage of replicates flagged, pooled over the cells that pass `keep`.
fn pooled(cells: &[Cell], method: usize, keep: impl Fn(&Cell) -> bool) -> f64 {
    let (f, r) = cells
        .iter()
        .filter(|c| keep(c))
        .fold((0, 0), |(f, r), c| (f + c.flagged[method], r + c.reps));
    100.0 * f as f64 / r.max(1) as f64
}

fn print_table(title: &str, cells: &[Cell], same_runner: bool) {
    println!("\n{title}\n");
    print!("| rule | n/side |");
    for s in SHIFTS {
        print!(" {:.0} % slower |", s * 100.0);
    }
    println!();
    println!("|---|---|{}", "---|".repeat(SHIFTS.len()));
    for (mi, m) in METHODS.iter().enumerate() {
        for n in NS {
            print!("| {m} | {n} |");
            for s in SHIFTS {
                let p = pooled(cells, mi, |c| {
                    c.n == n && c.shift == s && ((c.shape == "offset") != same_runner)
                });
                print!(" {p:.1} |");
            }
            println!();
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().any(|a| a == "--json");
    let reps = args
        .iter()
        .position(|a| a == "--reps")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000usize);
    let mut cells = Vec::new();
    let mut seed = 1u64;
    for cv in CVS {
        for shape in SHAPES {
            for n in NS {
                for shift in SHIFTS {
                    cells.push(run_cell(cv, shape, n, shift, reps, seed));
                    seed += 1;
                }
            }
        }
    }
    if json {
        let rows: Vec<serde_json::Value> = cells
            .iter()
            .flat_map(|c| {
                METHODS.iter().enumerate().map(move |(mi, m)| {
                    serde_json::json!({
                        "rule": m, "cv": c.cv, "shape": c.shape, "n": c.n, "slowdown": c.shift,
                        "flagged_pct": 100.0 * c.flagged[mi] as f64 / c.reps as f64, "reps": c.reps,
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
    println!("(0 % slower = false-alarm rate; otherwise power). perfgate: one-sided Mann-Whitney p <= 0.01 and");
    println!("the 75 % lower bound of the Hodges-Lehmann estimate > 5 %; naive: mean more than 5 % worse.");
    print_table(
        "Same runner: pooled over CV 2/5/10/15 % and clean/outliers/bimodal noise",
        &cells,
        true,
    );
    print_table(
        "Different runners: 2 % offset per side, pooled over CV",
        &cells,
        false,
    );
    println!("\nPer noise level, n = 10, same runner:\n");
    println!("| rule | CV | 0 % | 3 % | 5 % | 10 % | 25 % |");
    println!("|---|---|---|---|---|---|---|");
    for (mi, m) in METHODS.iter().enumerate() {
        for cv in CVS {
            print!("| {m} | {:.0} % |", cv * 100.0);
            for s in SHIFTS {
                let p = pooled(&cells, mi, |c| {
                    c.n == 10 && c.cv == cv && c.shift == s && c.shape != "offset"
                });
                print!(" {p:.1} |");
            }
            println!();
        }
    }
    load_tests::report(false);
}
