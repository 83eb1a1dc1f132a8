//! SQLite's views and triggers, as `sqlite_master` keeps their `CREATE` statements.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;

use super::objects::{read_printed, run_all, Capture, Printed};
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
        unrepresented: Vec::new(),
        blocked,
    })
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
