//! PostgreSQL and MySQL connections.
//!
//! PostgreSQL: one transaction per migration with a transaction-scoped advisory lock, so a second
//! migrator waits and then finds the revision applied. MySQL: `GET_LOCK` (its result checked),
//! and no transactional DDL, so the history row goes through `dirty`.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{db_err, HistoryRow, MigrationConnection};
use crate::dialect::{Backend, Dialect, HISTORY_TABLE};
use crate::error::{mask_url, Error, Result};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn history_select() -> String {
    format!(
        "SELECT revision, message, checksum, applied_at, duration_ms, state FROM {HISTORY_TABLE} ORDER BY applied_at, revision"
    )
}

/// Creates the history table if missing. Two migrators starting at once may race on the
/// creation itself, so a failure is accepted when the table exists afterwards.
fn ensure_history<C: SimpleConnection>(
    conn: &mut C,
    exists: fn(&mut C) -> Result<bool>,
    create_sql: &str,
) -> Result<()> {
    if exists(conn)? {
        return Ok(());
    }
    match conn.batch_execute(create_sql) {
        Ok(()) => Ok(()),
        Err(_) if exists(conn)? => Ok(()),
        Err(e) => Err(db_err("creating the history table")(e)),
    }
}

/// A driver message on one line (libpq's span several).
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn count(rows: diesel::QueryResult<Vec<Count>>) -> Result<bool> {
    let rows = rows.map_err(db_err("reading the history table"))?;
    Ok(rows.first().is_some_and(|c| c.n > 0))
}

#[cfg(feature = "postgres")]
pub use pg::PgMigrationConnection;

#[cfg(feature = "postgres")]
mod pg {
    use super::*;
    use crate::dialect::PostgresDialect;
    use diesel::pg::PgConnection;

    /// The key of the advisory lock every migrator of a database takes.
    const LOCK_KEY: i64 = 0x006d_6967_7261_7465; // "migrate"

    /// A PostgreSQL database.
    pub struct PgMigrationConnection {
        conn: PgConnection,
    }

    impl PgMigrationConnection {
        /// Connects to `url`.
        pub fn open(url: &str) -> Result<Self> {
            let conn = PgConnection::establish(url).map_err(|e| Error::Connect {
                url: mask_url(url),
                message: one_line(&e.to_string().replace(url, &mask_url(url))),
            })?;
            Ok(PgMigrationConnection { conn })
        }

        /// The Diesel connection, for data steps and introspection.
        pub fn diesel(&mut self) -> &mut PgConnection {
            &mut self.conn
        }
    }

    impl MigrationConnection for PgMigrationConnection {
        fn backend(&self) -> Backend {
            Backend::Postgres
        }

        fn execute(&mut self, sql: &str) -> Result<()> {
            self.conn.batch_execute(sql).map_err(db_err(sql))
        }

        fn history(&mut self) -> Result<Vec<HistoryRow>> {
            fn exists(conn: &mut PgConnection) -> Result<bool> {
                count(diesel::sql_query(format!("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{HISTORY_TABLE}'")).load(conn))
            }
            ensure_history(
                &mut self.conn,
                exists,
                &PostgresDialect.create_history_table(),
            )?;
            diesel::sql_query(history_select())
                .load(&mut self.conn)
                .map_err(db_err("reading the history table"))
        }

        fn begin(&mut self) -> Result<()> {
            self.execute(&format!("BEGIN; SELECT pg_advisory_xact_lock({LOCK_KEY})"))
        }

        fn verify(&mut self) -> Result<()> {
            Ok(())
        }

        fn commit(&mut self) -> Result<()> {
            self.execute("COMMIT")
        }

        fn rollback(&mut self) -> Result<()> {
            self.execute("ROLLBACK")
        }

        fn introspect(&mut self) -> Result<crate::schema::Schema> {
            crate::introspect::introspect_postgres(&mut self.conn)
        }

        fn diesel_any(&mut self) -> &mut dyn std::any::Any {
            &mut self.conn
        }

        fn table_names(&mut self) -> Result<Vec<String>> {
            super::super::names(&mut self.conn, &format!(
                "SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '{HISTORY_TABLE}' ORDER BY 1"
            ))
        }
    }
}

#[cfg(feature = "mysql")]
pub use my::MysqlMigrationConnection;

#[cfg(feature = "mysql")]
mod my {
    use super::*;
    use crate::dialect::MysqlDialect;
    use diesel::mysql::MysqlConnection;

    const LOCK_NAME: &str = "__migrate_history";
    /// Seconds a migrator waits for another to finish.
    const LOCK_WAIT: u32 = 600;

    /// A MySQL or MariaDB database.
    pub struct MysqlMigrationConnection {
        conn: MysqlConnection,
    }

    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        n: Option<i64>,
    }

    impl MysqlMigrationConnection {
        /// Connects to `url`.
        pub fn open(url: &str) -> Result<Self> {
            let conn = MysqlConnection::establish(url).map_err(|e| Error::Connect {
                url: mask_url(url),
                message: one_line(&e.to_string().replace(url, &mask_url(url))),
            })?;
            Ok(MysqlMigrationConnection { conn })
        }

        /// The Diesel connection, for data steps and introspection.
        pub fn diesel(&mut self) -> &mut MysqlConnection {
            &mut self.conn
        }
    }

    impl MigrationConnection for MysqlMigrationConnection {
        fn backend(&self) -> Backend {
            Backend::Mysql
        }

        fn execute(&mut self, sql: &str) -> Result<()> {
            self.conn.batch_execute(sql).map_err(db_err(sql))
        }

        fn history(&mut self) -> Result<Vec<HistoryRow>> {
            fn exists(conn: &mut MysqlConnection) -> Result<bool> {
                count(diesel::sql_query(format!("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{HISTORY_TABLE}'")).load(conn))
            }
            ensure_history(&mut self.conn, exists, &MysqlDialect.create_history_table())?;
            diesel::sql_query(history_select())
                .load(&mut self.conn)
                .map_err(db_err("reading the history table"))
        }

        fn begin(&mut self) -> Result<()> {
            let rows: Vec<Locked> = diesel::sql_query(format!(
                "SELECT CAST(GET_LOCK('{LOCK_NAME}', {LOCK_WAIT}) AS SIGNED) AS n"
            ))
            .load(&mut self.conn)
            .map_err(db_err("GET_LOCK"))?;
            if rows.first().and_then(|r| r.n) != Some(1) {
                return Err(Error::Database {
                    context: "GET_LOCK".into(),
                    message: format!(
                        "another migrator held the migration lock for more than {LOCK_WAIT} s"
                    ),
                });
            }
            Ok(())
        }

        fn verify(&mut self) -> Result<()> {
            Ok(())
        }

        fn commit(&mut self) -> Result<()> {
            self.execute(&format!("DO RELEASE_LOCK('{LOCK_NAME}')"))
        }

        fn rollback(&mut self) -> Result<()> {
            self.execute(&format!("DO RELEASE_LOCK('{LOCK_NAME}')"))
        }

        fn transactional_ddl(&self) -> bool {
            false
        }

        fn introspect(&mut self) -> Result<crate::schema::Schema> {
            crate::introspect::introspect_mysql(&mut self.conn)
        }

        fn diesel_any(&mut self) -> &mut dyn std::any::Any {
            &mut self.conn
        }

        fn table_names(&mut self) -> Result<Vec<String>> {
            super::super::names(&mut self.conn, &format!(
                "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '{HISTORY_TABLE}' ORDER BY 1"
            ))
        }
    }
}
