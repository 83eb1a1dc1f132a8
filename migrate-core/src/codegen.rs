//! Code generation: a plan becomes a migration module that reviewers read and rustc compiles.
//!
//! The text is laid out the way rustfmt lays it out for short lines; the CLI passes it through
//! rustfmt when one is installed, so long names wrap exactly as rustfmt wraps them.

use std::fmt::Write;

use crate::migration::Operation;
use crate::schema::{Column, DefaultValue, FkAction, ForeignKey, SqlType, Table};

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

/// rustfmt's widths: a line, a call's argument list, a method chain.
const MAX_WIDTH: usize = 100;
const FN_CALL_WIDTH: usize = 60;
const CHAIN_WIDTH: usize = 60;

/// Writes `root(args)` followed by `chain` and `;`, laid out as rustfmt lays it out: arguments
/// broken one per line past `FN_CALL_WIDTH`, a chain broken one call per line past `CHAIN_WIDTH`.
fn statement(out: &mut String, indent: usize, root: &str, args: &[String], chain: &[String]) {
    let pad = " ".repeat(indent);
    let joined = args.join(", ");
    let one_line_root = format!("{root}({joined})");
    let chained: String = chain.concat();
    let whole = format!("{one_line_root}{chained}");
    if indent + whole.len() < MAX_WIDTH
        && joined.len() <= FN_CALL_WIDTH
        && (chain.is_empty() || whole.len() <= CHAIN_WIDTH)
    {
        let _ = writeln!(out, "{pad}{whole};");
        return;
    }
    let root_fits = indent + one_line_root.len() + usize::from(chain.is_empty()) <= MAX_WIDTH
        && joined.len() <= FN_CALL_WIDTH;
    if root_fits {
        out.push_str(&pad);
        out.push_str(&one_line_root);
    } else {
        let _ = writeln!(out, "{pad}{root}(");
        for arg in args {
            let _ = writeln!(out, "{pad}    {arg},");
        }
        let _ = write!(out, "{pad})");
    }
    // After a root broken over lines, the chain continues at the root's own indent.
    let chain_pad = if root_fits {
        format!("{pad}    ")
    } else {
        pad.clone()
    };
    for call in chain {
        let _ = write!(out, "\n{chain_pad}{call}");
    }
    out.push_str(";\n");
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

fn render_op(out: &mut String, op: &Operation) {
    match op {
        Operation::CreateTable(table) => render_create_table(out, table),
        Operation::DropTable(name) => {
            let _ = writeln!(
                out,
                "    // Data loss: drops table {name} and every row in it."
            );
            statement(out, 4, "m.drop_table", &[quoted(name)], &[]);
        }
        Operation::AddColumn { table, column } => {
            let args = [quoted(table), quoted(&column.name), rust_type(&column.ty)];
            statement(out, 4, "m.add_column", &args, &column_modifiers(column));
        }
        Operation::DropColumn { table, column } => {
            let _ = writeln!(
                out,
                "    // Data loss: drops column {table}.{column} and its values."
            );
            statement(
                out,
                4,
                "m.drop_column",
                &[quoted(table), quoted(column)],
                &[],
            );
        }
        Operation::CreateIndex { table, index } => {
            let args = [quoted(table), quoted(&index.name), slice(&index.columns)];
            statement(
                out,
                4,
                "m.create_index",
                &args,
                &unique_modifier(index.unique),
            );
        }
        Operation::DropIndex { table, name } => {
            statement(out, 4, "m.drop_index", &[quoted(table), quoted(name)], &[]);
        }
        Operation::Sql(sql) => statement(out, 4, "m.sql", &[quoted(sql)], &[]),
        Operation::Rust(step) => {
            let _ = writeln!(
                out,
                "    // A Rust step ({}) is not generated; write it by hand.",
                step.name
            );
        }
        Operation::Irreversible(reason) => {
            statement(out, 4, "m.irreversible", &[quoted(reason)], &[])
        }
        Operation::RenameTable { from, to } => {
            statement(out, 4, "m.rename_table", &[quoted(from), quoted(to)], &[]);
        }
        Operation::RenameColumn { table, from, to } => {
            let args = [quoted(table), quoted(from), quoted(to)];
            statement(out, 4, "m.rename_column", &args, &[]);
        }
        Operation::AlterColumn { table, column } => {
            let args = [quoted(table), quoted(&column.name), rust_type(&column.ty)];
            statement(out, 4, "m.alter_column", &args, &column_modifiers(column));
        }
        Operation::SetPrimaryKey { table, columns } => {
            let args = [quoted(table), slice(columns)];
            statement(out, 4, "m.set_primary_key", &args, &[]);
        }
        Operation::AddUnique { table, unique } => {
            let args = [quoted(table), quoted(&unique.name), slice(&unique.columns)];
            statement(out, 4, "m.add_unique", &args, &[]);
        }
        Operation::DropUnique { table, name } => {
            statement(out, 4, "m.drop_unique", &[quoted(table), quoted(name)], &[]);
        }
        Operation::AddForeignKey { table, foreign_key } => {
            let fk = foreign_key;
            let args = [
                quoted(table),
                quoted(&fk.name),
                slice(&fk.columns),
                quoted(&fk.ref_table),
                slice(&fk.ref_columns),
            ];
            statement(out, 4, "m.add_foreign_key", &args, &fk_actions(fk));
        }
        Operation::DropForeignKey { table, name } => {
            let args = [quoted(table), quoted(name)];
            statement(out, 4, "m.drop_foreign_key", &args, &[]);
        }
        Operation::AddCheck { table, check } => {
            let args = [quoted(table), quoted(&check.name), quoted(&check.expr)];
            statement(out, 4, "m.add_check", &args, &[]);
        }
        Operation::DropCheck { table, name } => {
            statement(out, 4, "m.drop_check", &[quoted(table), quoted(name)], &[]);
        }
        Operation::CreateEnum(e) => {
            statement(
                out,
                4,
                "m.create_enum",
                &[quoted(&e.name), slice(&e.values)],
                &[],
            );
        }
        Operation::DropEnum(name) => statement(out, 4, "m.drop_enum", &[quoted(name)], &[]),
        Operation::AlterEnum { name, values } => {
            let _ = writeln!(
                out,
                "    // A value left out that rows still hold makes this step fail: no row loses it."
            );
            statement(out, 4, "m.alter_enum", &[quoted(name), slice(values)], &[]);
        }
        Operation::RenameEnumValue { name, from, to } => {
            let args = [quoted(name), quoted(from), quoted(to)];
            statement(out, 4, "m.rename_enum_value", &args, &[]);
        }
    }
}

fn fk_actions(fk: &ForeignKey) -> Vec<String> {
    let mut actions = Vec::new();
    if fk.on_delete != FkAction::NoAction {
        actions.push(format!(".on_delete({})", rust_action(fk.on_delete)));
    }
    if fk.on_update != FkAction::NoAction {
        actions.push(format!(".on_update({})", rust_action(fk.on_update)));
    }
    actions
}

fn unique_modifier(unique: bool) -> Vec<String> {
    if unique {
        vec![".unique()".to_string()]
    } else {
        Vec::new()
    }
}

fn render_create_table(out: &mut String, table: &Table) {
    let _ = writeln!(out, "    m.create_table({:?}, |t| {{", table.name);
    for column in &table.columns {
        let args = [quoted(&column.name), rust_type(&column.ty)];
        statement(out, 8, "t.column", &args, &column_modifiers(column));
    }
    if !table.primary_key.is_empty() {
        statement(out, 8, "t.primary_key", &[slice(&table.primary_key)], &[]);
    }
    for unique in &table.uniques {
        statement(
            out,
            8,
            "t.unique",
            &[quoted(&unique.name), slice(&unique.columns)],
            &[],
        );
    }
    for fk in &table.foreign_keys {
        let actions = fk_actions(fk);
        let args = [
            quoted(&fk.name),
            slice(&fk.columns),
            quoted(&fk.ref_table),
            slice(&fk.ref_columns),
        ];
        statement(out, 8, "t.foreign_key", &args, &actions);
    }
    for check in &table.checks {
        statement(
            out,
            8,
            "t.check",
            &[quoted(&check.name), quoted(&check.expr)],
            &[],
        );
    }
    for index in &table.indexes {
        let args = [quoted(&index.name), slice(&index.columns)];
        statement(out, 8, "t.index", &args, &unique_modifier(index.unique));
    }
    out.push_str("    });\n");
}

fn column_modifiers(column: &Column) -> Vec<String> {
    let mut out = Vec::new();
    if column.nullable {
        out.push(".nullable()".to_string());
    }
    if column.auto_increment {
        out.push(".auto_increment()".to_string());
    }
    match &column.default {
        None => {}
        Some(DefaultValue::Bool(b)) => out.push(format!(".default({b})")),
        Some(DefaultValue::Int(i)) => out.push(format!(".default({i})")),
        Some(DefaultValue::Float(f)) => {
            let literal = if f.contains(['.', 'e', 'E']) {
                f.clone()
            } else {
                format!("{f}.0")
            };
            out.push(format!(".default({literal})"));
        }
        Some(DefaultValue::Text(s)) => out.push(format!(".default({s:?})")),
        Some(DefaultValue::Sql(s)) => out.push(format!(".default_sql({s:?})")),
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
        SqlType::Enum(name) => format!("SqlType::Enum({name:?}.into())"),
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
    use crate::schema::{Column, Index, Schema, Unique};

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
