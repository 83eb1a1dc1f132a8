//! `check`, the CI gate: the models against the snapshot, the migrations against each other and
//! against the snapshot, the locks of what is not applied yet, and (with a database) its history
//! and live schema. Every finding is returned; none stops the others.

use std::path::{Path, PathBuf};

use super::lint::{backends, lint, LintReport};
use super::live::{drift, invalid_indexes, Drift, InvalidIndex};
use super::migrate::models_schema;
use super::programs::RunnerProgram;
use super::status::applied_revisions;
use super::{usable_backend, Project};
use crate::connection::{connect, sqlite_path};
use crate::dialect::Backend;
use crate::diff::{diff, Plan};
use crate::error::{mask_url, Error, Result};
use crate::history::{audit, AuditedFile, HistoryProblem};
use crate::runner::checksum;

/// What `check` found. It passes when [`CheckReport::failed`] is false.
#[derive(Debug)]
pub struct CheckReport {
    /// Whether the models were read compiled.
    pub compiled: bool,
    /// The snapshot file.
    pub snapshot: PathBuf,
    /// The `versions/` folder.
    pub versions: PathBuf,
    /// What the models have that the snapshot does not (empty: they agree).
    pub models: Plan,
    /// The heads, when there are several.
    pub heads: Vec<String>,
    /// When replaying the migrations does not give the snapshot: the heads and the difference.
    pub replay: Option<ReplayDrift>,
    /// The findings of the migrations not applied yet, when there are migrations.
    pub lint: Option<LintReport>,
    /// The database's findings, when there is a database to check.
    pub database: Option<DatabaseCheck>,
    /// The error that stopped the check after the findings above (the migrations do not
    /// replay, the database cannot be reached, ...): the report holds what was found before it.
    pub stopped: Option<Error>,
}

/// Replaying the migrations gives another schema or head than the snapshot's.
#[derive(Debug, Clone)]
pub struct ReplayDrift {
    /// The head the migrations replay to.
    pub replayed_head: Option<String>,
    /// The snapshot's head.
    pub snapshot_head: Option<String>,
    /// From the replayed schema to the snapshot's.
    pub drift: Plan,
}

/// The database half of `check`.
#[derive(Debug, Clone)]
pub struct DatabaseCheck {
    /// The URL, password masked.
    pub url: String,
    /// What is wrong, in the order found.
    pub problems: Vec<DatabaseProblem>,
}

/// One thing wrong with the database.
#[derive(Debug, Clone)]
pub enum DatabaseProblem {
    /// A history row against the files (`file` of [`HistoryProblem::Edited`] is the path).
    History(HistoryProblem),
    /// An INVALID index.
    InvalidIndex(InvalidIndex),
    /// Migrations the database has not applied, in file order.
    Pending(Vec<String>),
    /// The live schema differs from the snapshot (checked when nothing else is wrong).
    Drift(Drift),
}

impl CheckReport {
    /// Whether anything failed (lint warnings alone do not).
    pub fn failed(&self) -> bool {
        !self.models.is_empty()
            || self.heads.len() > 1
            || self.replay.is_some()
            || self.lint.as_ref().is_some_and(LintReport::failed)
            || self
                .database
                .as_ref()
                .is_some_and(|d| !d.problems.is_empty())
    }
}

/// `check [--compiled]`. An error before anything is compared is returned as such; one later
/// stops the check and is kept in [`CheckReport::stopped`] beside what was found before it.
pub fn check(project: &Project, compiled: bool) -> Result<CheckReport> {
    if compiled {
        // The compiled truth for the migrations too, not only the models.
        super::programs::force_compiled_runner();
    }
    let snapshot = project.snapshot()?;
    let (models, _) = models_schema(project, compiled)?;
    let mut report = CheckReport {
        compiled,
        snapshot: project.config.snapshot_path(),
        versions: project.config.versions_dir(),
        models: diff(&snapshot.schema(), &models)?,
        heads: Vec::new(),
        replay: None,
        lint: None,
        database: None,
        stopped: None,
    };
    if let Err(e) = check_migrations(project, &snapshot, &mut report) {
        report.stopped = Some(e);
    }
    Ok(report)
}

