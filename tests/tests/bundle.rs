//! `bundle -o PATH`: one executable with the project's migrations inside, run in a directory
//! with no project, no cargo and an empty environment; the CLI in the project then sees the
//! very history the bundle wrote and carries on from it, and the bundle from the CLI's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

const NOTES: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
}
"#;

const NOTES_AND_TAGS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
    pub body: Option<String>,
}

#[derive(Model)]
#[model(index(label, unique))]
pub struct Tag {
    pub id: i32,
    pub label: String,
    #[model(references = "notes.id", on_delete = "cascade", index)]
    pub note_id: i32,
}
"#;

/// A project with three migrations (a table; a column and a table with a foreign key; a data
/// step), and their revisions in order.
fn project(name: &str) -> (Project, Vec<String>) {
    let project = Project::new(name, NOTES);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    project.write("src/models.rs", NOTES_AND_TAGS);
    project.ok(&["migrate", "-m", "tags"]);
    project.ok(&["migrate", "-m", "welcome note", "--empty"]);
    let module = project.versions()[2].clone();
    let source = std::fs::read_to_string(&module)
        .unwrap()
        .replacen(
            "pub fn up(_m: &mut Migration) {}",
            "pub fn up(m: &mut Migration) {\n    m.sql(\"INSERT INTO notes (title) VALUES ('welcome')\");\n}",
            1,
        )
        .replacen(
            "pub fn down(_m: &mut Migration) {}",
            "pub fn down(m: &mut Migration) {\n    m.sql(\"DELETE FROM notes WHERE title = 'welcome'\");\n}",
            1,
        );
    std::fs::write(&module, source).unwrap();
    let revisions = project
        .versions()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy()[..14].to_string())
        .collect();
    (project, revisions)
}

/// The bundle of `project`, copied alone into an empty directory.
struct Deployed {
    dir: tempfile::TempDir,
    binary: PathBuf,
}

impl Deployed {
    fn new(project: &Project) -> Deployed {
        Deployed::of(project, 3).0
    }

    /// The bundle of `project`'s `migrations` modules, and what `bundle` printed.
    fn of(project: &Project, migrations: usize) -> (Deployed, String) {
        let out = project.ok(&["bundle", "-o", "migrator"]);
        assert!(
            out.lines().any(|l| l.starts_with("Wrote migrator ("))
                && out.contains(&format!(
                    "{migrations} migrations of migrations/versions (head "
                )),
            "{out}"
        );
        let dir = tempfile::Builder::new()
            .prefix("migrate-deploy-")
            .tempdir()
            .unwrap();
        let binary = dir.path().join("migrator");
        std::fs::copy(project.file("migrator"), &binary).unwrap();
        (Deployed { dir, binary }, out)
    }

    /// Runs the bundle with `--database-url url` (when given) and nothing else in its
    /// environment (see [`bare`]).
    fn run(&self, url: Option<&str>, args: &[&str]) -> Output {
        let mut command = bare(&self.binary);
        if let Some(url) = url {
            command.args(["--database-url", url]);
        }
        command.args(args).output().expect("the bundle runs")
    }

