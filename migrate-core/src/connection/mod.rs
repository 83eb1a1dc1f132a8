//! Database connections as the runner needs them: one small trait per backend.
//!
//! This is the I/O edge of the runner. Statements arrive rendered; a backend only executes them,
//! reads and writes the history table, and frames each migration in its transaction and lock.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::dialect::{Backend, HISTORY_TABLE};
use crate::error::{mask_url, Error, Result};

/// One row of `__migrate_history`.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct HistoryRow {
    /// The revision id.
    #[diesel(sql_type = Text)]
    pub revision: String,
    /// Its message.
    #[diesel(sql_type = Text)]
    pub message: String,
    /// SHA-256 of the module source when it was applied.
    #[diesel(sql_type = Text)]
    pub checksum: String,
    /// When it was applied (UTC, RFC 3339).
    #[diesel(sql_type = Text)]
    pub applied_at: String,
    /// How long it took.
    #[diesel(sql_type = BigInt)]
    pub duration_ms: i64,
    /// `applied`, or `dirty` for a migration that failed half-way where DDL is not transactional.
    #[diesel(sql_type = Text)]
    pub state: String,
}

/// A live database, as the runner drives it.
pub trait MigrationConnection {
    /// Which backend it is.
    fn backend(&self) -> Backend;

    /// Runs one or more statements that return no rows.
    fn execute(&mut self, sql: &str) -> Result<()>;

    /// The history rows, creating the history table first if it is missing.
    fn history(&mut self) -> Result<Vec<HistoryRow>>;

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

    /// The objects of `schema`, created after its tables in a scratch namespace of the same
    /// server and printed as [`Self::objects`] prints the live ones, so that the two compare
    /// as the server normalises them.
    fn shadow_objects(
        &mut self,
        schema: &crate::schema::Schema,
    ) -> Result<Vec<crate::objects::DbObject>>;

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

fn db_err(context: &str) -> impl Fn(diesel::result::Error) -> Error + '_ {
    move |e| Error::Database {
        context: context.to_string(),
        message: e.to_string(),
    }
}

/// Opens a connection for `url`, or says which feature the binary lacks.
pub fn connect(url: &str) -> Result<Box<dyn MigrationConnection>> {
    match Backend::from_url(url)? {
        #[cfg(feature = "sqlite")]
        Backend::Sqlite => Ok(Box::new(SqliteMigrationConnection::open(url)?)),
        #[cfg(feature = "postgres")]
        Backend::Postgres => Ok(Box::new(server::PgMigrationConnection::open(url)?)),
        #[cfg(feature = "mysql")]
        Backend::Mysql => Ok(Box::new(server::MysqlMigrationConnection::open(url)?)),
        #[allow(unreachable_patterns)]
        backend => Err(Error::DatabaseUrl(format!(
            "{} is a {backend} URL, but this build has no {backend} support; enable the `{}` feature (for example `cargo build -p migrate-cli --features {}`)",
            mask_url(url),
            backend.feature(),
            backend.feature()
        ))),
    }
}

/// The file path of a SQLite URL: `sqlite://app.db`, `sqlite:///abs/app.db` or a bare path.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

fn history_insert_sql(row: &HistoryRow) -> String {
    let lit = |s: &str| format!("'{}'", s.replace('\'', "''"));
    format!(
        "INSERT INTO {HISTORY_TABLE} (revision, message, checksum, applied_at, duration_ms, state) VALUES ({}, {}, {}, {}, {}, {})",
        lit(&row.revision),
        lit(&row.message),
        lit(&row.checksum),
        lit(&row.applied_at),
        row.duration_ms,
        lit(&row.state)
    )
}

#[derive(QueryableByName)]
struct NameRow {
    #[diesel(sql_type = Text)]
    name: String,
}

/// The single text column `name` of every row of `sql`.
fn names<C>(conn: &mut C, sql: &str) -> Result<Vec<String>>
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

/// The statement that records `row`.
pub fn insert_history(conn: &mut dyn MigrationConnection, row: &HistoryRow) -> Result<()> {
    conn.execute(&history_insert_sql(row))
}

/// Sets the state (and duration) of `revision`'s row.
pub fn set_history_state(
    conn: &mut dyn MigrationConnection,
    revision: &str,
    state: &str,
    duration_ms: i64,
) -> Result<()> {
    conn.execute(&format!(
        "UPDATE {HISTORY_TABLE} SET state = '{state}', duration_ms = {duration_ms} WHERE revision = '{}'",
        revision.replace('\'', "''")
    ))
}

/// The statement that forgets `revision`.
pub fn delete_history(conn: &mut dyn MigrationConnection, revision: &str) -> Result<()> {
    conn.execute(&format!(
        "DELETE FROM {HISTORY_TABLE} WHERE revision = '{}'",
        revision.replace('\'', "''")
    ))
}

