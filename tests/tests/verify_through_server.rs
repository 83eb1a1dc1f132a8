//! `verify` compares the live database with the snapshot as the server prints both: an
//! expression the server rewrites (`price > 0` read back as `price > (0)::numeric`, a default
//! re-spelled) is no drift, and a change made by hand still is, named.

use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use migrate_tests::{Project, ServerDb, MYSQL_URL, POSTGRES_URL};

const MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
#[model(check(name = "ck_items_price", expr = "price > 0 AND price < 1000000"))]
pub struct Item {
    pub id: i32,
    pub price: f64,
    #[model(max_length = 40, default_sql = "lower('NEW')")]
    pub state: String,
    #[model(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::NaiveDateTime,
}
"#;

fn verify_through_server(kind: &'static str, variable: &str) {
    let db = match kind {
        "sqlite" => None,
        _ => match ServerDb::create(kind, variable, "verify_through_server") {
            Some(db) => Some(db),
            None => return,
        },
    };
    let project = Project::new(&format!("verify_server_{kind}"), MODELS);
    let mut args: Vec<String> = Vec::new();
    if let Some(db) = &db {
        args.extend(["--database-url".to_string(), db.url.clone()]);
    }
    let with = |extra: &[&str]| {
        let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
        all.extend_from_slice(extra);
        all.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let all = with(extra);
        project.cli(&all.iter().map(String::as_str).collect::<Vec<_>>())
    };
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "items"]);
    let out = run(&["upgrade"]);
    assert!(out.status.success(), "{kind}: {out:?}");

    let out = run(&["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{kind}: {stdout}{out:?}");
    assert!(stdout.contains("matches"), "{kind}: {stdout}");

    // The check changed by hand: named, whatever the server prints. (MariaDB and MySQL 8.0.19+
    // both take DROP CONSTRAINT.)
    let change = "ALTER TABLE items DROP CONSTRAINT ck_items_price";
    let add = "ALTER TABLE items ADD CONSTRAINT ck_items_price CHECK (price > 1)";
    match &db {
        Some(db) => {
            db.sql(change);
            db.sql(add);
        }
        None => {
            // SQLite cannot alter a check: rebuild the table by hand with another one.
            let sql = "PRAGMA foreign_keys = OFF; \
                 CREATE TABLE items_new (id INTEGER PRIMARY KEY NOT NULL, price DOUBLE NOT NULL, \
                 state VARCHAR(40) NOT NULL DEFAULT (lower('NEW')), created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, \
                 CONSTRAINT ck_items_price CHECK (price > 1)); \
                 INSERT INTO items_new SELECT * FROM items; DROP TABLE items; ALTER TABLE items_new RENAME TO items;";
            let path = project.file("app.db").display().to_string();
            let mut conn = SqliteConnection::establish(&path).unwrap();
            conn.batch_execute(sql).unwrap();
        }
    }
    let out = run(&["verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{kind}: {stdout}");
    assert!(stdout.contains("ck_items_price"), "{kind}: {stdout}");
}

#[test]
fn sqlite_verify_through_the_engine() {
    verify_through_server("sqlite", "");
}

#[test]
fn postgres_verify_through_the_server() {
    verify_through_server("postgres", POSTGRES_URL);
}

#[test]
fn mysql_verify_through_the_server() {
    verify_through_server("mysql", MYSQL_URL);
}
