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
use migrate_core::schema::{FkAction, Schema};
use migrate_tests::catalogue::catalogue;
use migrate_tests::generated::{build, fit_data, schema_strategy};
use migrate_tests::scenario::{by_column_name, Data, Scenario};
use migrate_tests::server_rows::{empty, seed, total_rows};
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
