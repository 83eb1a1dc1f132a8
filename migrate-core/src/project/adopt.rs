//! `adopt [--models FILE]`: an existing Diesel project and its live database become the starting
//! point: `migrate.toml`, the snapshot, a baseline migration recorded as applied without running
//! it, and (with `--models`) one `#[derive(Model)]` struct per table.
//!
//! Nothing in the database is touched but the history table, which gets the baseline's row.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::config::{self, Config};
use super::files::NewModule;
use super::{usable_backend, Env};
use crate::connection::{connect, MigrationConnection};
use crate::dialect::Backend;
use crate::diff::diff;
use crate::error::{mask_url, Error, Result};
use crate::history::{HistoryRow, HistoryState};
use crate::model_source::{expressible, render_models_for};
use crate::schema::Schema;
use crate::snapshot::{write_atomic, Snapshot};

/// Diesel's own history table, left out of the adopted schema.
pub const DIESEL_TABLE: &str = "__diesel_schema_migrations";

/// The message (and file name) of the baseline migration.
const BASELINE_MESSAGE: &str = "baseline adopted from the database";

/// Folders for this tool's migrations, the first that is free: never Diesel's `migrations/`.
const MIGRATIONS_DIRS: &[&str] = &["migrate", "schema_migrations", "migrate_migrations"];

/// What `diesel.toml` says about the project, with Diesel's defaults.
struct DieselToml {
    /// `[print_schema] file`.
    schema_file: Option<String>,
    /// `[migrations_directory] dir`, default `migrations`.
    migrations_dir: String,
}

fn read_diesel_toml(dir: &Path) -> Result<DieselToml> {
    let path = dir.join("diesel.toml");
    let mut out = DieselToml {
        schema_file: None,
        migrations_dir: "migrations".into(),
    };
    if !path.is_file() {
        return Ok(out);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let value: toml::Table = toml::from_str(&text)
        .map_err(|e| Error::Project(format!("{}: {}", path.display(), e.message())))?;
    let string = |section: &str, key: &str| {
        value
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    out.schema_file = string("print_schema", "file");
    if let Some(dir) = string("migrations_directory", "dir") {
        out.migrations_dir = dir;
    }
    Ok(out)
}

/// The versions of the Diesel migrations in `dir`, as Diesel reads them from the folder names
/// (the part before the first `_`, dashes removed), with the folder names.
fn diesel_migrations(dir: &Path) -> Result<Vec<(String, String)>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if !path.is_dir() || !path.join("up.sql").is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let version = name.split('_').next().unwrap_or("").replace('-', "");
        if !version.is_empty() {
            found.push((version, name));
        }
    }
    found.sort();
    Ok(found)
}

/// MySQL 8's functional indexes, which the MySQL dialect does not create yet (MariaDB has
/// none): each is listed as left alone and taken out of `schema`. SQLite's and PostgreSQL's
/// expression and partial indexes are read exactly and the models say them
/// (`index(on = ..., where = ...)`), so they stay. Views, triggers, functions and the other
/// objects are captured with the objects folder (`migrate_core::objects`).
fn left_alone(url: &str, schema: &mut Schema) -> Result<Vec<String>> {
    if Backend::from_url(url)? != Backend::Mysql {
        return Ok(Vec::new());
    }
    let objects = special_objects(url)?;
    let mut notes = Vec::new();
    for (kind, name, table) in objects {
        let _ = kind;
        if let Some(t) = schema.table_mut(&table) {
            t.indexes.retain(|i| i.name != name);
        }
        notes.push(format!("index {name} on {table} (a functional index)"));
    }
    Ok(notes)
}

/// `(kind, name, table)` of every functional index (MySQL).
#[cfg(feature = "mysql")]
fn special_objects(url: &str) -> Result<Vec<(String, String, String)>> {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    #[derive(QueryableByName)]
    struct Object {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        tbl: String,
    }
    let mut conn = diesel::MysqlConnection::establish(url)
        .map_err(|e| Error::Project(format!("{}: {e}", mask_url(url))))?;
    let rows: Vec<Object> = diesel::sql_query(
        "SELECT DISTINCT 'index' AS kind, INDEX_NAME AS name, TABLE_NAME AS tbl \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND COLUMN_NAME IS NULL \
         ORDER BY 1, 2",
    )
    .load(&mut conn)
    .map_err(|e| Error::Project(format!("{}: reading indexes: {e}", mask_url(url))))?;
    Ok(rows.into_iter().map(|o| (o.kind, o.name, o.tbl)).collect())
}

