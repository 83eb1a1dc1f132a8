//! Helpers shared by the workspace-level tests: the CLI binary, throwaway cargo projects outside
//! the workspace, and the live schema of a SQLite file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use diesel::prelude::*;
use migrate_core::schema::Schema;

pub mod catalogue;
pub mod generated;
pub mod scenario;
pub mod server_rows;

/// What rustfmt makes of `code` (edition 2021), when rustfmt is installed and accepts it.
pub fn rustfmt(code: &str) -> Option<String> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(code.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The target directory this test binary was built in.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    workspace_root().join("target")
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The `migrate-cli` binary, built once per test process so that it is never stale.
pub fn cli_binary() -> &'static Path {
    static BINARY: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BINARY.get_or_init(|| {
        // The server backends are built in when their tests will run.
        let mut features = Vec::new();
        if std::env::var_os(POSTGRES_URL).is_some() && missing_client_library("postgres").is_none()
        {
            features.push("postgres");
        }
        if std::env::var_os(MYSQL_URL).is_some() && missing_client_library("mysql").is_none() {
            features.push("mysql");
        }
        loop {
            let out = cargo()
                .args([
                    "build",
                    "--quiet",
                    "-p",
                    "migrate-cli",
                    "--features",
                    &features.join(","),
                ])
                .current_dir(workspace_root())
                .output()
                .expect("cargo runs");
            if out.status.success() {
                return Ok(target_dir().join("debug").join("migrate-cli"));
            }
            let stderr = text(&out.stderr);
            // A library the probe thought was there: said in one line, and the backend left
            // out, so that its tests skip (or fail) with that line.
            let missing: Vec<(&str, String)> = missing_library_in_build(&stderr)
                .into_iter()
                .filter(|(kind, _)| features.contains(kind))
                .collect();
            if missing.is_empty() {
                return Err(format!("building migrate-cli failed:\n{stderr}"));
            }
            for (kind, line) in missing {
                eprintln!("{line}");
                features.retain(|f| *f != kind);
                BUILD_MISSING
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((kind, line));
            }
        }
    });
    match built {
        Ok(path) => path,
        Err(message) => panic!("{message}"),
    }
}

/// Client libraries a build of the CLI could not find, by backend.
static BUILD_MISSING: std::sync::Mutex<Vec<(&str, String)>> = std::sync::Mutex::new(Vec::new());

/// The line that says the client library of Diesel's `kind` backend is missing and which
/// package provides it.
pub fn client_library_line(kind: &str) -> String {
    match kind {
        "postgres" => "the PostgreSQL client library (libpq) was not found (through PQ_LIB_DIR, \
                       pkg-config or pg_config); Diesel's `postgres` backend links it: \
                       install libpq-dev"
            .into(),
        _ => "the MySQL client library (libmysqlclient or MariaDB Connector/C) was not found \
              (through MYSQLCLIENT_LIB_DIR, pkg-config or mysql_config); Diesel's `mysql` backend \
              links it: install libmariadb-dev or libmysqlclient-dev"
            .into(),
    }
}

/// The client libraries a failed cargo build could not find, by backend (`postgres`, `mysql`)
/// with the line that says so: a `-sys` crate's build script that failed, or a linker that did
/// not find the library. Empty when the build failed for another reason.
pub fn missing_library_in_build(stderr: &str) -> Vec<(&'static str, String)> {
    let build_script =
        |krate: &str| stderr.contains(&format!("failed to run custom build command for `{krate} "));
    // GNU ld says `cannot find -lpq`, lld `unable to find library -lpq`.
    let linker = |lib: &str| {
        stderr.lines().any(|line| {
            (line.contains("cannot find -l") || line.contains("unable to find library -l"))
                && line
                    .split_whitespace()
                    .any(|w| w.trim_end_matches(':') == format!("-l{lib}"))
        })
    };
    let mut missing = Vec::new();
    if build_script("pq-sys") || linker("pq") {
        missing.push(("postgres", client_library_line("postgres")));
    }
    if build_script("mysqlclient-sys") || ["mysqlclient", "mariadb"].into_iter().any(linker) {
        missing.push(("mysql", client_library_line("mysql")));
    }
    missing
}

