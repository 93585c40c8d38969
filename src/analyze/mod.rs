//! The library pipeline: result files → baseline → comparisons → budgets → [`Verdict`].
//!
//! [`analyze`] is the one place where a verdict is assembled; the command line (`perfgate analyze`,
//! `perfgate ab`) only builds a [`Request`], renders the verdict and picks the exit code. Nothing here
//! prints, reads environment variables or exits.

mod resolve;

pub use resolve::missing_baseline;

use std::path::PathBuf;

use crate::baseline::Store;
use crate::budget;
use crate::compare::{self, Context};
use crate::error::{Error, Result};
use crate::input::{self, InputFormat};
use crate::policy::Policy;
use crate::severity::{FailOn, Severity};
use crate::verdict::{AbRecord, BaselineInfo, Inputs, Verdict};
use resolve::Resolved;

/// How the result files are read.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// A format id (see [`input::format_ids`]) instead of detecting the format from the content.
    pub format: Option<String>,
    /// The files are the per-worker outputs of one distributed run: merge their distributions.
    pub merge_workers: bool,
    /// With `merge_workers`: accept summaries (percentiles only) and report bounds, not gated.
    pub approximate_merge: bool,
}

/// Which baseline the current run is compared with.
#[derive(Debug, Clone, Default)]
pub enum BaselineSource {
    /// The most recently created snapshot in the store.
    #[default]
    Latest,
    /// A stored snapshot name, or a path to a snapshot or to any result file (a stored name wins).
    NameOrPath(String),
    /// The snapshot recorded at the merge-base of `HEAD` and `branch` in the git checkout `repo`, or at
    /// its nearest first-parent ancestor that has one; else the latest snapshot (with a warning).
    MergeBase { branch: String, repo: PathBuf },
}

/// Where the grading policy (bands, rules, budgets, `fail_on`) comes from.
#[derive(Debug, Clone, Default)]
pub enum PolicySource {
    /// `./perfgate.toml` when present, else the defaults.
    #[default]
    Default,
    /// A policy file.
    File(PathBuf),
    /// A policy built by the caller, e.g. with [`Policy::parse`].
    Given(Policy),
}

impl PolicySource {
    fn load(&self) -> Result<Policy> {
        match self {
            PolicySource::Default => Policy::load(None),
            PolicySource::File(path) => Policy::load(Some(path)),
            PolicySource::Given(policy) => Ok(policy.clone()),
        }
    }
}

/// Everything [`analyze`] needs: what to read, what to compare it with, and how to grade it.
#[derive(Debug, Clone)]
pub struct Request {
    /// Result files (or directories, for formats that are directories) of the current run.
    pub files: Vec<PathBuf>,
    pub input: InputOptions,
    /// The directory holding baseline snapshots (`baselines/`).
    pub baselines_dir: PathBuf,
    pub baseline: BaselineSource,
    pub policy: PolicySource,
    /// Overrides the policy's `fail_on`.
    pub fail_on: Option<FailOn>,
    /// How the current files are named in the verdict, one per file; `None`: their paths.
    pub labels: Option<Vec<String>>,
    /// `perfgate ab`'s record of the runs, kept in the verdict.
    pub ab: Option<AbRecord>,
}

impl Request {
    /// A request for `files` against the latest snapshot in `baselines_dir`, with the default policy file.
    pub fn new(files: Vec<PathBuf>, baselines_dir: impl Into<PathBuf>) -> Request {
        Request {
            files,
            input: InputOptions::default(),
            baselines_dir: baselines_dir.into(),
            baseline: BaselineSource::Latest,
            policy: PolicySource::Default,
            fail_on: None,
            labels: None,
            ab: None,
        }
    }
}

