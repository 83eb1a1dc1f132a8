//! Code generation: a plan becomes a migration module that reviewers read and rustc compiles.
//!
//! The text is laid out the way rustfmt lays it out for short lines; the CLI passes it through
//! rustfmt when one is installed, so long names wrap exactly as rustfmt wraps them.

use std::fmt::Write;

use crate::migration::Operation;
use crate::schema::{Column, DefaultValue, FkAction, SqlType, Table};

/// The header facts of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleHeader {
    /// The revision id.
    pub revision: String,
    /// The revisions it revises (none for the first, several for a merge).
    pub revises: Vec<String>,
    /// The user's message.
    pub message: String,
    /// Creation time, as shown in the header (`2026-11-25 10:45:00 UTC`).
    pub created: String,
}

/// The module source for `up` and `down`; `warnings` become comments at the top of `up`.
pub fn render_module(
    header: &ModuleHeader,
    up: &[Operation],
    down: &[Operation],
    warnings: &[String],
) -> String {
    let mut out = String::new();
    let revises = if header.revises.is_empty() {
        "(none)".to_string()
    } else {
        header.revises.join(", ")
    };
    for line in header.message.lines() {
        let _ = writeln!(out, "// {line}");
    }
    let _ = writeln!(out, "//");
    let _ = writeln!(out, "// Revision: {}", header.revision);
    let _ = writeln!(out, "// Revises: {revises}");
    let _ = writeln!(out, "// Created: {}", header.created);
    out.push('\n');
    out.push_str("use migrate_core::migration::prelude::*;\n\n");
    let _ = writeln!(out, "pub const REVISION: &str = {:?};", header.revision);
    let revises_list: Vec<String> = header.revises.iter().map(|r| format!("{r:?}")).collect();
    let _ = writeln!(
        out,
        "pub const REVISES: &[&str] = &[{}];",
        revises_list.join(", ")
    );
    let _ = writeln!(out, "pub const MESSAGE: &str = {:?};", header.message);
    out.push('\n');
    render_fn(&mut out, "up", up, warnings);
    out.push('\n');
    render_fn(&mut out, "down", down, &[]);
    out
}

fn render_fn(out: &mut String, name: &str, ops: &[Operation], warnings: &[String]) {
    if ops.is_empty() && warnings.is_empty() {
        let _ = writeln!(out, "pub fn {name}(_m: &mut Migration) {{}}");
        return;
    }
    let _ = writeln!(out, "pub fn {name}(m: &mut Migration) {{");
    for warning in warnings {
        let _ = writeln!(out, "    // Warning: {warning}");
    }
    for op in ops {
        render_op(out, op);
    }
    out.push_str("}\n");
}

fn render_op(out: &mut String, op: &Operation) {
    match op {
        Operation::CreateTable(table) => render_create_table(out, table),
        Operation::DropTable(name) => {
            let _ = writeln!(
                out,
                "    // Data loss: drops table {name} and every row in it."
            );
            let _ = writeln!(out, "    m.drop_table({name:?});");
        }
        Operation::AddColumn { table, column } => {
            let _ = writeln!(
                out,
                "    m.add_column({table:?}, {:?}, {}){};",
                column.name,
                rust_type(&column.ty),
                column_modifiers(column)
            );
        }
        Operation::DropColumn { table, column } => {
            let _ = writeln!(
                out,
                "    // Data loss: drops column {table}.{column} and its values."
            );
            let _ = writeln!(out, "    m.drop_column({table:?}, {column:?});");
        }
        Operation::CreateIndex { table, index } => {
            let _ = writeln!(
                out,
                "    m.create_index({table:?}, {:?}, {}){};",
                index.name,
                slice(&index.columns),
                if index.unique { ".unique()" } else { "" }
            );
        }
        Operation::DropIndex { table, name } => {
            let _ = writeln!(out, "    m.drop_index({table:?}, {name:?});");
        }
        Operation::Sql(sql) => {
            let _ = writeln!(out, "    m.sql({sql:?});");
        }
    }
}

fn render_create_table(out: &mut String, table: &Table) {
    let _ = writeln!(out, "    m.create_table({:?}, |t| {{", table.name);
    for column in &table.columns {
        let _ = writeln!(
            out,
            "        t.column({:?}, {}){};",
            column.name,
            rust_type(&column.ty),
            column_modifiers(column)
        );
    }
    if !table.primary_key.is_empty() {
        let _ = writeln!(out, "        t.primary_key({});", slice(&table.primary_key));
    }
    for unique in &table.uniques {
        let _ = writeln!(
            out,
            "        t.unique({:?}, {});",
            unique.name,
            slice(&unique.columns)
        );
    }
    for fk in &table.foreign_keys {
        let mut actions = String::new();
        if fk.on_delete != FkAction::NoAction {
            let _ = write!(actions, ".on_delete({})", rust_action(fk.on_delete));
        }
        if fk.on_update != FkAction::NoAction {
            let _ = write!(actions, ".on_update({})", rust_action(fk.on_update));
        }
        let _ = writeln!(
            out,
            "        t.foreign_key({:?}, {}, {:?}, {}){actions};",
            fk.name,
            slice(&fk.columns),
            fk.ref_table,
            slice(&fk.ref_columns)
        );
    }
    for check in &table.checks {
        let _ = writeln!(out, "        t.check({:?}, {:?});", check.name, check.expr);
    }
    for index in &table.indexes {
        let _ = writeln!(
            out,
            "        t.index({:?}, {}){};",
            index.name,
            slice(&index.columns),
            if index.unique { ".unique()" } else { "" }
        );
    }
    out.push_str("    });\n");
}

