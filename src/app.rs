//! Runs the parsed command line: the glue between the CLI and the library, and the exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::baseline::{self, Snapshot, Store};
use crate::budget;
use crate::cli::{
    AnalyzeArgs, BaselineCommand, Cli, ColorChoice, Command, ConfigCommand, HistoryArgs,
    HistoryFormat, InputArgs, ListFormat,
};
use crate::compare::{self, Context};
use crate::error::{Error, Result};
use crate::github;
use crate::input::{self, InputFormat, Probe};
use crate::model::Run;
use crate::policy::{self, Pattern, Policy};
use crate::report::{self, RenderOptions};
use crate::verdict::{BaselineInfo, Inputs, Verdict};

/// Exit code: the gate passed (warnings allowed).
pub const EXIT_PASS: u8 = 0;
/// Exit code: the gate failed.
pub const EXIT_GATE_FAILED: u8 = 1;
/// Exit code: usage or input error.
pub const EXIT_ERROR: u8 = 2;

/// Runs a command and returns the process exit code. Errors are printed as one line on stderr.
pub fn run(cli: Cli) -> ExitCode {
    let stdout = io::stdout();
    let color = use_color(cli.color, stdout.is_terminal());
    let mut out = stdout.lock();
    input::progress::set_enabled(input::progress::allowed(
        cli.quiet,
        std::env::var_os("CI").is_some(),
        io::stderr().is_terminal(),
    ));
    let code = match execute(&cli, color, &mut out) {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => EXIT_PASS,
        Err(e) => {
            // File and benchmark names in messages are untrusted: no escape sequences to the terminal.
            eprintln!("perfgate: {}", crate::escape::terminal(&e.to_string()));
            EXIT_ERROR
        }
    };
    ExitCode::from(code)
}

/// Colour only on a terminal, unless forced; `NO_COLOR` (non-empty) turns it off.
fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn stdout_err(e: io::Error) -> Error {
    Error::io(Path::new("<stdout>"), e)
}

fn execute(cli: &Cli, color: bool, out: &mut dyn Write) -> Result<u8> {
    let store = Store::new(&cli.baselines_dir);
    match &cli.command {
        Command::Analyze(args) => analyze(args, &store, color, out),
        Command::Ab(args) => crate::ab::run(args, color, cli.quiet, out),
        Command::Baseline(cmd) => baseline_command(cmd, &store, out).map(|()| EXIT_PASS),
        Command::Comment(args) => github::run_comment_command(args).map(|()| EXIT_PASS),
        Command::Pull(args) => crate::prom::pull::run(args, out),
        Command::Push(args) => crate::prom::push::run(args, out),
        Command::Formats => report::baselines::formats(
            input::FORMATS
                .iter()
                .map(|f| [f.id(), f.tool(), f.example()]),
            out,
        )
        .map(|()| EXIT_PASS)
        .map_err(stdout_err),
        Command::Config(ConfigCommand::Check { file }) => config_check(file.as_deref(), out),
        Command::History(args) => history(args, &store, out),
        Command::Init { force } => init(*force, out),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "perfgate", out);
            Ok(EXIT_PASS)
        }
    }
}

fn format_override(args: &InputArgs) -> Result<Option<&'static dyn InputFormat>> {
    match &args.format {
        None => Ok(None),
        Some(id) => input::format_by_id(id).map(Some).ok_or_else(|| {
            Error::Usage(format!(
                "unknown --format {id:?}; known formats: {}",
                input::format_ids()
            ))
        }),
    }
}

/// Reads the current run's files, as one distributed run's workers with `--merge-workers`.
fn read_inputs(files: &[std::path::PathBuf], args: &InputArgs) -> Result<input::workers::Merged> {
    let format = format_override(args)?;
    let mut merged = if args.merge_workers {
        input::workers::read_workers(files, format, args.approximate_merge)?
    } else {
        input::workers::Merged {
            run: input::read_files(files, format)?,
            approximate: Vec::new(),
        }
    };
    input::redundant::drop_repeated_tag_series(&mut merged.run);
    Ok(merged)
}

/// A baseline found for `analyze`: what it is, its run, and its earlier snapshots.
type ResolvedBaseline = (BaselineInfo, Run, Vec<Run>);

