//! SQLite's views and triggers, as `sqlite_master` keeps their `CREATE` statements.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;

use super::objects::{read_printed, run_all, Capture, Printed, Unrepresented};
use crate::dialect::{Backend, HISTORY_TABLE};
use crate::error::{Error, Result};
use crate::schema::Schema;

#[derive(QueryableByName)]
struct MasterRow {
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Every view and trigger of the database, read as declarations among `tables`.
pub fn capture(conn: &mut SqliteConnection, tables: &[String]) -> Result<Capture> {
    let sql = format!(
        "SELECT sql FROM sqlite_master WHERE type IN ('view', 'trigger') AND sql IS NOT NULL \
         AND tbl_name NOT IN ('{HISTORY_TABLE}', '__diesel_schema_migrations') ORDER BY type DESC, name"
    );
    let rows: Vec<MasterRow> = diesel::sql_query(&sql)
        .load(conn)
        .map_err(|e| Error::Database {
            context: sql.clone(),
            message: e.to_string(),
        })?;
    let printed = rows
        .into_iter()
        .map(|r| Printed {
            sql: format!("{};", r.sql.trim().trim_end_matches(';')),
            depends_on: Default::default(),
        })
        .collect();
    let (objects, blocked) = read_printed(printed, tables, Backend::Sqlite)?;
    Ok(Capture {
        objects,
        unrepresented: conflict_clauses(conn, tables)?,
        blocked,
    })
}

/// The tables among `tables` whose constraints carry `ON CONFLICT` clauses, which the snapshot
/// does not keep.
fn conflict_clauses(conn: &mut SqliteConnection, tables: &[String]) -> Result<Vec<Unrepresented>> {
    let sql = "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL ORDER BY name";
    let rows: Vec<TableSqlRow> =
        diesel::sql_query(sql)
            .load(conn)
            .map_err(|e| Error::Database {
                context: sql.to_string(),
                message: e.to_string(),
            })?;
    Ok(rows
        .into_iter()
        .filter(|r| tables.contains(&r.name))
        .filter(|r| {
            crate::sqltext::tokens(&r.sql)
                .windows(2)
                .any(|w| w[0].is("ON") && w[1].is("CONFLICT"))
        })
        .map(|r| Unrepresented {
            object: format!("conflict clauses of table {}", r.name),
            reason: "ON CONFLICT clauses are not kept: the baseline creates the table's constraints without them".into(),
        })
        .collect())
}

#[derive(QueryableByName)]
struct TableSqlRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// `expected` created in a new in-memory database and read back as the live schema is: its
/// tables by introspection, its objects as [`capture`] prints them.
pub fn shadow(expected: &Schema) -> Result<Schema> {
    let statements = super::objects::build_statements(expected, Backend::Sqlite)?;
    let mut conn = SqliteConnection::establish(":memory:").map_err(|e| Error::Database {
        context: "opening an in-memory database to compare the snapshot's objects".into(),
        message: e.to_string(),
    })?;
    run_all(&statements, |sql| {
        conn.batch_execute(sql).map_err(|e| Error::Database {
            context: sql.to_string(),
            message: e.to_string(),
        })
    })?;
    let tables: Vec<String> = expected.tables.iter().map(|t| t.name.clone()).collect();
    let mut printed = crate::introspect::introspect_sqlite(&mut conn)?;
    printed.objects = capture(&mut conn, &tables)?.objects;
    Ok(printed)
}
