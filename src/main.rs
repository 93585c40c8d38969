//! The `perfgate` command line: parses the arguments and runs the library (see `cli`).

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cli::run(cli::args::Cli::parse())
}
