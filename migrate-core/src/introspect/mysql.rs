//! MySQL and MariaDB introspection through `information_schema`, normalised to the snapshot
//! vocabulary (display widths, `tinyint(1)` booleans, `current_timestamp(6)`).

use diesel::mysql::MysqlConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::dialect::HISTORY_TABLE;
use crate::error::{Error, Result};
use crate::schema::{
    Check, Column, DefaultValue, EnumType, FkAction, ForeignKey, Generated, Index, IndexColumn,
    Schema, SqlType, Table, TableOptions, Unique,
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
    #[diesel(sql_type = Nullable<Text>)]
    charset: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Text)]
    comment: String,
    #[diesel(sql_type = Nullable<Text>)]
    generation: Option<String>,
}

#[derive(QueryableByName)]
struct TableRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    engine: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    collation: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    charset: Option<String>,
    #[diesel(sql_type = Text)]
    comment: String,
}

#[derive(QueryableByName)]
struct Defaults {
    #[diesel(sql_type = Text)]
    engine: String,
    #[diesel(sql_type = Text)]
    charset: String,
    #[diesel(sql_type = Text)]
    collation: String,
}

#[derive(QueryableByName)]
struct CharsetRow {
    #[diesel(sql_type = Text)]
    charset: String,
    #[diesel(sql_type = Text)]
    collation: String,
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
    #[diesel(sql_type = Nullable<Text>)]
    col: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    expr: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    sub_part: Option<i64>,
    #[diesel(sql_type = Text)]
    index_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    order: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    comment: Option<String>,
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

/// What a table's options and columns are compared with to tell whether they were given: the
/// server's default engine, the database's character set and collation, and the default
/// collation of every character set.
struct ServerDefaults {
    engine: String,
    charset: String,
    collation: String,
    /// `(charset, its default collation)`.
    charset_collations: Vec<(String, String)>,
}

impl ServerDefaults {
    fn read(conn: &mut MysqlConnection) -> Result<Self> {
        let mut defaults: Vec<Defaults> = load(
            conn,
            "SELECT CAST(@@default_storage_engine AS CHAR) AS engine, \
             CAST(DEFAULT_CHARACTER_SET_NAME AS CHAR) AS charset, CAST(DEFAULT_COLLATION_NAME AS CHAR) AS collation \
             FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()"
                .to_string(),
        )?;
        let d = defaults.pop().ok_or_else(|| Error::Database {
            context: "information_schema.SCHEMATA".into(),
            message: "no database is selected".into(),
        })?;
        let charsets: Vec<CharsetRow> = load(
            conn,
            "SELECT CAST(CHARACTER_SET_NAME AS CHAR) AS charset, CAST(DEFAULT_COLLATE_NAME AS CHAR) AS collation \
             FROM information_schema.CHARACTER_SETS"
                .to_string(),
        )?;
        Ok(ServerDefaults {
            engine: d.engine,
            charset: d.charset,
            collation: d.collation,
            charset_collations: charsets
                .into_iter()
                .map(|c| (c.charset, c.collation))
                .collect(),
        })
    }

    /// The default collation of `charset`.
    fn collation_of(&self, charset: &str) -> Option<&str> {
        self.charset_collations
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(charset))
            .map(|(_, collation)| collation.as_str())
    }
}

/// Reads every table of the current database but the history table.
pub fn introspect_mysql(conn: &mut MysqlConnection) -> Result<Schema> {
    let defaults = ServerDefaults::read(conn)?;
    let tables: Vec<TableRow> = load(
        conn,
        format!(
            "SELECT CAST(t.TABLE_NAME AS CHAR) AS name, CAST(t.ENGINE AS CHAR) AS engine, \
             CAST(t.TABLE_COLLATION AS CHAR) AS collation, CAST(c.CHARACTER_SET_NAME AS CHAR) AS charset, \
             CAST(t.TABLE_COMMENT AS CHAR) AS comment \
             FROM information_schema.TABLES t LEFT JOIN information_schema.COLLATIONS c ON c.COLLATION_NAME = t.TABLE_COLLATION \
             WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_NAME <> '{HISTORY_TABLE}' AND t.TABLE_NAME <> '__diesel_schema_migrations' ORDER BY 1"
        ),
    )?;
    let mut schema = Schema::default();
    for t in tables {
        schema
            .tables
            .push(table(conn, &t, &defaults, &mut schema.enums)?);
    }
    schema.normalize();
    Ok(schema)
}

