//! MySQL and MariaDB introspection through `information_schema`, normalised to the snapshot
//! vocabulary (display widths, `tinyint(1)` booleans, `current_timestamp(6)`).

use diesel::mysql::MysqlConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::dialect::HISTORY_TABLE;
use crate::error::{Error, Result};
use crate::schema::{
    Check, Column, DefaultValue, EnumType, FkAction, ForeignKey, Index, Schema, SqlType, Table,
    Unique,
};

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Text)]
    nullable: String,
    #[diesel(sql_type = Nullable<Text>)]
    dflt: Option<String>,
    #[diesel(sql_type = Text)]
    extra: String,
}

#[derive(QueryableByName)]
struct KeyPart {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    col: String,
}

#[derive(QueryableByName)]
struct FkPart {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    col: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    ref_col: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
}

#[derive(QueryableByName)]
struct IndexPart {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    non_unique: i64,
    #[diesel(sql_type = Text)]
    col: String,
}

#[derive(QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    expr: String,
}

fn load<T: diesel::deserialize::QueryableByName<diesel::mysql::Mysql> + 'static>(
    conn: &mut MysqlConnection,
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
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

/// Groups `(name, column)` rows, already ordered, into names with their column lists.
fn grouped<T>(rows: Vec<T>, key: impl Fn(&T) -> String) -> Vec<(String, Vec<T>)> {
    let mut out: Vec<(String, Vec<T>)> = Vec::new();
    for row in rows {
        let k = key(&row);
        match out.last_mut() {
            Some((name, group)) if *name == k => group.push(row),
            _ => out.push((k, vec![row])),
        }
    }
    out
}

/// Reads every table of the current database but the history table.
pub fn introspect_mysql(conn: &mut MysqlConnection) -> Result<Schema> {
    let tables: Vec<Name> = load(
        conn,
        format!(
            "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> '{HISTORY_TABLE}' AND TABLE_NAME <> '__diesel_schema_migrations' ORDER BY 1"
        ),
    )?;
    let mut schema = Schema::default();
    for t in tables {
        schema.tables.push(table(conn, &t.name, &mut schema.enums)?);
    }
    schema.normalize();
    Ok(schema)
}

