//! The scenario catalogue on PostgreSQL and MariaDB, as on SQLite: each scenario's `before`
//! created in a database of its own and seeded with rows, `up` giving the target schema
//! (introspected, a second diff plans nothing) with every row kept, `down` giving the start
//! back with its rows, and `up` again succeeding.
//!
//! Statements are rendered as the runner runs them, with the online forms for the `before`
//! tables (which exist, with rows): statements placed outside the transaction run on their own,
//! after it, as `CREATE INDEX CONCURRENTLY` must.
//!
//! Check constraints are compared by name: each server rewrites the expression text
//! (`price > 0` comes back as `price > (0)::numeric` on PostgreSQL).

use migrate_core::dialect::{render_placed, Backend, Dialect, Placement};
use migrate_core::diff::diff;
use migrate_core::schema::SqlType;
use migrate_core::schema::{FkAction, Schema};
use migrate_tests::catalogue::catalogue;
use migrate_tests::generated::{build, fit_data, schema_strategy};
use migrate_tests::scenario::{by_column_name, Data, Scenario};
use migrate_tests::{ServerDb, MYSQL_URL, POSTGRES_URL};
use proptest::prelude::*;

/// What a server can be compared on: check text dropped, and on MySQL `RESTRICT` read as the
/// `NO ACTION` it is there.
fn comparable(mut schema: Schema, backend: Backend) -> Schema {
    for table in &mut schema.tables {
        for check in &mut table.checks {
            check.expr.clear();
        }
        if backend == Backend::Mysql {
            for fk in &mut table.foreign_keys {
                for action in [&mut fk.on_delete, &mut fk.on_update] {
                    if *action == FkAction::Restrict {
                        *action = FkAction::NoAction;
                    }
                }
            }
        }
    }
    by_column_name(schema)
}

/// Schemas MySQL itself rejects: a foreign key must have exactly the type of the column it
/// references, so a `bigint` key to an `integer` id cannot exist there at all.
const MYSQL_INVALID: &[&str] = &["alter_foreign_key_column_type"];

fn quote(backend: Backend, name: &str) -> String {
    backend.dialect().quote(name)
}

/// The seeded value of a column in row `i`, as this backend spells it.
fn literal(backend: Backend, schema: &Schema, ty: &SqlType, i: usize) -> String {
    let pg = backend == Backend::Postgres;
    match ty {
        // Every row holds the first value, which the enum scenarios keep (or rename).
        SqlType::Enum(name) => format!("'{}'", schema.enum_values(name)[0]),
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => i.to_string(),
        SqlType::Real | SqlType::Double => format!("{i}.5"),
        SqlType::Numeric(_) => format!("{i}.25"),
        SqlType::Boolean if pg => (if i % 2 == 1 { "TRUE" } else { "FALSE" }).to_string(),
        SqlType::Boolean => (i % 2).to_string(),
        SqlType::Binary if pg => format!("decode('0{i}', 'hex')"),
        SqlType::Binary => format!("X'0{i}'"),
        SqlType::Date => format!("'2026-01-0{i}'"),
        SqlType::Time => format!("'10:00:0{i}'"),
        SqlType::Timestamp | SqlType::TimestampTz => format!("'2026-01-0{i} 10:00:00'"),
        SqlType::Uuid => format!("'00000000-0000-0000-0000-00000000000{i}'"),
        SqlType::Json => format!("'{{\"n\": {i}}}'"),
        SqlType::Text | SqlType::Varchar(_) | SqlType::Custom(_) => format!("'v{i}'"),
        // The types of issue 16 get their literals with the round trips of their backends.
        other => panic!("no {backend} literal of {other} yet"),
    }
}

/// Foreign-key checks off for one script: the seeds go in table order, not dependency order.
fn without_fk_checks(backend: Backend, script: &str) -> String {
    match backend {
        Backend::Postgres => format!(
            "SET session_replication_role = replica;\n{script}SET session_replication_role = DEFAULT;\n"
        ),
        _ => format!("SET FOREIGN_KEY_CHECKS = 0;\n{script}SET FOREIGN_KEY_CHECKS = 1;\n"),
    }
}

/// Inserts `rows` rows in every table, the last with NULLs where allowed (when `nulls`).
fn seed(db: &ServerDb, backend: Backend, schema: &Schema, rows: usize, nulls: bool) {
    let mut script = String::new();
    for table in schema.tables.iter().filter(|t| !t.columns.is_empty()) {
        let columns: Vec<String> = table
            .columns
            .iter()
            .map(|c| quote(backend, &c.name))
            .collect();
        for i in 1..=rows {
            let values: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    if c.nullable && nulls && i == rows {
                        "NULL".into()
                    } else {
                        literal(backend, schema, &c.ty, i)
                    }
                })
                .collect();
            script.push_str(&format!(
                "INSERT INTO {} ({}) VALUES ({});\n",
                quote(backend, &table.name),
                columns.join(", "),
                values.join(", ")
            ));
        }
    }
    if !script.is_empty() {
        db.sql(&without_fk_checks(backend, &script));
    }
}

/// Every row of every table of `schema`.
fn total_rows(db: &ServerDb, backend: Backend, schema: &Schema) -> usize {
    schema
        .tables
        .iter()
        .map(|t| {
            let count = db.sql(&format!("SELECT COUNT(*) FROM {}", quote(backend, &t.name)));
            count.trim().parse::<usize>().unwrap()
        })
        .sum()
}