#[cfg(feature = "sqlite")]
pub use sqlite::SqliteMigrationConnection;

#[cfg(any(feature = "postgres", feature = "mysql"))]
mod server;
#[cfg(feature = "mysql")]
pub use server::MysqlMigrationConnection;
#[cfg(feature = "postgres")]
pub use server::PgMigrationConnection;

#[cfg(feature = "sqlite")]
mod sqlite {
    use super::*;
    use crate::dialect::{Dialect, SqliteDialect};
    use diesel::connection::SimpleConnection;
    use diesel::sqlite::SqliteConnection;

    /// SQLite: `BEGIN IMMEDIATE` is the migrator lock, held across check-then-apply; foreign
    /// keys are switched off outside the transaction so a table rebuild keeps its children.
    pub struct SqliteMigrationConnection {
        conn: SqliteConnection,
    }

    #[derive(QueryableByName)]
    struct FkViolation {
        #[diesel(sql_type = Text)]
        table: String,
    }

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    impl SqliteMigrationConnection {
        /// Opens (creating if needed) the database file of `url`.
        pub fn open(url: &str) -> Result<Self> {
            let path = sqlite_path(url);
            let conn = SqliteConnection::establish(path).map_err(|e| Error::Connect {
                url: mask_url(url),
                message: e.to_string(),
            })?;
            let mut this = SqliteMigrationConnection { conn };
            // Wait for a concurrent migrator instead of failing at once.
            this.execute("PRAGMA busy_timeout = 60000")?;
            Ok(this)
        }

        /// The Diesel connection, for data steps and introspection.
        pub fn diesel(&mut self) -> &mut SqliteConnection {
            &mut self.conn
        }
    }

    impl MigrationConnection for SqliteMigrationConnection {
        fn backend(&self) -> Backend {
            Backend::Sqlite
        }

        fn execute(&mut self, sql: &str) -> Result<()> {
            self.conn.batch_execute(sql).map_err(db_err(sql))
        }

        fn history(&mut self) -> Result<Vec<HistoryRow>> {
            let exists: Vec<Count> = diesel::sql_query(format!(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '{HISTORY_TABLE}'"
            ))
            .load(&mut self.conn)
            .map_err(db_err("reading the history table"))?;
            if exists.first().map_or(0, |c| c.n) == 0 {
                self.execute(&SqliteDialect.create_history_table())?;
            }
            diesel::sql_query(format!(
                "SELECT revision, message, checksum, applied_at, duration_ms, state FROM {HISTORY_TABLE} ORDER BY applied_at, revision"
            ))
            .load(&mut self.conn)
            .map_err(db_err("reading the history table"))
        }

        fn begin(&mut self) -> Result<()> {
            self.execute("PRAGMA foreign_keys = OFF")?;
            self.execute("BEGIN IMMEDIATE")
        }

        fn verify(&mut self) -> Result<()> {
            let violations: Vec<FkViolation> = diesel::sql_query("PRAGMA foreign_key_check")
                .load(&mut self.conn)
                .map_err(db_err("PRAGMA foreign_key_check"))?;
            if let Some(v) = violations.first() {
                return Err(Error::Database {
                    context: "PRAGMA foreign_key_check".into(),
                    message: format!(
                        "{} row(s) violate foreign keys after the migration, first in table `{}`",
                        violations.len(),
                        v.table
                    ),
                });
            }
            Ok(())
        }

        fn commit(&mut self) -> Result<()> {
            self.execute("COMMIT")?;
            self.execute("PRAGMA foreign_keys = ON")
        }

        fn rollback(&mut self) -> Result<()> {
            self.execute("ROLLBACK")?;
            self.execute("PRAGMA foreign_keys = ON")
        }

        fn introspect(&mut self) -> Result<crate::schema::Schema> {
            let mut schema = crate::introspect::introspect_sqlite(&mut self.conn)?;
            let tables: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
            schema.objects = self.objects(&tables)?.objects;
            Ok(schema)
        }

        fn objects(&mut self, tables: &[String]) -> Result<crate::introspect::objects::Capture> {
            crate::introspect::objects_sqlite::capture(&mut self.conn, tables)
        }

        fn shadow_objects(
            &mut self,
            schema: &crate::schema::Schema,
        ) -> Result<Vec<crate::objects::DbObject>> {
            crate::introspect::objects_sqlite::shadow(schema)
        }

        fn diesel_any(&mut self) -> &mut dyn std::any::Any {
            &mut self.conn
        }

        fn table_names(&mut self) -> Result<Vec<String>> {
            names(&mut self.conn, &format!(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '{HISTORY_TABLE}' ORDER BY name"
            ))
        }
    }
}
