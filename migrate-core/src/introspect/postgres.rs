//! PostgreSQL introspection through `pg_catalog`, normalised to the snapshot vocabulary.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};

use crate::dialect::HISTORY_TABLE;
use crate::error::{Error, Result};
use crate::schema::{
    Check, Column, DefaultValue, Deferrable, EnumType, Exclusion, FkAction, ForeignKey, Generated,
    Identity, Index, IndexColumn, Nulls, PartitionOf, Schema, SqlType, Table, Unique,
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
    /// Declared array dimensions (`format_type` prints one `[]` whatever they are).
    #[diesel(sql_type = Integer)]
    dims: i32,
    #[diesel(sql_type = Bool)]
    notnull: bool,
    #[diesel(sql_type = Nullable<Text>)]
    dflt: Option<String>,
    /// `attidentity`: `a` (ALWAYS), `d` (BY DEFAULT) or empty.
    #[diesel(sql_type = Text)]
    identity: String,
    #[diesel(sql_type = Bool)]
    generated: bool,
    /// The sequence the column owns (`OWNED BY`), as a serial column does.
    #[diesel(sql_type = Nullable<Text>)]
    owned_sequence: Option<String>,
    /// The enum type's name, for an enum column or an array of one.
    #[diesel(sql_type = Nullable<Text>)]
    enum_type: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
}

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    cols: String,
}

#[derive(QueryableByName)]
struct EnumRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    labels: String,
}

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    partition_by: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    partition_parent: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    partition_bound: Option<String>,
    #[diesel(sql_type = Text)]
    inherits: String,
    #[diesel(sql_type = Bool)]
    unlogged: bool,
    #[diesel(sql_type = Nullable<Text>)]
    with: Option<String>,
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
    #[diesel(sql_type = Bool)]
    deferrable: bool,
    #[diesel(sql_type = Bool)]
    deferred: bool,
    #[diesel(sql_type = Bool)]
    validated: bool,
    #[diesel(sql_type = Bool)]
    match_full: bool,
    #[diesel(sql_type = Bool)]
    no_inherit: bool,
    #[diesel(sql_type = Bool)]
    nulls_not_distinct: bool,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Text)]
    method: String,
    #[diesel(sql_type = Nullable<Text>)]
    predicate: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    with: Option<String>,
    #[diesel(sql_type = Bool)]
    nulls_not_distinct: bool,
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
}

