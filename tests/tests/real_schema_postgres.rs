//! The real-schema scenarios (issues 15 and 16) on a real PostgreSQL server: each scenario's
//! `before` created in a database of its own and seeded with rows, `up` applied, the live schema
//! read back equal to `after`, a second diff planning nothing, `down` giving `before` back and
//! `up` running again, every seeded row still there after each step.
//!
//! Names, methods, element orders, identity, comments and types are compared exactly, against
//! the scenario itself. Expression texts (checks, index expressions and predicates, generated
//! columns, exclusion definitions) are compared through the server: the same schema created in
//! a second fresh database and read back, since PostgreSQL prints expressions its own way
//! (`lower(email)` comes back `lower(email::text)`).
//!
//! And a database built by plain SQL with every feature at once, read back and re-created from
//! what was read in an empty database, reads back equal: what `adopt` relies on.

use migrate_core::dialect::{render_placed, Backend, Placement};
use migrate_core::diff::diff;
use migrate_core::migration::Operation;
use migrate_core::schema::{Identity, IndexTarget, Schema};
use migrate_tests::catalogue::real_schema_scenarios;
use migrate_tests::scenario::{by_column_name, Data};
use migrate_tests::server_rows::{empty, row_counts, seed};
use migrate_tests::{ServerDb, POSTGRES_URL};

fn live(db: &ServerDb) -> Schema {
    db.inspect()
}

/// Runs `ops` from `start` as the runner places them (the online forms on existing tables).
fn apply(db: &ServerDb, start: &Schema, ops: &[Operation], what: &str) -> Schema {
    let dialect = Backend::Postgres.dialect();
    let (statements, end) =
        render_placed(dialect.as_ref(), start, ops, true).unwrap_or_else(|e| panic!("{what}: {e}"));
    let placed = |p: Placement| statements.iter().filter(move |s| s.placement == p);
    for statement in placed(Placement::BeforeTransaction) {
        db.sql(&format!("{};", statement.sql));
    }
    let script: String = placed(Placement::InTransaction)
        .map(|s| format!("{};\n", s.sql))
        .collect();
    if !script.is_empty() {
        db.sql(&script);
    }
    for statement in placed(Placement::AfterTransaction) {
        db.sql(&format!("{};", statement.sql));
    }
    end
}

/// `schema` created in a fresh database and read back: the server's own spelling of every
/// expression in it.
fn through_server(schema: &Schema, what: &str) -> Schema {
    let db = ServerDb::create("postgres", POSTGRES_URL, what).unwrap();
    let create = diff(&Schema::default(), schema).unwrap();
    apply(&db, &Schema::default(), &create.up, what);
    live(&db)
}

/// What can be compared with the scenario's own text: expressions blanked (compared through
/// the server instead), `BY DEFAULT` identity read as the default it is.
fn structure(mut schema: Schema) -> Schema {
    for table in &mut schema.tables {
        for column in &mut table.columns {
            if column.identity == Some(Identity::ByDefault) {
                column.identity = None;
            }
            if let Some(generated) = &mut column.generated {
                generated.expr.clear();
            }
        }
        for check in &mut table.checks {
            check.expr.clear();
        }
        for exclusion in &mut table.exclusions {
            exclusion.definition.clear();
        }
        for index in &mut table.indexes {
            if let Some(predicate) = &mut index.predicate {
                predicate.clear();
            }
            for element in &mut index.columns {
                if let IndexTarget::Expression(expr) = &mut element.target {
                    expr.clear();
                }
            }
        }
    }
    by_column_name(schema)
}

/// The live schema equals `expected`: in structure against the scenario, and exactly against
/// `expected` created through the server; a diff from the live schema plans nothing.
fn assert_live(db: &ServerDb, expected: &Schema, what: &str) {
    let live = live(db);
    assert_eq!(
        structure(live.clone()),
        structure(expected.clone()),
        "{what}: structure"
    );
    // Column order aside: a column re-added by `down` comes last.
    let served = by_column_name(through_server(expected, what));
    let live = by_column_name(live);
    assert_eq!(live, served, "{what}: through the server");
    let plan = diff(&live, &served).unwrap();
    assert!(plan.is_empty(), "{what}: plans {:?}", plan.changes);
}

