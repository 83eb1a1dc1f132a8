//! `upgrade`, `downgrade`, `stamp` and `sql`: the runner program built from the project's
//! migrations, run against the database (or, for `sql`, against none).

use super::backup::{backup, Backup};
use super::programs::RunCommand;
use super::{usable_backend, Project};
use crate::connection::connect;
use crate::dialect::Backend;
use crate::error::{Error, Result};
use crate::revisions::Target;

/// How a run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// `versions/` holds no migration: nothing was built or run.
    NoMigrations,
    /// The program ran; whether it succeeded (it printed what it did, or why not).
    Ran(bool),
}

/// Runs `command` to `target` on the project's database through the runner program, which
/// prints each revision as it goes (nothing when `quiet`). `backup` backs the database up first
/// and says where.
pub fn run(
    project: &Project,
    command: RunCommand,
    target: &str,
    quiet: bool,
) -> Result<RunOutcome> {
    Target::parse(target)?;
    let url = project.database_url()?;
    let backend = usable_backend(&url)?;
    if let Err(missing_head) = project.check_snapshot_head() {
        // A revision the database applied whose file is gone is what blocks it: named first.
        let history = connect(&url).and_then(|mut conn| conn.history());
        let files = project.files()?;
        if let Some(row) = history.iter().flatten().find(|row| {
            files.get(&row.revision).is_none() && !files.replaced_by_squash(&row.revision)
        }) {
            return Err(Error::MissingFile {
                revision: row.revision.clone(),
                message: row.message.clone(),
                versions: project.show(&project.config.versions_dir()),
            });
        }
        return Err(missing_head);
    }
    let modules = project.modules()?;
    if modules.is_empty() {
        // Nothing to compile; still connect, so a bad URL is reported now, and an applied
        // revision whose file is gone is named.
        if let Some(row) = connect(&url)?.history()?.first() {
            return Err(Error::MissingFile {
                revision: row.revision.clone(),
                message: row.message.clone(),
                versions: project.show(&project.config.versions_dir()),
            });
        }
        return Ok(RunOutcome::NoMigrations);
    }
    let program = project.runner(modules, backend)?;
    let ok = program.run(command, target, &url, project.config.run_options, quiet)?;
    Ok(RunOutcome::Ran(ok))
}

/// `upgrade --backup`: the backup, taken before anything runs.
pub fn backup_first(project: &Project) -> Result<Backup> {
    backup(&project.database_url()?, &project.env.cwd)
}

/// `sql [FROM:]TO`: prints what an upgrade (or, when TO is before FROM, a downgrade) would run
/// on `backend` (default: the database URL's, else SQLite), with no database. FROM defaults
/// to base; `+N`/`-N` count from the other end (`head:-1` is the downgrade of the last
/// migration).
pub fn sql(project: &Project, range: &str, backend: Option<Backend>) -> Result<RunOutcome> {
    let backend = backend
        .or_else(|| project.backend())
        .unwrap_or(Backend::Sqlite);
    let (from, to) = range.split_once(':').unwrap_or(("base", range));
    let modules = project.modules()?;
    if modules.is_empty() {
        return Ok(RunOutcome::NoMigrations);
    }
    // Rendering needs no database, so the program is built with the embedded backend alone.
    let program = project.runner(modules, Backend::Sqlite)?;
    Ok(RunOutcome::Ran(program.print_sql(from, to, backend)?))
}
