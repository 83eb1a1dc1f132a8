//! The objects that are not tables, as `adopt` takes them over: printed by the server, written
//! into the objects folder one file each, recorded in the snapshot, and created by the baseline
//! in dependency order. What cannot be represented is named once with the reason; what a
//! baseline would need and cannot have makes `adopt` refuse before it writes anything.

use std::path::{Path, PathBuf};

use crate::connection::MigrationConnection;
use crate::error::{Error, Result};
use crate::objects::declare::declarations;
use crate::schema::Schema;
use crate::snapshot::write_atomic;

/// Folders for the objects, the first that is free; `sql` is the default of `migrate.toml`.
const OBJECT_DIRS: &[&str] = &["sql", "schema_objects", "migrate_objects"];

/// The captured objects and where they go.
pub(super) struct AdoptedObjects {
    /// The folder's name in `migrate.toml` and its path; none without objects.
    folder: Option<(String, PathBuf)>,
    /// The files to write.
    files: Vec<(PathBuf, String)>,
    /// The objects, by key, for the summary.
    pub(super) keys: Vec<String>,
    /// What is left out, with the reason.
    pub(super) left_alone: Vec<String>,
}

/// Captures the objects of `conn`'s database into `live.objects`, as the objects folder under
/// `dir` will declare them. Refuses when a captured object or a table needs something that
/// cannot be represented: a baseline would fail on an empty database.
pub(super) fn capture(
    conn: &mut dyn MigrationConnection,
    dir: &Path,
    live: &mut Schema,
) -> Result<AdoptedObjects> {
    let tables: Vec<String> = live.tables.iter().map(|t| t.name.clone()).collect();
    let capture = conn.objects(&tables)?;
    let left_alone: Vec<String> = capture
        .unrepresented
        .iter()
        .map(|u| format!("{} ({})", u.object, u.reason))
        .collect();
    if !capture.blocked.is_empty() {
        return Err(Error::Project(format!(
            "adopt cannot write a baseline that builds this database from nothing: {}; it is left out because: {}. Nothing was changed",
            capture.blocked.join("; "),
            if left_alone.is_empty() {
                "it is not in the schema this tool reads".to_string()
            } else {
                left_alone.join("; ")
            }
        )));
    }
    let mut adopted = AdoptedObjects {
        folder: None,
        files: Vec::new(),
        keys: capture
            .objects
            .iter()
            .map(|o| o.key().to_string())
            .collect(),
        left_alone,
    };
    if capture.objects.is_empty() {
        live.objects.clear();
        return Ok(adopted);
    }
    let name = OBJECT_DIRS
        .iter()
        .find(|name| !dir.join(name).exists())
        .ok_or_else(|| {
            Error::Project(format!(
                "the folders {} all exist: move one away so adopt can write the database's views, functions and triggers there",
                OBJECT_DIRS.join(", ")
            ))
        })?;
    let folder = dir.join(name);
    let (files, objects) = declarations(&folder, &capture.objects, &tables, conn.backend())?;
    live.objects = objects;
    adopted.folder = Some((name.to_string(), folder));
    adopted.files = files;
    Ok(adopted)
}

impl AdoptedObjects {
    /// The `objects = "..."` line of `migrate.toml`, when the folder is not the default.
    pub(super) fn config_line(&self) -> String {
        match &self.folder {
            Some((name, _)) if name != OBJECT_DIRS[0] => format!(
                "objects = {name:?}                  # the views, functions, triggers, ... one .sql file each\n"
            ),
            _ => String::new(),
        }
    }

    /// Writes the files; the paths written.
    pub(super) fn write(&self) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for (path, text) in &self.files {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            write_atomic(path, text.as_bytes())?;
            written.push(path.clone());
        }
        Ok(written)
    }

    /// Takes back the folders [`Self::write`] made (their files are removed by then).
    pub(super) fn remove_folders(&self) {
        if let Some((_, folder)) = &self.folder {
            for (path, _) in &self.files {
                if let Some(parent) = path.parent() {
                    let _ = std::fs::remove_dir(parent);
                }
            }
            let _ = std::fs::remove_dir(folder);
        }
    }

    /// The folder written and how many files it holds, when there were objects.
    pub(super) fn written(&self) -> Option<(PathBuf, usize)> {
        self.folder
            .as_ref()
            .map(|(_, folder)| (folder.clone(), self.files.len()))
    }
}
