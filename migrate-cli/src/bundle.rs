//! Bundle mode: this executable with a project's migrations appended (`migrate-cli bundle`).
//!
//! At start-up `main` reads the last bytes of its own executable (`crate::executable`); when
//! they are a bundle's trailer, it speaks the bundle's few commands instead of the CLI's, with no `migrate.toml`
//! and no files, through the very functions the CLI's commands are (same history table, lock,
//! checksums, timeouts, messages and exit codes).

use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use migrate_core::project::payload::Bundle;
use migrate_core::project::programs::RunCommand;
use migrate_core::Error;

use crate::cli::ColorChoice;
use crate::commands::{apply, check, status};
use crate::context::{count, exit_code, set_color, Context};

/// The command line of a bundle. Doc comments are the help text.
#[derive(Debug, Parser)]
#[command(propagate_version = true)]
struct BundleCli {
    /// Database URL (default: DATABASE_URL, from the environment or .env).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,

    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Print more detail.
    #[arg(short, long, global = true)]
    verbose: bool,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    command: BundleCommand,
}

/// What a bundle does.
#[derive(Debug, Subcommand)]
enum BundleCommand {
    /// Apply pending migrations up to TARGET.
    Upgrade {
        /// head, a revision (or unique prefix), or +N.
        #[arg(default_value = "head", allow_hyphen_values = true)]
        target: String,
    },
    /// Revert migrations down to TARGET.
    Downgrade {
        /// base, a revision (or unique prefix), or -N.
        #[arg(allow_hyphen_values = true)]
        target: String,
    },
    /// Show the revision the database is at.
    Current {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the migrations, oldest first, with what the database has applied.
    History {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare the live schema with the snapshot; exit 1 when they differ.
    Verify,
    /// Print the SQL an upgrade (or downgrade) would run, without a database.
    Sql {
        /// `TO` (from base) or `FROM:TO`, each head, base or a revision.
        range: String,
        /// sqlite, postgres or mysql (default: the database URL's backend, else sqlite).
        #[arg(long)]
        dialect: Option<String>,
    },
}

/// Runs the bundle's command line over what `bundle` carries; the exit code (2 for a usage
/// error, as clap answers it).
pub(crate) fn main(bundle: Bundle) -> ExitCode {
    let payload = &bundle.payload;
    let head = payload.head.as_deref().unwrap_or("base");
    let about = format!(
        "Applies {} of {}/versions (head {head}), carried inside this executable, to the \
         database of --database-url or DATABASE_URL, as `migrate-cli` does: the same history \
         table, lock and checksums.",
        count(payload.modules.len(), "migration"),
        payload.migrations,
    );
    let version: &'static str = Box::leak(
        format!(
            "{} (a bundle of migrate-cli, head {head})",
            env!("CARGO_PKG_VERSION")
        )
        .into_boxed_str(),
    );
    let matches = BundleCli::command()
        .version(version)
        .about(about)
        .get_matches();
    let cli = BundleCli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    set_color(cli.color);
    exit_code(run(cli, bundle))
}

fn run(cli: BundleCli, bundle: Bundle) -> Result<u8, Error> {
    let ctx = Context::new(
        cli.database_url,
        cli.verbose,
        cli.quiet,
        None,
        Some(Arc::new(bundle)),
    )?;
    match cli.command {
        BundleCommand::Upgrade { target } => {
            needs_database(&ctx)?;
            apply::run(&ctx, RunCommand::Upgrade, &target)
        }
        BundleCommand::Downgrade { target } => {
            needs_database(&ctx)?;
            apply::run(&ctx, RunCommand::Downgrade, &target)
        }
        BundleCommand::Current { json } => {
            needs_database(&ctx)?;
            status::current(&ctx, json)
        }
        BundleCommand::History { json } => status::history(&ctx, json),
        BundleCommand::Verify => {
            needs_database(&ctx)?;
            check::verify(&ctx)
        }
        BundleCommand::Sql { range, dialect } => apply::sql(&ctx, &range, dialect.as_deref()),
    }
}

/// A bundle has no `migrate.toml` to take a URL from: one from the command line or the
/// environment, or an error that says where to give it.
fn needs_database(ctx: &Context) -> Result<(), Error> {
    if ctx.env.url_given() {
        return Ok(());
    }
    Err(Error::Project(
        "no database URL: pass --database-url or set DATABASE_URL (environment or .env)".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        BundleCli::command().debug_assert();
    }

    #[test]
    fn only_the_bundle_commands_parse() {
        for args in [
            &["m", "upgrade"][..],
            &["m", "downgrade", "-1"],
            &["m", "current", "--json"],
            &["m", "history"],
            &["m", "verify"],
            &["m", "sql", "head", "--dialect", "postgres"],
        ] {
            assert!(BundleCli::try_parse_from(args).is_ok(), "{args:?}");
        }
        for args in [
            &["m", "migrate", "-m", "x"][..],
            &["m", "stamp", "head"],
            &["m", "bundle", "-o", "x"],
            &["m", "downgrade"],
            &["m", "--config", "migrate.toml", "current"],
        ] {
            let err = BundleCli::try_parse_from(args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
        }
    }
}
