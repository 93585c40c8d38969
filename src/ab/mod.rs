//! `perfgate ab`: measures the base revision and the working tree on this machine, alternately (ABBA…), and
//! gates the difference like `analyze`, with the base runs as the baseline and the head runs as current.
//!
//! The base is a temporary detached `git worktree`. Each run's result files are copied away (tools
//! overwrite them). The base runs become an in-memory-style snapshot in a scratch directory and the head
//! runs are passed as result files, so both sides go through `analyze`'s own reading and merging: the same
//! benchmark in several files is one value per run, and runs are the unit of the comparison.

mod glob;
mod proc;
mod worktree;

pub use glob::Glob;

use std::fs::File;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};

use crate::baseline::{GitInfo, Snapshot, Store};
use crate::cli::CommentTarget;
use crate::error::{Error, Result};
use crate::input::{self, InputFormat};
use crate::model::Run;
use worktree::{Repo, Worktree};

/// `perfgate ab --help` examples.
pub const AB_HELP: &str = "\
Examples:
  # hyperfine: 5 runs per side, alternating, against the PR's base
  perfgate ab --base origin/main --results bench.json -- hyperfine --runs 10 --export-json bench.json './app'

  # Criterion: build once per tree, then measure
  perfgate ab --base origin/main --build 'cargo bench --no-run' --results target/criterion -- cargo bench

  # pytest-benchmark
  perfgate ab --base origin/main --results bench.json -- pytest --benchmark-only --benchmark-json=bench.json

CMD runs in each tree's directory (a relative program path such as ./bench.sh is that tree's), with
PERFGATE_AB_SIDE=base|head and PERFGATE_AB_RUN=1..N set. Nothing is left in the repository afterwards.

Exit codes: 0 gate passed, 1 gate failed, 2 usage error or a failed build or run, 128+N on signal N.";

/// `perfgate ab`.
#[derive(Debug, Args)]
pub struct AbArgs {
    /// Base revision (branch, tag or commit), checked out in a temporary worktree; head is the working tree.
    #[arg(long, value_name = "REF")]
    pub base: String,

    /// Runs per side (5 or more can reach significance at alpha 0.01).
    #[arg(long, default_value_t = 5, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,

    /// Shell command run once in each tree before measuring, e.g. 'cargo bench --no-run' or 'npm ci'.
    #[arg(long, value_name = "CMD")]
    pub build: Option<String>,

    /// Result files (or directories) one run writes, relative to the tree: `*` and `?` within a directory,
    /// `**` across directories.
    #[arg(long, value_name = "GLOB")]
    pub results: String,

    /// Run order. `sequential` (all base runs, then all head runs) only shows what drift does to a comparison.
    #[arg(long, value_enum, default_value_t = Order::Interleaved)]
    pub order: Order,

    #[command(flatten)]
    pub report: crate::cli::ReportArgs,

    /// Input format, instead of detecting it from the content (see `perfgate formats`).
    #[arg(long, value_name = "ID")]
    pub format: Option<String>,

    /// Post or update the sticky PR comment (GitHub Actions; needs GITHUB_TOKEN). Never changes the exit code.
    #[arg(long, env = "PERFGATE_COMMENT", value_parser = clap::builder::FalseyValueParser::new(),
          num_args = 0, default_missing_value = "true")]
    pub comment: bool,

    #[command(flatten)]
    pub github: CommentTarget,

    /// The benchmark or load test and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// The order of the runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Counterbalanced: base, head, head, base, base, head, … so a slow drift hits both sides alike.
    Interleaved,
    /// All base runs, then all head runs.
    Sequential,
}

/// Which tree a run measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Base,
    Head,
}

impl Side {
    /// `base` or `head`, as in `PERFGATE_AB_SIDE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Base => "base",
            Side::Head => "head",
        }
    }

    fn index(self) -> usize {
        match self {
            Side::Base => 0,
            Side::Head => 1,
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The sides in the order they are run: `n` runs each.
pub fn schedule(order: Order, n: u32) -> Vec<Side> {
    match order {
        Order::Interleaved => (0..n)
            .flat_map(|i| {
                if i % 2 == 0 {
                    [Side::Base, Side::Head]
                } else {
                    [Side::Head, Side::Base]
                }
            })
            .collect(),
        Order::Sequential => (0..2 * n)
            .map(|i| if i < n { Side::Base } else { Side::Head })
            .collect(),
    }
}

/// One measured run, as recorded in the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub side: Side,
    /// 1-based per side (`PERFGATE_AB_RUN`).
    pub run: u32,
    /// Wall time of the command, seconds.
    pub wall_s: f64,
    /// The result files it wrote, relative to its tree.
    pub files: Vec<String>,
}

/// What `perfgate ab` measured: the `ab` object of the JSON verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `--base` as given.
    pub base_ref: String,
    pub base_commit: String,
    /// `HEAD` of the working tree.
    pub head_commit: Option<String>,
    /// Whether the working tree had uncommitted changes to tracked files (they were measured).
    #[serde(default)]
    pub head_dirty: bool,
    pub order: Order,
    pub runs_per_side: u32,
    /// Every run in the order it ran.
    pub runs: Vec<RunRecord>,
}

