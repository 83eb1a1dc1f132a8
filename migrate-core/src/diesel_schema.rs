//! Diesel's `table!` file, written from a schema the way `diesel print-schema` writes it, so that
//! a models crate compiles again right after `migrate` adds a column.

use std::fmt::Write;

use crate::dialect::Backend;
use crate::schema::{Schema, SqlType, Table};

/// The Diesel SQL type of a column type on `backend`, as `print-schema` names it.
pub fn diesel_type(ty: &SqlType, backend: Backend) -> String {
    let sqlite = backend == Backend::Sqlite;
    match ty {
        SqlType::SmallInt => "SmallInt".into(),
        SqlType::Integer => "Integer".into(),
        SqlType::BigInt => "BigInt".into(),
        SqlType::Real => "Float".into(),
        SqlType::Double => "Double".into(),
        SqlType::Numeric(_) => "Numeric".into(),
        SqlType::Boolean => "Bool".into(),
        SqlType::Text => "Text".into(),
        SqlType::Varchar(_) if sqlite => "Text".into(),
        SqlType::Varchar(_) => "Varchar".into(),
        SqlType::Binary => "Binary".into(),
        SqlType::Date => "Date".into(),
        SqlType::Time => "Time".into(),
        SqlType::Timestamp => "Timestamp".into(),
        SqlType::TimestampTz if sqlite => "TimestamptzSqlite".into(),
        SqlType::TimestampTz => "Timestamptz".into(),
        SqlType::Uuid if sqlite => "Binary".into(),
        SqlType::Uuid => "Uuid".into(),
        SqlType::Json if backend == Backend::Postgres => "Jsonb".into(),
        SqlType::Json if sqlite => "Text".into(),
        SqlType::Json => "Json".into(),
        SqlType::Custom(name) => name.clone(),
    }
}

/// The whole `schema.rs`: one `table!` per table with a primary key, `joinable!` for each
/// single-column foreign key, and `allow_tables_to_appear_in_same_query!`.
pub fn render_schema_rs(schema: &Schema, backend: Backend) -> String {
    let mut out =
        String::from("// @generated automatically by migrate-cli from migrations/snapshot.json.\n");
    let tables: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|t| !t.primary_key.is_empty())
        .collect();
    for table in &tables {
        out.push('\n');
        render_table(&mut out, table, backend);
    }
    let mut joins = Vec::new();
    for table in &tables {
        for fk in &table.foreign_keys {
            if fk.columns.len() == 1
                && fk.ref_table != table.name
                && tables.iter().any(|t| t.name == fk.ref_table)
            {
                joins.push(format!(
                    "diesel::joinable!({} -> {} ({}));\n",
                    table.name, fk.ref_table, fk.columns[0]
                ));
            }
        }
    }
    joins.sort();
    joins.dedup();
    if !joins.is_empty() {
        out.push('\n');
        for join in joins {
            out.push_str(&join);
        }
    }
    if tables.len() > 1 {
        out.push_str("\ndiesel::allow_tables_to_appear_in_same_query!(\n");
        for table in &tables {
            let _ = writeln!(out, "    {},", table.name);
        }
        out.push_str(");\n");
    }
    out
}

fn render_table(out: &mut String, table: &Table, backend: Backend) {
    out.push_str("diesel::table! {\n");
    let _ = writeln!(
        out,
        "    {} ({}) {{",
        table.name,
        table.primary_key.join(", ")
    );
    for column in &table.columns {
        if let (SqlType::Varchar(n), false) = (&column.ty, backend == Backend::Sqlite) {
            let _ = writeln!(out, "        #[max_length = {n}]");
        }
        let ty = diesel_type(&column.ty, backend);
        if column.nullable {
            let _ = writeln!(out, "        {} -> Nullable<{ty}>,", column.name);
        } else {
            let _ = writeln!(out, "        {} -> {ty},", column.name);
        }
    }
    out.push_str("    }\n}\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey};

    #[test]
    fn two_tables_with_a_join() {
        let mut users = Table::new("users");
        users.columns.push(Column::new("id", SqlType::Integer));
        users.primary_key = vec!["id".into()];
        let mut posts = Table::new("posts");
        posts.columns.push(Column::new("id", SqlType::Integer));
        posts.columns.push(Column::new("user_id", SqlType::Integer));
        posts.columns.push(Column {
            nullable: true,
            ..Column::new("title", SqlType::Varchar(20))
        });
        posts.primary_key = vec!["id".into()];
        posts.foreign_keys.push(ForeignKey {
            name: "fk".into(),
            columns: vec!["user_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
        });
        let text = render_schema_rs(&Schema::new(vec![users, posts]), Backend::Sqlite);
        insta::assert_snapshot!(text);
    }
}
