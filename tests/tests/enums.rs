//! Rust enums as columns, end to end on every backend, the way a user works: a project outside
//! the workspace with a `#[derive(ModelEnum)]` enum used by a Diesel model, `migrate` (which
//! rewrites `schema.rs`), `upgrade`, a program that stores and loads the enum through Diesel,
//! then a variant added and one renamed, and `downgrade` / `upgrade` again.

use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

const MODELS: &str = r#"use diesel::prelude::*;
use migrate_core::{Model, ModelEnum};

#[derive(ModelEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostStatus {
    Draft,
    Published,
}

#[derive(Model, Queryable, Selectable, Insertable, Debug)]
#[diesel(table_name = crate::schema::posts)]
pub struct Post {
    pub id: i32,
    pub title: String,
    #[model(default = "draft")]
    pub status: PostStatus,
    pub previous: Option<PostStatus>,
}
"#;

/// The models after the edit: a variant added, one renamed (its rows follow), and a new table
/// whose default is the new value (PostgreSQL refuses a value used in the transaction that
/// added it, so the value is added ahead of it).
fn edited() -> String {
    let models = MODELS.to_string()
        + r#"
#[derive(Model)]
pub struct Archive {
    pub id: i32,
    #[model(default = "archived")]
    pub status: PostStatus,
}
"#;
    models
        .replace(
            "    Draft,\n    Published,\n",
            "    #[model(renamed_from = \"draft\")]\n    Sketch,\n    Published,\n    Archived,\n",
        )
        .replace("default = \"draft\"", "default = \"sketch\"")
}

/// Stores two posts through Diesel (unless they are there), then prints every post; `CONN` is
/// the backend's connection type.
const MAIN: &str = r#"use diesel::prelude::*;
use enumapp::models::*;
use enumapp::schema::posts;
use migrate_core::ModelEnum;

fn main() {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let conn = &mut CONN::establish(&url).expect("connects");
    let first = PostStatus::from_value(PostStatus::VALUES[0]).unwrap();
    if posts::table.count().get_result::<i64>(conn).unwrap() == 0 {
        diesel::insert_into(posts::table)
            .values(&vec![
                Post { id: 1, title: "a".into(), status: first, previous: None },
                Post { id: 2, title: "b".into(), status: PostStatus::Published, previous: Some(first) },
            ])
            .execute(conn)
            .unwrap();
    }
    let published: i64 = posts::table
        .filter(posts::status.eq(PostStatus::Published))
        .count()
        .get_result(conn)
        .unwrap();
    let all: Vec<Post> = posts::table.order(posts::id).select(Post::as_select()).load(conn).unwrap();
    for p in &all {
        println!("{} {:?} {:?}", p.id, p.status, p.previous);
    }
    println!("published: {published}");
}
"#;

fn manifest(features: &str) -> String {
    let core = migrate_tests::workspace_root().join("migrate-core");
    format!(
        r#"[package]
name = "enumapp"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = {{ path = {core:?}, features = [{features}] }}
diesel = {{ version = "2.3", default-features = false, features = [{features}] }}
"#
    )
}

