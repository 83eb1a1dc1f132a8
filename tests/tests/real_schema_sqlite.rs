//! SQLite, table by table: every scenario of issues 15 and 16 that SQLite has, on a real
//! database with rows (created, changed by the planned `up`, read back exactly, nothing left to
//! plan, compared with the target built from scratch, and `down` gives the start back); and a
//! database written by hand in the style of a public sample schema, read back and created again
//! in an empty database, which reads back equal.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;
use migrate_core::dialect::{render_all, Backend, Dialect, SqliteDialect};
use migrate_core::diff::diff;
use migrate_core::introspect::introspect_sqlite;
use migrate_core::schema::{
    Column, Deferrable, Identity, IndexColumn, Schema, SqlType, Table, TableOptions,
};
use migrate_tests::catalogue::real_schema_scenarios;
use migrate_tests::scenario::{
    apply, by_column_name, connect, count, live_schema, run_statements, values, Data, Scenario,
};

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A literal for row `i` that every type these scenarios use accepts, STRICT tables included.
fn literal(ty: &SqlType, i: usize) -> String {
    match ty {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt | SqlType::Boolean => i.to_string(),
        SqlType::Real | SqlType::Double | SqlType::Numeric(_) => format!("{i}.25"),
        SqlType::Binary => format!("X'0{i}'"),
        SqlType::Timestamp | SqlType::TimestampTz => format!("'2026-01-0{i} 10:00:00'"),
        SqlType::Custom(name) if name.to_ascii_uppercase().contains("INT") => i.to_string(),
        SqlType::Custom(name) if name.to_ascii_uppercase().contains("DEC") => format!("{i}.5"),
        _ => format!("'v{i}'"),
    }
}

/// Rows in every table, generated columns left to the database.
fn seed(conn: &mut SqliteConnection, schema: &Schema, rows: usize, nulls: bool) {
    let mut statements = Vec::new();
    for table in &schema.tables {
        let columns: Vec<&Column> = table
            .columns
            .iter()
            .filter(|c| c.generated.is_none())
            .collect();
        if columns.is_empty() {
            continue;
        }
        for i in 1..=rows {
            let row: Vec<String> = columns
                .iter()
                .map(|c| {
                    if c.nullable && nulls && i == rows {
                        "NULL".into()
                    } else if let SqlType::Enum(name) = &c.ty {
                        format!("'{}'", schema.enum_values(name)[0])
                    } else {
                        literal(&c.ty, i)
                    }
                })
                .collect();
            let names: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
            statements.push(format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote(&table.name),
                names.join(", "),
                row.join(", ")
            ));
        }
    }
    run_statements(conn, "seeding", &statements).unwrap();
}

/// `schema` created from nothing in a fresh database, and read back: the target as the engine
/// itself writes it, so that expression texts compare as SQLite keeps them.
fn built_from_scratch(schema: &Schema) -> Schema {
    let mut conn = connect();
    let create = diff(&Schema::default(), schema).unwrap().up;
    apply(&mut conn, "from scratch", &Schema::default(), &create).unwrap();
    live_with_comments(&mut conn, schema)
}

/// The live schema with the comments of `expected`: SQLite has nowhere to keep them and the
/// snapshot keeps them, so introspection reads none (and invents none).
fn live_with_comments(conn: &mut SqliteConnection, expected: &Schema) -> Schema {
    let mut live = live_schema(conn, expected);
    migrate_tests::take_sqlite_comments(&mut live, expected);
    live
}

/// The live database is `expected` exactly (columns compared by name), and a diff between
/// them plans nothing.
fn assert_live(conn: &mut SqliteConnection, expected: &Schema, what: &str) {
    let live = live_with_comments(conn, expected);
    let plan = diff(&live, expected).unwrap_or_else(|e| panic!("{what}: diff failed: {e}"));
    assert!(plan.is_empty(), "{what}: still planned: {:?}", plan.changes);
    assert_eq!(
        by_column_name(live),
        by_column_name(expected.clone()),
        "{what}: live schema"
    );
}

fn sqlite_scenarios() -> Vec<Scenario> {
    real_schema_scenarios()
        .into_iter()
        .filter(|s| s.runs_on(Backend::Sqlite))
        .collect()
}

/// Rows of each table `up` keeps, by name.
fn row_counts(conn: &mut SqliteConnection, schema: &Schema, kept: &Schema) -> Vec<(String, usize)> {
    schema
        .tables
        .iter()
        .filter(|t| kept.table(&t.name).is_some())
        .map(|t| (t.name.clone(), count(conn, &t.name)))
        .collect()
}

