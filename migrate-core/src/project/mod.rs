//! What migrate-cli's commands do to a project, as library calls: `migrate.toml`, the migration
//! files and the revision graph they make, the programs built from them, and one operation per
//! command. The CLI parses arguments, calls one of these and prints what it returns; nothing
//! here prints, except the runner program, whose lines stream through as it applies.
//!
//! Layers, lowest first: [`config`], [`clock`], [`files`] and [`programs`] know the project's
//! files; [`Project`] ties them to where a command runs; the operations ([`init`], [`migrate`],
//! [`apply`], [`status`], [`check`], [`live`], [`lint`], [`adopt`], [`remove`], [`squash`],
//! [`bundle`]) build on those and never on each other.
//!
//! A project is either the files of `migrate.toml`'s folders or, inside an executable written by
//! `bundle`, the [`payload::Payload`] it carries: [`Project`] answers the operations from either
//! alike, so a bundle runs them through the same code as the CLI. A bundle whose modules must be
//! compiled carries their compiled runner program too, and runs it as the CLI runs the one it
//! builds.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use migrate_derive_core::embed::MigrationModule;

use crate::dialect::Backend;
use crate::error::{mask_url, Error, Result};
use crate::snapshot::Snapshot;

pub mod adopt;
mod adopt_objects;
pub mod apply;
pub mod backup;
pub mod bundle;
pub mod check;
pub mod clock;
pub mod config;
pub mod files;
pub mod init;
pub mod lint;
pub mod live;
pub mod migrate;
pub mod payload;
pub mod programs;
pub mod read_cache;
pub mod remove;
pub mod squash;
pub mod status;

pub use config::Config;
pub use files::{MigrationFile, MigrationFiles};
use payload::Bundle;
use programs::RunnerProgram;

/// Where a command runs: the current directory, a database URL given on the command line, and
/// whether builds show cargo's output.
#[derive(Debug, Clone)]
pub struct Env {
    /// The current directory: `migrate.toml` is looked for from here up, relative paths start
    /// here, and messages show paths below it relative to it.
    pub cwd: PathBuf,
    /// `--database-url`, when given.
    pub database_url: Option<String>,
    /// Whether cargo's output is shown while a program builds.
    pub verbose: bool,
}

impl Env {
    /// The database URL: `--database-url`, else `DATABASE_URL`, else `config`'s.
    pub fn database_url(&self, config: Option<&Config>) -> Result<String> {
        config::database_url(self.database_url.as_deref(), config, &self.cwd)
    }

    /// Whether a URL was given outside `migrate.toml` (`--database-url` or `DATABASE_URL`).
    pub fn url_given(&self) -> bool {
        self.database_url.is_some() || std::env::var_os("DATABASE_URL").is_some()
    }

    /// The backend of the database URL, when one is set and parses.
    pub fn backend(&self, config: Option<&Config>) -> Option<Backend> {
        self.database_url(config)
            .ok()
            .and_then(|url| Backend::from_url(&url).ok())
    }

    /// `path` relative to the current directory when it is below it, for shorter messages.
    pub fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// A project: its `migrate.toml` and where the command runs.
#[derive(Debug, Clone)]
pub struct Project {
    /// Where the command runs.
    pub env: Env,
    /// The project's configuration.
    pub config: Config,
    /// The migrations and snapshot a bundle carries, read in place of the files.
    bundled: Option<Arc<Bundle>>,
}

impl Project {
    /// The project of `config_file`, or of the nearest `migrate.toml` above the current
    /// directory.
    pub fn load(env: Env, config_file: Option<&Path>) -> Result<Project> {
        let config = Config::load(config_file, &env.cwd)?;
        Ok(Project {
            env,
            config,
            bundled: None,
        })
    }

    /// The project a bundle carries: no `migrate.toml`, no files; the database URL comes from
    /// `--database-url` or `DATABASE_URL`, and paths are named as in the project it came from.
    pub fn bundled(env: Env, bundle: Arc<Bundle>) -> Project {
        let payload = &bundle.payload;
        let config = Config {
            root: PathBuf::new(),
            models: PathBuf::new(),
            migrations: PathBuf::from(&payload.migrations),
            database_url: None,
            schema_rs: None,
            objects: PathBuf::new(),
            run_options: payload.run_options(),
        };
        Project {
            env,
            config,
            bundled: Some(bundle),
        }
    }

    /// The migration modules of `versions/`.
    pub fn files(&self) -> Result<MigrationFiles> {
        if self.bundled.is_some() {
            return MigrationFiles::from_modules(self.modules()?);
        }
        MigrationFiles::read(&self.config.versions_dir())
    }