    /// Runs the bundle, asserting success; its stdout.
    fn ok(&self, url: &str, args: &[&str]) -> String {
        let out = self.run(Some(url), args);
        assert!(
            out.status.success(),
            "bundle {args:?} failed:\nstdout:\n{}\nstderr:\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }
}

/// The executable at `binary`, run in its own directory with nothing in its environment: no
/// PATH (so no cargo), no HOME, no DATABASE_URL.
fn bare(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    command
        .current_dir(binary.parent().expect("a file in a directory"))
        .env_clear();
    command
}

/// `current --json` and `history --json` of the CLI in the project, against `url`.
fn cli_state(project: &Project, url: &str) -> (String, String) {
    (
        project.ok(&["--database-url", url, "current", "--json"]),
        project.ok(&["--database-url", url, "history", "--json"]),
    )
}

/// The same of the bundle.
fn bundle_state(bundle: &Deployed, url: &str) -> (String, String) {
    (
        bundle.ok(url, &["current", "--json"]),
        bundle.ok(url, &["history", "--json"]),
    )
}

/// The revisions `history --json` lists as applied.
fn applied(history: &str) -> Vec<String> {
    let entries: serde_json::Value = serde_json::from_str(history).unwrap();
    entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["applied"] == true)
        .map(|e| e["revision"].as_str().unwrap().to_string())
        .collect()
}

/// Bundle and CLI taking turns on one database at `url`: each sees what the other did, the
/// history rows the bundle writes pass the CLI's checksum audit, and `verify` agrees.
fn back_and_forth(project: &Project, revisions: &[String], bundle: &Deployed, url: &str) {
    let out = bundle.ok(url, &["upgrade", "+2"]);
    assert!(
        out.contains(&format!("Applied {} notes", revisions[0])),
        "{out}"
    );
    assert!(
        out.contains(&format!("Applied {} tags", revisions[1])),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("Database is now at {}\n", revisions[1])),
        "{out}"
    );
    assert_eq!(bundle.ok(url, &["current"]), format!("{}\n", revisions[1]));
    let out = bundle.ok(url, &["upgrade"]);
    assert!(
        out.contains(&format!("Applied {} welcome note", revisions[2])),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("Database is now at {} (head)\n", revisions[2])),
        "{out}"
    );
    let out = bundle.ok(url, &["upgrade"]);
    assert!(out.starts_with("Nothing to apply;"), "{out}");

    // The CLI in the project reads the same history, file names included.
    let state = bundle_state(bundle, url);
    assert_eq!(applied(&state.1), revisions);
    assert_eq!(cli_state(project, url), state);
    assert_eq!(
        state.0.trim(),
        format!(r#"{{"head":true,"revision":"{}"}}"#, revisions[2])
    );
    // Every row the bundle wrote has the checksum of its file.
    let check = project.ok(&["--database-url", url, "check"]);
    assert!(
        check.contains("Models, snapshot, migrations and database agree"),
        "{check}"
    );
    let verified = bundle.ok(url, &["verify"]);
    assert_eq!(
        verified,
        "The live schema matches migrations/snapshot.json\n"
    );
    assert_eq!(project.ok(&["--database-url", url, "verify"]), verified);

    // The CLI takes one back; the bundle sees it pending and applies it again.
    project.ok(&["--database-url", url, "downgrade", "-1"]);
    let state = bundle_state(bundle, url);
    assert_eq!(applied(&state.1), revisions[..2]);
    assert_eq!(cli_state(project, url), state);
    let out = bundle.ok(url, &["upgrade"]);
    assert!(
        out.contains(&format!("Applied {} welcome note", revisions[2])),
        "{out}"
    );
    assert_eq!(
        project.ok(&["--database-url", url, "current"]),
        format!("{} (head)\n", revisions[2])
    );

    // The bundle takes everything back; the CLI sees base and can start again.
    let out = bundle.ok(url, &["downgrade", "base"]);
    assert!(
        out.contains(&format!("Reverted {} notes", revisions[0])),
        "{out}"
    );
    assert!(
        out.ends_with("Database is now at base (no migration applied)\n"),
        "{out}"
    );
    assert_eq!(
        project.ok(&["--database-url", url, "current"]),
        "base (no migration applied)\n"
    );
    assert_eq!(applied(&bundle_state(bundle, url).1), Vec::<String>::new());
    project.ok(&["--database-url", url, "upgrade", "+1"]);
    let out = bundle.ok(url, &["upgrade"]);
    assert!(!out.contains(&revisions[0]), "{out}");
    assert_eq!(cli_state(project, url), bundle_state(bundle, url));
}