#[derive(QueryableByName)]
struct ElementRow {
    #[diesel(sql_type = Text)]
    index: String,
    #[diesel(sql_type = Bool)]
    key: bool,
    #[diesel(sql_type = Bool)]
    expression: bool,
    #[diesel(sql_type = Text)]
    def: String,
    #[diesel(sql_type = Bool)]
    descending: bool,
    #[diesel(sql_type = Bool)]
    nulls_first: bool,
    #[diesel(sql_type = Nullable<Text>)]
    opclass: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
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
    let info: Vec<TableRow> = load(
        conn,
        format!(
            "SELECT obj_description(c.oid, 'pg_class') AS comment, \
             CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_by, \
             (SELECT p.relname::text FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE c.relispartition AND i.inhrelid = c.oid) AS partition_parent, \
             CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound, \
             COALESCE((SELECT string_agg(p.relname::text, chr(31) ORDER BY i.inhseqno) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE NOT c.relispartition AND i.inhrelid = c.oid), '') AS inherits, \
             c.relpersistence = 'u' AS unlogged, array_to_string(c.reloptions, ', ') AS with \
             FROM pg_class c WHERE c.oid = {oid}"
        ),
    )?;
    if let Some(info) = info.into_iter().next() {
        table.options.comment = info.comment;
        table.options.unlogged = info.unlogged;
        table.options.with = info.with.filter(|w| !w.is_empty());
        table.options.partition_by = info.partition_by;
        if let (Some(parent), Some(bound)) = (info.partition_parent, info.partition_bound) {
            table.options.partition_of = Some(PartitionOf { parent, bound });
        }
        table.options.inherits = split(&info.inherits);
    }
    let columns: Vec<ColumnRow> = load(
        conn,
        format!(
            "SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS ty, a.attndims AS dims, \
             a.attnotnull AS notnull, pg_get_expr(d.adbin, d.adrelid) AS dflt, a.attidentity::text AS identity, \
             (a.attgenerated <> '') AS generated, \
             (SELECT s.relname::text FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid \
              WHERE dep.classid = 'pg_class'::regclass AND dep.refclassid = 'pg_class'::regclass \
              AND dep.refobjid = a.attrelid AND dep.refobjsubid = a.attnum AND dep.deptype = 'a' AND s.relkind = 'S' LIMIT 1) AS owned_sequence, \
             CASE WHEN t.typtype = 'e' THEN t.typname::text WHEN et.typtype = 'e' THEN et.typname::text END AS enum_type, \
             CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation, \
             col_description(a.attrelid, a.attnum) AS comment \
             FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             JOIN pg_type t ON t.oid = a.atttypid \
             LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' \
             LEFT JOIN pg_collation co ON co.oid = a.attcollation \
             WHERE a.attrelid = {oid} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
        ),
    )?;
    for row in columns {
        let ty = match &row.enum_type {
            Some(enum_name) => {
                let mut ty = SqlType::Enum(enum_name.clone());
                if row.ty.ends_with("[]") {
                    for _ in 0..row.dims.max(1) {
                        ty = SqlType::array(ty);
                    }
                }
                ty
            }
            None => pg_type_dims(&row.ty, row.dims),
        };
        let mut column = Column::new(row.name, ty);
        column.nullable = !row.notnull;
        column.collation = row.collation;
        column.comment = row.comment;
        // A serial column: a `nextval` default on a sequence the column owns. Its sequence
        // name is kept unless it is the one PostgreSQL gives (`<table>_<column>_seq`).
        let serial = match (&row.owned_sequence, row.dflt.as_deref()) {
            (Some(sequence), Some(dflt))
                if row.identity.is_empty() && dflt.starts_with("nextval(") =>
            {
                Some(sequence.clone())
            }
            _ => None,
        };
        if row.generated {
            column.generated = row.dflt.as_deref().map(|expr| Generated {
                expr: strip_all_parens(expr).to_string(),
                stored: true,
            });
        } else if let Some(sequence) = serial {
            column.auto_increment = true;
            let own = format!("{name}_{}_seq", column.name);
            column.identity = Some(Identity::Serial {
                sequence: (sequence != own).then_some(sequence),
            });
        } else if !row.identity.is_empty() {
            column.auto_increment = true;
            // BY DEFAULT is the vocabulary's default (`None`).
            column.identity = (row.identity == "a").then_some(Identity::Always);
        } else {
            column.default = row.dflt.as_deref().map(|d| pg_default(d, &column.ty));
        }
        table.columns.push(column);
    }

    let keys: Vec<KeyRow> = load(
        conn,
        format!(
            "SELECT con.conname::text AS name, {cols} AS cols FROM pg_constraint con \
             WHERE con.conrelid = {oid} AND con.contype = 'p'",
            cols = names_of("con.conkey", "con.conrelid"),
        ),
    )?;
    if let Some(key) = keys.into_iter().next() {
        table.primary_key = split(&key.cols);
        table.primary_key_name = (key.name != format!("{name}_pkey")).then_some(key.name);
    }