/// Scenarios whose `up` converts values, so that the generic rows (`'v1'` in a text column)
/// would make it fail as it must: `(scenario, why, the rows it gets instead)`.
const SEEDED_BY_HAND: &[(&str, &str, &str)] = &[(
    "text_to_jsonb",
    "text becomes jsonb only where it holds JSON",
    r#"INSERT INTO payloads (body) VALUES ('{"n": 1}'), ('[2, 3]'), ('"four"');"#,
)];

#[test]
fn real_schema_scenarios_round_trip_on_postgres() {
    if ServerDb::create("postgres", POSTGRES_URL, "real_schema").is_none() {
        return;
    }
    let scenarios: Vec<_> = real_schema_scenarios()
        .into_iter()
        .filter(|s| s.runs_on(Backend::Postgres))
        .filter(|s| {
            std::env::var("REAL_SCHEMA_ONLY")
                .map(|only| only.split(',').any(|o| o == s.name))
                .unwrap_or(true)
        })
        .collect();
    for scenario in &scenarios {
        let what = scenario.name;
        let db = ServerDb::create("postgres", POSTGRES_URL, what).unwrap();
        let plan = scenario.plan();
        let create = diff(&Schema::default(), &scenario.before).unwrap();
        apply(
            &db,
            &Schema::default(),
            &create.up,
            &format!("{what} before"),
        );
        assert_live(&db, &scenario.before, &format!("{what}: before"));
        match SEEDED_BY_HAND.iter().find(|(name, _, _)| *name == what) {
            Some((_, _, rows)) => {
                db.sql(rows);
            }
            None => seed(
                &db,
                Backend::Postgres,
                &scenario.before,
                scenario.rows,
                scenario.nulls,
            ),
        }
        let rows = || row_counts(&db, Backend::Postgres, &scenario.before, &scenario.after);
        let seeded = rows();
        let end = apply(&db, &scenario.before, &plan.up, &format!("{what} up"));
        assert_live(&db, &scenario.after, &format!("{what}: after up"));
        assert_eq!(rows(), seeded, "{what}: rows after up");
        if scenario.data == Data::Lost {
            empty(&db, Backend::Postgres, &scenario.after);
        }
        apply(&db, &end, &plan.down, &format!("{what} down"));
        assert_live(&db, &scenario.before, &format!("{what}: after down"));
        let kept = scenario.data != Data::Lost;
        if kept {
            assert_eq!(rows(), seeded, "{what}: rows after down");
        }
        apply(&db, &scenario.before, &plan.up, &format!("{what} up again"));
        assert_live(&db, &scenario.after, &format!("{what}: after up again"));
        if kept {
            assert_eq!(rows(), seeded, "{what}: rows after up again");
        }
        eprintln!("{what}: round-tripped");
    }
    eprintln!("{} scenarios round-tripped", scenarios.len());
}

