//! SQL rendering: one dialect per backend, behind [`Dialect`].
//!
//! A dialect turns one [`Operation`] into statements, given the schema before and after it, so
//! that a backend that cannot alter a table in place (SQLite) can rebuild it. Rendering is pure:
//! `migrate-cli sql` prints it with no database.

mod common;
mod enums;
mod mysql;
mod postgres;
mod sqlite;

pub use mysql::MysqlDialect;
pub use postgres::PostgresDialect;
pub use sqlite::SqliteDialect;

use crate::error::Result;
use crate::migration::Operation;
use crate::schema::Schema;

/// The database kinds this project speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// SQLite, the embedded default.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

impl Backend {
    /// The cargo feature that enables it.
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::Mysql => "mysql",
        }
    }

    /// Parses a `--dialect` name.
    pub fn parse(name: &str) -> Option<Backend> {
        match name {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" | "pg" => Some(Backend::Postgres),
            "mysql" | "mariadb" => Some(Backend::Mysql),
            _ => None,
        }
    }

    /// The backend of a database URL: `sqlite://`, `postgres://`, `mysql://`, or a file path.
    pub fn from_url(url: &str) -> Result<Backend> {
        match url.split_once("://").map(|(scheme, _)| scheme) {
            Some("sqlite" | "file") | None => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            Some("mysql" | "mariadb") => Ok(Backend::Mysql),
            Some(other) => Err(crate::Error::DatabaseUrl(format!(
                "unsupported database URL scheme `{other}://`, expected `sqlite://`, `postgres://`, `mysql://` or a file path"
            ))),
        }
    }

    /// Its dialect.
    pub fn dialect(self) -> Box<dyn Dialect> {
        match self {
            Backend::Sqlite => Box::new(SqliteDialect),
            Backend::Postgres => Box::new(PostgresDialect),
            Backend::Mysql => Box::new(MysqlDialect),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
            Backend::Mysql => "MySQL",
        })
    }
}

/// Renders operations as the statements of one backend.
pub trait Dialect {
    /// The backend it renders for.
    fn backend(&self) -> Backend;

    /// `name` as a quoted identifier.
    fn quote(&self, name: &str) -> String;

    /// `text` as a string literal.
    fn literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\'', "''"))
    }

    /// The statements that perform `op`, which turns `before` into `after`.
    fn render(&self, op: &Operation, before: &Schema, after: &Schema) -> Result<Vec<String>>;

    /// Creates the history table if it is missing.
    fn create_history_table(&self) -> String;
}

/// The name of the table that records applied revisions.
pub const HISTORY_TABLE: &str = "__migrate_history";

/// Renders a list of operations from `start`, each against the schema it applies to; the
/// statements, and the schema at the end.
pub fn render_all(
    dialect: &dyn Dialect,
    start: &Schema,
    operations: &[Operation],
) -> Result<(Vec<String>, Schema)> {
    if dialect.backend() == Backend::Sqlite {
        // One rebuild per run of changes to a table, not one per change.
        return SqliteDialect.render_merged(start, operations);
    }
    let mut schema = start.clone();
    let mut statements = Vec::new();
    for op in operations {
        let before = schema.clone();
        op.apply(&mut schema)?;
        statements.extend(dialect.render(op, &before, &schema)?);
    }
    Ok((statements, schema))
}
