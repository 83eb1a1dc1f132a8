//! Bad input: one clear error naming what is at fault, a non-zero exit, nothing half-written.

use migrate_tests::{run_cli, text, Project};

const MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct User {
    pub id: i32,
    pub name: String,
}
"#;

fn stderr_of(out: &std::process::Output) -> String {
    text(&out.stderr)
}

#[test]
fn no_config_suggests_init() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(dir.path(), &["migrate", "-m", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("no migrate.toml in"), "{err}");
    assert!(err.contains("run `migrate-cli init`"), "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
}

#[test]
fn init_twice_refuses_and_changes_nothing() {
    let project = Project::new("init_twice", MODELS);
    project.ok(&["init"]);
    let config = project.read("migrate.toml");
    project.write(
        "migrations/snapshot.json",
        "{\"format\": 1, \"head\": null, \"tables\": []}\n",
    );
    let out = project.cli(&["init"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("migrations/snapshot.json already exists"),
        "{err}"
    );
    assert_eq!(project.read("migrate.toml"), config);
    assert_eq!(
        project.read("migrations/snapshot.json"),
        "{\"format\": 1, \"head\": null, \"tables\": []}\n"
    );
}

#[test]
fn corrupt_snapshot_names_file_and_line_and_writes_nothing() {
    let project = Project::new("corrupt", MODELS);
    project.ok(&["init"]);
    let corrupt = "{\n  \"format\": 1,\n<<<<<<< HEAD\n  \"head\": \"1\",\n=======\n}\n";
    project.write("migrations/snapshot.json", corrupt);
    let out = project.cli(&["migrate", "-m", "users"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("migrations/snapshot.json:3:1: corrupt snapshot"),
        "{err}"
    );
    assert!(project.versions().is_empty(), "no module written");
    assert_eq!(project.read("migrations/snapshot.json"), corrupt);
}

#[test]
fn unreachable_and_malformed_urls_are_one_sentence_without_password() {
    let project = Project::new("urls", MODELS);
    project.ok(&["init"]);
    let cases = [
        // A server that is not there (or, in a build without the feature, a URL it cannot
        // speak: then the feature is named).
        (
            "postgres://app:s3cret-pw@127.0.0.1:1/app",
            if std::env::var_os(migrate_tests::POSTGRES_URL).is_some() {
                "cannot connect to postgres://app:***@127.0.0.1:1/app"
            } else {
                "`postgres` feature"
            },
        ),
        // An unknown scheme.
        (
            "postgress://app:s3cret-pw@localhost/app",
            "unsupported database URL scheme",
        ),
        // A SQLite file in a directory that does not exist.
        (
            "sqlite:///nonexistent-dir-for-migrate/app.db",
            "cannot connect to sqlite:///nonexistent-dir-for-migrate/app.db",
        ),
    ];
    for (url, expected) in cases {
        for command in ["current", "upgrade"] {
            let out = project.cli(&["--database-url", url, command]);
            assert_eq!(out.status.code(), Some(1), "{command} {url}");
            let all = format!("{}{}", text(&out.stdout), stderr_of(&out));
            assert!(all.contains(expected), "{command} {url}: {all}");
            assert!(!all.contains("s3cret-pw"), "password printed: {all}");
            assert_eq!(all.trim().lines().count(), 1, "one sentence: {all}");
        }
    }
}

#[test]
fn models_crate_that_does_not_compile_shows_cargo_errors() {
    let project = Project::new("broken_models", MODELS);
    project.ok(&["init"]);
    project.write(
        "src/models.rs",
        &MODELS.replace("pub name: String,", "pub name: NoSuchType,"),
    );
    let out = project.cli(&["migrate", "-m", "x", "--compiled"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("error[E"), "cargo's error shown: {err}");
    assert!(
        err.contains("does not compile (cargo's errors above)"),
        "{err}"
    );
    assert!(err.contains("NoSuchType"), "{err}");
    assert!(err.contains("(cargo's errors above)"), "{err}");
    assert!(project.versions().is_empty());

    // The source reader says what it cannot resolve, and suggests the way out.
    let out = project.cli(&["migrate", "-m", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains(
            "src/models.rs:6:15: cannot resolve the column type of `User.name` (`NoSuchType`)"
        ),
        "{err}"
    );
    assert!(err.contains("sql_type"), "{err}");
    assert!(project.versions().is_empty());
}

#[test]
fn broken_migration_module_shows_cargo_errors_and_applies_nothing() {
    let project = Project::new("broken_migration", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "users"]);
    let module = project.versions()[0].clone();
    let source = std::fs::read_to_string(&module).unwrap();
    std::fs::write(
        &module,
        source.replace("m.create_table(", "m.create_tabel("),
    )
    .unwrap();
    let out = project.cli(&["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("error[E0599]"), "cargo's error shown: {err}");
    assert!(err.contains("create_tabel"), "{err}");
    assert!(
        err.contains("does not compile (cargo's errors above)"),
        "{err}"
    );
    assert!(!project.file("app.db").exists() || project.ok(&["current"]).contains("base"));
}

#[test]
fn edited_or_missing_applied_migration_is_named() {
    let project = Project::new("tampered", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "users"]);
    project.ok(&["upgrade"]);
    let module = project.versions()[0].clone();
    let name = module.file_name().unwrap().to_string_lossy().into_owned();
    let source = std::fs::read_to_string(&module).unwrap();

    // One byte changed in a comment: still compiles, but it is not what was applied.
    std::fs::write(&module, source.replacen("// users", "// Users", 1)).unwrap();
    let out = project.cli(&["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains(&format!("{name} (revision ")), "{err}");
    assert!(err.contains("was edited after it was applied"), "{err}");

    std::fs::remove_file(&module).unwrap();
    project.write("migrations/versions/.keep", "");
    let out = project.cli(&["downgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(
        err.contains("is applied on the database but its migration file is missing"),
        "{err}"
    );
}

#[test]
fn existing_tables_without_history_are_not_created_over() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    let project = Project::new("existing_tables", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "users"]);
    // The production copy: the schema is there, with a row, but no history.
    let db = project.file("app.db");
    let mut conn = diesel::sqlite::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    conn.batch_execute("CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL); INSERT INTO users (name) VALUES ('kept')").unwrap();

    let out = project.cli(&["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("already holds table(s) `users`"), "{err}");
    assert!(err.contains("migrate-cli stamp"), "{err}");

    let revision = project.versions()[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .split('_')
        .next()
        .unwrap()
        .to_string();
    project.ok(&["stamp", &revision]);
    assert!(project.ok(&["upgrade"]).starts_with("Nothing to apply"));
    let mut conn = diesel::sqlite::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let rows: Vec<Name> =
        diesel::RunQueryDsl::load(diesel::sql_query("SELECT name FROM users"), &mut conn).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "kept");
}
