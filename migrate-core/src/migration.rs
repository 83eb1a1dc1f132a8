//! The operations API that migration modules call, and the operations it records.
//!
//! A module's `up` and `down` receive a [`Migration`] and describe what to change; nothing runs
//! while they do. The runner then replays the recorded [`Operation`]s over the schema of the
//! previous revision, so each operation is checked against the schema it applies to and every
//! dialect (SQLite's table rebuild above all) sees the table before and after.

use crate::error::{Error, Result};
use crate::objects::{DbObject, ObjectKey, ObjectKind};
use crate::schema::{
    mentions_identifier, Check, Column, DefaultValue, Deferrable, EnumType, Exclusion, FkAction,
    ForeignKey, Generated, Identity, Index, IndexColumn, IndexTarget, PartitionOf, Schema, SqlType,
    Table, TableOptions, Unique,
};

/// What a migration module's `up` or `down` imports.
pub mod prelude {
    pub use super::{Migration, TableBuilder};
    pub use crate::objects::ObjectKind;
    pub use crate::schema::{Deferrable, FkAction, Identity, IndexColumn, SqlType};
}

/// One schema change. Serialized only where `up` and `down` were read from a module's source
/// (`project::read_cache`), which never holds a Rust data step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Operation {
    /// Creates a table with its keys, indexes and constraints.
    CreateTable(Table),
    /// Drops a table and its rows.
    DropTable(String),
    /// Adds a column.
    AddColumn {
        /// The table.
        table: String,
        /// The new column.
        column: Column,
    },
    /// Drops a column and its values (and the indexes and constraints that use it).
    DropColumn {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Creates an index.
    CreateIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
    },
    /// Drops an index.
    DropIndex {
        /// The table.
        table: String,
        /// The index name.
        name: String,
    },
    /// Raw SQL, run as written; the schema model does not see it.
    Sql(String),
    /// A Rust data step that receives the Diesel connection, in the migration's transaction.
    #[serde(skip)]
    Rust(RustStep),
    /// Marks a `down` that cannot be written: `downgrade` refuses it, saying why.
    Irreversible(String),
    /// Renames a table; foreign keys of other tables follow it.
    RenameTable {
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Renames a column; the table's keys, indexes and constraints, and foreign keys of other
    /// tables that reference it, follow it.
    RenameColumn {
        /// The table.
        table: String,
        /// The current name.
        from: String,
        /// The new name.
        to: String,
    },
    /// Redefines a column in place (type, nullability, default, auto-increment): `column` is
    /// the whole new definition, and its name the column's. The definition it replaces is the
    /// one of the schema it applies to.
    ///
    /// Making a nullable column NOT NULL with a default first sets the rows that hold NULL to
    /// that default.
    AlterColumn {
        /// The table.
        table: String,
        /// The new definition.
        column: Column,
    },
    /// Replaces the primary key (an empty list drops it), or only its name.
    SetPrimaryKey {
        /// The table.
        table: String,
        /// The key's columns, in order.
        columns: Vec<String>,
        /// The key constraint's name; `None` is the backend's own.
        name: Option<String>,
    },
    /// Replaces the table's options (comment, storage, partitioning, inheritance) with
    /// `options`, the whole new set.
    AlterTableOptions {
        /// The table.
        table: String,
        /// Every option, as it is to be.
        options: TableOptions,
    },
    /// Adds an exclusion constraint (PostgreSQL).
    AddExclusion {
        /// The table.
        table: String,
        /// The constraint.
        exclusion: Exclusion,
    },
    /// Drops an exclusion constraint.
    DropExclusion {
        /// The table.
        table: String,
        /// The constraint name.
        name: String,
    },
    /// Adds a unique constraint.
    AddUnique {
        /// The table.
        table: String,
        /// The constraint.
        unique: Unique,
    },
    /// Drops a unique constraint.
    DropUnique {
        /// The table.
        table: String,
        /// The constraint name.
        name: String,
    },
    /// Adds a foreign key.
    AddForeignKey {
        /// The referencing table.
        table: String,
        /// The key.
        foreign_key: ForeignKey,
    },
    /// Drops a foreign key.
    DropForeignKey {
        /// The referencing table.
        table: String,
        /// The key name.
        name: String,
    },
    /// Adds a check constraint.
    AddCheck {
        /// The table.
        table: String,
        /// The constraint.
        check: Check,
    },
    /// Drops a check constraint.
    DropCheck {
        /// The table.
        table: String,
        /// The constraint name.
        name: String,
    },
    /// Creates an enum type, before the first column that uses it.
    CreateEnum(EnumType),
    /// Drops an enum type that no column uses any more.
    DropEnum(String),
    /// Replaces an enum type's values with `values`, in this order. Values that go away must
    /// not be held by any row: the step fails instead of losing them.
    AlterEnum {
        /// The type.
        name: String,
        /// Every value, in order.
        values: Vec<String>,
    },
    /// Renames one value of an enum type; rows holding it follow.
    RenameEnumValue {
        /// The type.
        name: String,
        /// The current value.
        from: String,
        /// The new value.
        to: String,
    },
    /// Creates an object that is not a table (a view, function, trigger, ...) with its SQL.
    CreateObject(DbObject),
    /// Gives an object a new definition in place: `CREATE OR REPLACE` where the backend has it
    /// for the kind, `ALTER` (sequences, extensions), or a drop and create of the object alone
    /// (triggers, policies, events). What depends on it stays.
    ReplaceObject(DbObject),
    /// Drops an object, which nothing may use any more.
    DropObject(ObjectKey),
}

