//! PostgreSQL and MariaDB/MySQL, for real: each test makes its own database on the server named
//! by `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` and drops it after. Without the
//! variable a test prints that it skipped; CI sets `MIGRATE_TEST_REQUIRE_SERVERS` so it cannot.

use migrate_core::diff::diff;
use migrate_core::schema::Schema;
use migrate_core::snapshot::Snapshot;
use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

const MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 100)]
    pub name: String,
    #[model(max_length = 200, unique)]
    pub email: String,
}

#[derive(Model)]
#[model(table = "order")]
pub struct Order {
    pub id: i64,
    #[model(column = "select")]
    pub select_: String,
    pub body: Option<String>,
    #[model(references = "authors", on_delete = "cascade", index)]
    pub author_id: i32,
    #[model(default = 0)]
    pub views: i32,
    #[model(default = 1.5)]
    pub weight: f64,
    #[model(default = "it's \"draft\"; -- not a comment")]
    pub status: String,
    #[model(default = true)]
    pub visible: bool,
    #[model(numeric(precision = 10, scale = 2))]
    pub amount: Option<bigdecimal::BigDecimal>,
    #[model(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::NaiveDateTime,
    pub payload: Option<Vec<u8>>,
}
"#;

fn with_summary(models: &str) -> String {
    models.replace(
        "    pub body: Option<String>,\n",
        "    pub body: Option<String>,\n    pub summary: Option<String>,\n",
    )
}

/// Alterations of existing columns and constraints, on top of `with_summary`.
fn with_alterations(models: &str) -> String {
    with_summary(models)
        .replace(
            "    #[model(max_length = 100)]\n    pub name: String,",
            "    #[model(max_length = 150, index)]\n    pub name: String,",
        )
        .replace(
            "    pub body: Option<String>,\n",
            "    #[model(default = \"\")]\n    pub body: String,\n",
        )
        .replace(
            "    #[model(default = 0)]\n    pub views: i32,",
            "    #[model(default = 0)]\n    pub views: i64,",
        )
        .replace("on_delete = \"cascade\"", "on_delete = \"set null\"")
        .replace("    pub author_id: i32,", "    pub author_id: Option<i32>,")
}

fn live(project: &Project, db: &ServerDb) -> Schema {
    let json = project.ok(&["--database-url", &db.url, "inspect", "--json"]);
    Snapshot::from_json(&json, std::path::Path::new("inspect"))
        .unwrap()
        .schema()
}

fn assert_live(project: &Project, db: &ServerDb, expected: &Schema) {
    let live = live(project, db);
    let plan = diff(&live, expected).unwrap();
    assert!(
        plan.is_empty(),
        "{}: live schema differs: {:?}",
        db.kind,
        plan.changes
    );
}

fn count(db: &ServerDb, table: &str) -> String {
    let quoted = if db.kind == "postgres" {
        format!("\"{table}\"")
    } else {
        format!("`{table}`")
    };
    db.sql(&format!("SELECT COUNT(*) FROM {quoted}"))
        .trim()
        .to_string()
}

