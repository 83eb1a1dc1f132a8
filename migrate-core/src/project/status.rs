//! Where things stand, from the files and the database's history: `current`, `history`,
//! `heads` and `show`. None of these compiles anything.

use std::collections::BTreeSet;

use super::files::MigrationFile;
use super::{usable_backend, Project};
use crate::connection::connect;
use crate::error::Result;

/// The revisions the database at `url` has applied, oldest first.
pub fn applied_revisions(url: &str) -> Result<Vec<String>> {
    let mut conn = connect(url)?;
    Ok(conn.history()?.into_iter().map(|r| r.revision).collect())
}

/// Where the database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Current {
    /// The revision (`None`: base).
    pub revision: Option<String>,
    /// Whether it is the snapshot's head.
    pub head: bool,
}

/// `current`: the last applied revision in the order the migrations apply.
pub fn current(project: &Project) -> Result<Current> {
    let url = project.database_url()?;
    usable_backend(&url)?;
    let applied = applied_revisions(&url)?;
    let snapshot = project.snapshot()?;
    let files = project.files()?;
    let set: BTreeSet<&str> = applied.iter().map(String::as_str).collect();
    // A squash reached through the revisions it replaces is where such a database is.
    let (graph, reached) = files.graph_for(&set)?;
    let reached: BTreeSet<&str> = reached.iter().map(String::as_str).collect();
    // A revision applied whose file is gone still says where the database is.
    let revision = graph
        .current(&reached)
        .map(str::to_string)
        .or_else(|| applied.last().cloned());
    let head = revision.is_some() && revision == snapshot.head;
    Ok(Current { revision, head })
}

/// One migration as `history` lists it.
#[derive(Debug, Clone)]
pub struct HistoryEntry<'a> {
    /// The file.
    pub file: &'a MigrationFile,
    /// Whether it is the snapshot's head.
    pub head: bool,
    /// Whether the database applied it (`None`: no database could be read).
    pub applied: Option<bool>,
    /// The squash that replaces it, when one does.
    pub replaced_by: Option<&'a str>,
}

/// The migration files and the snapshot's head, for `history`.
#[derive(Debug, Clone)]
pub struct History {
    files: super::MigrationFiles,
    head: Option<String>,
    applied: Option<Vec<String>>,
}

impl History {
    /// The migrations, oldest first, with what the database has applied.
    pub fn entries(&self) -> Vec<HistoryEntry<'_>> {
        self.files
            .files()
            .iter()
            .map(|file| HistoryEntry {
                file,
                head: self.head.as_deref() == Some(file.revision.as_str()),
                applied: self.applied.as_ref().map(|a| a.contains(&file.revision)),
                replaced_by: self
                    .files
                    .files()
                    .iter()
                    .find(|f| f.replaces.contains(&file.revision))
                    .map(|f| f.revision.as_str()),
            })
            .collect()
    }
}

/// `history`: every migration file, with what the database (when one can be read) applied.
pub fn history(project: &Project) -> Result<History> {
    let snapshot = project.snapshot()?;
    let files = project.files()?;
    // A squash whose replaced revisions are all applied is applied.
    let applied = project
        .database_url()
        .ok()
        .and_then(|url| applied_revisions(&url).ok())
        .map(|applied| {
            let set: BTreeSet<&str> = applied.iter().map(String::as_str).collect();
            files.effective_applied(&set).into_iter().collect()
        });
    Ok(History {
        files,
        head: snapshot.head,
        applied,
    })
}

/// `heads`: the files no other file revises.
pub fn heads(project: &Project) -> Result<Vec<MigrationFile>> {
    Ok(project.files()?.heads()?.into_iter().cloned().collect())
}

/// `show REV`: the file whose revision is (or starts with) `revision`.
pub fn show(project: &Project, revision: &str) -> Result<MigrationFile> {
    Ok(project.files()?.resolve(revision)?.clone())
}
