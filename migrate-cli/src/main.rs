//! `migrate-cli`: code-first schema migrations for Diesel.
//!
//! A printer over `migrate_core::project`: each command parses its arguments, calls one
//! library function and prints what it returns. A copy of it with migrations appended (see
//! `bundle`) speaks only the commands that apply them.

mod bundle;
mod cli;
mod commands;
mod context;

use std::process::ExitCode;

use clap::Parser;
use migrate_core::Error;

fn main() -> ExitCode {
    // Reading the executable's last bytes costs one open and one read.
    match bundle::own_payload() {
        Ok(Some(payload)) => return bundle::main(payload),
        Ok(None) => {}
        Err(e) => return exit_code(Err(e)),
    }
    let cli = cli::Cli::parse();
    set_color(cli.color);
    exit_code(commands::run(cli))
}

/// `--color`: `auto` leaves the choice to anstream (colour on a terminal unless NO_COLOR is set).
fn set_color(choice: cli::ColorChoice) {
    match choice {
        cli::ColorChoice::Auto => {}
        cli::ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        cli::ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
    }
}

/// The exit code of a command's result, its error printed.
fn exit_code(result: Result<u8, Error>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let red = anstyle::AnsiColor::Red.on_default().bold();
            anstream::eprintln!("{red}error:{red:#} {e}");
            ExitCode::FAILURE
        }
    }
}
