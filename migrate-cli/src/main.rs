//! `migrate-cli`: code-first schema migrations for Diesel.

mod backup;
mod cli;
mod commands;
mod config;
mod error;
mod programs;
mod revisions;
mod views;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.code)
        }
    }
}
