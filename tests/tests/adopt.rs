//! `migrate-cli adopt`: an existing Diesel project, its database built by Diesel's own migration
//! harness from `up.sql` files, taken over with one command and nothing in it touched.

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use migrate_core::model_source::expressible;
use migrate_core::schema::Schema;
use migrate_core::snapshot::Snapshot;
use migrate_tests::{text, workspace_root, Project, POSTGRES_URL};

fn fixtures() -> PathBuf {
    workspace_root().join("tests/fixtures/adopt")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A Diesel project as `diesel setup` leaves it: `diesel.toml`, `migrations/`, `src/schema.rs`,
/// no models of ours, and `app.db` built by `diesel_migrations` with rows in it.
fn diesel_project(name: &str) -> Project {
    let project = Project::new(name, "");
    std::fs::remove_file(project.file("src/models.rs")).unwrap();
    project.write("src/lib.rs", "pub mod schema;\n");
    copy_dir(&fixtures().join("sqlite"), project.path());
    let mut conn = SqliteConnection::establish(&project.file("app.db").display().to_string())
        .expect("app.db opens");
    let migrations = FileBasedMigrations::from_path(project.file("migrations")).unwrap();
    let applied = conn.run_pending_migrations(migrations).unwrap();
    assert_eq!(applied.len(), 3);
    diesel::sql_query(
        "INSERT INTO users (id, email, name, score, age, avatar) VALUES \
         (1, 'ada@example.com', 'Ada', 1.5, 36, x'00ff'), (2, 'bob@example.com', 'Bob', NULL, NULL, NULL)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO posts (id, author_id, title, body, published_on) VALUES \
         (1, 1, 'Notes', 'On engines', '1843-09-01'), (2, 2, 'Hello', NULL, NULL)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query("INSERT INTO tags (id, label, slug) VALUES (1, 'Maths', 'maths')")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO post_tags (post_id, tag_id, weight) VALUES (1, 1, 3)")
        .execute(&mut conn)
        .unwrap();
    project
}

#[derive(QueryableByName)]
struct Dump {
    #[diesel(sql_type = Nullable<Text>)]
    dump: Option<String>,
}

/// Every row of every table of `schema`, quoted by SQLite, in rowid order.
fn rows(db: &Path, schema: &Schema) -> Vec<(String, String)> {
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    schema
        .tables
        .iter()
        .map(|table| {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|c| format!("quote(\"{}\")", c.name))
                .collect();
            let sql = format!(
                "SELECT group_concat({}, char(10)) AS dump FROM (SELECT * FROM \"{}\" ORDER BY rowid)",
                columns.join(" || '|' || "),
                table.name
            );
            let dump: Dump = diesel::sql_query(sql).get_result(&mut conn).unwrap();
            (table.name.clone(), dump.dump.unwrap_or_default())
        })
        .collect()
}

/// `migrate-cli inspect --json` of a database, as a schema.
fn inspect(project: &Project, url: &str) -> Schema {
    let json = project.ok(&["inspect", "--json", "--database-url", url]);
    Snapshot::from_json(&json, Path::new("inspect"))
        .unwrap()
        .schema()
}