fn table(conn: &mut MysqlConnection, name: &str, enums: &mut Vec<EnumType>) -> Result<Table> {
    let where_table = format!("TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {}", lit(name));
    let mut table = Table::new(name);
    let columns: Vec<ColumnRow> = load(
        conn,
        format!(
            "SELECT CAST(COLUMN_NAME AS CHAR) AS name, CAST(COLUMN_TYPE AS CHAR) AS ty, CAST(IS_NULLABLE AS CHAR) AS nullable, \
             CAST(COLUMN_DEFAULT AS CHAR) AS dflt, CAST(EXTRA AS CHAR) AS extra \
             FROM information_schema.COLUMNS WHERE {where_table} ORDER BY ORDINAL_POSITION"
        ),
    )?;
    for row in columns {
        // An `ENUM(...)` column is an enum type of its own, named after the column.
        let ty = match super::mysql_enum_values(&row.ty) {
            Some(values) => {
                let enum_name = super::column_enum_name(name, &row.name);
                enums.push(EnumType {
                    name: enum_name.clone(),
                    values,
                });
                SqlType::Enum(enum_name)
            }
            None => mysql_type(&row.ty),
        };
        let mut column = Column::new(row.name, ty);
        column.nullable = row.nullable == "YES";
        column.auto_increment = row.extra.to_ascii_lowercase().contains("auto_increment");
        column.default = row
            .dflt
            .as_deref()
            .and_then(|d| mysql_default(d, &column.ty));
        table.columns.push(column);
    }

    let keys: Vec<Name> = load(
        conn,
        format!(
            "SELECT CAST(COLUMN_NAME AS CHAR) AS name FROM information_schema.KEY_COLUMN_USAGE \
             WHERE {where_table} AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION"
        ),
    )?;
    table.primary_key = keys.into_iter().map(|k| k.name).collect();

    let uniques: Vec<KeyPart> = load(
        conn,
        format!(
            "SELECT CAST(tc.CONSTRAINT_NAME AS CHAR) AS name, CAST(k.COLUMN_NAME AS CHAR) AS col \
             FROM information_schema.TABLE_CONSTRAINTS tc JOIN information_schema.KEY_COLUMN_USAGE k \
             ON k.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND k.TABLE_NAME = tc.TABLE_NAME AND k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
             WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.TABLE_NAME = {} AND tc.CONSTRAINT_TYPE = 'UNIQUE' \
             ORDER BY tc.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            lit(name)
        ),
    )?;
    for (name, parts) in grouped(uniques, |p| p.name.clone()) {
        table.uniques.push(Unique {
            name,
            columns: parts.into_iter().map(|p| p.col).collect(),
            ..Default::default()
        });
    }
    // MySQL keeps no difference between a unique constraint and a unique index: both are listed
    // as constraints. The names this tool gives tell them apart (`uq_` for constraints); any
    // other unique one is read as the unique index it was most likely created as.
    table.uniques.retain(|u| u.name.starts_with("uq_"));

    let fks: Vec<FkPart> = load(
        conn,
        format!(
            "SELECT CAST(k.CONSTRAINT_NAME AS CHAR) AS name, CAST(k.COLUMN_NAME AS CHAR) AS col, \
             CAST(k.REFERENCED_TABLE_NAME AS CHAR) AS ref_table, CAST(k.REFERENCED_COLUMN_NAME AS CHAR) AS ref_col, \
             CAST(r.DELETE_RULE AS CHAR) AS on_delete, CAST(r.UPDATE_RULE AS CHAR) AS on_update \
             FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
             ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
             WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = {} AND k.REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            lit(name)
        ),
    )?;
    for (name, parts) in grouped(fks, |p| p.name.clone()) {
        table.foreign_keys.push(ForeignKey {
            name,
            ref_table: parts[0].ref_table.clone(),
            on_delete: mysql_action(&parts[0].on_delete),
            on_update: mysql_action(&parts[0].on_update),
            columns: parts.iter().map(|p| p.col.clone()).collect(),
            ref_columns: parts.iter().map(|p| p.ref_col.clone()).collect(),
            ..Default::default()
        });
    }

    let indexes: Vec<IndexPart> = load(
        conn,
        format!(
            "SELECT CAST(INDEX_NAME AS CHAR) AS name, CAST(NON_UNIQUE AS SIGNED) AS non_unique, CAST(COLUMN_NAME AS CHAR) AS col \
             FROM information_schema.STATISTICS WHERE {where_table} AND COLUMN_NAME IS NOT NULL ORDER BY INDEX_NAME, SEQ_IN_INDEX"
        ),
    )?;
    for (name, parts) in grouped(indexes, |p| p.name.clone()) {
        // The key, unique constraints and the indexes MySQL creates for foreign keys (named
        // after them) are not indexes of the model.
        let owned_by_constraint = name == "PRIMARY"
            || table.uniques.iter().any(|u| u.name == name)
            || table.foreign_keys.iter().any(|f| f.name == name);
        if owned_by_constraint {
            continue;
        }
        table.indexes.push(Index {
            name,
            unique: parts[0].non_unique == 0,
            columns: parts.into_iter().map(|p| p.col.into()).collect(),
            ..Default::default()
        });
    }

    // MariaDB lists checks with their table; MySQL 8's CHECK_CONSTRAINTS has no TABLE_NAME, so
    // a failure here only means no checks are read.
    let checks: Vec<CheckRow> = load(
        conn,
        format!(
            "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name, CAST(CHECK_CLAUSE AS CHAR) AS expr \
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = {} ORDER BY 1",
            lit(name)
        ),
    )
    .unwrap_or_default();
    for check in checks {
        // MariaDB's JSON columns carry a generated `json_valid` check named after the column.
        if table.column(&check.name).is_some() && check.expr.starts_with("json_valid(") {
            continue;
        }
        table.checks.push(Check {
            name: check.name,
            expr: check.expr,
            ..Default::default()
        });
    }
    table.normalize();
    Ok(table)
}

fn mysql_action(rule: &str) -> FkAction {
    // MySQL reports an unspecified action as RESTRICT, which is what NO ACTION means there.
    match FkAction::parse(rule).unwrap_or_default() {
        FkAction::Restrict => FkAction::NoAction,
        other => other,
    }
}

