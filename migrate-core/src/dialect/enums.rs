//! Enum types for the dialects that write an enum's values into each column (MySQL's
//! `ENUM(...)`, SQLite's text with a CHECK): the schema and the operation are rendered with
//! every enum column's type spelled out as a custom type, so that the rest of the dialect needs
//! no knowledge of enums.

use crate::migration::Operation;
use crate::schema::{Column, Schema, SqlType, Table};

/// How a dialect spells an enum column: given the column and the type's values.
pub(crate) type Spell<'a> = &'a dyn Fn(&Column, &[String]) -> String;

/// `table` with each enum column's type spelled out from the enum types of `schema`.
pub(crate) fn spell_table(table: &Table, schema: &Schema, spell: Spell<'_>) -> Table {
    let mut table = table.clone();
    for column in &mut table.columns {
        *column = spell_column(column, schema, spell);
    }
    table
}

pub(crate) fn spell_column(column: &Column, schema: &Schema, spell: Spell<'_>) -> Column {
    let mut column = column.clone();
    if let Some(name) = column.ty.enum_name() {
        column.ty = SqlType::Custom(spell(&column, schema.enum_values(name)));
    }
    column
}

/// `schema` with every enum column spelled out.
pub(crate) fn spell_schema(schema: &Schema, spell: Spell<'_>) -> Schema {
    let mut out = schema.clone();
    for table in &mut out.tables {
        *table = spell_table(table, schema, spell);
    }
    out
}

/// `op` with the columns it declares spelled out against `after`, the schema once it applied.
pub(crate) fn spell_operation(op: &Operation, after: &Schema, spell: Spell<'_>) -> Operation {
    match op {
        Operation::CreateTable(table) => Operation::CreateTable(spell_table(table, after, spell)),
        Operation::AddColumn { table, column } => Operation::AddColumn {
            table: table.clone(),
            column: spell_column(column, after, spell),
        },
        Operation::AlterColumn { table, column } => Operation::AlterColumn {
            table: table.clone(),
            column: spell_column(column, after, spell),
        },
        other => other.clone(),
    }
}

/// Whether the values of an enum only grew, each old value keeping its place relative to the
/// others: what PostgreSQL's `ADD VALUE` can do without recreating the type.
pub fn only_added(old: &[String], new: &[String]) -> bool {
    let mut kept = new.iter().filter(|v| old.contains(v));
    old.iter().all(|o| kept.next() == Some(o))
}

/// The values of `old` with `to` in place of `from` and `from` kept just before it: the list
/// that admits both while the rows are renamed.
pub(crate) fn with_both(old: &[String], from: &str, to: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(old.len() + 1);
    for v in old {
        out.push(v.clone());
        if v == from {
            out.push(to.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn additions_are_told_from_removals_and_reorders() {
        assert!(only_added(&v(&["a", "b"]), &v(&["a", "x", "b", "y"])));
        assert!(only_added(&v(&["a", "b"]), &v(&["x", "a", "b"])));
        assert!(!only_added(&v(&["a", "b"]), &v(&["b", "a"])));
        assert!(!only_added(&v(&["a", "b"]), &v(&["a"])));
        assert_eq!(with_both(&v(&["a", "b"]), "a", "z"), v(&["a", "z", "b"]));
    }
}