fn round_trip(kind: &'static str, variable: &str) {
    let Some(db) = ServerDb::create(kind, variable, "round_trip") else {
        return;
    };
    let project = Project::new(&format!("server_{kind}"), MODELS);
    let url = db.url.as_str();
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "initial"]);
    let v1 = project.snapshot_schema();
    let out = project.ok(&["--database-url", url, "upgrade"]);
    assert!(out.contains("Database is now at"), "{out}");
    assert!(project
        .ok(&["--database-url", url, "verify"])
        .contains("matches"));
    assert_live(&project, &db, &v1);

    // Keywords and quotes as names, a default full of quotes: all survive.
    let q = |name: &str| {
        if kind == "postgres" {
            format!("\"{name}\"")
        } else {
            format!("`{name}`")
        }
    };
    db.sql("INSERT INTO authors (name, email) VALUES ('Ada', 'ada@example.com')");
    db.sql(&format!(
        "INSERT INTO {} ({}, author_id) VALUES ('first', 1)",
        q("order"),
        q("select")
    ));
    let status = db.sql(&format!("SELECT status FROM {}", q("order")));
    assert_eq!(status.trim(), "it's \"draft\"; -- not a comment");

    project.write("src/models.rs", &with_summary(MODELS));
    project.ok(&["migrate", "-m", "add summary"]);
    let v2 = project.snapshot_schema();
    project.ok(&["--database-url", url, "upgrade"]);
    assert_live(&project, &db, &v2);
    assert_eq!(count(&db, "order"), "1", "rows survive");

    // Widen a varchar, NOT NULL with a default over an existing NULL, integer to bigint, a new
    // index, foreign-key action and nullability changed.
    project.write("src/models.rs", &with_alterations(MODELS));
    let out = project.ok(&["migrate", "-m", "alterations"]);
    assert!(out.contains("~ column"), "{out}");
    let v3 = project.snapshot_schema();
    project.ok(&["--database-url", url, "upgrade"]);
    assert_live(&project, &db, &v3);
    assert_eq!(count(&db, "order"), "1", "rows survive");
    assert_eq!(
        db.sql(&format!("SELECT body FROM {}", q("order"))).trim(),
        "",
        "NULL filled with the default"
    );
    project.ok(&["--database-url", url, "downgrade"]);
    assert_live(&project, &db, &v2);
    assert_eq!(count(&db, "order"), "1", "rows survive");
    project.write("src/models.rs", &with_summary(MODELS));
    std::fs::remove_file(project.versions().last().unwrap()).unwrap();
    std::fs::write(
        project.file("migrations/snapshot.json"),
        migrate_core::snapshot::Snapshot::new(
            Some(
                project.versions()[1]
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .split('_')
                    .next()
                    .unwrap()
                    .to_string(),
            ),
            v2.clone(),
        )
        .to_json(),
    )
    .unwrap();

    project.ok(&["--database-url", url, "downgrade"]);
    assert_live(&project, &db, &v1);
    assert_eq!(count(&db, "order"), "1", "rows survive");
    let out = project.cli(&["--database-url", url, "verify"]);
    assert_eq!(out.status.code(), Some(1), "verify: not at head");
    assert!(text(&out.stdout).contains("not at the snapshot's head"));

    project.ok(&["--database-url", url, "downgrade"]);
    assert_live(&project, &db, &Schema::default());
    // With a backup first, through the server's own dump tool.
    let out = project.ok(&["--database-url", url, "upgrade", "--backup"]);
    let line = out
        .lines()
        .find(|l| l.starts_with("Backed up"))
        .unwrap_or_else(|| panic!("{out}"));
    let path = line.rsplit(" to ").next().unwrap();
    assert!(std::fs::metadata(path).unwrap().len() > 0, "{path}");
    std::fs::remove_file(path).unwrap();
    assert_live(&project, &db, &v2);
}

/// Five migrators at once: every revision applied exactly once, every process exits 0.
fn concurrent(kind: &'static str, variable: &str) {
    let Some(db) = ServerDb::create(kind, variable, "concurrent") else {
        return;
    };
    let project = Project::new(&format!("concurrent_{kind}"), MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "initial"]);
    project.write("src/models.rs", &with_summary(MODELS));
    project.ok(&["migrate", "-m", "add summary"]);
    // Compile the runner once so the five start together.
    project.ok(&["--database-url", &db.url, "upgrade", "base"]);
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let url = db.url.clone();
            let dir = project.path().to_path_buf();
            std::thread::spawn(move || {
                migrate_tests::run_cli(&dir, &["--database-url", &url, "upgrade"])
            })
        })
        .collect();
    for handle in handles {
        let out = handle.join().unwrap();
        assert!(out.status.success(), "{kind}: {}", text(&out.stderr));
    }
    let rows = db.sql("SELECT revision FROM __migrate_history");
    assert_eq!(
        rows.lines().count(),
        2,
        "{kind}: each revision recorded once: {rows}"
    );
    assert_live(&project, &db, &project.snapshot_schema());
}

#[test]
fn postgres_round_trip() {
    round_trip("postgres", POSTGRES_URL);
}

#[test]
fn mysql_round_trip() {
    round_trip("mysql", MYSQL_URL);
}

#[test]
fn postgres_concurrent_upgrades() {
    concurrent("postgres", POSTGRES_URL);
}

#[test]
fn mysql_concurrent_upgrades() {
    concurrent("mysql", MYSQL_URL);
}

