//! The connection trait the runner drives, and what every backend's implementation shares:
//! reading the history table and writing its rows with bound parameters.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::dialect::{Backend, HISTORY_TABLE};
use crate::error::{Error, Result};
pub use crate::history::HistoryRow;
use crate::history::HistoryState;

/// A history row as stored, before its state is read.
#[derive(QueryableByName)]
pub(super) struct StoredRow {
    #[diesel(sql_type = Text)]
    revision: String,
    #[diesel(sql_type = Text)]
    message: String,
    #[diesel(sql_type = Text)]
    checksum: String,
    #[diesel(sql_type = Text)]
    applied_at: String,
    #[diesel(sql_type = BigInt)]
    duration_ms: i64,
    #[diesel(sql_type = Text)]
    state: String,
}

impl StoredRow {
    fn read(self) -> Result<HistoryRow> {
        let state = HistoryState::parse(&self.state).ok_or_else(|| Error::UnknownHistoryState {
            revision: self.revision.clone(),
            state: self.state.clone(),
        })?;
        Ok(HistoryRow {
            revision: self.revision,
            message: self.message,
            checksum: self.checksum,
            applied_at: self.applied_at,
            duration_ms: self.duration_ms,
            state,
        })
    }
}

/// The rows of the history table, oldest first, read with a Diesel connection of any backend.
pub(super) fn read_history<C>(conn: &mut C) -> Result<Vec<HistoryRow>>
where
    C: diesel::connection::LoadConnection,
    StoredRow: diesel::deserialize::QueryableByName<C::Backend>,
    C::Backend: diesel::backend::Backend + 'static,
    diesel::query_builder::SqlQuery:
        diesel::query_builder::QueryFragment<C::Backend> + diesel::query_builder::QueryId,
{
    let rows: Vec<StoredRow> = diesel::RunQueryDsl::load(
        diesel::sql_query(format!(
            "SELECT revision, message, checksum, applied_at, duration_ms, state FROM {HISTORY_TABLE} ORDER BY applied_at, revision"
        )),
        conn,
    )
    .map_err(db_err("reading the history table"))?;
    rows.into_iter().map(StoredRow::read).collect()
}

/// Runs `$body` with `$c` bound to the Diesel connection behind `$conn`, whichever backend it
/// is: the body is written once and compiled for each backend this build has.
macro_rules! with_diesel {
    ($conn:expr, |$c:ident| $body:expr) => {{
        let backend = $conn.backend();
        let any = $conn.diesel_any();
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                let $c = any
                    .downcast_mut::<diesel::SqliteConnection>()
                    .expect("a SQLite connection holds a SqliteConnection");
                $body
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let $c = any
                    .downcast_mut::<diesel::PgConnection>()
                    .expect("a PostgreSQL connection holds a PgConnection");
                $body
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                let $c = any
                    .downcast_mut::<diesel::MysqlConnection>()
                    .expect("a MySQL connection holds a MysqlConnection");
                $body
            }
            #[allow(unreachable_patterns)]
            _ => unreachable!("a connection exists only for a backend this build has"),
        }
    }};
}

/// `n` bind parameters in `backend`'s spelling: `$1, $2` on PostgreSQL, `?, ?` elsewhere.
fn parameters(backend: Backend, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match backend {
            Backend::Postgres => format!("${i}"),
            Backend::Sqlite | Backend::Mysql => "?".to_string(),
        })
        .collect()
}

/// A live database, as the runner drives it.
pub trait MigrationConnection {
    /// Which backend it is.
    fn backend(&self) -> Backend;

    /// Runs one or more statements that return no rows.
    fn execute(&mut self, sql: &str) -> Result<()>;

    /// The history rows, creating the history table first if it is missing.
    fn history(&mut self) -> Result<Vec<HistoryRow>>;

    /// Records `row`. Its text is bound as parameters, never spliced into the statement, so a
    /// message holds any character on every backend (MySQL reads a backslash in a string
    /// literal as an escape).
    fn insert_history(&mut self, row: &HistoryRow) -> Result<()> {
        let p = parameters(self.backend(), 6);
        let sql = format!(
            "INSERT INTO {HISTORY_TABLE} (revision, message, checksum, applied_at, duration_ms, state) VALUES ({})",
            p.join(", ")
        );
        with_diesel!(self, |c| diesel::sql_query(&sql)
            .bind::<Text, _>(&row.revision)
            .bind::<Text, _>(&row.message)
            .bind::<Text, _>(&row.checksum)
            .bind::<Text, _>(&row.applied_at)
            .bind::<BigInt, _>(row.duration_ms)
            .bind::<Text, _>(row.state.as_str())
            .execute(c))
        .map(drop)
        .map_err(db_err(&sql))
    }

    /// Sets the state (and duration) of `revision`'s row.
    fn set_history_state(
        &mut self,
        revision: &str,
        state: HistoryState,
        duration_ms: i64,
    ) -> Result<()> {
        let p = parameters(self.backend(), 3);
        let sql = format!(
            "UPDATE {HISTORY_TABLE} SET state = {}, duration_ms = {} WHERE revision = {}",
            p[0], p[1], p[2]
        );
        with_diesel!(self, |c| diesel::sql_query(&sql)
            .bind::<Text, _>(state.as_str())
            .bind::<BigInt, _>(duration_ms)
            .bind::<Text, _>(revision)
            .execute(c))
        .map(drop)
        .map_err(db_err(&sql))
    }

