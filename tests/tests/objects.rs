//! The objects that are not tables, declared in `sql/` and carried by migrations on every
//! backend that has them: each kind created, changed and dropped, with rows and with the
//! triggers firing as written; round trips (upgrade, verify clean, downgrade, upgrade); a view
//! over a column whose type changes; a function used by a column default and by a trigger; an
//! object edited by hand named by `verify` and `check`. The servers' tests run against the
//! servers named by `MIGRATE_TEST_POSTGRES_URL` and `MIGRATE_TEST_MYSQL_URL`.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use migrate_core::objects::DbObject;
use migrate_core::snapshot::Snapshot;
use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

/// The objects of `url` as `inspect --json` prints them.
fn live_objects(project: &Project, url: &str) -> Vec<DbObject> {
    let json = project.ok(&["--database-url", url, "inspect", "--json"]);
    Snapshot::from_json(&json, Path::new("inspect"))
        .unwrap()
        .schema()
        .objects
}

/// `inspect --json` of `url`: tables and objects, as the server prints them.
fn inspect(project: &Project, url: &str) -> String {
    project.ok(&["--database-url", url, "inspect", "--json"])
}

fn write_sql(project: &Project, path: &str, text: &str) {
    let file = project.file(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, text).unwrap();
}

fn remove_sql(project: &Project, path: &str) {
    std::fs::remove_file(project.file(path)).unwrap();
}

/// `migrate-cli ARGS` with the URL, asserting it exits 1; its stdout.
fn fails(project: &Project, url: &str, args: &[&str]) -> String {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    let out = project.cli(&all);
    assert_eq!(
        out.status.code(),
        Some(1),
        "migrate-cli {args:?} should fail:\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

fn ok(project: &Project, url: &str, args: &[&str]) -> String {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    project.ok(&all)
}

/// Upgrade, verify clean; then down one and up again, and the database is as it was.
fn upgrade_round_trip(project: &Project, url: &str) {
    let out = ok(project, url, &["upgrade"]);
    assert!(out.contains("Applied"), "{out}");
    assert!(ok(project, url, &["verify"]).contains("matches"));
    let at_head = inspect(project, url);
    ok(project, url, &["downgrade"]);
    ok(project, url, &["upgrade"]);
    assert_eq!(inspect(project, url), at_head, "down and up again");
    assert!(ok(project, url, &["verify"]).contains("matches"));
}

const SQLITE_MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 100)]
    pub name: String,
    pub email: String,
}

#[derive(Model)]
pub struct Post {
    pub id: i32,
    #[model(references = "authors", index)]
    pub author_id: i32,
    #[model(max_length = 100)]
    pub title: String,
}

#[derive(Model)]
pub struct AuditLog {
    pub id: i32,
    pub message: String,
}
"#;

struct Lite {
    conn: SqliteConnection,
}

impl Lite {
    fn open(path: &Path) -> Lite {
        Lite {
            conn: SqliteConnection::establish(&path.display().to_string()).unwrap(),
        }
    }

    fn run(&mut self, sql: &str) {
        self.conn.batch_execute(sql).unwrap();
    }

    /// The rows of `sql`'s single text column.
    fn texts(&mut self, sql: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        diesel::sql_query(sql)
            .load::<Row>(&mut self.conn)
            .unwrap()
            .into_iter()
            .map(|r| r.v)
            .collect()
    }
}

