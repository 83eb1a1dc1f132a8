//! The history table on every backend: what `upgrade` records and `history` prints, and what a
//! refused `downgrade` leaves. Server tests make their own database on the server named by
//! `MIGRATE_TEST_POSTGRES_URL` / `MIGRATE_TEST_MYSQL_URL` and skip (saying so) without it.

use diesel::prelude::*;
use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

const NOTES: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    #[model(max_length = 5)]
    pub name: String,
}
"#;

/// A message with a backslash at its end, a quote, and a backslash before a quote: MySQL reads
/// `\` in a string literal as an escape, so none of these may reach the server as SQL text.
const MESSAGE: &str = r"it's a \'quoted\' path: C:\temp\";

/// The database of `kind` (SQLite: a file in the project), or `None` when its server is not
/// configured.
fn database(
    kind: &'static str,
    project: &Project,
    test: &str,
) -> Option<(String, Option<ServerDb>)> {
    match kind {
        "sqlite" => Some((
            format!("sqlite://{}", project.file("app.db").display()),
            None,
        )),
        "postgres" => {
            ServerDb::create(kind, POSTGRES_URL, test).map(|db| (db.url.clone(), Some(db)))
        }
        _ => ServerDb::create(kind, MYSQL_URL, test).map(|db| (db.url.clone(), Some(db))),
    }
}

/// The recorded messages, hex-encoded so that no client's own escaping shows.
fn recorded_messages_hex(url: &str, db: Option<&ServerDb>) -> Vec<String> {
    match db {
        Some(db) if db.kind == "postgres" => db
            .sql("SELECT upper(encode(convert_to(message, 'UTF8'), 'hex')) FROM __migrate_history")
            .lines()
            .map(str::to_string)
            .collect(),
        Some(db) => db
            .sql("SELECT HEX(message) FROM __migrate_history")
            .lines()
            .map(str::to_string)
            .collect(),
        None => {
            #[derive(QueryableByName)]
            struct Hex {
                #[diesel(sql_type = diesel::sql_types::Text)]
                hex: String,
            }
            let path = url.trim_start_matches("sqlite://");
            let mut conn = SqliteConnection::establish(path).unwrap();
            diesel::sql_query("SELECT hex(message) AS hex FROM __migrate_history")
                .load::<Hex>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|h| h.hex)
                .collect()
        }
    }
}

fn hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02X}")).collect()
}

fn message_round_trips(kind: &'static str) {
    let project = Project::new(&format!("message_{kind}"), NOTES);
    let Some((url, db)) = database(kind, &project, "message_round_trips") else {
        return;
    };
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", MESSAGE]);
    let out = project.ok(&["--database-url", &url, "upgrade"]);
    assert!(out.contains(MESSAGE), "{kind}: {out}");
    assert_eq!(
        recorded_messages_hex(&url, db.as_ref()),
        [hex(MESSAGE)],
        "{kind}: the row holds the message as written"
    );
    let history = project.ok(&["--database-url", &url, "history"]);
    assert!(
        history.contains(&format!("applied  {MESSAGE}  [")),
        "{kind}: {history}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&project.ok(&["--database-url", &url, "history", "--json"])).unwrap();
    assert_eq!(json[0]["message"], MESSAGE, "{kind}");
    assert_eq!(json[0]["applied"], true, "{kind}");
    // Reverting deletes the row by its revision, bound like the rest.
    project.ok(&["--database-url", &url, "downgrade"]);
    assert!(
        recorded_messages_hex(&url, db.as_ref()).is_empty(),
        "{kind}"
    );
}

#[test]
fn sqlite_message_round_trips() {
    message_round_trips("sqlite");
}

#[test]
fn postgres_message_round_trips() {
    message_round_trips("postgres");
}

#[test]
fn mysql_message_round_trips() {
    message_round_trips("mysql");
}

/// A `downgrade` that narrows a column holding a value too long for the narrower type is
/// refused by MariaDB (strict mode) before it changes anything: the revision stays applied, not
/// left `dirty`, and the next `downgrade` goes through once the row fits. (SQLite does not
/// enforce `varchar` lengths; PostgreSQL's rendering casts with `USING`, which truncates.)
fn refused_narrowing_leaves_the_revision_applied(kind: &'static str) {
    let project = Project::new(&format!("narrowing_{kind}"), NOTES);
    let Some((url, Some(db))) = database(kind, &project, "refused_narrowing") else {
        return;
    };
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    project.write(
        "src/models.rs",
        &NOTES.replace("max_length = 5", "max_length = 50"),
    );
    project.ok(&["migrate", "-m", "wider names"]);
    project.ok(&["--database-url", &url, "upgrade"]);
    let head = project.ok(&["--database-url", &url, "current"]);
    assert!(head.contains("(head)"), "{kind}: {head}");
    db.sql("INSERT INTO notes (name) VALUES ('a name of twenty chars')");

    let out = project.cli(&["--database-url", &url, "downgrade"]);
    assert_eq!(out.status.code(), Some(1), "{kind}: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("the revision stays applied as it was before"),
        "{kind}: {err}"
    );
    assert_eq!(
        db.sql("SELECT state FROM __migrate_history ORDER BY revision")
            .lines()
            .collect::<Vec<_>>(),
        ["applied", "applied"],
        "{kind}"
    );
    assert_eq!(
        project.ok(&["--database-url", &url, "current"]),
        head,
        "{kind}: still at the head"
    );
    // The same refusal again: nothing asks for `stamp`.
    let again = project.cli(&["--database-url", &url, "downgrade"]);
    assert!(
        text(&again.stderr).contains("the revision stays applied as it was before"),
        "{kind}: {}",
        text(&again.stderr)
    );

    db.sql("UPDATE notes SET name = 'short'");
    project.ok(&["--database-url", &url, "downgrade"]);
    let now = project.ok(&["--database-url", &url, "current"]);
    assert!(
        !now.contains("(head)") && !now.starts_with("base"),
        "{kind}: {now}"
    );
    assert_eq!(
        db.sql("SELECT name FROM notes").trim(),
        "short",
        "{kind}: the row survives"
    );
}

#[test]
fn mysql_refused_narrowing_leaves_the_revision_applied() {
    refused_narrowing_leaves_the_revision_applied("mysql");
}
