//! `perfgate ab`: measures the base revision and the working tree on this machine, alternately (ABBA…), and
//! gates the difference like `analyze`, with the base runs as the baseline and the head runs as current.
//!
//! The base is a temporary detached `git worktree`. Each run's result files are copied away (tools
//! overwrite them). The base runs become an in-memory-style snapshot in a scratch directory and the head
//! runs are passed as result files, so both sides go through [`crate::analyze()`]'s own reading and merging:
//! the same benchmark in several files is one value per run, and runs are the unit of the comparison.
//!
//! [`measure`] runs the commands and [`Measurement::analyze`] grades them; the caller shows progress
//! through an [`Observer`] and renders the verdict.

mod glob;
mod proc;
mod worktree;

pub use crate::verdict::{AbRecord, AbRun, Order, Side};
pub use glob::Glob;
pub use proc::signal_name;

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Instant;

use crate::analyze::{BaselineSource, InputOptions, PolicySource, Request};
use crate::baseline::{GitInfo, Snapshot};
use crate::error::{Error, Result};
use crate::input::{self, InputFormat};
use crate::model::Run;
use crate::severity::FailOn;
use crate::verdict::Verdict;
use worktree::{Repo, Worktree};

/// What to measure and how to gate it.
#[derive(Debug, Clone)]
pub struct Options {
    /// Base revision (branch, tag or commit), checked out in a temporary worktree.
    pub base: String,
    /// Runs per side.
    pub runs: u32,
    /// Shell command run once in each tree before measuring.
    pub build: Option<String>,
    /// Result files (or directories) one run writes, relative to the tree (see [`Glob`]).
    pub results: String,
    pub order: Order,
    /// The benchmark or load test and its arguments.
    pub command: Vec<String>,
    /// The head side: a directory of a git working tree. The base runs in the same directory of its tree.
    pub dir: PathBuf,
    /// Input format id, instead of detecting it from the content.
    pub format: Option<String>,
    /// Where the policy comes from.
    pub policy: PolicySource,
    /// Overrides the policy's `fail_on`.
    pub fail_on: Option<FailOn>,
}

/// Told what the runs are doing, to show progress. Every method does nothing by default.
pub trait Observer {
    /// A step starts (a build).
    fn step(&mut self, _label: &str) {}
    /// A step is done, or is worth a line of its own.
    fn done(&mut self, _line: &str) {}
    /// Run `k` of all (1-based), the `n`th of its side, starts.
    fn start_run(&mut self, _k: usize, _side: Side, _n: u32) {}
    /// Run `k` ended after `wall_s` seconds.
    fn finish_run(&mut self, _k: usize, _side: Side, _n: u32, _wall_s: f64) {}
    /// Called often while a command runs.
    fn tick(&mut self) {}
    /// Measuring stopped (a failure or the end): remove any transient display.
    fn clear(&mut self) {}
    /// A build or run failed: the last lines of its output, and how many lines came before them.
    fn failed_output(&mut self, _what: &str, _earlier: usize, _tail: &[&str]) {}
}

/// Why measuring stopped early: a signal (SIGINT, SIGTERM), after the base worktree was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    pub signal: i32,
    /// The build or run that was stopped, when one was running.
    pub during: Option<String>,
}

/// The outcome of [`measure`].
pub enum Outcome {
    Measured(Measurement),
    Interrupted(Interrupted),
}