#[test]
fn sqlite_views_and_triggers_through_their_life() {
    let project = Project::new("objects_sqlite", SQLITE_MODELS);
    let db = project.file("app.db");
    let url = format!("sqlite://{}", db.display());
    project.ok(&["init"]);
    write_sql(
        &project,
        "sql/views/author_names.sql",
        "CREATE VIEW author_names AS SELECT id, name FROM authors;\n",
    );
    write_sql(
        &project,
        "sql/views/post_titles.sql",
        "-- Posts with their author's name.\nCREATE VIEW post_titles AS\n  SELECT p.id, p.title, a.name AS author\n  FROM posts p JOIN authors a ON a.id = p.author_id;\n",
    );
    write_sql(
        &project,
        "sql/triggers/posts_audit.sql",
        "CREATE TRIGGER posts_audit AFTER INSERT ON posts\nBEGIN\n  INSERT INTO audit_logs (message) VALUES ('new post ' || NEW.title);\nEND;\n",
    );
    write_sql(
        &project,
        "sql/triggers/author_names_insert.sql",
        "CREATE TRIGGER author_names_insert INSTEAD OF INSERT ON author_names\nBEGIN\n  INSERT INTO authors (name, email) VALUES (NEW.name, lower(NEW.name) || '@example.com');\nEND;\n",
    );
    let out = ok(&project, &url, &["migrate", "-m", "initial"]);
    assert!(out.contains("+ view author_names"), "{out}");
    assert!(out.contains("+ trigger posts_audit on posts"), "{out}");
    let module = std::fs::read_to_string(project.versions().last().unwrap()).unwrap();
    assert!(
        module.contains("m.create_object(\n        ObjectKind::Trigger,\n        \"posts_audit\","),
        "{module}"
    );
    assert_eq!(
        migrate_tests::rustfmt(&module)
            .as_deref()
            .unwrap_or(module.as_str()),
        module
    );
    upgrade_round_trip(&project, &url);

    // The triggers fire as written: one through a view, one on a table.
    let mut lite = Lite::open(&db);
    lite.run("INSERT INTO author_names (name) VALUES ('Ada')");
    assert_eq!(
        lite.texts("SELECT email AS v FROM authors"),
        ["ada@example.com"]
    );
    lite.run("INSERT INTO posts (author_id, title) VALUES (1, 'Engines')");
    assert_eq!(
        lite.texts("SELECT message AS v FROM audit_logs"),
        ["new post Engines"]
    );
    assert_eq!(lite.texts("SELECT author AS v FROM post_titles"), ["Ada"]);

    // Changes: the trigger's body, the view's columns, and a column of posts whose type
    // changes (SQLite rebuilds the table, and its trigger comes back with it).
    write_sql(
        &project,
        "sql/triggers/posts_audit.sql",
        "CREATE TRIGGER posts_audit AFTER INSERT ON posts\nBEGIN\n  INSERT INTO audit_logs (message) VALUES ('post: ' || NEW.title);\nEND;\n",
    );
    write_sql(
        &project,
        "sql/views/author_names.sql",
        "CREATE VIEW author_names AS SELECT id, name, email FROM authors;\n",
    );
    project.write(
        "src/models.rs",
        &SQLITE_MODELS.replace(
            "    #[model(max_length = 100)]\n    pub title: String,",
            "    #[model(max_length = 200)]\n    pub title: String,",
        ),
    );
    let out = ok(&project, &url, &["migrate", "-m", "changes"]);
    assert!(
        out.contains("~ trigger posts_audit on posts (definition changed"),
        "{out}"
    );
    assert!(out.contains("~ view author_names"), "{out}");
    assert!(
        out.contains("~ column posts.title varchar(100) -> varchar(200)"),
        "{out}"
    );
    upgrade_round_trip(&project, &url);
    let mut lite = Lite::open(&db);
    lite.run("INSERT INTO posts (author_id, title) VALUES (1, 'Looms')");
    assert_eq!(
        lite.texts("SELECT message AS v FROM audit_logs ORDER BY id"),
        ["new post Engines", "post: Looms"],
        "rows kept, the trigger fires with its new body after the rebuild"
    );
    lite.run("INSERT INTO author_names (name) VALUES ('Bob')");
    assert_eq!(
        lite.texts("SELECT email AS v FROM author_names ORDER BY id"),
        ["ada@example.com", "bob@example.com"]
    );

    // An object edited by hand, one missing and one extra: verify and check name each.
    lite.run(
        "DROP VIEW post_titles; CREATE VIEW post_titles AS SELECT id, title FROM posts; \
         DROP TRIGGER author_names_insert; CREATE VIEW extra AS SELECT 1 AS one;",
    );
    let out = fails(&project, &url, &["verify"]);
    assert!(
        out.contains("~ view post_titles: edited in the database"),
        "{out}"
    );
    assert!(out.contains("- trigger author_names_insert on author_names: in the snapshot, missing from the database"), "{out}");
    assert!(
        out.contains("+ view extra: in the database, not in the snapshot"),
        "{out}"
    );
    let out = fails(&project, &url, &["check"]);
    assert!(
        out.contains("~ view post_titles: edited in the database"),
        "{out}"
    );
    lite.run(
        "DROP VIEW post_titles; DROP VIEW extra; \
         CREATE VIEW post_titles AS\n  SELECT p.id, p.title, a.name AS author\n  FROM posts p JOIN authors a ON a.id = p.author_id; \
         CREATE TRIGGER author_names_insert INSTEAD OF INSERT ON author_names\nBEGIN\n  INSERT INTO authors (name, email) VALUES (NEW.name, lower(NEW.name) || '@example.com');\nEND;",
    );
    assert!(ok(&project, &url, &["verify"]).contains("matches"));

    // Drops: the trigger stops firing, the view is gone; down brings both back.
    remove_sql(&project, "sql/triggers/posts_audit.sql");
    remove_sql(&project, "sql/views/post_titles.sql");
    let out = ok(&project, &url, &["migrate", "-m", "drops"]);
    assert!(out.contains("- trigger posts_audit on posts"), "{out}");
    assert!(out.contains("- view post_titles"), "{out}");
    upgrade_round_trip(&project, &url);
    let mut lite = Lite::open(&db);
    lite.run("INSERT INTO posts (author_id, title) VALUES (1, 'Cards')");
    assert_eq!(
        lite.texts("SELECT count(*) || '' AS v FROM audit_logs"),
        ["2"]
    );
    let names: Vec<String> = live_objects(&project, &url)
        .iter()
        .map(|o| o.key().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "view author_names",
            "trigger author_names_insert on author_names"
        ]
    );
    ok(&project, &url, &["downgrade"]);
    let names: Vec<String> = live_objects(&project, &url)
        .iter()
        .map(|o| o.key().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "view author_names",
            "view post_titles",
            "trigger author_names_insert on author_names",
            "trigger posts_audit on posts"
        ]
    );
    ok(&project, &url, &["downgrade", "base"]);
    assert!(live_objects(&project, &url).is_empty());
    ok(&project, &url, &["upgrade"]);
    assert!(ok(&project, &url, &["verify"]).contains("matches"));
    assert!(ok(&project, &url, &["check"]).contains("agree"));
}