/// The options of a table that differ from the defaults it would get without them.
fn table_options(row: &TableRow, defaults: &ServerDefaults) -> TableOptions {
    let engine = row
        .engine
        .clone()
        .filter(|e| !e.eq_ignore_ascii_case(&defaults.engine));
    let charset = row
        .charset
        .clone()
        .filter(|c| !c.eq_ignore_ascii_case(&defaults.charset));
    // Without a charset of its own the table's collation defaults to the database's; with
    // one, to that charset's default.
    let default_collation = match &charset {
        Some(c) => defaults.collation_of(c).unwrap_or_default().to_string(),
        None => defaults.collation.clone(),
    };
    let collation = row
        .collation
        .clone()
        .filter(|c| !c.eq_ignore_ascii_case(&default_collation));
    TableOptions {
        comment: Some(row.comment.clone()).filter(|c| !c.is_empty()),
        engine,
        charset,
        collation,
        ..TableOptions::default()
    }
}

fn table(
    conn: &mut MysqlConnection,
    row: &TableRow,
    defaults: &ServerDefaults,
    enums: &mut Vec<EnumType>,
) -> Result<Table> {
    let name = row.name.as_str();
    let where_table = format!("TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {}", lit(name));
    let mut table = Table::new(name);
    table.options = table_options(row, defaults);
    let table_charset = row.charset.clone().unwrap_or_default();
    let table_collation = row.collation.clone().unwrap_or_default();

    // MariaDB lists checks with their table; MySQL 8's CHECK_CONSTRAINTS has no TABLE_NAME, so
    // there the checks come through TABLE_CONSTRAINTS.
    let checks: Vec<CheckRow> = load(
        conn,
        format!(
            "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name, CAST(CHECK_CLAUSE AS CHAR) AS expr \
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = {} ORDER BY 1",
            lit(name)
        ),
    )
    .or_else(|_| {
        load(
            conn,
            format!(
                "SELECT CAST(cc.CONSTRAINT_NAME AS CHAR) AS name, CAST(cc.CHECK_CLAUSE AS CHAR) AS expr \
                 FROM information_schema.CHECK_CONSTRAINTS cc JOIN information_schema.TABLE_CONSTRAINTS tc \
                 ON tc.CONSTRAINT_SCHEMA = cc.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = cc.CONSTRAINT_NAME \
                 WHERE cc.CONSTRAINT_SCHEMA = DATABASE() AND tc.TABLE_NAME = {} AND tc.CONSTRAINT_TYPE = 'CHECK' ORDER BY 1",
                lit(name)
            ),
        )
    })
    .unwrap_or_default();

    let columns: Vec<ColumnRow> = load(
        conn,
        format!(
            "SELECT CAST(COLUMN_NAME AS CHAR) AS name, CAST(COLUMN_TYPE AS CHAR) AS ty, CAST(IS_NULLABLE AS CHAR) AS nullable, \
             CAST(COLUMN_DEFAULT AS CHAR) AS dflt, CAST(EXTRA AS CHAR) AS extra, \
             CAST(CHARACTER_SET_NAME AS CHAR) AS charset, CAST(COLLATION_NAME AS CHAR) AS collation, \
             CAST(COLUMN_COMMENT AS CHAR) AS comment, CAST(GENERATION_EXPRESSION AS CHAR) AS generation \
             FROM information_schema.COLUMNS WHERE {where_table} ORDER BY ORDINAL_POSITION"
        ),
    )?;
    for row in columns {
        // MariaDB's JSON is LONGTEXT with a `json_valid` check named after the column.
        let json_check = checks.iter().any(|c| {
            c.name == row.name
                && c.expr
                    .replace(['`', ' '], "")
                    .eq_ignore_ascii_case(&format!("json_valid({})", row.name))
        });
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
            None if json_check && row.ty.eq_ignore_ascii_case("longtext") => SqlType::Json,
            None => mysql_type(&row.ty),
        };
        let extra = row.extra.to_ascii_lowercase();
        let mut column = Column::new(row.name, ty);
        column.nullable = row.nullable == "YES";
        column.auto_increment = extra.contains("auto_increment");
        let generated = extra.contains("generated")
            || extra.contains("persistent")
            || extra.contains("virtual");
        if generated {
            column.generated = row.generation.filter(|g| !g.is_empty()).map(|expr| {
                let expr = expr.trim();
                // MySQL 8 wraps the expression in parentheses; MariaDB does not.
                let expr = match expr.strip_prefix('(').and_then(|e| e.strip_suffix(')')) {
                    Some(inner) if balanced(inner) => inner,
                    _ => expr,
                };
                Generated {
                    expr: expr.to_string(),
                    stored: extra.contains("stored") || extra.contains("persistent"),
                }
            });
        }
        if column.generated.is_none() {
            column.default = row
                .dflt
                .as_deref()
                .and_then(|d| mysql_default(d, &column.ty));
        }
        if let Some(at) = extra.find("on update ") {
            let expr = row.extra[at + "on update ".len()..].trim();
            column.on_update = Some(current_timestamp(expr, &column.ty));
        }
        // JSON's charset and collation are fixed by the type.
        if column.ty != SqlType::Json {
            column.charset = row
                .charset
                .filter(|c| !c.eq_ignore_ascii_case(&table_charset));
            let default_collation = match &column.charset {
                Some(c) => defaults.collation_of(c).unwrap_or_default().to_string(),
                None => table_collation.clone(),
            };
            column.collation = row
                .collation
                .filter(|c| !c.eq_ignore_ascii_case(&default_collation));
        }
        column.comment = Some(row.comment).filter(|c| !c.is_empty());
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

    // MySQL 8 lists a functional key part's expression; MariaDB has no such column.
    let index_query = |expression: &str| {
        format!(
            "SELECT CAST(INDEX_NAME AS CHAR) AS name, CAST(NON_UNIQUE AS SIGNED) AS non_unique, \
             CAST(COLUMN_NAME AS CHAR) AS col, {expression} AS expr, CAST(SUB_PART AS SIGNED) AS sub_part, \
             CAST(INDEX_TYPE AS CHAR) AS index_type, CAST(COLLATION AS CHAR) AS `order`, \
             CAST(INDEX_COMMENT AS CHAR) AS comment \
             FROM information_schema.STATISTICS WHERE {where_table} ORDER BY INDEX_NAME, SEQ_IN_INDEX"
        )
    };
    let indexes: Vec<IndexPart> = load(conn, index_query("CAST(EXPRESSION AS CHAR)"))
        .or_else(|_| load(conn, index_query("CAST(NULL AS CHAR)")))?;
    let memory = table
        .options
        .engine
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("memory"))
        || (table.options.engine.is_none() && defaults.engine.eq_ignore_ascii_case("memory"));
    for (name, parts) in grouped(indexes, |p| p.name.clone()) {
        // The key and the indexes MySQL creates for foreign keys (named after them) are not
        // indexes of the model.
        if name == "PRIMARY" || table.foreign_keys.iter().any(|f| f.name == name) {
            continue;
        }
        let method = match parts[0].index_type.to_ascii_uppercase().as_str() {
            "FULLTEXT" => Some("fulltext".to_string()),
            "SPATIAL" => Some("spatial".to_string()),
            "HASH" if !memory => Some("hash".to_string()),
            "BTREE" if memory => Some("btree".to_string()),
            _ => None,
        };
        let keyed_by_length = method.is_none() || method.as_deref() == Some("btree");
        let columns = parts
            .iter()
            .map(|p| {
                let mut element = match (&p.col, &p.expr) {
                    (Some(col), _) => IndexColumn::column(col.clone()),
                    (None, Some(expr)) => IndexColumn::expression(expr.clone()),
                    (None, None) => IndexColumn::expression(String::new()),
                };
                element.descending = p.order.as_deref() == Some("D");
                // A spatial index reports a sub-part of 32 bytes it was never given.
                if keyed_by_length || method.as_deref() == Some("hash") {
                    element.length = p.sub_part.and_then(|n| u32::try_from(n).ok());
                }
                // The prefix the dialect gives a TEXT or BLOB column that has none.
                let implied = p
                    .col
                    .as_deref()
                    .and_then(|c| table.column(c))
                    .is_some_and(|c| {
                        matches!(c.ty, SqlType::Text | SqlType::Binary) && keyed_by_length
                    });
                if implied && element.length == Some(crate::dialect::MysqlDialect::KEY_PREFIX) {
                    element.length = None;
                }
                element
            })
            .collect();
        let index = Index {
            name,
            unique: parts[0].non_unique == 0,
            columns,
            method,
            comment: parts[0].comment.clone().filter(|c| !c.is_empty()),
            ..Default::default()
        };
        // MySQL keeps no difference between a unique constraint and a unique index. The names
        // this tool gives tell them apart (`uq_` for constraints); any other unique one, and
        // one with a comment (which only an index keeps), is read as a unique index, which is
        // what `align_mysql_uniques` reconciles with a model.
        let as_constraint = index.name.starts_with("uq_")
            && index.unique
            && index.comment.is_none()
            && index.plain_columns().is_some();
        if as_constraint {
            table.uniques.push(Unique {
                name: index.name.clone(),
                columns: index.column_names().map(str::to_string).collect(),
                ..Default::default()
            });
        } else {
            table.indexes.push(index);
        }
    }

    for check in checks {
        if table
            .column(&check.name)
            .is_some_and(|c| c.ty == SqlType::Json)
            && check.expr.to_ascii_lowercase().contains("json_valid(")
        {
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

/// Whether the parentheses of `text` balance (outside string literals), so that the pair
/// around it can be taken off.
fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return false;
                    }
                }
                _ => {}
            },
        }
    }
    depth == 0
}

