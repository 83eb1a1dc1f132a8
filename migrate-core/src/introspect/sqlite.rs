//! SQLite introspection through `sqlite_master` and the table pragmas.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;

use super::{named_constraint, split_table_body, sqlite_default, sqlite_type, unquote};
use crate::dialect::HISTORY_TABLE;
use crate::error::{Error, Result};
use crate::schema::SqlType;
use crate::schema::{Check, Column, EnumType, FkAction, ForeignKey, Index, Schema, Table, Unique};

#[derive(QueryableByName)]
struct MasterRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    #[diesel(column_name = type_)]
    ty: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Nullable<Text>)]
    dflt_value: Option<String>,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct IndexListRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Integer)]
    partial: i32,
}

#[derive(QueryableByName)]
struct IndexInfoRow {
    #[diesel(sql_type = BigInt)]
    seqno: i64,
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

#[derive(QueryableByName)]
struct FkRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    seq: i32,
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Text)]
    from: String,
    #[diesel(sql_type = Nullable<Text>)]
    to: Option<String>,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

fn load<T: diesel::deserialize::QueryableByName<diesel::sqlite::Sqlite> + 'static>(
    conn: &mut SqliteConnection,
    sql: String,
) -> Result<Vec<T>> {
    diesel::sql_query(&sql)
        .load(conn)
        .map_err(|e| Error::Database {
            context: sql,
            message: e.to_string(),
        })
}

fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn columns_of(list: &str) -> Vec<String> {
    list.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(unquote)
        .collect()
}

/// Reads every user table of a SQLite database (not SQLite's own, not the history table).
pub fn introspect_sqlite(conn: &mut SqliteConnection) -> Result<Schema> {
    let tables: Vec<MasterRow> = load(
        conn,
        format!(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '{HISTORY_TABLE}' AND name <> '__diesel_schema_migrations' ORDER BY name"
        ),
    )?;
    let mut schema = Schema::default();
    for master in tables {
        schema.tables.push(table(conn, &master, &mut schema.enums)?);
    }
    schema.normalize();
    Ok(schema)
}

