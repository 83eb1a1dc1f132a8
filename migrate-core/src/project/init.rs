//! `init`: a new project's `migrations/` (with `versions/` and an empty snapshot) and its
//! `migrate.toml` when missing.

use std::path::{Path, PathBuf};

use super::config::{self, Config};
use super::Env;
use crate::error::{Error, Result};
use crate::snapshot::{write_atomic, Snapshot};

const DEFAULT_CONFIG: &str = "\
# migrate-cli configuration; paths are relative to this file.
models = \".\"                       # the crate whose #[derive(Model)] structs are the schema
migrations = \"migrations\"
database_url = \"sqlite://app.db\"   # used when neither --database-url nor DATABASE_URL is set
";

/// What `init` created.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// `migrate.toml`, when it was missing.
    pub config: Option<PathBuf>,
    /// `migrations/versions/`.
    pub versions: PathBuf,
    /// `migrations/snapshot.json`.
    pub snapshot: PathBuf,
}

/// Initialises the project in `dir` (relative to the current directory); refuses a project
/// that has a snapshot already.
pub fn init(env: &Env, dir: &Path) -> Result<Initialized> {
    let dir = env.cwd.join(dir);
    let config_path = dir.join(config::FILE_NAME);
    let config_text = if config_path.is_file() {
        None
    } else {
        let mut text = DEFAULT_CONFIG.to_string();
        if dir.join("src/schema.rs").is_file() {
            text.push_str("schema_rs = \"src/schema.rs\"          # Diesel's table! file, rewritten by `migrate`\n");
        } else {
            text.push_str("# schema_rs = \"src/schema.rs\"        # Diesel's table! file, rewritten by `migrate`\n");
        }
        Some(text)
    };
    let config = match &config_text {
        Some(text) => Config::parse(text, &config_path)?,
        None => Config::load(Some(&config_path), &env.cwd)?,
    };
    let snapshot = config.snapshot_path();
    if snapshot.exists() {
        return Err(Error::Project(format!(
            "{} already exists: this project is initialised; nothing was changed",
            env.show(&snapshot)
        )));
    }
    let versions = config.versions_dir();
    std::fs::create_dir_all(&versions).map_err(|e| Error::io(&versions, e))?;
    Snapshot::empty().write(&snapshot)?;
    let created_config = match config_text {
        Some(text) => {
            write_atomic(&config_path, text.as_bytes())?;
            Some(config_path)
        }
        None => None,
    };
    Ok(Initialized {
        config: created_config,
        versions,
        snapshot,
    })
}
