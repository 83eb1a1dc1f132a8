//! Migrations that do not stop the writers: the online forms of changes to existing tables, on
//! real servers with a writer inserting throughout `upgrade`; a concurrent index build killed
//! half-way, detected and recovered; a lock held elsewhere, turned into a clear error after
//! `lock_timeout` with nothing half-applied; and `lint` on hand-written SQL.
//!
//! The stall figures of BENCHMARKS.md come from these tests: `cargo test -p migrate-tests
//! --test safe_ddl -- --nocapture` prints them.

use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use migrate_core::dialect::Backend;
use migrate_core::migration::Migration;
use migrate_core::runner::{EmbeddedMigration, MigrationSet};
use migrate_core::schema::SqlType;
use migrate_tests::{cli_binary, e2e_target_dir, text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

// ---------------------------------------------------------------------------------------------
// The SQL of each safe form (no server needed).

fn up_tables(m: &mut Migration) {
    m.create_table("users", |t| {
        t.column("id", SqlType::Integer).auto_increment();
        t.primary_key(&["id"]);
    });
    m.create_table("posts", |t| {
        t.column("id", SqlType::BigInt).auto_increment();
        t.column("title", SqlType::Varchar(200));
        t.column("author_id", SqlType::Integer);
        t.column("score", SqlType::Integer).nullable();
        t.column("views", SqlType::Integer).nullable();
        t.primary_key(&["id"]);
        t.index("ix_posts_views", &["views"]);
    });
}

fn down_tables(m: &mut Migration) {
    m.drop_table("posts");
    m.drop_table("users");
}

fn up_changes(m: &mut Migration) {
    m.create_index("posts", "ix_posts_title", &["title"]);
    m.drop_index("posts", "ix_posts_views");
    m.add_foreign_key(
        "posts",
        "fk_posts_author_id_users",
        &["author_id"],
        "users",
        &["id"],
    );
    m.add_check("posts", "ck_posts_score", "score >= 0");
    m.alter_column("posts", "score", SqlType::Integer);
    m.alter_column("posts", "views", SqlType::Integer)
        .default(0);
    m.add_column("posts", "body", SqlType::Text).nullable();
    m.add_unique("posts", "uq_posts_title", &["title"]);
    // A table created in the same migration keeps the plain forms: it is empty and unseen.
    m.create_table("tags", |t| {
        t.column("id", SqlType::Integer);
        t.column("post_id", SqlType::BigInt);
    });
    m.create_index("tags", "ix_tags_post_id", &["post_id"]);
    m.add_foreign_key(
        "tags",
        "fk_tags_post_id_posts",
        &["post_id"],
        "posts",
        &["id"],
    );
    // Hand-written CONCURRENTLY runs after the transaction, whatever the migration chose.
    m.sql("CREATE INDEX CONCURRENTLY ix_posts_author_score ON posts (author_id, score)");
}

fn down_changes(m: &mut Migration) {
    m.sql("DROP INDEX CONCURRENTLY IF EXISTS ix_posts_author_score");
    m.drop_table("tags");
    m.drop_unique("posts", "uq_posts_title");
    m.drop_column("posts", "body");
    m.alter_column("posts", "views", SqlType::Integer)
        .nullable();
    m.alter_column("posts", "score", SqlType::Integer)
        .nullable();
    m.drop_check("posts", "ck_posts_score");
    m.drop_foreign_key("posts", "fk_posts_author_id_users");
    m.create_index("posts", "ix_posts_views", &["views"]);
    m.drop_index("posts", "ix_posts_title");
}

fn migrations(safe_ddl: bool) -> Vec<EmbeddedMigration> {
    vec![
        EmbeddedMigration {
            revision: "1",
            revises: &[],
            message: "tables",
            file: "1_tables.rs",
            source: "",
            up: up_tables,
            down: down_tables,
            safe_ddl,
            replaces: &[],
        },
        EmbeddedMigration {
            revision: "2",
            revises: &["1"],
            message: "changes",
            file: "2_changes.rs",
            source: "",
            up: up_changes,
            down: down_changes,
            safe_ddl,
            replaces: &[],
        },
    ]
}

fn sql(safe_ddl: bool, backend: Backend, up: bool) -> String {
    let set = MigrationSet::new(&migrations(safe_ddl)).unwrap();
    let dialect = backend.dialect();
    let direction = if up {
        migrate_core::runner::Direction::Up
    } else {
        migrate_core::runner::Direction::Down
    };
    set.statements("2", dialect.as_ref(), direction)
        .unwrap()
        .iter()
        .map(|s| format!("{s};\n"))
        .collect()
}

#[test]
fn safe_forms_are_snapshotted() {
    for backend in [Backend::Postgres, Backend::Mysql] {
        let name = backend.feature();
        insta::assert_snapshot!(format!("safe_forms_up@{name}"), sql(true, backend, true));
        insta::assert_snapshot!(format!("safe_forms_down@{name}"), sql(true, backend, false));
        insta::assert_snapshot!(format!("plain_forms_up@{name}"), sql(false, backend, true));
    }
    // The table created in the migration is rendered as before, whatever the choice.
    let safe = sql(true, Backend::Postgres, true);
    assert!(safe.contains("CREATE INDEX \"ix_tags_post_id\" ON \"tags\" (\"post_id\");"));
    assert!(!safe.contains("CREATE INDEX \"ix_posts_title\" ON"));
    let plain = sql(false, Backend::Postgres, true);
    assert!(plain.contains("CREATE INDEX \"ix_posts_title\" ON \"posts\" (\"title\");"));
    // The statements after the transaction come last, each marked.
    let after = safe
        .find("-- outside the transaction: after it commits")
        .unwrap();
    assert!(safe[after..].contains("CREATE INDEX CONCURRENTLY \"ix_posts_title\""));
    assert!(
        !safe[after..].contains("NOT VALID"),
        "NOT VALID stays in the transaction"
    );
}

// ---------------------------------------------------------------------------------------------
// Real servers.

const MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct User {
    pub id: i32,
    pub name: String,
}

#[derive(Model)]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub author_id: i32,
    pub score: Option<i32>,
}
"#;

