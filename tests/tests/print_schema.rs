//! `schema`, and the `schema_rs` file `migrate` writes, against the real `diesel print-schema`.
//!
//! For each backend a throwaway project declares models covering the whole type vocabulary
//! (nullable and not), single and composite primary keys, foreign keys (one to a table's key,
//! two to the same table, one to itself, one to a non-key column), Rust and SQL keywords as table
//! and column names, a column named like its table and, on SQLite, a table without a primary key.
//! `migrate` writes `src/schema.rs`; `upgrade` applies the migration; then `migrate-cli schema`
//! and `diesel print-schema` read the same database one after the other, and the texts must be
//! equal, and again with `--with-docs` and `--with-docs-config only-database-comments` (the
//! models carry table and column comments, which print-schema reads on PostgreSQL and MySQL).
//!
//! `diesel` (diesel_cli 2.3) is looked for on `PATH`, in `~/.cargo/bin` and in
//! `/work/tools/bin`. Without it the comparison is skipped (the test says so) and the text is
//! compared with the committed insta snapshot of what diesel printed for the same models instead.
//! Without a PostgreSQL / MySQL server (`MIGRATE_TEST_POSTGRES_URL`, `MIGRATE_TEST_MYSQL_URL`)
//! only the `schema_rs` that `migrate` writes for that backend is compared with the snapshot.

use std::path::Path;
use std::process::Command;