/// Reads the current run, resolves the baseline, compares, applies the budgets and grades the result.
///
/// An input or usage problem is an `Err`; a gate failure is a verdict whose
/// [`gate_failed`](Verdict::gate_failed) is true. No baseline yet is a verdict with a message.
///
/// ```
/// use perfgate::analyze::{BaselineSource, Request};
///
/// let mut request = Request::new(vec!["fixtures/hyperfine/current.json".into()], "no-such-dir");
/// request.baseline = BaselineSource::NameOrPath("fixtures/hyperfine/baseline.json".into());
/// let verdict = perfgate::analyze(&request)?;
/// assert!(verdict.baseline.is_some());
/// assert!(!verdict.comparisons.is_empty());
/// # Ok::<(), perfgate::Error>(())
/// ```
pub fn analyze(req: &Request) -> Result<Verdict> {
    let store = Store::new(&req.baselines_dir);
    let format = format_by_id(req.input.format.as_deref())?;
    // Before the inputs: the policy bounds how many k6 sub-metrics they may create.
    let policy = req.policy.load()?;
    input::series_cap::set_max_series(policy.max_series);
    let merged = read_with(&req.files, format, &req.input)?;
    let mut current = merged.run;
    crate::loadtest::prepare(&mut current);
    let inputs = Inputs {
        files: match &req.labels {
            Some(labels) => labels.clone(),
            None => req.files.iter().map(|p| p.display().to_string()).collect(),
        },
        benchmarks: current.benchmarks.len(),
        metrics: current.metric_count(),
    };
    let fail_on = req.fail_on.or(policy.fail_on).unwrap_or_default();
    let (budget_rows, budget_problems) = budget::evaluate(&policy.budgets, &current);
    let mut warnings = Vec::new();
    let resolved = match &req.baseline {
        BaselineSource::MergeBase { branch, repo } => resolve::by_merge_base(branch, repo, &store)?,
        BaselineSource::NameOrPath(arg) => resolve::by_name_or_path(Some(arg), &store, format)?,
        BaselineSource::Latest => resolve::by_name_or_path(None, &store, format)?,
    };
    let (info, mut rows, message) = match resolved {
        Resolved::Found {
            info,
            run: mut base,
            history,
        } => {
            if let Some(why) = info.reason.as_deref().filter(|r| resolve::is_fallback(r)) {
                warnings.push(format!("--baseline-ref: {why}"));
            }
            // Baselines stored before this pass existed may still hold the repeated series.
            input::redundant::drop_repeated_tag_series(&mut base);
            crate::loadtest::prepare(&mut base);
            let ctx = Context {
                policy: &policy,
                history: &history,
            };
            warnings.extend(runner_warning(&info));
            // Name both sides: the comparison error itself only knows the benchmark.
            let rows = grade(&base, &current, &ctx, fail_on).map_err(|e| {
                Error::Incomparable(format!("{} vs {}: {e}", info.name, joined(&req.files)))
            })?;
            no_overlap_check(&info, &rows, &req.files)?;
            (Some(info), rows, None)
        }
        Resolved::None { message } => (None, Vec::new(), Some(message)),
    };
    compare::approximate::grade(&mut rows, &merged.approximate, &policy.bands, fail_on);
    rows.extend(budget_rows);
    compare::sort_worst_first(&mut rows);
    Ok(Verdict {
        message,
        bands: policy.bands,
        alpha: policy.alpha,
        warnings,
        budget_problems,
        ab: req.ab.clone(),
        ..Verdict::new(info, inputs, rows, fail_on, current.tool_checks.clone())
    })
}

/// The judgement of two runs, exactly as [`analyze`] makes it: every metric compared and graded
/// ([`compare::compare`]), the load-test rules (thin percentiles, materiality, counts; a no-op for other
/// formats), then family-wise control over the rows that moved beyond the band `fail_on` fails at. `examples/detection_quality` drives
/// this function on generated runs.
pub fn grade(
    baseline: &crate::model::Run,
    current: &crate::model::Run,
    ctx: &Context<'_>,
    fail_on: FailOn,
) -> Result<Vec<compare::Comparison>> {
    let mut rows = compare::compare(baseline, current, ctx)?;
    crate::loadtest::apply(baseline, current, &mut rows, ctx.policy);
    crate::loadtest::familywise::control(&mut rows, ctx.policy, fail_on);
    Ok(rows)
}

