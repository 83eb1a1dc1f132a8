//! The diff: two schemas in, the operations from one to the other out, with `down` as the exact
//! inverse of `up` and a summary for the user.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::error::{Error, Result};
use crate::migration::Operation;
use crate::schema::{Column, Schema, Table};

/// What `migrate` will write: operations both ways and a line per change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// From the old schema to the new.
    pub up: Vec<Operation>,
    /// From the new schema back to the old: the inverse of `up`, in reverse order.
    pub down: Vec<Operation>,
    /// One line per change, for the summary.
    pub changes: Vec<Change>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }
}

/// One line of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// How it reads at a glance.
    pub kind: ChangeKind,
    /// What changes (`table posts`, `column users.bio text NULL`).
    pub text: String,
}

/// The sign of a summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// `+` something new.
    Add,
    /// `-` something removed that holds no data (an index).
    Remove,
    /// `~` something altered.
    Alter,
    /// `!` a step that loses data or may fail on existing rows.
    Warning,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.kind {
            ChangeKind::Add => '+',
            ChangeKind::Remove => '-',
            ChangeKind::Alter => '~',
            ChangeKind::Warning => '!',
        };
        write!(f, "{sign} {}", self.text)
    }
}

fn change(kind: ChangeKind, text: String) -> Change {
    Change { kind, text }
}

/// Describes a column the way the summary shows it: `text NULL`, `integer NOT NULL`.
fn describe(column: &Column) -> String {
    format!(
        "{} {}",
        column.ty,
        if column.nullable { "NULL" } else { "NOT NULL" }
    )
}

/// Plans the operations that turn `from` into `to`.
pub fn diff(from: &Schema, to: &Schema) -> Result<Plan> {
    let mut up = Vec::new();
    let mut changes = Vec::new();

    let old: BTreeMap<&str, &Table> = from.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let new: BTreeMap<&str, &Table> = to.tables.iter().map(|t| (t.name.as_str(), t)).collect();
    let dropped: Vec<&Table> = from
        .tables
        .iter()
        .filter(|t| !new.contains_key(t.name.as_str()))
        .collect();
    let created: Vec<&Table> = to
        .tables
        .iter()
        .filter(|t| !old.contains_key(t.name.as_str()))
        .collect();
    let kept: Vec<(&Table, &Table)> = to
        .tables
        .iter()
        .filter_map(|t| old.get(t.name.as_str()).map(|o| (*o, t)))
        .collect();

    for (before, after) in &kept {
        unsupported_changes(before, after)?;
    }

    // Indexes that go away go first, before the columns they use.
    for (before, after) in &kept {
        for index in &before.indexes {
            if !after.indexes.contains(index) {
                up.push(Operation::DropIndex {
                    table: before.name.clone(),
                    name: index.name.clone(),
                });
                changes.push(change(
                    ChangeKind::Remove,
                    format!("index {} on {}", index.name, before.name),
                ));
            }
        }
    }

    // Referencing tables are dropped before the tables they reference.
    for table in dependency_order(&dropped)?.into_iter().rev() {
        up.push(Operation::DropTable(table.name.clone()));
        changes.push(change(
            ChangeKind::Warning,
            format!("drop table {}: data loss", table.name),
        ));
    }

    for (before, after) in &kept {
        for column in &before.columns {
            if after.column(&column.name).is_none() {
                up.push(Operation::DropColumn {
                    table: before.name.clone(),
                    column: column.name.clone(),
                });
                changes.push(change(
                    ChangeKind::Warning,
                    format!("drop column {}.{}: data loss", before.name, column.name),
                ));
            }
        }
    }

    // Referenced tables are created before the tables that reference them.
    for table in dependency_order(&created)? {
        up.push(Operation::CreateTable(table.clone()));
        changes.push(change(ChangeKind::Add, format!("table {}", table.name)));
    }

    for (before, after) in &kept {
        for column in &after.columns {
            if before.column(&column.name).is_none() {
                up.push(Operation::AddColumn {
                    table: after.name.clone(),
                    column: column.clone(),
                });
                changes.push(change(
                    ChangeKind::Add,
                    format!("column {}.{} {}", after.name, column.name, describe(column)),
                ));
                if !column.nullable && column.default.is_none() {
                    changes.push(change(
                        ChangeKind::Warning,
                        format!(
                            "column {}.{} is NOT NULL without a default: the step fails if the table has rows",
                            after.name, column.name
                        ),
                    ));
                }
            }
        }
        for index in &after.indexes {
            if !before.indexes.contains(index) {
                up.push(Operation::CreateIndex {
                    table: after.name.clone(),
                    index: index.clone(),
                });
                changes.push(change(
                    ChangeKind::Add,
                    format!("index {} on {}", index.name, after.name),
                ));
            }
        }
    }

    let down = inverse_of(from, &up)?;
    Ok(Plan { up, down, changes })
}

/// The inverse of `operations`, which start from `start`: each inverted against the schema it
/// applies to, in reverse order.
pub fn inverse_of(start: &Schema, operations: &[Operation]) -> Result<Vec<Operation>> {
    let mut schema = start.clone();
    let mut down = Vec::with_capacity(operations.len());
    for op in operations {
        let inverse = op
            .inverse(&schema)
            .ok_or_else(|| Error::Operation(format!("cannot invert {op:?}")))?;
        op.apply(&mut schema)?;
        down.push(inverse);
    }
    down.reverse();
    Ok(down)
}