#[test]
fn a_file_that_declares_no_single_object_is_named_with_its_line() {
    let project = Project::new("objects_bad_files", SQLITE_MODELS);
    let url = format!("sqlite://{}", project.file("app.db").display());
    project.ok(&["init"]);
    write_sql(
        &project,
        "sql/views/two.sql",
        "CREATE VIEW a AS SELECT 1;\n\nCREATE VIEW b AS SELECT 2;\n",
    );
    let out = project.cli(&["--database-url", &url, "migrate", "-m", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "error: sql/views/two.sql:3: holds a second object (the first is created on line 1); declare one object per file"
    );
    write_sql(
        &project,
        "sql/views/two.sql",
        "CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql;\n",
    );
    let out = project.cli(&["--database-url", &url, "migrate", "-m", "x"]);
    assert_eq!(
        text(&out.stderr).trim(),
        "error: sql/views/two.sql:1: SQLite has no functions"
    );
    assert!(project.versions().is_empty(), "nothing written");
}

const PG_MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 100)]
    pub name: String,
    #[model(sql_type = "custom(email)")]
    pub email: String,
    #[model(default_sql = "next_code()")]
    pub code: String,
    pub updated_at: Option<chrono::NaiveDateTime>,
}

#[derive(Model)]
pub struct Post {
    pub id: i32,
    #[model(references = "authors", index)]
    pub author_id: i32,
    pub title: String,
    #[model(default = 0)]
    pub views: i32,
}
"#;