/// Every table-level feature at once, written as a real database would have it.
const FIXTURE: &str = r#"
CREATE EXTENSION citext;
CREATE EXTENSION ltree;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE users (
    id serial PRIMARY KEY,
    email citext NOT NULL,
    name varchar NOT NULL,
    code char(3),
    path ltree,
    search tsvector,
    moods mood[],
    tags text[] NOT NULL DEFAULT '{}',
    grid double precision[][],
    payload json,
    doc jsonb,
    ip inet,
    net cidr,
    mac macaddr,
    period interval,
    price money,
    wakes time(3) with time zone,
    seen timestamp(3) without time zone DEFAULT now(),
    flags bit varying(16),
    nick text COLLATE "C",
    name_len integer GENERATED ALWAYS AS (length(name)) STORED,
    CONSTRAINT users_email_key UNIQUE (email) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT users_code_check CHECK (code <> 'xxx') NO INHERIT
);
COMMENT ON TABLE users IS 'People who sign in';
COMMENT ON COLUMN users.email IS 'Where we write to them';
CREATE SEQUENCE order_numbers AS bigint;
CREATE TABLE orders (
    number bigint NOT NULL DEFAULT nextval('order_numbers'),
    user_id integer NOT NULL,
    placed_at timestamptz NOT NULL,
    note text,
    CONSTRAINT orders_pk PRIMARY KEY (number)
);
ALTER SEQUENCE order_numbers OWNED BY orders.number;
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL ON DELETE CASCADE DEFERRABLE NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_note_check CHECK (length(note) < 500) NOT VALID;
CREATE INDEX orders_placed_brin ON orders USING brin (placed_at) WITH (pages_per_range = 32);
CREATE INDEX orders_recent ON orders (user_id DESC NULLS LAST, placed_at NULLS FIRST) INCLUDE (note) WHERE note IS NOT NULL;
CREATE UNIQUE INDEX orders_note_lower ON orders (lower(note) text_pattern_ops, note COLLATE "C") NULLS NOT DISTINCT;
CREATE INDEX users_search ON users USING gin (search);
CREATE INDEX users_path ON users USING gist (path);
CREATE INDEX users_name_hash ON users USING hash (name) WITH (fillfactor = 80);
CREATE TABLE tickets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    during tsrange NOT NULL,
    room integer NOT NULL,
    CONSTRAINT tickets_no_overlap EXCLUDE USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE counters (n smallserial, label text);
CREATE TABLE measurements (taken_on date NOT NULL, value double precision) PARTITION BY RANGE (taken_on);
CREATE TABLE measurements_2026 PARTITION OF measurements FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE cities (name text NOT NULL);
CREATE TABLE capitals (country text NOT NULL) INHERITS (cities);
"#;

#[test]
fn a_database_built_by_hand_is_reproduced_from_what_is_read() {
    let Some(original) = ServerDb::create("postgres", POSTGRES_URL, "fixture") else {
        return;
    };
    original.sql(FIXTURE);
    let read = live(&original);
    let users = read.table("users").expect("users read");
    assert_eq!(
        users.column("id").unwrap().identity,
        Some(Identity::SERIAL),
        "serial key"
    );
    let orders = read.table("orders").unwrap();
    assert_eq!(
        orders.column("number").unwrap().identity,
        Some(Identity::Serial {
            sequence: Some("order_numbers".into())
        })
    );
    assert_eq!(orders.primary_key_name.as_deref(), Some("orders_pk"));
    assert!(orders.foreign_keys[0].not_valid && orders.foreign_keys[0].match_full);
    assert_eq!(
        read.table("capitals").unwrap().columns.len(),
        2,
        "inherited column once"
    );
    let copy = ServerDb::create("postgres", POSTGRES_URL, "fixture copy").unwrap();
    let create = diff(&Schema::default(), &read).unwrap();
    apply(&copy, &Schema::default(), &create.up, "re-create");
    let again = live(&copy);
    assert_eq!(again, read, "re-created from what was read");
    assert!(diff(&again, &read).unwrap().is_empty());
}

#[test]
fn narrowing_a_column_fails_on_a_value_that_does_not_fit() {
    use migrate_core::schema::{Column, SqlType, Table};
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "narrowing") else {
        return;
    };
    let mut notes = Table::new("notes");
    notes
        .columns
        .push(Column::new("title", SqlType::Varchar(100)));
    let before = Schema::new(vec![notes.clone()]);
    notes.columns[0].ty = SqlType::Varchar(5);
    let after = Schema::new(vec![notes]);
    apply(
        &db,
        &Schema::default(),
        &diff(&Schema::default(), &before).unwrap().up,
        "create",
    );
    db.sql("INSERT INTO notes VALUES ('short'), ('much too long');");
    let up = diff(&before, &after).unwrap().up;
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        apply(&db, &before, &up, "narrow")
    }))
    .is_err();
    assert!(
        failed,
        "a value longer than varchar(5) must fail the change"
    );
    assert_eq!(
        db.sql("SELECT title FROM notes ORDER BY title").trim(),
        "much too long\nshort"
    );
    db.sql("DELETE FROM notes WHERE title <> 'short';");
    apply(&db, &before, &up, "narrow when it fits");
    assert_eq!(
        live(&db).table("notes").unwrap().columns[0].ty,
        SqlType::Varchar(5)
    );
}