/// Changes the skeleton's diff does not plan yet. Refusing is better than a migration that
/// silently leaves the database behind the models.
fn unsupported_changes(before: &Table, after: &Table) -> Result<()> {
    let refuse = |what: String| {
        Err(Error::Operation(format!(
            "{what}: this change is not supported by `migrate` yet; write it by hand with `migrate --empty` and `m.sql(...)`"
        )))
    };
    for column in &after.columns {
        if let Some(old) = before.column(&column.name) {
            if old != column {
                return refuse(format!(
                    "column {}.{} changed from {} to {}",
                    after.name,
                    column.name,
                    describe(old),
                    describe(column)
                ));
            }
        }
    }
    if before.primary_key != after.primary_key {
        return refuse(format!("primary key of {}", after.name));
    }
    if before.uniques != after.uniques {
        return refuse(format!("unique constraints of {}", after.name));
    }
    if before.foreign_keys != after.foreign_keys {
        let kept = |t: &Table| -> Vec<_> {
            t.foreign_keys
                .iter()
                .filter(|fk| {
                    fk.columns
                        .iter()
                        .all(|c| before.column(c).is_some() && after.column(c).is_some())
                })
                .cloned()
                .collect()
        };
        if kept(before) != kept(after) {
            return refuse(format!("foreign keys of {}", after.name));
        }
        if after
            .foreign_keys
            .iter()
            .any(|fk| !before.foreign_keys.contains(fk))
        {
            return refuse(format!("new foreign key on existing table {}", after.name));
        }
    }
    if before.checks != after.checks {
        return refuse(format!("check constraints of {}", after.name));
    }
    Ok(())
}

/// Orders tables so that each comes after the tables it references (among `tables`).
fn dependency_order<'a>(tables: &[&'a Table]) -> Result<Vec<&'a Table>> {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| {
            let deps = t
                .referenced_tables()
                .filter(|r| names.contains(r))
                .collect();
            (t.name.as_str(), deps)
        })
        .collect();
    let by_name: BTreeMap<&str, &'a Table> = tables.iter().map(|t| (t.name.as_str(), *t)).collect();
    let mut order = Vec::with_capacity(tables.len());
    while !waiting.is_empty() {
        let ready: Vec<&str> = waiting
            .iter()
            .filter(|(_, deps)| deps.is_empty())
            .map(|(name, _)| *name)
            .collect();
        if ready.is_empty() {
            let cycle: Vec<&str> = waiting.keys().copied().collect();
            return Err(Error::Operation(format!(
                "tables {} reference each other in a cycle, which `migrate` does not plan yet",
                cycle.join(", ")
            )));
        }
        for name in ready {
            waiting.remove(name);
            for deps in waiting.values_mut() {
                deps.remove(name);
            }
            order.push(by_name[name]);
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::apply_all;
    use crate::schema::{ForeignKey, Index, SqlType};

    fn table(name: &str, columns: &[&str]) -> Table {
        let mut t = Table::new(name);
        t.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        t.primary_key = vec!["id".into()];
        for c in columns {
            t.columns.push(Column::new(*c, SqlType::Text));
        }
        t
    }

    fn with_fk(mut t: Table, column: &str, target: &str) -> Table {
        t.columns.push(Column::new(column, SqlType::Integer));
        t.foreign_keys.push(ForeignKey {
            name: format!("fk_{}_{column}_{target}", t.name),
            columns: vec![column.into()],
            ref_table: target.into(),
            ref_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
        });
        t
    }

    #[test]
    fn equal_schemas_plan_nothing() {
        let s = Schema::new(vec![table("users", &["email"])]);
        assert!(diff(&s, &s).unwrap().is_empty());
    }

    #[test]
    fn referenced_tables_are_created_first_and_dropped_last() {
        let empty = Schema::default();
        let full = Schema::new(vec![
            with_fk(table("a_posts", &[]), "user_id", "users"),
            table("users", &["email"]),
        ]);
        let plan = diff(&empty, &full).unwrap();
        let names: Vec<String> = plan
            .up
            .iter()
            .map(|op| match op {
                Operation::CreateTable(t) => t.name.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["users", "a_posts"]);
        assert_eq!(
            plan.down,
            vec![
                Operation::DropTable("a_posts".into()),
                Operation::DropTable("users".into())
            ]
        );
        let back = diff(&full, &empty).unwrap();
        assert_eq!(back.up, plan.down);
    }

    #[test]
    fn up_then_down_restores_the_start() {
        let mut start_users = table("users", &["email", "legacy"]);
        start_users.indexes.push(Index {
            name: "ix_users_legacy".into(),
            columns: vec!["legacy".into()],
            unique: false,
        });
        let start = Schema::new(vec![start_users]);
        let mut users = table("users", &["email"]);
        users.columns.push(Column {
            nullable: true,
            ..Column::new("bio", SqlType::Text)
        });
        let target = Schema::new(vec![users, table("tags", &["name"])]);
        let plan = diff(&start, &target).unwrap();
        let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            summary,
            [
                "- index ix_users_legacy on users",
                "! drop column users.legacy: data loss",
                "+ table tags",
                "+ column users.bio text NULL"
            ]
        );
        let mut schema = start.clone();
        apply_all(&mut schema, &plan.up).unwrap();
        assert!(diff(&schema, &target).unwrap().is_empty());
        apply_all(&mut schema, &plan.down).unwrap();
        assert!(diff(&schema, &start).unwrap().is_empty());
    }

    #[test]
    fn type_changes_are_refused_not_ignored() {
        let start = Schema::new(vec![table("users", &["email"])]);
        let mut users = table("users", &[]);
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(10)));
        let err = diff(&start, &Schema::new(vec![users]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                "column users.email changed from text NOT NULL to varchar(10) NOT NULL"
            ),
            "{err}"
        );
    }
}