/// `current_timestamp()`, `CURRENT_TIMESTAMP(3)`, `now()` as the snapshot holds them:
/// `CURRENT_TIMESTAMP` at the column's own precision, else with the precision spelled.
fn current_timestamp(expr: &str, ty: &SqlType) -> String {
    let lower = expr.trim().to_ascii_lowercase();
    let digits: String = lower.chars().filter(char::is_ascii_digit).collect();
    let precision = digits.parse::<u32>().unwrap_or(0);
    if crate::dialect::MysqlDialect::fractional_seconds(ty).unwrap_or(0) == precision {
        "CURRENT_TIMESTAMP".to_string()
    } else {
        format!("CURRENT_TIMESTAMP({precision})")
    }
}

fn mysql_action(rule: &str) -> FkAction {
    // MySQL reports an unspecified action as RESTRICT, which is what NO ACTION means there.
    match FkAction::parse(rule).unwrap_or_default() {
        FkAction::Restrict => FkAction::NoAction,
        other => other,
    }
}

/// The vocabulary type of a `COLUMN_TYPE` spelling; what the vocabulary has no word for is
/// kept as spelled (`Custom`), so that it is created again as it was.
pub fn mysql_type(spelling: &str) -> SqlType {
    let s = spelling.trim().to_ascii_lowercase();
    let (head, args, rest) = match s.find('(') {
        Some(open) => {
            let close = s[open..].find(')').map_or(s.len(), |c| open + c);
            (
                &s[..open],
                s[open + 1..close]
                    .split(',')
                    .filter_map(|n| n.trim().parse::<u32>().ok())
                    .collect::<Vec<_>>(),
                s.get(close + 1..).unwrap_or_default().trim(),
            )
        }
        None => match s.split_once(' ') {
            Some((head, rest)) => (head, Vec::new(), rest.trim()),
            None => (s.as_str(), Vec::new(), ""),
        },
    };
    if head == "set" {
        let spelled = spelling.trim();
        if let Some(values) = spelled
            .get(4..)
            .and_then(|v| v.strip_suffix(')'))
            .and_then(|v| super::quoted_list(v, true))
        {
            return SqlType::Set(values);
        }
    }
    let integer = match head {
        "tinyint" => Some(SqlType::TinyInt),
        "smallint" => Some(SqlType::SmallInt),
        "mediumint" => Some(SqlType::MediumInt),
        "int" | "integer" => Some(SqlType::Integer),
        "bigint" => Some(SqlType::BigInt),
        _ => None,
    };
    if let Some(base) = integer {
        return match (rest, args.as_slice()) {
            // Diesel's and this tool's boolean.
            ("", [1]) if head == "tinyint" => SqlType::Boolean,
            ("", _) => base,
            ("unsigned", _) => SqlType::unsigned(base),
            // ZEROFILL and display widths that mean something are kept as written.
            _ => SqlType::Custom(spelling.trim().to_string()),
        };
    }
    if !rest.is_empty() {
        return SqlType::Custom(spelling.trim().to_string());
    }
    match (head, args.as_slice()) {
        ("bool" | "boolean", _) => SqlType::Boolean,
        ("float", []) => SqlType::Real,
        ("double", []) => SqlType::Double,
        ("decimal", [65, 30]) => SqlType::Numeric(None),
        ("decimal", [p, sc]) => SqlType::Numeric(Some((*p, *sc))),
        ("tinytext", []) => SqlType::TinyText,
        ("text", []) => SqlType::Text,
        ("mediumtext", []) => SqlType::MediumText,
        ("longtext", []) => SqlType::LongText,
        ("varchar", [n]) => SqlType::Varchar(*n),
        // The dialect writes `uuid` as CHAR(36).
        ("char", [36]) => SqlType::Uuid,
        ("char", [n]) => SqlType::Char(*n),
        ("tinyblob", []) => SqlType::TinyBlob,
        ("blob", []) => SqlType::Binary,
        ("mediumblob", []) => SqlType::MediumBlob,
        ("longblob", []) => SqlType::LongBlob,
        ("binary", [n]) => SqlType::FixedBinary(*n),
        ("varbinary", [n]) => SqlType::VarBinary(*n),
        ("bit", [n]) => SqlType::Bit(*n),
        ("year", _) => SqlType::Year,
        ("date", []) => SqlType::Date,
        ("time", []) => SqlType::Time,
        ("time", [p]) => SqlType::TimePrecision(*p),
        // `timestamp` and `datetime` are written with 6 digits of fractions unless told.
        ("datetime", [6]) => SqlType::Timestamp,
        ("datetime", []) => SqlType::TimestampPrecision(0),
        ("datetime", [p]) => SqlType::TimestampPrecision(*p),
        ("timestamp", [6]) => SqlType::TimestampTz,
        ("timestamp", []) => SqlType::TimestampTzPrecision(0),
        ("timestamp", [p]) => SqlType::TimestampTzPrecision(*p),
        ("json", []) => SqlType::Json,
        _ => SqlType::Custom(spelling.trim().to_string()),
    }
}