/// Resolves `--baseline`: a path, a stored name, or the latest snapshot. `Ok(None)` means there is none yet.
fn resolve_baseline(
    arg: Option<&str>,
    store: &Store,
    format: Option<&'static dyn InputFormat>,
) -> Result<std::result::Result<ResolvedBaseline, String>> {
    let create_hint = |name: &str| {
        format!(
            "no baseline `{name}` in {}/ yet; record one on the main branch with `perfgate baseline create {name} FILE...`",
            store.dir().display()
        )
    };
    let snapshot = match arg {
        Some("") => {
            return Err(Error::Usage(
                "--baseline is empty; give a stored baseline name (e.g. main) or a result file"
                    .into(),
            ))
        }
        // A stored name wins over a file or directory of the same name in the working directory.
        Some(a) if baseline::validate_name(a).is_ok() && store.path_for(a)?.exists() => {
            match store.load(a)? {
                Some(s) => s,
                None => return Ok(Err(create_hint(a))),
            }
        }
        Some(a) if Path::new(a).exists() => {
            let path = Path::new(a);
            let probe = Probe::open(path)?;
            if input::snapshot::SnapshotInput.sniff(&probe) {
                baseline::read_snapshot(path)?
            } else {
                let run = input::read_file(path, format)?;
                let info = BaselineInfo {
                    name: a.to_string(),
                    ..BaselineInfo::default()
                };
                return Ok(Ok((info, run, Vec::new())));
            }
        }
        Some(a) => {
            if baseline::validate_name(a).is_err() {
                return Err(Error::io(
                    Path::new(a),
                    io::Error::from(io::ErrorKind::NotFound),
                ));
            }
            // Neither a file nor a stored name. With other baselines stored this is a typo (or
            // `main.json` for `main`), which must not pass as "no baseline yet".
            let (known, _) = store.list()?;
            if known.is_empty() {
                return Ok(Err(create_hint(a)));
            }
            let mut e = missing_baseline(store, a).to_string();
            if let Some(stem) = a.strip_suffix(".json") {
                if known.iter().any(|s| s.name == stem) {
                    e.push_str(&format!("; did you mean `{stem}`?"));
                }
            }
            return Err(Error::Usage(e));
        }
        None => match store.latest()? {
            Some(s) => s,
            None => return Ok(Err(create_hint("main"))),
        },
    };
    Ok(Ok(stored_baseline(store, snapshot, None)?))
}

