use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    perfgate::app::run(perfgate::cli::Cli::parse())
}
