//! `upgrade`, `downgrade`, `stamp` and `sql`: the runner program prints as it goes.

use migrate_core::error::mask_url;
use migrate_core::project::apply::{self, RunOutcome};
use migrate_core::project::backup::Backup;
use migrate_core::project::parse_dialect;
use migrate_core::project::programs::RunCommand;
use migrate_core::revisions::Target;
use migrate_core::Error;

use crate::context::Context;

/// `upgrade`, `downgrade` or `stamp` to `target`.
pub(crate) fn run(ctx: &Context, command: RunCommand, target: &str) -> Result<u8, Error> {
    Target::parse(target)?;
    let project = ctx.project()?;
    match apply::run(&project, command, target, ctx.quiet)? {
        RunOutcome::NoMigrations => {
            ctx.say(format!(
                "No migrations in {}; nothing to {}",
                ctx.show(&project.config.versions_dir()),
                command.name()
            ));
            Ok(0)
        }
        RunOutcome::Ran(ok) => Ok(u8::from(!ok)),
    }
}

/// `upgrade --backup`: the backup first, and where it went.
pub(crate) fn backup(ctx: &Context) -> Result<(), Error> {
    let project = ctx.project()?;
    let url = project.database_url()?;
    match apply::backup_first(&project)? {
        Backup::NoDatabaseYet => {
            ctx.say(format!("No backup: {} does not exist yet", mask_url(&url)))
        }
        Backup::Written(path) => ctx.say(format!("Backed up {} to {path}", mask_url(&url))),
    }
    Ok(())
}

/// `sql [FROM:]TO [--dialect D]`, and `upgrade --sql`, `downgrade --sql`.
pub(crate) fn sql(ctx: &Context, range: &str, dialect: Option<&str>) -> Result<u8, Error> {
    let project = ctx.project()?;
    let backend = dialect.map(parse_dialect).transpose()?;
    match apply::sql(&project, range, backend)? {
        RunOutcome::NoMigrations => {
            ctx.say("No migrations yet");
            Ok(0)
        }
        RunOutcome::Ran(ok) => Ok(u8::from(!ok)),
    }
}