/// Empties every table, before a `down` that cannot invent the values it restores.
fn empty(db: &ServerDb, backend: Backend, schema: &Schema) {
    let script: String = schema
        .tables
        .iter()
        .map(|t| format!("DELETE FROM {};\n", quote(backend, &t.name)))
        .collect();
    if !script.is_empty() {
        db.sql(&without_fk_checks(backend, &script));
    }
}

fn live(db: &ServerDb) -> Schema {
    db.inspect()
}

fn apply(
    db: &ServerDb,
    dialect: &dyn Dialect,
    start: &Schema,
    ops: &[migrate_core::migration::Operation],
    what: &str,
) -> Schema {
    let (statements, end) =
        render_placed(dialect, start, ops, true).unwrap_or_else(|e| panic!("{what}: {e}"));
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

fn assert_live(db: &ServerDb, backend: Backend, expected: &Schema, what: &str) {
    let mut live = live(db);
    migrate_core::introspect::align_enums(&mut live, expected);
    let (live, expected) = (
        comparable(live, backend),
        comparable(expected.clone(), backend),
    );
    let plan = diff(&live, &expected).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        plan.is_empty(),
        "{what}: live schema differs: {:?}",
        plan.changes
    );
    assert_eq!(live, expected, "{what}");
}

/// One scenario on a database of its own: `before` with rows, `up`, `down`, `up` again.
fn round_trip_on(kind: &'static str, variable: &str, backend: Backend, scenario: &Scenario) {
    let dialect = backend.dialect();
    let db = ServerDb::create(kind, variable, scenario.name).unwrap();
    let what = format!("{kind} {}", scenario.name);
    let plan = scenario.plan();
    let create = diff(&Schema::default(), &scenario.before).unwrap();
    apply(
        &db,
        dialect.as_ref(),
        &Schema::default(),
        &create.up,
        &format!("{what} before"),
    );
    assert_live(&db, backend, &scenario.before, &format!("{what}: before"));
    seed(
        &db,
        backend,
        &scenario.before,
        scenario.rows,
        scenario.nulls,
    );
    let seeded = total_rows(&db, backend, &scenario.before);
    let end = apply(
        &db,
        dialect.as_ref(),
        &scenario.before,
        &plan.up,
        &format!("{what} up"),
    );
    assert_live(&db, backend, &scenario.after, &format!("{what}: after up"));
    assert!(
        diff(&end, &scenario.after).unwrap().is_empty(),
        "{what}: replay"
    );
    if scenario.data == Data::Lost {
        empty(&db, backend, &scenario.after);
    } else {
        assert_eq!(
            total_rows(&db, backend, &scenario.after),
            seeded,
            "{what}: rows after up"
        );
    }
    apply(
        &db,
        dialect.as_ref(),
        &end,
        &plan.down,
        &format!("{what} down"),
    );
    assert_live(
        &db,
        backend,
        &scenario.before,
        &format!("{what}: after down"),
    );
    if scenario.data != Data::Lost {
        assert_eq!(
            total_rows(&db, backend, &scenario.before),
            seeded,
            "{what}: rows after down"
        );
    }
    apply(
        &db,
        dialect.as_ref(),
        &scenario.before,
        &plan.up,
        &format!("{what} up again"),
    );
    assert_live(
        &db,
        backend,
        &scenario.after,
        &format!("{what}: after up again"),
    );
}

fn catalogue_on(kind: &'static str, variable: &str, backend: Backend) {
    if ServerDb::create(kind, variable, "catalogue").is_none() {
        return;
    }
    let scenarios: Vec<_> = catalogue()
        .into_iter()
        .filter(|s| !(backend == Backend::Mysql && MYSQL_INVALID.contains(&s.name)))
        .collect();
    for scenario in &scenarios {
        round_trip_on(kind, variable, backend, scenario);
    }
    eprintln!("{kind}: {} scenarios round-tripped", scenarios.len());
}

#[test]
fn catalogue_round_trips_on_postgres() {
    catalogue_on("postgres", POSTGRES_URL, Backend::Postgres);
}

#[test]
fn catalogue_round_trips_on_mariadb() {
    catalogue_on("mysql", MYSQL_URL, Backend::Mysql);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random schema pairs, as on SQLite (`tests/tests/properties.rs`), on the servers.
    #[test]
    fn random_schema_pairs_round_trip_on_servers(before in schema_strategy(), after in schema_strategy()) {
        let scenario = Scenario::new("property", build(&before), build(&after)).no_nulls();
        let plan = scenario.plan();
        // A column changing type between families (timestamp to double, say) has no cast on
        // PostgreSQL at all; those changes are the catalogue's type scenarios, not drawn here.
        let retyped = scenario.before.tables.iter().any(|t| {
            scenario.after.table(&t.name).is_some_and(|a| {
                t.columns.iter().any(|c| a.column(&c.name).is_some_and(|n| n.ty != c.ty))
            })
        });
        prop_assume!(!retyped);
        let scenario = fit_data(scenario, &plan);
        for (kind, variable, backend) in [
            ("postgres", POSTGRES_URL, Backend::Postgres),
            ("mysql", MYSQL_URL, Backend::Mysql),
        ] {
            if std::env::var_os(variable).is_some() || std::env::var_os(migrate_tests::REQUIRE_SERVERS).is_some() {
                round_trip_on(kind, variable, backend, &scenario);
            }
        }
    }
}
