//! SQLite introspection through `sqlite_master` and the table pragmas.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};
use diesel::sqlite::SqliteConnection;

use super::sqlite_ddl::{parse_index, parse_table};
use super::{is_rowid_type, sqlite_default, sqlite_type};
use crate::dialect::HISTORY_TABLE;
use crate::error::{Error, Result};
use crate::schema::SqlType;
use crate::schema::{
    Check, Column, EnumType, FkAction, ForeignKey, Generated, Identity, Index, Schema, Table,
    Unique,
};

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
    #[diesel(sql_type = Integer)]
    hidden: i32,
}

#[derive(QueryableByName)]
struct IndexListRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Nullable<Text>)]
    sql: Option<String>,
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
    // Names, AUTOINCREMENT, collations, generated expressions and deferrability are only in
    // the CREATE TABLE text: the pragmas drop them.
    let text = parse_table(&master.sql);
    table.options.without_rowid = text.without_rowid;
    table.options.strict = text.strict;

    let rows: Vec<ColumnRow> = load(
        conn,
        format!(
            "SELECT name, type AS type_, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo({})",
            lit(&master.name)
        ),
    )?;
    let mut keys: Vec<(i32, String)> = Vec::new();
    for row in &rows {
        // Hidden columns of virtual tables are no columns of the schema.
        if row.hidden == 1 {
            continue;
        }
        let mut column = Column::new(row.name.clone(), sqlite_type(&row.ty));
        column.nullable = row.notnull == 0 && row.pk == 0;
        column.default = row
            .dflt_value
            .as_deref()
            .map(|d| sqlite_default(d, &column.ty));
        if let Some(declared) = text.column(&row.name) {
            column.collation = declared.collation.clone();
            if let (Some((expr, stored)), 2 | 3) = (&declared.generated, row.hidden) {
                column.generated = Some(Generated {
                    expr: expr.clone(),
                    stored: *stored,
                });
            }
            if declared.autoincrement {
                column.identity = Some(Identity::Autoincrement);
            }
        }
        if row.pk > 0 {
            keys.push((row.pk, row.name.clone()));
        }
        table.columns.push(column);
    }
    keys.sort();
    table.primary_key = keys.into_iter().map(|(_, n)| n).collect();
    table.primary_key_name = text.primary_key.as_ref().and_then(|k| k.name.clone());
    if let [key] = table.primary_key.as_slice() {
        let key = key.clone();
        if let Some(c) = table.column_mut(&key) {
            // An only key declared `INTEGER` is the rowid: generated whether or not
            // AUTOINCREMENT is said (which only stops ids from being reused).
            if is_rowid_type(&c.ty) && !text.without_rowid {
                c.auto_increment = true;
            }
        }
    }
    for column in &mut table.columns {
        if !column.auto_increment {
            column.identity = None;
        }
    }

    for unique in &text.uniques {
        let name = unique.name.clone().unwrap_or_else(|| {
            // An unnamed constraint: SQLite's `sqlite_autoindex_*` is no name to keep, so it
            // gets the one the models give it.
            crate::schema::constraint_name("uq", &table.name, &unique.columns, None)
        });
        table
            .uniques
            .push(Unique::new(name, unique.columns.clone()));
    }
    let mut unnamed_checks = 0;
    for check in &text.checks {
        if let Some(name) = &check.name {
            table.checks.push(Check::new(name, check.expr.clone()));
            continue;
        }
        // A text column with a CHECK of its values, as the dialect writes an enum column.
        if let (true, Some((name, values))) = (
            check.on_column,
            super::sqlite_enum_check(&format!("CHECK ({})", check.expr)),
        ) {
            if let Some(c) = table.columns.iter_mut().find(|c| {
                c.name == name && c.ty == SqlType::Text && check.columns == [name.clone()]
            }) {
                let enum_name = super::column_enum_name(&master.name, &name);
                enums.push(EnumType {
                    name: enum_name.clone(),
                    values,
                });
                c.ty = SqlType::Enum(enum_name);
                continue;
            }
        }
        // An unnamed check gets a name of the models' kind: by its column, or by its place.
        unnamed_checks += 1;
        let by = if check.on_column {
            check.columns.clone()
        } else {
            vec![unnamed_checks.to_string()]
        };
        let mut name = crate::schema::constraint_name("ck", &table.name, &by, None);
        if table.checks.iter().any(|c| c.name == name) {
            name = crate::schema::constraint_name(
                "ck",
                &table.name,
                &by,
                Some(&unnamed_checks.to_string()),
            );
        }
        table.checks.push(Check::new(name, check.expr.clone()));
    }

    let indexes: Vec<IndexListRow> = load(
        conn,
        format!(
            "SELECT l.name, l.\"unique\", l.origin, m.sql FROM pragma_index_list({}) AS l LEFT JOIN sqlite_master AS m ON m.type = 'index' AND m.name = l.name",
            lit(&master.name)
        ),
    )?;
    for index in indexes {
        // Key and unique constraints come with their table; these are CREATE INDEX's.
        let (Some(sql), "c") = (&index.sql, index.origin.as_str()) else {
            continue;
        };
        let declared = parse_index(sql);
        table.indexes.push(Index {
            name: index.name,
            columns: declared.columns,
            unique: index.unique != 0,
            predicate: declared.predicate,
            ..Index::default()
        });
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
    let mut declared_fks = text.foreign_keys.clone();
    for group in grouped {
        let columns: Vec<String> = group.iter().map(|r| r.from.clone()).collect();
        let ref_table = group[0].table.clone();
        let ref_columns: Vec<String> = group.iter().filter_map(|r| r.to.clone()).collect();
        let declared = declared_fks
            .iter()
            .position(|d| d.columns == columns && d.ref_table.eq_ignore_ascii_case(&ref_table))
            .map(|at| declared_fks.remove(at))
            .unwrap_or_default();
        let name = declared.name.unwrap_or_else(|| {
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
            deferrable: declared.deferrable,
            ..ForeignKey::default()
        });
    }
    table.normalize();
    Ok(table)
}