impl Operation {
    /// Applies the operation to `schema`, refusing what that schema does not allow.
    pub fn apply(&self, schema: &mut Schema) -> Result<()> {
        match self {
            Operation::CreateTable(table) => {
                if schema.table(&table.name).is_some() {
                    return Err(op_err(format!(
                        "create_table: table `{}` already exists",
                        table.name
                    )));
                }
                for fk in &table.foreign_keys {
                    if fk.ref_table != table.name && schema.table(&fk.ref_table).is_none() {
                        return Err(op_err(format!(
                            "create_table: `{}` references table `{}`, which does not exist",
                            table.name, fk.ref_table
                        )));
                    }
                }
                parents_exist(schema, "create_table", &table.name, &table.options)?;
                for column in &table.columns {
                    column_valid("create_table", &table.name, column)?;
                }
                primary_key_valid("create_table", table)?;
                let mut table = table.clone();
                table.normalize();
                // Every operation keeps the tables sorted and each table normalized, so the new
                // table goes in at its place: normalizing the whole schema per created table
                // made replaying a 1000-table migration quadratic.
                let at = schema
                    .tables
                    .partition_point(|t| t.name.as_str() < table.name.as_str());
                schema.tables.insert(at, table);
            }
            Operation::DropTable(name) => {
                table_of(schema, "drop_table", name)?;
                if let Some(user) = schema
                    .tables
                    .iter()
                    .find(|t| t.name != *name && t.referenced_tables().any(|r| r == name))
                {
                    return Err(op_err(format!(
                        "drop_table: table `{name}` is still referenced by a foreign key of `{}`",
                        user.name
                    )));
                }
                if let Some(child) = schema
                    .tables
                    .iter()
                    .find(|t| t.name != *name && t.options.parents().any(|p| p == name))
                {
                    return Err(op_err(format!(
                        "drop_table: table `{name}` still has the partition or child table `{}`",
                        child.name
                    )));
                }
                let shown = format!("table {name}");
                if let Some(user) = schema.objects.iter().find(|o| o.depends_on(&shown)) {
                    return Err(op_err(format!(
                        "drop_table: table `{name}` is still used by {}; drop that first",
                        user.key()
                    )));
                }
                schema.tables.retain(|t| t.name != *name);
            }
            Operation::AddColumn { table, column } => {
                column_valid("add_column", table, column)?;
                let t = table_mut(schema, "add_column", table)?;
                if t.column(&column.name).is_some() {
                    return Err(op_err(format!(
                        "add_column: column `{table}.{}` already exists",
                        column.name
                    )));
                }
                t.columns.push(column.clone());
            }
            Operation::DropColumn { table, column } => {
                let t = table_mut(schema, "drop_column", table)?;
                if t.column(column).is_none() {
                    return Err(op_err(format!(
                        "drop_column: column `{table}.{column}` does not exist"
                    )));
                }
                // A generated column computed from it would be left computing from nothing:
                // PostgreSQL and MySQL refuse the drop, and so does the schema.
                if let Some(user) = t.columns.iter().find(|c| {
                    c.name != *column
                        && c.generated
                            .as_ref()
                            .is_some_and(|g| mentions_identifier(&g.expr, column))
                }) {
                    return Err(op_err(format!(
                        "drop_column: column `{table}.{column}` is used by the generated column `{table}.{}`",
                        user.name
                    )));
                }
                t.columns.retain(|c| c.name != *column);
                let uses = |cols: &[String]| cols.iter().any(|c| c == column);
                t.primary_key.retain(|c| c != column);
                if t.primary_key.is_empty() {
                    t.primary_key_name = None;
                }
                // An index goes with any column it names: as a key, in an expression, in its
                // predicate or as an INCLUDE column (PostgreSQL drops each of them with the
                // column; SQLite's rebuild leaves them out).
                t.indexes.retain(|i| !i.uses_column(column));
                t.uniques.retain(|u| !uses(&u.columns));
                t.foreign_keys.retain(|f| !uses(&f.columns));
                t.exclusions
                    .retain(|e| !mentions_identifier(&e.definition, column));
            }
            Operation::CreateIndex { table, index } => {
                let t = table_mut(schema, "create_index", table)?;
                if t.indexes.iter().any(|i| i.name == index.name) {
                    return Err(op_err(format!(
                        "create_index: index `{}` already exists on `{table}`",
                        index.name
                    )));
                }
                // Expressions and predicates are the database's to check; named columns are
                // checked here.
                if let Some(missing) = index
                    .column_names()
                    .chain(index.include.iter().map(String::as_str))
                    .find(|c| t.column(c).is_none())
                {
                    return Err(op_err(format!(
                        "create_index: `{}` names column `{table}.{missing}`, which does not exist",
                        index.name
                    )));
                }
                t.indexes.push(index.clone());
                t.normalize();
            }
            Operation::DropIndex { table, name } => {
                let t = table_mut(schema, "drop_index", table)?;
                if !t.indexes.iter().any(|i| i.name == *name) {
                    return Err(op_err(format!(
                        "drop_index: index `{name}` does not exist on `{table}`"
                    )));
                }
                t.indexes.retain(|i| i.name != *name);
            }
            Operation::Sql(_) | Operation::Rust(_) | Operation::Irreversible(_) => {}
            Operation::RenameTable { from, to } => {
                table_of(schema, "rename_table", from)?;
                if schema.table(to).is_some() {
                    return Err(op_err(format!("rename_table: table `{to}` already exists")));
                }
                for t in &mut schema.tables {
                    if t.name == *from {
                        t.name = to.clone();
                    }
                    for fk in &mut t.foreign_keys {
                        if fk.ref_table == *from {
                            fk.ref_table = to.clone();
                        }
                    }
                    // Partitions and child tables name their parent by its table, which follows.
                    if let Some(partition) = &mut t.options.partition_of {
                        if partition.parent == *from {
                            partition.parent = to.clone();
                        }
                    }
                    for parent in &mut t.options.inherits {
                        if parent == from {
                            *parent = to.clone();
                        }
                    }
                }
                // Triggers and policies move with their table, as the database moves them.
                let (old, new) = (format!("table {from}"), format!("table {to}"));
                for o in &mut schema.objects {
                    if o.table.as_deref() == Some(from.as_str()) {
                        o.table = Some(to.clone());
                    }
                    for d in &mut o.depends_on {
                        if *d == old {
                            *d = new.clone();
                        }
                    }
                    o.depends_on.sort();
                }
                schema.normalize();
            }
            Operation::RenameColumn { table, from, to } => {
                let t = table_mut(schema, "rename_column", table)?;
                if t.column(from).is_none() {
                    return Err(op_err(format!(
                        "rename_column: column `{table}.{from}` does not exist"
                    )));
                }
                if t.column(to).is_some() {
                    return Err(op_err(format!(
                        "rename_column: column `{table}.{to}` already exists"
                    )));
                }
                let rename = |cols: &mut Vec<String>| {
                    for c in cols.iter_mut() {
                        if c == from {
                            *c = to.clone();
                        }
                    }
                };
                t.column_mut(from).expect("checked above").name = to.clone();
                rename(&mut t.primary_key);
                for index in &mut t.indexes {
                    rename_in_index(index, from, to);
                }
                t.uniques.iter_mut().for_each(|u| rename(&mut u.columns));
                t.foreign_keys
                    .iter_mut()
                    .for_each(|f| rename(&mut f.columns));
                // Databases rewrite the expressions that name the column (checks, generated
                // columns, exclusions, the partition key); so does the schema, so that it stays
                // what the database holds.
                for check in &mut t.checks {
                    check.expr = rename_identifier(&check.expr, from, to);
                }
                for generated in t.columns.iter_mut().filter_map(|c| c.generated.as_mut()) {
                    generated.expr = rename_identifier(&generated.expr, from, to);
                }
                for exclusion in &mut t.exclusions {
                    exclusion.definition = rename_identifier(&exclusion.definition, from, to);
                }
                if let Some(key) = &mut t.options.partition_by {
                    *key = rename_identifier(key, from, to);
                }
                for other in &mut schema.tables {
                    for fk in &mut other.foreign_keys {
                        if fk.ref_table == *table {
                            rename(&mut fk.ref_columns);
                        }
                    }
                }
            }
            Operation::AlterColumn { table, column } => {
                column_valid("alter_column", table, column)?;
                let t = table_mut(schema, "alter_column", table)?;
                let Some(old) = t.column_mut(&column.name) else {
                    return Err(op_err(format!(
                        "alter_column: column `{table}.{}` does not exist",
                        column.name
                    )));
                };
                *old = column.clone();
            }
            Operation::SetPrimaryKey {
                table,
                columns,
                name,
            } => {
                let t = table_mut(schema, "set_primary_key", table)?;
                if let Some(missing) = columns.iter().find(|c| t.column(c).is_none()) {
                    return Err(op_err(format!(
                        "set_primary_key: column `{table}.{missing}` does not exist"
                    )));
                }
                t.primary_key = columns.clone();
                t.primary_key_name = name.clone();
                primary_key_valid("set_primary_key", t)?;
            }
            Operation::AlterTableOptions { table, options } => {
                table_of(schema, "alter_table_options", table)?;
                parents_exist(schema, "alter_table_options", table, options)?;
                table_mut(schema, "alter_table_options", table)?.options = options.clone();
            }
            Operation::AddExclusion { table, exclusion } => {
                let t = table_mut(schema, "add_exclusion", table)?;
                if t.exclusions.iter().any(|e| e.name == exclusion.name) {
                    return Err(op_err(format!(
                        "add_exclusion: constraint `{}` already exists on `{table}`",
                        exclusion.name
                    )));
                }
                t.exclusions.push(exclusion.clone());
                t.normalize();
            }
            Operation::DropExclusion { table, name } => {
                let t = table_mut(schema, "drop_exclusion", table)?;
                if !t.exclusions.iter().any(|e| e.name == *name) {
                    return Err(op_err(format!(
                        "drop_exclusion: constraint `{name}` does not exist on `{table}`"
                    )));
                }
                t.exclusions.retain(|e| e.name != *name);
            }
            Operation::AddUnique { table, unique } => {
                let t = table_mut(schema, "add_unique", table)?;
                if t.uniques.iter().any(|u| u.name == unique.name) {
                    return Err(op_err(format!(
                        "add_unique: constraint `{}` already exists on `{table}`",
                        unique.name
                    )));
                }
                missing_column(t, "add_unique", &unique.name, &unique.columns)?;
                t.uniques.push(unique.clone());
                t.normalize();
            }
            Operation::DropUnique { table, name } => {
                let t = table_mut(schema, "drop_unique", table)?;
                if !t.uniques.iter().any(|u| u.name == *name) {
                    return Err(op_err(format!(
                        "drop_unique: constraint `{name}` does not exist on `{table}`"
                    )));
                }
                t.uniques.retain(|u| u.name != *name);
            }
            Operation::AddForeignKey { table, foreign_key } => {
                if schema.table(&foreign_key.ref_table).is_none() {
                    return Err(op_err(format!(
                        "add_foreign_key: `{}` references table `{}`, which does not exist",
                        foreign_key.name, foreign_key.ref_table
                    )));
                }
                let t = table_mut(schema, "add_foreign_key", table)?;
                if t.foreign_keys.iter().any(|f| f.name == foreign_key.name) {
                    return Err(op_err(format!(
                        "add_foreign_key: foreign key `{}` already exists on `{table}`",
                        foreign_key.name
                    )));
                }
                missing_column(
                    t,
                    "add_foreign_key",
                    &foreign_key.name,
                    &foreign_key.columns,
                )?;
                t.foreign_keys.push(foreign_key.clone());
                t.normalize();
            }
            Operation::DropForeignKey { table, name } => {
                let t = table_mut(schema, "drop_foreign_key", table)?;
                if !t.foreign_keys.iter().any(|f| f.name == *name) {
                    return Err(op_err(format!(
                        "drop_foreign_key: foreign key `{name}` does not exist on `{table}`"
                    )));
                }
                t.foreign_keys.retain(|f| f.name != *name);
            }
            Operation::AddCheck { table, check } => {
                let t = table_mut(schema, "add_check", table)?;
                if t.checks.iter().any(|c| c.name == check.name) {
                    return Err(op_err(format!(
                        "add_check: constraint `{}` already exists on `{table}`",
                        check.name
                    )));
                }
                t.checks.push(check.clone());
                t.normalize();
            }
            Operation::DropCheck { table, name } => {
                let t = table_mut(schema, "drop_check", table)?;
                if !t.checks.iter().any(|c| c.name == *name) {
                    return Err(op_err(format!(
                        "drop_check: constraint `{name}` does not exist on `{table}`"
                    )));
                }
                t.checks.retain(|c| c.name != *name);
            }
            Operation::CreateEnum(e) => {
                if schema.enum_type(&e.name).is_some() {
                    return Err(op_err(format!(
                        "create_enum: enum type `{}` already exists",
                        e.name
                    )));
                }
                enum_values_valid("create_enum", &e.name, &e.values)?;
                schema.enums.push(e.clone());
                schema.normalize();
            }
            Operation::DropEnum(name) => {
                if schema.enum_type(name).is_none() {
                    return Err(op_err(format!(
                        "drop_enum: enum type `{name}` does not exist"
                    )));
                }
                if let Some((t, c)) = schema.enum_users(name).first() {
                    return Err(op_err(format!(
                        "drop_enum: enum type `{name}` is still used by column `{}.{}`",
                        t.name, c.name
                    )));
                }
                schema.enums.retain(|e| e.name != *name);
            }
            Operation::AlterEnum { name, values } => {
                enum_values_valid("alter_enum", name, values)?;
                let Some(e) = schema.enums.iter_mut().find(|e| e.name == *name) else {
                    return Err(op_err(format!(
                        "alter_enum: enum type `{name}` does not exist"
                    )));
                };
                e.values = values.clone();
            }
            Operation::RenameEnumValue { name, from, to } => {
                let Some(e) = schema.enums.iter_mut().find(|e| e.name == *name) else {
                    return Err(op_err(format!(
                        "rename_enum_value: enum type `{name}` does not exist"
                    )));
                };
                if e.values.contains(to) {
                    return Err(op_err(format!(
                        "rename_enum_value: enum type `{name}` already has the value `{to}`"
                    )));
                }
                let Some(value) = e.values.iter_mut().find(|v| *v == from) else {
                    return Err(op_err(format!(
                        "rename_enum_value: enum type `{name}` has no value `{from}`"
                    )));
                };
                *value = to.clone();
                // Defaults hold the value by name, so they follow it as the rows do.
                for t in &mut schema.tables {
                    for c in &mut t.columns {
                        if c.ty.enum_name() == Some(name)
                            && c.default == Some(DefaultValue::Text(from.clone()))
                        {
                            c.default = Some(DefaultValue::Text(to.clone()));
                        }
                    }
                }
            }
            Operation::CreateObject(object) | Operation::ReplaceObject(object) => {
                let replace = matches!(self, Operation::ReplaceObject(_));
                let what = if replace {
                    "replace_object"
                } else {
                    "create_object"
                };
                let key = object.key();
                let at = schema.objects.binary_search_by(|o| o.key().cmp(&key));
                match (&at, replace) {
                    (Ok(_), false) => {
                        return Err(op_err(format!("{what}: {key} already exists")));
                    }
                    (Err(_), true) => {
                        return Err(op_err(format!("{what}: {key} does not exist")));
                    }
                    _ => {}
                }
                if let Some(missing) = object.depends_on.iter().find(|d| !object_exists(schema, d))
                {
                    return Err(op_err(format!(
                        "{what}: {key} depends on {missing}, which does not exist: create it first"
                    )));
                }
                match at {
                    Ok(i) => schema.objects[i] = object.clone(),
                    Err(i) => schema.objects.insert(i, object.clone()),
                }
            }
            Operation::DropObject(key) => {
                let Ok(at) = schema.objects.binary_search_by(|o| o.key().cmp(key)) else {
                    return Err(op_err(format!("drop_object: {key} does not exist")));
                };
                let shown = key.to_string();
                if let Some(user) = schema.objects.iter().find(|o| o.depends_on(&shown)) {
                    return Err(op_err(format!(
                        "drop_object: {key} is still used by {}; drop that first",
                        user.key()
                    )));
                }
                schema.objects.remove(at);
            }
        }
        if let Some(missing) = self.enum_used_but_missing(schema) {
            return Err(op_err(missing));
        }
        Ok(())
    }