const PG_OBJECTS: &[(&str, &str)] = &[
    ("sql/extensions/citext.sql", "CREATE EXTENSION IF NOT EXISTS citext;\n"),
    (
        "sql/domains/email.sql",
        "-- depends on: extension citext\nCREATE DOMAIN email AS citext CHECK (VALUE LIKE '%@%');\n",
    ),
    ("sql/sequences/code_seq.sql", "CREATE SEQUENCE code_seq START 100;\n"),
    (
        "sql/functions/next_code.sql",
        "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$\n  SELECT 'A' || nextval('code_seq')\n$$;\n",
    ),
    (
        "sql/functions/touch.sql",
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := '2000-01-01 00:00:00';\n  RETURN NEW;\nEND\n$$;\n",
    ),
    (
        "sql/triggers/authors_touch.sql",
        "CREATE TRIGGER authors_touch BEFORE UPDATE ON authors FOR EACH ROW EXECUTE FUNCTION touch();\n",
    ),
    (
        "sql/views/post_views.sql",
        "CREATE VIEW post_views AS\n  SELECT p.id, p.title, p.views, a.name AS author\n  FROM posts p JOIN authors a ON a.id = p.author_id;\n",
    ),
    (
        "sql/materialized_views/view_totals.sql",
        "CREATE MATERIALIZED VIEW view_totals AS\n  SELECT author_id, sum(views) AS total FROM posts GROUP BY author_id;\nCREATE UNIQUE INDEX view_totals_author ON view_totals (author_id);\n",
    ),
    ("sql/types/address.sql", "CREATE TYPE address AS (street text, city text);\n"),
    (
        "sql/functions/format_address.sql",
        "CREATE FUNCTION format_address(a address) RETURNS text LANGUAGE sql AS $$ SELECT a.street || ', ' || a.city $$;\n",
    ),
    (
        "sql/procedures/bump_views.sql",
        "CREATE PROCEDURE bump_views(pid integer) LANGUAGE sql AS $$ UPDATE posts SET views = views + 1 WHERE id = pid $$;\n",
    ),
    (
        "sql/policies/posts_visible.sql",
        "ALTER TABLE posts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY posts_visible ON posts USING (views >= 0);\n",
    ),
];

