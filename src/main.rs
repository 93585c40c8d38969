//! The `perfgate` command line: parses the arguments and runs the library (see `cli`).

mod cli;

use std::process::ExitCode;

use clap::FromArgMatches;

fn main() -> ExitCode {
    // Cli::parse(), on the command whose helps point to the guide.
    let mut matches = cli::args::Cli::command_with_guides().get_matches();
    cli::run(cli::args::Cli::from_arg_matches_mut(&mut matches).unwrap_or_else(|e| e.exit()))
}