    /// A column this operation declares with an enum type the schema does not have.
    fn enum_used_but_missing(&self, schema: &Schema) -> Option<String> {
        let (what, table, columns): (&str, &str, Vec<&Column>) = match self {
            Operation::CreateTable(t) => ("create_table", &t.name, t.columns.iter().collect()),
            Operation::AddColumn { table, column } => ("add_column", table, vec![column]),
            Operation::AlterColumn { table, column } => ("alter_column", table, vec![column]),
            _ => return None,
        };
        columns.into_iter().find_map(|c| {
            let name = c.ty.enum_name()?;
            schema.enum_type(name).is_none().then(|| {
                format!(
                    "{what}: column `{table}.{}` has type enum({name}), which does not exist: create it first with `m.create_enum`",
                    c.name
                )
            })
        })
    }

    /// The operation that undoes this one, given the schema it applies to. `None` for raw SQL,
    /// whose inverse only its author knows.
    pub fn inverse(&self, before: &Schema) -> Option<Operation> {
        Some(match self {
            Operation::CreateTable(t) => Operation::DropTable(t.name.clone()),
            Operation::DropTable(name) => Operation::CreateTable(before.table(name)?.clone()),
            Operation::AddColumn { table, column } => Operation::DropColumn {
                table: table.clone(),
                column: column.name.clone(),
            },
            Operation::DropColumn { table, column } => Operation::AddColumn {
                table: table.clone(),
                column: before.table(table)?.column(column)?.clone(),
            },
            Operation::CreateIndex { table, index } => Operation::DropIndex {
                table: table.clone(),
                name: index.name.clone(),
            },
            Operation::DropIndex { table, name } => Operation::CreateIndex {
                table: table.clone(),
                index: before
                    .table(table)?
                    .indexes
                    .iter()
                    .find(|i| i.name == *name)?
                    .clone(),
            },
            Operation::Sql(_) | Operation::Rust(_) | Operation::Irreversible(_) => return None,
            Operation::RenameTable { from, to } => Operation::RenameTable {
                from: to.clone(),
                to: from.clone(),
            },
            Operation::RenameColumn { table, from, to } => Operation::RenameColumn {
                table: table.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Operation::AlterColumn { table, column } => Operation::AlterColumn {
                table: table.clone(),
                column: before.table(table)?.column(&column.name)?.clone(),
            },
            Operation::SetPrimaryKey { table, .. } => {
                let t = before.table(table)?;
                Operation::SetPrimaryKey {
                    table: table.clone(),
                    columns: t.primary_key.clone(),
                    name: t.primary_key_name.clone(),
                }
            }
            Operation::AlterTableOptions { table, .. } => Operation::AlterTableOptions {
                table: table.clone(),
                options: before.table(table)?.options.clone(),
            },
            Operation::AddExclusion { table, exclusion } => Operation::DropExclusion {
                table: table.clone(),
                name: exclusion.name.clone(),
            },
            Operation::DropExclusion { table, name } => Operation::AddExclusion {
                table: table.clone(),
                exclusion: before
                    .table(table)?
                    .exclusions
                    .iter()
                    .find(|e| e.name == *name)?
                    .clone(),
            },
            Operation::AddUnique { table, unique } => Operation::DropUnique {
                table: table.clone(),
                name: unique.name.clone(),
            },
            Operation::DropUnique { table, name } => Operation::AddUnique {
                table: table.clone(),
                unique: before
                    .table(table)?
                    .uniques
                    .iter()
                    .find(|u| u.name == *name)?
                    .clone(),
            },
            Operation::AddForeignKey { table, foreign_key } => Operation::DropForeignKey {
                table: table.clone(),
                name: foreign_key.name.clone(),
            },
            Operation::DropForeignKey { table, name } => Operation::AddForeignKey {
                table: table.clone(),
                foreign_key: before
                    .table(table)?
                    .foreign_keys
                    .iter()
                    .find(|f| f.name == *name)?
                    .clone(),
            },
            Operation::AddCheck { table, check } => Operation::DropCheck {
                table: table.clone(),
                name: check.name.clone(),
            },
            Operation::DropCheck { table, name } => Operation::AddCheck {
                table: table.clone(),
                check: before
                    .table(table)?
                    .checks
                    .iter()
                    .find(|c| c.name == *name)?
                    .clone(),
            },
            Operation::CreateEnum(e) => Operation::DropEnum(e.name.clone()),
            Operation::DropEnum(name) => Operation::CreateEnum(before.enum_type(name)?.clone()),
            Operation::AlterEnum { name, .. } => Operation::AlterEnum {
                name: name.clone(),
                values: before.enum_type(name)?.values.clone(),
            },
            Operation::RenameEnumValue { name, from, to } => Operation::RenameEnumValue {
                name: name.clone(),
                from: to.clone(),
                to: from.clone(),
            },
            Operation::CreateObject(object) => Operation::DropObject(object.key()),
            Operation::DropObject(key) => Operation::CreateObject(before.object(key)?.clone()),
            Operation::ReplaceObject(object) => {
                Operation::ReplaceObject(before.object(&object.key())?.clone())
            }
        })
    }

    /// The table it changes (for a rename, its current name); `None` for raw SQL and data steps.
    pub fn table(&self) -> Option<&str> {
        Some(match self {
            Operation::CreateTable(t) => &t.name,
            Operation::DropTable(name) => name,
            Operation::RenameTable { from, .. } => from,
            Operation::AddColumn { table, .. }
            | Operation::DropColumn { table, .. }
            | Operation::CreateIndex { table, .. }
            | Operation::DropIndex { table, .. }
            | Operation::RenameColumn { table, .. }
            | Operation::AlterColumn { table, .. }
            | Operation::SetPrimaryKey { table, .. }
            | Operation::AlterTableOptions { table, .. }
            | Operation::AddExclusion { table, .. }
            | Operation::DropExclusion { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::DropUnique { table, .. }
            | Operation::AddForeignKey { table, .. }
            | Operation::DropForeignKey { table, .. }
            | Operation::AddCheck { table, .. }
            | Operation::DropCheck { table, .. } => table,
            // A trigger or policy is its table's.
            Operation::CreateObject(DbObject {
                table: Some(table), ..
            })
            | Operation::ReplaceObject(DbObject {
                table: Some(table), ..
            })
            | Operation::DropObject(ObjectKey {
                table: Some(table), ..
            }) => table,
            Operation::CreateObject(_) | Operation::ReplaceObject(_) | Operation::DropObject(_) => {
                return None
            }
            // An enum type is no table's: its change reaches every table that uses it.
            Operation::Sql(_)
            | Operation::Rust(_)
            | Operation::Irreversible(_)
            | Operation::CreateEnum(_)
            | Operation::DropEnum(_)
            | Operation::AlterEnum { .. }
            | Operation::RenameEnumValue { .. } => return None,
        })
    }

    /// Whether running it destroys data that the database held.
    pub fn loses_data(&self) -> bool {
        matches!(self, Operation::DropTable(_) | Operation::DropColumn { .. })
    }
}

fn op_err(message: String) -> Error {
    Error::Operation(message)
}

/// A column definition the schema can hold: an identity kind only on an auto-incremented
/// column, and a generated column neither defaulted nor auto-incremented (every backend
/// refuses both).
fn column_valid(op: &str, table: &str, column: &Column) -> Result<()> {
    let at = || format!("{op}: column `{table}.{}`", column.name);
    if let (Some(identity), false) = (&column.identity, column.auto_increment) {
        return Err(op_err(format!(
            "{} has the identity kind `{identity}` but is not auto-incremented",
            at()
        )));
    }
    if column.generated.is_some() && (column.default.is_some() || column.auto_increment) {
        return Err(op_err(format!(
            "{} is generated, so it can have neither a default nor auto-increment",
            at()
        )));
    }
    Ok(())
}

/// A key's name goes with a key: a table without one has no name for it.
fn primary_key_valid(op: &str, table: &Table) -> Result<()> {
    match (&table.primary_key_name, table.primary_key.is_empty()) {
        (Some(name), true) => Err(op_err(format!(
            "{op}: `{}` names its primary key `{name}` but has no primary key columns",
            table.name
        ))),
        _ => Ok(()),
    }
}

/// The partitioned table and the inherited tables that `options` name exist.
fn parents_exist(schema: &Schema, op: &str, table: &str, options: &TableOptions) -> Result<()> {
    match options
        .parents()
        .find(|p| *p != table && schema.table(p).is_none())
    {
        Some(missing) => Err(op_err(format!(
            "{op}: `{table}` is a partition or child of table `{missing}`, which does not exist"
        ))),
        None => Ok(()),
    }
}

/// Whether `key` (`table users` or an object's key) names something of `schema`.
fn object_exists(schema: &Schema, key: &str) -> bool {
    match key.strip_prefix("table ") {
        Some(table) if schema.table(table).is_some() => true,
        _ => schema.objects.iter().any(|o| o.key().to_string() == key),
    }
}

fn enum_values_valid(op: &str, name: &str, values: &[String]) -> Result<()> {
    if values.is_empty() {
        return Err(op_err(format!(
            "{op}: enum type `{name}` needs at least one value"
        )));
    }
    for (i, v) in values.iter().enumerate() {
        if values[..i].contains(v) {
            return Err(op_err(format!(
                "{op}: enum type `{name}` lists the value `{v}` twice"
            )));
        }
    }
    Ok(())
}

/// Renames column `from` to `to` wherever `index` names it: key columns, expressions, the
/// predicate and INCLUDE columns.
fn rename_in_index(index: &mut Index, from: &str, to: &str) {
    for column in &mut index.columns {
        match &mut column.target {
            IndexTarget::Column(name) if name == from => *name = to.to_string(),
            IndexTarget::Column(_) => {}
            IndexTarget::Expression(expr) => *expr = rename_identifier(expr, from, to),
        }
    }
    if let Some(predicate) = &mut index.predicate {
        *predicate = rename_identifier(predicate, from, to);
    }
    for name in &mut index.include {
        if name == from {
            *name = to.to_string();
        }
    }
}

/// `expr` with every identifier `from` (bare or double-quoted, outside string literals)
/// replaced by `to`, as SQLite's `RENAME COLUMN` rewrites a check.
pub fn rename_identifier(expr: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            // A literal or a quoted identifier, with doubled quotes inside.
            let mut j = i + 1;
            let mut text = String::new();
            while j < chars.len() {
                if chars[j] == c {
                    if chars.get(j + 1) == Some(&c) {
                        text.push(c);
                        j += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[j]);
                j += 1;
            }
            if c == '"' && text.eq_ignore_ascii_case(from) {
                out.push('"');
                out.push_str(&to.replace('"', "\"\""));
                out.push('"');
            } else {
                out.extend(&chars[i..(j + 1).min(chars.len())]);
            }
            i = j + 1;
        } else if is_ident(c) {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word.eq_ignore_ascii_case(from) && !chars[start].is_ascii_digit() {
                out.push_str(to);
            } else {
                out.push_str(&word);
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn missing_column(table: &Table, op: &str, name: &str, columns: &[String]) -> Result<()> {
    match columns.iter().find(|c| table.column(c).is_none()) {
        Some(missing) => Err(op_err(format!(
            "{op}: `{name}` names column `{}.{missing}`, which does not exist",
            table.name
        ))),
        None => Ok(()),
    }
}

fn table_of<'a>(schema: &'a Schema, op: &str, name: &str) -> Result<&'a Table> {
    schema
        .table(name)
        .ok_or_else(|| op_err(format!("{op}: table `{name}` does not exist")))
}

fn table_mut<'a>(schema: &'a mut Schema, op: &str, name: &str) -> Result<&'a mut Table> {
    schema
        .table_mut(name)
        .ok_or_else(|| op_err(format!("{op}: table `{name}` does not exist")))
}

/// The recorder that a migration module's `up` and `down` fill.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Migration {
    operations: Vec<Operation>,
}

