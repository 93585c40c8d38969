//! Command-line interface definition (clap derive). Parsing only; [`crate::cli::run`] runs the commands.
//! The library's choices (`--output`, `--fail-on`, `--order`) are read with [`choice`], from their names
//! in the library; the value enums here are the command line's own.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use perfgate::choice::Choice;
use perfgate::report::OutputFormat;
use perfgate::severity::FailOn;
use perfgate::verdict::Order;

use super::choice::choice;

const EXAMPLES: &str = "\
Examples:
  # Record a baseline on the main branch (writes baselines/main.json)
  perfgate baseline create main k6-summary.json

  # Gate a pull request against it: exit 1 when a metric got >15 % worse
  perfgate analyze --baseline main k6-summary.json

  # Compare two raw result files directly
  perfgate analyze --baseline before.json after.json

  # Machine-readable verdict
  perfgate analyze --output json results.json > verdict.json

Exit codes: 0 gate passed (warnings allowed), 1 gate failed, 2 usage or input error.";

/// A performance regression gate for CI: compares benchmark and load-test results with a committed baseline.
#[derive(Debug, Parser)]
#[command(name = "perfgate", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Directory holding baseline snapshots.
    #[arg(
        long,
        global = true,
        env = "PERFGATE_BASELINES_DIR",
        default_value = "baselines",
        value_name = "DIR"
    )]
    pub baselines_dir: PathBuf,

    /// When to use colours (`auto`: only on a terminal and without NO_COLOR).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// No progress bar (it is only drawn on a terminal, outside CI, for inputs that take over a second).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

impl Cli {
    /// The command line whose every `--help` ends with its guide chapter ([`GUIDES`]).
    pub fn command_with_guides() -> clap::Command {
        with_guide(Cli::command(), "")
    }
}

/// The guide chapter each command's help ends with, for depth: a path in the repository, as the crate
/// has no web address. Keyed by the command's words after `perfgate`; tests/it/docs.rs checks that
/// every command has one and that each file exists.
const GUIDES: &[(&str, &str)] = &[
    ("", "docs/README.md"),
    ("analyze", "docs/getting-started.md"),
    ("ab", "docs/ab.md"),
    ("baseline", "docs/getting-started.md"),
    ("baseline create", "docs/getting-started.md"),
    ("baseline list", "docs/getting-started.md"),
    ("baseline prune", "docs/history.md"),
    ("baseline show", "docs/getting-started.md"),
    ("baseline latest", "docs/getting-started.md"),
    ("baseline delete", "docs/getting-started.md"),
    ("comment", "docs/github-actions.md"),
    ("formats", "docs/formats.md"),
    ("history", "docs/history.md"),
    ("pull", "docs/prometheus.md"),
    ("push", "docs/prometheus.md"),
    ("config", "docs/policy.md"),
    ("config check", "docs/policy.md"),
    ("init", "docs/policy.md"),
    ("completions", "docs/getting-started.md"),
];

/// `cmd` (reached by the words `path`) and its subcommands, each help ending in "Guide: <chapter>".
fn with_guide(mut cmd: clap::Command, path: &str) -> clap::Command {
    if let Some((_, chapter)) = GUIDES.iter().find(|(p, _)| *p == path) {
        let guide = format!("Guide: {chapter}");
        let help = match cmd.get_after_help() {
            Some(help) => format!("{help}\n\n{guide}"),
            None => guide,
        };
        cmd = cmd.after_help(help);
    }
    cmd.mut_subcommands(|sub| {
        let words = format!("{path} {}", sub.get_name());
        with_guide(sub, words.trim_start())
    })
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare result files with a baseline and grade every change.
    #[command(after_help = EXAMPLES)]
    Analyze(AnalyzeArgs),
    /// Measure the base revision and the working tree alternately on this machine, and gate the difference.
    #[command(after_help = AB_HELP)]
    Ab(AbArgs),
    /// Create, list, show and delete baseline snapshots.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Post a stored verdict as the sticky PR comment (the privileged half of the fork-safe workflow pair).
    #[command(
        after_help = "Example:\n  perfgate comment --from verdict.json --pr-file pr_number\n\nNeeds GITHUB_TOKEN (pull-requests: write) and GITHUB_REPOSITORY; never runs the PR's code.\nIt posts only if that PR's head commit is the measured one (the workflow_run event's head_sha,\nthe pull_request event's head, else GITHUB_SHA), with or without --pr-file (untrusted);\notherwise it warns and posts nothing."
    )]
    Comment(CommentArgs),
    /// List the result formats perfgate reads, with the command that produces each.
    Formats,
    /// Show a baseline's metrics over its history (snapshots kept with `baseline create --append`).
    #[command(
        after_help = "Examples:\n  perfgate history main --changes\n  perfgate history main --metric p95\n  perfgate history main --output html > history.html\n  perfgate history main --changes --output json | jq '.changes[0]'"
    )]
    History(HistoryArgs),
    /// Read a k6 run from Prometheus (remote-write output) into a result file perfgate reads.
    #[command(after_help = PULL_HELP)]
    Pull(PullArgs),
    /// Push a verdict's metrics (as --output openmetrics) to a Prometheus Pushgateway.
    #[command(after_help = PUSH_HELP)]
    Push(PushArgs),
    /// Check a policy file (default: ./perfgate.toml).
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Write a commented example perfgate.toml.
    Init {
        /// Replace an existing perfgate.toml.
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  perfgate completions bash > /etc/bash_completion.d/perfgate"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options shared by commands that read result files.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Input format, instead of detecting it from the content (see `perfgate formats`).
    #[arg(long, value_name = "ID")]
    pub format: Option<String>,

    /// The files are the per-worker outputs of ONE distributed run: merge their distributions (k6 NDJSON).
    #[arg(long)]
    pub merge_workers: bool,

    /// With --merge-workers: accept summaries (percentiles only) and report bounds, not gated.
    #[arg(long, requires = "merge_workers")]
    pub approximate_merge: bool,
}