fn table(
    conn: &mut SqliteConnection,
    master: &MasterRow,
    enums: &mut Vec<EnumType>,
) -> Result<Table> {
    let mut table = Table::new(master.name.clone());
    let parts = split_table_body(&master.sql);
    let autoincrement = master.sql.to_ascii_uppercase().contains("AUTOINCREMENT");

    let rows: Vec<ColumnRow> = load(
        conn,
        format!(
            "SELECT name, type AS type_, \"notnull\", dflt_value, pk FROM pragma_table_info({})",
            lit(&master.name)
        ),
    )?;
    let mut keys: Vec<(i32, String)> = Vec::new();
    for row in &rows {
        let ty = sqlite_type(&row.ty);
        let mut column = Column::new(row.name.clone(), ty);
        column.nullable = row.notnull == 0 && row.pk == 0;
        column.default = row
            .dflt_value
            .as_deref()
            .map(|d| sqlite_default(d, &column.ty));
        if row.pk > 0 {
            keys.push((row.pk, row.name.clone()));
        }
        table.columns.push(column);
    }
    keys.sort();
    table.primary_key = keys.into_iter().map(|(_, n)| n).collect();
    // A text column with a CHECK of its values, as the dialect writes an enum column.
    for part in &parts {
        if named_constraint(part).is_some() {
            continue;
        }
        let Some((name, values)) = super::sqlite_enum_check(part) else {
            continue;
        };
        if let Some(c) = table
            .columns
            .iter_mut()
            .find(|c| c.name == name && c.ty == SqlType::Text)
        {
            let enum_name = super::column_enum_name(&master.name, &name);
            enums.push(EnumType {
                name: enum_name.clone(),
                values,
            });
            c.ty = SqlType::Enum(enum_name);
        }
    }
    if let [key] = table.primary_key.as_slice() {
        let key = key.clone();
        if let Some(c) = table.column_mut(&key) {
            // `INTEGER PRIMARY KEY` is the rowid: generated whether or not AUTOINCREMENT is said.
            if c.ty == SqlType::Integer && (autoincrement || row_is_rowid_alias(&rows, &key)) {
                c.auto_increment = true;
            }
        }
    }

    // Names of table constraints come from the CREATE TABLE text: SQLite's pragmas drop them.
    let mut unique_names = Vec::new();
    let mut fk_names = Vec::new();
    for part in &parts {
        let Some((name, rest)) = named_constraint(part) else {
            continue;
        };
        let upper = rest.to_ascii_uppercase();
        if upper.starts_with("UNIQUE") {
            unique_names.push((name, columns_of(&rest[6..])));
        } else if upper.starts_with("FOREIGN KEY") {
            let list_end = rest.find(')').unwrap_or(rest.len());
            fk_names.push((name, columns_of(&rest[11..list_end + 1])));
        } else if upper.starts_with("CHECK") {
            let expr = rest[5..].trim();
            let expr = expr
                .strip_prefix('(')
                .and_then(|e| e.strip_suffix(')'))
                .unwrap_or(expr);
            table.checks.push(Check::new(name, expr));
        }
    }

    let indexes: Vec<IndexListRow> = load(
        conn,
        format!(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list({})",
            lit(&master.name)
        ),
    )?;
    for index in indexes {
        let mut info: Vec<IndexInfoRow> = load(
            conn,
            format!(
                "SELECT seqno, name FROM pragma_index_info({})",
                lit(&index.name)
            ),
        )?;
        info.sort_by_key(|i| i.seqno);
        // Expression and partial indexes are not schema this tool models (as on PostgreSQL).
        if index.partial != 0 || info.iter().any(|i| i.name.is_none()) {
            continue;
        }
        let columns: Vec<String> = info.into_iter().filter_map(|i| i.name).collect();
        match index.origin.as_str() {
            "c" => table.indexes.push(Index {
                unique: index.unique != 0,
                ..Index::new(index.name, columns)
            }),
            "u" => {
                let name = unique_names
                    .iter()
                    .find(|(_, cols)| *cols == columns)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_else(|| {
                        // An unnamed constraint: SQLite's `sqlite_autoindex_*` is no name to
                        // keep, so it gets the one the models give it.
                        crate::schema::constraint_name("uq", &table.name, &columns, None)
                    });
                table.uniques.push(Unique::new(name, columns));
            }
            _ => {}
        }
    }

    let mut fk_rows: Vec<FkRow> = load(conn, format!("SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list({})", lit(&master.name)))?;
    fk_rows.sort_by_key(|r| (r.id, r.seq));
    let mut grouped: Vec<Vec<FkRow>> = Vec::new();
    for row in fk_rows {
        match grouped.last_mut() {
            Some(group) if group[0].id == row.id => group.push(row),
            _ => grouped.push(vec![row]),
        }
    }
    for group in grouped {
        let columns: Vec<String> = group.iter().map(|r| r.from.clone()).collect();
        let ref_table = group[0].table.clone();
        let ref_columns: Vec<String> = group.iter().filter_map(|r| r.to.clone()).collect();
        let name = fk_names
            .iter()
            .find(|(_, cols)| *cols == columns)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| {
                crate::schema::constraint_name("fk", &table.name, &columns, Some(&ref_table))
            });
        let action = |s: &str| FkAction::parse(s).unwrap_or_default();
        table.foreign_keys.push(ForeignKey {
            name,
            columns,
            ref_table,
            ref_columns,
            on_delete: action(&group[0].on_delete),
            on_update: action(&group[0].on_update),
            ..ForeignKey::default()
        });
    }
    table.normalize();
    Ok(table)
}

fn row_is_rowid_alias(rows: &[ColumnRow], key: &str) -> bool {
    rows.iter()
        .any(|r| r.name == key && r.ty.eq_ignore_ascii_case("INTEGER"))
}
