//! The models `adopt --models` writes compile with Diesel against the `table!` file `schema`
//! writes, and load every row, on a database of every column type (`support/type_fixtures.rs`)
//! per backend: one throwaway crate per backend, whose dependencies are the crates and Diesel
//! features `adopt` names.

use std::process::Command;

use migrate_tests::{text, workspace_root, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

#[path = "support/type_fixtures.rs"]
mod type_fixtures;

/// `(struct, table module, rows)` of each fixture table.
type Tables = &'static [(&'static str, &'static str, usize)];

/// A Diesel project (`diesel.toml`, an empty `migrations/`) adopted with `--models` from `url`;
/// `src/schema.rs` is what `migrate-cli schema` writes. Returns the project and the crates and
/// Diesel features `adopt` named.
fn adopt(name: &str, url: &str) -> (Project, Vec<String>, Vec<String>) {
    let project = Project::new(name, "");
    std::fs::remove_file(project.file("src/models.rs")).unwrap();
    project.write("src/lib.rs", "pub mod schema;\n");
    project.write("diesel.toml", "[print_schema]\nfile = \"src/schema.rs\"\n");
    std::fs::create_dir_all(project.file("migrations")).unwrap();
    let schema = project.ok(&["--database-url", url, "schema"]);
    project.write("src/schema.rs", &schema);
    let out = project.ok(&["--database-url", url, "adopt", "--models", "src/models.rs"]);
    let listed = |prefix: &str, suffix: &str| -> Vec<String> {
        out.lines()
            .find_map(|l| l.trim().strip_prefix(prefix))
            .and_then(|rest| rest.split_once(suffix))
            .map(|(list, _)| list.split(", ").map(str::to_string).collect())
            .unwrap_or_default()
    };
    let crates = listed("The models use ", ":");
    let features = listed("Diesel needs the features ", " for these models");
    // The adopted models describe the database exactly.
    let migrate = project.ok(&["--database-url", url, "migrate", "-m", "after adopt"]);
    assert!(migrate.contains("No changes detected"), "{migrate}");
    (project, crates, features)
}

/// The crate's manifest: migrate-core and Diesel for `backend`, and what `adopt` named.
fn manifest(name: &str, backend: &str, crates: &[String], features: &[String]) -> String {
    let core = workspace_root().join("migrate-core");
    let mut diesel_features = vec![format!("{backend:?}")];
    diesel_features.extend(features.iter().map(|f| format!("{f:?}")));
    let mut core_features = vec![format!("{backend:?}")];
    let mut deps = String::new();
    for name in crates {
        let version = match name.as_str() {
            "chrono" => "{ version = \"0.4\", default-features = false, features = [\"clock\"] }",
            "bigdecimal" => "\"0.4\"",
            "uuid" => "\"1\"",
            "serde_json" => "\"1\"",
            "ipnetwork" => "\">=0.20, <0.22\"",
            other => panic!("adopt named a crate this test does not know: {other}"),
        };
        deps.push_str(&format!("{name} = {version}\n"));
        if matches!(
            name.as_str(),
            "chrono" | "bigdecimal" | "uuid" | "serde_json"
        ) {
            core_features.push(format!("{name:?}"));
        }
    }
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
migrate-core = {{ path = {core:?}, features = [{}] }}
diesel = {{ version = "2.3", default-features = false, features = [{}] }}
{deps}"#,
        core_features.join(", "),
        diesel_features.join(", ")
    )
}

/// The program that loads every table through its model and prints the row counts, then
/// inserts the first row of `reinsert` (a table with generated columns and an `i32` key `id`)
/// again under a new key through the same struct, which Diesel's `Insertable` must do without
/// the generated columns, and prints that table's count again.
fn load_program(name: &str, connection: &str, tables: Tables, reinsert: &str) -> String {
    let mut body = String::new();
    for (model, table, _) in tables {
        body.push_str(&format!(
            "    let rows: Vec<{name}::models::{model}> = {name}::schema::{table}::table\n        .select({name}::models::{model}::as_select())\n        .load(&mut conn)\n        .expect(\"{table} loads\");\n    println!(\"{table} {{}}\", rows.len());\n"
        ));
        if *table == reinsert {
            body.push_str(&format!(
                "    let mut again = rows.into_iter().next().expect(\"a row\");\n    again.id = 1000;\n    diesel::insert_into({name}::schema::{table}::table)\n        .values(&again)\n        .execute(&mut conn)\n        .expect(\"{table} inserts without its generated columns\");\n    let count: i64 = {name}::schema::{table}::table.count().get_result(&mut conn).unwrap();\n    println!(\"{table} reinserted {{count}}\");\n"
            ));
        }
    }
    format!(
        "use diesel::prelude::*;\n\nfn main() {{\n    let url = std::env::args().nth(1).expect(\"a database URL\");\n    let mut conn = diesel::{connection}::establish(&url).expect(\"the database opens\");\n{body}}}\n"
    )
}