impl InputArgs {
    /// The library's reading options.
    pub fn options(&self) -> perfgate::analyze::InputOptions {
        perfgate::analyze::InputOptions {
            format: self.format.clone(),
            merge_workers: self.merge_workers,
            approximate_merge: self.approximate_merge,
        }
    }
}

/// `perfgate analyze`.
#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Result files (or directories, for formats that are directories) of the current run.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Baseline: a stored snapshot name, or a path to a snapshot or to any result file. Default: the latest snapshot.
    #[arg(long, short, value_name = "NAME|PATH", conflicts_with = "baseline_ref")]
    pub baseline: Option<String>,

    /// Use the snapshot recorded at the merge-base of HEAD and BRANCH (or its nearest ancestor that has one).
    #[arg(long, value_name = "BRANCH")]
    pub baseline_ref: Option<String>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub input: InputArgs,

    /// Post or update the sticky PR comment (GitHub Actions; needs GITHUB_TOKEN). Never changes the exit code.
    #[arg(long, env = "PERFGATE_COMMENT", value_parser = clap::builder::FalseyValueParser::new(),
          num_args = 0, default_missing_value = "true")]
    pub comment: bool,

    #[command(flatten)]
    pub github: CommentTarget,
}

/// How the verdict is gated and shown: shared by `analyze` and `ab`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, short, value_parser = choice::<OutputFormat>(), default_value = OutputFormat::Table.name())]
    pub output: OutputFormat,

    /// Lowest severity that fails the gate [default: the policy file's, else high].
    #[arg(long, value_parser = choice::<FailOn>(), env = "PERFGATE_FAIL_ON")]
    pub fail_on: Option<FailOn>,

    /// Policy file [default: ./perfgate.toml when present].
    #[arg(long, value_name = "FILE", env = "PERFGATE_CONFIG")]
    pub config: Option<PathBuf>,

    /// List unchanged metrics too.
    #[arg(long)]
    pub all: bool,
}

impl ReportArgs {
    /// `--config`, else the library's default (`./perfgate.toml` when present).
    pub fn policy(&self) -> perfgate::analyze::PolicySource {
        match &self.config {
            Some(path) => perfgate::analyze::PolicySource::File(path.clone()),
            None => perfgate::analyze::PolicySource::Default,
        }
    }
}

/// Which PR comment to write.
#[derive(Debug, Args)]
pub struct CommentTarget {
    /// Separates the comments of matrix jobs: one sticky comment per key.
    #[arg(
        long,
        env = "PERFGATE_COMMENT_KEY",
        default_value = "default",
        value_name = "KEY"
    )]
    pub comment_key: String,

    /// Pull request number, instead of reading it from GITHUB_EVENT_PATH.
    #[arg(long, value_name = "N")]
    pub pr: Option<u64>,
}

/// `perfgate comment`.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// A verdict written by `perfgate analyze --output json`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,

    /// A file holding the pull request number (from the untrusted workflow's artifact).
    #[arg(long, value_name = "FILE", conflicts_with = "pr")]
    pub pr_file: Option<PathBuf>,

    #[command(flatten)]
    pub github: CommentTarget,
}

/// Output format of the baseline commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

/// `perfgate baseline …`.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Record result files as a named baseline (baselines/NAME.json).
    #[command(after_help = "Example:\n  perfgate baseline create main k6-summary.json bench.json")]
    Create {
        /// Baseline name: letters, digits, '.', '-', '_'.
        name: String,
        /// Result files to record.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Replace an existing baseline of the same name.
        #[arg(long)]
        force: bool,
        /// Keep earlier snapshots of NAME as history (baselines/NAME.history/), replacing NAME.json.
        #[arg(long)]
        append: bool,
        /// With --append: how many snapshots of history to keep.
        #[arg(long, default_value_t = 50, value_name = "N")]
        keep: usize,
        #[command(flatten)]
        input: InputArgs,
    },
    /// List stored baselines, or one baseline's history.
    List {
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
        /// List the history snapshots of NAME instead.
        #[arg(long, value_name = "NAME")]
        history: Option<String>,
    },
    /// Delete all but the newest N history snapshots of a baseline.
    Prune {
        name: String,
        #[arg(long, default_value_t = 50, value_name = "N")]
        keep: usize,
    },
    /// Show one baseline's metrics.
    Show {
        name: String,
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Print the name of the most recent baseline.
    Latest {
        #[arg(long, short, value_enum, default_value_t = ListFormat::Table)]
        output: ListFormat,
    },
    /// Delete a baseline.
    Delete { name: String },
}

