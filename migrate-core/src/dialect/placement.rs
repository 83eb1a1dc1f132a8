//! Where a statement runs relative to its migration's transaction, and when a change to an
//! existing table may take its online form.
//!
//! A migration is one transaction with its history row, but some statements cannot or should
//! not be inside it:
//!
//! - `CREATE INDEX CONCURRENTLY` and `DROP INDEX CONCURRENTLY` refuse to run in a transaction
//!   block, and `VALIDATE CONSTRAINT` gains nothing if it shares a transaction with the
//!   `ADD CONSTRAINT ... NOT VALID` whose lock it would then keep: they run **after** the
//!   transaction commits, each on its own ([`Placement::AfterTransaction`]);
//! - a statement whose effect the transaction needs but which cannot share it (PostgreSQL's
//!   `ALTER TYPE ... ADD VALUE` cannot be used in the transaction that adds it) runs
//!   **before**, committed on its own ([`Placement::BeforeTransaction`]).
//!
//! A dialect tags each statement it renders ([`super::Dialect::render_placed`]); the runner
//! runs the three groups in that order (see `runner.rs` for how the history row records it).

use std::collections::BTreeSet;

use crate::migration::Operation;
use crate::schema::Schema;

/// Where a statement runs relative to its migration's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placement {
    /// Before the transaction opens, committed on its own. Such a statement must be idempotent
    /// (`ADD VALUE IF NOT EXISTS`): when the transaction fails, it stays done, and the next
    /// `upgrade` runs it again.
    BeforeTransaction,
    /// Inside the migration's transaction, with its history row.
    InTransaction,
    /// After the transaction commits, each statement on its own, while the history row says
    /// the revision is not finished. Such a statement must be safe to run again (`IF EXISTS`,
    /// `VALIDATE`, or an index build the runner checks first, see [`Statement::builds_index`]):
    /// after a failure the next `upgrade` runs the whole group again.
    AfterTransaction,
}

impl Placement {
    /// The comment `migrate-cli sql` prints above a statement that runs outside the
    /// transaction; `None` inside it.
    pub fn comment(self) -> Option<&'static str> {
        match self {
            Placement::BeforeTransaction => {
                Some("-- outside the transaction: before it, committed on its own")
            }
            Placement::InTransaction => None,
            Placement::AfterTransaction => {
                Some("-- outside the transaction: after it commits, on its own")
            }
        }
    }
}

/// One rendered statement and where it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The SQL.
    pub sql: String,
    /// Before, in or after the migration's transaction.
    pub placement: Placement,
    /// The tables whose locks it takes (the changed table first), for the error when a lock is
    /// not granted within `lock_timeout`.
    pub tables: Vec<String>,
    /// The index a concurrent build creates. Before running it again after a failure, the
    /// runner drops an INVALID index of that name that the failed build left, and skips the
    /// build when a valid one exists.
    pub builds_index: Option<String>,
}

impl Statement {
    /// A statement in the transaction.
    pub fn in_transaction(sql: impl Into<String>) -> Self {
        Statement {
            sql: sql.into(),
            placement: Placement::InTransaction,
            tables: Vec::new(),
            builds_index: None,
        }
    }

    /// A statement after the transaction.
    pub fn after_transaction(sql: impl Into<String>) -> Self {
        Statement {
            placement: Placement::AfterTransaction,
            ..Statement::in_transaction(sql)
        }
    }

    /// A statement before the transaction.
    pub fn before_transaction(sql: impl Into<String>) -> Self {
        Statement {
            placement: Placement::BeforeTransaction,
            ..Statement::in_transaction(sql)
        }
    }

    /// The same, locking `table` too.
    pub fn on(mut self, table: impl Into<String>) -> Self {
        let table = table.into();
        if !self.tables.contains(&table) {
            self.tables.push(table);
        }
        self
    }

    /// The same, building index `name` concurrently.
    pub fn building_index(mut self, name: impl Into<String>) -> Self {
        self.builds_index = Some(name.into());
        self
    }
}

/// What a dialect knows about one operation beyond the schemas around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpContext {
    /// The migration wants the safe forms (it did not declare `SAFE_DDL = false`).
    pub safe: bool,
    /// The operation's table existed when the migration started (perhaps renamed since), so
    /// it may hold many rows and serve writers; a table the migration created is empty and
    /// unseen by others until commit, so the plain form costs nothing there.
    pub existing_table: bool,
    /// The slow part may move after the transaction: no later operation of the migration
    /// needs it done first or undoes what it builds on (see [`op_contexts`]).
    pub deferrable: bool,
}

impl OpContext {
    /// The online form applies: safe DDL wanted, on a table that existed.
    pub fn online(&self) -> bool {
        self.safe && self.existing_table
    }

    /// The online form applies and may run after the transaction.
    pub fn online_after(&self) -> bool {
        self.online() && self.deferrable
    }
}

/// The tables that existed when a migration started and still do, under the names they have
/// now, followed operation by operation.
#[derive(Debug, Clone)]
pub struct ExistingTables(BTreeSet<String>);

impl ExistingTables {
    /// The tables of `start`.
    pub fn new(start: &Schema) -> Self {
        ExistingTables(start.tables.iter().map(|t| t.name.clone()).collect())
    }

    /// Whether `table` (by its current name) existed when the migration started.
    pub fn contains(&self, table: &str) -> bool {
        self.0.contains(table)
    }

    /// Follows `op`: a dropped table is gone, a renamed one goes by its new name.
    pub fn follow(&mut self, op: &Operation) {
        match op {
            Operation::DropTable(name) => {
                self.0.remove(name);
            }
            Operation::RenameTable { from, to } if self.0.remove(from) => {
                self.0.insert(to.clone());
            }
            _ => {}
        }
    }
}