/// Without the `mysql` feature there is no MySQL database to read.
#[cfg(not(feature = "mysql"))]
fn special_objects(_url: &str) -> Result<Vec<(String, String, String)>> {
    Ok(Vec::new())
}

/// The versions in `__diesel_schema_migrations`, empty when Diesel never ran here.
fn diesel_applied(url: &str) -> Result<BTreeSet<String>> {
    let exists = match Backend::from_url(url)? {
        Backend::Sqlite => format!(
            "SELECT name AS version FROM sqlite_master WHERE type = 'table' AND name = '{DIESEL_TABLE}'"
        ),
        Backend::Postgres => format!(
            "SELECT c.relname::text AS version FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relname = '{DIESEL_TABLE}'"
        ),
        Backend::Mysql => format!(
            "SELECT CAST(TABLE_NAME AS CHAR) AS version FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{DIESEL_TABLE}'"
        ),
    };
    if query_versions(url, exists)?.is_empty() {
        return Ok(BTreeSet::new());
    }
    Ok(
        query_versions(url, format!("SELECT version FROM {DIESEL_TABLE}"))?
            .into_iter()
            .collect(),
    )
}

/// The `version` column of the rows `sql` returns.
fn query_versions(url: &str, sql: String) -> Result<Vec<String>> {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    #[derive(QueryableByName)]
    #[allow(dead_code)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let query_error = |e: diesel::result::Error| {
        Error::Project(format!("{}: reading {DIESEL_TABLE}: {e}", mask_url(url)))
    };
    let connect_error =
        |e: diesel::ConnectionError| Error::Project(format!("{}: {e}", mask_url(url)));
    #[allow(unused_variables)]
    let rows: Vec<Version> = match Backend::from_url(url)? {
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => {
            let path = crate::connection::sqlite_path(url);
            let mut conn = diesel::SqliteConnection::establish(path).map_err(connect_error)?;
            diesel::sql_query(sql)
                .load(&mut conn)
                .map_err(query_error)?
        }
        #[cfg(feature = "postgres")]
        Backend::Postgres => {
            let mut conn = diesel::PgConnection::establish(url).map_err(connect_error)?;
            diesel::sql_query(sql)
                .load(&mut conn)
                .map_err(query_error)?
        }
        #[cfg(feature = "mysql")]
        Backend::Mysql => {
            let mut conn = diesel::MysqlConnection::establish(url).map_err(connect_error)?;
            diesel::sql_query(sql)
                .load(&mut conn)
                .map_err(query_error)?
        }
        #[allow(unreachable_patterns)]
        _ => Vec::new(),
    };
    Ok(rows.into_iter().map(|v| v.version).collect())
}

/// The crate root a module file directly under `src/` belongs to, and its module name.
fn crate_root_of(dir: &Path, models: &Path) -> Option<(PathBuf, String)> {
    let src = dir.join("src");
    if models.parent()? != src || models.extension()? != "rs" {
        return None;
    }
    let module = models.file_stem()?.to_str()?.to_string();
    if module == "lib" || module == "main" {
        return None;
    }
    let root = [src.join("lib.rs"), src.join("main.rs")]
        .into_iter()
        .find(|p| p.is_file())?;
    Some((root, module))
}

/// Whether `root` declares `mod module` (with any visibility).
fn declares_module(root_text: &str, module: &str) -> bool {
    root_text.lines().any(|line| {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || c == ';' || c == '{')
            .filter(|w| !w.is_empty())
            .collect();
        words.windows(2).any(|w| w[0] == "mod" && w[1] == module)
    })
}