#[test]
fn a_bundle_migrates_sqlite_where_there_is_no_project() {
    let (project, revisions) = project("bundle_sqlite");
    let bundle = Deployed::new(&project);
    let entries: Vec<_> = std::fs::read_dir(bundle.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["migrator"], "nothing but the bundle");
    let db = bundle.dir.path().join("app.db");
    let url = format!("sqlite://{}", db.display());

    // `sql` needs no database, and prints what the CLI prints.
    for dialect in ["sqlite", "postgres", "mysql"] {
        let from_bundle = bundle.ok(&url, &["sql", "head", "--dialect", dialect]);
        assert_eq!(
            from_bundle,
            project.ok(&["sql", "head", "--dialect", dialect]),
            "{dialect}"
        );
        assert!(from_bundle.contains("CREATE TABLE"), "{from_bundle}");
    }
    let down = bundle.ok(&url, &["sql", "head:base"]);
    assert!(
        down.starts_with(&format!("-- downgrade {}", revisions[2])),
        "{down}"
    );
    assert!(!db.exists(), "sql touched no database");

    back_and_forth(&project, &revisions, &bundle, &url);

    // A relative SQLite URL and DATABASE_URL are read as the CLI reads them.
    let out = bare(&bundle.binary)
        .arg("current")
        .env("DATABASE_URL", "app.db")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("{} (head)\n", revisions[2]));

    // The data step ran with each upgrade and was undone with each downgrade.
    let mut conn = {
        use diesel::Connection;
        diesel::sqlite::SqliteConnection::establish(db.to_str().unwrap()).unwrap()
    };
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let welcome: Count = {
        use diesel::RunQueryDsl;
        diesel::sql_query("SELECT count(*) AS n FROM notes WHERE title = 'welcome'")
            .get_result(&mut conn)
            .unwrap()
    };
    assert_eq!(welcome.n, 1);
    {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")
            .unwrap();
    }
    // Drift: the bundle's verify fails as the CLI's does, with the same words.
    let out = bundle.run(Some(&url), &["verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("+ table extra"),
        "{}",
        text(&out.stdout)
    );
    let cli = project.cli(&["--database-url", &url, "verify"]);
    assert_eq!(cli.status.code(), Some(1));
    assert_eq!(text(&cli.stdout), text(&out.stdout));
}