#[test]
fn postgres_objects_through_their_life() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "postgres_objects") else {
        return;
    };
    let url = db.url.as_str();
    let project = Project::new("objects_postgres", PG_MODELS);
    project.ok(&["init"]);
    for (path, sql) in PG_OBJECTS {
        write_sql(&project, path, sql);
    }
    let out = ok(&project, url, &["migrate", "-m", "initial"]);
    for line in [
        "+ extension citext",
        "+ domain email",
        "+ function next_code()",
        "+ materialized view view_totals",
        "+ policy posts_visible on posts",
        "+ procedure bump_views(integer)",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    upgrade_round_trip(&project, url);

    // Rows: the default calls next_code(), the trigger fires, the procedure and views answer.
    db.sql("INSERT INTO authors (name, email) VALUES ('Ada', 'ada@example.com')");
    assert_eq!(db.sql("SELECT code FROM authors").trim(), "A100");
    db.sql("UPDATE authors SET name = 'Ada L.'");
    assert_eq!(
        db.sql("SELECT updated_at FROM authors").trim(),
        "2000-01-01 00:00:00"
    );
    db.sql("INSERT INTO posts (author_id, title) VALUES (1, 'Engines')");
    db.sql("CALL bump_views(1)");
    assert_eq!(
        db.sql("SELECT author || ' ' || views FROM post_views")
            .trim(),
        "Ada L. 1"
    );
    db.sql("REFRESH MATERIALIZED VIEW view_totals");
    assert_eq!(db.sql("SELECT total FROM view_totals").trim(), "1");
    assert_eq!(
        db.sql("SELECT format_address(ROW('1 Main St', 'Leeds')::address)")
            .trim(),
        "1 Main St, Leeds"
    );

    // Changes: bodies replaced in place, a sequence altered, a policy and a comment changed,
    // and posts.views becoming bigint under the view and materialized view that read it.
    write_sql(
        &project,
        "sql/functions/next_code.sql",
        "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$\n  SELECT 'B' || nextval('code_seq')\n$$;\n",
    );
    write_sql(
        &project,
        "sql/sequences/code_seq.sql",
        "CREATE SEQUENCE code_seq START 100 INCREMENT BY 10;\n",
    );
    write_sql(
        &project,
        "sql/policies/posts_visible.sql",
        "ALTER TABLE posts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY posts_visible ON posts USING (views > -1);\n",
    );
    write_sql(
        &project,
        "sql/views/post_views.sql",
        "CREATE VIEW post_views AS\n  SELECT p.id, p.title, p.views, a.name AS author\n  FROM posts p JOIN authors a ON a.id = p.author_id;\nCOMMENT ON VIEW post_views IS 'posts with their author';\n",
    );
    project.write(
        "src/models.rs",
        &PG_MODELS.replace("    pub views: i32,", "    pub views: i64,"),
    );
    let out = ok(&project, url, &["migrate", "-m", "changes"]);
    for line in [
        "~ function next_code() (definition changed)",
        "~ sequence code_seq (definition changed)",
        "~ policy posts_visible on posts",
        "~ column posts.views integer -> bigint",
        "~ view post_views (definition changed; dropped and created again)",
        "~ materialized view view_totals dropped and created again around the change of posts.views",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    let module = std::fs::read_to_string(project.versions().last().unwrap()).unwrap();
    assert!(
        module.contains("m.replace_object(\n        ObjectKind::Function,"),
        "{module}"
    );
    upgrade_round_trip(&project, url);
    assert_eq!(
        db.sql("SELECT count(*) FROM posts").trim(),
        "1",
        "rows survive"
    );
    db.sql("INSERT INTO authors (name, email) VALUES ('Bob', 'bob@example.com')");
    let codes = db.sql("SELECT code FROM authors ORDER BY id");
    let codes: Vec<&str> = codes.lines().collect();
    assert_eq!(codes[0], "A100");
    assert!(
        codes[1].starts_with('B'),
        "the replaced function: {codes:?}"
    );
    assert_eq!(
        db.sql("SELECT obj_description('post_views'::regclass, 'pg_class')")
            .trim(),
        "posts with their author"
    );
    assert_eq!(
        db.sql("SELECT increment_by FROM pg_sequences WHERE sequencename = 'code_seq'")
            .trim(),
        "10"
    );

    // A change PostgreSQL cannot make in place while a column default uses the function.
    write_sql(
        &project,
        "sql/functions/next_code.sql",
        "CREATE FUNCTION next_code() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;\n",
    );
    let out = fails(&project, url, &["migrate", "-m", "bad"]);
    assert!(
        out.contains("function next_code() changes its arguments or result, which needs it dropped and created again, and table authors uses it"),
        "{out}"
    );
    write_sql(
        &project,
        "sql/functions/next_code.sql",
        "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$\n  SELECT 'B' || nextval('code_seq')\n$$;\n",
    );

    // Edited by hand: verify and check name it; the server's own rewriting is no drift.
    db.sql("CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$");
    let out = fails(&project, url, &["verify"]);
    assert!(
        out.contains("~ function touch(): edited in the database"),
        "{out}"
    );
    assert!(!out.contains("view post_views"), "{out}");
    let out = fails(&project, url, &["check"]);
    assert!(
        out.contains("~ function touch(): edited in the database"),
        "{out}"
    );
    db.sql("DROP VIEW post_views");
    let out = fails(&project, url, &["verify"]);
    assert!(
        out.contains("- view post_views: in the snapshot, missing from the database"),
        "{out}"
    );
    db.sql("DROP TRIGGER authors_touch ON authors; DROP MATERIALIZED VIEW view_totals");
    remove_sql(&project, "sql/triggers/authors_touch.sql");
    remove_sql(&project, "sql/functions/touch.sql");
    remove_sql(&project, "sql/views/post_views.sql");
    remove_sql(&project, "sql/materialized_views/view_totals.sql");
    remove_sql(&project, "sql/procedures/bump_views.sql");

    // Drops: the snapshot follows the files; the database gets there by a migration.
    let out = ok(&project, url, &["migrate", "-m", "drops"]);
    for line in [
        "- trigger authors_touch on authors",
        "- function touch()",
        "- procedure bump_views(integer)",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    // Put back what was dropped by hand, so that the migration finds what it drops.
    db.sql(
        "CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := '2000-01-01 00:00:00';\n  RETURN NEW;\nEND\n$$; \
         CREATE TRIGGER authors_touch BEFORE UPDATE ON authors FOR EACH ROW EXECUTE FUNCTION touch(); \
         CREATE VIEW post_views AS SELECT p.id, p.title, p.views, a.name AS author FROM posts p JOIN authors a ON a.id = p.author_id; \
         CREATE MATERIALIZED VIEW view_totals AS SELECT author_id, sum(views) AS total FROM posts GROUP BY author_id; \
         CREATE UNIQUE INDEX view_totals_author ON view_totals (author_id)",
    );
    upgrade_round_trip(&project, url);
    db.sql("UPDATE authors SET updated_at = NULL; UPDATE authors SET name = name");
    assert_eq!(
        db.sql("SELECT count(updated_at) FROM authors").trim(),
        "0",
        "the trigger is gone"
    );
    let names: Vec<String> = live_objects(&project, url)
        .iter()
        .map(|o| o.key().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "extension citext",
            "sequence code_seq",
            "type address",
            "domain email",
            "function format_address(address)",
            "function next_code()",
            "policy posts_visible on posts"
        ]
    );
    ok(&project, url, &["downgrade", "base"]);
    assert!(live_objects(&project, url).is_empty());
    assert_eq!(
        db.sql("SELECT count(*) FROM pg_extension WHERE extname = 'citext'")
            .trim(),
        "0"
    );
    ok(&project, url, &["upgrade"]);
    assert!(ok(&project, url, &["verify"]).contains("matches"));
}

const MYSQL_MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 100)]
    pub name: String,
}

