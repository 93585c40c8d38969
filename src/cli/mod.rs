//! The command line on top of the library: runs the parsed arguments, prints, and picks the exit code.

pub mod ab;
pub mod analyze;
pub mod args;
pub mod baseline;
pub mod choice;
pub mod config;
pub mod prom;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;

use perfgate::baseline::Store;
use perfgate::error::{Error, Result};
use perfgate::input;

use args::{Cli, ColorChoice, Command, ConfigCommand};

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
            eprintln!("perfgate: {}", perfgate::escape::terminal(&e.to_string()));
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

/// A failed write to stdout, as an error naming it.
pub fn stdout_err(e: io::Error) -> Error {
    Error::io(Path::new("<stdout>"), e)
}

fn execute(cli: &Cli, color: bool, out: &mut dyn Write) -> Result<u8> {
    let store = Store::new(&cli.baselines_dir);
    match &cli.command {
        Command::Analyze(args) => analyze::run(args, &cli.baselines_dir, color, out),
        Command::Ab(args) => ab::run(args, color, cli.quiet, out),
        Command::Baseline(cmd) => baseline::run(cmd, &store, out),
        Command::Comment(args) => analyze::comment(args).map(|()| EXIT_PASS),
        Command::Pull(args) => prom::pull(args, out),
        Command::Push(args) => prom::push(args, out),
        Command::Formats => perfgate::report::baselines::formats(
            input::FORMATS
                .iter()
                .map(|f| [f.id(), f.tool(), f.example()]),
            out,
        )
        .map(|()| EXIT_PASS)
        .map_err(stdout_err),
        Command::Config(ConfigCommand::Check { file }) => config::check(file.as_deref(), out),
        Command::History(args) => baseline::history(args, &store, out),
        Command::Init { force } => config::init(*force, out),
        Command::Completions { shell } => {
            clap_complete::generate(*shell, &mut Cli::command(), "perfgate", out);
            Ok(EXIT_PASS)
        }
    }
}