/// A migration whose third statement fails: PostgreSQL rolls everything back; MySQL, whose DDL
/// commits, keeps the row `dirty` and refuses to go on.
fn failing_migration(kind: &'static str, variable: &str) {
    let Some(db) = ServerDb::create(kind, variable, "failing_migration") else {
        return;
    };
    let project = Project::new(&format!("failing_{kind}"), MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "broken", "--empty"]);
    let module = project.versions()[0].clone();
    let source = std::fs::read_to_string(&module).unwrap();
    let body = "pub fn up(m: &mut Migration) {\n    m.create_table(\"first\", |t| {\n        t.column(\"id\", SqlType::Integer);\n    });\n    m.sql(\"INSERT INTO first (id) VALUES (1)\");\n    m.sql(\"INSERT INTO nowhere (id) VALUES (1)\");\n}";
    std::fs::write(
        &module,
        source.replacen("pub fn up(_m: &mut Migration) {}", body, 1),
    )
    .unwrap();

    let out = project.cli(&["--database-url", &db.url, "upgrade"]);
    assert_eq!(out.status.code(), Some(1), "{kind}: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("failed at `INSERT INTO nowhere"),
        "{kind}: {err}"
    );
    let history = db.sql("SELECT state FROM __migrate_history");
    if kind == "postgres" {
        assert_eq!(history.trim(), "", "no history row");
        assert!(
            live(&project, &db).tables.is_empty(),
            "nothing half-applied"
        );
    } else {
        assert_eq!(history.trim(), "dirty");
        let again = project.cli(&["--database-url", &db.url, "upgrade"]);
        assert_eq!(again.status.code(), Some(1));
        assert!(
            text(&again.stderr).contains("is marked dirty"),
            "{}",
            text(&again.stderr)
        );
        // Fixed by hand (the half-made table dropped), then stamped back to base: unblocked.
        db.sql("DROP TABLE first");
        let out = project.ok(&["--database-url", &db.url, "stamp", "base"]);
        assert!(out.contains("at base"), "{out}");
        assert_eq!(db.sql("SELECT COUNT(*) FROM __migrate_history").trim(), "0");
        let out = project.cli(&["--database-url", &db.url, "upgrade"]);
        assert!(
            text(&out.stderr).contains("failed at `INSERT INTO nowhere"),
            "runs again"
        );
    }
}

#[test]
fn postgres_failing_migration() {
    failing_migration("postgres", POSTGRES_URL);
}

#[test]
fn mysql_failing_migration() {
    failing_migration("mysql", MYSQL_URL);
}

const HOSTILE: &str = r#"use migrate_core::Model;

#[derive(Model)]
#[model(table = "user data")]
pub struct Hostile {
    pub id: i32,
    #[model(column = "we\"ird", max_length = 50, index)]
    pub weird: String,
    #[model(column = "it's", default = "'); DROP TABLE authors; --")]
    pub quoted: String,
    #[model(column = "naïve")]
    pub naive: Option<String>,
    #[model(column = "back`tick", default = "a\\b")]
    pub backtick: String,
}
"#;

/// Identifiers with quotes, spaces, backticks and non-ASCII, and defaults that try to inject:
/// created, verified and dropped with nothing escaping its quotes.
fn hostile_identifiers(kind: &'static str, variable: &str) {
    let db = match kind {
        "sqlite" => None,
        _ => match ServerDb::create(kind, variable, "hostile_identifiers") {
            Some(db) => Some(db),
            None => return,
        },
    };
    let project = Project::new(&format!("hostile_{kind}"), HOSTILE);
    let mut args: Vec<String> = Vec::new();
    if let Some(db) = &db {
        args.extend(["--database-url".to_string(), db.url.clone()]);
    }
    let run = |extra: &[&str]| {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(extra);
        project.ok(&all)
    };
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "hostile"]);
    run(&["upgrade"]);
    assert!(run(&["verify"]).contains("matches"), "{kind}");
    let live: Schema = Snapshot::from_json(
        &run(&["inspect", "--json"]),
        std::path::Path::new("inspect"),
    )
    .unwrap()
    .schema();
    let table = live
        .table("user data")
        .unwrap_or_else(|| panic!("{kind}: {live:?}"));
    let quoted = table.column("it's").unwrap();
    assert_eq!(
        quoted.default,
        Some(migrate_core::schema::DefaultValue::Text(
            "'); DROP TABLE authors; --".into()
        )),
        "{kind}"
    );
    assert!(
        table.column("we\"ird").is_some()
            && table.column("naïve").is_some()
            && table.column("back`tick").is_some()
    );
    run(&["downgrade"]);
    let live: Schema = Snapshot::from_json(
        &run(&["inspect", "--json"]),
        std::path::Path::new("inspect"),
    )
    .unwrap()
    .schema();
    assert!(live.tables.is_empty(), "{kind}: {live:?}");
}

#[test]
fn sqlite_hostile_identifiers() {
    hostile_identifiers("sqlite", "");
}

#[test]
fn postgres_hostile_identifiers() {
    hostile_identifiers("postgres", POSTGRES_URL);
}

#[test]
fn mysql_hostile_identifiers() {
    hostile_identifiers("mysql", MYSQL_URL);
}

/// `upgrade --backup` without the server's dump tool: a clear error, and nothing migrated.
#[test]
fn backup_without_pg_dump_is_a_clear_error() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "backup_without_pg_dump") else {
        return;
    };
    let project = Project::new("no_pg_dump", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "initial"]);
    let out = std::process::Command::new(migrate_tests::cli_binary())
        .args(["--database-url", &db.url, "upgrade", "--backup"])
        .current_dir(project.path())
        .env("PATH", "/nonexistent")
        .env("CARGO_TARGET_DIR", migrate_tests::e2e_target_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("needs `pg_dump`, which could not run"),
        "{err}"
    );
    assert!(live(&project, &db).tables.is_empty(), "nothing migrated");
}