/// The vocabulary type of a `COLUMN_TYPE` spelling.
pub fn mysql_type(spelling: &str) -> SqlType {
    let s = spelling.trim().to_ascii_lowercase();
    let (head, args) = match s.find('(') {
        Some(open) => (
            &s[..open],
            s[open + 1..]
                .split(')')
                .next()
                .unwrap_or_default()
                .split(',')
                .filter_map(|n| n.trim().parse::<u32>().ok())
                .collect::<Vec<_>>(),
        ),
        None => (s.as_str(), Vec::new()),
    };
    let unsigned = s.contains("unsigned");
    match (head, args.as_slice()) {
        ("tinyint", [1]) | ("bool" | "boolean", _) => SqlType::Boolean,
        ("smallint", _) if !unsigned => SqlType::SmallInt,
        ("int" | "integer", _) if !unsigned => SqlType::Integer,
        ("bigint", _) if !unsigned => SqlType::BigInt,
        ("float", []) => SqlType::Real,
        ("double", []) => SqlType::Double,
        ("decimal", [65, 30]) => SqlType::Numeric(None),
        ("decimal", [p, sc]) => SqlType::Numeric(Some((*p, *sc))),
        ("text", _) => SqlType::Text,
        ("varchar", [n]) => SqlType::Varchar(*n),
        ("blob", _) => SqlType::Binary,
        ("date", _) => SqlType::Date,
        ("time", _) => SqlType::Time,
        ("datetime", _) => SqlType::Timestamp,
        ("timestamp", _) => SqlType::TimestampTz,
        ("char", [36]) => SqlType::Uuid,
        // MariaDB stores JSON as LONGTEXT with a check; this tool writes LONGTEXT for nothing else.
        ("json" | "longtext", _) => SqlType::Json,
        _ => SqlType::Custom(spelling.trim().to_string()),
    }
}

/// A `COLUMN_DEFAULT` read back typed for the column; `None` for no default.
pub fn mysql_default(raw: &str, ty: &SqlType) -> Option<DefaultValue> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("NULL") {
        return None;
    }
    if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        return Some(DefaultValue::Text(unescape(&raw[1..raw.len() - 1])));
    }
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("current_timestamp") {
        return Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into()));
    }
    Some(match ty {
        SqlType::Boolean if raw == "0" || raw == "1" => DefaultValue::Bool(raw == "1"),
        _ => {
            if let Ok(i) = raw.parse::<i64>() {
                DefaultValue::Int(i)
            } else if raw.parse::<f64>().is_ok() {
                DefaultValue::Float(raw.to_string())
            } else if matches!(ty, SqlType::Text | SqlType::Varchar(_) | SqlType::Enum(_)) {
                // MySQL 8 reports string defaults unquoted.
                DefaultValue::Text(raw.to_string())
            } else {
                DefaultValue::Sql(
                    raw.trim_start_matches('(')
                        .trim_end_matches(')')
                        .to_string(),
                )
            }
        }
    })
}

/// The text of a MySQL string literal's body: `''` and backslash escapes undone.
fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some('Z') => out.push('\u{1a}'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                out.push('\'');
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_defaults() {
        assert_eq!(mysql_type("tinyint(1)"), SqlType::Boolean);
        assert_eq!(mysql_type("int(11)"), SqlType::Integer);
        assert_eq!(mysql_type("decimal(10,2)"), SqlType::Numeric(Some((10, 2))));
        assert_eq!(mysql_type("datetime(6)"), SqlType::Timestamp);
        assert_eq!(
            mysql_type("int(10) unsigned"),
            SqlType::Custom("int(10) unsigned".into())
        );
        assert_eq!(mysql_default("NULL", &SqlType::Text), None);
        assert_eq!(
            mysql_default("'it''s'", &SqlType::Text),
            Some(DefaultValue::Text("it's".into()))
        );
        assert_eq!(
            mysql_default(r#"'it\'s \\ \"q\"'"#, &SqlType::Text),
            Some(DefaultValue::Text(r#"it's \ "q""#.into()))
        );
        assert_eq!(
            mysql_default("0", &SqlType::Boolean),
            Some(DefaultValue::Bool(false))
        );
        assert_eq!(
            mysql_default("current_timestamp(6)", &SqlType::Timestamp),
            Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into()))
        );
    }
}
