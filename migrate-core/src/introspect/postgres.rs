//! PostgreSQL introspection through `pg_catalog`, normalised to the snapshot vocabulary.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

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
    #[diesel(sql_type = Bool)]
    notnull: bool,
    #[diesel(sql_type = Nullable<Text>)]
    dflt: Option<String>,
    #[diesel(sql_type = Bool)]
    identity: bool,
    /// The enum type's name, for an enum column.
    #[diesel(sql_type = Nullable<Text>)]
    enum_type: Option<String>,
}

#[derive(QueryableByName)]
struct EnumRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    labels: String,
}

#[derive(QueryableByName)]
struct ConstraintRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    cols: String,
    #[diesel(sql_type = Text)]
    ref_table: String,
    #[diesel(sql_type = Text)]
    ref_cols: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
    #[diesel(sql_type = Text)]
    on_update: String,
    #[diesel(sql_type = Text)]
    def: String,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Text)]
    cols: String,
    #[diesel(sql_type = Bool)]
    special: bool,
}

fn load<T: diesel::deserialize::QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
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

/// Column names of an attribute-number array, in order, joined by the unit separator.
fn names_of(array: &str, relation: &str) -> String {
    format!(
        "array_to_string(ARRAY(SELECT a.attname::text FROM unnest({array}) WITH ORDINALITY AS k(n, o) \
         JOIN pg_attribute a ON a.attrelid = {relation} AND a.attnum = k.n ORDER BY k.o), chr(31))"
    )
}

fn split(list: &str) -> Vec<String> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split('\u{1f}').map(str::to_string).collect()
    }
}

/// Reads every table of the current schema but the history table.
pub fn introspect_postgres(conn: &mut PgConnection) -> Result<Schema> {
    let tables: Vec<Name> = load(
        conn,
        format!(
            "SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> '{HISTORY_TABLE}' AND c.relname <> '__diesel_schema_migrations' ORDER BY 1"
        ),
    )?;
    let mut schema = Schema::default();
    for t in tables {
        schema.tables.push(table(conn, &t.name)?);
    }
    // Every enum type of the schema, used or not: one left behind is drift.
    let enums: Vec<EnumRow> = load(
        conn,
        "SELECT t.typname::text AS name, string_agg(e.enumlabel::text, chr(31) ORDER BY e.enumsortorder) AS labels \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid \
         WHERE n.nspname = current_schema() GROUP BY t.typname ORDER BY 1"
            .to_string(),
    )?;
    schema.enums = enums
        .into_iter()
        .map(|e| EnumType {
            name: e.name,
            values: split(&e.labels),
        })
        .collect();
    schema.normalize();
    Ok(schema)
}

