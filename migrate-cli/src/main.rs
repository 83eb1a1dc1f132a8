//! `migrate-cli`: code-first schema migrations for Diesel.
//!
//! A printer over `migrate_core::project`: each command parses its arguments, calls one
//! library function and prints what it returns. A copy of it with migrations appended (see
//! `bundle`) speaks only the commands that apply them.

mod bundle;
mod cli;
mod commands;
mod context;
mod executable;

use std::process::ExitCode;

use clap::Parser;

use context::{exit_code, set_color};

// Reading the models with syn and the snapshot with serde allocates hundreds of thousands of
// small values per command; mimalloc takes about a third of the time glibc's malloc did.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Reading the executable's last bytes costs one open and one read.
    match executable::own_bundle() {
        Ok(Some(bundle)) => return bundle::main(bundle),
        Ok(None) => {}
        Err(e) => return exit_code(Err(e)),
    }
    let cli = cli::Cli::parse();
    set_color(cli.color);
    exit_code(commands::run(cli))
}