/// Reads result files as one run (as `perfgate baseline create` records them), or as one distributed
/// run's workers with `merge_workers`.
pub fn read_inputs(files: &[PathBuf], opts: &InputOptions) -> Result<input::workers::Merged> {
    read_with(files, format_by_id(opts.format.as_deref())?, opts)
}

fn read_with(
    files: &[PathBuf],
    format: Option<&'static dyn InputFormat>,
    opts: &InputOptions,
) -> Result<input::workers::Merged> {
    let mut merged = if opts.merge_workers {
        input::workers::read_workers(files, format, opts.approximate_merge)?
    } else {
        input::workers::Merged {
            run: input::read_files(files, format)?,
            approximate: Vec::new(),
        }
    };
    input::redundant::drop_repeated_tag_series(&mut merged.run);
    Ok(merged)
}

/// The input format with this id; an unknown id is a usage error naming the known ones.
pub fn format_by_id(id: Option<&str>) -> Result<Option<&'static dyn InputFormat>> {
    match id {
        None => Ok(None),
        Some(id) => input::format_by_id(id).map(Some).ok_or_else(|| {
            Error::Usage(format!(
                "unknown --format {id:?}; known formats: {}",
                input::format_ids()
            ))
        }),
    }
}

fn joined(files: &[PathBuf]) -> String {
    files
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A warning when the baseline was measured on a different kind of machine than this run.
fn runner_warning(info: &BaselineInfo) -> Option<String> {
    let then = info.runner.as_deref()?;
    let now = crate::baseline::RunnerInfo::detect().describe();
    (then != now).then(|| {
        format!(
            "the baseline was measured on a different runner ({then}) than this run ({now}); part of any difference may be the machine"
        )
    })
}

/// Refuses a comparison in which nothing was compared: every row new or missing (a hyperfine baseline
/// against a k6 run, the wrong baseline name) would otherwise pass with "31 new · 24 missing".
fn no_overlap_check(
    info: &BaselineInfo,
    rows: &[compare::Comparison],
    files: &[PathBuf],
) -> Result<()> {
    if rows.is_empty()
        || rows
            .iter()
            .any(|r| !matches!(r.severity, Severity::New | Severity::Missing))
    {
        return Ok(());
    }
    let count = |s: Severity| rows.iter().filter(|r| r.severity == s).count();
    Err(Error::Incomparable(format!(
        "{} vs {}: nothing to compare: no benchmark and metric is on both sides ({} new, {} missing); is this the right baseline for these files?",
        info.name,
        joined(files),
        count(Severity::New),
        count(Severity::Missing)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::Snapshot;
    use crate::verdict::{AbRun, Order, Side, Status};

    const BASE: &str = "fixtures/hyperfine/baseline.json";
    const HEAD: &str = "fixtures/hyperfine/current.json";

    fn pair(store: &std::path::Path) -> Request {
        let mut r = Request::new(vec![HEAD.into()], store);
        r.baseline = BaselineSource::NameOrPath(BASE.into());
        r
    }

    #[test]
    fn a_hyperfine_pair_is_graded_completely() {
        let dir = tempfile::tempdir().unwrap();
        let v = analyze(&pair(dir.path())).unwrap();
        // The fixture's current run is the baseline's workload made 1.2× slower.
        assert_eq!(v.status, Status::Fail);
        assert_eq!(v.summary.high, 2);
        assert!(v.comparisons.iter().any(|c| c.benchmark == "primes"
            && c.metric == "median"
            && c.severity == Severity::High));
        assert_eq!(v.baseline.as_ref().unwrap().name, BASE);
        assert_eq!(v.current.files, vec![HEAD.to_string()]);
        assert_eq!(v.alpha, 0.01);

        let mut never = pair(dir.path());
        never.fail_on = Some(FailOn::Never);
        let v = analyze(&never).unwrap();
        assert_eq!(v.fail_on, FailOn::Never);
        assert_eq!(v.status, Status::Warn);
    }

    #[test]
    fn labels_and_the_ab_record_are_part_of_the_verdict() {
        let dir = tempfile::tempdir().unwrap();
        let record = AbRecord {
            base_ref: "main".into(),
            base_commit: "0123456789abcdef".into(),
            head_commit: None,
            head_dirty: false,
            order: Order::Interleaved,
            runs_per_side: 1,
            runs: vec![AbRun {
                side: Side::Base,
                run: 1,
                wall_s: 1.5,
                files: vec!["current.json".into()],
            }],
        };
        let mut r = pair(dir.path());
        r.labels = Some(vec!["head run 1: current.json".into()]);
        r.ab = Some(record.clone());
        let v = analyze(&r).unwrap();
        assert_eq!(
            v.current.files,
            vec!["head run 1: current.json".to_string()]
        );
        assert_eq!(v.ab, Some(record));
    }

    #[test]
    fn no_baseline_yet_is_a_verdict_that_says_how_to_record_one() {
        let dir = tempfile::tempdir().unwrap();
        let v = analyze(&Request::new(vec![HEAD.into()], dir.path())).unwrap();
        assert_eq!(v.status, Status::NoBaseline);
        assert!(v.comparisons.is_empty());
        let message = v.message.unwrap();
        assert!(
            message.contains("no baseline `main`")
                && message.contains("perfgate baseline create main"),
            "{message}"
        );
    }

    #[test]
    fn merge_base_is_looked_up_in_the_given_repository() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("baselines"));
        let run = input::read_file(std::path::Path::new(BASE), None).unwrap();
        store.save(&Snapshot::new("main", run), false).unwrap();
        // The test's own working directory is a git checkout; the temporary directory is not.
        let mut r = Request::new(vec![HEAD.into()], store.dir());
        r.baseline = BaselineSource::MergeBase {
            branch: "main".into(),
            repo: dir.path().to_path_buf(),
        };
        let v = analyze(&r).unwrap();
        assert_eq!(v.baseline.as_ref().unwrap().name, "main");
        assert!(
            v.warnings.iter().any(|w| w
                .starts_with("--baseline-ref: no merge-base of HEAD and main")
                && resolve::is_fallback(w)),
            "{:?}",
            v.warnings
        );
    }

    #[test]
    fn a_policy_given_in_code_applies_its_budgets_without_a_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let policy = Policy::parse(
            "[[budget]]\nbenchmark = \"primes\"\nmetric = \"median\"\nfail_above = 150\n",
            std::path::Path::new("<test>"),
        )
        .unwrap();
        let mut r = Request::new(vec![HEAD.into()], dir.path());
        r.policy = PolicySource::Given(policy);
        let v = analyze(&r).unwrap();
        // No baseline, but the current median of primes (161.9 ms) is above its budget.
        assert!(v.baseline.is_none());
        assert_eq!(v.status, Status::Fail);
        let row = v
            .comparisons
            .iter()
            .find(|c| c.kind == crate::compare::Kind::Budget)
            .unwrap();
        assert_eq!(
            (row.benchmark.as_str(), row.metric.as_str()),
            ("primes", "median")
        );
        assert_eq!(row.baseline, Some(150.0));
    }

    #[test]
    fn an_unknown_format_is_a_usage_error_naming_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = pair(dir.path());
        r.input.format = Some("bogus".into());
        let e = analyze(&r).unwrap_err().to_string();
        assert!(
            e.starts_with("unknown --format \"bogus\"; known formats: "),
            "{e}"
        );
        assert!(e.contains("hyperfine"), "{e}");
    }
}
