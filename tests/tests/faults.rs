//! A migrator killed with SIGKILL in the middle of a migration leaves the same guarantees as a
//! failing statement: SQLite and PostgreSQL at the previous revision with no history row (and
//! no lock left behind), MySQL with a `dirty` row that blocks until resolved.

use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::Duration;

use migrate_tests::{cli_binary, e2e_target_dir, text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

const MODELS: &str =
    "use migrate_core::Model;\n\n#[derive(Model)]\npub struct Note {\n    pub id: i32,\n}\n";

fn slow_statement(kind: &str) -> &'static str {
    match kind {
        "postgres" => "SELECT pg_sleep(30)",
        "mysql" => "DO SLEEP(30)",
        _ => "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT count(*) FROM c",
    }
}

fn killed_mid_migration(kind: &'static str, variable: &str) {
    let db = match kind {
        "sqlite" => None,
        _ => match ServerDb::create(kind, variable, "killed_mid_migration") {
            Some(db) => Some(db),
            None => return,
        },
    };
    let url = db
        .as_ref()
        .map(|d| d.url.clone())
        .unwrap_or_else(|| "sqlite://app.db".to_string());
    let project = Project::new(&format!("killed_{kind}"), MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    project.ok(&["--database-url", &url, "upgrade"]);
    project.ok(&["migrate", "-m", "slow", "--empty"]);
    let module = project.versions()[1].clone();
    let source = std::fs::read_to_string(&module).unwrap();
    let body = format!(
        "pub fn up(m: &mut Migration) {{\n    m.create_table(\"half\", |t| {{\n        t.column(\"id\", SqlType::Integer);\n    }});\n    m.sql({:?});\n}}",
        slow_statement(kind)
    );
    std::fs::write(
        &module,
        source.replacen("pub fn up(_m: &mut Migration) {}", &body, 1),
    )
    .unwrap();
    // Compile the runner first, so the kill lands in the statement, not in cargo.
    project.ok(&["--database-url", &url, "upgrade", "+0"]);

    let child = Command::new(cli_binary())
        .args(["--database-url", &url, "upgrade"])
        .current_dir(project.path())
        .env("CARGO_TARGET_DIR", e2e_target_dir())
        .process_group(0)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    // The whole group: the CLI and the runner it started.
    let status = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{}", child.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait_with_output();

    let current = project.ok(&["--database-url", &url, "current"]);
    let first = project.versions()[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .split('_')
        .next()
        .unwrap()
        .to_string();
    let live = project.ok(&["--database-url", &url, "inspect"]);
    if kind == "mysql" {
        assert!(
            live.contains("table half"),
            "MySQL committed the DDL: {live}"
        );
        let out = project.cli(&["--database-url", &url, "upgrade"]);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("is marked dirty"),
            "{}",
            text(&out.stderr)
        );
    } else {
        assert_eq!(
            current.trim(),
            first,
            "{kind}: still at the previous revision"
        );
        assert!(
            !live.contains("table half"),
            "{kind}: nothing half-applied: {live}"
        );
        // No lock left behind: the next run proceeds (and fails only on its own slow step,
        // which is replaced here).
        let source = std::fs::read_to_string(&module).unwrap();
        std::fs::write(&module, source.replace(slow_statement(kind), "SELECT 1")).unwrap();
        let out = project.ok(&["--database-url", &url, "upgrade"]);
        assert!(out.contains("Applied"), "{out}");
    }
}

#[test]
fn sqlite_killed_mid_migration() {
    killed_mid_migration("sqlite", "");
}

#[test]
fn postgres_killed_mid_migration() {
    killed_mid_migration("postgres", POSTGRES_URL);
}

#[test]
fn mysql_killed_mid_migration() {
    killed_mid_migration("mysql", MYSQL_URL);
}

/// Five migrators at once on one SQLite file: every revision applied once, all exit 0.
#[test]
fn sqlite_concurrent_upgrades() {
    let project = Project::new("sqlite_concurrent", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    project.write(
        "src/models.rs",
        &MODELS.replace(
            "    pub id: i32,\n",
            "    pub id: i32,\n    pub body: Option<String>,\n",
        ),
    );
    project.ok(&["migrate", "-m", "body"]);
    project.ok(&["upgrade", "+0"]);
    let handles: Vec<_> = (0..5)
        .map(|_| {
            let dir = project.path().to_path_buf();
            std::thread::spawn(move || migrate_tests::run_cli(&dir, &["upgrade"]))
        })
        .collect();
    let mut applied = 0;
    for handle in handles {
        let out = handle.join().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        applied += text(&out.stdout).matches("Applied ").count();
    }
    assert_eq!(
        applied, 2,
        "each revision applied exactly once across the five"
    );
    let history: serde_json::Value =
        serde_json::from_str(&project.ok(&["history", "--json"])).unwrap();
    assert!(history
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["applied"] == true));
}

/// A hand-edited snapshot that the migrations no longer replay to is caught by `check`.
#[test]
fn hand_edited_snapshot_is_caught() {
    let project = Project::new("edited_snapshot", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    let snapshot = project.read("migrations/snapshot.json");
    project.write(
        "migrations/snapshot.json",
        &snapshot.replace("\"notes\"", "\"memos\""),
    );
    project.write(
        "src/models.rs",
        &MODELS.replace(
            "pub struct Note {",
            "#[model(table = \"memos\")]\npub struct Note {",
        ),
    );
    let out = project.cli(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("Replaying the migrations in migrations/versions does not give migrations/snapshot.json"), "{stdout}");
}

/// Rebuilding a parent table on SQLite drops the old table: with foreign keys on, that would
/// delete every `ON DELETE CASCADE` child. The runner switches them off outside the
/// transaction, so no child row is lost.
#[test]
fn sqlite_rebuild_of_a_cascade_parent_keeps_every_child() {
    const PARENTS: &str = "use migrate_core::Model;\n\n#[derive(Model)]\npub struct User {\n    pub id: i32,\n    #[model(max_length = 50)]\n    pub name: String,\n}\n\n#[derive(Model)]\npub struct Post {\n    pub id: i32,\n    #[model(references = \"users\", on_delete = \"cascade\")]\n    pub user_id: i32,\n}\n";
    let project = Project::new("cascade_parent", PARENTS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "initial"]);
    project.ok(&["upgrade"]);
    let db = project.file("app.db");
    let count = |table: &str| -> i64 {
        use diesel::Connection;
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = diesel::sqlite::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
        let rows: Vec<N> = diesel::RunQueryDsl::load(
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")),
            &mut conn,
        )
        .unwrap();
        rows[0].n
    };
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = diesel::sqlite::SqliteConnection::establish(db.to_str().unwrap()).unwrap();
        conn.batch_execute(
            "PRAGMA foreign_keys = ON; INSERT INTO users (name) VALUES ('a'), ('b'); \
             INSERT INTO posts (user_id) VALUES (1), (1), (2)",
        )
        .unwrap();
    }
    // Widening the parent's column is a rebuild of `users` on SQLite.
    project.write(
        "src/models.rs",
        &PARENTS.replace("max_length = 50", "max_length = 200"),
    );
    let out = project.ok(&["migrate", "-m", "widen"]);
    assert!(out.contains("~ column users.name"), "{out}");
    assert!(project
        .ok(&["sql", "head", "--dialect", "sqlite"])
        .contains("DROP TABLE \"users\""));
    project.ok(&["upgrade"]);
    assert_eq!(count("users"), 2);
    assert_eq!(count("posts"), 3, "no child row lost to the cascade");
    project.ok(&["downgrade"]);
    assert_eq!(count("posts"), 3, "nor on the way back");
}