#[test]
fn a_bundle_speaks_only_its_commands_and_refuses_clearly() {
    let (project, revisions) = project("bundle_refusals");
    // -o into a directory that does not exist: a usage error, nothing written.
    let out = project.cli(&["bundle", "-o", "missing/migrator"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("directory `missing` does not exist"),
        "{}",
        text(&out.stderr)
    );
    let out = project.cli(&["bundle", "-o", "src"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!project.file("missing").exists());

    let bundle = Deployed::new(&project);
    let url = format!("sqlite://{}", bundle.dir.path().join("app.db").display());
    for args in [
        &["migrate", "-m", "x"][..],
        &["stamp", "head"],
        &["bundle", "-o", "again"],
        &["downgrade"],
        &["--config", "migrate.toml", "current"],
        &["inspect"],
    ] {
        let out = bundle.run(Some(&url), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stderr).contains("Usage: migrator"),
            "{}",
            text(&out.stderr)
        );
    }
    let help = bundle.ok(&url, &["--help"]);
    assert!(
        help.contains(&format!(
            "Applies 3 migrations of migrations/versions (head {})",
            revisions[2]
        )),
        "{help}"
    );
    // No URL anywhere: the error says where to give one.
    let out = bundle.run(None, &["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no database URL: pass --database-url or set DATABASE_URL"),
        "{}",
        text(&out.stderr)
    );
    // A bad target is the CLI's error and exit code.
    let out = bundle.run(Some(&url), &["upgrade", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    let cli = project.cli(&["--database-url", &url, "upgrade", "nope"]);
    assert_eq!(text(&out.stderr), text(&cli.stderr));

    // A damaged bundle says so rather than misreading its migrations.
    let mut bytes = std::fs::read(&bundle.binary).unwrap();
    let at = bytes.len() - 200;
    bytes[at] ^= 0x20;
    let damaged = bundle.dir.path().join("damaged");
    std::fs::write(&damaged, bytes).unwrap();
    make_executable(&damaged);
    let out = bare(&damaged)
        .args(["--database-url", &url, "current"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("its migrations are damaged"),
        "{}",
        text(&out.stderr)
    );

    // Bundling again replaces the file whole and leaves no temporary file behind.
    project.ok(&["bundle", "-o", "migrator"]);
    let mut names: Vec<String> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("migrator"))
        .collect();
    names.sort();
    assert_eq!(names, ["migrator"]);
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// `SELECT count(*) ...` of the SQLite database at `db`.
fn count(db: &Path, sql: &str) -> i64 {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::sqlite::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    let row: Count = diesel::sql_query(sql).get_result(&mut conn).unwrap();
    row.n
}

/// A module with a Rust data step (`m.run`) cannot be applied without compiling it: the bundle
/// carries it compiled, extracts it to a temporary file when a command runs it, and shares
/// history, checksums and messages with the CLI in the project.
/// A fourth migration whose `up` is a Rust data step on a `connection` (a Diesel connection
/// type) inserting a note, and whose `down` deletes it; its revision.
fn add_rust_step(project: &Project, connection: &str) -> String {
    project.ok(&["migrate", "-m", "seed", "--empty"]);
    let module = project.versions()[3].clone();
    let up = format!(
        "pub fn up(m: &mut Migration) {{\n    m.run(\"seed\", |conn: &mut migrate_core::diesel::{connection}| {{\n        use migrate_core::diesel::connection::SimpleConnection;\n        conn.batch_execute(\"INSERT INTO notes (title) VALUES ('seed')\")\n    }});\n}}"
    );
    let source = std::fs::read_to_string(&module)
        .unwrap()
        .replacen("pub fn up(_m: &mut Migration) {}", &up, 1)
        .replacen(
            "pub fn down(_m: &mut Migration) {}",
            "pub fn down(m: &mut Migration) {\n    m.sql(\"DELETE FROM notes WHERE title = 'seed'\");\n}",
            1,
        );
    assert!(source.contains("m.run("), "{source}");
    std::fs::write(&module, source).unwrap();
    module.file_name().unwrap().to_string_lossy()[..14].to_string()
}

#[test]
fn a_module_that_must_be_compiled_goes_into_the_bundle_compiled() {
    let (project, mut revisions) = project("bundle_compiled");
    revisions.push(add_rust_step(&project, "SqliteConnection"));

    let (bundle, out) = Deployed::of(&project, 4);
    assert!(
        out.contains("Rust code in the migrations: it carries them compiled ("),
        "{out}"
    );
    let module = project.versions()[3]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        out.starts_with(&format!(
            "Compiling the migrations ({module} holds Rust code)"
        )),
        "said before the compile: {out}"
    );
    // Where the bundle extracts its runner; empty again after every command.
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        bare(&bundle.binary)
            .args(args)
            .env("TMPDIR", tmp.path())
            .output()
            .expect("the bundle runs")
    };
    let ok = |args: &[&str]| {
        let out = run(args);
        assert!(
            out.status.success(),
            "bundle {args:?} failed:\nstdout:\n{}\nstderr:\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            0,
            "the extracted runner is removed after {args:?}"
        );
        text(&out.stdout)
    };
    let db = bundle.dir.path().join("app.db");
    let url = format!("sqlite://{}", db.display());

    // `sql` needs no database, and prints what the CLI prints.
    let sql = ok(&["sql", "head", "--dialect", "sqlite"]);
    assert_eq!(sql, project.ok(&["sql", "head", "--dialect", "sqlite"]));
    assert!(
        sql.contains(&format!("-- upgrade {}: seed", revisions[3])),
        "{sql}"
    );
    assert!(!db.exists(), "sql touched no database");

    let out = ok(&["--database-url", &url, "upgrade"]);
    assert!(
        out.contains(&format!("Applied {} notes", revisions[0])),
        "{out}"
    );
    assert!(
        out.contains(&format!("Applied {} seed", revisions[3])),
        "{out}"
    );
    assert!(
        out.ends_with(&format!("Database is now at {} (head)\n", revisions[3])),
        "{out}"
    );
    let seeded = "SELECT count(*) AS n FROM notes WHERE title = 'seed'";
    assert_eq!(count(&db, seeded), 1, "the data step ran");
    let out = ok(&["--database-url", &url, "upgrade"]);
    assert!(out.starts_with("Nothing to apply;"), "{out}");
    assert_eq!(count(&db, seeded), 1, "the data step ran once");

    // The CLI in the project reads the same history, and every checksum matches its file.
    let state = bundle_state(&bundle, &url);
    assert_eq!(applied(&state.1), revisions);
    assert_eq!(cli_state(&project, &url), state);
    let check = project.ok(&["--database-url", &url, "check"]);
    assert!(
        check.contains("Models, snapshot, migrations and database agree"),
        "{check}"
    );

    // Back and forth: the bundle reverts, the CLI applies again, the bundle reverts it all.
    let out = ok(&["--database-url", &url, "downgrade", "-1"]);
    assert!(
        out.contains(&format!("Reverted {} seed", revisions[3])),
        "{out}"
    );
    assert_eq!(count(&db, seeded), 0);
    assert_eq!(
        project.ok(&["--database-url", &url, "current"]),
        format!("{}\n", revisions[2])
    );
    project.ok(&["--database-url", &url, "upgrade"]);
    assert_eq!(count(&db, seeded), 1);
    assert_eq!(
        ok(&["--database-url", &url, "current"]),
        format!("{} (head)\n", revisions[3])
    );
    let out = ok(&["--database-url", &url, "downgrade", "base"]);
    assert!(
        out.ends_with("Database is now at base (no migration applied)\n"),
        "{out}"
    );
    assert_eq!(cli_state(&project, &url), bundle_state(&bundle, &url));

    // Nowhere to extract the runner: the error names the directory and TMPDIR.
    let out = bare(&bundle.binary)
        .args(["--database-url", &url, "upgrade"])
        .env("TMPDIR", bundle.dir.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("missing") && stderr.contains("set TMPDIR to a directory"),
        "{stderr}"
    );

    // A damaged runner is found when it is extracted, and nothing runs; commands that do not
    // run it still work.
    let mut bytes = std::fs::read(&bundle.binary).unwrap();
    let cli_len = std::fs::metadata(migrate_tests::cli_binary())
        .unwrap()
        .len() as usize;
    bytes[cli_len + 4096] ^= 0x20;
    let damaged = bundle.dir.path().join("damaged");
    std::fs::write(&damaged, bytes).unwrap();
    make_executable(&damaged);
    let out = bare(&damaged)
        .args(["--database-url", &url, "upgrade"])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("the compiled migrations it carries are damaged"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    assert_eq!(
        project.ok(&["--database-url", &url, "current"]),
        "base (no migration applied)\n"
    );
    let out = bare(&damaged)
        .args(["--database-url", &url, "current"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// The same turns on a server: the bundle carries the backends the CLI was built with.
fn on_server(kind: &'static str, variable: &str) {
    let Some(db) = ServerDb::create(kind, variable, "bundle") else {
        return;
    };
    let (project, revisions) = project(&format!("bundle_{kind}"));
    let bundle = Deployed::new(&project);
    back_and_forth(&project, &revisions, &bundle, &db.url);
    let welcome = db.sql("SELECT count(*) FROM notes WHERE title = 'welcome'");
    assert_eq!(welcome.trim(), "1", "the data step ran once");
}

#[test]
fn a_bundle_migrates_postgres() {
    on_server("postgres", POSTGRES_URL);
}

#[test]
fn a_bundle_migrates_mysql() {
    on_server("mysql", MYSQL_URL);
}

/// A Rust data step on a server, from the runner the bundle carries: applied once, reverted,
/// and the CLI reads the same history.
fn compiled_on_server(kind: &'static str, variable: &str, connection: &str) {
    let Some(db) = ServerDb::create(kind, variable, "bundle_compiled") else {
        return;
    };
    let (project, mut revisions) = project(&format!("bundle_compiled_{kind}"));
    revisions.push(add_rust_step(&project, connection));
    let (bundle, out) = Deployed::of(&project, 4);
    assert!(out.contains("Rust code in the migrations"), "{out}");
    let seeded = "SELECT count(*) FROM notes WHERE title = 'seed'";
    let out = bundle.ok(&db.url, &["upgrade"]);
    assert!(
        out.contains(&format!("Applied {} seed", revisions[3])),
        "{out}"
    );
    assert_eq!(db.sql(seeded).trim(), "1", "the data step ran");
    let out = bundle.ok(&db.url, &["upgrade"]);
    assert!(out.starts_with("Nothing to apply;"), "{out}");
    let state = bundle_state(&bundle, &db.url);
    assert_eq!(applied(&state.1), revisions);
    assert_eq!(cli_state(&project, &db.url), state);
    let out = bundle.ok(&db.url, &["downgrade", "-1"]);
    assert!(
        out.contains(&format!("Reverted {} seed", revisions[3])),
        "{out}"
    );
    assert_eq!(db.sql(seeded).trim(), "0");
    assert_eq!(cli_state(&project, &db.url), bundle_state(&bundle, &db.url));
}

#[test]
fn a_bundle_runs_a_rust_step_on_postgres() {
    compiled_on_server("postgres", POSTGRES_URL, "PgConnection");
}

#[test]
fn a_bundle_runs_a_rust_step_on_mysql() {
    compiled_on_server("mysql", MYSQL_URL, "MysqlConnection");
}
