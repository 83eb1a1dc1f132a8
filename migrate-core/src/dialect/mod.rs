//! SQL rendering: one dialect per backend, behind [`Dialect`].
//!
//! A dialect turns one [`Operation`] into statements, given the schema before and after it, so
//! that a backend that cannot alter a table in place (SQLite) can rebuild it. Rendering is pure:
//! `migrate-cli sql` prints it with no database.

mod common;
mod enums;
pub use enums::only_added as enum_only_added;
mod mysql;
mod objects;
mod placement;
mod postgres;
mod sqlite;

pub use crate::support::{unsupported, unsupported_in_table, SchemaObject, Unsupported};
pub use mysql::{MysqlDialect, OnlineForm};
pub use placement::{op_contexts, ExistingTables, OpContext, Placement, Statement};
pub use postgres::PostgresDialect;
pub use sqlite::SqliteDialect;

pub use crate::backend::Backend;

use crate::error::Result;
use crate::migration::Operation;
use crate::schema::Schema;

impl Backend {
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

    /// The statements that perform `op`, which turns `before` into `after`: the plain forms,
    /// all inside the migration's transaction.
    fn render(&self, op: &Operation, before: &Schema, after: &Schema) -> Result<Vec<String>>;

    /// The statements that perform `op` where it runs in a migration, each with its
    /// [`Placement`]: a dialect returns the online form of a change to an existing table here
    /// (`ctx`), and tags what must run before or after the transaction. The default is
    /// [`Dialect::render`], inside the transaction.
    fn render_placed(
        &self,
        op: &Operation,
        before: &Schema,
        after: &Schema,
        ctx: &OpContext,
    ) -> Result<Vec<Statement>> {
        let _ = ctx;
        Ok(plain(op, self.render(op, before, after)?))
    }

    /// Creates the history table if it is missing.
    fn create_history_table(&self) -> String;
}

/// Refuses `op` when the table it creates or changes, as it is in `after`, holds what
/// `backend` does not have ([`unsupported_in_table`]). Every dialect calls it before rendering.
pub fn check_supported(backend: Backend, op: &Operation, after: &Schema) -> Result<()> {
    let name = match op {
        Operation::RenameTable { to, .. } => Some(to.as_str()),
        Operation::DropTable(_) => None,
        _ => op.table(),
    };
    let Some(table) = name.and_then(|name| after.table(name)) else {
        return Ok(());
    };
    let found = unsupported_in_table(backend, table);
    if found.is_empty() {
        Ok(())
    } else {
        Err(crate::Error::Unsupported(found))
    }
}

/// The name of the table that records applied revisions.
pub const HISTORY_TABLE: &str = "__migrate_history";

/// `sql`, each statement inside the transaction, locking `op`'s table (for raw SQL, the table
/// the statement names, when it can be read).
pub fn plain(op: &Operation, sql: Vec<String>) -> Vec<Statement> {
    sql.into_iter()
        .map(|s| {
            let table = match op {
                Operation::Sql(text) => crate::sqltext::table_of(text),
                _ => op.table().map(str::to_string),
            };
            let mut statement = Statement::in_transaction(s);
            if let Some(table) = table {
                statement = statement.on(table);
            }
            if let Operation::AddForeignKey { foreign_key, .. } = op {
                statement = statement.on(&foreign_key.ref_table);
            }
            statement
        })
        .collect()
}

/// Renders a list of operations from `start`, each against the schema it applies to, in their
/// plain forms; the statements, and the schema at the end.
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

/// Renders the operations of one migration from `start` as they run: the online forms on
/// tables that existed when `safe` (the migration did not opt out), each statement with its
/// placement, in operation order (the runner groups them by placement). Also the schema at the
/// end.
pub fn render_placed(
    dialect: &dyn Dialect,
    start: &Schema,
    operations: &[Operation],
    safe: bool,
) -> Result<(Vec<Statement>, Schema)> {
    let contexts = op_contexts(start, operations, safe);
    render_placed_with(dialect, start, operations, &contexts)
}

/// [`render_placed`] with the context of each operation given (`contexts[i]` is the one of
/// `operations[i]`), for a part of a migration.
pub fn render_placed_with(
    dialect: &dyn Dialect,
    start: &Schema,
    operations: &[Operation],
    contexts: &[OpContext],
) -> Result<(Vec<Statement>, Schema)> {
    if dialect.backend() == Backend::Sqlite {
        let (sql, end) = SqliteDialect.render_merged(start, operations)?;
        return Ok((
            sql.into_iter().map(Statement::in_transaction).collect(),
            end,
        ));
    }
    let mut schema = start.clone();
    let mut statements = Vec::new();
    for (op, ctx) in operations.iter().zip(contexts) {
        let before = schema.clone();
        op.apply(&mut schema)?;
        statements.extend(dialect.render_placed(op, &before, &schema, ctx)?);
    }
    Ok((statements, schema))
}