/// Why measuring stopped early.
enum Stop {
    Failed(Error),
    Interrupted { signal: i32, during: String },
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Failed(e)
    }
}

/// What the runs produced.
#[derive(Default)]
struct Measured {
    /// One parsed run per base result file.
    base: Vec<Run>,
    head_files: Vec<PathBuf>,
    head_labels: Vec<String>,
    runs: Vec<RunRecord>,
}

/// Runs `perfgate ab` and returns the exit code.
pub fn run(args: &AbArgs, color: bool, quiet: bool, out: &mut dyn Write) -> Result<u8> {
    let glob = Glob::new(&args.results)
        .map_err(|e| Error::Usage(format!("--results {:?}: {e}", args.results)))?;
    let format: Option<&'static dyn InputFormat> = match &args.format {
        None => None,
        Some(id) => Some(input::format_by_id(id).ok_or_else(|| {
            Error::Usage(format!(
                "unknown --format {id:?}; known formats: {}",
                input::format_ids()
            ))
        })?),
    };
    let cwd = std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?;
    let repo = Repo::discover(&cwd)?;
    let base_commit = repo.resolve(&args.base)?;
    let scratch = tempfile::Builder::new()
        .prefix("perfgate-ab-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?;

    proc::install();
    let mut progress = Progress::new(quiet, 2 * args.runs as usize);
    let measured = match Worktree::add(&repo, &base_commit, &scratch.path().join("base")) {
        Ok(tree) => {
            let trees = [tree.path().join(&repo.prefix), cwd.clone()];
            let m = if trees[0].is_dir() {
                measure(args, &glob, format, &trees, scratch.path(), &mut progress)
            } else {
                Err(Stop::Failed(Error::Usage(format!(
                    "the base revision has no directory `{}` to run in; run perfgate ab from a directory both revisions have",
                    repo.prefix.display()
                ))))
            };
            drop(tree); // Removed before the analysis, which needs only the copies.
            m
        }
        Err(e) => Err(Stop::Failed(e)),
    };
    progress.clear();
    let interrupted_late = proc::pending();
    proc::restore();
    let measured = match (measured, interrupted_late) {
        (Err(Stop::Interrupted { signal, during }), _) => {
            eprintln!(
                "perfgate: interrupted by {} during the {during}; the base worktree was removed",
                proc::signal_name(signal)
            );
            return Ok(128u8.saturating_add(signal as u8));
        }
        (_, Some(signal)) => {
            eprintln!(
                "perfgate: interrupted by {}; the base worktree was removed",
                proc::signal_name(signal)
            );
            return Ok(128u8.saturating_add(signal as u8));
        }
        (Err(Stop::Failed(e)), None) => return Err(e),
        (Ok(m), None) => m,
    };

    // The base side as a snapshot file: analyze reads it exactly like a stored baseline.
    let mut snapshot = Snapshot::new(&args.base, input::merge(measured.base));
    snapshot.git = GitInfo {
        commit: Some(base_commit.clone()),
        branch: Some(args.base.clone()),
    };
    let snapshot_path = scratch.path().join("base-snapshot.json");
    let json = serde_json::to_string_pretty(&snapshot).map_err(io::Error::from);
    json.and_then(|j| std::fs::write(&snapshot_path, j))
        .map_err(|e| Error::io(&snapshot_path, e))?;

    let analyze_args = analyze_args(args, &snapshot_path, &measured.head_files)?;
    let record = Record {
        base_ref: args.base.clone(),
        base_commit,
        head_commit: repo.head.clone(),
        head_dirty: repo.dirty,
        order: args.order,
        runs_per_side: args.runs,
        runs: measured.runs,
    };
    if !quiet {
        eprintln!("perfgate ab: {}", describe_record(&record));
    }
    let labels = measured.head_labels;
    // An empty store: history of a same-named stored baseline must not leak into this comparison.
    let store = Store::new(scratch.path().join("no-baselines"));
    crate::app::analyze_with(&analyze_args, &store, color, out, |v| {
        v.ab = Some(record);
        v.current.files = labels;
    })
}

