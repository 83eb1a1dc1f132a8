//! `bundle`: what a migrator executable carries of the project ([`Payload`]), gathered and
//! checked. The CLI appends it to a copy of itself; inside that copy, [`super::Project::bundled`]
//! answers every operation from it.
//!
//! A bundle applies migrations the way the CLI does when it can read every module without
//! compiling it: in its own process, from the operations each module was read into. A module
//! that must be compiled (a Rust data step, any other code) cannot go into a bundle, since a
//! deploy machine has no toolchain to compile it; it is refused by name.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::payload::{BundledModule, Payload};
use super::programs::{read_module, read_without_compiling, target_dir, RunnerProgram};
use super::read_cache::ReadCache;
use super::Project;
use crate::diff::diff;
use crate::error::{Error, Result};
use crate::interpret::encode;

/// The payload of `project`: its modules, each read into its operations, `snapshot.json`, and
/// the run options of `migrate.toml`. Refused: no migration, a module that must be compiled,
/// and migrations that do not replay to the snapshot (the bundle's `verify` compares the
/// database with that snapshot, as the CLI's does).
pub fn payload(project: &Project) -> Result<Payload> {
    let snapshot = project.snapshot()?;
    let snapshot_path = project.config.snapshot_path();
    let snapshot_text =
        std::fs::read_to_string(&snapshot_path).map_err(|e| Error::io(&snapshot_path, e))?;
    let versions = project.config.versions_dir();
    let modules = project.modules()?;
    if modules.is_empty() {
        return Err(Error::File {
            path: versions,
            message: "no migration to bundle; write one with `migrate-cli migrate -m \"...\"`"
                .into(),
        });
    }
    // The revision graph holds together (no duplicate, cycle or missing parent).
    project.files()?.graph()?;
    let cache = ReadCache::open(&target_dir(&project.config.models));
    let mut reads = BTreeMap::new();
    for module in &modules {
        let (read, checksum) = read_module(module, &cache).map_err(|refusal| Error::File {
            path: module.path.clone(),
            message: format!(
                "cannot go into a bundle: it must be compiled (the reader stops at {refusal}), and a bundle applies migrations without a Rust toolchain; apply this project with `migrate-cli upgrade`, or write the step with `m.sql(...)`"
            ),
        })?;
        let encoded = encode(&read).expect("read operations always serialise");
        let encoded = String::from_utf8(encoded).expect("JSON is UTF-8");
        reads.insert(checksum, encoded);
    }
    let migrations = read_without_compiling(&modules, &cache).expect("every module was read");
    let replayed = RunnerProgram::in_process(migrations)
        .schema()?
        .ok_or_else(|| {
            Error::Project(format!(
                "the migrations in {} do not replay (error above)",
                project.show(&versions)
            ))
        })?;
    if replayed.head != snapshot.head || !diff(&replayed.schema(), &snapshot.schema())?.is_empty() {
        return Err(Error::File {
            path: snapshot_path,
            message: format!(
                "replaying the migrations in {} does not give it, so the bundle's `verify` would compare databases with a schema its migrations do not build; `migrate-cli check` names the difference",
                project.show(&versions)
            ),
        });
    }
    Ok(Payload::new(
        relative_migrations(project),
        modules
            .into_iter()
            .map(|m| BundledModule {
                file: m.file,
                source: m.source,
            })
            .collect(),
        (snapshot_text, snapshot.head.clone()),
        reads,
        project.config.run_options,
    ))
}

/// The migrations folder as the project names it (relative to `migrate.toml`, `/`-separated),
/// so that a bundle names files as the CLI run in the project does; its last component when it
/// lies outside the project.
fn relative_migrations(project: &Project) -> String {
    let folder = &project.config.migrations;
    let relative = folder
        .strip_prefix(&project.config.root)
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(folder.file_name().unwrap_or_default()));
    let parts: Vec<String> = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}
