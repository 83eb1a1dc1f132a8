//! Database connections as the runner needs them: one small trait per backend.
//!
//! This is the I/O edge of the runner. Statements arrive rendered; a backend only executes them,
//! reads and writes the history table, and frames each migration in its transaction and lock.

use crate::dialect::Backend;
use crate::error::{mask_url, Error, Result};
pub use crate::history::HistoryRow;

mod migration_connection;
pub use migration_connection::MigrationConnection;

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
    use super::migration_connection::{db_err, names, read_history};
    use super::*;
    use crate::dialect::HISTORY_TABLE;
    use crate::dialect::{Dialect, SqliteDialect};
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};
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
            read_history(&mut self.conn)
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

        fn shadow(&mut self, schema: &crate::schema::Schema) -> Result<crate::schema::Schema> {
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
