//! `bundle`: what a migrator executable carries of the project ([`Payload`]), gathered and
//! checked. The CLI appends it to a copy of itself; inside that copy, [`super::Project::bundled`]
//! answers every operation from it.
//!
//! A bundle applies migrations the way the CLI does: when every module can be read without
//! compiling it, in its own process, from the operations each module was read into; when one
//! must be compiled (a Rust data step, any other code), with the runner program compiled here,
//! where the toolchain is, with every backend of this build, and carried inside the bundle,
//! since a deploy machine has no toolchain to compile it.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::payload::{BundledModule, CarriedRunner, Payload};
use super::programs::{read_module, read_without_compiling, target_dir, RunnerProgram};
use super::read_cache::ReadCache;
use super::Project;
use crate::diff::diff;
use crate::error::{Error, Result};
use crate::interpret::encode;

/// What a bundle of a project carries.
#[derive(Debug, Clone)]
pub struct BundleContents {
    /// The migrations, snapshot and run options.
    pub payload: Payload,
    /// The compiled runner program, when a module must be compiled: appended before the
    /// payload's body, which records its length and digest.
    pub runner: Option<Vec<u8>>,
}

/// What a bundle of `project` carries: its modules, each read into its operations (or, when one
/// must be compiled, the runner program compiled from them all), `snapshot.json`, and the run
/// options of `migrate.toml`. Refused: no migration, a runner that does not compile, and
/// migrations that do not replay to the snapshot (the bundle's `verify` compares the database
/// with that snapshot, as the CLI's does). `compiling` is told the first module that must be
/// compiled, before the compile starts.
pub fn contents(project: &Project, compiling: impl FnOnce(&str)) -> Result<BundleContents> {
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
    let mut compiled = None;
    for module in &modules {
        match read_module(module, &cache) {
            Ok((read, checksum)) => {
                let encoded = encode(&read).expect("read operations always serialise");
                let encoded = String::from_utf8(encoded).expect("JSON is UTF-8");
                reads.insert(checksum, encoded);
            }
            Err(_) => compiled = compiled.or(Some(&module.file)),
        }
    }
    let (program, runner) = if let Some(file) = compiled {
        compiling(file);
        // The reads go unused: the carried runner runs every module.
        reads.clear();
        let program = RunnerProgram::compile_for_bundle(
            &project.config,
            modules.clone(),
            !project.env.verbose,
        )?;
        let binary = program.binary().expect("a compiled program");
        let bytes = std::fs::read(binary).map_err(|e| Error::io(binary, e))?;
        (program, Some(bytes))
    } else {
        let migrations = read_without_compiling(&modules, &cache).expect("every module was read");
        (RunnerProgram::in_process(migrations), None)
    };
    let replayed = program.schema()?.ok_or_else(|| {
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
    let payload = Payload::new(
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
        runner.as_deref().map(CarriedRunner::of),
    );
    Ok(BundleContents { payload, runner })
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