fn table(conn: &mut PgConnection, name: &str) -> Result<Table> {
    let oid = format!(
        "(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relname = {})",
        lit(name)
    );
    let mut table = Table::new(name);
    let columns: Vec<ColumnRow> = load(
        conn,
        format!(
            "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS ty, a.attnotnull AS notnull, \
             pg_get_expr(d.adbin, d.adrelid) AS dflt, (a.attidentity <> '') AS identity, \
             CASE WHEN t.typtype = 'e' THEN t.typname::text END AS enum_type \
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             JOIN pg_type t ON t.oid = a.atttypid \
             WHERE a.attrelid = {oid} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
        ),
    )?;
    for row in columns {
        let ty = match row.enum_type {
            Some(name) => SqlType::Enum(name),
            None => pg_type(&row.ty),
        };
        let serial = row
            .dflt
            .as_deref()
            .is_some_and(|d| d.starts_with("nextval("));
        let mut column = Column::new(row.name, ty);
        column.nullable = !row.notnull;
        column.auto_increment = row.identity || serial;
        if !column.auto_increment {
            column.default = row.dflt.as_deref().map(|d| pg_default(d, &column.ty));
        }
        table.columns.push(column);
    }

    let keys: Vec<Name> = load(
        conn,
        format!(
            "SELECT a.attname::text AS name FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(n, o) \
             JOIN pg_attribute a ON a.attnum = k.n \
             WHERE i.indrelid = {oid} AND i.indisprimary AND a.attrelid = i.indrelid ORDER BY k.o"
        ),
    )?;
    table.primary_key = keys.into_iter().map(|k| k.name).collect();
    // Only a single integer key counts as generated; elsewhere identity is kept as is.
    if table.primary_key.len() != 1 {
        for c in &mut table.columns {
            c.auto_increment = false;
        }
    }

    let constraints: Vec<ConstraintRow> = load(
        conn,
        format!(
            "SELECT con.conname::text AS name, con.contype::text AS kind, {cols} AS cols, \
             COALESCE(fc.relname::text, '') AS ref_table, COALESCE({ref_cols}, '') AS ref_cols, \
             con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update, \
             pg_get_constraintdef(con.oid) AS def \
             FROM pg_constraint con LEFT JOIN pg_class fc ON fc.oid = con.confrelid \
             WHERE con.conrelid = {oid} AND con.contype IN ('u', 'f', 'c') ORDER BY 1",
            cols = names_of("con.conkey", "con.conrelid"),
            ref_cols = names_of("con.confkey", "con.confrelid"),
        ),
    )?;
    for c in constraints {
        match c.kind.as_str() {
            "u" => table.uniques.push(Unique {
                name: c.name,
                columns: split(&c.cols),
                ..Default::default()
            }),
            "f" => table.foreign_keys.push(ForeignKey {
                name: c.name,
                columns: split(&c.cols),
                ref_table: c.ref_table,
                ref_columns: split(&c.ref_cols),
                on_delete: fk_action(&c.on_delete),
                on_update: fk_action(&c.on_update),
                ..Default::default()
            }),
            _ => table.checks.push(Check {
                name: c.name,
                expr: check_expr(&c.def),
                ..Default::default()
            }),
        }
    }

    let indexes: Vec<IndexRow> = load(
        conn,
        format!(
            "SELECT ic.relname::text AS name, ix.indisunique AS is_unique, {cols} AS cols, \
             (ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL) AS special \
             FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid \
             WHERE ix.indrelid = {oid} AND NOT ix.indisprimary \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('u', 'p', 'x')) \
             ORDER BY 1",
            cols = names_of("ix.indkey", "ix.indrelid"),
        ),
    )?;
    for index in indexes.into_iter().filter(|i| !i.special) {
        table.indexes.push(Index {
            name: index.name,
            columns: split(&index.cols).into_iter().map(Into::into).collect(),
            unique: index.is_unique,
            ..Default::default()
        });
    }
    table.normalize();
    Ok(table)
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// `CHECK ((length(title) > 0))` to `length(title) > 0`.
fn check_expr(def: &str) -> String {
    let mut expr = def.trim();
    if let Some(rest) = expr.strip_prefix("CHECK ") {
        expr = rest.trim();
    }
    expr = expr.trim_end_matches(" NOT VALID");
    while let Some(inner) = strip_outer_parens(expr) {
        expr = inner;
    }
    expr.to_string()
}

fn strip_outer_parens(expr: &str) -> Option<&str> {
    let inner = expr.strip_prefix('(')?.strip_suffix(')')?;
    let mut depth = 0i32;
    for ch in inner.chars() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    (depth == 0).then_some(inner)
}

/// The vocabulary type of a `format_type` spelling.
pub fn pg_type(spelling: &str) -> SqlType {
    let s = spelling.trim();
    let args = |prefix: &str| -> Option<Vec<u32>> {
        let inner = s
            .strip_prefix(prefix)?
            .strip_prefix('(')?
            .strip_suffix(')')?;
        inner.split(',').map(|n| n.trim().parse().ok()).collect()
    };
    match s {
        "smallint" => SqlType::SmallInt,
        "integer" => SqlType::Integer,
        "bigint" => SqlType::BigInt,
        "real" => SqlType::Real,
        "double precision" => SqlType::Double,
        "numeric" => SqlType::Numeric(None),
        "boolean" => SqlType::Boolean,
        "text" | "character varying" => SqlType::Text,
        "bytea" => SqlType::Binary,
        "date" => SqlType::Date,
        "time without time zone" => SqlType::Time,
        "timestamp without time zone" => SqlType::Timestamp,
        "timestamp with time zone" => SqlType::TimestampTz,
        "uuid" => SqlType::Uuid,
        "jsonb" => SqlType::Json,
        _ => {
            if let Some([p, sc]) = args("numeric").as_deref() {
                SqlType::Numeric(Some((*p, *sc)))
            } else if let Some([n]) = args("character varying").as_deref() {
                SqlType::Varchar(*n)
            } else {
                SqlType::Custom(s.to_string())
            }
        }
    }
}

/// A column default as PostgreSQL deparses it (`'draft'::text`, `false`, `'-1'::integer`,
/// `CURRENT_TIMESTAMP`), read back typed for the column.
pub fn pg_default(raw: &str, ty: &SqlType) -> DefaultValue {
    let raw = raw.trim();
    let (value, quoted) = match quoted_literal(raw) {
        Some(text) => (text, true),
        None => (
            raw.trim_start_matches('(')
                .trim_end_matches(')')
                .to_string(),
            false,
        ),
    };
    match ty {
        SqlType::Boolean if value == "true" || value == "false" => {
            DefaultValue::Bool(value == "true")
        }
        SqlType::SmallInt
        | SqlType::Integer
        | SqlType::BigInt
        | SqlType::Real
        | SqlType::Double
        | SqlType::Numeric(_) => {
            if let Ok(i) = value.parse::<i64>() {
                DefaultValue::Int(i)
            } else if value.parse::<f64>().is_ok() {
                DefaultValue::Float(value)
            } else {
                DefaultValue::Sql(raw.to_string())
            }
        }
        _ if quoted => DefaultValue::Text(value),
        _ => DefaultValue::Sql(raw.to_string()),
    }
}

/// The text of `'...'` or `'...'::type`, unescaped.
fn quoted_literal(raw: &str) -> Option<String> {
    let rest = raw.strip_prefix('\'')?;
    let mut out = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch == '\'' {
            if chars.peek().map(|(_, c)| *c) == Some('\'') {
                out.push('\'');
                chars.next();
                continue;
            }
            let tail = &rest[i + 1..];
            return (tail.is_empty() || tail.starts_with("::")).then_some(out);
        }
        out.push(ch);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_defaults() {
        assert_eq!(pg_type("character varying(200)"), SqlType::Varchar(200));
        assert_eq!(pg_type("numeric(10,2)"), SqlType::Numeric(Some((10, 2))));
        assert_eq!(pg_type("integer[]"), SqlType::Custom("integer[]".into()));
        assert_eq!(
            pg_default("'it''s'::text", &SqlType::Text),
            DefaultValue::Text("it's".into())
        );
        assert_eq!(
            pg_default("'-1'::integer", &SqlType::Integer),
            DefaultValue::Int(-1)
        );
        assert_eq!(
            pg_default("false", &SqlType::Boolean),
            DefaultValue::Bool(false)
        );
        assert_eq!(
            pg_default("1.5", &SqlType::Double),
            DefaultValue::Float("1.5".into())
        );
        assert_eq!(
            pg_default("CURRENT_TIMESTAMP", &SqlType::Timestamp),
            DefaultValue::Sql("CURRENT_TIMESTAMP".into())
        );
        assert_eq!(
            check_expr("CHECK ((length(title) > 0))"),
            "length(title) > 0"
        );
    }
}