/// Describes a stored snapshot and collects its history.
fn stored_baseline(
    store: &Store,
    snapshot: Snapshot,
    reason: Option<String>,
) -> Result<ResolvedBaseline> {
    let info = BaselineInfo {
        name: snapshot.name.clone(),
        created_at: Some(snapshot.created_at.clone()),
        commit: snapshot.git.commit.clone(),
        branch: snapshot.git.branch.clone(),
        runner: snapshot.runner.as_ref().map(baseline::RunnerInfo::describe),
        reason,
    };
    let history = match baseline::validate_name(&snapshot.name) {
        Ok(()) => store
            .history(&snapshot.name)?
            .into_iter()
            .map(|s| s.run)
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok((info, snapshot.run, history))
}

/// Ends the reason of a `--baseline-ref` that found no snapshot on the branch's history; such a fallback
/// is also a warning in the report, never silent.
const REF_FALLBACK: &str = "; using the latest snapshot";

/// How far back `--baseline-ref` looks for an ancestor of the merge-base that has a snapshot.
const REF_SEARCH_DEPTH: &str = "200";

/// `--baseline-ref BRANCH`: the snapshot at the merge-base of HEAD and BRANCH, or at its nearest
/// first-parent ancestor that has one; else the latest snapshot. The reason is recorded in the verdict.
fn resolve_baseline_ref(
    branch: &str,
    store: &Store,
) -> Result<std::result::Result<ResolvedBaseline, String>> {
    let all = store.all_snapshots()?;
    let latest = |why: String| -> Result<std::result::Result<ResolvedBaseline, String>> {
        match store.latest()? {
            Some(s) => Ok(Ok(stored_baseline(store, s, Some(why))?)),
            None => Ok(Err(format!(
                "no baselines in {}/ yet; record one on {branch} with `perfgate baseline create main --append FILE...`",
                store.dir().display()
            ))),
        }
    };
    if branch.starts_with('-') {
        return Err(Error::Usage(format!(
            "--baseline-ref {:?} is not a branch name",
            crate::escape::terminal(branch)
        )));
    }
    let Some(base) = merge_base(branch) else {
        let shallow =
            baseline::git(&["rev-parse", "--is-shallow-repository"]).as_deref() == Some("true");
        let why = if shallow {
            format!("no merge-base of HEAD and {branch}: this is a shallow clone (fetch the history: actions/checkout with `fetch-depth: 0`){REF_FALLBACK}")
        } else {
            format!("no merge-base of HEAD and {branch} (not a git checkout, or neither {branch} nor origin/{branch} exists){REF_FALLBACK}")
        };
        return latest(why);
    };
    let ancestors = baseline::git(&["rev-list", "--first-parent", "-n", REF_SEARCH_DEPTH, &base])
        .unwrap_or_default();
    for (depth, commit) in ancestors.lines().enumerate() {
        let found = all
            .iter()
            .filter(|(_, s)| s.git.commit.as_deref() == Some(commit))
            .max_by(|a, b| a.1.created_at.cmp(&b.1.created_at));
        if let Some((owner, s)) = found {
            let short: String = base.chars().take(7).collect();
            let why = if depth == 0 {
                format!("snapshot at the merge-base of HEAD and {branch} ({short})")
            } else {
                format!("no snapshot at the merge-base {short}; using the nearest ancestor with one, {depth} commits earlier")
            };
            let mut snapshot = s.clone();
            let mut history = Vec::new();
            if let Some(owner) = owner {
                // A history entry: compare against the baseline it belongs to, with the history up to it.
                snapshot.name = owner.clone();
                history = store
                    .history(owner)?
                    .into_iter()
                    .filter(|h| h.created_at <= s.created_at)
                    .map(|h| h.run)
                    .collect();
            }
            let (info, run, own_history) = stored_baseline(store, snapshot, Some(why))?;
            let history = if owner.is_some() {
                history
            } else {
                own_history
            };
            return Ok(Ok((info, run, history)));
        }
    }
    latest(format!(
        "no snapshot at the merge-base of HEAD and {branch} or its last {REF_SEARCH_DEPTH} ancestors{REF_FALLBACK}"
    ))
}

/// The merge-base of HEAD and `branch`, where `branch` is a local branch or, as in an `actions/checkout`
/// clone that has only remote-tracking branches, `origin/<branch>`.
fn merge_base(branch: &str) -> Option<String> {
    let local = format!("refs/heads/{branch}");
    let remote = format!("refs/remotes/origin/{branch}");
    let reference = [local.as_str(), remote.as_str(), branch]
        .into_iter()
        .find(|r| {
            baseline::git(&[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{r}^{{commit}}"),
            ])
            .is_some()
        })?;
    baseline::git(&["merge-base", "HEAD", reference])
}

/// A warning when the baseline was measured on a different kind of machine than this run.
fn runner_warning(info: &BaselineInfo) -> Option<String> {
    let then = info.runner.as_deref()?;
    let now = baseline::RunnerInfo::detect().describe();
    (then != now).then(|| {
        format!(
            "the baseline was measured on a different runner ({then}) than this run ({now}); part of any difference may be the machine"
        )
    })
}

fn analyze(args: &AnalyzeArgs, store: &Store, color: bool, out: &mut dyn Write) -> Result<u8> {
    analyze_with(args, store, color, out, |_| {})
}

/// `analyze`, with `finish` completing the verdict before it is rendered (`perfgate ab` adds its runs).
pub(crate) fn analyze_with(
    args: &AnalyzeArgs,
    store: &Store,
    color: bool,
    out: &mut dyn Write,
    finish: impl FnOnce(&mut Verdict),
) -> Result<u8> {
    let format = format_override(&args.input)?;
    // Before the inputs: the policy bounds how many k6 sub-metrics they may create.
    let policy = Policy::load(args.report.config.as_deref())?;
    input::series_cap::set_max_series(policy.max_series);
    let merged = read_inputs(&args.files, &args.input)?;
    let mut current = merged.run;
    crate::loadtest::prepare(&mut current);
    let inputs = Inputs {
        files: args.files.iter().map(|p| p.display().to_string()).collect(),
        benchmarks: current.benchmarks.len(),
        metrics: current.metric_count(),
    };
    let fail_on = args.report.fail_on.or(policy.fail_on).unwrap_or_default();
    let (budget_rows, budget_problems) = budget::evaluate(&policy.budgets, &current);
    let resolved = match &args.baseline_ref {
        Some(branch) => resolve_baseline_ref(branch, store)?,
        None => resolve_baseline(args.baseline.as_deref(), store, format)?,
    };
    let mut warnings = Vec::new();
    let (info, mut rows, message) = match resolved {
        Ok((info, mut base, history)) => {
            if let Some(why) = info.reason.as_deref().filter(|r| r.ends_with(REF_FALLBACK)) {
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
            let mut rows = compare::compare(&base, &current, &ctx).map_err(|e| {
                Error::Usage(format!(
                    "{} vs {}: {e}",
                    info.name,
                    args.files
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            // Load-test rules: thin percentiles, materiality, counts, Holm (no-op for other formats).
            crate::loadtest::apply(&base, &current, &mut rows, &policy);
            no_overlap_check(&info, &rows, &args.files)?;
            (Some(info), rows, None)
        }
        Err(message) => (None, Vec::new(), Some(message)),
    };
    compare::approximate::grade(&mut rows, &merged.approximate, &policy.bands, fail_on);
    rows.extend(budget_rows);
    compare::sort_worst_first(&mut rows);
    let mut verdict = Verdict::new(info, inputs, rows, fail_on, current.tool_checks.clone());
    verdict.message = message;
    verdict.bands = policy.bands;
    verdict.alpha = policy.alpha;
    verdict.warnings = warnings;
    verdict.budget_problems = budget_problems;
    finish(&mut verdict);
    let opts = RenderOptions {
        color,
        all: args.report.all,
    };
    let code = if verdict.gate_failed() {
        EXIT_GATE_FAILED
    } else {
        EXIT_PASS
    };
    let result = match args
        .report
        .output
        .renderer_for(github::RunInfo::from(&github::Context::from_env()))
        .render(&verdict, &opts, out)
        .and_then(|()| out.flush())
    {
        Ok(()) => Ok(code),
        // The verdict stands even when the reader of stdout went away.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(stdout_err(e)),
    };
    // GitHub output (annotations, comment, job summary) only warns; the exit code is already decided.
    github::after_analyze(&verdict, args, out);
    result
}

/// Refuses a comparison in which nothing was compared: every row new or missing (a hyperfine baseline
/// against a k6 run, the wrong baseline name) would otherwise pass with "31 new · 24 missing".
fn no_overlap_check(
    info: &BaselineInfo,
    rows: &[compare::Comparison],
    files: &[std::path::PathBuf],
) -> Result<()> {
    use crate::severity::Severity;
    if rows.is_empty()
        || rows
            .iter()
            .any(|r| !matches!(r.severity, Severity::New | Severity::Missing))
    {
        return Ok(());
    }
    let count = |s: Severity| rows.iter().filter(|r| r.severity == s).count();
    let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    Err(Error::Usage(format!(
        "{} vs {}: nothing to compare: no benchmark and metric is on both sides ({} new, {} missing); is this the right baseline for these files?",
        info.name,
        files.join(", "),
        count(Severity::New),
        count(Severity::Missing)
    )))
}

fn baseline_command(cmd: &BaselineCommand, store: &Store, out: &mut dyn Write) -> Result<()> {
    match cmd {
        BaselineCommand::Create {
            name,
            files,
            force,
            append,
            keep,
            input: input_args,
        } => {
            baseline::validate_name(name)?;
            // perfgate.toml's max_series, when there is a valid one; analyze reports a broken file.
            if let Ok(p) = Policy::load(None) {
                input::series_cap::set_max_series(p.max_series);
            }
            let run = read_inputs(files, input_args)?.run;
            let snapshot = Snapshot::new(name, run);
            let path = if *append {
                store.append(&snapshot, *keep)?
            } else {
                store.save(&snapshot, *force)?
            };
            writeln!(
                out,
                "created baseline `{}` ({}): {} file{}, {} benchmarks, {} metrics{}",
                name,
                path.display(),
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                snapshot.run.benchmarks.len(),
                snapshot.run.metric_count(),
                snapshot
                    .short_commit()
                    .map(|c| format!(", commit {c}"))
                    .unwrap_or_default()
            )
            .map_err(stdout_err)
        }
        BaselineCommand::Prune { name, keep } => {
            let n = store.prune(name, *keep)?;
            writeln!(
                out,
                "pruned {n} history snapshot{} of `{name}`",
                if n == 1 { "" } else { "s" }
            )
            .map_err(stdout_err)
        }
        BaselineCommand::List { output, history } => {
            let (snapshots, broken) = match history {
                Some(name) => (store.history(name)?, Vec::new()),
                None => store.list()?,
            };
            for e in &broken {
                eprintln!(
                    "perfgate: warning: {}",
                    crate::escape::terminal(&e.to_string())
                );
            }
            match output {
                ListFormat::Json => report::baselines::list_json(&snapshots, out),
                ListFormat::Table if snapshots.is_empty() => {
                    writeln!(out, "no baselines in {}/", store.dir().display())
                }
                ListFormat::Table => report::baselines::list(&snapshots, out),
            }
            .map_err(stdout_err)
        }
        BaselineCommand::Show { name, output } => {
            let snapshot = load_existing(store, name)?;
            match output {
                ListFormat::Json => serde_json::to_writer_pretty(&mut *out, &snapshot)
                    .map_err(io::Error::from)
                    .and_then(|()| writeln!(out)),
                ListFormat::Table => report::baselines::show(&snapshot, out),
            }
            .map_err(stdout_err)
        }
        BaselineCommand::Latest { output } => {
            let snapshot = store.latest()?.ok_or_else(|| {
                Error::baseline(
                    store.dir(),
                    "no baselines yet; create one with `perfgate baseline create NAME FILE...`",
                )
            })?;
            match output {
                ListFormat::Json => serde_json::to_writer_pretty(
                    &mut *out,
                    &report::baselines::summary_json(&snapshot),
                )
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out)),
                ListFormat::Table => writeln!(out, "{}", snapshot.name),
            }
            .map_err(stdout_err)
        }
        BaselineCommand::Delete { name } => {
            let path = store.path_for(name)?;
            if !store.delete_with_history(name)? {
                return Err(missing_baseline(store, name));
            }
            writeln!(out, "deleted baseline `{name}` ({})", path.display()).map_err(stdout_err)
        }
    }
}

fn missing_baseline(store: &Store, name: &str) -> Error {
    let known: Vec<String> = store
        .list()
        .map(|(s, _)| s.into_iter().map(|s| s.name).collect())
        .unwrap_or_default();
    let known = if known.is_empty() {
        "none".to_string()
    } else {
        known.join(", ")
    };
    Error::baseline(
        store.dir(),
        format!("no baseline `{name}` (available: {known})"),
    )
}

fn load_existing(store: &Store, name: &str) -> Result<Snapshot> {
    store
        .load(name)?
        .ok_or_else(|| missing_baseline(store, name))
}

fn config_check(file: Option<&Path>, out: &mut dyn Write) -> Result<u8> {
    let path = file.unwrap_or(Path::new(policy::DEFAULT_FILE));
    if !path.exists() {
        return Err(Error::io(path, io::Error::from(io::ErrorKind::NotFound)));
    }
    let p = Policy::load(Some(path))?;
    writeln!(
        out,
        "{}: ok · fail_on {} · alpha {} · bands {}/{}/{}/{} % · {} budget{}",
        path.display(),
        p.fail_on.unwrap_or_default().describe(),
        p.alpha,
        p.bands.low,
        p.bands.medium,
        p.bands.high,
        p.bands.critical,
        p.budgets.len(),
        if p.budgets.len() == 1 { "" } else { "s" }
    )
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}

fn init(force: bool, out: &mut dyn Write) -> Result<u8> {
    let path = Path::new(policy::DEFAULT_FILE);
    if path.exists() && !force {
        return Err(Error::config(
            path,
            "already exists; use --force to replace it",
        ));
    }
    std::fs::write(path, policy::EXAMPLE).map_err(|e| Error::io(path, e))?;
    writeln!(
        out,
        "wrote {}; check it with `perfgate config check`",
        path.display()
    )
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}

fn history(args: &HistoryArgs, store: &Store, out: &mut dyn Write) -> Result<u8> {
    let snapshots = store.history(&args.name)?;
    let snapshots = if snapshots.is_empty() {
        // No --append history yet: the single current snapshot is a history of one.
        vec![load_existing(store, &args.name)?]
    } else {
        snapshots
    };
    let bench = args.benchmark.as_deref().map(Pattern::new);
    let metric = args.metric.as_deref().map(Pattern::new);
    let series = crate::history::series(&snapshots, bench.as_ref(), metric.as_ref());
    if series.is_empty() {
        return Err(Error::Usage(format!(
            "baseline `{}` has no metric matching the given --benchmark/--metric",
            args.name
        )));
    }
    let title = format!("perfgate history: {}", args.name);
    match args.output {
        HistoryFormat::Table => report::history::table(&series, out),
        HistoryFormat::Json => serde_json::to_writer_pretty(&mut *out, &series)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        HistoryFormat::Svg => out.write_all(report::chart::svg(&series).as_bytes()),
        HistoryFormat::Html => out.write_all(report::chart::html(&title, &series).as_bytes()),
    }
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}
