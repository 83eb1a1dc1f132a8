//! The objects that are not tables, read back from a live database as its server prints them,
//! and compared with a schema's objects built in a scratch namespace of the same server.
//!
//! Each backend's file (`objects_postgres.rs`, `objects_mysql.rs`, `objects_sqlite.rs`) prints
//! every object of a namespace as the SQL that creates it, from the server's own deparsers
//! (`pg_get_functiondef`, `pg_get_viewdef`, `pg_get_triggerdef`, `information_schema`,
//! `sqlite_master`), with what it depends on as the server records it. That text is what
//! `adopt` writes into the objects folder, and what `verify` and `check` compare: the
//! declared objects are created in a scratch namespace ("shadow": a schema in a transaction
//! rolled back, a scratch database, an in-memory database) after the tables, printed the same
//! way, and compared with the live ones, so that the server's normalisation (case, casts,
//! qualification) is no drift while an object edited by hand is.

use std::collections::BTreeSet;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::objects::{parse, resolve, DbObject, ObjectKey, Parsed};
use crate::schema::Schema;

/// An object as the server prints it: the SQL that creates it and the keys of what the server
/// records it depends on (`table users`, `extension ltree`, or something this tool does not
/// represent, such as `aggregate median(integer)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// The SQL, statements ending with `;`.
    pub sql: String,
    /// What it depends on, as keys.
    pub depends_on: BTreeSet<String>,
}

/// Something of the database that is not represented, and why; the servers' catalogue queries
/// load it as a row `(object, reason)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, diesel::QueryableByName)]
pub struct Unrepresented {
    /// What it is (`aggregate median(integer)`, `rule on posts`).
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub object: String,
    /// Why it is left out, and what to do.
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub reason: String,
}

/// What a backend reads of a namespace's objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capture {
    /// The objects, read as their declarations would be.
    pub objects: Vec<DbObject>,
    /// What is left out, each once.
    pub unrepresented: Vec<Unrepresented>,
    /// Objects or tables that need something left out: a baseline without it would fail.
    pub blocked: Vec<String>,
}

/// Reads `printed` objects as their declarations would be read, among the tables `tables`:
/// what the server records an object depends on and its text does not name goes into a
/// `-- depends on:` header, so that reading the text alone gives the same object. A dependency
/// on something that is neither a table nor an object of the capture is named in `blocked`.
pub fn read_printed(
    printed: Vec<Printed>,
    tables: &[String],
    backend: Backend,
) -> Result<(Vec<DbObject>, Vec<String>)> {
    let parse_one = |sql: &str| {
        parse(sql, backend).map_err(|e| Error::Database {
            context: format!(
                "reading back what the server printed at line {}:\n{sql}",
                e.line
            ),
            message: e.message,
        })
    };
    let first: Vec<Parsed> = printed
        .iter()
        .map(|p| parse_one(&p.sql))
        .collect::<Result<_>>()?;
    let keys: BTreeSet<String> = first
        .iter()
        .map(|p| p.key().to_string())
        .chain(tables.iter().map(|t| format!("table {t}")))
        .collect();
    let found = resolve(first.clone(), tables, backend).map_err(|(i, e)| Error::Database {
        context: format!("reading back what the server printed:\n{}", printed[i].sql),
        message: e.message,
    })?;
    let mut blocked = Vec::new();
    let mut texts = Vec::with_capacity(printed.len());
    for (p, parsed) in printed.iter().zip(&first) {
        let key = parsed.key();
        let scanned: BTreeSet<String> = found
            .iter()
            .find(|o| o.key() == key)
            .map(|o| o.depends_on.iter().cloned().collect())
            .unwrap_or_default();
        let own = key.to_string();
        let mut extra = Vec::new();
        for dep in &p.depends_on {
            if *dep == own || scanned.contains(dep) {
                continue;
            }
            if keys.contains(dep) {
                extra.push(dep.clone());
            } else {
                blocked.push(format!("{own} uses {dep}"));
            }
        }
        texts.push(if extra.is_empty() {
            p.sql.clone()
        } else {
            format!("-- depends on: {}\n{}", extra.join(", "), p.sql)
        });
    }
    let parsed: Vec<Parsed> = texts.iter().map(|t| parse_one(t)).collect::<Result<_>>()?;
    let objects = resolve(parsed, tables, backend).map_err(|(i, e)| Error::Database {
        context: format!("reading back what the server printed:\n{}", texts[i]),
        message: e.message,
    })?;
    Ok((objects, blocked))
}

/// The objects of `expected` and `live` that differ, one line each, comparing the definitions
/// the server printed for both (layout and comments aside); both schemas are left without
/// objects, so that their tables compare alone.
pub fn object_drift(expected: &mut Schema, live: &mut Schema) -> Vec<String> {
    let want = std::mem::take(&mut expected.objects);
    let have = std::mem::take(&mut live.objects);
    let keys: BTreeSet<ObjectKey> = want.iter().chain(&have).map(DbObject::key).collect();
    let mut out = Vec::new();
    for key in keys {
        let w = want.iter().find(|o| o.key() == key);
        let h = have.iter().find(|o| o.key() == key);
        match (w, h) {
            (Some(_), None) => out.push(format!(
                "- {key}: in the snapshot, missing from the database"
            )),
            (None, Some(_)) => out.push(format!("+ {key}: in the database, not in the snapshot")),
            (Some(w), Some(h)) if !w.same_definition(h) => out.push(format!(
                "~ {key}: edited in the database (its definition differs from the snapshot's)"
            )),
            _ => {}
        }
    }
    out
}

