//! `perfgate baseline …` and `perfgate history`: the snapshot store.

use std::io::{self, Write};

use perfgate::analyze::missing_baseline;
use perfgate::baseline::{self, Snapshot, Store};
use perfgate::error::{Error, Result};
use perfgate::github::{Context, RunInfo};
use perfgate::input;
use perfgate::policy::{Pattern, Policy};
use perfgate::report::{self, plural};
use perfgate::severity::Severity;

use super::args::{BaselineCommand, HistoryArgs, HistoryFormat, ListFormat};
use super::{stdout_err, EXIT_GATE_FAILED, EXIT_PASS};

pub fn run(cmd: &BaselineCommand, store: &Store, out: &mut dyn Write) -> Result<u8> {
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
            let policy = Policy::load(None).ok();
            if let Some(p) = &policy {
                input::series_cap::set_max_series(p.max_series);
            }
            let run = perfgate::analyze::read_inputs(files, &input_args.options())?.run;
            let snapshot = Snapshot::new(name, run);
            let path = if *append {
                // Pruned here rather than by append, keeping the snapshots either side of each step.
                // (keep 0 still goes to append, which refuses it before writing anything.)
                let path = store.append(&snapshot, if *keep == 0 { 0 } else { usize::MAX })?;
                store.prune_keeping(name, *keep, &perfgate::history::boundaries)?;
                path
            } else {
                store.save(&snapshot, *force)?
            };
            writeln!(
                out,
                "created baseline `{}` ({}): {}, {}, {}{}",
                name,
                path.display(),
                plural(files.len(), "file"),
                plural(snapshot.run.benchmarks.len(), "benchmark"),
                plural(snapshot.run.metric_count(), "metric"),
                snapshot
                    .short_commit()
                    .map(|c| format!(", commit {c}"))
                    .unwrap_or_default()
            )
            .map_err(stdout_err)?;
            if *append {
                return main_notice(name, store, &policy.unwrap_or_default());
            }
            Ok(EXIT_PASS)
        }
        BaselineCommand::Prune { name, keep } => {
            let n = store.prune_keeping(name, *keep, &perfgate::history::boundaries)?;
            writeln!(
                out,
                "pruned {n} history snapshot{} of `{name}`",
                if n == 1 { "" } else { "s" }
            )
            .map_err(stdout_err)
            .map(|()| EXIT_PASS)
        }
        BaselineCommand::List { output, history } => {
            let (snapshots, broken) = match history {
                Some(name) => (store.history(name)?, Vec::new()),
                None => store.list()?,
            };
            for e in &broken {
                eprintln!(
                    "perfgate: warning: {}",
                    perfgate::escape::terminal(&e.to_string())
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
            .map(|()| EXIT_PASS)
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
            .map(|()| EXIT_PASS)
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
            .map(|()| EXIT_PASS)
        }
        BaselineCommand::Delete { name } => {
            let path = store.path_for(name)?;
            if !store.delete_with_history(name)? {
                return Err(missing_baseline(store, name));
            }
            writeln!(out, "deleted baseline `{name}` ({})", path.display())
                .map_err(stdout_err)
                .map(|()| EXIT_PASS)
        }
    }
}