/// `perfgate config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate a policy file and summarise it.
    Check {
        /// The file [default: ./perfgate.toml].
        file: Option<PathBuf>,
    },
}

/// Output of `perfgate history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum HistoryFormat {
    #[default]
    Table,
    Json,
    /// The page's charts in one SVG: a figure per benchmark, with bands and change points.
    Svg,
    /// An offline HTML page with the charts and the values.
    Html,
}

/// `perfgate history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Baseline name.
    pub name: String,
    /// Only benchmarks matching this pattern (`*` and `?`).
    #[arg(long, value_name = "PATTERN")]
    pub benchmark: Option<String>,
    /// Only metrics matching this pattern, e.g. p95.
    #[arg(long, value_name = "PATTERN")]
    pub metric: Option<String>,
    #[arg(long, short, value_enum, default_value_t = HistoryFormat::Table)]
    pub output: HistoryFormat,
    /// List the change points (where a metric stepped, grouped by commit) instead of every value.
    #[arg(long)]
    pub changes: bool,
    /// With --changes (and in the JSON's `changes`): every change point, not only steps beyond the low band
    /// in gated metrics.
    #[arg(long)]
    pub all: bool,
    /// Policy file for bands and gated metrics [default: ./perfgate.toml when present].
    #[arg(long, value_name = "FILE", env = "PERFGATE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Repository web address for commit links, e.g. https://github.com/owner/name [default: from
    /// GITHUB_SERVER_URL and GITHUB_REPOSITORY in Actions].
    #[arg(long, value_name = "URL")]
    pub repo_url: Option<String>,
}

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
    #[arg(long, value_parser = choice::<Order>(), default_value = Order::Interleaved.name())]
    pub order: Order,

    #[command(flatten)]
    pub report: ReportArgs,

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

pub const PULL_HELP: &str = "\
Example:
  K6_PROMETHEUS_RW_TREND_STATS='p(95),p(99),avg,med,min,max,count' \\
    k6 run -o experimental-prometheus-rw --tag testid=run-42 script.js
  perfgate pull --prometheus-url http://prometheus:9090 --testid run-42 -o run-42.json
  perfgate analyze --baseline main run-42.json

Reads every k6_* series with that testid label in the window (default: the last 24 h) at once.
An optional bearer token is read from PERFGATE_PROMETHEUS_TOKEN and never printed.";

/// `perfgate pull`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Prometheus base URL, e.g. http://localhost:9090.
    #[arg(long, env = "PERFGATE_PROMETHEUS_URL", value_name = "URL")]
    pub prometheus_url: String,
    /// The k6 run's `testid` label value.
    #[arg(long, value_name = "ID")]
    pub testid: String,
    /// Window start (RFC 3339 or Unix seconds) [default: --end minus --lookback].
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// Window end (RFC 3339 or Unix seconds) [default: now].
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// Window length when --start is not given.
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub lookback: humantime::Duration,
    /// Unit of k6's time trends in Prometheus (the remote-write output sends seconds).
    #[arg(long, default_value = "s", value_parser = ["s", "ms"])]
    pub time_unit: String,
    /// Name recorded in the snapshot [default: the testid].
    #[arg(long)]
    pub name: Option<String>,
    /// The file to write (a perfgate snapshot).
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
}

pub const PUSH_HELP: &str = "\
Example:
  perfgate analyze --output json k6-summary.json > verdict.json
  perfgate push --pushgateway http://pushgateway:9091 --from verdict.json --branch \"$GITHUB_REF_NAME\"

Replaces the group /metrics/job/<job>/branch/<branch> (PUT). An optional bearer token is read from
PERFGATE_PUSHGATEWAY_TOKEN and never printed.";

/// `perfgate push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// Pushgateway base URL, e.g. http://localhost:9091.
    #[arg(long, env = "PERFGATE_PUSHGATEWAY_URL", value_name = "URL")]
    pub pushgateway: String,
    /// A verdict written by `perfgate analyze --output json`.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    /// The `job` grouping label.
    #[arg(long, default_value = "perfgate")]
    pub job: String,
    /// The `branch` grouping label (omitted when not given).
    #[arg(long, env = "PERFGATE_BRANCH", value_name = "B")]
    pub branch: Option<String>,
}