/// What `adopt` did, for its summary.
#[derive(Debug, Clone)]
pub struct Adopted {
    /// The database URL, password masked.
    pub url: String,
    /// The tables adopted.
    pub tables: Vec<String>,
    /// The objects that are not tables, taken over into the objects folder (their keys).
    pub objects: Vec<String>,
    /// The objects folder written and how many files it holds, when there were objects.
    pub objects_folder: Option<(PathBuf, usize)>,
    /// What the database holds that the tool leaves out, each with the reason.
    pub left_alone: Vec<String>,
    /// What the models cannot say as the database has it.
    pub notes: Vec<String>,
    /// `migrate.toml`, written.
    pub config: PathBuf,
    /// The migrations folder's name.
    pub migrations: String,
    /// `schema_rs`, when the project has Diesel's `table!` file.
    pub schema_rs: Option<String>,
    /// The baseline module, recorded as applied.
    pub baseline: PathBuf,
    /// The snapshot.
    pub snapshot: PathBuf,
    /// With `--models`: the file written.
    pub models: Option<AdoptedModels>,
}

/// The models file `adopt --models` wrote.
#[derive(Debug, Clone)]
pub struct AdoptedModels {
    /// The file.
    pub path: PathBuf,
    /// How many structs it holds.
    pub structs: usize,
    /// The crate root that now declares it as a module (`pub mod models;` was added).
    pub declared_in: Option<PathBuf>,
    /// Whether it still needs declaring as a module of the crate (not directly under `src/`).
    pub needs_declaring: bool,
    /// The crates the generated field types come from.
    pub crates: Vec<&'static str>,
    /// The migrate-core features those field types need (its column types for `chrono`, ...).
    pub core_features: Vec<&'static str>,
    /// The Diesel features the models need (`chrono`, `numeric`, `32-column-tables` ...).
    pub diesel_features: Vec<&'static str>,
}