    // Constraints a partition or an inheritance child gets from its parent are the parent's.
    let constraints: Vec<ConstraintRow> = load(
        conn,
        format!(
            "SELECT con.conname::text AS name, con.contype::text AS kind, {cols} AS cols, \
             COALESCE(fc.relname::text, '') AS ref_table, COALESCE({ref_cols}, '') AS ref_cols, \
             con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update, \
             pg_get_constraintdef(con.oid) AS def, con.condeferrable AS deferrable, \
             con.condeferred AS deferred, con.convalidated AS validated, \
             (con.confmatchtype = 'f') AS match_full, con.connoinherit AS no_inherit, \
             COALESCE((SELECT ix.indnullsnotdistinct FROM pg_index ix WHERE ix.indexrelid = con.conindid AND con.contype = 'u'), false) AS nulls_not_distinct \
             FROM pg_constraint con LEFT JOIN pg_class fc ON fc.oid = con.confrelid \
             WHERE con.conrelid = {oid} AND con.contype IN ('u', 'f', 'c', 'x') \
             AND con.conislocal AND con.conparentid = 0 ORDER BY 1",
            cols = names_of("con.conkey", "con.conrelid"),
            ref_cols = names_of("con.confkey", "con.confrelid"),
        ),
    )?;
    for c in constraints {
        let deferrable = match (c.deferrable, c.deferred) {
            (false, _) => None,
            (true, false) => Some(Deferrable::Immediate),
            (true, true) => Some(Deferrable::Deferred),
        };
        match c.kind.as_str() {
            "u" => table.uniques.push(Unique {
                name: c.name,
                columns: split(&c.cols),
                deferrable,
                nulls_not_distinct: c.nulls_not_distinct,
            }),
            "f" => table.foreign_keys.push(ForeignKey {
                name: c.name,
                columns: split(&c.cols),
                ref_table: c.ref_table,
                ref_columns: split(&c.ref_cols),
                on_delete: fk_action(&c.on_delete),
                on_update: fk_action(&c.on_update),
                deferrable,
                match_full: c.match_full,
                not_valid: !c.validated,
            }),
            "x" => table.exclusions.push(Exclusion {
                name: c.name,
                definition: exclusion_definition(&c.def),
                deferrable,
            }),
            _ => table.checks.push(Check {
                name: c.name,
                expr: check_expr(&c.def),
                not_valid: !c.validated,
                no_inherit: c.no_inherit,
            }),
        }
    }

    // Indexes that back no constraint and are not a partitioned parent's index on this
    // partition (that one comes with the partition).
    let filter = format!(
        "ix.indrelid = {oid} AND NOT ix.indisprimary \
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('u', 'p', 'x')) \
         AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = ix.indexrelid)"
    );
    let indexes: Vec<IndexRow> = load(
        conn,
        format!(
            "SELECT ic.relname::text AS name, ix.indisunique AS is_unique, am.amname::text AS method, \
             pg_get_expr(ix.indpred, ix.indrelid, true) AS predicate, array_to_string(ic.reloptions, ', ') AS with, \
             ix.indnullsnotdistinct AS nulls_not_distinct, obj_description(ix.indexrelid, 'pg_class') AS comment \
             FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_am am ON am.oid = ic.relam \
             WHERE {filter} ORDER BY 1"
        ),
    )?;
    let elements: Vec<ElementRow> = load(
        conn,
        format!(
            "SELECT ic.relname::text AS index, (k <= ix.indnkeyatts) AS key, (ix.indkey[k - 1] = 0) AS expression, \
             pg_get_indexdef(ix.indexrelid, k, true) AS def, \
             COALESCE((ix.indoption[k - 1] & 1) <> 0, false) AS descending, \
             COALESCE((ix.indoption[k - 1] & 2) <> 0, false) AS nulls_first, \
             CASE WHEN NOT opc.opcdefault THEN opc.opcname::text END AS opclass, \
             CASE WHEN ix.indcollation[k - 1] <> 0 AND ix.indcollation[k - 1] <> COALESCE(a.attcollation, 100) \
                  THEN co.collname::text END AS collation \
             FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid \
             CROSS JOIN LATERAL generate_series(1, ix.indnatts) AS k \
             LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k - 1] AND ix.indkey[k - 1] <> 0 \
             LEFT JOIN pg_opclass opc ON opc.oid = ix.indclass[k - 1] AND k <= ix.indnkeyatts \
             LEFT JOIN pg_collation co ON co.oid = ix.indcollation[k - 1] \
             WHERE {filter} ORDER BY 1, k"
        ),
    )?;
    for index in indexes {
        let mut columns = Vec::new();
        let mut include = Vec::new();
        for e in elements.iter().filter(|e| e.index == index.name) {
            if !e.key {
                include.push(unquote_identifier(&e.def));
                continue;
            }
            let mut element = if e.expression {
                IndexColumn::expression(strip_all_parens(&e.def))
            } else {
                IndexColumn::column(unquote_identifier(&e.def))
            };
            element.descending = e.descending;
            // Only an order of NULLs other than the direction's default is kept.
            element.nulls = match (e.descending, e.nulls_first) {
                (false, true) => Some(Nulls::First),
                (true, false) => Some(Nulls::Last),
                _ => None,
            };
            element.opclass = e.opclass.clone();
            element.collation = e.collation.clone();
            columns.push(element);
        }
        table.indexes.push(Index {
            name: index.name,
            columns,
            unique: index.is_unique,
            method: (index.method != "btree").then_some(index.method),
            predicate: index.predicate,
            include,
            with: index.with.filter(|w| !w.is_empty()),
            nulls_not_distinct: index.nulls_not_distinct,
            comment: index.comment,
        });
    }
    table.normalize();
    Ok(table)
}

