//! `migrate.toml`: found by walking up from the current directory; paths relative to the file.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::runner::RunOptions;

/// The file name looked for.
pub const FILE_NAME: &str = "migrate.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    models: Option<String>,
    migrations: Option<String>,
    database_url: Option<String>,
    schema_rs: Option<String>,
    objects: Option<String>,
    lock_timeout: Option<RawDuration>,
    statement_timeout: Option<RawDuration>,
}

/// A duration as written: `"5s"`, `"500ms"`, `"2min"` (humantime's spellings), or a number of
/// milliseconds (bare, or as a TOML integer), as PostgreSQL reads it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawDuration {
    Millis(u64),
    Text(String),
}

impl RawDuration {
    fn millis(&self, key: &str, path: &Path) -> Result<u64> {
        match self {
            RawDuration::Millis(ms) => Ok(*ms),
            RawDuration::Text(text) => parse_millis(text).ok_or_else(|| Error::File {
                path: path.to_path_buf(),
                message: format!(
                    "{key} = \"{text}\" is not a duration; write it as \"5s\", \"500ms\", \"2min\" or \"0\" (no limit)"
                ),
            }),
        }
    }
}

/// Milliseconds of a duration as written: a bare number is milliseconds; anything else is
/// read by humantime (`5s`, `500ms`, `2min`, `1h 30min`).
fn parse_millis(text: &str) -> Option<u64> {
    let text = text.trim();
    if let Ok(ms) = text.parse::<u64>() {
        return Some(ms);
    }
    let duration = humantime::parse_duration(text).ok()?;
    u64::try_from(duration.as_millis()).ok()
}

/// The project as `migrate.toml` describes it, with paths made absolute.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory of `migrate.toml`: the project's root, which its paths are relative to.
    pub root: PathBuf,
    /// The models crate's directory.
    pub models: PathBuf,
    /// The migrations folder.
    pub migrations: PathBuf,
    /// `database_url`, with a relative SQLite path made absolute.
    pub database_url: Option<String>,
    /// Diesel's `table!` file to keep current.
    pub schema_rs: Option<PathBuf>,
    /// The folder of the objects that are not tables, one `.sql` file each (`objects`,
    /// default `sql`; a missing folder declares none).
    pub objects: PathBuf,
    /// How long the runner's statements wait for a lock, and may run (milliseconds, 0: no
    /// limit): `lock_timeout` (default 5s) and `statement_timeout` (default 0).
    pub run_options: RunOptions,
}

impl Config {
    /// `migrations/snapshot.json`.
    pub fn snapshot_path(&self) -> PathBuf {
        self.migrations.join("snapshot.json")
    }

    /// `migrations/versions/`.
    pub fn versions_dir(&self) -> PathBuf {
        self.migrations.join("versions")
    }

    /// Loads `explicit`, or the nearest `migrate.toml` above `cwd`.
    pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Config> {
        let path = match explicit {
            Some(p) => {
                let p = cwd.join(p);
                if !p.is_file() {
                    return Err(Error::File {
                        path: p,
                        message: "no such config file".into(),
                    });
                }
                p
            }
            None => find(cwd).ok_or_else(|| {
                Error::Project(format!(
                    "no {FILE_NAME} in {} or any parent directory; run `migrate-cli init` to create one",
                    cwd.display()
                ))
            })?,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Config::parse(&text, &path)
    }

    /// Parses the text of `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            Error::FileLine {
                path: path.to_path_buf(),
                line,
                message: e.message().to_string(),
            }
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let defaults = RunOptions::default();
        let run_options = RunOptions {
            lock_timeout_ms: match &raw.lock_timeout {
                Some(d) => d.millis("lock_timeout", path)?,
                None => defaults.lock_timeout_ms,
            },
            statement_timeout_ms: match &raw.statement_timeout {
                Some(d) => d.millis("statement_timeout", path)?,
                None => defaults.statement_timeout_ms,
            },
        };
        Ok(Config {
            root: dir.to_path_buf(),
            run_options,
            models: dir.join(raw.models.as_deref().unwrap_or(".")),
            migrations: dir.join(raw.migrations.as_deref().unwrap_or("migrations")),
            database_url: raw.database_url.map(|u| absolute_sqlite_url(&u, dir)),
            schema_rs: raw.schema_rs.map(|p| dir.join(p)),
            objects: dir.join(raw.objects.as_deref().unwrap_or("sql")),
        })
    }
}

fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// A SQLite URL or path made absolute against `base`; other URLs unchanged.
pub fn absolute_sqlite_url(url: &str, base: &Path) -> String {
    let path = if let Some(rest) = url.strip_prefix("sqlite://") {
        rest
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        rest
    } else if url.contains("://") {
        return url.to_string();
    } else {
        url
    };
    if path == ":memory:" || path.starts_with("file:") || Path::new(path).is_absolute() {
        return format!("sqlite://{path}");
    }
    format!("sqlite://{}", base.join(path).display())
}

/// The database URL: `--database-url`, else `DATABASE_URL` (environment or `.env`), else
/// `database_url` of `migrate.toml`.
pub fn database_url(flag: Option<&str>, config: Option<&Config>, cwd: &Path) -> Result<String> {
    if let Some(url) = flag {
        return Ok(absolute_sqlite_url(url, cwd));
    }
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return Ok(absolute_sqlite_url(&url, cwd));
    }
    if let Some(url) = config.and_then(|c| c.database_url.clone()) {
        return Ok(url);
    }
    Err(Error::Project(
        "no database URL: pass --database-url, set DATABASE_URL (environment or .env), or set database_url in migrate.toml".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_file() {
        let c = Config::parse(
            "models = \"app\"\ndatabase_url = \"sqlite://data/app.db\"\nschema_rs = \"app/src/schema.rs\"\n",
            Path::new("/p/migrate.toml"),
        )
        .unwrap();
        assert_eq!(c.models, Path::new("/p/app"));
        assert_eq!(c.migrations, Path::new("/p/migrations"));
        assert_eq!(c.database_url.as_deref(), Some("sqlite:///p/data/app.db"));
        assert_eq!(
            c.schema_rs.as_deref(),
            Some(Path::new("/p/app/src/schema.rs"))
        );
        assert_eq!(c.objects, Path::new("/p/sql"));
        let c = Config::parse("objects = \"db/objects\"\n", Path::new("/p/migrate.toml")).unwrap();
        assert_eq!(c.objects, Path::new("/p/db/objects"));
    }

    #[test]
    fn unknown_keys_name_file_and_line() {
        let err = Config::parse(
            "models = \".\"\nmigratons = \"m\"\n",
            Path::new("/p/migrate.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("/p/migrate.toml:2: unknown field `migratons`"),
            "{err}"
        );
    }

    #[test]
    fn timeouts_are_read_as_durations() {
        let config = Config::parse(
            "lock_timeout = \"2s\"\nstatement_timeout = 90000\n",
            Path::new("/p/migrate.toml"),
        )
        .unwrap();
        assert_eq!(config.run_options.lock_timeout_ms, 2_000);
        assert_eq!(config.run_options.statement_timeout_ms, 90_000);
        let defaults = Config::parse("", Path::new("/p/migrate.toml")).unwrap();
        assert_eq!(defaults.run_options.lock_timeout_ms, 5_000);
        assert_eq!(defaults.run_options.statement_timeout_ms, 0);
        let human = Config::parse(
            "lock_timeout = \"1min 30s\"\nstatement_timeout = \"250\"\n",
            Path::new("/p/migrate.toml"),
        )
        .unwrap();
        assert_eq!(human.run_options.lock_timeout_ms, 90_000);
        assert_eq!(human.run_options.statement_timeout_ms, 250);
        let err = Config::parse("lock_timeout = \"soon\"\n", Path::new("/p/migrate.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/p/migrate.toml: lock_timeout = \"soon\" is not a duration"),
            "{err}"
        );
    }

    #[test]
    fn server_urls_are_kept() {
        assert_eq!(
            absolute_sqlite_url("postgres://u:p@h/db", Path::new("/x")),
            "postgres://u:p@h/db"
        );
        assert_eq!(
            absolute_sqlite_url("app.db", Path::new("/x")),
            "sqlite:///x/app.db"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 512, failure_persistence: None, ..Default::default() })]

        /// Whatever `migrate.toml` holds, parsing answers with a config or an error, never a panic.
        #[test]
        fn parsing_never_panics(text in "\\PC{0,300}") {
            let _ = Config::parse(&text, Path::new("/p/migrate.toml"));
        }

        #[test]
        fn near_misses_never_panic(at in 0usize..200, byte in proptest::prelude::any::<u8>()) {
            let good = "models = \"app\"\nmigrations = \"m\"\ndatabase_url = \"sqlite://a.db\"\nschema_rs = \"src/schema.rs\"\n";
            let mut bytes = good.as_bytes().to_vec();
            let at = at % bytes.len();
            bytes[at] = byte;
            let _ = Config::parse(&String::from_utf8_lossy(&bytes), Path::new("/p/migrate.toml"));
        }
    }
}