fn failure(project: &Project, args: &[&str]) -> String {
    let out = project.cli(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "migrate-cli {args:?} should fail:\nstdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stderr)
}

const LOAD_EXAMPLE: &str = r#"use adopted_app::models::{Post, PostTag, Tag, User};
use adopted_app::schema::{post_tags, posts, tags, users};
use diesel::prelude::*;

fn main() {
    let url = std::env::args().nth(1).expect("a database path");
    let mut conn = SqliteConnection::establish(&url).expect("the database opens");
    let users: Vec<User> = users::table
        .order(users::id)
        .select(User::as_select())
        .load(&mut conn)
        .expect("users load");
    let posts: Vec<Post> = posts::table.select(Post::as_select()).load(&mut conn).expect("posts load");
    let tags: Vec<Tag> = tags::table.select(Tag::as_select()).load(&mut conn).expect("tags load");
    let links: Vec<PostTag> =
        post_tags::table.select(PostTag::as_select()).load(&mut conn).expect("post_tags load");
    println!(
        "{} users ({}, avatar {:?}), {} posts, {} tags, {} links of weight {}",
        users.len(),
        users[0].email,
        users[0].avatar,
        posts.len(),
        tags.len(),
        links.len(),
        links[0].weight
    );
}
"#;

#[test]
fn sqlite_diesel_project_is_adopted_with_models() {
    let project = diesel_project("adopted_app");
    // The URL from `.env`, as a Diesel project has it: not copied into migrate.toml.
    project.write(".env", "DATABASE_URL=app.db\n");
    let db = project.file("app.db");
    let live_before = migrate_tests::sqlite_schema(&db, &Schema::default());
    let rows_before = rows(&db, &live_before);

    let out = project.ok(&["adopt", "--models", "src/models.rs"]);
    assert!(out.contains("Adopted 4 table(s) from sqlite://"), "{out}");
    assert!(out.contains(": post_tags, posts, tags, users"), "{out}");
    // The expression index is the models' too.
    assert!(!out.contains("left alone"), "{out}");
    assert!(
        project.read("src/models.rs").contains("posts_lower_title"),
        "{}",
        project.read("src/models.rs")
    );
    assert!(out.contains("recorded as applied"), "{out}");
    assert!(
        out.contains("Added `pub mod models;` to src/lib.rs"),
        "{out}"
    );
    assert_eq!(
        project.read("migrate.toml"),
        "# migrate-cli configuration; paths are relative to this file.\n\
         # Written by `migrate-cli adopt`: Diesel's own migrations stay where they are.\n\
         models = \".\"                       # the crate whose #[derive(Model)] structs are the schema\n\
         migrations = \"migrate\"\n\
         schema_rs = \"src/schema.rs\"          # Diesel's table! file, rewritten by `migrate`\n"
    );
    assert_eq!(
        project.read("src/lib.rs"),
        "pub mod schema;\npub mod models;\n"
    );
    insta::assert_snapshot!("adopted_sqlite_models", project.read("src/models.rs"));

    // The snapshot is the live schema as the models express it, Diesel's table left out.
    let snapshot = Snapshot::read(&project.file("migrate/snapshot.json")).unwrap();
    let mut expected = live_before.clone();
    expected
        .tables
        .retain(|t| t.name != "__diesel_schema_migrations");
    let (expected, _) = expressible(&expected);
    assert_eq!(snapshot.schema(), expected);

    // Right after adopt: nothing to migrate, nothing to upgrade, every row as it was.
    let out = project.ok(&["migrate", "-m", "x"]);
    assert!(out.contains("No changes detected"), "{out}");
    let out = project.ok(&["upgrade"]);
    assert!(!out.contains("Applied"), "upgrade applied something: {out}");
    assert_eq!(rows(&db, &live_before), rows_before);
    assert_eq!(
        migrate_tests::sqlite_schema(&db, &Schema::default()),
        live_before
    );
    // Models, snapshot, migrations and the adopted database agree from the start.
    let out = project.ok(&["check"]);
    assert!(out.contains("agree"), "{out}");

    // The generated models compile with Diesel and load the rows Diesel's database holds.
    std::fs::create_dir_all(project.file("examples")).unwrap();
    project.write("examples/load.rs", LOAD_EXAMPLE);
    let run = project.cargo(&["run", "--quiet", "--example", "load", "--", "app.db"]);
    assert!(
        run.status.success(),
        "the generated models do not compile or load:\n{}",
        text(&run.stderr)
    );
    assert_eq!(
        text(&run.stdout),
        "2 users (ada@example.com, avatar Some([0, 255])), 2 posts, 1 tags, 1 links of weight 3\n"
    );

    // The baseline on a new empty database gives the adopted schema.
    let fresh = project.file("fresh.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    let out = project.ok(&["upgrade", "--database-url", &fresh_url]);
    assert!(out.contains("Applied"), "{out}");
    let rebuilt = inspect(&project, &fresh_url);
    let mut adopted = inspect(&project, "sqlite://app.db");
    adopted
        .tables
        .retain(|t| t.name != "__diesel_schema_migrations");
    // Equal but for the name SQLite gives an unnamed unique constraint.
    assert_eq!(rebuilt, expressible(&adopted).0);
    assert_eq!(rebuilt, snapshot.schema());

    // The production copy of the adopted project (its tables, no history): upgrade refuses
    // before any statement, names the tables and suggests `stamp`; then stamp makes it current.
    let prod = project.file("prod.db");
    std::fs::copy(&db, &prod).unwrap();
    {
        let mut conn = SqliteConnection::establish(&prod.display().to_string()).unwrap();
        diesel::sql_query("DROP TABLE __migrate_history")
            .execute(&mut conn)
            .unwrap();
    }
    let prod_url = format!("sqlite://{}", prod.display());
    let err = failure(&project, &["upgrade", "--database-url", &prod_url]);
    assert!(err.contains("`users`"), "{err}");
    assert!(err.contains("migrate-cli stamp"), "{err}");
    assert_eq!(rows(&prod, &live_before), rows_before);
    project.ok(&["stamp", "head", "--database-url", &prod_url]);
    let out = project.ok(&["upgrade", "--database-url", &prod_url]);
    assert!(!out.contains("Applied"), "{out}");

    // A new field and a new struct migrate as in any other project, with no row lost.
    let models = project.read("src/models.rs");
    let models = models.replace(
        "    pub created_at: chrono::NaiveDateTime,\n}",
        "    pub created_at: chrono::NaiveDateTime,\n    pub nickname: Option<String>,\n}",
    );
    let models = format!(
        "{models}\n#[derive(Debug, Model, Queryable, Selectable, Insertable)]\n#[diesel(table_name = crate::schema::badges)]\npub struct Badge {{\n    pub id: i32,\n    #[model(references = \"users.id\", on_delete = \"cascade\", index)]\n    pub user_id: i32,\n    pub title: String,\n}}\n"
    );
    project.write("src/models.rs", &models);
    let out = project.ok(&["migrate", "-m", "nickname and badges"]);
    assert!(out.contains("+ column users.nickname"), "{out}");
    assert!(out.contains("+ table badges"), "{out}");
    let out = project.ok(&["upgrade"]);
    assert!(out.contains("Applied"), "{out}");
    let live_after = migrate_tests::sqlite_schema(&db, &Schema::default());
    assert!(live_after
        .table("users")
        .unwrap()
        .column("nickname")
        .is_some());
    assert!(live_after.table("badges").is_some());
    let before: Vec<(String, String)> = rows_before;
    let after = rows(&db, &live_before);
    assert_eq!(after, before, "rows changed by the new migration");
    let check = project.cargo(&["check", "--quiet"]);
    assert!(
        check.status.success(),
        "the crate does not compile after the new migration:\n{}",
        text(&check.stderr)
    );

    // Adopting twice is refused: migrate.toml exists.
    let err = failure(&project, &["adopt"]);
    assert!(err.contains("migrate.toml already exists"), "{err}");
}

#[test]
fn unapplied_diesel_migrations_are_refused_by_name() {
    let project = diesel_project("unapplied_app");
    copy_dir(&fixtures().join("extra"), &project.file("migrations"));
    let err = failure(&project, &["adopt", "--database-url", "app.db"]);
    assert!(
        err.contains("1 Diesel migration(s) in migrations are not applied on sqlite://"),
        "{err}"
    );
    assert!(err.contains("2024-02-01-000000_create_comments"), "{err}");
    assert!(!project.file("migrate.toml").exists());
    assert!(!project.file("migrate").exists());

    // Applied, it adopts; the URL came from the flag, so migrate.toml keeps it.
    std::fs::remove_dir_all(project.file("migrations/2024-02-01-000000_create_comments")).unwrap();
    let out = project.ok(&["adopt", "--database-url", "app.db"]);
    assert!(out.contains("Next: derive Model"), "{out}");
    assert!(project
        .read("migrate.toml")
        .contains("database_url = \"app.db\"\n"));
    // Without models yet, `migrate` would drop every table: the user annotates theirs first.
    assert!(!project.file("src/models.rs").exists());
}

#[test]
fn an_existing_models_file_is_not_overwritten() {
    let project = diesel_project("overwrite_app");
    project.write("src/models.rs", "// mine\n");
    let err = failure(
        &project,
        &[
            "adopt",
            "--database-url",
            "app.db",
            "--models",
            "src/models.rs",
        ],
    );
    assert!(err.contains("src/models.rs already exists"), "{err}");
    assert_eq!(project.read("src/models.rs"), "// mine\n");
    assert!(!project.file("migrate.toml").exists());
}

/// A Diesel project on a real server, built as `diesel migration run` builds it: each `up.sql`
/// in order through the server's client, then Diesel's history rows.
fn server_adoption(kind: &'static str, variable: &str, test: &str) {
    let Some(db) = migrate_tests::ServerDb::create(kind, variable, test) else {
        return;
    };
    let project = Project::new(&format!("adopted_{kind}"), "");
    std::fs::remove_file(project.file("src/models.rs")).unwrap();
    project.write("src/lib.rs", "pub mod schema;\n");
    copy_dir(&fixtures().join(kind), project.path());
    let mut folders: Vec<PathBuf> = std::fs::read_dir(project.file("migrations"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    // Diesel's own migration harness builds the database when diesel_cli is installed (CI
    // installs it); otherwise the server's client runs the same up.sql files and records them
    // in Diesel's table the way the harness does.
    match migrate_tests::diesel_cli() {
        Some(diesel) => {
            let out = std::process::Command::new(diesel)
                .args([
                    "migration",
                    "run",
                    "--database-url",
                    &db.url,
                    "--migration-dir",
                    "migrations",
                ])
                .current_dir(project.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "diesel migration run: {}",
                text(&out.stderr)
            );
        }
        None => {
            db.sql(
                "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, \
                 run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            );
            for folder in &folders {
                db.sql(&std::fs::read_to_string(folder.join("up.sql")).unwrap());
                let name = folder.file_name().unwrap().to_string_lossy().into_owned();
                let version = name.split('_').next().unwrap().replace('-', "");
                db.sql(&format!(
                    "INSERT INTO __diesel_schema_migrations (version) VALUES ('{version}')"
                ));
            }
        }
    }
    db.sql(
        "INSERT INTO users (email, name, avatar) VALUES ('ada@example.com', 'Ada', NULL), ('bob@example.com', 'Bob', NULL)",
    );
    db.sql("INSERT INTO posts (author_id, title, body) VALUES (1, 'Notes', 'On engines')");
    db.sql("INSERT INTO tags (label, slug) VALUES ('Maths', 'maths')");
    db.sql("INSERT INTO post_tags (post_id, tag_id, weight) VALUES (1, 1, 3)");
    let tables = ["post_tags", "posts", "tags", "users"];
    let dump = || -> Vec<String> {
        tables
            .iter()
            .map(|t| db.sql(&format!("SELECT * FROM {t} ORDER BY 1, 2")))
            .collect()
    };
    let rows_before = dump();

    let out = project.ok(&[
        "adopt",
        "--models",
        "src/models.rs",
        "--database-url",
        &db.url,
    ]);
    assert!(out.contains(": post_tags, posts, tags, users"), "{out}");
    // Views, functions and triggers are captured into sql/, the baseline and the snapshot.
    if kind == "postgres" {
        assert!(
            out.contains("Adopted 4 object(s): function diesel_manage_updated_at(regclass), function diesel_set_updated_at(), view published_posts, trigger set_updated_at on users"),
            "{out}"
        );
        // The expression and partial indexes are the models' too.
        assert!(!out.contains("left alone"), "{out}");
        let models = project.read("src/models.rs");
        assert!(
            models.contains("users_lower_email") && models.contains("users_active_names"),
            "{models}"
        );
        assert!(project.file("sql/triggers/set_updated_at.sql").is_file());
    } else {
        assert!(
            out.contains("Adopted 1 object(s): view published_posts"),
            "{out}"
        );
    }
    assert!(project.file("sql/views/published_posts.sql").is_file());
    insta::assert_snapshot!(
        format!("adopted_{kind}_models"),
        project.read("src/models.rs")
    );

    let out = project.ok(&["migrate", "-m", "x"]);
    assert!(out.contains("No changes detected"), "{out}");
    let out = project.ok(&["upgrade"]);
    assert!(!out.contains("Applied"), "upgrade applied something: {out}");
    assert_eq!(dump(), rows_before);

    // The baseline on a new empty database of the same server gives the adopted schema.
    let fresh = migrate_tests::ServerDb::create(kind, variable, test).unwrap();
    let out = project.ok(&["upgrade", "--database-url", &fresh.url]);
    assert!(out.contains("Applied"), "{out}");
    let rebuilt = inspect(&project, &fresh.url);
    let mut adopted = inspect(&project, &db.url);
    adopted
        .tables
        .retain(|t| t.name != "__diesel_schema_migrations");
    assert_eq!(rebuilt, expressible(&adopted).0);
    let snapshot = Snapshot::read(&project.file("migrate/snapshot.json")).unwrap();
    assert_eq!(rebuilt, snapshot.schema());

    // A new field migrates with no row lost.
    let models = project.read("src/models.rs").replace(
        "pub struct Tag {\n",
        "pub struct Tag {\n    pub description: Option<String>,\n",
    );
    project.write("src/models.rs", &models);
    let out = project.ok(&["migrate", "-m", "tag descriptions"]);
    assert!(out.contains("+ column tags.description"), "{out}");
    let out = project.ok(&["upgrade"]);
    assert!(out.contains("Applied"), "{out}");
    let after = dump();
    assert_eq!(after[..2], rows_before[..2]);
    assert_eq!(after[3], rows_before[3]);
    assert!(after[2].contains("Maths"), "{}", after[2]);

    // The generated models (and the schema.rs `migrate` rewrote) compile with Diesel for this
    // backend and load the rows Diesel's database holds.
    project.write("Cargo.toml", &server_manifest(kind));
    std::fs::create_dir_all(project.file("examples")).unwrap();
    let connection = match kind {
        "postgres" => "PgConnection",
        _ => "MysqlConnection",
    };
    project.write(
        "examples/load.rs",
        &SERVER_LOAD_EXAMPLE
            .replace("adopted_app", &format!("adopted_{kind}"))
            .replace("SqliteConnection", connection),
    );
    let run = project.cargo(&["run", "--quiet", "--example", "load", "--", &db.url]);
    assert!(
        run.status.success(),
        "the generated models do not compile or load:\n{}",
        text(&run.stderr)
    );
    assert_eq!(
        text(&run.stdout),
        "2 users (ada@example.com), 1 posts, 1 tags (None), 1 links of weight 3\n"
    );
}

/// The throwaway crate for a server backend, with the crates the generated types come from.
fn server_manifest(kind: &str) -> String {
    let core = workspace_root().join("migrate-core");
    format!(
        r#"[package]
name = "adopted_{kind}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = {{ path = {core:?}, features = ["{kind}", "chrono", "uuid", "serde_json", "bigdecimal"] }}
diesel = {{ version = "2.3", default-features = false, features = ["{kind}", "chrono", "uuid", "serde_json", "numeric"] }}
chrono = {{ version = "0.4", default-features = false, features = ["clock"] }}
uuid = "1"
serde_json = "1"
bigdecimal = "0.4"
"#
    )
}

const SERVER_LOAD_EXAMPLE: &str = r#"use adopted_app::models::{Post, PostTag, Tag, User};
use adopted_app::schema::{post_tags, posts, tags, users};
use diesel::prelude::*;

fn main() {
    let url = std::env::args().nth(1).expect("a database URL");
    let mut conn = SqliteConnection::establish(&url).expect("the database opens");
    let users: Vec<User> = users::table
        .order(users::id)
        .select(User::as_select())
        .load(&mut conn)
        .expect("users load");
    let posts: Vec<Post> = posts::table.select(Post::as_select()).load(&mut conn).expect("posts load");
    let tags: Vec<Tag> = tags::table.select(Tag::as_select()).load(&mut conn).expect("tags load");
    let links: Vec<PostTag> =
        post_tags::table.select(PostTag::as_select()).load(&mut conn).expect("post_tags load");
    println!(
        "{} users ({}), {} posts, {} tags ({:?}), {} links of weight {}",
        users.len(),
        users[0].email,
        posts.len(),
        tags.len(),
        tags[0].description,
        links.len(),
        links[0].weight
    );
}
"#;

#[test]
fn postgres_diesel_project_is_adopted() {
    server_adoption(
        "postgres",
        migrate_tests::POSTGRES_URL,
        "postgres_diesel_project_is_adopted",
    );
}

#[test]
fn mysql_diesel_project_is_adopted() {
    server_adoption(
        "mysql",
        migrate_tests::MYSQL_URL,
        "mysql_diesel_project_is_adopted",
    );
}

/// The number of tables of the service-sized PostgreSQL schema; the README reports it.
const SERVICE_TABLES: usize = 32;

/// A schema the size of a real service: bigserial keys, varchar, text arrays, jsonb,
/// timestamptz defaults, numeric money, foreign keys with actions, composite keys, unique
/// constraints, expression and partial indexes, a native enum type.
fn service_schema_sql() -> String {
    let mut sql = String::from(
        "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);\n",
    );
    for i in 1..=SERVICE_TABLES - 3 {
        let parent = if i > 1 {
            format!(
                ", parent_id BIGINT REFERENCES t{:02} (id) ON DELETE CASCADE",
                i - 1
            )
        } else {
            String::new()
        };
        sql.push_str(&format!(
            "CREATE TABLE t{i:02} (id BIGSERIAL PRIMARY KEY, name VARCHAR(120) NOT NULL UNIQUE, \
             tags TEXT[] NOT NULL DEFAULT '{{}}', data JSONB, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), \
             amount NUMERIC(12,2), active BOOLEAN NOT NULL DEFAULT TRUE{parent});\n\
             CREATE INDEX t{i:02}_lower_name ON t{i:02} (lower(name));\n\
             CREATE INDEX t{i:02}_active ON t{i:02} (created_at) WHERE active;\n\
             CREATE INDEX t{i:02}_created ON t{i:02} (created_at);\n\
             INSERT INTO t{i:02} (name, data) VALUES ('row {i}', '{{\"n\": {i}}}');\n"
        ));
    }
    sql.push_str(
        "CREATE TABLE memberships (user_id BIGINT NOT NULL REFERENCES t01 (id), group_id BIGINT NOT NULL REFERENCES t02 (id) ON DELETE CASCADE, role VARCHAR(20) NOT NULL DEFAULT 'member', PRIMARY KEY (user_id, group_id));\n\
         CREATE TABLE events (id UUID PRIMARY KEY, payload JSONB NOT NULL, at TIMESTAMPTZ NOT NULL, kinds INTEGER[]);\n\
         INSERT INTO memberships (user_id, group_id) VALUES (1, 1);\n\
         CREATE TYPE order_state AS ENUM ('new', 'paid', 'shipped');\n\
         CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, state order_state NOT NULL DEFAULT 'new', previous order_state);\n\
         INSERT INTO orders (state) VALUES ('paid');\n",
    );
    sql
}

#[test]
fn postgres_service_sized_schema_is_adopted() {
    let Some(db) = migrate_tests::ServerDb::create("postgres", POSTGRES_URL, "service_sized")
    else {
        return;
    };
    db.sql(&service_schema_sql());
    let project = Project::new("service_sized", "");
    std::fs::remove_file(project.file("src/models.rs")).unwrap();
    project.write("src/lib.rs", "pub mod schema;\n");
    let out = project.ok(&[
        "adopt",
        "--models",
        "src/models.rs",
        "--database-url",
        &db.url,
    ]);
    assert!(
        out.contains(&format!("Adopted {SERVICE_TABLES} table(s)")),
        "{out}"
    );
    let adopted = inspect(&project, &db.url);
    assert_eq!(adopted.tables.len(), SERVICE_TABLES);
    // The enum type became a `ModelEnum` the models use.
    let models = project.read("src/models.rs");
    assert!(
        models.contains("#[model(type_name = \"order_state\")]\npub enum OrderState {"),
        "{models}"
    );
    assert!(models.contains("pub state: OrderState,"), "{models}");

    // The generated models read back to the same schema.
    let out = project.ok(&["--database-url", &db.url, "migrate", "-m", "x"]);
    assert!(out.contains("No changes detected"), "{out}");
    let out = project.ok(&["--database-url", &db.url, "upgrade"]);
    assert!(!out.contains("Applied"), "{out}");
    assert_eq!(
        db.sql("SELECT count(*) FROM t29").trim(),
        "1",
        "rows untouched"
    );

    // The baseline recreates every table on an empty database.
    let fresh = migrate_tests::ServerDb::create("postgres", POSTGRES_URL, "service_sized").unwrap();
    project.ok(&["--database-url", &fresh.url, "upgrade"]);
    let rebuilt = inspect(&project, &fresh.url);
    assert_eq!(rebuilt.tables.len(), SERVICE_TABLES);
    let snapshot = Snapshot::read(&project.file("migrate/snapshot.json")).unwrap();
    let plan = migrate_core::diff::diff(&rebuilt, &snapshot.schema()).unwrap();
    assert!(plan.is_empty(), "{:?}", plan.changes);
}