/// When the C client library that Diesel's `kind` backend links (`postgres`: libpq, `mysql`:
/// libmysqlclient or MariaDB Connector/C) cannot be found the way its `-sys` crate looks for
/// it (pkg-config, then the library's own config program), or a build of the CLI did not find
/// it, the one line that says which and the package that provides it, printed once; the tests
/// of that server then skip (or fail, under `MIGRATE_TEST_REQUIRE_SERVERS`) with that line
/// rather than with a build script's panic.
pub fn missing_client_library(kind: &str) -> Option<String> {
    static MISSING: OnceLock<[Option<String>; 2]> = OnceLock::new();
    let found = |pkg_config: &[&str], programs: &[&str], variable: &str| {
        // The `-sys` crates' own override of where the library is.
        if std::env::var_os(variable).is_some() {
            return true;
        }
        let runs = |program: &str, args: &[&str]| {
            Command::new(program)
                .args(args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        pkg_config
            .iter()
            .any(|lib| runs("pkg-config", &["--exists", lib]))
            || programs.iter().any(|program| runs(program, &["--libs"]))
    };
    let missing = MISSING.get_or_init(|| {
        let line = |variable: &str, kind: &str| {
            let line = format!("{variable} is set but {}", client_library_line(kind));
            eprintln!("{line}");
            line
        };
        [
            (std::env::var_os(POSTGRES_URL).is_some()
                && !found(&["libpq"], &["pg_config"], "PQ_LIB_DIR"))
            .then(|| line(POSTGRES_URL, "postgres")),
            (std::env::var_os(MYSQL_URL).is_some()
                && !found(
                    &["mysqlclient", "libmariadb", "mariadb"],
                    &["mysql_config", "mariadb_config"],
                    "MYSQLCLIENT_LIB_DIR",
                ))
            .then(|| line(MYSQL_URL, "mysql")),
        ]
    });
    let probed = match kind {
        "postgres" => missing[0].clone(),
        "mysql" => missing[1].clone(),
        _ => None,
    };
    probed.or_else(|| {
        BUILD_MISSING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, line)| line.clone())
    })
}

/// The variable that names a PostgreSQL server for the server tests.
pub const POSTGRES_URL: &str = "MIGRATE_TEST_POSTGRES_URL";
/// The variable that names a MySQL or MariaDB server for the server tests.
pub const MYSQL_URL: &str = "MIGRATE_TEST_MYSQL_URL";
/// Set (by CI) to make a missing server a failure instead of a skip.
pub const REQUIRE_SERVERS: &str = "MIGRATE_TEST_REQUIRE_SERVERS";

/// A database of its own on a real server, dropped when the value is dropped.
pub struct ServerDb {
    /// `postgres` or `mysql`.
    pub kind: &'static str,
    /// The URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
}

impl ServerDb {
    /// A new empty database on the server named by `variable`, or `None` (printing that the
    /// test skipped) when the variable is unset and CI does not require it.
    pub fn create(kind: &'static str, variable: &str, test: &str) -> Option<ServerDb> {
        if std::env::var_os(variable).is_some() {
            // Its build is where a client library the probe missed shows.
            cli_binary();
        }
        if let (Ok(_), Some(missing)) = (std::env::var(variable), missing_client_library(kind)) {
            assert!(std::env::var_os(REQUIRE_SERVERS).is_none(), "{missing}");
            eprintln!("skipped {test}: {kind} client library missing");
            return None;
        }
        let Ok(admin_url) = std::env::var(variable) else {
            assert!(
                std::env::var_os(REQUIRE_SERVERS).is_none(),
                "{variable} is not set but {REQUIRE_SERVERS} is: the {kind} server tests must run"
            );
            eprintln!("skipped {test}: set {variable} to run it against a real {kind} server");
            return None;
        };
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!("migrate_test_{}_{n}_{nanos}", std::process::id());
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b)
            .unwrap_or(&admin_url);
        let db = ServerDb {
            kind,
            url: format!("{base}/{name}"),
            admin_url: admin_url.clone(),
            name,
        };
        db.admin(&format!("CREATE DATABASE {}", db.name));
        Some(db)
    }

    /// Runs SQL against the server's admin database with the server's own client.
    fn admin(&self, sql: &str) -> String {
        run_client(self.kind, &self.admin_url, sql)
    }

    /// The database's schema as `migrate-cli inspect --json` reads it.
    pub fn inspect(&self) -> Schema {
        let dir = tempfile::tempdir().unwrap();
        let out = run_cli(
            dir.path(),
            &["--database-url", &self.url, "inspect", "--json"],
        );
        assert!(
            out.status.success(),
            "inspect: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        migrate_core::snapshot::Snapshot::from_json(
            &String::from_utf8_lossy(&out.stdout),
            Path::new("inspect"),
        )
        .unwrap()
        .schema()
    }

    /// Runs SQL in this database; the client's output (tab-separated rows).
    pub fn sql(&self, sql: &str) -> String {
        run_client(self.kind, &self.url, sql)
    }
}