impl Migration {
    /// An empty recorder.
    pub fn new() -> Self {
        Migration::default()
    }

    /// The recorded operations, in order.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// Consumes the recorder into its operations.
    pub fn into_operations(self) -> Vec<Operation> {
        self.operations
    }

    /// Records an operation as it is.
    pub fn push(&mut self, operation: Operation) {
        self.operations.push(operation);
    }

    /// Creates table `name`; `build` declares its columns, keys and constraints.
    pub fn create_table(&mut self, name: &str, build: impl FnOnce(&mut TableBuilder)) {
        let mut builder = TableBuilder {
            table: Table::new(name),
        };
        build(&mut builder);
        self.push(Operation::CreateTable(builder.table));
    }

    /// Drops table `name` with every row in it.
    pub fn drop_table(&mut self, name: &str) {
        self.push(Operation::DropTable(name.to_string()));
    }

    /// Adds column `name` of type `ty` (NOT NULL unless `.nullable()`) to `table`.
    pub fn add_column(&mut self, table: &str, name: &str, ty: SqlType) -> ColumnBuilder<'_> {
        self.push(Operation::AddColumn {
            table: table.to_string(),
            column: Column::new(name, ty),
        });
        match self.operations.last_mut() {
            Some(Operation::AddColumn { column, .. }) => ColumnBuilder { column },
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops column `name` of `table` with its values.
    pub fn drop_column(&mut self, table: &str, name: &str) {
        self.push(Operation::DropColumn {
            table: table.to_string(),
            column: name.to_string(),
        });
    }

    /// Creates index `name` on `columns` of `table`.
    pub fn create_index(&mut self, table: &str, name: &str, columns: &[&str]) -> IndexBuilder<'_> {
        self.create_index_on(
            table,
            name,
            columns.iter().map(|c| IndexColumn::column(*c)).collect(),
        )
    }

    /// Creates index `name` on `table` over these elements, each a column or an expression
    /// with its order and options: `vec![IndexColumn::column("a").desc(),
    /// IndexColumn::expression("lower(b)")]`.
    pub fn create_index_on(
        &mut self,
        table: &str,
        name: &str,
        columns: Vec<IndexColumn>,
    ) -> IndexBuilder<'_> {
        self.push(Operation::CreateIndex {
            table: table.to_string(),
            index: Index {
                name: name.to_string(),
                columns,
                ..Index::default()
            },
        });
        match self.operations.last_mut() {
            Some(Operation::CreateIndex { index, .. }) => IndexBuilder { index },
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops index `name` of `table`.
    pub fn drop_index(&mut self, table: &str, name: &str) {
        self.push(Operation::DropIndex {
            table: table.to_string(),
            name: name.to_string(),
        });
    }

    /// Runs `statement` as written, in the migration's transaction.
    pub fn sql(&mut self, statement: &str) {
        self.push(Operation::Sql(statement.to_string()));
    }

    /// Runs `step` with the Diesel connection of type `C` (`SqliteConnection`, `PgConnection`,
    /// `MysqlConnection`, from `migrate_core::diesel`), in the migration's transaction; on
    /// another backend the step fails, naming the connection it needs.
    pub fn run<C: 'static>(&mut self, name: &str, step: fn(&mut C) -> diesel::QueryResult<()>) {
        let label = name.to_string();
        self.push(Operation::Rust(RustStep {
            name: name.to_string(),
            run: std::sync::Arc::new(move |conn: &mut dyn std::any::Any| {
                let conn = conn.downcast_mut::<C>().ok_or_else(|| {
                    format!(
                        "the Rust step `{label}` needs a {} and this database is another backend",
                        std::any::type_name::<C>()
                    )
                })?;
                step(conn).map_err(|e| e.to_string())
            }),
        }));
    }

    /// Declares that this `down` cannot be written (the data `up` destroyed cannot be made
    /// back): `downgrade` refuses the revision with `reason`.
    pub fn irreversible(&mut self, reason: &str) {
        self.push(Operation::Irreversible(reason.to_string()));
    }

    /// Renames table `from` to `to`, keeping its rows.
    pub fn rename_table(&mut self, from: &str, to: &str) {
        self.push(Operation::RenameTable {
            from: from.to_string(),
            to: to.to_string(),
        });
    }

    /// Renames column `from` of `table` to `to`, keeping its values.
    pub fn rename_column(&mut self, table: &str, from: &str, to: &str) {
        self.push(Operation::RenameColumn {
            table: table.to_string(),
            from: from.to_string(),
            to: to.to_string(),
        });
    }