/// The runs' results, kept in a scratch directory until [`Measurement::analyze`].
pub struct Measurement {
    scratch: tempfile::TempDir,
    snapshot: PathBuf,
    head_files: Vec<PathBuf>,
    labels: Vec<String>,
    /// The order and wall time of every run.
    pub record: AbRecord,
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
    runs: Vec<AbRun>,
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

/// Index of a side in per-side arrays.
fn slot(side: Side) -> usize {
    match side {
        Side::Base => 0,
        Side::Head => 1,
    }
}

/// Checks out the base, builds and runs both sides alternately, and keeps their result files. The
/// worktree is removed before this returns, also when a signal stops the runs.
pub fn measure(opts: &Options, observer: &mut dyn Observer) -> Result<Outcome> {
    let glob = Glob::new(&opts.results)
        .map_err(|e| Error::Usage(format!("--results {:?}: {e}", opts.results)))?;
    let format = crate::analyze::format_by_id(opts.format.as_deref())?;
    let cwd = opts.dir.clone();
    let repo = Repo::discover(&cwd)?;
    let base_commit = repo.resolve(&opts.base)?;
    let scratch = tempfile::Builder::new()
        .prefix("perfgate-ab-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?;

    proc::install();
    let measured = match Worktree::add(&repo, &base_commit, &scratch.path().join("base")) {
        Ok(tree) => {
            let trees = [tree.path().join(&repo.prefix), cwd.clone()];
            let m = if trees[0].is_dir() {
                measure_in(opts, &glob, format, &trees, scratch.path(), observer)
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
    observer.clear();
    let interrupted_late = proc::pending();
    proc::restore();
    let measured = match (measured, interrupted_late) {
        (Err(Stop::Interrupted { signal, during }), _) => {
            return Ok(Outcome::Interrupted(Interrupted {
                signal,
                during: Some(during),
            }));
        }
        (_, Some(signal)) => {
            return Ok(Outcome::Interrupted(Interrupted {
                signal,
                during: None,
            }));
        }
        (Err(Stop::Failed(e)), None) => return Err(e),
        (Ok(m), None) => m,
    };

    // The base side as a snapshot file: analyze reads it exactly like a stored baseline.
    let mut snapshot = Snapshot::new(&opts.base, input::merge(measured.base));
    snapshot.git = GitInfo {
        commit: Some(base_commit.clone()),
        branch: Some(opts.base.clone()),
    };
    let snapshot_path = scratch.path().join("base-snapshot.json");
    let json = serde_json::to_string_pretty(&snapshot).map_err(io::Error::from);
    json.and_then(|j| std::fs::write(&snapshot_path, j))
        .map_err(|e| Error::io(&snapshot_path, e))?;
    Ok(Outcome::Measured(Measurement {
        scratch,
        snapshot: snapshot_path,
        head_files: measured.head_files,
        labels: measured.head_labels,
        record: AbRecord {
            base_ref: opts.base.clone(),
            base_commit,
            head_commit: repo.head.clone(),
            head_dirty: repo.dirty,
            order: opts.order,
            runs_per_side: opts.runs,
            runs: measured.runs,
        },
    }))
}

impl Measurement {
    /// Gates the head runs against the base runs: [`crate::analyze()`] with the base as the baseline.
    pub fn analyze(&self, opts: &Options) -> Result<Verdict> {
        crate::analyze(&self.request(opts))
    }

    /// The analysis of the measured files.
    pub fn request(&self, opts: &Options) -> Request {
        Request {
            files: self.head_files.clone(),
            input: InputOptions {
                format: opts.format.clone(),
                ..InputOptions::default()
            },
            // An empty store: history of a same-named stored baseline must not leak into this comparison.
            baselines_dir: self.scratch.path().join("no-baselines"),
            baseline: BaselineSource::NameOrPath(self.snapshot.display().to_string()),
            policy: opts.policy.clone(),
            fail_on: opts.fail_on,
            labels: Some(self.labels.clone()),
            ab: Some(self.record.clone()),
        }
    }
}

fn measure_in(
    args: &Options,
    glob: &Glob,
    format: Option<&'static dyn InputFormat>,
    trees: &[PathBuf; 2],
    scratch: &Path,
    progress: &mut dyn Observer,
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
                .current_dir(&trees[slot(side)])
                .env("PERFGATE_AB_SIDE", side.as_str())
                .env_remove("PERFGATE_AB_RUN");
            progress.step(&format!("building {side}: {build}"));
            progress.done(&format!("building {side}: {build}"));
            let t0 = Instant::now();
            let status = execute(cmd, &log, &what, progress)?;
            if !status.success() {
                progress.clear();
                show_tail(&log, &what, progress);
                return Err(
                    Error::Command(format!("{what}: `{build}` {}", describe(status))).into(),
                );
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
        count[slot(side)] += 1;
        let n = count[slot(side)];
        let what = format!("{side} run {n}");
        let dir = &trees[slot(side)];
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
            show_tail(&log, &what, progress);
            return Err(Error::Command(format!("{what}: `{cmdline}` {}", describe(status))).into());
        }
        let written = glob.written_since(dir, &before);
        if written.is_empty() {
            return Err(Error::Command(format!(
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
            // Named as the run and the file in its tree, keeping the line: `base run 1: r.json:3:5: …`.
            let parsed = input::read_file(&to, format)
                .map_err(|e| e.with_path(Path::new(&format!("{what}: {}", rel.display()))))?;
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
        m.runs.push(AbRun {
            side,
            run: n,
            wall_s: (wall_s * 1000.0).round() / 1000.0,
            files,
        });
        progress.finish_run(k + 1, side, n, wall_s);
    }
    Ok(m)
}

/// Runs a command with its output in `log`, stoppable by a signal.
fn execute(
    mut cmd: Command,
    log: &Path,
    what: &str,
    progress: &mut dyn Observer,
) -> std::result::Result<ExitStatus, Stop> {
    let file = File::create(log).map_err(|e| Error::io(log, e))?;
    let err = file.try_clone().map_err(|e| Error::io(log, e))?;
    cmd.stdin(Stdio::null()).stdout(file).stderr(err);
    // The commands are the pull request's code: no token, no file commands, no credentials.
    proc::scrub_env(&mut cmd);
    proc::own_group(&mut cmd);
    if let Some(signal) = proc::pending() {
        return Err(Stop::Interrupted {
            signal,
            during: what.to_string(),
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        Error::Command(format!(
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
            Err(Error::Command(format!("{what}: {e}")).into())
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

fn show_tail(log: &Path, what: &str, observer: &mut dyn Observer) {
    let text = std::fs::read(log).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let lines: Vec<&str> = text.lines().collect();
    let from = lines.len().saturating_sub(TAIL_LINES);
    observer.failed_output(what, from, &lines[from..]);
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