/// After `baseline create --append`: when the new snapshot brought a change point at the medium band
/// or worse in a gated metric, say so on stderr, and in Actions as one annotation and in the job
/// summary (with the commit's link). Exit 1 on a critical step when the policy's
/// `fail_on_critical_step` asks for it; the snapshot is recorded either way.
fn main_notice(name: &str, store: &Store, policy: &Policy) -> Result<u8> {
    let snapshots = store.history(name)?;
    let changes = perfgate::history::new_changes(&snapshots, policy, Severity::Medium);
    if changes.is_empty() {
        return Ok(EXIT_PASS);
    }
    let ctx = Context::from_env();
    let mut run = RunInfo::from(&ctx);
    run.repo_url = run.repo_url.or_else(repo_url_from_env);
    for line in report::history::notice_lines(name, &changes) {
        eprintln!("perfgate: {}", perfgate::escape::terminal(&line));
    }
    if ctx.in_actions {
        let c = &changes[0];
        let metrics: Vec<String> = changes
            .iter()
            .flat_map(|c| &c.metrics)
            .map(|m| {
                format!(
                    "{} {} {}",
                    m.benchmark,
                    m.metric,
                    report::history::step_text(m)
                )
            })
            .collect();
        let commit = c.commit.as_deref().unwrap_or(&c.created_at);
        let link = match (&run.repo_url, &c.commit) {
            (Some(repo), Some(hash)) => format!(" {}/commit/{hash}", repo.trim_end_matches('/')),
            _ => String::new(),
        };
        println!(
            "{}",
            perfgate::github::actions::warning_command(
                &format!(
                    "perfgate: {name} stepped at {}",
                    commit.chars().take(7).collect::<String>()
                ),
                &format!("{}{link}", metrics.join("; ")),
            )
        );
        if let Some(path) = &ctx.step_summary {
            let text = report::history::notice_markdown(name, &changes, &run);
            if let Err(e) = perfgate::github::actions::append_summary(path, &text) {
                eprintln!(
                    "perfgate: warning: could not write the job summary {}: {e}",
                    path.display()
                );
            }
        }
    }
    let critical = changes
        .iter()
        .flat_map(|c| &c.metrics)
        .any(|m| m.change.severity == Severity::Critical);
    if critical && policy.fail_on_critical_step {
        eprintln!("perfgate: failing: a critical step on main, and the policy's fail_on_critical_step is on");
        return Ok(EXIT_GATE_FAILED);
    }
    Ok(EXIT_PASS)
}

fn load_existing(store: &Store, name: &str) -> Result<Snapshot> {
    store
        .load(name)?
        .ok_or_else(|| missing_baseline(store, name))
}

pub fn history(args: &HistoryArgs, store: &Store, out: &mut dyn Write) -> Result<u8> {
    let snapshots = store.history(&args.name)?;
    let snapshots = if snapshots.is_empty() {
        // No --append history yet: the single current snapshot is a history of one.
        vec![load_existing(store, &args.name)?]
    } else {
        snapshots
    };
    let policy = Policy::load(args.config.as_deref())?;
    let bench = args.benchmark.as_deref().map(Pattern::new);
    let metric = args.metric.as_deref().map(Pattern::new);
    let mut series = perfgate::history::series(&snapshots, bench.as_ref(), metric.as_ref());
    if series.is_empty() {
        return Err(Error::Usage(format!(
            "baseline `{}` has no metric matching the given --benchmark/--metric",
            args.name
        )));
    }
    perfgate::history::apply_policy(&mut series, &policy);
    let analysed =
        perfgate::history::analyse(series, |s| policy.for_metric(&s.benchmark, &s.metric).bands);
    let changes = perfgate::history::changes(&analysed, args.all);
    let repo_url = args
        .repo_url
        .clone()
        .or_else(|| RunInfo::from(&Context::from_env()).repo_url)
        .or_else(repo_url_from_env);
    let title = format!("perfgate history: {}", args.name);
    match args.output {
        HistoryFormat::Table if args.changes => {
            report::history::changes_table(&args.name, &changes, args.all, out)
        }
        HistoryFormat::Table => {
            let series: Vec<_> = analysed.iter().map(|a| a.series.clone()).collect();
            report::history::table(&series, out).and_then(|()| {
                report::history::changes_hint(&perfgate::history::changes(&analysed, false), out)
            })
        }
        HistoryFormat::Json => {
            let r = perfgate::history::Report {
                baseline: &args.name,
                snapshots: snapshots.len(),
                changes: &changes,
                series: &analysed,
            };
            serde_json::to_writer_pretty(&mut *out, &r)
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        HistoryFormat::Svg => out.write_all(report::chart::svg(&analysed).as_bytes()),
        HistoryFormat::Html => {
            let page = report::chart::page(&title, &analysed, &changes, repo_url.as_deref());
            out.write_all(page.as_bytes())
        }
    }
    .map_err(stdout_err)?;
    Ok(EXIT_PASS)
}

/// `GITHUB_SERVER_URL/GITHUB_REPOSITORY` when both are set (Actions outside a run link, e.g. a step
/// without `GITHUB_RUN_ID`).
fn repo_url_from_env() -> Option<String> {
    let server = std::env::var("GITHUB_SERVER_URL").ok()?;
    let repo = std::env::var("GITHUB_REPOSITORY").ok()?;
    Some(format!("{}/{repo}", server.trim_end_matches('/')))
}