/// The part of `check` after the models: the migrations, their locks and the database.
fn check_migrations(
    project: &Project,
    snapshot: &crate::snapshot::Snapshot,
    report: &mut CheckReport,
) -> Result<()> {
    let files = project.files()?;
    let heads: Vec<String> = files.heads()?.iter().map(|f| f.revision.clone()).collect();
    if heads.len() > 1 {
        report.heads = heads;
    }
    let url = database_for_check(project);
    if !files.is_empty() {
        let program = RunnerProgram::build(&project.config, Backend::Sqlite, !project.env.verbose)?;
        let replayed = program.schema()?.ok_or_else(|| {
            Error::Project("the migrations in versions/ do not replay (error above)".into())
        })?;
        let drift = diff(&replayed.schema(), &snapshot.schema())?;
        if !drift.is_empty() || replayed.head != snapshot.head {
            report.replay = Some(ReplayDrift {
                replayed_head: replayed.head,
                snapshot_head: snapshot.head.clone(),
                drift,
            });
        }
        // The migrations the database has not applied (all of them without a database), on
        // its server backend (both servers without one).
        let applied = url
            .as_deref()
            .and_then(|url| applied_revisions(url).ok())
            .unwrap_or_default();
        let applied = files.effective_applied(&applied.iter().map(String::as_str).collect());
        let mut linted = lint(project, "", &backends(project, None))?.unwrap_or_default();
        linted.findings.retain(|f| !applied.contains(&f.revision));
        report.lint = Some(linted);
    }
    if let Some(url) = url {
        report.database = Some(check_database(snapshot, &files, &url)?);
    }
    Ok(())
}

/// The database `check` looks at: one named by `--database-url` or `DATABASE_URL`, or the one
/// of `migrate.toml` when it exists (a SQLite file not created yet is no database to check).
fn database_for_check(project: &Project) -> Option<String> {
    let url = project.database_url().ok()?;
    if project.env.url_given() || Backend::from_url(&url).ok()? != Backend::Sqlite {
        return Some(url);
    }
    Path::new(sqlite_path(&url)).is_file().then_some(url)
}

/// Every applied migration has its file, unedited; nothing is pending or half-applied; and
/// the live schema is the snapshot's.
fn check_database(
    snapshot: &crate::snapshot::Snapshot,
    files: &super::MigrationFiles,
    url: &str,
) -> Result<DatabaseCheck> {
    usable_backend(url)?;
    let mut conn = connect(url)?;
    let rows = conn.history()?;
    let checksums: Vec<(String, String)> = files
        .files()
        .iter()
        .map(|f| (f.path.display().to_string(), checksum(&f.source)))
        .collect();
    // The row of a revision whose file is gone is accounted for by a squash that replaces it.
    let audited: Vec<_> = rows
        .iter()
        .filter(|r| files.get(&r.revision).is_some() || !files.replaced_by_squash(&r.revision))
        .cloned()
        .collect();
    let mut problems: Vec<DatabaseProblem> = audit(&audited, |revision| {
        let i = files.files().iter().position(|f| f.revision == revision)?;
        Some(AuditedFile {
            file: &checksums[i].0,
            checksum: &checksums[i].1,
        })
    })
    .into_iter()
    .map(DatabaseProblem::History)
    .collect();
    problems.extend(
        invalid_indexes(conn.as_mut())?
            .into_iter()
            .map(DatabaseProblem::InvalidIndex),
    );
    // Pending as this database goes: a squash it reached through its originals is applied,
    // and the originals of one it applied as one are not pending.
    let applied: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.revision.as_str()).collect();
    let (graph, reached) = files.graph_for(&applied)?;
    let pending: Vec<String> = graph
        .order()
        .iter()
        .filter(|r| !reached.contains(*r))
        .cloned()
        .collect();
    if !pending.is_empty() {
        problems.push(DatabaseProblem::Pending(pending));
    } else if problems.is_empty() {
        let live = conn.introspect()?;
        let drift = drift(conn.as_mut(), &snapshot.schema(), live)?;
        if !drift.is_empty() {
            problems.push(DatabaseProblem::Drift(drift));
        }
    }
    Ok(DatabaseCheck {
        url: mask_url(url),
        problems,
    })
}