    /// Redefines column `name` of `table` as type `ty`, NOT NULL unless `.nullable()`, with no
    /// default unless `.default(...)`: the whole new definition, as `add_column` declares one.
    /// Rows keep their values; making it NOT NULL with a default first fills the NULLs.
    pub fn alter_column(&mut self, table: &str, name: &str, ty: SqlType) -> ColumnBuilder<'_> {
        self.push(Operation::AlterColumn {
            table: table.to_string(),
            column: Column::new(name, ty),
        });
        match self.operations.last_mut() {
            Some(Operation::AlterColumn { column, .. }) => ColumnBuilder { column },
            _ => unreachable!("just pushed"),
        }
    }

    /// Makes `columns` the primary key of `table` (none: drops the key), with the backend's
    /// name for it unless `.name(...)`.
    pub fn set_primary_key(&mut self, table: &str, columns: &[&str]) -> PrimaryKeyBuilder<'_> {
        self.push(Operation::SetPrimaryKey {
            table: table.to_string(),
            columns: strings(columns),
            name: None,
        });
        match self.operations.last_mut() {
            Some(Operation::SetPrimaryKey { name, .. }) => PrimaryKeyBuilder { name },
            _ => unreachable!("just pushed"),
        }
    }

    /// Adds unique constraint `name` on `columns` of `table`.
    pub fn add_unique(&mut self, table: &str, name: &str, columns: &[&str]) -> UniqueBuilder<'_> {
        self.push(Operation::AddUnique {
            table: table.to_string(),
            unique: Unique::new(name, columns.iter().copied()),
        });
        match self.operations.last_mut() {
            Some(Operation::AddUnique { unique, .. }) => UniqueBuilder { unique },
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops unique constraint `name` of `table`.
    pub fn drop_unique(&mut self, table: &str, name: &str) {
        self.push(Operation::DropUnique {
            table: table.to_string(),
            name: name.to_string(),
        });
    }

    /// Adds foreign key `name` from `columns` of `table` to `ref_columns` of `ref_table`.
    pub fn add_foreign_key(
        &mut self,
        table: &str,
        name: &str,
        columns: &[&str],
        ref_table: &str,
        ref_columns: &[&str],
    ) -> ForeignKeyBuilder<'_> {
        self.push(Operation::AddForeignKey {
            table: table.to_string(),
            foreign_key: ForeignKey {
                name: name.to_string(),
                columns: strings(columns),
                ref_table: ref_table.to_string(),
                ref_columns: strings(ref_columns),
                ..ForeignKey::default()
            },
        });
        match self.operations.last_mut() {
            Some(Operation::AddForeignKey { foreign_key, .. }) => {
                ForeignKeyBuilder { fk: foreign_key }
            }
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops foreign key `name` of `table`.
    pub fn drop_foreign_key(&mut self, table: &str, name: &str) {
        self.push(Operation::DropForeignKey {
            table: table.to_string(),
            name: name.to_string(),
        });
    }

    /// Adds check constraint `name` (`expr`, a SQL boolean expression) to `table`.
    pub fn add_check(&mut self, table: &str, name: &str, expr: &str) -> CheckBuilder<'_> {
        self.push(Operation::AddCheck {
            table: table.to_string(),
            check: Check::new(name, expr),
        });
        match self.operations.last_mut() {
            Some(Operation::AddCheck { check, .. }) => CheckBuilder { check },
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops check constraint `name` of `table`.
    pub fn drop_check(&mut self, table: &str, name: &str) {
        self.push(Operation::DropCheck {
            table: table.to_string(),
            name: name.to_string(),
        });
    }

    /// Adds the exclusion constraint `name` to `table` (PostgreSQL); `definition` is what
    /// follows `EXCLUDE`: `USING gist (room_id WITH =, during WITH &&)`.
    pub fn add_exclusion(
        &mut self,
        table: &str,
        name: &str,
        definition: &str,
    ) -> ExclusionBuilder<'_> {
        self.push(Operation::AddExclusion {
            table: table.to_string(),
            exclusion: Exclusion {
                name: name.to_string(),
                definition: definition.to_string(),
                deferrable: None,
            },
        });
        match self.operations.last_mut() {
            Some(Operation::AddExclusion { exclusion, .. }) => ExclusionBuilder { exclusion },
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops exclusion constraint `name` of `table`.
    pub fn drop_exclusion(&mut self, table: &str, name: &str) {
        self.push(Operation::DropExclusion {
            table: table.to_string(),
            name: name.to_string(),
        });
    }

    /// Gives `table` the options `build` declares, and the defaults for every other: the whole
    /// new set, as `create_table` declares it (`|o| { o.comment("People"); }`).
    pub fn alter_table_options(
        &mut self,
        table: &str,
        build: impl FnOnce(&mut TableOptionsBuilder),
    ) {
        let mut builder = TableOptionsBuilder {
            options: TableOptions::default(),
        };
        build(&mut builder);
        self.push(Operation::AlterTableOptions {
            table: table.to_string(),
            options: builder.options,
        });
    }

    /// Creates the enum type `name` with these values, in order; columns then use it as
    /// `SqlType::Enum("name".into())`.
    pub fn create_enum(&mut self, name: &str, values: &[&str]) {
        self.push(Operation::CreateEnum(EnumType {
            name: name.to_string(),
            values: strings(values),
        }));
    }

    /// Drops the enum type `name`, which no column may use any more.
    pub fn drop_enum(&mut self, name: &str) {
        self.push(Operation::DropEnum(name.to_string()));
    }

    /// Gives the enum type `name` exactly these values, in order. A value left out must not be
    /// held by any row, or the step fails.
    pub fn alter_enum(&mut self, name: &str, values: &[&str]) {
        self.push(Operation::AlterEnum {
            name: name.to_string(),
            values: strings(values),
        });
    }

    /// Renames the value `from` of the enum type `name`; rows holding it follow.
    pub fn rename_enum_value(&mut self, name: &str, from: &str, to: &str) {
        self.push(Operation::RenameEnumValue {
            name: name.to_string(),
            from: from.to_string(),
            to: to.to_string(),
        });
    }

    /// Creates the object `name` of `kind` by running `sql`, its `CREATE` statement (with the
    /// statements its kind may carry, such as a materialized view's indexes). A trigger or
    /// policy names its table with `.on_table(...)`, a PostgreSQL function its argument types
    /// with `.arguments(...)`, and `.depends_on(...)` what must exist first.
    pub fn create_object(&mut self, kind: ObjectKind, name: &str, sql: &str) -> ObjectBuilder<'_> {
        self.push(Operation::CreateObject(new_object(kind, name, sql)));
        match self.operations.last_mut() {
            Some(Operation::CreateObject(object)) => ObjectBuilder { object },
            _ => unreachable!("just pushed"),
        }
    }

    /// Gives the object `name` of `kind` the definition `sql` in place (`CREATE OR REPLACE`
    /// where the backend has it); what depends on it stays.
    pub fn replace_object(&mut self, kind: ObjectKind, name: &str, sql: &str) -> ObjectBuilder<'_> {
        self.push(Operation::ReplaceObject(new_object(kind, name, sql)));
        match self.operations.last_mut() {
            Some(Operation::ReplaceObject(object)) => ObjectBuilder { object },
            _ => unreachable!("just pushed"),
        }
    }

    /// Drops the object `name` of `kind` (a trigger's table with `.on_table(...)`, a function's
    /// argument types with `.arguments(...)`).
    pub fn drop_object(&mut self, kind: ObjectKind, name: &str) -> ObjectKeyBuilder<'_> {
        self.push(Operation::DropObject(ObjectKey::new(kind, name)));
        match self.operations.last_mut() {
            Some(Operation::DropObject(key)) => ObjectKeyBuilder { key },
            _ => unreachable!("just pushed"),
        }
    }
}

fn new_object(kind: ObjectKind, name: &str, sql: &str) -> DbObject {
    DbObject {
        kind,
        name: name.to_string(),
        table: None,
        arguments: None,
        depends_on: Vec::new(),
        definition: sql.to_string(),
    }
}

/// Refines an object just declared.
#[derive(Debug)]
pub struct ObjectBuilder<'a> {
    object: &'a mut DbObject,
}

impl ObjectBuilder<'_> {
    /// The table (or view) a trigger or policy is on.
    pub fn on_table(self, table: &str) -> Self {
        self.object.table = Some(table.to_string());
        self
    }

    /// The argument types of a PostgreSQL function or procedure, as the server prints them
    /// (`&["integer", "text"]`; `&[]` for none).
    pub fn arguments(self, types: &[&str]) -> Self {
        self.object.arguments = Some(strings(types));
        self
    }

    /// What must exist before it, as keys: `table users`, `view v`, `function f(integer)`.
    pub fn depends_on(self, keys: &[&str]) -> Self {
        self.object.depends_on = strings(keys);
        self.object.depends_on.sort();
        self
    }
}

/// Refines the object a drop names.
#[derive(Debug)]
pub struct ObjectKeyBuilder<'a> {
    key: &'a mut ObjectKey,
}

impl ObjectKeyBuilder<'_> {
    /// The table (or view) of the trigger or policy.
    pub fn on_table(self, table: &str) -> Self {
        self.key.table = Some(table.to_string());
        self
    }

    /// The argument types of the PostgreSQL function or procedure.
    pub fn arguments(self, types: &[&str]) -> Self {
        self.key.arguments = Some(strings(types));
        self
    }
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| n.to_string()).collect()
}

/// The function of a Rust step: the connection as `Any` in, a message out on failure.
pub type StepFn =
    std::sync::Arc<dyn Fn(&mut dyn std::any::Any) -> Result<(), String> + Send + Sync>;

/// A Rust data step: a name for messages and the function the runner calls with the connection.
#[derive(Clone)]
pub struct RustStep {
    /// What the step does, for messages.
    pub name: String,
    /// Receives the Diesel connection as `Any`.
    pub run: StepFn,
}

impl std::fmt::Debug for RustStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RustStep({:?})", self.name)
    }
}

impl PartialEq for RustStep {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && std::sync::Arc::ptr_eq(&self.run, &other.run)
    }
}

impl Eq for RustStep {}

/// Declares a table inside [`Migration::create_table`].
#[derive(Debug)]
pub struct TableBuilder {
    table: Table,
}