/// A `COLUMN_DEFAULT` read back typed for the column; `None` for no default. MariaDB quotes
/// string literals and writes a NULL default as `NULL`; MySQL 8 writes literals bare and
/// expressions in parentheses.
pub fn mysql_default(raw: &str, ty: &SqlType) -> Option<DefaultValue> {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("NULL") {
        return None;
    }
    let lower = raw.to_ascii_lowercase();
    if lower.starts_with("current_timestamp") || lower.starts_with("now(") {
        return Some(DefaultValue::Sql(current_timestamp(raw, ty)));
    }
    let text = if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        Some(unescape(&raw[1..raw.len() - 1]))
    } else {
        None
    };
    let stringy = ty.is_textual()
        || matches!(
            ty,
            SqlType::Enum(_) | SqlType::Set(_) | SqlType::Uuid | SqlType::Json
        );
    if let Some(text) = text {
        // A quoted number on a numeric column is the number (MariaDB quotes decimal defaults).
        if !stringy {
            if let Some(typed) = typed_number(&text, ty) {
                return Some(typed);
            }
        }
        return Some(DefaultValue::Text(text));
    }
    if let Some(typed) = typed_number(raw, ty) {
        return Some(typed);
    }
    if stringy && !raw.starts_with('(') && !raw.contains('(') {
        // MySQL 8 reports string defaults unquoted.
        return Some(DefaultValue::Text(raw.to_string()));
    }
    let expr = match raw.strip_prefix('(').and_then(|e| e.strip_suffix(')')) {
        Some(inner) if balanced(inner) => inner,
        _ => raw,
    };
    Some(DefaultValue::Sql(expr.to_string()))
}