/// Every change the issue names, on the existing posts table: an index, a foreign key, a
/// check and NOT NULL.
fn safe_models() -> String {
    MODELS
        .replace(
            "pub struct Post {",
            "#[model(check(name = \"ck_posts_score\", expr = \"score >= 0\"))]\npub struct Post {",
        )
        .replace(
            "    pub title: String,\n    pub author_id: i32,\n    pub score: Option<i32>,",
            "    #[model(index)]\n    pub title: String,\n    #[model(references = \"users\")]\n    pub author_id: i32,\n    pub score: i32,",
        )
}

/// The changes MariaDB makes online: an index, NOT NULL and a new column.
fn mysql_online_models() -> String {
    MODELS.replace(
        "    pub title: String,\n    pub author_id: i32,\n    pub score: Option<i32>,",
        "    #[model(index)]\n    pub title: String,\n    pub author_id: i32,\n    pub score: i32,\n    pub note: Option<String>,",
    )
}

/// A project with users and `rows` posts on `db`, at its first revision.
fn seeded(kind: &str, db: &ServerDb, rows: usize, toml_extra: &str) -> Project {
    let project = Project::new(&format!("safe_{kind}"), MODELS);
    project.ok(&["init"]);
    let config = project.read("migrate.toml");
    project.write(
        "migrate.toml",
        &format!(
            "{}database_url = {:?}\n{toml_extra}",
            config
                .lines()
                .filter(|l| !l.starts_with("database_url"))
                .map(|l| format!("{l}\n"))
                .collect::<String>(),
            db.url
        ),
    );
    project.ok(&["migrate", "-m", "tables"]);
    project.ok(&["upgrade"]);
    let started = Instant::now();
    match kind {
        "postgres" => {
            db.sql("INSERT INTO users (name) SELECT 'u' || g FROM generate_series(1, 1000) g");
            db.sql(&format!(
                "INSERT INTO posts (title, author_id, score) SELECT md5(g::text), 1 + g % 1000, g % 100 FROM generate_series(1, {rows}) g"
            ));
            db.sql("VACUUM ANALYZE posts");
        }
        _ => {
            db.sql("INSERT INTO users (name) SELECT CONCAT('u', seq) FROM seq_1_to_1000");
            db.sql(&format!(
                "INSERT INTO posts (title, author_id, score) SELECT md5(seq), 1 + seq % 1000, seq % 100 FROM seq_1_to_{rows}"
            ));
        }
    }
    eprintln!("{kind}: {rows} rows seeded in {:?}", started.elapsed());
    project
}