/// Compares the objects of `expected` and `live` through the server: `shadow` gives
/// `expected`'s as the server printed them once built in a scratch namespace
/// (`MigrationConnection::shadow`), and they replace the declared ones. One line per object
/// that differs; none when the schemas have no objects.
pub fn compare_through_server(
    shadow: impl FnOnce(&Schema) -> Result<Vec<DbObject>>,
    expected: &mut Schema,
    live: &mut Schema,
) -> Result<Vec<String>> {
    if expected.objects.is_empty() && live.objects.is_empty() {
        return Ok(Vec::new());
    }
    if !expected.objects.is_empty() {
        let printed = shadow(expected)?;
        let mut printed_schema = Schema {
            objects: printed,
            ..Schema::default()
        };
        align_schedules(
            &expected.objects,
            &mut printed_schema.objects,
            &mut live.objects,
        );
        expected.objects = printed_schema.objects;
    }
    Ok(object_drift(expected, live))
}

/// A MySQL event declared without `STARTS` starts when it is created: the scratch copy and the
/// live one then differ in it only by when each was made, which is no drift.
fn align_schedules(declared: &[DbObject], printed: &mut [DbObject], live: &mut [DbObject]) {
    for o in declared {
        if o.kind != crate::objects::ObjectKind::Event
            || crate::objects::comparable(&o.definition)
                .to_ascii_uppercase()
                .contains(" STARTS ")
        {
            continue;
        }
        let key = o.key();
        for other in printed.iter_mut().chain(live.iter_mut()) {
            if other.key() == key {
                other.definition = without_starts(&other.definition);
            }
        }
    }
}

/// `... STARTS '2024-01-01 00:00:00' ...` without the `STARTS` clause.
fn without_starts(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    let Some(at) = upper.find(" STARTS '") else {
        return sql.to_string();
    };
    let rest = &sql[at + 9..];
    match rest.find('\'') {
        Some(end) => format!("{}{}", &sql[..at], &rest[end + 1..]),
        None => sql.to_string(),
    }
}

/// Runs `statements` one by one, naming the one that fails and the object it belongs to.
pub(crate) fn run_all(
    statements: &[String],
    mut execute: impl FnMut(&str) -> Result<()>,
) -> Result<()> {
    for sql in statements {
        execute(sql).map_err(|e| match e {
            Error::Database { message, .. } => Error::Database {
                context: format!(
                    "building the snapshot's objects in a scratch namespace to compare them with the database; this statement failed:\n{sql}\n"
                ),
                message,
            },
            other => other,
        })?;
    }
    Ok(())
}

/// The statements that build `schema` from nothing on `backend`: its tables and objects, in
/// the order a migration would create them, each object with its own SQL.
pub(crate) fn build_statements(schema: &Schema, backend: Backend) -> Result<Vec<String>> {
    let plan = crate::diff::diff(&Schema::default(), schema)?;
    let (statements, _) =
        crate::dialect::render_all(&*backend.dialect(), &Schema::default(), &plan.up)?;
    Ok(statements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_dependencies_the_text_does_not_name_go_into_a_header() {
        let printed = vec![
            Printed {
                sql: "CREATE DOMAIN path AS ltree;".into(),
                depends_on: ["extension ltree".to_string()].into(),
            },
            Printed {
                sql: "CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA public VERSION '1.2';"
                    .into(),
                depends_on: BTreeSet::new(),
            },
            Printed {
                sql: "CREATE VIEW v AS SELECT median(id) FROM t;".into(),
                depends_on: [
                    "table t".to_string(),
                    "aggregate median(integer)".to_string(),
                ]
                .into(),
            },
        ];
        let (objects, blocked) =
            read_printed(printed, &["t".to_string()], Backend::Postgres).unwrap();
        assert_eq!(
            objects[1].definition,
            "-- depends on: extension ltree\nCREATE DOMAIN path AS ltree;"
        );
        assert_eq!(objects[1].depends_on, ["extension ltree"]);
        assert_eq!(blocked, ["view v uses aggregate median(integer)"]);
    }

    #[test]
    fn drift_names_missing_extra_and_edited_objects() {
        let read = |texts: &[&str]| {
            let parsed = texts
                .iter()
                .map(|t| parse(t, Backend::Sqlite).unwrap())
                .collect();
            Schema {
                objects: resolve(parsed, &[], Backend::Sqlite).unwrap(),
                ..Schema::default()
            }
        };
        let mut expected = read(&["CREATE VIEW a AS SELECT 1", "CREATE VIEW b AS SELECT 2"]);
        let mut live = read(&["CREATE VIEW b AS SELECT 3", "CREATE VIEW c AS SELECT 4"]);
        assert_eq!(
            object_drift(&mut expected, &mut live),
            [
                "- view a: in the snapshot, missing from the database",
                "~ view b: edited in the database (its definition differs from the snapshot's)",
                "+ view c: in the database, not in the snapshot",
            ]
        );
        assert!(expected.objects.is_empty() && live.objects.is_empty());
        assert_eq!(
            without_starts(
                "CREATE EVENT e ON SCHEDULE EVERY 1 DAY STARTS '2024-01-01 00:00:00' DO x"
            ),
            "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO x"
        );
    }
}
