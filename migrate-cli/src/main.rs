//! `migrate-cli`: code-first schema migrations for Diesel.

mod adopt;
mod adopt_objects;
mod backup;
mod cli;
mod commands;
mod config;
mod error;
mod lint;
mod programs;
mod revisions;
mod views;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // `auto` leaves the choice to anstream: colour on a terminal unless NO_COLOR is set.
    match cli.color {
        cli::ColorChoice::Auto => {}
        cli::ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        cli::ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
    }
    match commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let red = anstyle::AnsiColor::Red.on_default().bold();
            anstream::eprintln!("{red}error:{red:#} {e}");
            ExitCode::from(e.code)
        }
    }
}