/// `adopt [--models FILE]`, in the current directory of `env`.
pub fn adopt(env: &Env, models: Option<&Path>) -> Result<Adopted> {
    let ctx = env;
    let dir = ctx.cwd.clone();
    let config_path = dir.join(config::FILE_NAME);
    if config_path.exists() {
        return Err(Error::Project(format!(
            "{} already exists: this project already uses migrate-cli, so there is nothing to adopt; nothing was changed",
            ctx.show(&config_path)
        )));
    }
    let models_path = models.map(|m| dir.join(m));
    if let Some(path) = &models_path {
        if path.exists() {
            return Err(Error::Project(format!(
                "{} already exists: adopt does not overwrite it; name a new file with --models",
                ctx.show(path)
            )));
        }
    }
    let diesel = read_diesel_toml(&dir)?;
    let migrations_name = MIGRATIONS_DIRS
        .iter()
        .find(|name| {
            **name != diesel.migrations_dir.trim_end_matches('/') && !dir.join(name).exists()
        })
        .ok_or_else(|| {
            Error::Project(format!(
                "the folders {} all exist: move one away so adopt can write its migrations there",
                MIGRATIONS_DIRS.join(", ")
            ))
        })?;
    let schema_rs = diesel.schema_file.clone().or_else(|| {
        dir.join("src/schema.rs")
            .is_file()
            .then(|| "src/schema.rs".to_string())
    });

    let url = ctx.database_url(None)?;
    usable_backend(&url)?;
    let masked = mask_url(&url);
    if Backend::from_url(&url)? == Backend::Sqlite {
        let path = crate::connection::sqlite_path(&url);
        if !Path::new(path).is_file() {
            return Err(Error::Project(format!(
                "{masked}: no such database file; adopt reads an existing database"
            )));
        }
    }
    let mut conn = connect(&url)?;
    let history = conn.history()?;
    if let Some(row) = history.first() {
        return Err(Error::Project(format!(
            "{masked} already has migrate-cli history (revision {}): it was adopted or migrated before; nothing was changed",
            row.revision
        )));
    }

    // Every Diesel migration of the folder must be applied, or the snapshot would not be the
    // schema the team has.
    let mut live = conn.introspect()?;
    live.tables.retain(|t| t.name != DIESEL_TABLE);
    let diesel_dir = dir.join(&diesel.migrations_dir);
    let in_folder = diesel_migrations(&diesel_dir)?;
    let applied = diesel_applied(&url)?;
    let pending: Vec<&str> = in_folder
        .iter()
        .filter(|(version, _)| !applied.contains(version))
        .map(|(_, name)| name.as_str())
        .collect();
    if !pending.is_empty() {
        return Err(Error::Project(format!(
            "{} Diesel migration(s) in {} are not applied on {masked}: {}; run `diesel migration run` first, so that adopt takes the schema the migrations give",
            pending.len(),
            ctx.show(&diesel_dir),
            pending.join(", ")
        )));
    }

    let left = left_alone(&url, &mut live)?;
    let objects = super::adopt_objects::capture(conn.as_mut(), &dir, &mut live)?;
    let (schema, notes) = expressible(&live);
    let backend = Backend::from_url(&url)?;

    // The models name Diesel's tables: with no `table!` file yet (or an empty one), adopt writes
    // it as `schema` would, so that the crate compiles right away.
    let mut schema_rs = schema_rs;
    let mut schema_rs_text = None;
    if models_path.is_some() {
        let relative = schema_rs.clone().unwrap_or_else(|| "src/schema.rs".into());
        let path = dir.join(&relative);
        let existing = std::fs::read_to_string(&path).ok();
        if existing.as_deref().is_none_or(|t| t.trim().is_empty()) {
            let text = crate::diesel_schema::render_schema_rs(&schema, backend);
            schema_rs_text = Some((path, text, existing.is_none()));
            schema_rs = Some(relative);
        }
    }

    // The baseline: `up` creates the whole schema on an empty database.
    let plan = diff(&Schema::default(), &schema)?;

    let mut config_text = String::from(
        "# migrate-cli configuration; paths are relative to this file.\n\
         # Written by `migrate-cli adopt`: Diesel's own migrations stay where they are.\n\
         models = \".\"                       # the crate whose #[derive(Model)] structs are the schema\n",
    );
    config_text.push_str(&format!("migrations = {:?}\n", migrations_name));
    if let Some(flag) = &ctx.database_url {
        config_text.push_str(&format!("database_url = {flag:?}\n"));
    }
    if let Some(schema_rs) = &schema_rs {
        config_text.push_str(&format!(
            "schema_rs = {schema_rs:?}          # Diesel's table! file, rewritten by `migrate`\n"
        ));
    }
    config_text.push_str(&objects.config_line());
    let config = Config::parse(&config_text, &config_path)?;
    let baseline = NewModule::render(
        &config.versions_dir(),
        &[],
        Vec::new(),
        BASELINE_MESSAGE,
        "baseline",
        (&plan.up, &plan.down, &[]),
    );
    let (revision, module_file, module) = (baseline.revision, baseline.path, baseline.text);
    let models_text = models_path
        .as_ref()
        .map(|_| render_models_for(&schema, Some(backend)));

    // Write everything, then record the baseline; any failure takes back what was written.
    let mut written: Vec<PathBuf> = Vec::new();
    let result = (|| -> Result<()> {
        std::fs::create_dir_all(config.versions_dir())
            .map_err(|e| Error::io(config.versions_dir(), e))?;
        write_atomic(&module_file, module.as_bytes())?;
        written.push(module_file.clone());
        written.extend(objects.write()?);
        Snapshot::new(Some(revision.clone()), schema.clone()).write(&config.snapshot_path())?;
        written.push(config.snapshot_path());
        if let (Some(path), Some(text)) = (&models_path, &models_text) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
            }
            write_atomic(path, text.as_bytes())?;
            written.push(path.clone());
        }
        if let Some((path, text, new)) = &schema_rs_text {
            write_atomic(path, text.as_bytes())?;
            if *new {
                written.push(path.clone());
            }
        }
        write_atomic(&config_path, config_text.as_bytes())?;
        written.push(config_path.clone());
        record_baseline(conn.as_mut(), &revision, &module)?;
        Ok(())
    })();
    if let Err(e) = result {
        for path in written.iter().rev() {
            let _ = std::fs::remove_file(path);
        }
        let _ = std::fs::remove_dir(config.versions_dir());
        let _ = std::fs::remove_dir(&config.migrations);
        objects.remove_folders();
        return Err(e);
    }

    // A models file directly under src/ joins the crate, so the source reader finds it; so does
    // a `table!` file adopt wrote.
    if let Some((path, _, true)) = &schema_rs_text {
        declare_module(&dir, path)?;
    }
    let models = match &models_path {
        Some(path) => {
            let (declared_in, needs_declaring) = declare_module(&dir, path)?;
            let crates = crates_used(&schema, backend);
            Some(AdoptedModels {
                path: path.clone(),
                structs: schema.tables.len(),
                declared_in,
                needs_declaring,
                core_features: crates
                    .iter()
                    .copied()
                    .filter(|c| CORE_FEATURE_CRATES.contains(c))
                    .collect(),
                crates,
                diesel_features: crate::diesel_schema::diesel_features(&schema, backend),
            })
        }
        None => None,
    };

    Ok(Adopted {
        url: masked,
        tables: schema.tables.iter().map(|t| t.name.clone()).collect(),
        objects: objects.keys.clone(),
        objects_folder: objects.written(),
        left_alone: left
            .into_iter()
            .chain(objects.left_alone.iter().cloned())
            .collect(),
        notes,
        config: config_path,
        migrations: migrations_name.to_string(),
        schema_rs,
        baseline: module_file,
        snapshot: config.snapshot_path(),
        models,
    })
}