/// `5 base + 5 head runs, interleaved (BHHBBHHBBH), 12.3 s of runs`.
fn describe_record(r: &Record) -> String {
    let letters: String = r
        .runs
        .iter()
        .map(|x| match x.side {
            Side::Base => 'B',
            Side::Head => 'H',
        })
        .collect();
    let total: f64 = r.runs.iter().map(|x| x.wall_s).sum();
    let short = &r.base_commit[..r.base_commit.len().min(7)];
    format!(
        "{n} base ({short}) + {n} head runs, {order} ({letters}), {total:.1} s of runs",
        n = r.runs_per_side,
        order = match r.order {
            Order::Interleaved => "interleaved",
            Order::Sequential => "sequential",
        },
    )
}

/// The `analyze` arguments for the measured files. Parsed like a command line so that every analyze option
/// this command does not set keeps analyze's own default.
fn analyze_args(
    args: &AbArgs,
    snapshot: &Path,
    head_files: &[PathBuf],
) -> Result<crate::cli::AnalyzeArgs> {
    use std::ffi::OsString;
    let name = |v: Option<clap::builder::PossibleValue>| {
        v.map(|p| p.get_name().to_string()).unwrap_or_default()
    };
    let mut argv: Vec<OsString> = vec![
        "perfgate".into(),
        "analyze".into(),
        "--baseline".into(),
        snapshot.into(),
        "--output".into(),
        name(args.report.output.to_possible_value()).into(),
        "--comment-key".into(),
        args.github.comment_key.clone().into(),
    ];
    if let Some(f) = args.report.fail_on {
        argv.extend(["--fail-on".into(), name(f.to_possible_value()).into()]);
    }
    if let Some(c) = &args.report.config {
        argv.extend(["--config".into(), c.into()]);
    }
    if let Some(f) = &args.format {
        argv.extend(["--format".into(), f.into()]);
    }
    if let Some(pr) = args.github.pr {
        argv.extend(["--pr".into(), pr.to_string().into()]);
    }
    if args.report.all {
        argv.push("--all".into());
    }
    if args.comment {
        argv.push("--comment".into());
    }
    argv.push("--".into());
    argv.extend(head_files.iter().map(OsString::from));
    let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(argv).map_err(|e| {
        let text = e.to_string();
        Error::Usage(text.lines().next().unwrap_or_default().to_string())
    })?;
    match cli.command {
        crate::cli::Command::Analyze(a) => Ok(a),
        _ => unreachable!("the argument list starts with `analyze`"),
    }
}

fn measure(
    args: &AbArgs,
    glob: &Glob,
    format: Option<&'static dyn InputFormat>,
    trees: &[PathBuf; 2],
    scratch: &Path,
    progress: &mut Progress,
) -> std::result::Result<Measured, Stop> {
    let logs = scratch.join("logs");
    std::fs::create_dir_all(&logs).map_err(|e| Error::io(&logs, e))?;
    if let Some(build) = &args.build {
        for side in [Side::Base, Side::Head] {
            let what = format!("{side} build");
            let log = logs.join(format!("{side}-build.log"));
            let mut cmd = Command::new("sh");
            cmd.arg("-c")
                .arg(build)
                .current_dir(&trees[side.index()])
                .env("PERFGATE_AB_SIDE", side.as_str())
                .env_remove("PERFGATE_AB_RUN");
            progress.step(&format!("building {side}: {build}"));
            progress.done(&format!("building {side}: {build}"));
            let t0 = Instant::now();
            let status = execute(cmd, &log, &what, progress)?;
            if !status.success() {
                progress.clear();
                show_tail(&log, &what);
                return Err(Error::Usage(format!("{what}: `{build}` {}", describe(status))).into());
            }
            progress.done(&format!(
                "built {side} in {:.1} s",
                t0.elapsed().as_secs_f64()
            ));
        }
    }
    let cmdline = args.command.join(" ");
    let plan = schedule(args.order, args.runs);
    let mut count = [0u32; 2];
    let mut m = Measured::default();
    for (k, &side) in plan.iter().enumerate() {
        count[side.index()] += 1;
        let n = count[side.index()];
        let what = format!("{side} run {n}");
        let dir = &trees[side.index()];
        let before = glob.fingerprints(dir);
        let log = logs.join(format!("{side}-{n}.log"));
        let mut cmd = Command::new(&args.command[0]);
        cmd.args(&args.command[1..])
            .current_dir(dir)
            .env("PERFGATE_AB_SIDE", side.as_str())
            .env("PERFGATE_AB_RUN", n.to_string());
        progress.start_run(k + 1, side, n);
        let t0 = Instant::now();
        let status = execute(cmd, &log, &what, progress)?;
        let wall_s = t0.elapsed().as_secs_f64();
        if !status.success() {
            progress.clear();
            show_tail(&log, &what);
            return Err(Error::Usage(format!("{what}: `{cmdline}` {}", describe(status))).into());
        }
        let written = glob.written_since(dir, &before);
        if written.is_empty() {
            return Err(Error::Usage(format!(
                "{what}: `{cmdline}` wrote no file matching `{}` in the {side} tree",
                args.results
            ))
            .into());
        }
        let dest = scratch.join("results").join(format!("{side}-{n}"));
        let mut files = Vec::new();
        for rel in &written {
            let to = dest.join(rel);
            copy_into(&dir.join(rel), &to).map_err(|e| Error::io(&dir.join(rel), e))?;
            // Parsed now, so that a bad file is reported with its side and run.
            let parsed = input::read_file(&to, format).map_err(|e| {
                Error::Usage(format!(
                    "{what}: {}: {}",
                    rel.display(),
                    strip_path(&e, &to)
                ))
            })?;
            match side {
                Side::Base => m.base.push(parsed),
                Side::Head => {
                    m.head_files.push(to);
                    m.head_labels
                        .push(format!("head run {n}: {}", rel.display()));
                }
            }
            files.push(rel.display().to_string());
        }
        m.runs.push(RunRecord {
            side,
            run: n,
            wall_s: (wall_s * 1000.0).round() / 1000.0,
            files,
        });
        progress.finish_run(k + 1, side, n, wall_s);
    }
    Ok(m)
}

