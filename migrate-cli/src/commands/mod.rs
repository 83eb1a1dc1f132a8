//! One module per group of commands; each command calls one `migrate_core::project` function
//! and prints what it returns. The modules import nothing from each other, only the context.
//! A bundle (`crate::bundle`) runs its commands through these same functions.

mod adopt;
pub(crate) mod apply;
mod bundle;
pub(crate) mod check;
mod init;
mod migrate;
mod remove;
mod squash;
pub(crate) mod status;
mod views;

use migrate_core::project::programs::RunCommand;
use migrate_core::Error;

use crate::cli::{Cli, Command};
use crate::context::Context;

/// Runs the parsed command line; the exit code.
pub fn run(cli: Cli) -> Result<u8, Error> {
    let ctx = Context::new(cli.database_url, cli.verbose, cli.quiet, cli.config, None)?;
    match cli.command {
        Command::Init { dir } => init::init(&ctx, dir),
        Command::Migrate {
            message,
            empty,
            dry_run,
            compiled,
        } => migrate::migrate(&ctx, &message, empty, dry_run, compiled),
        Command::Merge { message } => migrate::merge(&ctx, &message),
        Command::Remove => remove::remove(&ctx),
        Command::Squash { revisions, message } => squash::squash(&ctx, &revisions, &message),
        Command::Upgrade {
            target, sql: true, ..
        } => apply::sql(&ctx, &target, None),
        Command::Upgrade { target, backup, .. } => {
            if backup {
                apply::backup(&ctx)?;
            }
            apply::run(&ctx, RunCommand::Upgrade, &target)
        }
        Command::Downgrade { target, sql: true } => {
            if !target.contains(':') {
                return Err(Error::Project(
                    "downgrade --sql needs FROM:TO (for example `head:base`): without a database the start is unknown".into(),
                ));
            }
            apply::sql(&ctx, &target, None)
        }
        Command::Downgrade { target, .. } => apply::run(&ctx, RunCommand::Downgrade, &target),
        Command::Stamp { revision } => apply::run(&ctx, RunCommand::Stamp, &revision),
        Command::Sql { range, dialect } => apply::sql(&ctx, &range, dialect.as_deref()),
        Command::Current { json } => status::current(&ctx, json),
        Command::History { json } => status::history(&ctx, json),
        Command::Heads { json } => status::heads(&ctx, json),
        Command::Show { revision, json } => status::show(&ctx, &revision, json),
        Command::Check { compiled } => check::check(&ctx, compiled),
        Command::Lint {
            range,
            dialect,
            json,
        } => check::lint(&ctx, range.as_deref(), dialect.as_deref(), json),
        Command::Verify => check::verify(&ctx),
        Command::Schema {
            with_docs,
            with_docs_config,
        } => views::schema(&ctx, with_docs, with_docs_config.as_deref()),
        Command::Diagram => views::diagram(&ctx),
        Command::Inspect { json } => views::inspect(&ctx, json),
        Command::Adopt { models } => adopt::adopt(&ctx, models.as_deref()),
        Command::Bundle { output } => bundle::bundle(&ctx, &output),
    }
}