/// One backend's whole story; `feature` is the diesel backend the program links.
fn story(url: &str, feature: &str) {
    let project = Project::new("enumapp", MODELS);
    let features = format!("\"{feature}\"");
    project.write("Cargo.toml", &manifest(&features));
    project.write(
        "src/main.rs",
        &MAIN.replace("CONN", connection_type(feature)),
    );
    project.ok(&["init"]);
    project.write(
        "migrate.toml",
        &format!("models = \".\"\nmigrations = \"migrations\"\ndatabase_url = \"{url}\"\nschema_rs = \"src/schema.rs\"\n"),
    );

    let summary = project.ok(&["migrate", "-m", "posts"]);
    assert!(
        summary.contains("+ enum post_status (draft, published)"),
        "{summary}"
    );
    project.ok(&["upgrade"]);
    let run = |what: &str| {
        // Diesel's SQLite connection takes a path, not a URL.
        let program_url = match url.strip_prefix("sqlite://") {
            Some(file) => project.file(file).display().to_string(),
            None => url.to_string(),
        };
        let out = project.cargo_env(&["run", "--quiet"], &[("DATABASE_URL", &program_url)]);
        assert!(
            out.status.success(),
            "{what}: the program failed:\n{}",
            text(&out.stderr)
        );
        text(&out.stdout)
    };
    assert_eq!(
        run("first run"),
        "1 Draft None\n2 Published Some(Draft)\npublished: 1\n"
    );
    project.ok(&["check"]);

    project.write("src/models.rs", &edited());
    let summary = project.ok(&["migrate", "-m", "statuses"]);
    assert!(
        summary.contains("~ enum value post_status.draft -> sketch"),
        "{summary}"
    );
    assert!(
        summary.contains("~ enum post_status (sketch, published) -> (sketch, published, archived)"),
        "{summary}"
    );
    assert!(summary.contains("+ table archives"), "{summary}");
    project.ok(&["upgrade"]);
    // The rows that held `draft` hold `sketch` now, and the program loads them as `Sketch`.
    assert_eq!(
        run("after the rename"),
        "1 Sketch None\n2 Published Some(Sketch)\npublished: 1\n"
    );
    project.ok(&["check"]);

    // Down and up again: nothing is left behind that would make the second `up` fail.
    project.ok(&["downgrade"]);
    project.ok(&["upgrade"]);
    project.ok(&["check"]);
    project.ok(&["downgrade", "base"]);
    project.ok(&["upgrade"]);
    project.ok(&["check"]);
}

fn connection_type(feature: &str) -> &'static str {
    match feature {
        "sqlite" => "diesel::SqliteConnection",
        "postgres" => "diesel::PgConnection",
        _ => "diesel::MysqlConnection",
    }
}

#[test]
fn enum_story_on_sqlite() {
    story("sqlite://app.db", "sqlite");
}

#[test]
fn enum_story_on_postgres() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "enum_story_on_postgres") else {
        return;
    };
    story(&db.url, "postgres");
}

#[test]
fn enum_story_on_mysql() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "enum_story_on_mysql") else {
        return;
    };
    story(&db.url, "mysql");
}

const HELD: &str = r#"use migrate_core::{Model, ModelEnum};

#[derive(ModelEnum, Debug)]
pub enum Stage {
    Draft,
    Published,
    Archived,
}

#[derive(Model)]
pub struct Doc {
    pub id: i32,
    pub stage: Stage,
}
"#;

/// A value removed while a row still holds it: `upgrade` fails, the row keeps its value and the
/// database stays at the previous revision; once the row is updated, the same `upgrade` passes.
fn removed_value_still_held(db: &ServerDb) {
    let project = Project::new("heldapp", HELD);
    project.ok(&["init"]);
    let url = ["--database-url", db.url.as_str()];
    project.ok(&[url[0], url[1], "migrate", "-m", "docs"]);
    project.ok(&[url[0], url[1], "upgrade"]);
    db.sql("INSERT INTO docs (id, stage) VALUES (1, 'archived')");
    project.write("src/models.rs", &HELD.replace("    Archived,\n", ""));
    let summary = project.ok(&[url[0], url[1], "migrate", "-m", "no archive"]);
    assert!(
        summary.contains("enum stage drops value 'archived': rows of docs.stage holding it"),
        "{summary}"
    );
    let before = project.ok(&[url[0], url[1], "current"]);
    let out = project.cli(&[url[0], url[1], "upgrade"]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert_eq!(
        db.sql("SELECT stage FROM docs WHERE id = 1").trim(),
        "archived"
    );
    assert_eq!(project.ok(&[url[0], url[1], "current"]), before);
    db.sql("UPDATE docs SET stage = 'draft' WHERE id = 1");
    project.ok(&[url[0], url[1], "upgrade"]);
    project.ok(&[url[0], url[1], "check"]);
}

#[test]
fn removed_value_still_held_on_postgres() {
    if let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "removed_value_on_postgres") {
        removed_value_still_held(&db);
    }
}

#[test]
fn removed_value_still_held_on_mysql() {
    if let Some(db) = ServerDb::create("mysql", MYSQL_URL, "removed_value_on_mysql") {
        removed_value_still_held(&db);
    }
}