fn round_trip(scenario: &Scenario) {
    let name = scenario.name;
    let plan = scenario.plan();
    let mut conn = connect();
    let create = diff(&Schema::default(), &scenario.before).unwrap().up;
    apply(&mut conn, name, &Schema::default(), &create).unwrap_or_else(|e| panic!("{e}"));
    assert_live(&mut conn, &scenario.before, &format!("{name}: before"));
    seed(&mut conn, &scenario.before, scenario.rows, scenario.nulls);
    let rows = row_counts(&mut conn, &scenario.before, &scenario.after);

    let end = apply(
        &mut conn,
        &format!("{name}: up"),
        &scenario.before,
        &plan.up,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        by_column_name(end.clone()),
        by_column_name(scenario.after.clone()),
        "{name}: up"
    );
    assert_live(&mut conn, &scenario.after, &format!("{name}: after up"));
    assert_eq!(
        by_column_name(live_with_comments(&mut conn, &scenario.after)),
        by_column_name(built_from_scratch(&scenario.after)),
        "{name}: after up, against the target built from scratch"
    );
    assert_eq!(
        row_counts(&mut conn, &scenario.before, &scenario.after),
        rows,
        "{name}: rows after up"
    );

    if scenario.data == Data::Lost {
        let wipe: Vec<String> = end
            .tables
            .iter()
            .map(|t| format!("DELETE FROM {}", quote(&t.name)))
            .collect();
        run_statements(&mut conn, "emptying", &wipe).unwrap();
    }
    apply(&mut conn, &format!("{name}: down"), &end, &plan.down).unwrap_or_else(|e| panic!("{e}"));
    assert_live(&mut conn, &scenario.before, &format!("{name}: after down"));
    if scenario.data != Data::Lost {
        assert_eq!(
            row_counts(&mut conn, &scenario.before, &scenario.after),
            rows,
            "{name}: rows after down"
        );
    }
}

#[test]
fn every_sqlite_scenario_round_trips_with_rows() {
    let scenarios = sqlite_scenarios();
    assert!(scenarios.len() >= 20, "{} scenarios", scenarios.len());
    for scenario in &scenarios {
        round_trip(scenario);
    }
}