impl TableBuilder {
    /// Adds column `name` of type `ty`, NOT NULL unless `.nullable()`.
    pub fn column(&mut self, name: &str, ty: SqlType) -> ColumnBuilder<'_> {
        self.table.columns.push(Column::new(name, ty));
        ColumnBuilder {
            column: self.table.columns.last_mut().expect("just pushed"),
        }
    }

    /// Sets the primary key, with the backend's name for it unless `.name(...)`.
    pub fn primary_key(&mut self, columns: &[&str]) -> PrimaryKeyBuilder<'_> {
        self.table.primary_key = strings(columns);
        PrimaryKeyBuilder {
            name: &mut self.table.primary_key_name,
        }
    }

    /// Adds index `name` on `columns`.
    pub fn index(&mut self, name: &str, columns: &[&str]) -> IndexBuilder<'_> {
        self.index_on(
            name,
            columns.iter().map(|c| IndexColumn::column(*c)).collect(),
        )
    }

    /// Adds index `name` over these elements, each a column or an expression with its order
    /// and options: `vec![IndexColumn::column("a").desc(), IndexColumn::expression("lower(b)")]`.
    pub fn index_on(&mut self, name: &str, columns: Vec<IndexColumn>) -> IndexBuilder<'_> {
        self.table.indexes.push(Index {
            name: name.to_string(),
            columns,
            ..Index::default()
        });
        IndexBuilder {
            index: self.table.indexes.last_mut().expect("just pushed"),
        }
    }

    /// Adds unique constraint `name` on `columns`.
    pub fn unique(&mut self, name: &str, columns: &[&str]) -> UniqueBuilder<'_> {
        self.table
            .uniques
            .push(Unique::new(name, columns.iter().copied()));
        UniqueBuilder {
            unique: self.table.uniques.last_mut().expect("just pushed"),
        }
    }

    /// Adds foreign key `name` from `columns` to `ref_columns` of `ref_table`.
    pub fn foreign_key(
        &mut self,
        name: &str,
        columns: &[&str],
        ref_table: &str,
        ref_columns: &[&str],
    ) -> ForeignKeyBuilder<'_> {
        self.table.foreign_keys.push(ForeignKey {
            name: name.to_string(),
            columns: strings(columns),
            ref_table: ref_table.to_string(),
            ref_columns: strings(ref_columns),
            ..ForeignKey::default()
        });
        ForeignKeyBuilder {
            fk: self.table.foreign_keys.last_mut().expect("just pushed"),
        }
    }

    /// Adds check constraint `name`.
    pub fn check(&mut self, name: &str, expr: &str) -> CheckBuilder<'_> {
        self.table.checks.push(Check::new(name, expr));
        CheckBuilder {
            check: self.table.checks.last_mut().expect("just pushed"),
        }
    }

    /// Adds the exclusion constraint `name` (PostgreSQL); `definition` is what follows
    /// `EXCLUDE`: `USING gist (room_id WITH =, during WITH &&)`.
    pub fn exclude(&mut self, name: &str, definition: &str) -> ExclusionBuilder<'_> {
        self.table.exclusions.push(Exclusion {
            name: name.to_string(),
            definition: definition.to_string(),
            deferrable: None,
        });
        ExclusionBuilder {
            exclusion: self.table.exclusions.last_mut().expect("just pushed"),
        }
    }

    fn options_mut(&mut self) -> &mut TableOptions {
        &mut self.table.options
    }
}

/// Declares a table's options inside [`Migration::alter_table_options`].
#[derive(Debug)]
pub struct TableOptionsBuilder {
    options: TableOptions,
}

impl TableOptionsBuilder {
    fn options_mut(&mut self) -> &mut TableOptions {
        &mut self.options
    }
}

/// The setters of [`TableOptions`], the same on [`TableBuilder`] (`t.comment(...)` in
/// `create_table`) and on [`TableOptionsBuilder`] (`o.comment(...)` in `alter_table_options`).
macro_rules! table_option_setters {
    ($builder:ty) => {
        impl $builder {
            /// The table's comment.
            pub fn comment(&mut self, text: &str) -> &mut Self {
                self.options_mut().comment = Some(text.to_string());
                self
            }

            /// MySQL storage engine (`InnoDB`).
            pub fn engine(&mut self, engine: &str) -> &mut Self {
                self.options_mut().engine = Some(engine.to_string());
                self
            }

            /// MySQL default character set of the table.
            pub fn charset(&mut self, charset: &str) -> &mut Self {
                self.options_mut().charset = Some(charset.to_string());
                self
            }

            /// MySQL default collation of the table.
            pub fn collation(&mut self, collation: &str) -> &mut Self {
                self.options_mut().collation = Some(collation.to_string());
                self
            }

            /// SQLite `WITHOUT ROWID`.
            pub fn without_rowid(&mut self) -> &mut Self {
                self.options_mut().without_rowid = true;
                self
            }

            /// SQLite `STRICT`.
            pub fn strict(&mut self) -> &mut Self {
                self.options_mut().strict = true;
                self
            }

            /// PostgreSQL `PARTITION BY` (`RANGE (created_at)`).
            pub fn partition_by(&mut self, key: &str) -> &mut Self {
                self.options_mut().partition_by = Some(key.to_string());
                self
            }

            /// PostgreSQL: a partition of `parent` for `bound` (`FOR VALUES IN (1, 2)`).
            pub fn partition_of(&mut self, parent: &str, bound: &str) -> &mut Self {
                self.options_mut().partition_of = Some(PartitionOf {
                    parent: parent.to_string(),
                    bound: bound.to_string(),
                });
                self
            }

            /// PostgreSQL `INHERITS` these tables, in order.
            pub fn inherits(&mut self, parents: &[&str]) -> &mut Self {
                self.options_mut().inherits = strings(parents);
                self
            }

            /// PostgreSQL `UNLOGGED`: not written to the write-ahead log, emptied by a crash.
            pub fn unlogged(&mut self) -> &mut Self {
                self.options_mut().unlogged = true;
                self
            }

            /// PostgreSQL storage parameters (`fillfactor=70, autovacuum_enabled=false`).
            pub fn with(&mut self, parameters: &str) -> &mut Self {
                self.options_mut().with = Some(parameters.to_string());
                self
            }
        }
    };
}

table_option_setters!(TableBuilder);
table_option_setters!(TableOptionsBuilder);

/// Refines a column just declared.
#[derive(Debug)]
pub struct ColumnBuilder<'a> {
    column: &'a mut Column,
}

impl ColumnBuilder<'_> {
    /// Accepts NULL.
    pub fn nullable(self) -> Self {
        self.column.nullable = true;
        self
    }

    /// Generated by the database (integer primary key).
    pub fn auto_increment(self) -> Self {
        self.column.auto_increment = true;
        self
    }

    /// A literal default: `false`, `0`, `1.5`, `"draft"`.
    pub fn default(self, value: impl Into<DefaultValue>) -> Self {
        self.column.default = Some(value.into());
        self
    }

    /// A SQL expression default, such as `CURRENT_TIMESTAMP`.
    pub fn default_sql(self, expr: &str) -> Self {
        self.column.default = Some(DefaultValue::Sql(expr.to_string()));
        self
    }

    /// Auto-incremented in this way (PostgreSQL serial or identity, SQLite `AUTOINCREMENT`).
    pub fn identity(self, identity: Identity) -> Self {
        self.column.auto_increment = true;
        self.column.identity = Some(identity);
        self
    }

    /// A PostgreSQL `serial` (`bigserial`, `smallserial` by its type), with the sequence
    /// PostgreSQL names `<table>_<column>_seq`.
    pub fn serial(self) -> Self {
        self.identity(Identity::SERIAL)
    }

    /// A PostgreSQL `serial` whose sequence is named `sequence`.
    pub fn serial_sequence(self, sequence: &str) -> Self {
        self.identity(Identity::Serial {
            sequence: Some(sequence.to_string()),
        })
    }

    /// SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`: ids of deleted rows are never reused.
    pub fn autoincrement(self) -> Self {
        self.identity(Identity::Autoincrement)
    }

    /// MySQL `ON UPDATE expr` (`CURRENT_TIMESTAMP`).
    pub fn on_update(self, expr: &str) -> Self {
        self.column.on_update = Some(expr.to_string());
        self
    }

    /// `GENERATED ALWAYS AS (expr) STORED`: computed on write and kept in the row.
    pub fn generated_stored(self, expr: &str) -> Self {
        self.column.generated = Some(Generated {
            expr: expr.to_string(),
            stored: true,
        });
        self
    }

    /// `GENERATED ALWAYS AS (expr) VIRTUAL`: computed when read (MySQL, SQLite).
    pub fn generated_virtual(self, expr: &str) -> Self {
        self.column.generated = Some(Generated {
            expr: expr.to_string(),
            stored: false,
        });
        self
    }

    /// The column's collation (`C`, `NOCASE`, `utf8mb4_bin`).
    pub fn collation(self, collation: &str) -> Self {
        self.column.collation = Some(collation.to_string());
        self
    }

    /// The column's character set (MySQL).
    pub fn charset(self, charset: &str) -> Self {
        self.column.charset = Some(charset.to_string());
        self
    }

    /// The column's comment.
    pub fn comment(self, text: &str) -> Self {
        self.column.comment = Some(text.to_string());
        self
    }
}

/// Names a primary key just declared.
#[derive(Debug)]
pub struct PrimaryKeyBuilder<'a> {
    name: &'a mut Option<String>,
}

impl PrimaryKeyBuilder<'_> {
    /// The key constraint's name (`orders_pk`) instead of the backend's own.
    pub fn name(self, name: &str) -> Self {
        *self.name = Some(name.to_string());
        self
    }
}

/// Refines an index just declared.
#[derive(Debug)]
pub struct IndexBuilder<'a> {
    index: &'a mut Index,
}