/// Declares `path` as a module of its crate when it sits directly under `src/` and the crate
/// root does not declare it yet: the root that now declares it, and whether it still needs
/// declaring by hand (elsewhere).
fn declare_module(dir: &Path, path: &Path) -> Result<(Option<PathBuf>, bool)> {
    let Some((root, module)) = crate_root_of(dir, path) else {
        return Ok((None, true));
    };
    let text = std::fs::read_to_string(&root).map_err(|e| Error::io(&root, e))?;
    if declares_module(&text, &module) {
        return Ok((None, false));
    }
    let mut new_text = text;
    if !new_text.is_empty() && !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    new_text.push_str(&format!("pub mod {module};\n"));
    write_atomic(&root, new_text.as_bytes())?;
    Ok((Some(root), false))
}

/// The crates for whose types migrate-core implements its column types, each behind a feature
/// of the crate's name (`ipnetwork` fields say their `sql_type` instead).
const CORE_FEATURE_CRATES: &[&str] = &["chrono", "bigdecimal", "uuid", "serde_json"];

/// The crates the generated field types come from (by the path each field type starts with).
fn crates_used(schema: &Schema, backend: Backend) -> Vec<&'static str> {
    let mut crates = BTreeSet::new();
    for column in schema.tables.iter().flat_map(|t| &t.columns) {
        let ty = crate::model_source::rust_field_type_for(&column.ty, Some(backend));
        for name in ["chrono", "bigdecimal", "uuid", "serde_json", "ipnetwork"] {
            if ty.contains(&format!("{name}::")) {
                crates.insert(name);
            }
        }
    }
    crates.into_iter().collect()
}

/// The baseline's history row: applied, as if `upgrade` had run it, with the checksum of the
/// module text exactly as written (the runner checksums the file).
fn record_baseline(conn: &mut dyn MigrationConnection, revision: &str, module: &str) -> Result<()> {
    conn.insert_history(&HistoryRow {
        revision: revision.to_string(),
        message: BASELINE_MESSAGE.to_string(),
        checksum: crate::runner::checksum(module),
        applied_at: crate::runner::now_rfc3339(),
        duration_ms: 0,
        state: HistoryState::Applied,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_declarations_are_found() {
        assert!(declares_module("pub mod schema;\nmod models;\n", "models"));
        assert!(declares_module("pub(crate) mod models {\n}\n", "models"));
        assert!(!declares_module("pub mod models_old;\n", "models"));
    }

    #[test]
    fn diesel_versions_drop_dashes() {
        let dir = std::env::temp_dir().join(format!("migrate-adopt-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for name in ["2024-01-02-030405_create_users", "20240103000000_posts"] {
            std::fs::create_dir_all(dir.join(name)).unwrap();
            std::fs::write(dir.join(name).join("up.sql"), "").unwrap();
        }
        std::fs::create_dir_all(dir.join("notes")).unwrap();
        let found = diesel_migrations(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            found,
            [
                (
                    "20240102030405".to_string(),
                    "2024-01-02-030405_create_users".to_string()
                ),
                (
                    "20240103000000".to_string(),
                    "20240103000000_posts".to_string()
                ),
            ]
        );
    }
}