/// Builds the crate `name` for `backend` (Diesel's `connection` type) with the adopted
/// crates and features, runs the load program and checks the row counts.
fn build_and_load(
    (name, backend, connection): (&str, &str, &str),
    url: &str,
    project: &Project,
    adopted: (&[String], &[String]),
    tables: Tables,
    reinsert: &str,
) {
    project.write("Cargo.toml", &manifest(name, backend, adopted.0, adopted.1));
    std::fs::create_dir_all(project.file("examples")).unwrap();
    project.write(
        "examples/load.rs",
        &load_program(name, connection, tables, reinsert),
    );
    let run = project.cargo(&["run", "--quiet", "--example", "load", "--", url]);
    assert!(
        run.status.success(),
        "the adopted models do not compile or load:\n{}\n--- models.rs\n{}\n--- schema.rs\n{}",
        text(&run.stderr),
        project.read("src/models.rs"),
        project.read("src/schema.rs")
    );
    let expected: String = tables
        .iter()
        .map(|(_, table, rows)| {
            let mut line = format!("{table} {rows}\n");
            if *table == reinsert {
                line.push_str(&format!("{table} reinserted {}\n", rows + 1));
            }
            line
        })
        .collect();
    assert_eq!(text(&run.stdout), expected);
}

#[test]
fn sqlite_adopted_models_compile_and_load_every_row() {
    let name = "adopted_types_sqlite";
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("app.db");
    let status = Command::new("sqlite3")
        .arg(&db_path)
        .arg(type_fixtures::SQLITE)
        .status()
        .expect("sqlite3 runs");
    assert!(status.success());
    let url = db_path.display().to_string();
    let (project, crates, features) = adopt(name, &url);
    let models = project.read("src/models.rs");
    assert!(models.contains("pub address_: String,"), "{models}");
    assert!(models.contains("pub dec: Option<f64>,"), "{models}");
    // No declared type: kept as none, loaded as bytes as print-schema's `Binary` says.
    assert!(
        models
            .contains("    #[model(sql_type = \"custom()\")]\n    pub anything: Option<Vec<u8>>,"),
        "{models}"
    );
    assert!(
        models.contains("    #[diesel(skip_insertion)]\n    pub plus_one: Option<i32>,"),
        "{models}"
    );
    build_and_load(
        (name, "sqlite", "SqliteConnection"),
        &url,
        &project,
        (&crates, &features),
        &[
            ("Address", "address", 1),
            ("EventLog", "event_log", 1),
            ("EveryType", "every_type", 2),
            ("Loose", "loose", 3),
            ("Mention", "mention", 1),
        ],
        "loose",
    );
}

#[test]
fn postgres_adopted_models_compile_and_load_every_row() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "postgres_adopted_models") else {
        return;
    };
    db.sql(type_fixtures::POSTGRES);
    let name = "adopted_types_postgres";
    let (project, crates, features) = adopt(name, &db.url);
    let models = project.read("src/models.rs");
    assert!(models.contains("pub address_: String,"), "{models}");
    assert!(
        models.contains("partition_of(parent = \"city\", bound = \"FOR VALUES IN ('north')\")"),
        "{models}"
    );
    assert!(
        models.contains("#[model(inherits(\"vehicle\"))]"),
        "{models}"
    );
    // A `serde_json::Value` field is `json` by itself and says `jsonb` (`adopt` checks with
    // `migrate` that both read back as the columns are).
    assert!(
        models.contains("    pub u: Option<uuid::Uuid>,\n    pub j: Option<serde_json::Value>,\n"),
        "{models}"
    );
    assert!(
        models.contains(
            "    #[model(sql_type = \"jsonb\")]\n    pub jb: Option<serde_json::Value>,\n"
        ),
        "{models}"
    );
    assert_eq!(
        models.matches("#[diesel(skip_insertion)]").count(),
        2,
        "{models}"
    );
    assert!(
        features.iter().any(|f| f == "64-column-tables"),
        "{features:?}"
    );
    build_and_load(
        (name, "postgres", "PgConnection"),
        &db.url,
        &project,
        (&crates, &features),
        &[
            ("Address", "address", 2),
            ("EveryType", "every_type", 2),
            ("Match", "match_", 1),
            ("Measurement", "measurement", 3),
            ("Measurement2024", "measurement_2024", 1),
            ("Measurement2025", "measurement_2025", 2),
            ("City", "city", 3),
            ("CityNorth", "city_north", 1),
            ("CitySouth", "city_south", 2),
            // A parent's rows include its inheritance children's.
            ("Vehicle", "vehicle", 3),
            ("Truck", "truck", 2),
            ("LineItem", "line_item", 2),
        ],
        "line_item",
    );
}

#[test]
fn mysql_adopted_models_compile_and_load_every_row() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "mysql_adopted_models") else {
        return;
    };
    db.sql(type_fixtures::MYSQL);
    let mariadb = db.sql("SELECT VERSION()").contains("MariaDB");
    if mariadb {
        db.sql(type_fixtures::MARIADB);
    }
    let name = "adopted_types_mysql";
    let (project, crates, features) = adopt(name, &db.url);
    let models = project.read("src/models.rs");
    assert!(
        models.contains("pub ts: Option<chrono::NaiveDateTime>,"),
        "{models}"
    );
    assert!(models.contains("pub bi_u: Option<u64>,"), "{models}");
    assert_eq!(
        models.matches("#[diesel(skip_insertion)]").count(),
        4,
        "{models}"
    );
    build_and_load(
        (name, "mysql", "MysqlConnection"),
        &db.url,
        &project,
        (&crates, &features),
        if mariadb {
            &[
                ("Address", "address", 1),
                ("Device", "device", 1),
                ("EveryType", "every_type", 2),
                ("LineItem", "line_item", 2),
                ("Place", "place", 1),
            ]
        } else {
            &[
                ("Address", "address", 1),
                ("EveryType", "every_type", 2),
                ("LineItem", "line_item", 2),
                ("Place", "place", 1),
            ]
        },
        "line_item",
    );
}