use migrate_tests::{diesel_cli, text, workspace_root, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

/// Where print-schema's output and this tool's are known to differ on purpose, as
/// `(what diesel prints, what this tool prints)` line replacements applied to diesel's text
/// before comparing. Each is a decision, explained where it is listed.
type Adjustments = &'static [(&'static str, &'static str)];

/// SQLite: none (`NUMERIC` is `Double`, as print-schema says).
const SQLITE: Adjustments = &[];

/// The SQL types print-schema defines (enums) derive `QueryId` and `Clone` besides `SqlType`, as
/// the `diesel.toml` of `diesel setup` asks; print-schema run without that file derives
/// `SqlType` alone.
const SQL_TYPE_DERIVES: (&str, &str) = (
    "    #[derive(diesel::sql_types::SqlType)]\n",
    "    #[derive(diesel::query_builder::QueryId, Clone, diesel::sql_types::SqlType)]\n",
);

const POSTGRES: Adjustments = &[SQL_TYPE_DERIVES];

const MYSQL: Adjustments = &[SQL_TYPE_DERIVES];

/// MariaDB stores `JSON` as `LONGTEXT` (with a check), which print-schema calls `Longtext`; the
/// renderer cannot tell MariaDB from MySQL and says `Json`, MySQL's answer and the type a
/// `serde_json::Value` field needs.
const MARIADB: Adjustments = &[
    SQL_TYPE_DERIVES,
    ("        doc -> Longtext,\n", "        doc -> Json,\n"),
    (
        "        doc_null -> Nullable<Longtext>,\n",
        "        doc_null -> Nullable<Json>,\n",
    ),
    // The same, in the sentence `--with-docs` writes.
    ("SQL type is `Longtext`.", "SQL type is `Json`."),
    (
        "SQL type is `Nullable<Longtext>`.",
        "SQL type is `Nullable<Json>`.",
    ),
];

#[derive(Clone, Copy, PartialEq)]
enum Backend {
    Sqlite,
    Postgres,
    Mysql,
}

/// The models: every vocabulary type the backend supports in print-schema, and the key shapes
/// print-schema treats differently.
fn models(backend: Backend) -> String {
    // SQLite keys are 32-bit (print-schema calls every rowid key `Integer`).
    let key = if backend == Backend::Sqlite {
        "i32"
    } else {
        "i64"
    };
    // print-schema rejects these declared types on SQLite ("Unsupported type").
    let server_types = if backend == Backend::Sqlite {
        ""
    } else {
        r#"    #[model(sql_type = "timestamptz")]
    pub stamped: String,
    #[model(sql_type = "timestamptz")]
    pub stamped_null: Option<String>,
    #[model(sql_type = "uuid")]
    pub token: String,
    #[model(sql_type = "uuid")]
    pub token_null: Option<String>,
    #[model(sql_type = "json")]
    pub doc: String,
    #[model(sql_type = "json")]
    pub doc_null: Option<String>,
"#
    };
    // print-schema refuses a PostgreSQL or MySQL table without a primary key; on SQLite it
    // keys the table by its rowid.
    let keyless = if backend == Backend::Sqlite {
        r#"
#[derive(Model)]
#[model(table = "events")]
pub struct Event {
    pub name: String,
    pub happened: Option<i64>,
}
"#
    } else {
        ""
    };
    format!(
        r#"use migrate_core::{{Model, ModelEnum}};

#[derive(ModelEnum, Debug)]
pub enum Mood {{
    Happy,
    #[model(rename = "it's complicated")]
    Complicated,
}}

/// People who write.
///
/// One row per account.
#[derive(Model)]
#[model(table = "users")]
pub struct User {{
    pub id: i32,
    /// Where receipts go.
    #[model(max_length = 120, unique)]
    pub email: String,
    pub display_name: Option<String>,
    #[model(references = "users.id")]
    pub manager_id: Option<i32>,
}}

#[derive(Model)]
#[model(table = "posts")]
pub struct Post {{
    pub id: i32,
    #[model(references = "users.id", on_delete = "cascade", index)]
    pub author_id: i32,
    /// Not what the database keeps.
    #[model(max_length = 200, comment = "Shown in lists")]
    pub title: String,
    #[model(column = "type")]
    pub kind: String,
    #[model(column = "posts")]
    pub self_named: Option<i32>,
}}

#[derive(Model)]
#[model(table = "messages")]
pub struct Message {{
    pub id: {key},
    #[model(references = "users.id")]
    pub sender_id: i32,
    #[model(references = "users.id")]
    pub recipient_id: Option<i32>,
    pub body: String,
}}

#[derive(Model)]
#[model(table = "tags")]
pub struct Tag {{
    pub id: i32,
    pub name: String,
}}

#[derive(Model)]
#[model(table = "post_tags", primary_key(post_id, tag_id))]
pub struct PostTag {{
    #[model(references = "posts.id")]
    pub post_id: i32,
    #[model(references = "tags.id")]
    pub tag_id: i32,
}}

#[derive(Model)]
#[model(table = "profiles")]
pub struct Profile {{
    pub id: i32,
    #[model(references = "users.email", max_length = 120)]
    pub user_email: String,
}}

#[derive(Model)]
#[model(table = "match")]
pub struct Match {{
    pub id: i32,
    #[model(column = "select")]
    pub select_: Option<String>,
    #[model(column = "ref")]
    pub reference: String,
    #[model(references = "users.id")]
    pub user_id: i32,
}}

#[derive(Model)]
#[model(table = "all_types")]
pub struct AllTypes {{
    pub id: {key},
    pub small: i16,
    pub small_null: Option<i16>,
    pub int_col: i32,
    pub int_null: Option<i32>,
    pub big: i64,
    pub big_null: Option<i64>,
    pub real_col: f32,
    pub real_null: Option<f32>,
    pub double_col: f64,
    pub double_null: Option<f64>,
    #[model(sql_type = "numeric(10,2)")]
    pub price: String,
    #[model(sql_type = "numeric(12,4)")]
    pub price_null: Option<String>,
    #[model(sql_type = "numeric")]
    pub amount: String,
    #[model(sql_type = "numeric")]
    pub amount_null: Option<String>,
    pub flag: bool,
    pub flag_null: Option<bool>,
    pub body: String,
    pub body_null: Option<String>,
    #[model(max_length = 50)]
    pub code: String,
    #[model(max_length = 255)]
    pub code_null: Option<String>,
    pub data: Vec<u8>,
    pub data_null: Option<Vec<u8>>,
    #[model(sql_type = "date")]
    pub day: String,
    #[model(sql_type = "date")]
    pub day_null: Option<String>,
    #[model(sql_type = "time")]
    pub at: String,
    #[model(sql_type = "time")]
    pub at_null: Option<String>,
    #[model(sql_type = "timestamp")]
    pub created: String,
    #[model(sql_type = "timestamp")]
    pub created_null: Option<String>,
    pub mood: Mood,
    pub mood_null: Option<Mood>,
{server_types}}}
{keyless}"#
    )
}

/// `diesel print-schema` for `url` with `args`, run in `dir` (which has no `diesel.toml`).
fn print_schema(diesel: &Path, dir: &Path, url: &str, args: &[&str]) -> String {
    let out = Command::new(diesel)
        .args(["print-schema", "--database-url", url])
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("diesel runs");
    assert!(
        out.status.success(),
        "diesel print-schema failed:\n{}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The text of a committed snapshot of this file (`print_schema__NAME.snap`), without insta's
/// header.
fn committed_snapshot(name: &str) -> String {
    let path = workspace_root().join(format!("tests/tests/snapshots/print_schema__{name}.snap"));
    let file = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with diesel installed", path.display()));
    let body = file
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .unwrap_or_else(|| panic!("{}: not an insta snapshot", path.display()));
    format!("{}\n", body.trim_end())
}

fn adjust(printed: &str, adjustments: Adjustments) -> String {
    let mut text = printed.to_string();
    for (diesel, ours) in adjustments {
        text = text.replace(diesel, ours);
    }
    text
}

/// A project of `models(backend)` with `migrate` run for `url`'s backend; its `schema_rs`.
fn migrated_project(backend: Backend, url: &str) -> (Project, String) {
    let project = Project::new("print_schema_models", &models(backend));
    project.ok(&["init"]);
    project.ok(&["--database-url", url, "migrate", "-m", "initial"]);
    let schema_rs = project.read("src/schema.rs");
    (project, schema_rs)
}

/// Migrates a live database at `url`, then compares `schema`, `schema_rs` and print-schema.
fn compare_live(backend: Backend, url: &str, snapshot: &str, adjustments: Adjustments) {
    let (project, schema_rs) = migrated_project(backend, url);
    project.ok(&["--database-url", url, "upgrade"]);
    // The same database, read by both tools one right after the other.
    let ours = project.ok(&["--database-url", url, "schema"]);
    let printed = match diesel_cli() {
        Some(diesel) => {
            let printed = print_schema(&diesel, project.path(), url, &[]);
            insta::assert_snapshot!(snapshot, printed);
            printed
        }
        None => {
            eprintln!(
                "diesel_cli 2.3 not found (PATH, ~/.cargo/bin, /work/tools/bin): the live \
                 comparison with print-schema is skipped; comparing with the committed \
                 snapshot of what it printed"
            );
            committed_snapshot(snapshot)
        }
    };
    assert_eq!(
        ours,
        adjust(&printed, adjustments),
        "`migrate-cli schema` differs from `diesel print-schema`"
    );
    assert_eq!(
        schema_rs, ours,
        "the schema_rs `migrate` wrote differs from `schema` after upgrade"
    );

    // With doc comments, in both of print-schema's modes that write any.
    for (args, mode) in [
        (&["--with-docs"][..], "with_docs"),
        (
            &["--with-docs-config", "only-database-comments"][..],
            "only_database_comments",
        ),
    ] {
        let name = format!("{snapshot}_{mode}");
        let ours = project.ok(&[&["--database-url", url, "schema"][..], args].concat());
        let printed = match diesel_cli() {
            Some(diesel) => {
                let printed = print_schema(&diesel, project.path(), url, args);
                insta::assert_snapshot!(name.as_str(), printed);
                printed
            }
            None => committed_snapshot(&name),
        };
        assert_eq!(
            ours,
            adjust(&printed, adjustments),
            "`migrate-cli schema {}` differs from `diesel print-schema`",
            args.join(" ")
        );
        // The models' comments reach the file where the database keeps them (not on SQLite).
        let commented = [
            "    /// People who write.\n    ///\n    /// One row per account.\n    users (id) {\n",
            "        /// Where receipts go.\n        #[max_length = 120]\n        email -> Varchar,\n",
            "        /// Shown in lists\n",
        ];
        for lines in commented {
            assert_eq!(
                ours.contains(lines),
                backend != Backend::Sqlite,
                "{mode}: {lines:?} in\n{ours}"
            );
        }
        assert_eq!(
            ours.contains("/// Representation of the `tags` table.\n"),
            mode == "with_docs",
            "{ours}"
        );
    }
}

/// Without a server: the `schema_rs` `migrate` writes for the backend, against the snapshot.
fn compare_offline(backend: Backend, url: &str, snapshot: &str, adjustments: Adjustments) {
    let (_project, schema_rs) = migrated_project(backend, url);
    assert_eq!(
        schema_rs,
        adjust(&committed_snapshot(snapshot), adjustments),
        "the schema_rs `migrate` wrote differs from what print-schema printed"
    );
}

#[test]
fn sqlite_schema_equals_print_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("app.db").display().to_string();
    compare_live(Backend::Sqlite, &url, "sqlite", SQLITE);
}

#[test]
fn postgres_schema_equals_print_schema() {
    match ServerDb::create(
        "postgres",
        POSTGRES_URL,
        "postgres_schema_equals_print_schema",
    ) {
        Some(db) => compare_live(Backend::Postgres, &db.url, "postgres", POSTGRES),
        None => compare_offline(
            Backend::Postgres,
            "postgres://offline@127.0.0.1:1/none",
            "postgres",
            POSTGRES,
        ),
    }
}

#[test]
fn mysql_schema_equals_print_schema() {
    match ServerDb::create("mysql", MYSQL_URL, "mysql_schema_equals_print_schema") {
        Some(db) => {
            if db.sql("SELECT VERSION()").contains("MariaDB") {
                compare_live(Backend::Mysql, &db.url, "mariadb", MARIADB);
            } else {
                compare_live(Backend::Mysql, &db.url, "mysql", MYSQL);
            }
        }
        // The committed snapshot is MariaDB's (what CI runs).
        None => compare_offline(
            Backend::Mysql,
            "mysql://offline@127.0.0.1:1/none",
            "mariadb",
            MARIADB,
        ),
    }
}

#[path = "support/type_fixtures.rs"]
mod type_fixtures;

/// `migrate-cli schema` and `diesel print-schema` on a database written in plain SQL (no
/// project: `schema` reads the database alone).
fn fixture_texts(url: &str) -> (String, Option<Result<String, String>>) {
    let dir = tempfile::tempdir().unwrap();
    let out = migrate_tests::run_cli(dir.path(), &["--database-url", url, "schema"]);
    assert!(
        out.status.success(),
        "migrate-cli schema failed: {}",
        text(&out.stderr)
    );
    let ours = text(&out.stdout);
    let printed = diesel_cli().map(|diesel| {
        let out = Command::new(diesel)
            .args(["print-schema", "--database-url", url])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .expect("diesel runs");
        if out.status.success() {
            Ok(text(&out.stdout))
        } else {
            Err(text(&out.stderr))
        }
    });
    (ours, printed)
}

/// Compares `schema` with print-schema on the fixture database; without diesel_cli, says so.
fn compare_fixture(url: &str, adjustments: Adjustments) -> String {
    let (ours, printed) = fixture_texts(url);
    match printed {
        Some(Ok(printed)) => assert_eq!(
            ours,
            adjust(&printed, adjustments),
            "`migrate-cli schema` differs from `diesel print-schema` on the fixture database"
        ),
        Some(Err(e)) => panic!("diesel print-schema failed: {e}"),
        None => eprintln!("diesel_cli 2.3 not found: the fixture comparison is skipped"),
    }
    ours
}

/// print-schema's `Mediumint` and `Year` types (`mysql_type(name = "Mediumint")`) do not
/// compile; Diesel loads those columns as `Integer` and `Smallint`, which the renderer writes.
/// Nor do its `Geometry` and `Point`, declared `Blob` instead.
const MYSQL_FIXTURE: Adjustments = &[
    (
        "\n    #[derive(diesel::sql_types::SqlType)]\n    #[diesel(mysql_type(name = \"Mediumint\"))]\n    pub struct EveryTypeMiMediumint;\n",
        "",
    ),
    (
        "\n    #[derive(diesel::sql_types::SqlType)]\n    #[diesel(mysql_type(name = \"Mediumint\"))]\n    pub struct EveryTypeMiUMediumint;\n",
        "",
    ),
    (
        "\n    #[derive(diesel::sql_types::SqlType)]\n    #[diesel(mysql_type(name = \"Year\"))]\n    pub struct EveryTypeYYear;\n",
        "",
    ),
    ("    use super::sql_types::EveryTypeMiMediumint;\n", ""),
    ("    use super::sql_types::EveryTypeMiUMediumint;\n", ""),
    ("    use super::sql_types::EveryTypeYYear;\n", ""),
    // `Geometry` and `Point` are no `MysqlType` either: spatial values travel as bytes.
    (
        "#[diesel(mysql_type(name = \"Geometry\"))]",
        "#[diesel(mysql_type(name = \"Blob\"))]",
    ),
    (
        "#[diesel(mysql_type(name = \"Point\"))]",
        "#[diesel(mysql_type(name = \"Blob\"))]",
    ),
    (
        "        mi -> Nullable<EveryTypeMiMediumint>,\n",
        "        mi -> Nullable<Integer>,\n",
    ),
    (
        "        mi_u -> Nullable<Unsigned<EveryTypeMiUMediumint>>,\n",
        "        mi_u -> Nullable<Unsigned<Integer>>,\n",
    ),
    (
        "        y -> Nullable<EveryTypeYYear>,\n",
        "        y -> Nullable<Smallint>,\n",
    ),
    SQL_TYPE_DERIVES,
];

/// SQLite: `INTEGER PRIMARY KEY` without `NOT NULL` is the rowid, never NULL; print-schema
/// reads `notnull = 0` and says `Nullable<Integer>`, which the `i32` key field of a model
/// cannot load into, so the renderer says `Integer`.
const SQLITE_FIXTURE: Adjustments = &[
    (
        "        id -> Nullable<Integer>,\n",
        "        id -> Integer,\n",
    ),
    (
        "        address_id -> Nullable<Integer>,\n",
        "        address_id -> Integer,\n",
    ),
    // A `BIGINT` key to an `INTEGER` one: print-schema's `joinable!` does not compile.
    (
        "diesel::joinable!(mention -> address (address_id));\n\n",
        "",
    ),
];

#[test]
fn sqlite_fixture_schema_equals_print_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.db");
    let status = Command::new("sqlite3")
        .arg(&path)
        .arg(type_fixtures::SQLITE)
        .status()
        .expect("sqlite3 runs");
    assert!(status.success());
    let ours = compare_fixture(&path.display().to_string(), SQLITE_FIXTURE);
    assert!(ours.contains("        #[sql_name = \"address\"]\n        address_ -> Text,\n"));
    assert!(ours.contains("    event_log (rowid) {\n"), "{ours}");
    // No declared type: SQLite's BLOB affinity, which print-schema reads as `Binary`.
    assert!(
        ours.contains("        anything -> Nullable<Binary>,\n"),
        "{ours}"
    );
    assert!(
        ours.contains("        ubi -> Nullable<BigInt>,\n"),
        "{ours}"
    );
}

#[test]
fn postgres_fixture_schema_equals_print_schema() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "postgres_fixture") else {
        return;
    };
    db.sql(type_fixtures::POSTGRES);
    let ours = compare_fixture(&db.url, POSTGRES);
    assert!(
        ours.contains("        vc_any -> Nullable<Varchar>,\n"),
        "{ours}"
    );
    assert!(ours.contains("        #[sql_name = \"address\"]\n        address_ -> Text,\n"));
    // Partitions and inheritance children are tables of their own.
    for table in [
        "measurement_2024 (id, logdate)",
        "city_south (id, region)",
        "truck (id)",
    ] {
        assert!(ours.contains(&format!("    {table} {{\n")), "{ours}");
    }

    // A table without a primary key: print-schema refuses the database, `schema` names it.
    db.sql(type_fixtures::POSTGRES_KEYLESS);
    let (ours, printed) = fixture_texts(&db.url);
    if let Some(printed) = printed {
        let e = printed.expect_err("print-schema refuses a table without a primary key");
        assert!(e.contains("event_log"), "{e}");
    }
    assert!(
        ours.contains(
            "// Left out: table `event_log` has no primary key, which Diesel's `table!` needs.\n"
        ),
        "{ours}"
    );
}

#[test]
fn mysql_fixture_schema_equals_print_schema() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "mysql_fixture") else {
        return;
    };
    db.sql(type_fixtures::MYSQL);
    let ours = compare_fixture(&db.url, MYSQL_FIXTURE);
    assert!(
        ours.contains("        ts -> Nullable<Timestamp>,\n"),
        "{ours}"
    );
    assert!(
        ours.contains("        bi_u -> Nullable<Unsigned<Bigint>>,\n"),
        "{ours}"
    );
}