/// A client session that inserts into posts, one statement at a time, timing each, until
/// stopped: every insert must succeed, and the longest is the longest stall a writer saw.
struct Writer {
    child: Child,
    feeder: std::thread::JoinHandle<usize>,
    // Read as it comes: a full pipe would stop the client, and so the writes.
    reader: std::thread::JoinHandle<String>,
    stop: Arc<AtomicBool>,
    kind: &'static str,
}

impl Writer {
    fn start(kind: &'static str, url: &str) -> Writer {
        let mut command = client(kind, url);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the client starts");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut out = String::new();
            std::io::Read::read_to_string(&mut stdout, &mut out).unwrap();
            out
        });
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let feeder = std::thread::spawn(move || {
            if kind == "postgres" {
                writeln!(stdin, "\\timing on").unwrap();
            }
            let mut sent = 0;
            while !flag.load(Ordering::SeqCst) {
                // Valid before and after the migration: a known author, a score, a title.
                if writeln!(
                    stdin,
                    "INSERT INTO posts (title, author_id, score) VALUES ('writer', 7, 1);"
                )
                .is_err()
                {
                    break;
                }
                sent += 1;
                std::thread::sleep(Duration::from_millis(2));
            }
            sent
        });
        Writer {
            child,
            feeder,
            reader,
            stop,
            kind,
        }
    }

    /// Stops it: the number of inserts, and how long each took in milliseconds.
    fn finish(self) -> (usize, Vec<f64>) {
        self.stop.store(true, Ordering::SeqCst);
        let sent = self.feeder.join().unwrap();
        let out = self.child.wait_with_output().unwrap();
        let stdout = self.reader.join().unwrap();
        assert!(
            out.status.success(),
            "a write failed: {}",
            text(&out.stderr)
        );
        let timings: Vec<f64> = match self.kind {
            "postgres" => stdout
                .lines()
                .filter_map(|l| l.strip_prefix("Time: "))
                .filter_map(|t| t.split_whitespace().next()?.parse().ok())
                .collect(),
            _ => stdout
                .lines()
                .filter(|l| l.starts_with("Query OK"))
                .filter_map(|l| {
                    let secs = l.rsplit_once('(')?.1.split_whitespace().next()?;
                    secs.parse::<f64>().ok().map(|s| s * 1000.0)
                })
                .collect(),
        };
        (sent, timings)
    }
}