impl Drop for ServerDb {
    fn drop(&mut self) {
        let drop = match self.kind {
            "postgres" => format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS {}", self.name),
        };
        let _ = std::panic::catch_unwind(|| self.admin(&drop));
    }
}

/// Runs SQL through `psql` or `mysql`, which come with the servers.
fn run_client(kind: &str, url: &str, sql: &str) -> String {
    let out = match kind {
        "postgres" => Command::new("psql")
            .args([
                url,
                "-X",
                "-q",
                "-t",
                "-A",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .output(),
        _ => {
            // mysql://user[:password]@host[:port]/db
            let rest = url.trim_start_matches("mysql://");
            let (auth, hostdb) = rest.split_once('@').unwrap_or(("root", rest));
            let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
            let (hostport, db) = hostdb.split_once('/').unwrap_or((hostdb, ""));
            let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
            let mut command = Command::new("mysql");
            command.args(["-u", user, "-h", host, "-P", port, "-N", "-B", "-e", sql]);
            if !password.is_empty() {
                command.arg(format!("-p{password}"));
            }
            if !db.is_empty() {
                command.arg(db);
            }
            command.output()
        }
    }
    .unwrap_or_else(|e| panic!("the {kind} client could not run: {e}"));
    assert!(
        out.status.success(),
        "{kind} client failed on `{sql}`: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// Where the throwaway projects and the programs the CLI compiles for them build, shared by
/// every test so that Diesel compiles once.
pub fn e2e_target_dir() -> PathBuf {
    target_dir().join("e2e")
}

/// A cargo project in a temporary directory, outside the workspace, as a new user would have.
pub struct Project {
    dir: tempfile::TempDir,
}

/// The `Cargo.toml` of a throwaway models crate that uses migrate-core from this workspace.
pub fn project_manifest(name: &str) -> String {
    let core = workspace_root().join("migrate-core");
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = {{ path = {core:?}, features = ["sqlite", "chrono"] }}
diesel = {{ version = "2.3", default-features = false, features = ["sqlite", "chrono"] }}
chrono = {{ version = "0.4", default-features = false, features = ["clock"] }}
"#
    )
}

impl Project {
    /// A library crate whose `src/models.rs` is `models`, with an empty `src/schema.rs` for
    /// `schema_rs` to fill, and the workspace's lock file so versions match.
    pub fn new(name: &str, models: &str) -> Project {
        let dir = tempfile::Builder::new()
            .prefix("migrate-e2e-")
            .tempdir()
            .expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("Cargo.toml"), project_manifest(name)).unwrap();
        std::fs::write(
            root.join("src/lib.rs"),
            "pub mod models;\npub mod schema;\n",
        )
        .unwrap();
        std::fs::write(root.join("src/schema.rs"), "").unwrap();
        std::fs::write(root.join("src/models.rs"), models).unwrap();
        std::fs::copy(workspace_root().join("Cargo.lock"), root.join("Cargo.lock")).unwrap();
        Project { dir }
    }

    /// The project directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A file of the project.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.path().join(relative)
    }

    /// Reads a file of the project.
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.file(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// Writes a file of the project.
    pub fn write(&self, relative: &str, text: &str) {
        std::fs::write(self.file(relative), text).unwrap();
    }

    /// Runs `migrate-cli ARGS` in the project.
    pub fn cli(&self, args: &[&str]) -> Output {
        run_cli(self.path(), args)
    }

    /// Runs `migrate-cli ARGS`, asserting success; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args);
        assert!(
            out.status.success(),
            "migrate-cli {args:?} failed:\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `cargo ARGS` in the project with the shared target directory.
    pub fn cargo(&self, args: &[&str]) -> Output {
        cargo()
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", e2e_target_dir())
            .output()
            .expect("cargo runs")
    }

    /// Runs `cargo ARGS` in the project with the shared target directory and `env` set.
    pub fn cargo_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = cargo();
        command
            .args(args)
            .current_dir(self.path())
            .env("CARGO_TARGET_DIR", e2e_target_dir());
        for (key, value) in env {
            command.env(key, value);
        }
        command.output().expect("cargo runs")
    }

    /// The migration module files, sorted.
    pub fn versions(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.file("migrations/versions"))
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The schema of `migrations/snapshot.json`.
    pub fn snapshot_schema(&self) -> Schema {
        let path = self.file("migrations/snapshot.json");
        migrate_core::snapshot::Snapshot::read(&path)
            .unwrap()
            .schema()
    }
}

/// Runs the CLI in `dir`, with no `DATABASE_URL` from the environment and the shared target.
pub fn run_cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(cli_binary())
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("CARGO_TARGET_DIR", e2e_target_dir())
        .output()
        .expect("migrate-cli runs")
}

/// The live schema of a SQLite database file, with the integer keys SQLite cannot tell apart
/// aligned to `expected`.
///
/// SQLite has nowhere to keep table and column comments (the snapshot keeps them): the live
/// schema, which has none, takes those of `expected`.
pub fn sqlite_schema(path: &Path, expected: &Schema) -> Schema {
    let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
    let mut live = migrate_core::introspect::introspect_sqlite(&mut conn).unwrap();
    migrate_core::introspect::align_sqlite_keys(&mut live, expected);
    take_sqlite_comments(&mut live, expected);
    live
}

/// Gives a live SQLite schema, which has no comments (asserted: introspection invents none),
/// the table, column and index comments of `expected`, which the snapshot keeps.
pub fn take_sqlite_comments(live: &mut Schema, expected: &Schema) {
    for table in &mut live.tables {
        assert_eq!(table.options.comment, None, "{}", table.name);
        let Some(want) = expected.table(&table.name) else {
            continue;
        };
        table.options.comment = want.options.comment.clone();
        for column in &mut table.columns {
            assert_eq!(column.comment, None, "{}.{}", table.name, column.name);
            column.comment = want.column(&column.name).and_then(|c| c.comment.clone());
        }
        for index in &mut table.indexes {
            assert_eq!(index.comment, None, "{}.{}", table.name, index.name);
            index.comment = want
                .indexes
                .iter()
                .find(|i| i.name == index.name)
                .and_then(|i| i.comment.clone());
        }
    }
}

/// Text as a string, for assertions.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// diesel_cli 2.3, if installed.
pub fn diesel_cli() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join("diesel"))
                .collect()
        })
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        candidates.push(PathBuf::from(home).join("bin/diesel"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join(".cargo/bin/diesel"));
    }
    candidates.push(PathBuf::from("/work/tools/bin/diesel"));
    let found = candidates.into_iter().find(|p| p.is_file())?;
    let version = Command::new(&found).arg("--version").output().ok()?;
    let version = text(&version.stdout);
    if version.contains("Version: 2.3.") {
        Some(found)
    } else {
        eprintln!(
            "{} is not diesel_cli 2.3 ({}): not compared",
            found.display(),
            version.trim()
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from real builds of mysqlclient-sys 0.5.2 with pkg-config and mysql_config out
    // of reach, and of pq-sys 0.7.8 with PQ_LIB_DIR naming a folder that does not exist.
    const MYSQLCLIENT_SYS: &str =
        include_str!("../fixtures/client_library/mysqlclient-sys-no-library.stderr");
    const PQ_SYS: &str = include_str!("../fixtures/client_library/pq-sys-lib-dir-nowhere.stderr");

    #[test]
    fn a_failed_mysqlclient_sys_build_is_one_line_naming_the_packages() {
        let missing = missing_library_in_build(MYSQLCLIENT_SYS);
        assert_eq!(missing.len(), 1, "{missing:?}");
        let (kind, line) = &missing[0];
        assert_eq!(*kind, "mysql");
        assert!(!line.contains('\n'));
        assert!(
            line.contains("install libmariadb-dev or libmysqlclient-dev"),
            "{line}"
        );
        // The build script's own advice is long; the line is not.
        assert!(MYSQLCLIENT_SYS.lines().count() > 20 && line.len() < 250);
    }

    #[test]
    fn a_failed_pq_sys_build_is_one_line_naming_the_package() {
        assert_eq!(
            missing_library_in_build(PQ_SYS),
            vec![("postgres", client_library_line("postgres"))]
        );
        assert!(client_library_line("postgres").ends_with("install libpq-dev"));
    }

    #[test]
    fn other_build_failures_name_no_library() {
        let compile_error =
            "error[E0425]: cannot find value `x` in this scope\n --> src/lib.rs:1:13";
        assert!(missing_library_in_build(compile_error).is_empty());
        let linker = "  = note: /usr/bin/ld: cannot find -lpq: No such file or directory";
        assert_eq!(missing_library_in_build(linker)[0].0, "postgres");
        let other = "  = note: /usr/bin/ld: cannot find -lpqxx: No such file or directory";
        assert!(missing_library_in_build(other).is_empty());
    }
}