/// `"Weird Name"` to `Weird Name`; a bare identifier as it is.
fn unquote_identifier(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => text.to_string(),
    }
}

fn strip_all_parens(expr: &str) -> &str {
    let mut expr = expr.trim();
    while let Some(inner) = strip_outer_parens(expr) {
        expr = inner.trim();
    }
    expr
}

/// `EXCLUDE USING gist (during WITH &&) DEFERRABLE` to `USING gist (during WITH &&)`.
fn exclusion_definition(def: &str) -> String {
    let mut def = def.trim().strip_prefix("EXCLUDE ").unwrap_or(def).trim();
    for suffix in [" INITIALLY DEFERRED", " INITIALLY IMMEDIATE", " DEFERRABLE"] {
        def = def.strip_suffix(suffix).unwrap_or(def);
    }
    def.to_string()
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
    expr = expr.trim_end_matches(" NO INHERIT");
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

/// The vocabulary type of a `format_type` spelling, `dims` array dimensions declared
/// (`format_type` prints a single `[]` for any number of them).
fn pg_type_dims(spelling: &str, dims: i32) -> SqlType {
    match spelling.trim().strip_suffix("[]") {
        Some(element) => {
            let mut ty = pg_type(element);
            for _ in 0..dims.max(1) {
                ty = SqlType::array(ty);
            }
            ty
        }
        None => pg_type(spelling),
    }
}

/// The vocabulary type of a `format_type` spelling.
pub fn pg_type(spelling: &str) -> SqlType {
    let s = spelling.trim();
    if let Some(element) = s.strip_suffix("[]") {
        return SqlType::array(pg_type(element));
    }
    let args = |prefix: &str| -> Option<Vec<u32>> {
        let inner = s
            .strip_prefix(prefix)?
            .strip_prefix('(')?
            .split_once(')')?
            .0;
        inner.split(',').map(|n| n.trim().parse().ok()).collect()
    };
    // `time(3) with time zone`: the precision sits between the name and the zone.
    let temporal = |base: &str, zone: bool| -> Option<Option<u32>> {
        let suffix = if zone {
            " with time zone"
        } else {
            " without time zone"
        };
        let rest = s.strip_prefix(base)?.strip_suffix(suffix)?;
        if rest.is_empty() {
            return Some(None);
        }
        rest.strip_prefix('(')?
            .strip_suffix(')')?
            .parse()
            .ok()
            .map(Some)
    };
    match s {
        "smallint" => SqlType::SmallInt,
        "integer" => SqlType::Integer,
        "bigint" => SqlType::BigInt,
        "real" => SqlType::Real,
        "double precision" => SqlType::Double,
        "numeric" => SqlType::Numeric(None),
        "money" => SqlType::Money,
        "boolean" => SqlType::Boolean,
        "text" => SqlType::Text,
        "character varying" => SqlType::VarcharUnbounded,
        "bytea" => SqlType::Binary,
        "bit varying" => SqlType::VarBit(None),
        "date" => SqlType::Date,
        "interval" => SqlType::Interval,
        "uuid" => SqlType::Uuid,
        "json" => SqlType::Json,
        "jsonb" => SqlType::Jsonb,
        "inet" => SqlType::Inet,
        "cidr" => SqlType::Cidr,
        "macaddr" => SqlType::MacAddr,
        "macaddr8" => SqlType::MacAddr8,
        _ => {
            if let Some(p) = temporal("timestamp", false) {
                SqlType::Timestamp.with_precision(p)
            } else if let Some(p) = temporal("timestamp", true) {
                SqlType::TimestampTz.with_precision(p)
            } else if let Some(p) = temporal("time", false) {
                SqlType::Time.with_precision(p)
            } else if let Some(p) = temporal("time", true) {
                SqlType::TimeTz.with_precision(p)
            } else if let Some([p, sc]) = args("numeric").as_deref() {
                SqlType::Numeric(Some((*p, *sc)))
            } else if let Some([n]) = args("character varying").as_deref() {
                SqlType::Varchar(*n)
            } else if let Some([n]) = args("character").as_deref() {
                SqlType::Char(*n)
            } else if let Some([n]) = args("bit varying").as_deref() {
                SqlType::VarBit(Some(*n))
            } else if let Some([n]) = args("bit").as_deref() {
                SqlType::Bit(*n)
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
    // A literal cast to the other timestamp type (`'1970-01-01 00:00:00'::timestamp without time
    // zone` on a `timestamptz` column) is converted in the session's time zone when a row takes
    // it: kept as the expression it is, never as a literal of the column's type.
    let zoned = matches!(ty, SqlType::TimestampTz | SqlType::TimestampTzPrecision(_));
    let naive = matches!(ty, SqlType::Timestamp | SqlType::TimestampPrecision(_));
    if (zoned && raw.ends_with("::timestamp without time zone"))
        || (naive && raw.ends_with("::timestamp with time zone"))
    {
        return DefaultValue::Sql(raw.to_string());
    }
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
        assert_eq!(pg_type("integer[]"), SqlType::array(SqlType::Integer));
        assert_eq!(
            pg_type_dims("double precision[]", 2),
            SqlType::array(SqlType::array(SqlType::Double))
        );
        assert_eq!(pg_type("character varying"), SqlType::VarcharUnbounded);
        assert_eq!(
            pg_type("time(3) with time zone"),
            SqlType::TimeTzPrecision(3)
        );
        assert_eq!(pg_type("timestamp without time zone"), SqlType::Timestamp);
        assert_eq!(
            pg_type("timestamp(6) with time zone"),
            SqlType::TimestampTzPrecision(6)
        );
        assert_eq!(pg_type("bit varying(16)"), SqlType::VarBit(Some(16)));
        assert_eq!(pg_type("character(2)"), SqlType::Char(2));
        assert_eq!(pg_type("ltree"), SqlType::Custom("ltree".into()));
        assert_eq!(
            exclusion_definition(
                "EXCLUDE USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED"
            ),
            "USING gist (during WITH &&)"
        );
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
        // Converted in the session's time zone: kept as written.
        let epoch = "'1970-01-01 00:00:00'::timestamp without time zone";
        assert_eq!(
            pg_default(epoch, &SqlType::TimestampTz),
            DefaultValue::Sql(epoch.into())
        );
        assert_eq!(
            pg_default(
                "'1970-01-01 00:00:00+00'::timestamp with time zone",
                &SqlType::TimestampTz
            ),
            DefaultValue::Text("1970-01-01 00:00:00+00".into())
        );
        assert_eq!(
            check_expr("CHECK ((length(title) > 0))"),
            "length(title) > 0"
        );
    }
}