/// The error's message without the copy's scratch path in front (the caller names the file).
fn strip_path(e: &Error, path: &Path) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix).unwrap_or(&text).to_string()
}

/// Runs a command with its output in `log`, stoppable by a signal.
fn execute(
    mut cmd: Command,
    log: &Path,
    what: &str,
    progress: &mut Progress,
) -> std::result::Result<ExitStatus, Stop> {
    let file = File::create(log).map_err(|e| Error::io(log, e))?;
    let err = file.try_clone().map_err(|e| Error::io(log, e))?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(err);
    proc::own_group(&mut cmd);
    if let Some(signal) = proc::pending() {
        return Err(Stop::Interrupted {
            signal,
            during: what.to_string(),
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        Error::Usage(format!(
            "{what}: cannot start `{}`: {e}",
            cmd.get_program().to_string_lossy()
        ))
    })?;
    match proc::supervise(&mut child, || progress.tick()) {
        Ok(proc::Outcome::Exited(status)) => Ok(status),
        Ok(proc::Outcome::Interrupted(signal)) => Err(Stop::Interrupted {
            signal,
            during: what.to_string(),
        }),
        Err(e) => {
            proc::end_group(&mut child);
            Err(Error::Usage(format!("{what}: {e}")).into())
        }
    }
}

fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("was killed by signal {sig}");
        }
    }
    match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => "failed".to_string(),
    }
}

/// Lines of a failed command's output shown before the error line.
const TAIL_LINES: usize = 25;

fn show_tail(log: &Path, what: &str) {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(TAIL_LINES);
    if from > 0 {
        eprintln!("  {what} | … {from} earlier lines");
    }
    for line in &lines[from..] {
        eprintln!("  {what} | {}", crate::escape::terminal(line));
    }
}

/// Copies a file, or a directory recursively, to `to`.
fn copy_into(from: &Path, to: &Path) -> io::Result<()> {
    if from.is_dir() {
        for entry in walkdir::WalkDir::new(from) {
            let entry = entry.map_err(io::Error::other)?;
            let rel = entry.path().strip_prefix(from).map_err(io::Error::other)?;
            let target = to.join(rel);
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&target)?;
            } else if entry.file_type().is_file() {
                std::fs::copy(entry.path(), &target)?;
            }
        }
        Ok(())
    } else {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to).map(|_| ())
    }
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

    fn clear(&mut self) {
        if self.mode == Mode::Terminal && self.drawn.is_some() {
            eprint!("\r\x1b[K");
            let _ = io::stderr().flush();
            self.drawn = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaving_is_counterbalanced() {
        let s: String = schedule(Order::Interleaved, 5)
            .iter()
            .map(|s| s.as_str().chars().next().unwrap())
            .collect();
        assert_eq!(s, "bhhbbhhbbh");
        let s: String = schedule(Order::Sequential, 3)
            .iter()
            .map(|s| s.as_str().chars().next().unwrap())
            .collect();
        assert_eq!(s, "bbbhhh");
    }

    #[test]
    fn a_linear_drift_hits_both_sides_alike() {
        // With an even number of pairs, ABBA gives each side the same mean position.
        let plan = schedule(Order::Interleaved, 6);
        let mean = |side| {
            let pos: Vec<f64> = plan
                .iter()
                .enumerate()
                .filter(|(_, s)| **s == side)
                .map(|(i, _)| i as f64)
                .collect();
            pos.iter().sum::<f64>() / pos.len() as f64
        };
        assert_eq!(mean(Side::Base), mean(Side::Head));
    }
}