#[derive(Model)]
pub struct Post {
    pub id: i32,
    #[model(references = "authors", index)]
    pub author_id: i32,
    #[model(max_length = 200)]
    pub title: String,
    #[model(default = 0)]
    pub views: i32,
}

#[derive(Model)]
pub struct AuditLog {
    pub id: i32,
    #[model(max_length = 250)]
    pub message: String,
}
"#;

#[test]
fn mysql_objects_through_their_life() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "mysql_objects") else {
        return;
    };
    let url = db.url.as_str();
    let project = Project::new("objects_mysql", MYSQL_MODELS);
    project.ok(&["init"]);
    write_sql(
        &project,
        "sql/functions/slugify.sql",
        "CREATE FUNCTION slugify(s VARCHAR(200)) RETURNS VARCHAR(200) DETERMINISTIC\nRETURN lower(replace(s, ' ', '-'));\n",
    );
    write_sql(
        &project,
        "sql/triggers/posts_audit.sql",
        "CREATE TRIGGER posts_audit AFTER INSERT ON posts FOR EACH ROW\nINSERT INTO audit_logs (message) VALUES (concat('new post ', slugify(NEW.title)));\n",
    );
    write_sql(
        &project,
        "sql/views/post_views.sql",
        "CREATE VIEW post_views AS\n  SELECT p.id, p.title, p.views, a.name AS author\n  FROM posts p JOIN authors a ON a.id = p.author_id;\n",
    );
    write_sql(
        &project,
        "sql/procedures/bump_views.sql",
        "CREATE PROCEDURE bump_views(IN pid INT)\nBEGIN\n  UPDATE posts SET views = views + 1 WHERE id = pid;\nEND;\n",
    );
    write_sql(
        &project,
        "sql/events/purge_audit.sql",
        "CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY DO DELETE FROM audit_logs WHERE id < 0;\n",
    );
    let out = ok(&project, url, &["migrate", "-m", "initial"]);
    for line in [
        "+ function slugify",
        "+ trigger posts_audit on posts",
        "+ view post_views",
        "+ procedure bump_views",
        "+ event purge_audit",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    upgrade_round_trip(&project, url);

    db.sql("INSERT INTO authors (name) VALUES ('Ada')");
    db.sql("INSERT INTO posts (author_id, title) VALUES (1, 'Analytical Engine')");
    assert_eq!(
        db.sql("SELECT message FROM audit_logs").trim(),
        "new post analytical-engine"
    );
    db.sql("CALL bump_views(1)");
    assert_eq!(
        db.sql("SELECT concat(author, ' ', views) FROM post_views")
            .trim(),
        "Ada 1"
    );

    // Changes: a function, a trigger, a view (OR REPLACE), an event, and a column under the view.
    write_sql(
        &project,
        "sql/functions/slugify.sql",
        "CREATE FUNCTION slugify(s VARCHAR(200)) RETURNS VARCHAR(200) DETERMINISTIC\nRETURN upper(replace(s, ' ', '_'));\n",
    );
    write_sql(
        &project,
        "sql/views/post_views.sql",
        "CREATE VIEW post_views AS\n  SELECT p.id, p.title, p.views, a.name AS author, p.author_id\n  FROM posts p JOIN authors a ON a.id = p.author_id;\n",
    );
    write_sql(
        &project,
        "sql/events/purge_audit.sql",
        "CREATE EVENT purge_audit ON SCHEDULE EVERY 2 DAY DO DELETE FROM audit_logs WHERE id < 0;\n",
    );
    project.write(
        "src/models.rs",
        &MYSQL_MODELS.replace("    pub views: i32,", "    pub views: i64,"),
    );
    let out = ok(&project, url, &["migrate", "-m", "changes"]);
    for line in [
        "~ function slugify (definition changed)",
        "~ event purge_audit (definition changed)",
        "~ column posts.views integer -> bigint",
    ] {
        assert!(out.contains(line), "{line}: {out}");
    }
    upgrade_round_trip(&project, url);
    db.sql("INSERT INTO posts (author_id, title) VALUES (1, 'Difference Engine')");
    assert_eq!(
        db.sql("SELECT message FROM audit_logs ORDER BY id")
            .lines()
            .collect::<Vec<_>>(),
        ["new post analytical-engine", "new post DIFFERENCE_ENGINE"]
    );
    assert_eq!(db.sql("SELECT count(*) FROM posts").trim(), "2");

    // Edited by hand, missing, extra.
    db.sql("DROP VIEW post_views; CREATE VIEW post_views AS SELECT id FROM posts; CREATE VIEW extra AS SELECT 1 AS one; DROP EVENT purge_audit");
    let out = fails(&project, url, &["verify"]);
    assert!(
        out.contains("~ view post_views: edited in the database"),
        "{out}"
    );
    assert!(
        out.contains("+ view extra: in the database, not in the snapshot"),
        "{out}"
    );
    assert!(
        out.contains("- event purge_audit: in the snapshot, missing from the database"),
        "{out}"
    );
    let out = fails(&project, url, &["check"]);
    assert!(
        out.contains("~ view post_views: edited in the database"),
        "{out}"
    );
    db.sql(
        "DROP VIEW extra; CREATE OR REPLACE VIEW post_views AS SELECT p.id, p.title, p.views, a.name AS author, p.author_id FROM posts p JOIN authors a ON a.id = p.author_id; \
         CREATE EVENT purge_audit ON SCHEDULE EVERY 2 DAY DO DELETE FROM audit_logs WHERE id < 0",
    );
    assert!(ok(&project, url, &["verify"]).contains("matches"));

    // Drops.
    remove_sql(&project, "sql/triggers/posts_audit.sql");
    remove_sql(&project, "sql/procedures/bump_views.sql");
    remove_sql(&project, "sql/events/purge_audit.sql");
    let out = ok(&project, url, &["migrate", "-m", "drops"]);
    assert!(out.contains("- trigger posts_audit on posts"), "{out}");
    assert!(out.contains("- event purge_audit"), "{out}");
    upgrade_round_trip(&project, url);
    db.sql("INSERT INTO posts (author_id, title) VALUES (1, 'Mill')");
    assert_eq!(
        db.sql("SELECT count(*) FROM audit_logs").trim(),
        "2",
        "the trigger is gone"
    );
    ok(&project, url, &["downgrade", "base"]);
    assert!(live_objects(&project, url).is_empty());
    ok(&project, url, &["upgrade"]);
    assert!(ok(&project, url, &["verify"]).contains("matches"));
}