/// The context of each of `ops`, which start from `start`; `safe` is the migration's choice.
///
/// An operation on table `T` is deferrable unless a later operation of the same migration:
/// drops or renames `T`, or drops or renames a column of `T` (the deferred statement names
/// them); alters the same column again (a deferred `SET NOT NULL` would land after it); drops
/// the constraint or index it adds; or, for a unique index or an index drop, is raw SQL or a
/// data step (which may rely on it, `ON CONFLICT` say) or a foreign key that may need the
/// unique index.
pub fn op_contexts(start: &Schema, ops: &[Operation], safe: bool) -> Vec<OpContext> {
    let mut existing = ExistingTables::new(start);
    let mut out = Vec::with_capacity(ops.len());
    for (i, op) in ops.iter().enumerate() {
        let existing_table = match op {
            // An enum type that existed before the migration (and that it did not create or
            // drop since) can take its new values ahead of the transaction.
            Operation::AlterEnum { name, .. } => {
                start.enum_type(name).is_some()
                    && !ops[..i].iter().any(|earlier| {
                        matches!(earlier, Operation::CreateEnum(e) if e.name == *name)
                            || matches!(earlier, Operation::DropEnum(n) if n == name)
                    })
            }
            _ => op.table().is_some_and(|t| existing.contains(t)),
        };
        let deferrable = existing_table && !ops[i + 1..].iter().any(|later| conflicts(op, later));
        out.push(OpContext {
            safe,
            existing_table,
            deferrable,
        });
        existing.follow(op);
    }
    out
}

/// Whether `later`, in the same migration, keeps `op`'s slow part from moving after the
/// transaction.
fn conflicts(op: &Operation, later: &Operation) -> bool {
    let Some(table) = op.table() else {
        return true;
    };
    let same_table = later.table() == Some(table);
    let structural = same_table
        && matches!(
            later,
            Operation::DropTable(_)
                | Operation::RenameTable { .. }
                | Operation::DropColumn { .. }
                | Operation::RenameColumn { .. }
        );
    if structural {
        return true;
    }
    let data_step = matches!(later, Operation::Sql(_) | Operation::Rust(_));
    match op {
        Operation::CreateIndex { index, .. } => {
            let dropped = same_table
                && matches!(later, Operation::DropIndex { name, .. } if *name == index.name);
            let needed = index.unique
                && (data_step
                    || matches!(later, Operation::AddForeignKey { foreign_key, .. } if foreign_key.ref_table == table));
            dropped || needed
        }
        Operation::DropIndex { .. } => data_step,
        Operation::AddForeignKey { foreign_key, .. } => {
            same_table
                && matches!(later, Operation::DropForeignKey { name, .. } if *name == foreign_key.name)
        }
        Operation::AddCheck { check, .. } => {
            same_table && matches!(later, Operation::DropCheck { name, .. } if *name == check.name)
        }
        Operation::AlterColumn { column, .. } => {
            same_table
                && matches!(later, Operation::AlterColumn { column: again, .. } if again.name == column.name)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::Migration;
    use crate::schema::{Column, SqlType, Table};

    fn posts() -> Schema {
        let mut t = Table::new("posts");
        t.columns.push(Column::new("id", SqlType::Integer));
        t.columns.push(Column::new("title", SqlType::Text));
        Schema::new(vec![t])
    }

    fn contexts(build: impl FnOnce(&mut Migration)) -> Vec<OpContext> {
        let mut m = Migration::new();
        build(&mut m);
        op_contexts(&posts(), m.operations(), true)
    }

    #[test]
    fn new_tables_are_not_existing() {
        let c = contexts(|m| {
            m.create_table("users", |t| {
                t.column("id", SqlType::Integer);
            });
            m.create_index("users", "ix_users_id", &["id"]);
            m.create_index("posts", "ix_posts_title", &["title"]);
        });
        assert!(!c[1].existing_table && !c[1].online());
        assert!(c[2].existing_table && c[2].online_after());
    }

    #[test]
    fn renamed_tables_stay_existing() {
        let c = contexts(|m| {
            m.rename_table("posts", "articles");
            m.create_index("articles", "ix_articles_title", &["title"]);
        });
        assert!(c[1].existing_table && c[1].deferrable);
    }

    #[test]
    fn later_structural_changes_keep_it_in_the_transaction() {
        let c = contexts(|m| {
            m.create_index("posts", "ix_posts_title", &["title"]);
            m.rename_column("posts", "title", "headline");
        });
        assert!(c[0].existing_table && !c[0].deferrable);
        let c = contexts(|m| {
            m.alter_column("posts", "title", SqlType::Text);
            m.alter_column("posts", "title", SqlType::Text).nullable();
        });
        assert!(!c[0].deferrable && c[1].deferrable);
    }

    #[test]
    fn data_steps_keep_unique_indexes_in_the_transaction() {
        let c = contexts(|m| {
            m.create_index("posts", "ix_a", &["title"]);
            m.create_index("posts", "ix_b", &["title"]).unique();
            m.sql("INSERT INTO posts (id, title) VALUES (1, 'a') ON CONFLICT (title) DO NOTHING");
        });
        assert!(c[0].deferrable);
        assert!(!c[1].deferrable);
    }

    #[test]
    fn opting_out_turns_the_online_forms_off() {
        let mut m = Migration::new();
        m.create_index("posts", "ix_posts_title", &["title"]);
        let c = op_contexts(&posts(), m.operations(), false);
        assert!(c[0].existing_table && c[0].deferrable && !c[0].online());
    }
}