/// Each operation rendered on its own (`Dialect::render`, one rebuild per change) reaches the
/// same database as the merged rendering.
#[test]
fn every_sqlite_scenario_renders_one_operation_at_a_time() {
    for scenario in sqlite_scenarios() {
        let name = scenario.name;
        let mut conn = connect();
        let create = diff(&Schema::default(), &scenario.before).unwrap().up;
        apply(&mut conn, name, &Schema::default(), &create).unwrap_or_else(|e| panic!("{e}"));
        seed(&mut conn, &scenario.before, scenario.rows, scenario.nulls);
        let mut schema = scenario.before.clone();
        let mut statements = Vec::new();
        for op in &scenario.plan().up {
            let before = schema.clone();
            op.apply(&mut schema).unwrap();
            statements.extend(
                SqliteDialect
                    .render(op, &before, &schema)
                    .unwrap_or_else(|e| panic!("{name}: {e}")),
            );
        }
        run_statements(&mut conn, name, &statements).unwrap_or_else(|e| panic!("{e}"));
        assert_live(
            &mut conn,
            &scenario.after,
            &format!("{name}: one at a time"),
        );
    }
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct Sql {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
}

fn master(conn: &mut SqliteConnection) -> Vec<Sql> {
    diesel::sql_query("SELECT name, sql FROM sqlite_master ORDER BY name")
        .load(conn)
        .unwrap()
}

/// A key is AUTOINCREMENT only where the model asks for it: SQLite then keeps
/// `sqlite_sequence` and never reuses an id.
#[test]
fn autoincrement_only_where_asked() {
    let scenario = sqlite_scenarios()
        .into_iter()
        .find(|s| s.name == "add_sqlite_autoincrement")
        .unwrap();
    let mut conn = connect();
    let create = diff(&Schema::default(), &scenario.before).unwrap().up;
    let start = apply(&mut conn, "plain", &Schema::default(), &create).unwrap();
    let tables = master(&mut conn);
    assert!(!tables.iter().any(|t| t.name == "sqlite_sequence"));
    assert!(!tables
        .iter()
        .any(|t| t.sql.as_deref().unwrap_or("").contains("AUTOINCREMENT")));
    // A plain rowid key reuses the highest id after a delete.
    conn.batch_execute(
        "INSERT INTO logs (line) VALUES ('a'), ('b'); DELETE FROM logs WHERE id = 2; INSERT INTO logs (line) VALUES ('c')",
    )
    .unwrap();
    assert_eq!(values(&mut conn, "logs", "id"), ["1", "2"]);
    let live = introspect_sqlite(&mut conn).unwrap();
    assert_eq!(live.tables[0].columns[0].identity, None);
    assert!(live.tables[0].columns[0].auto_increment);

    apply(&mut conn, "up", &start, &scenario.plan().up).unwrap();
    let tables = master(&mut conn);
    assert!(tables.iter().any(|t| t.name == "sqlite_sequence"));
    let live = introspect_sqlite(&mut conn).unwrap();
    assert_eq!(
        live.tables[0].columns[0].identity,
        Some(Identity::Autoincrement)
    );
    conn.batch_execute(
        "INSERT INTO logs (line) VALUES ('d'); DELETE FROM logs WHERE id = 3; INSERT INTO logs (line) VALUES ('e')",
    )
    .unwrap();
    assert_eq!(values(&mut conn, "logs", "id"), ["1", "2", "4"]);
}

/// What SQLite cannot hold where it is placed is refused by name, never written another way.
#[test]
fn misplaced_keys_and_strict_types_are_refused() {
    let composite = real_schema_scenarios()
        .into_iter()
        .find(|s| s.name == "auto_increment_first_column_of_composite_key")
        .unwrap();
    let plan = composite.plan();
    let err = render_all(&SqliteDialect, &composite.before, &plan.up).unwrap_err();
    assert!(
        err.to_string()
            .contains("column `versions.id` is auto-incremented but not the table's only key"),
        "{err}"
    );

    let mut strict = Table::new("settings");
    strict
        .columns
        .push(Column::new("name", SqlType::Varchar(20)));
    strict.options = TableOptions {
        strict: true,
        ..TableOptions::default()
    };
    let target = Schema::new(vec![strict]);
    let plan = diff(&Schema::default(), &target).unwrap();
    let err = render_all(&SqliteDialect, &Schema::default(), &plan.up).unwrap_err();
    assert!(
        err.to_string().contains(
            "column `settings.name` has the type VARCHAR(20) in a STRICT table (INT, INTEGER, REAL, TEXT, BLOB or ANY only), which SQLite does not have"
        ),
        "{err}"
    );
}

/// A sample database in the style of the public sakila schema for SQLite, written by hand.
const SAKILA: &str = r#"
CREATE TABLE language (
  language_id INTEGER PRIMARY KEY,
  name CHAR(20) NOT NULL UNIQUE CHECK (length(name) > 0),
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE actor (
  actor_id INTEGER PRIMARY KEY NOT NULL,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL COLLATE NOCASE,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_actor_last_name ON actor(last_name);
CREATE TABLE film (
  film_id INTEGER PRIMARY KEY AUTOINCREMENT,
  title VARCHAR(255) NOT NULL,
  description TEXT DEFAULT NULL,
  release_year VARCHAR(4) DEFAULT NULL,
  language_id SMALLINT NOT NULL,
  original_language_id SMALLINT DEFAULT NULL,
  rental_duration SMALLINT DEFAULT 3 NOT NULL,
  rental_rate DECIMAL(4,2) DEFAULT 4.99 NOT NULL,
  length SMALLINT DEFAULT NULL,
  replacement_cost DECIMAL(5,2) DEFAULT 19.99 NOT NULL,
  rating VARCHAR(10) DEFAULT 'G',
  special_features VARCHAR(100) DEFAULT NULL,
  last_update TIMESTAMP NOT NULL,
  CONSTRAINT CHECK_special_features CHECK(special_features is null or special_features like '%Trailers%'),
  CONSTRAINT CHECK_special_rating CHECK(rating in ('G','PG','PG-13','R','NC-17')),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id),
  CONSTRAINT fk_film_language_original FOREIGN KEY (original_language_id) REFERENCES language (language_id)
);
CREATE INDEX idx_fk_language_id ON film(language_id);
CREATE INDEX idx_fk_original_language_id ON film(original_language_id);
CREATE INDEX idx_film_title_lower ON film(lower(title));
CREATE INDEX idx_film_rated ON film(rating COLLATE NOCASE, length DESC) WHERE rating IS NOT NULL;
CREATE TABLE film_actor (
  actor_id INT NOT NULL,
  film_id INT NOT NULL,
  last_update TIMESTAMP NOT NULL,
  PRIMARY KEY (actor_id, film_id),
  CONSTRAINT fk_film_actor_actor FOREIGN KEY (actor_id) REFERENCES actor (actor_id) ON DELETE NO ACTION ON UPDATE CASCADE,
  CONSTRAINT fk_film_actor_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON DELETE NO ACTION ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX idx_fk_film_actor_film ON film_actor(film_id);
CREATE TABLE inventory (
  inventory_id INTEGER PRIMARY KEY,
  film_id INT NOT NULL CONSTRAINT fk_inventory_film REFERENCES film (film_id) ON UPDATE CASCADE,
  store_id SMALLINT NOT NULL
);
CREATE TABLE payment (
  payment_id INT NOT NULL,
  customer_id INT NOT NULL,
  amount DECIMAL(5,2) NOT NULL,
  payment_date DATETIME NOT NULL,
  doubled DECIMAL(8,2) GENERATED ALWAYS AS (amount * 2) VIRTUAL,
  CONSTRAINT payment_pk PRIMARY KEY (payment_id),
  CONSTRAINT payment_amount_positive CHECK (amount >= 0)
);
CREATE UNIQUE INDEX idx_payment_live ON payment (customer_id, payment_date) WHERE amount > 0;
CREATE TABLE setting (
  key TEXT NOT NULL PRIMARY KEY,
  value ANY
) WITHOUT ROWID, STRICT;
CREATE TABLE loose (
  id INTEGER PRIMARY KEY,
  anything,
  vc2 VARCHAR(10, 5),
  ubi UNSIGNED BIG INT,
  nch NATIVE CHARACTER(70),
  dp DOUBLE PRECISION,
  odd "weird type",
  twice AS (id * 2)
);
INSERT INTO language (name) VALUES ('English');
INSERT INTO actor (first_name, last_name) VALUES ('PENELOPE', 'GUINESS');
INSERT INTO film (title, language_id, last_update) VALUES ('ACADEMY DINOSAUR', 1, '2006-02-15 05:03:42');
INSERT INTO film_actor VALUES (1, 1, '2006-02-15 05:05:03');
INSERT INTO payment (payment_id, customer_id, amount, payment_date) VALUES (1, 1, 2.99, '2005-05-25 11:30:37');
INSERT INTO setting VALUES ('theme', 'dark');
"#;

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct XInfo {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    ty: String,
    #[diesel(sql_type = Nullable<Text>)]
    dflt_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
    #[diesel(sql_type = Integer)]
    hidden: i32,
}

#[derive(QueryableByName, Debug, PartialEq, Eq)]
struct IndexPart {
    #[diesel(sql_type = Text)]
    index: String,
    #[diesel(sql_type = BigInt)]
    seqno: i64,
    #[diesel(sql_type = BigInt)]
    cid: i64,
    #[diesel(sql_type = Integer)]
    desc: i32,
    #[diesel(sql_type = Nullable<Text>)]
    coll: Option<String>,
    #[diesel(sql_type = Integer)]
    key: i32,
}

/// The catalogue as SQLite reports it: declared types, defaults, keys and generated columns of
/// every column; every element of every index.
fn catalogue(conn: &mut SqliteConnection) -> (Vec<XInfo>, Vec<IndexPart>) {
    let columns = diesel::sql_query(
        "SELECT c.name, c.type AS type_, c.dflt_value, c.pk, c.hidden FROM sqlite_master AS m, pragma_table_xinfo(m.name) AS c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid",
    )
    .load(conn)
    .unwrap();
    let indexes = diesel::sql_query(
        "SELECT m.name AS \"index\", i.seqno, i.cid, i.\"desc\", i.coll, i.\"key\" FROM sqlite_master AS m, pragma_index_xinfo(m.name) AS i WHERE m.type = 'index' ORDER BY m.name, i.seqno",
    )
    .load(conn)
    .unwrap();
    (columns, indexes)
}

#[test]
fn a_sample_database_is_read_and_created_again_exactly() {
    let mut original = connect();
    original.batch_execute(SAKILA).unwrap();
    let found = introspect_sqlite(&mut original).unwrap();

    // As found: types as declared, keys as generated, names and index forms as written.
    let film = found.table("film").unwrap();
    assert_eq!(
        film.column("film_id").unwrap().identity,
        Some(Identity::Autoincrement)
    );
    assert_eq!(
        film.column("rental_rate").unwrap().ty,
        SqlType::Custom("DECIMAL(4,2)".into())
    );
    assert_eq!(film.column("title").unwrap().ty, SqlType::Varchar(255));
    let rated = film.index("idx_film_rated").unwrap();
    assert_eq!(
        rated.columns,
        [
            IndexColumn::column("rating").collation("NOCASE"),
            IndexColumn::column("length").desc()
        ]
    );
    assert_eq!(rated.predicate.as_deref(), Some("rating IS NOT NULL"));
    assert_eq!(
        film.index("idx_film_title_lower").unwrap().columns,
        [IndexColumn::expression("lower(title)")]
    );
    let names: Vec<&str> = film.foreign_keys.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["fk_film_language", "fk_film_language_original"]);
    let checks: Vec<&str> = film.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(checks, ["CHECK_special_features", "CHECK_special_rating"]);
    let actor = found.table("actor").unwrap();
    assert!(actor.columns[0].auto_increment && actor.columns[0].identity.is_none());
    assert_eq!(actor.columns[2].collation.as_deref(), Some("NOCASE"));
    let film_actor = found.table("film_actor").unwrap();
    assert_eq!(film_actor.columns[0].ty, SqlType::Custom("INT".into()));
    assert!(!film_actor.columns[0].auto_increment);
    let deferred = film_actor
        .foreign_keys
        .iter()
        .find(|f| f.name == "fk_film_actor_film")
        .unwrap();
    assert_eq!(deferred.deferrable, Some(Deferrable::Deferred));
    let inventory = found.table("inventory").unwrap();
    assert_eq!(inventory.foreign_keys[0].name, "fk_inventory_film");
    // Unnamed constraints get this tool's names, which the copy then writes.
    let language = found.table("language").unwrap();
    assert_eq!(language.uniques[0].name, "uq_language_name");
    assert_eq!(language.checks[0].name, "ck_language_name");
    assert_eq!(language.checks[0].expr, "length(name) > 0");
    let payment = found.table("payment").unwrap();
    assert_eq!(payment.primary_key_name.as_deref(), Some("payment_pk"));
    assert_eq!(
        payment.column("payment_date").unwrap().ty,
        SqlType::Custom("DATETIME".into())
    );
    let doubled = payment
        .column("doubled")
        .unwrap()
        .generated
        .as_ref()
        .unwrap();
    assert_eq!(
        (doubled.expr.as_str(), doubled.stored),
        ("amount * 2", false)
    );
    let setting = found.table("setting").unwrap();
    assert!(setting.options.without_rowid && setting.options.strict);
    assert_eq!(setting.columns[1].ty, SqlType::Custom("ANY".into()));
    // Declared types only SQLite's affinity rules read, and none at all, as written.
    let loose = found.table("loose").unwrap();
    let declared: Vec<String> = loose.columns.iter().map(|c| c.ty.to_string()).collect();
    assert_eq!(
        declared,
        [
            "integer",
            "custom()",
            "custom(VARCHAR(10, 5))",
            "custom(UNSIGNED BIG INT)",
            "custom(NATIVE CHARACTER(70))",
            "custom(DOUBLE PRECISION)",
            "custom(weird type)",
            "custom()",
        ]
    );

    // Created again from what was found, in an empty database.
    let plan = diff(&Schema::default(), &found).unwrap();
    let (statements, _) = render_all(&SqliteDialect, &Schema::default(), &plan.up).unwrap();
    let mut copy = connect();
    run_statements(&mut copy, "re-creating", &statements).unwrap();
    let again = introspect_sqlite(&mut copy).unwrap();
    assert_eq!(again, found);
    assert!(diff(&again, &found).unwrap().is_empty());
    assert_eq!(catalogue(&mut copy), catalogue(&mut original));
    // AUTOINCREMENT where it was, and nowhere else.
    let autoincrement = |conn: &mut SqliteConnection| -> Vec<String> {
        master(conn)
            .into_iter()
            .filter(|t| t.sql.as_deref().unwrap_or("").contains("AUTOINCREMENT"))
            .map(|t| t.name)
            .collect()
    };
    assert_eq!(autoincrement(&mut copy), ["film"]);
    assert_eq!(autoincrement(&mut original), ["film"]);
}
