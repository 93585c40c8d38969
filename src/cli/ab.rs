//! `perfgate ab`: the arguments for [`perfgate::ab`], its progress on stderr, and the verdict rendered like
//! `analyze`'s.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

use perfgate::ab::{self, AbRecord, Interrupted, Observer, Outcome, Side};
use perfgate::choice::Choice;
use perfgate::error::{Error, Result};

use super::analyze::{comment_request, report};
use super::args::AbArgs;

/// Runs `perfgate ab` and returns the exit code: the verdict's, or 128+N after signal N.
pub fn run(args: &AbArgs, color: bool, quiet: bool, out: &mut dyn Write) -> Result<u8> {
    let opts = ab::Options {
        base: args.base.clone(),
        runs: args.runs,
        build: args.build.clone(),
        results: args.results.clone(),
        order: args.order,
        command: args.command.clone(),
        dir: std::env::current_dir().map_err(|e| Error::io(std::path::Path::new("."), e))?,
        format: args.format.clone(),
        policy: args.report.policy(),
        fail_on: args.report.fail_on,
    };
    let mut progress = Progress::new(quiet, 2 * args.runs as usize);
    let measured = match ab::measure(&opts, &mut progress)? {
        Outcome::Measured(m) => m,
        Outcome::Interrupted(i) => {
            eprintln!("perfgate: {}", interrupted(&i));
            return Ok(128u8.saturating_add(i.signal as u8));
        }
    };
    if !quiet {
        eprintln!("perfgate ab: {}", describe_record(&measured.record));
    }
    let verdict = measured.analyze(&opts)?;
    let comment = comment_request(args.comment, &args.github);
    report(&verdict, &args.report, comment, color, out)
}

/// `interrupted by SIGINT during the base run 2; the base worktree was removed`.
fn interrupted(i: &Interrupted) -> String {
    match &i.during {
        Some(during) => format!(
            "interrupted by {} during the {during}; the base worktree was removed",
            ab::signal_name(i.signal)
        ),
        None => format!(
            "interrupted by {}; the base worktree was removed",
            ab::signal_name(i.signal)
        ),
    }
}

/// `5 base + 5 head runs, interleaved (BHHBBHHBBH), 12.3 s of runs`.
fn describe_record(r: &AbRecord) -> String {
    let letters: String = r
        .runs
        .iter()
        .map(|x| match x.side {
            Side::Base => 'B',
            Side::Head => 'H',
        })
        .collect();
    let total: f64 = r.runs.iter().map(|x| x.wall_s).sum();
    let short: String = r.base_commit.chars().take(7).collect();
    format!(
        "{n} base ({short}) + {n} head runs, {order} ({letters}), {total:.1} s of runs",
        n = r.runs_per_side,
        order = r.order.name(),
    )
}

/// Progress on stderr: a redrawn line on a terminal, one line per run in logs, nothing with `--quiet`.
struct Progress {
    mode: Mode,
    total: usize,
    start: Instant,
    label: String,
    label_since: Instant,
    drawn: Option<Instant>,
}

#[derive(PartialEq)]
enum Mode {
    Off,
    Lines,
    Terminal,
}

const REDRAW: Duration = Duration::from_millis(200);

impl Progress {
    fn new(quiet: bool, total: usize) -> Progress {
        let terminal = io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let mode = if quiet {
            Mode::Off
        } else if terminal {
            Mode::Terminal
        } else {
            Mode::Lines
        };
        Progress {
            mode,
            total,
            start: Instant::now(),
            label: String::new(),
            label_since: Instant::now(),
            drawn: None,
        }
    }

    fn draw(&mut self) {
        if self.mode != Mode::Terminal {
            return;
        }
        eprint!(
            "\r\x1b[Kperfgate ab: {} · {:.1} s · {:.0} s elapsed",
            self.label,
            self.label_since.elapsed().as_secs_f64(),
            self.start.elapsed().as_secs_f64()
        );
        let _ = io::stderr().flush();
        self.drawn = Some(Instant::now());
    }
}

impl Observer for Progress {
    fn step(&mut self, label: &str) {
        self.label = label.to_string();
        self.label_since = Instant::now();
        self.draw();
    }

    fn done(&mut self, line: &str) {
        if self.mode == Mode::Lines {
            eprintln!("perfgate ab: {line}");
        }
    }

    fn start_run(&mut self, k: usize, side: Side, n: u32) {
        self.step(&format!("run {k}/{} · {side} #{n}", self.total));
    }

    fn finish_run(&mut self, k: usize, side: Side, n: u32, wall_s: f64) {
        if self.mode == Mode::Lines {
            eprintln!(
                "perfgate ab: run {k}/{} {side} #{n}: {wall_s:.2} s ({:.0} s elapsed)",
                self.total,
                self.start.elapsed().as_secs_f64()
            );
        }
    }

    fn tick(&mut self) {
        if self.drawn.is_none_or(|t| t.elapsed() >= REDRAW) {
            self.draw();
        }
    }

    fn clear(&mut self) {
        if self.mode == Mode::Terminal && self.drawn.is_some() {
            eprint!("\r\x1b[K");
            let _ = io::stderr().flush();
            self.drawn = None;
        }
    }

    fn failed_output(&mut self, what: &str, earlier: usize, tail: &[&str]) {
        if earlier > 0 {
            eprintln!("  {what} | … {earlier} earlier lines");
        }
        for line in tail {
            eprintln!("  {what} | {}", perfgate::escape::terminal(line));
        }
    }
}