fn client(kind: &str, url: &str) -> Command {
    if kind == "postgres" {
        let mut c = Command::new("psql");
        c.args([url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"]);
        return c;
    }
    let rest = url.trim_start_matches("mysql://");
    let (auth, hostdb) = rest.split_once('@').unwrap_or(("root", rest));
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let (hostport, db) = hostdb.split_once('/').unwrap_or((hostdb, ""));
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    let mut c = Command::new("mysql");
    c.args(["-u", user, "-h", host, "-P", port, "-B", "-N", "-vvv", db]);
    if !password.is_empty() {
        c.arg(format!("-p{password}"));
    }
    c
}

/// The milliseconds of the `Applied <rev> ... (N ms)` line of `upgrade`.
fn applied_ms(out: &str) -> u64 {
    out.lines()
        .find_map(|l| {
            let rest = l.strip_prefix("Applied ")?;
            rest.rsplit_once('(')?.1.strip_suffix(" ms)")?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no Applied line in:\n{out}"))
}

fn spawn_cli(project: &Project, args: &[&str]) -> Child {
    Command::new(cli_binary())
        .args(args)
        .current_dir(project.path())
        .env_remove("DATABASE_URL")
        .env("CARGO_TARGET_DIR", e2e_target_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Upgrades while a writer inserts; the DDL's own time and the longest stall, in ms.
fn upgrade_under_writes(kind: &'static str, db: &ServerDb, project: &Project) -> (u64, f64) {
    // Build the runner first, so that the timings are the migration's alone.
    project.ok(&["upgrade", "+0"]);
    let writer = Writer::start(kind, &db.url);
    std::thread::sleep(Duration::from_millis(300));
    let migrator = spawn_cli(project, &["upgrade"]);
    // A second migrator at once waits for the first without deadlocking its concurrent builds.
    std::thread::sleep(Duration::from_millis(200));
    let second = spawn_cli(project, &["upgrade"]);
    let out = migrator.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (sent, timings) = writer.finish();
    assert!(
        out.status.success(),
        "upgrade failed: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        second.status.success(),
        "the second migrator failed: {}",
        text(&second.stderr)
    );
    let (first, second) = (text(&out.stdout), text(&second.stdout));
    assert_eq!(
        usize::from(first.contains("Applied ")) + usize::from(second.contains("Applied ")),
        1,
        "applied once: {first}\n{second}"
    );
    let ddl = applied_ms(if first.contains("Applied ") {
        &first
    } else {
        &second
    });
    assert!(sent > 50, "the writer wrote {sent} rows");
    assert_eq!(timings.len(), sent, "every insert answered");
    let written: usize = db
        .sql("SELECT COUNT(*) FROM posts WHERE title = 'writer'")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(written, sent, "every write succeeded");
    db.sql("DELETE FROM posts WHERE title = 'writer'");
    let stall = timings.iter().cloned().fold(0.0, f64::max);
    (ddl, stall)
}

fn set_safe_ddl(project: &Project, safe: bool) {
    let file = project.versions().last().unwrap().clone();
    let source = std::fs::read_to_string(&file).unwrap();
    let line = "pub const SAFE_DDL: bool = false;\n";
    let source = source.replace(line, "");
    let source = if safe {
        source
    } else {
        source.replacen("pub const MESSAGE", &format!("{line}pub const MESSAGE"), 1)
    };
    std::fs::write(&file, source).unwrap();
}

#[test]
fn postgres_writers_do_not_stall_on_a_million_rows() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "writers_do_not_stall") else {
        return;
    };
    let project = seeded("postgres", &db, 1_000_000, "");
    project.write("src/models.rs", &safe_models());
    let out = project.ok(&["migrate", "-m", "index fk check not null"]);
    // The summary shows the locks, as lint does.
    assert!(out.contains("On PostgreSQL:"), "{out}");
    assert!(
        out.contains(
            "L001 info    postgres create index ix_posts_title on posts: SHARE UPDATE EXCLUSIVE"
        ),
        "{out}"
    );

    let (safe_ddl, safe_stall) = upgrade_under_writes("postgres", &db, &project);
    assert_eq!(
        db.sql("SELECT COUNT(*) FROM pg_constraint WHERE conname IN ('fk_posts_author_id_users', 'ck_posts_score') AND convalidated")
            .trim(),
        "2",
        "both constraints validated"
    );
    assert_eq!(
        db.sql("SELECT attnotnull FROM pg_attribute WHERE attrelid = 'posts'::regclass AND attname = 'score'").trim(),
        "t"
    );
    assert_eq!(
        db.sql("SELECT COUNT(*) FROM pg_constraint WHERE conname LIKE '__migrate_not_null%'")
            .trim(),
        "0",
        "the temporary check is gone"
    );
    assert!(project.ok(&["verify"]).contains("matches"));

    // The same migration in its plain form, for comparison: the writer waits for all of it.
    project.ok(&["downgrade"]);
    set_safe_ddl(&project, false);
    let (plain_ddl, plain_stall) = upgrade_under_writes("postgres", &db, &project);
    eprintln!(
        "postgres, 1,000,000 rows, index + foreign key + check + NOT NULL: safe forms {safe_ddl} ms of DDL, longest writer stall {safe_stall:.1} ms; plain forms {plain_ddl} ms of DDL, longest writer stall {plain_stall:.1} ms"
    );
    assert!(
        safe_stall * 5.0 < safe_ddl as f64,
        "safe forms: the longest stall ({safe_stall} ms) is not far below the DDL's time ({safe_ddl} ms)"
    );
    // The measurement can see a stall: the plain form blocks the writer for most of its time.
    assert!(
        plain_stall * 2.0 > plain_ddl as f64,
        "plain forms: stall {plain_stall} ms vs DDL {plain_ddl} ms"
    );
}

/// The pid of the backend running a statement that starts with `prefix`, once one does.
fn backend_running(db: &ServerDb, prefix: &str, within: Duration) -> Option<String> {
    let started = Instant::now();
    while started.elapsed() < within {
        let pid = db.sql(&format!(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '{prefix}%' AND pid <> pg_backend_pid()"
        ));
        if let Some(pid) = pid.lines().next().filter(|p| !p.trim().is_empty()) {
            return Some(pid.trim().to_string());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn postgres_killed_concurrent_build_is_detected_and_recovered() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "killed_concurrent_build") else {
        return;
    };
    let project = seeded("postgres", &db, 1_000_000, "");
    project.write(
        "src/models.rs",
        &MODELS.replace(
            "    pub title: String,",
            "    #[model(index)]\n    pub title: String,",
        ),
    );
    project.ok(&["migrate", "-m", "title index"]);
    project.ok(&["upgrade", "+0"]);
    let migrator = spawn_cli(&project, &["upgrade"]);
    let pid = backend_running(&db, "CREATE INDEX CONCURRENTLY", Duration::from_secs(60))
        .expect("the concurrent build started");
    // Half-way through the build, its session is terminated.
    std::thread::sleep(Duration::from_millis(300));
    db.sql(&format!("SELECT pg_terminate_backend({pid})"));
    let out = migrator.wait_with_output().unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "the upgrade survived the kill");
    assert!(
        stderr.contains("CREATE INDEX CONCURRENTLY \"ix_posts_title\"")
            && stderr.contains("the index `ix_posts_title` may be left INVALID")
            && stderr.contains("`migrate-cli upgrade` drops it"),
        "{stderr}"
    );
    assert_eq!(
        db.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_posts_title'::regclass")
            .trim(),
        "f",
        "the killed build left an INVALID index"
    );
    assert_eq!(
        db.sql("SELECT state FROM __migrate_history ORDER BY revision DESC LIMIT 1")
            .trim(),
        "finishing"
    );

    // verify and check name it.
    let verify = project.cli(&["verify"]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        text(&verify.stdout).contains("index `ix_posts_title` on table `posts` is INVALID"),
        "{}",
        text(&verify.stdout)
    );
    let check = project.cli(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    let check = text(&check.stdout);
    assert!(
        check.contains("index `ix_posts_title` on table `posts` is INVALID"),
        "{check}"
    );
    assert!(check.contains("is marked finishing"), "{check}");

    // upgrade drops the INVALID index and builds it again.
    let out = project.ok(&["upgrade"]);
    assert!(out.contains("Finished "), "{out}");
    assert_eq!(
        db.sql("SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_posts_title'::regclass")
            .trim(),
        "t"
    );
    assert_eq!(
        db.sql("SELECT state FROM __migrate_history ORDER BY revision DESC LIMIT 1")
            .trim(),
        "applied"
    );
    assert!(project.ok(&["verify"]).contains("matches"));

    // An INVALID index no unfinished revision owns stops upgrade, named, with the fix.
    db.sql("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'ix_posts_title'::regclass");
    let out = project.cli(&["upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("index `ix_posts_title` on table `posts` is INVALID")
            && stderr.contains("DROP INDEX CONCURRENTLY \"ix_posts_title\";"),
        "{stderr}"
    );
}

/// A session of `kind` that takes a lock on posts and holds it until it is terminated.
fn hold_lock(kind: &str, db: &ServerDb) -> Child {
    let (sql, visible) = match kind {
        "postgres" => (
            "BEGIN; LOCK TABLE posts IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);",
            "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'posts' AND l.mode = 'AccessExclusiveLock' AND l.granted",
        ),
        _ => (
            "BEGIN; SELECT COUNT(*) FROM posts; DO SLEEP(120);",
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP(120)%'",
        ),
    };
    let mut command = client(kind, &db.url);
    command.env("PGAPPNAME", "lock_holder");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{sql}").unwrap();
    std::mem::forget(stdin);
    let started = Instant::now();
    while db.sql(visible).trim() == "0" {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the lock was never taken"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

fn release_lock(kind: &str, db: &ServerDb, mut holder: Child) {
    match kind {
        "postgres" => {
            db.sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lock_holder'");
        }
        _ => {
            let ids = db.sql(
                "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'DO SLEEP(120)%'",
            );
            for id in ids.split_whitespace() {
                db.sql(&format!("KILL {id}"));
            }
        }
    }
    let _ = holder.kill();
    let _ = holder.wait();
}

fn held_lock_fails_after_lock_timeout(kind: &'static str, variable: &str) {
    let Some(db) = ServerDb::create(kind, variable, "held_lock") else {
        return;
    };
    let project = seeded(kind, &db, 1_000, "lock_timeout = \"1s\"\n");
    let models = if kind == "postgres" {
        safe_models()
    } else {
        mysql_online_models()
    };
    project.write("src/models.rs", &models);
    project.ok(&["migrate", "-m", "changes"]);
    project.ok(&["upgrade", "+0"]);
    let holder = hold_lock(kind, &db);
    let started = Instant::now();
    let out = project.cli(&["upgrade"]);
    let waited = started.elapsed();
    let stderr = text(&out.stderr);
    release_lock(kind, &db, holder);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the lock on table `posts`")
            && stderr.contains("was not granted within lock_timeout (1s)")
            && stderr.contains("nothing of this revision was applied"),
        "{stderr}"
    );
    assert!(waited < Duration::from_secs(30), "it waited {waited:?}");
    // Nothing half-applied: one history row, no index, no new constraint.
    assert_eq!(db.sql("SELECT COUNT(*) FROM __migrate_history").trim(), "1");
    let index = match kind {
        "postgres" => "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'ix_posts_title'",
        _ => "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME = 'ix_posts_title'",
    };
    assert_eq!(db.sql(index).trim(), "0");
    if kind == "postgres" {
        assert_eq!(
            db.sql("SELECT COUNT(*) FROM pg_constraint WHERE conname = 'fk_posts_author_id_users'")
                .trim(),
            "0"
        );
    }
    // Once the lock is free, the same upgrade goes through.
    project.ok(&["upgrade"]);
    assert_eq!(db.sql(index).trim(), "1");
    assert!(project.ok(&["verify"]).contains("matches"));
}

#[test]
fn postgres_held_lock_fails_after_lock_timeout() {
    held_lock_fails_after_lock_timeout("postgres", POSTGRES_URL);
}

#[test]
fn mariadb_held_lock_fails_after_lock_timeout() {
    held_lock_fails_after_lock_timeout("mysql", MYSQL_URL);
}

#[test]
fn mariadb_writers_do_not_stall_with_online_forms() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "mariadb_writers") else {
        return;
    };
    let project = seeded("mysql", &db, 500_000, "");
    project.write("src/models.rs", &mysql_online_models());
    let out = project.ok(&["migrate", "-m", "index not null column"]);
    assert!(out.contains("On MySQL:"), "{out}");
    assert!(out.contains("ALGORITHM=INPLACE, LOCK=NONE"), "{out}");
    let statements = project.ok(&["sql", "head"]);
    assert!(statements.contains("ALGORITHM=INSTANT"), "{statements}");
    let (ddl, stall) = upgrade_under_writes("mysql", &db, &project);
    assert!(project.ok(&["verify"]).contains("matches"));
    // No online form for a foreign key: the summary says the table is copied.
    project.write(
        "src/models.rs",
        &mysql_online_models().replace(
            "    pub author_id: i32,",
            "    #[model(references = \"users\")]\n    pub author_id: i32,",
        ),
    );
    let out = project.ok(&["migrate", "-m", "foreign key"]);
    assert!(
        out.contains(
            "L003 warning mysql    add foreign key fk_posts_author_id_users on posts: COPY"
        ) && out.contains("no online form: the server copies posts"),
        "{out}"
    );
    let (copy_ddl, copy_stall) = upgrade_under_writes("mysql", &db, &project);
    eprintln!(
        "mariadb, 500,000 rows, index + NOT NULL + column (online forms): {ddl} ms of DDL, longest writer stall {stall:.1} ms; foreign key (copied): {copy_ddl} ms of DDL, longest writer stall {copy_stall:.1} ms"
    );
    assert!(
        stall * 5.0 < ddl as f64,
        "online forms: the longest stall ({stall} ms) is not far below the DDL's time ({ddl} ms)"
    );
}

#[test]
fn lint_fails_on_dangerous_hand_written_sql() {
    let project = Project::new("safe_lint", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "tables"]);
    project.ok(&["migrate", "-m", "by hand", "--empty"]);
    let module = project.versions()[1].clone();
    let source = std::fs::read_to_string(&module).unwrap();
    std::fs::write(
        &module,
        source.replacen(
            "pub fn up(_m: &mut Migration) {}",
            "pub fn up(m: &mut Migration) {\n    m.sql(\"CREATE INDEX ix_posts_score ON posts (score)\");\n    m.sql(\"ALTER TABLE posts ALTER COLUMN score SET NOT NULL\");\n}",
            1,
        ),
    )
    .unwrap();
    let out = project.cli(&["lint", "--dialect", "postgres"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("L101 error   postgres sql `CREATE INDEX ix_posts_score ON posts (score)`")
            && stdout.contains("fix: write CREATE INDEX CONCURRENTLY")
            && stdout.contains("L104 error")
            && stdout.contains("2 error(s)"),
        "{stdout}"
    );
    let json: serde_json::Value = serde_json::from_slice(
        &project
            .cli(&["lint", "--json", "--dialect", "postgres"])
            .stdout,
    )
    .unwrap();
    let codes: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["L101", "L104"]);
    // The first revision alone is clean; check fails on the second.
    let first = project.versions()[0].clone();
    let rev = first.file_name().unwrap().to_string_lossy()[..14].to_string();
    assert_eq!(project.cli(&["lint", &rev]).status.code(), Some(0));
    let check = project.cli(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    assert!(
        text(&check.stdout).contains("L101 error"),
        "{}",
        text(&check.stdout)
    );
    // The module's opt-out turns the errors into warnings.
    let source = std::fs::read_to_string(&module).unwrap();
    std::fs::write(
        &module,
        source.replacen(
            "pub const MESSAGE",
            "pub const SAFE_DDL: bool = false;\npub const MESSAGE",
            1,
        ),
    )
    .unwrap();
    let out = project.cli(&["lint", "--dialect", "postgres"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("L101 warning"));
}
