//! `perfgate baseline …` and `perfgate history`: the snapshot store.

use std::io::{self, Write};

use perfgate::analyze::missing_baseline;
use perfgate::baseline::{self, Snapshot, Store};
use perfgate::error::{Error, Result};
use perfgate::github::{Context, RunInfo};
use perfgate::input;
use perfgate::policy::{Pattern, Policy};
use perfgate::report;

use super::args::{BaselineCommand, HistoryArgs, HistoryFormat, ListFormat};
use super::{stdout_err, EXIT_PASS};

pub fn run(cmd: &BaselineCommand, store: &Store, out: &mut dyn Write) -> Result<()> {
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
            let run = perfgate::analyze::read_inputs(files, &input_args.options())?.run;
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
    let analysed = perfgate::history::analyse(series, |s| {
        policy.for_metric(&s.benchmark, &s.metric).bands
    });
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
        HistoryFormat::Svg => {
            let series: Vec<_> = analysed.iter().map(|a| a.series.clone()).collect();
            out.write_all(report::chart::svg(&series).as_bytes())
        }
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