    /// The modules of `versions/`, listed and read but not parsed: what the runner needs.
    pub fn modules(&self) -> Result<Vec<MigrationModule>> {
        let versions = self.config.versions_dir();
        let Some(bundle) = &self.bundled else {
            return files::list_modules(&versions);
        };
        Ok(bundle
            .payload
            .modules
            .iter()
            .map(|m| MigrationModule {
                path: versions.join(&m.file),
                module: format!("m_{}", m.file.trim_end_matches(".rs")),
                file: m.file.clone(),
                source: m.source.clone(),
            })
            .collect())
    }

    /// The runner of `modules` (see [`RunnerProgram::from_modules`]); a bundle's runs them in
    /// this process from what they were read into when it was written, or, when one had to be
    /// compiled, is the runner program it carries, extracted to a temporary file.
    pub fn runner(&self, modules: Vec<MigrationModule>, backend: Backend) -> Result<RunnerProgram> {
        let Some(bundle) = &self.bundled else {
            return RunnerProgram::from_modules(&self.config, modules, backend, !self.env.verbose);
        };
        let payload = &bundle.payload;
        if let Some(runner) = &payload.runner {
            return RunnerProgram::extract(&bundle.path, bundle.program_len, runner);
        }
        let cache = read_cache::ReadCache::carried(Arc::new(payload.reads.clone()));
        if let Some(migrations) = programs::read_without_compiling(&modules, &cache) {
            return Ok(RunnerProgram::in_process(migrations));
        }
        // Every module was read when the bundle was written: one that cannot be is damage.
        let (module, refusal) = modules
            .iter()
            .find_map(|m| programs::read_module(m, &cache).err().map(|r| (m, r)))
            .expect("a module was refused");
        Err(Error::File {
            path: module.path.clone(),
            message: format!("this bundle cannot run it without compiling it ({refusal})"),
        })
    }

    /// `snapshot.json`, or an error saying to run `init`.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let path = self.config.snapshot_path();
        if let Some(bundle) = &self.bundled {
            let snapshot = Snapshot::from_json(&bundle.payload.snapshot, &path)?;
            self.check_head(&snapshot)?;
            return Ok(snapshot);
        }
        if !path.is_file() {
            return Err(Error::File {
                path,
                message: "no snapshot; run `migrate-cli init` first".into(),
            });
        }
        let snapshot = Snapshot::read(&path)?;
        self.check_head(&snapshot)?;
        Ok(snapshot)
    }

    /// An error when the snapshot's head is a revision no module of `versions/` declares (the
    /// module was deleted, or the snapshot came from elsewhere): every command that reads the
    /// snapshot goes through here, so none works from a head that does not exist.
    fn check_head(&self, snapshot: &Snapshot) -> Result<()> {
        let Some(head) = &snapshot.head else {
            return Ok(());
        };
        if self.files()?.get(head).is_some() {
            return Ok(());
        }
        Err(Error::File {
            path: self.config.snapshot_path(),
            message: format!(
                "its head is revision {head}, but no module in {} declares it; restore that module file, or restore the snapshot (and schema.rs) from version control to the previous head",
                self.show(&self.config.versions_dir())
            ),
        })
    }

    /// The snapshot's head has its module, when there is a snapshot (see [`Self::snapshot`]);
    /// for commands that run the migrations without reading the snapshot.
    pub fn check_snapshot_head(&self) -> Result<()> {
        if self.bundled.is_some() || self.config.snapshot_path().is_file() {
            self.snapshot()?;
        }
        Ok(())
    }

    /// The database URL (see [`Env::database_url`]).
    pub fn database_url(&self) -> Result<String> {
        self.env.database_url(Some(&self.config))
    }

    /// The backend of the database URL, when one is set.
    pub fn backend(&self) -> Option<Backend> {
        self.env.backend(Some(&self.config))
    }

    /// `path` as messages show it.
    pub fn show(&self, path: &Path) -> String {
        self.env.show(path)
    }
}

/// The backend of `url`, when this build can drive it; otherwise an error naming the feature
/// to build with.
pub fn usable_backend(url: &str) -> Result<Backend> {
    let backend = Backend::from_url(url)?;
    if !cfg!(feature = "postgres") && backend == Backend::Postgres
        || !cfg!(feature = "mysql") && backend == Backend::Mysql
    {
        return Err(Error::DatabaseUrl(format!(
            "{} is a {backend} URL, but this migrate-cli was built without the `{}` feature; rebuild with `--features {}`",
            mask_url(url),
            backend.feature(),
            backend.feature()
        )));
    }
    Ok(backend)
}

/// A backend named on the command line (`--dialect`).
pub fn parse_dialect(name: &str) -> Result<Backend> {
    Backend::parse(name).ok_or_else(|| {
        Error::Project(format!(
            "unknown dialect `{name}`, expected sqlite, postgres or mysql"
        ))
    })
}