/// A numeric literal typed for `ty`: a boolean, an integer or a float as written.
fn typed_number(raw: &str, ty: &SqlType) -> Option<DefaultValue> {
    if *ty == SqlType::Boolean && (raw == "0" || raw == "1") {
        return Some(DefaultValue::Bool(raw == "1"));
    }
    if let Ok(i) = raw.parse::<i64>() {
        return Some(DefaultValue::Int(i));
    }
    let numeric = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    (numeric && raw.parse::<f64>().is_ok()).then(|| DefaultValue::Float(raw.to_string()))
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
        assert_eq!(mysql_type("datetime"), SqlType::TimestampPrecision(0));
        assert_eq!(mysql_type("timestamp(3)"), SqlType::TimestampTzPrecision(3));
        assert_eq!(mysql_type("time(2)"), SqlType::TimePrecision(2));
        assert_eq!(
            mysql_type("int(10) unsigned"),
            SqlType::unsigned(SqlType::Integer)
        );
        assert_eq!(
            mysql_type("smallint(5) unsigned"),
            SqlType::unsigned(SqlType::SmallInt)
        );
        assert_eq!(mysql_type("tinyint(4)"), SqlType::TinyInt);
        assert_eq!(
            mysql_type("mediumint(8) unsigned zerofill"),
            SqlType::Custom("mediumint(8) unsigned zerofill".into())
        );
        assert_eq!(mysql_type("longtext"), SqlType::LongText);
        assert_eq!(mysql_type("year(4)"), SqlType::Year);
        assert_eq!(mysql_type("bit(3)"), SqlType::Bit(3));
        assert_eq!(mysql_type("varbinary(16)"), SqlType::VarBinary(16));
        assert_eq!(
            mysql_type("set('a','B,c','it''s')"),
            SqlType::set(&["a", "B,c", "it's"])
        );
        assert_eq!(mysql_type("point"), SqlType::Custom("point".into()));
        assert_eq!(
            mysql_default("'9.99'", &SqlType::Numeric(Some((4, 2)))),
            Some(DefaultValue::Float("9.99".into()))
        );
        assert_eq!(
            mysql_default("current_timestamp(3)", &SqlType::TimestampTzPrecision(3)),
            Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into()))
        );
        assert_eq!(
            mysql_default("current_timestamp()", &SqlType::TimestampTzPrecision(0)),
            Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into()))
        );
        assert_eq!(
            mysql_default("uuid()", &SqlType::Uuid),
            Some(DefaultValue::Sql("uuid()".into()))
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
