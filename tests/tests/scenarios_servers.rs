//! The scenario catalogue on PostgreSQL and MariaDB, as on SQLite: each scenario's `before`
//! created in a database of its own, `up` giving the target schema (introspected, a second diff
//! plans nothing), `down` giving the start back, and `up` again succeeding.
//!
//! Check constraints are compared by name: each server rewrites the expression text
//! (`price > 0` comes back as `price > (0)::numeric` on PostgreSQL).

use migrate_core::dialect::{render_all, Backend, Dialect};
use migrate_core::diff::diff;
use migrate_core::schema::{FkAction, Schema};
use migrate_core::snapshot::Snapshot;
use migrate_tests::catalogue::catalogue;
use migrate_tests::scenario::by_column_name;
use migrate_tests::{run_cli, ServerDb, MYSQL_URL, POSTGRES_URL};

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
    let dir = tempfile::tempdir().unwrap();
    let out = run_cli(
        dir.path(),
        &["--database-url", &db.url, "inspect", "--json"],
    );
    assert!(
        out.status.success(),
        "inspect: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Snapshot::from_json(
        &String::from_utf8_lossy(&out.stdout),
        std::path::Path::new("inspect"),
    )
    .unwrap()
    .schema()
}

fn apply(
    db: &ServerDb,
    dialect: &dyn Dialect,
    start: &Schema,
    ops: &[migrate_core::migration::Operation],
    what: &str,
) -> Schema {
    let (statements, end) =
        render_all(dialect, start, ops).unwrap_or_else(|e| panic!("{what}: {e}"));
    if !statements.is_empty() {
        let script: String = statements.iter().map(|s| format!("{s};\n")).collect();
        db.sql(&script);
    }
    end
}

fn assert_live(db: &ServerDb, backend: Backend, expected: &Schema, what: &str) {
    let live = live(db);
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

fn catalogue_on(kind: &'static str, variable: &str, backend: Backend) {
    if ServerDb::create(kind, variable, "catalogue").is_none() {
        return;
    }
    let dialect = backend.dialect();
    let scenarios: Vec<_> = catalogue()
        .into_iter()
        .filter(|s| !(backend == Backend::Mysql && MYSQL_INVALID.contains(&s.name)))
        .collect();
    for scenario in &scenarios {
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