fn column_modifiers(column: &Column) -> String {
    let mut out = String::new();
    if column.nullable {
        out.push_str(".nullable()");
    }
    if column.auto_increment {
        out.push_str(".auto_increment()");
    }
    match &column.default {
        None => {}
        Some(DefaultValue::Bool(b)) => {
            let _ = write!(out, ".default({b})");
        }
        Some(DefaultValue::Int(i)) => {
            let _ = write!(out, ".default({i})");
        }
        Some(DefaultValue::Float(f)) => {
            let literal = if f.contains(['.', 'e', 'E']) || f.contains("inf") || f.contains("NaN") {
                f.clone()
            } else {
                format!("{f}.0")
            };
            let _ = write!(out, ".default({literal})");
        }
        Some(DefaultValue::Text(s)) => {
            let _ = write!(out, ".default({s:?})");
        }
        Some(DefaultValue::Sql(s)) => {
            let _ = write!(out, ".default_sql({s:?})");
        }
    }
    out
}

/// The Rust expression of a column type, as the prelude spells it.
pub fn rust_type(ty: &SqlType) -> String {
    match ty {
        SqlType::SmallInt => "SqlType::SmallInt".into(),
        SqlType::Integer => "SqlType::Integer".into(),
        SqlType::BigInt => "SqlType::BigInt".into(),
        SqlType::Real => "SqlType::Real".into(),
        SqlType::Double => "SqlType::Double".into(),
        SqlType::Numeric(None) => "SqlType::Numeric(None)".into(),
        SqlType::Numeric(Some((p, s))) => format!("SqlType::Numeric(Some(({p}, {s})))"),
        SqlType::Boolean => "SqlType::Boolean".into(),
        SqlType::Text => "SqlType::Text".into(),
        SqlType::Varchar(n) => format!("SqlType::Varchar({n})"),
        SqlType::Binary => "SqlType::Binary".into(),
        SqlType::Date => "SqlType::Date".into(),
        SqlType::Time => "SqlType::Time".into(),
        SqlType::Timestamp => "SqlType::Timestamp".into(),
        SqlType::TimestampTz => "SqlType::TimestampTz".into(),
        SqlType::Uuid => "SqlType::Uuid".into(),
        SqlType::Json => "SqlType::Json".into(),
        SqlType::Custom(name) => format!("SqlType::Custom({name:?}.into())"),
    }
}

fn rust_action(action: FkAction) -> &'static str {
    match action {
        FkAction::NoAction => "FkAction::NoAction",
        FkAction::Restrict => "FkAction::Restrict",
        FkAction::Cascade => "FkAction::Cascade",
        FkAction::SetNull => "FkAction::SetNull",
        FkAction::SetDefault => "FkAction::SetDefault",
    }
}

fn slice(names: &[String]) -> String {
    let items: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!("&[{}]", items.join(", "))
}

/// The file-name part of a message: lowercase words joined by `_`, at most 40 characters.
pub fn slug(message: &str) -> String {
    let mut slug = String::new();
    for word in message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('_');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        slug.push_str("migration");
    }
    slug
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::schema::{Column, ForeignKey, Index, Schema, Unique};

    pub(crate) fn blog_schema() -> Schema {
        let mut users = Table::new("users");
        users.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(255)));
        users.primary_key = vec!["id".into()];
        users.uniques.push(Unique {
            name: "uq_users_email".into(),
            columns: vec!["email".into()],
        });
        let mut posts = Table::new("posts");
        posts.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        posts
            .columns
            .push(Column::new("title", SqlType::Varchar(200)));
        posts.columns.push(Column {
            nullable: true,
            ..Column::new("body", SqlType::Text)
        });
        posts
            .columns
            .push(Column::new("author_id", SqlType::Integer));
        posts.columns.push(Column {
            default: Some(DefaultValue::Bool(false)),
            ..Column::new("published", SqlType::Boolean)
        });
        posts.columns.push(Column {
            default: Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into())),
            ..Column::new("created_at", SqlType::Timestamp)
        });
        posts.primary_key = vec!["id".into()];
        posts.foreign_keys.push(ForeignKey {
            name: "fk_posts_author_id_users".into(),
            columns: vec!["author_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
        });
        posts.indexes.push(Index {
            name: "ix_posts_author_id".into(),
            columns: vec!["author_id".into()],
            unique: false,
        });
        Schema::new(vec![posts, users])
    }

    #[test]
    fn initial_module() {
        let plan = diff(&Schema::default(), &blog_schema()).unwrap();
        let header = ModuleHeader {
            revision: "20261125104500".into(),
            revises: vec![],
            message: "initial".into(),
            created: "2026-11-25 10:45:00 UTC".into(),
        };
        insta::assert_snapshot!(render_module(&header, &plan.up, &plan.down, &[]));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Add posts!"), "add_posts");
        assert_eq!(slug("   "), "migration");
        assert_eq!(
            slug("a very long message that keeps going on and on forever"),
            "a_very_long_message_that_keeps_going_on"
        );
    }
}