impl IndexBuilder<'_> {
    /// Makes it a unique index.
    pub fn unique(self) -> Self {
        self.index.unique = true;
        self
    }

    /// The access method (`gin`, `gist`, `brin`, `hash`; MySQL `fulltext`, `spatial`).
    pub fn method(self, method: &str) -> Self {
        self.index.method = Some(method.to_string());
        self
    }

    /// A partial index: only the rows where `condition` holds.
    pub fn predicate(self, condition: &str) -> Self {
        self.index.predicate = Some(condition.to_string());
        self
    }

    /// PostgreSQL `INCLUDE` columns, stored in the index beside its key.
    pub fn include(self, columns: &[&str]) -> Self {
        self.index.include = strings(columns);
        self
    }

    /// PostgreSQL storage parameters (`fillfactor=70`).
    pub fn with(self, parameters: &str) -> Self {
        self.index.with = Some(parameters.to_string());
        self
    }

    /// PostgreSQL 15 `NULLS NOT DISTINCT`: NULLs are equal for uniqueness.
    pub fn nulls_not_distinct(self) -> Self {
        self.index.nulls_not_distinct = true;
        self
    }

    /// The index's comment.
    pub fn comment(self, text: &str) -> Self {
        self.index.comment = Some(text.to_string());
        self
    }
}

/// Refines a unique constraint just declared.
#[derive(Debug)]
pub struct UniqueBuilder<'a> {
    unique: &'a mut Unique,
}

impl UniqueBuilder<'_> {
    /// `DEFERRABLE INITIALLY IMMEDIATE` or `DEFERRED`.
    pub fn deferrable(self, when: Deferrable) -> Self {
        self.unique.deferrable = Some(when);
        self
    }

    /// PostgreSQL 15 `NULLS NOT DISTINCT`: NULLs are equal for uniqueness.
    pub fn nulls_not_distinct(self) -> Self {
        self.unique.nulls_not_distinct = true;
        self
    }
}

/// Refines a check constraint just declared.
#[derive(Debug)]
pub struct CheckBuilder<'a> {
    check: &'a mut Check,
}

impl CheckBuilder<'_> {
    /// PostgreSQL `NOT VALID`: rows already there are not checked.
    pub fn not_valid(self) -> Self {
        self.check.not_valid = true;
        self
    }

    /// PostgreSQL `NO INHERIT`: child tables do not get it.
    pub fn no_inherit(self) -> Self {
        self.check.no_inherit = true;
        self
    }
}

/// Refines an exclusion constraint just declared.
#[derive(Debug)]
pub struct ExclusionBuilder<'a> {
    exclusion: &'a mut Exclusion,
}

impl ExclusionBuilder<'_> {
    /// `DEFERRABLE INITIALLY IMMEDIATE` or `DEFERRED`.
    pub fn deferrable(self, when: Deferrable) -> Self {
        self.exclusion.deferrable = Some(when);
        self
    }
}

/// Refines a foreign key just declared.
#[derive(Debug)]
pub struct ForeignKeyBuilder<'a> {
    fk: &'a mut ForeignKey,
}

impl ForeignKeyBuilder<'_> {
    /// What deleting the referenced row does.
    pub fn on_delete(self, action: FkAction) -> Self {
        self.fk.on_delete = action;
        self
    }

    /// What updating the referenced key does.
    pub fn on_update(self, action: FkAction) -> Self {
        self.fk.on_update = action;
        self
    }

    /// `DEFERRABLE INITIALLY IMMEDIATE` or `DEFERRED`.
    pub fn deferrable(self, when: Deferrable) -> Self {
        self.fk.deferrable = Some(when);
        self
    }

    /// `MATCH FULL`: a key with some NULL columns must be all NULL.
    pub fn match_full(self) -> Self {
        self.fk.match_full = true;
        self
    }

    /// PostgreSQL `NOT VALID`: rows already there are not checked.
    pub fn not_valid(self) -> Self {
        self.fk.not_valid = true;
        self
    }
}

impl From<bool> for DefaultValue {
    fn from(value: bool) -> Self {
        DefaultValue::Bool(value)
    }
}

impl From<i64> for DefaultValue {
    fn from(value: i64) -> Self {
        DefaultValue::Int(value)
    }
}

impl From<f64> for DefaultValue {
    fn from(value: f64) -> Self {
        DefaultValue::Float(format!("{value:?}"))
    }
}

impl From<&str> for DefaultValue {
    fn from(value: &str) -> Self {
        DefaultValue::Text(value.to_string())
    }
}

impl From<String> for DefaultValue {
    fn from(value: String) -> Self {
        DefaultValue::Text(value)
    }
}

