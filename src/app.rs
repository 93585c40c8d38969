//! Runs the parsed command line: the glue between the CLI and the library, and the exit codes.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use crate::baseline::{self, Snapshot, Store};
use crate::budget;
use crate::cli::{
    AnalyzeArgs, BaselineCommand, Cli, ColorChoice, Command, ConfigCommand, InputArgs, ListFormat,
};
use crate::compare::{self, Context};
use crate::error::{Error, Result};
use crate::github;
use crate::input::{self, InputFormat, Probe};
use crate::model::Run;
use crate::policy::{self, Policy};
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
            eprintln!("perfgate: {e}");
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
        Command::Baseline(cmd) => baseline_command(cmd, &store, out).map(|()| EXIT_PASS),
        Command::Comment(args) => github::run_comment_command(args).map(|()| EXIT_PASS),
        Command::Formats => report::baselines::formats(input::FORMATS, out)
            .map(|()| EXIT_PASS)
            .map_err(stdout_err),
        Command::Config(ConfigCommand::Check { file }) => config_check(file.as_deref(), out),
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
            match store.load(a)? {
                Some(s) => s,
                None => return Ok(Err(create_hint(a))),
            }
        }
        None => match store.latest()? {
            Some(s) => s,
            None => return Ok(Err(create_hint("main"))),
        },
    };
    let info = BaselineInfo {
        name: snapshot.name.clone(),
        created_at: Some(snapshot.created_at.clone()),
        commit: snapshot.git.commit.clone(),
        branch: snapshot.git.branch.clone(),
    };
    let history = match baseline::validate_name(&snapshot.name) {
        Ok(()) => store
            .history(&snapshot.name)?
            .into_iter()
            .map(|s| s.run)
            .collect(),
        Err(_) => Vec::new(),
    };
    Ok(Ok((info, snapshot.run, history)))
}

fn analyze(args: &AnalyzeArgs, store: &Store, color: bool, out: &mut dyn Write) -> Result<u8> {
    let format = format_override(&args.input)?;
    let current = input::read_files(&args.files, format)?;
    let inputs = Inputs {
        files: args.files.iter().map(|p| p.display().to_string()).collect(),
        benchmarks: current.benchmarks.len(),
        metrics: current.metric_count(),
    };
    let policy = Policy::load(args.config.as_deref())?;
    let fail_on = args.fail_on.or(policy.fail_on).unwrap_or_default();
    let (budget_rows, warnings) = budget::evaluate(&policy.budgets, &current);
    let (info, mut rows, message) = match resolve_baseline(args.baseline.as_deref(), store, format)?
    {
        Ok((info, base, history)) => {
            let ctx = Context {
                policy: &policy,
                history: &history,
            };
            (Some(info), compare::compare(&base, &current, &ctx)?, None)
        }
        Err(message) => (None, Vec::new(), Some(message)),
    };
    rows.extend(budget_rows);
    compare::sort_worst_first(&mut rows);
    let mut verdict = Verdict::new(info, inputs, rows, fail_on, current.tool_checks.clone());
    verdict.message = message;
    verdict.bands = policy.bands;
    verdict.alpha = policy.alpha;
    verdict.warnings = warnings;
    let opts = RenderOptions {
        color,
        all: args.all,
    };
    let code = if verdict.gate_failed() {
        EXIT_GATE_FAILED
    } else {
        EXIT_PASS
    };
    let result = match args
        .output
        .renderer()
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
            let run = input::read_files(files, format_override(input_args)?)?;
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
        BaselineCommand::List { output } => {
            let (snapshots, broken) = store.list()?;
            for e in &broken {
                eprintln!("perfgate: warning: {e}");
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
            if !store.delete(name)? {
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