    /// Forgets `revision`.
    fn delete_history(&mut self, revision: &str) -> Result<()> {
        let p = parameters(self.backend(), 1);
        let sql = format!("DELETE FROM {HISTORY_TABLE} WHERE revision = {}", p[0]);
        with_diesel!(self, |c| diesel::sql_query(&sql)
            .bind::<Text, _>(revision)
            .execute(c))
        .map(drop)
        .map_err(db_err(&sql))
    }

    /// Opens a migration's transaction and takes the migrator lock.
    fn begin(&mut self) -> Result<()>;

    /// Checks what the backend must check before commit (SQLite: foreign keys after a rebuild).
    fn verify(&mut self) -> Result<()>;

    /// Commits the migration's transaction.
    fn commit(&mut self) -> Result<()>;

    /// Rolls it back.
    fn rollback(&mut self) -> Result<()>;

    /// The live schema, every table but the history table, and the objects that are not
    /// tables as [`Self::objects`] reads them.
    fn introspect(&mut self) -> Result<crate::schema::Schema>;

    /// The objects that are not tables (views, functions, triggers, ...) of the current schema
    /// or database, printed by the server and read as their declarations would be among
    /// `tables`, with what cannot be represented.
    fn objects(&mut self, tables: &[String]) -> Result<crate::introspect::objects::Capture>;

    /// `schema` created in a scratch namespace of the same server (or a new in-memory SQLite
    /// database), read back as [`Self::introspect`] reads the live one, so that the two compare
    /// as the server normalises them: expressions, defaults and object definitions as it
    /// prints them, and what it does not keep (a comment on SQLite) missing from both.
    fn shadow(&mut self, schema: &crate::schema::Schema) -> Result<crate::schema::Schema>;

    /// The Diesel connection (`SqliteConnection`, `PgConnection`, `MysqlConnection`), for Rust
    /// data steps.
    fn diesel_any(&mut self) -> &mut dyn std::any::Any;

    /// The names of the user tables (not this tool's history table): cheaper than `introspect`.
    fn table_names(&mut self) -> Result<Vec<String>>;

    /// Takes the migrator lock for the whole of one revision, the statements before and after
    /// its transaction included; calls nest, and [`Self::begin`] takes it too. SQLite has no
    /// statements outside the transaction and locks with `BEGIN IMMEDIATE`, so this is nothing
    /// there.
    fn lock(&mut self) -> Result<()> {
        Ok(())
    }

    /// Releases one [`Self::lock`].
    fn unlock(&mut self) -> Result<()> {
        Ok(())
    }

    /// Sets how long a statement waits for a lock and how long it may run, in milliseconds
    /// (0: no limit), for the rest of the session. Nothing on SQLite, whose only lock is the
    /// database's, taken by `BEGIN IMMEDIATE`.
    fn set_timeouts(&mut self, lock_timeout_ms: u64, statement_timeout_ms: u64) -> Result<()> {
        let _ = (lock_timeout_ms, statement_timeout_ms);
        Ok(())
    }

    /// The INVALID indexes of the schema, as `(table, index)`: what a failed or cancelled
    /// `CREATE INDEX CONCURRENTLY` leaves behind. Only PostgreSQL has them.
    fn invalid_indexes(&mut self) -> Result<Vec<(String, String)>> {
        Ok(Vec::new())
    }

    /// Whether index `name` exists and is valid (`Some(false)`: it exists, INVALID).
    fn index_valid(&mut self, name: &str) -> Result<Option<bool>> {
        let _ = name;
        Ok(None)
    }

    /// Whether DDL runs inside the migration's transaction (PostgreSQL, SQLite). Where it does
    /// not (MySQL commits each DDL statement), the history row is written `dirty` before the
    /// statements and marked `applied` after them, so a failure half-way is visible.
    fn transactional_ddl(&self) -> bool {
        true
    }
}

pub(super) fn db_err(context: &str) -> impl Fn(diesel::result::Error) -> Error + '_ {
    move |e| Error::Database {
        context: context.to_string(),
        message: e.to_string(),
    }
}

#[derive(QueryableByName)]
pub(super) struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The single text column `name` of every row of `sql`.
pub(super) fn names<C>(conn: &mut C, sql: &str) -> Result<Vec<String>>
where
    C: diesel::connection::LoadConnection,
    NameRow: diesel::deserialize::QueryableByName<C::Backend>,
    C::Backend: diesel::backend::Backend + 'static,
    diesel::query_builder::SqlQuery:
        diesel::query_builder::QueryFragment<C::Backend> + diesel::query_builder::QueryId,
{
    let rows: Vec<NameRow> =
        diesel::RunQueryDsl::load(diesel::sql_query(sql), conn).map_err(db_err(sql))?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}