/// Applies `operations` in order to `schema`, naming the first one that does not fit.
pub fn apply_all(schema: &mut Schema, operations: &[Operation]) -> Result<()> {
    operations.iter().try_for_each(|op| op.apply(schema))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> Migration {
        let mut m = Migration::new();
        m.create_table("users", |t| {
            t.column("id", SqlType::Integer).auto_increment();
            t.column("email", SqlType::Varchar(255));
            t.column("active", SqlType::Boolean).default(true);
            t.primary_key(&["id"]);
            t.unique("uq_users_email", &["email"]);
        });
        m
    }

    #[test]
    fn builder_records_a_complete_table() {
        let ops = users().into_operations();
        let Operation::CreateTable(t) = &ops[0] else {
            panic!()
        };
        assert_eq!(t.primary_key, vec!["id"]);
        assert!(t.columns[0].auto_increment);
        assert_eq!(t.columns[2].default, Some(DefaultValue::Bool(true)));
        assert_eq!(t.uniques[0].name, "uq_users_email");
    }

    #[test]
    fn apply_checks_against_the_schema() {
        let mut schema = Schema::default();
        apply_all(&mut schema, users().operations()).unwrap();
        let mut m = Migration::new();
        m.add_column("users", "email", SqlType::Text);
        let err = apply_all(&mut schema, m.operations()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "add_column: column `users.email` already exists"
        );
        let mut m = Migration::new();
        m.drop_table("posts");
        let err = apply_all(&mut schema, m.operations()).unwrap_err();
        assert_eq!(err.to_string(), "drop_table: table `posts` does not exist");
    }

    #[test]
    fn renaming_a_column_rewrites_checks_that_name_it() {
        assert_eq!(
            rename_identifier(
                "length(body) > 0 AND \"body\" <> 'body' AND bodyguard = 1",
                "body",
                "content"
            ),
            "length(content) > 0 AND \"content\" <> 'body' AND bodyguard = 1"
        );
    }

    #[test]
    fn inverse_restores_the_schema() {
        let mut schema = Schema::default();
        apply_all(&mut schema, users().operations()).unwrap();
        let start = schema.clone();
        let mut m = Migration::new();
        m.add_column("users", "bio", SqlType::Text).nullable();
        m.create_index("users", "ix_users_bio", &["bio"]);
        m.drop_column("users", "active");
        let mut inverses = Vec::new();
        for op in m.operations() {
            inverses.push(op.inverse(&schema).unwrap());
            op.apply(&mut schema).unwrap();
        }
        for op in inverses.iter().rev() {
            op.apply(&mut schema).unwrap();
        }
        // Column order may differ after drop + re-add; everything else is restored.
        assert_eq!(schema.tables[0].indexes, start.tables[0].indexes);
        let mut got: Vec<_> = schema.tables[0].columns.clone();
        let mut want: Vec<_> = start.tables[0].columns.clone();
        got.sort_by(|a, b| a.name.cmp(&b.name));
        want.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(got, want);
    }

    /// Every builder of the vocabulary, as a migration module writes them.
    fn orders() -> Migration {
        let mut m = Migration::new();
        m.create_table("customers", |t| {
            t.column("id", SqlType::BigInt)
                .serial_sequence("customers_id_seq");
            t.primary_key(&["id"]);
        });
        m.create_table("orders", |t| {
            t.column("id", SqlType::Integer).identity(Identity::Always);
            t.column("customer_id", SqlType::BigInt)
                .comment("who ordered");
            t.column("price", SqlType::Numeric(Some((10, 2))));
            t.column("qty", SqlType::Integer);
            t.column("total", SqlType::Numeric(None))
                .generated_stored("price * qty");
            t.column("code", SqlType::Varchar(20))
                .collation("C")
                .charset("latin1");
            t.column("touched", SqlType::TimestampTz)
                .nullable()
                .on_update("CURRENT_TIMESTAMP");
            t.primary_key(&["id"]).name("orders_pk");
            t.unique("uq_orders_code", &["code"])
                .deferrable(Deferrable::Deferred)
                .nulls_not_distinct();
            t.foreign_key("fk_orders_customer", &["customer_id"], "customers", &["id"])
                .deferrable(Deferrable::Immediate)
                .match_full()
                .not_valid();
            t.check("ck_orders_qty", "qty > 0").not_valid().no_inherit();
            t.exclude("ex_orders_code", "USING gist (code WITH =)")
                .deferrable(Deferrable::Deferred);
            t.index_on(
                "ix_orders_code",
                vec![
                    IndexColumn::column("code").desc().nulls_last(),
                    IndexColumn::expression("lower(code)").opclass("text_pattern_ops"),
                ],
            )
            .unique()
            .method("btree")
            .predicate("touched IS NULL")
            .include(&["qty"])
            .with("fillfactor=70")
            .nulls_not_distinct();
            t.comment("Orders").engine("InnoDB").charset("utf8mb4");
            t.collation("utf8mb4_bin").partition_by("RANGE (id)");
        });
        m
    }

    #[test]
    fn builders_record_every_field() {
        let mut schema = Schema::default();
        apply_all(&mut schema, orders().operations()).unwrap();
        let customers = schema.table("customers").unwrap();
        assert_eq!(
            customers.columns[0].identity,
            Some(Identity::Serial {
                sequence: Some("customers_id_seq".into())
            })
        );
        assert!(customers.columns[0].auto_increment);
        let t = schema.table("orders").unwrap();
        assert_eq!(t.primary_key_name.as_deref(), Some("orders_pk"));
        assert_eq!(t.columns[0].identity, Some(Identity::Always));
        assert_eq!(t.columns[1].comment.as_deref(), Some("who ordered"));
        assert_eq!(
            t.columns[4].generated,
            Some(Generated {
                expr: "price * qty".into(),
                stored: true
            })
        );
        assert_eq!(t.columns[5].collation.as_deref(), Some("C"));
        assert_eq!(t.columns[5].charset.as_deref(), Some("latin1"));
        assert_eq!(t.columns[6].on_update.as_deref(), Some("CURRENT_TIMESTAMP"));
        assert_eq!(t.uniques[0].deferrable, Some(Deferrable::Deferred));
        assert!(t.uniques[0].nulls_not_distinct);
        let fk = &t.foreign_keys[0];
        assert!(fk.match_full && fk.not_valid);
        assert_eq!(fk.deferrable, Some(Deferrable::Immediate));
        assert!(t.checks[0].not_valid && t.checks[0].no_inherit);
        assert_eq!(t.exclusions[0].deferrable, Some(Deferrable::Deferred));
        let index = &t.indexes[0];
        assert_eq!(
            index.columns,
            [
                IndexColumn::column("code").desc().nulls_last(),
                IndexColumn::expression("lower(code)").opclass("text_pattern_ops"),
            ]
        );
        assert!(index.unique && index.nulls_not_distinct);
        assert_eq!(index.method.as_deref(), Some("btree"));
        assert_eq!(index.predicate.as_deref(), Some("touched IS NULL"));
        assert_eq!(index.include, ["qty"]);
        assert_eq!(index.with.as_deref(), Some("fillfactor=70"));
        assert_eq!(
            t.options,
            TableOptions {
                comment: Some("Orders".into()),
                engine: Some("InnoDB".into()),
                charset: Some("utf8mb4".into()),
                collation: Some("utf8mb4_bin".into()),
                partition_by: Some("RANGE (id)".into()),
                ..TableOptions::default()
            }
        );
    }

    #[test]
    fn a_dropped_column_takes_every_index_that_names_it() {
        let mut m = Migration::new();
        m.create_table("t", |t| {
            for c in ["a", "b", "c", "d"] {
                t.column(c, SqlType::Text);
            }
            t.index_on("ix_expr", vec![IndexColumn::expression("lower(a)")]);
            t.index("ix_pred", &["b"]).predicate("a IS NOT NULL");
            t.index("ix_incl", &["b"]).include(&["a"]);
            t.index("ix_key", &["a", "b"]);
            t.index_on("ix_quoted", vec![IndexColumn::expression("'a' || c")]);
            t.index("ix_other", &["c"]).predicate("d > 'a'");
            t.exclude("ex_a", "USING gist (a WITH =)");
            t.partition_by("LIST (a)");
        });
        let mut schema = Schema::default();
        apply_all(&mut schema, m.operations()).unwrap();
        let mut dropped = schema.clone();
        Operation::DropColumn {
            table: "t".into(),
            column: "a".into(),
        }
        .apply(&mut dropped)
        .unwrap();
        let names: Vec<&str> = dropped.tables[0]
            .indexes
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["ix_other", "ix_quoted"],
            "string literals are no column"
        );
        assert!(dropped.tables[0].exclusions.is_empty());

        // A rename follows into each of them instead.
        Operation::RenameColumn {
            table: "t".into(),
            from: "a".into(),
            to: "z".into(),
        }
        .apply(&mut schema)
        .unwrap();
        let t = &schema.tables[0];
        let index = |name: &str| t.index(name).unwrap();
        assert_eq!(
            index("ix_expr").columns,
            [IndexColumn::expression("lower(z)")]
        );
        assert_eq!(index("ix_pred").predicate.as_deref(), Some("z IS NOT NULL"));
        assert_eq!(index("ix_incl").include, ["z"]);
        assert_eq!(
            index("ix_key").column_names().collect::<Vec<_>>(),
            ["z", "b"]
        );
        assert_eq!(
            index("ix_quoted").columns,
            [IndexColumn::expression("'a' || c")]
        );
        assert_eq!(t.exclusions[0].definition, "USING gist (z WITH =)");
        assert_eq!(t.options.partition_by.as_deref(), Some("LIST (z)"));
    }

    #[test]
    fn generated_columns_follow_renames_and_keep_their_sources() {
        let mut schema = Schema::default();
        apply_all(&mut schema, orders().operations()).unwrap();
        let err = Operation::DropColumn {
            table: "orders".into(),
            column: "qty".into(),
        }
        .apply(&mut schema.clone())
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "drop_column: column `orders.qty` is used by the generated column `orders.total`"
        );
        Operation::RenameColumn {
            table: "orders".into(),
            from: "qty".into(),
            to: "quantity".into(),
        }
        .apply(&mut schema)
        .unwrap();
        let total = schema.table("orders").unwrap().column("total").unwrap();
        assert_eq!(total.generated.as_ref().unwrap().expr, "price * quantity");
    }

    #[test]
    fn column_definitions_the_backends_refuse_are_refused() {
        let mut schema = Schema::default();
        apply_all(&mut schema, users().operations()).unwrap();
        let add = |column: Column| Operation::AddColumn {
            table: "users".into(),
            column,
        };
        let err = add(Column {
            identity: Some(Identity::Always),
            ..Column::new("n", SqlType::Integer)
        })
        .apply(&mut schema.clone())
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "add_column: column `users.n` has the identity kind `always` but is not auto-incremented"
        );
        let err = add(Column {
            generated: Some(Generated {
                expr: "1".into(),
                stored: true,
            }),
            default: Some(DefaultValue::Int(1)),
            ..Column::new("n", SqlType::Integer)
        })
        .apply(&mut schema.clone())
        .unwrap_err();
        assert!(err.to_string().contains("is generated"), "{err}");

        let mut m = Migration::new();
        m.create_index("users", "ix", &["email"]).include(&["nope"]);
        let err = apply_all(&mut schema.clone(), m.operations()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "create_index: `ix` names column `users.nope`, which does not exist"
        );

        let mut m = Migration::new();
        m.set_primary_key("users", &[]).name("users_pk");
        let err = apply_all(&mut schema.clone(), m.operations()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "set_primary_key: `users` names its primary key `users_pk` but has no primary key columns"
        );
    }

    #[test]
    fn partitions_and_children_need_their_parent() {
        let mut m = Migration::new();
        m.create_table("events", |t| {
            t.column("at", SqlType::Date);
            t.partition_by("RANGE (at)");
        });
        m.create_table("events_2026", |t| {
            t.column("at", SqlType::Date);
            t.partition_of("events", "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
        });
        m.create_table("audit", |t| {
            t.column("at", SqlType::Date);
            t.inherits(&["events_2026"]);
        });
        let mut schema = Schema::default();
        let err = apply_all(&mut schema.clone(), &m.operations()[1..]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "create_table: `events_2026` is a partition or child of table `events`, which does not exist"
        );
        apply_all(&mut schema, m.operations()).unwrap();
        let err = Operation::DropTable("events".into())
            .apply(&mut schema.clone())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "drop_table: table `events` still has the partition or child table `events_2026`"
        );
        Operation::RenameTable {
            from: "events_2026".into(),
            to: "events_y2026".into(),
        }
        .apply(&mut schema)
        .unwrap();
        assert_eq!(
            schema.table("audit").unwrap().options.inherits,
            ["events_y2026"]
        );
    }

    #[test]
    fn new_operations_invert_against_the_schema_they_apply_to() {
        let mut schema = Schema::default();
        apply_all(&mut schema, orders().operations()).unwrap();
        let start = schema.clone();
        let mut m = Migration::new();
        m.alter_table_options("orders", |o| {
            o.comment("All orders").without_rowid();
        });
        m.set_primary_key("orders", &["id"]).name("pk_orders");
        m.drop_exclusion("orders", "ex_orders_code");
        m.add_exclusion("orders", "ex_orders_qty", "USING gist (qty WITH =)")
            .deferrable(Deferrable::Immediate);
        m.add_check("orders", "ck_price", "price > 0").not_valid();
        m.add_unique("orders", "uq_price", &["price"])
            .nulls_not_distinct();
        m.create_index_on(
            "orders",
            "ix_desc",
            vec![IndexColumn::column("price").desc()],
        )
        .method("brin");
        let mut inverses = Vec::new();
        for op in m.operations() {
            inverses.push(op.inverse(&schema).unwrap());
            op.apply(&mut schema).unwrap();
        }
        let t = schema.table("orders").unwrap();
        assert_eq!(t.options.comment.as_deref(), Some("All orders"));
        assert!(t.options.without_rowid && t.options.engine.is_none());
        assert_eq!(t.primary_key_name.as_deref(), Some("pk_orders"));
        assert_eq!(t.exclusions[0].name, "ex_orders_qty");
        assert_eq!(t.checks.iter().filter(|c| c.not_valid).count(), 2);
        assert!(t
            .uniques
            .iter()
            .any(|u| u.nulls_not_distinct && u.name == "uq_price"));
        assert_eq!(t.index("ix_desc").unwrap().method.as_deref(), Some("brin"));
        for op in &m.operations()[..3] {
            assert_eq!(op.table(), Some("orders"));
        }
        for op in inverses.iter().rev() {
            op.apply(&mut schema).unwrap();
        }
        assert_eq!(schema, start);

        let mut again = Migration::new();
        again.add_exclusion("orders", "ex_orders_code", "USING gist (id WITH =)");
        let err = apply_all(&mut schema, again.operations()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "add_exclusion: constraint `ex_orders_code` already exists on `orders`"
        );
    }
}
