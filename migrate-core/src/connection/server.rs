//! PostgreSQL and MySQL connections.
//!
//! PostgreSQL: one transaction per migration under a session-level advisory lock that also spans
//! the statements after the transaction, so a second migrator waits and then finds the revision
//! applied. MySQL: `GET_LOCK` (its result checked), and no transactional DDL, so the history row
//! goes through `dirty`.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::migration_connection::{db_err, names, read_history, MigrationConnection};
use crate::dialect::{Backend, Dialect, HISTORY_TABLE};
use crate::error::{mask_url, Error, Result};
use crate::history::HistoryRow;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
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

    /// How often a waiting migrator asks for the lock again.
    const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(100);

    /// A PostgreSQL database.
    pub struct PgMigrationConnection {
        conn: PgConnection,
        /// How many `lock()` calls hold the advisory lock.
        lock_depth: u32,
    }

    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        b: bool,
    }

    #[derive(QueryableByName)]
    struct TableIndex {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        index: String,
    }

    impl PgMigrationConnection {
        /// Connects to `url`.
        pub fn open(url: &str) -> Result<Self> {
            let conn = PgConnection::establish(url).map_err(|e| Error::Connect {
                url: mask_url(url),
                message: one_line(&e.to_string().replace(url, &mask_url(url))),
            })?;
            Ok(PgMigrationConnection {
                conn,
                lock_depth: 0,
            })
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
            read_history(&mut self.conn)
        }

        /// A session-level advisory lock, asked for with `pg_try_advisory_lock` between
        /// sleeps rather than waited for: a waiter blocked inside `pg_advisory_lock` holds a
        /// snapshot, and `CREATE INDEX CONCURRENTLY` in the lock holder's session waits for
        /// every such snapshot to go, so the two would deadlock.
        fn lock(&mut self) -> Result<()> {
            if self.lock_depth == 0 {
                loop {
                    let rows: Vec<Flag> =
                        diesel::sql_query(format!("SELECT pg_try_advisory_lock({LOCK_KEY}) AS b"))
                            .load(&mut self.conn)
                            .map_err(db_err("pg_try_advisory_lock"))?;
                    if rows.first().is_some_and(|r| r.b) {
                        break;
                    }
                    std::thread::sleep(LOCK_POLL);
                }
            }
            self.lock_depth += 1;
            Ok(())
        }

        fn unlock(&mut self) -> Result<()> {
            match self.lock_depth {
                0 => Ok(()),
                1 => {
                    self.lock_depth = 0;
                    self.execute(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"))
                }
                _ => {
                    self.lock_depth -= 1;
                    Ok(())
                }
            }
        }

        fn set_timeouts(&mut self, lock_timeout_ms: u64, statement_timeout_ms: u64) -> Result<()> {
            self.execute(&format!(
                "SET lock_timeout = {lock_timeout_ms}; SET statement_timeout = {statement_timeout_ms}"
            ))
        }

        fn invalid_indexes(&mut self) -> Result<Vec<(String, String)>> {
            let rows: Vec<TableIndex> = diesel::sql_query(
                "SELECT t.relname::text AS \"table\", c.relname::text AS \"index\" FROM pg_index i \
                 JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND NOT i.indisvalid ORDER BY 1, 2",
            )
            .load(&mut self.conn)
            .map_err(db_err("reading pg_index"))?;
            Ok(rows.into_iter().map(|r| (r.table, r.index)).collect())
        }

        fn index_valid(&mut self, name: &str) -> Result<Option<bool>> {
            let rows: Vec<Flag> = diesel::sql_query(
                "SELECT i.indisvalid AS b FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND c.relname = $1",
            )
            .bind::<diesel::sql_types::Text, _>(name)
            .load(&mut self.conn)
            .map_err(db_err("reading pg_index"))?;
            Ok(rows.first().map(|r| r.b))
        }

        fn begin(&mut self) -> Result<()> {
            self.lock()?;
            self.execute("BEGIN").inspect_err(|_| {
                let _ = self.unlock();
            })
        }

        fn verify(&mut self) -> Result<()> {
            Ok(())
        }

        fn commit(&mut self) -> Result<()> {
            let result = self.execute("COMMIT");
            let unlocked = self.unlock();
            result.and(unlocked)
        }

        fn rollback(&mut self) -> Result<()> {
            let result = self.execute("ROLLBACK");
            let unlocked = self.unlock();
            result.and(unlocked)
        }

        fn introspect(&mut self) -> Result<crate::schema::Schema> {
            let mut schema = crate::introspect::introspect_postgres(&mut self.conn)?;
            let tables: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
            schema.objects = self.objects(&tables)?.objects;
            Ok(schema)
        }

        fn objects(&mut self, tables: &[String]) -> Result<crate::introspect::objects::Capture> {
            let current = names(&mut self.conn, "SELECT current_schema()::text AS name")?;
            let schema = current.into_iter().next().unwrap_or_default();
            crate::introspect::objects_postgres::capture(&mut self.conn, &schema, tables)
        }

        fn shadow(&mut self, schema: &crate::schema::Schema) -> Result<crate::schema::Schema> {
            crate::introspect::objects_postgres::shadow(&mut self.conn, schema)
        }

        fn diesel_any(&mut self) -> &mut dyn std::any::Any {
            &mut self.conn
        }

        fn table_names(&mut self) -> Result<Vec<String>> {
            names(&mut self.conn, &format!(
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
            read_history(&mut self.conn)
        }

        fn lock(&mut self) -> Result<()> {
            self.begin()
        }

        fn unlock(&mut self) -> Result<()> {
            self.commit()
        }

        /// `lock_wait_timeout` (metadata locks: the table locks of DDL) and
        /// `innodb_lock_wait_timeout` (row locks: the UPDATE that fills NULLs) in whole seconds;
        /// the statement limit is MariaDB's `max_statement_time` (MySQL has none for DDL).
        fn set_timeouts(&mut self, lock_timeout_ms: u64, statement_timeout_ms: u64) -> Result<()> {
            // 0 means no limit here as on PostgreSQL: the largest value the server takes.
            let lock_secs = if lock_timeout_ms == 0 {
                31_536_000
            } else {
                lock_timeout_ms.div_ceil(1000)
            };
            self.execute(&format!(
                "SET SESSION lock_wait_timeout = {lock_secs}, SESSION innodb_lock_wait_timeout = {}",
                lock_secs.min(1_073_741_824)
            ))?;
            if statement_timeout_ms > 0 {
                self.execute(&format!(
                    "SET SESSION max_statement_time = {}",
                    statement_timeout_ms as f64 / 1000.0
                ))
                .map_err(|_| Error::Database {
                    context: "statement_timeout".into(),
                    message: "this server has no max_statement_time (MariaDB has it, MySQL does not): leave statement_timeout at 0 for it".into(),
                })?;
            }
            Ok(())
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
            let mut schema = crate::introspect::introspect_mysql(&mut self.conn)?;
            let tables: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
            schema.objects = self.objects(&tables)?.objects;
            Ok(schema)
        }

        fn objects(&mut self, tables: &[String]) -> Result<crate::introspect::objects::Capture> {
            let db = crate::introspect::objects_mysql::current_database(&mut self.conn)?;
            crate::introspect::objects_mysql::capture(&mut self.conn, &db, tables)
        }

        fn shadow(&mut self, schema: &crate::schema::Schema) -> Result<crate::schema::Schema> {
            crate::introspect::objects_mysql::shadow(&mut self.conn, schema)
        }

        fn diesel_any(&mut self) -> &mut dyn std::any::Any {
            &mut self.conn
        }

        fn table_names(&mut self) -> Result<Vec<String>> {
            names(&mut self.conn, &format!(
                "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '{HISTORY_TABLE}' ORDER BY 1"
            ))
        }
    }
}
