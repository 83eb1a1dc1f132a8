//! Diesel's `table!` file, written from a schema byte for byte as `diesel print-schema` (diesel_cli
//! 2.3, default settings) writes it for the database this tool migrated, so that a models crate
//! compiles again right after `migrate` adds a column.
//!
//! The rules follow diesel_cli's `print_schema` and `infer_schema_internals`:
//! - tables sorted by name; names starting with `__` (this tool's history table among them) are
//!   left out, as print-schema leaves them out;
//! - columns in declaration order, their types as print-schema infers them from the SQL type this
//!   tool's dialect creates (SQLite by affinity-like substring rules, PostgreSQL by `udt_name`,
//!   MySQL by `COLUMN_TYPE`), with `#[max_length = N]` where the database reports a length;
//! - names that are not Rust identifiers get a trailing `_` (or `_` for unmappable characters)
//!   and a `#[sql_name = "..."]`;
//! - a SQLite table without a primary key is keyed by its implicit `rowid`; PostgreSQL and MySQL
//!   tables without one are left out (print-schema refuses them);
//! - `joinable!` only for single-column foreign keys to another table's single-column primary
//!   key, and only when no other foreign key links the same two tables (and, where print-schema
//!   writes one that does not compile, only when both columns have the same Diesel type);
//! - one `allow_tables_to_appear_in_same_query!` of every table, laid out the way rustfmt (which
//!   print-schema runs) lays it out;
//! - types Diesel does not provide are defined in `pub mod sql_types` and imported into the
//!   tables that use them, derived as the `diesel.toml` of `diesel setup` asks
//!   (`QueryId, Clone, SqlType`).
//!
//! Where print-schema's answer would not compile with the model, the schema's type wins:
//! - SQLite: a key the schema says is `bigint` is `BigInt` (print-schema calls every rowid key
//!   `Integer` unless run with `--sqlite-integer-primary-key-is-bigint`); an auto-increment key is
//!   not `Nullable` (print-schema reads `INTEGER PRIMARY KEY` without `NOT NULL` as nullable);
//!   `timestamptz`, `uuid` and `json`, which print-schema rejects on SQLite, are
//!   `TimestamptzSqlite`, `Binary` and `Json`;
//! - MySQL: `json` is `Json`, which is what MySQL reports; MariaDB stores it as `LONGTEXT`, which
//!   print-schema calls `Longtext`.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::dialect::{Backend, MysqlDialect, PostgresDialect, SqliteDialect};
use crate::schema::{Schema, SqlType, Table};

/// The first line print-schema writes.
pub const HEADER: &str = "// @generated automatically by Diesel CLI.";

/// A column type as print-schema prints it: the Diesel type name, whether it is an array
/// (PostgreSQL), whether it is unsigned (MySQL), and the `#[max_length]` it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PrintedType {
    name: String,
    max_length: Option<u64>,
    array: bool,
    unsigned: bool,
    /// Not one of Diesel's own SQL types: print-schema defines it in `pub mod sql_types`.
    custom: Option<CustomType>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CustomType {
    /// The SQL name, as given to `postgres_type(name = ...)` / `mysql_type(name = ...)`.
    sql_name: String,
    /// PostgreSQL: the type's schema when it is not the default one (`pg_catalog` for the
    /// built-in types Diesel does not provide).
    schema: Option<String>,
}

impl PrintedType {
    fn plain(name: &str) -> Self {
        PrintedType {
            name: name.to_string(),
            max_length: None,
            array: false,
            unsigned: false,
            custom: None,
        }
    }

    fn render(&self, nullable: bool) -> String {
        let mut ty = self.name.clone();
        if self.unsigned {
            ty = format!("Unsigned<{ty}>");
        }
        if self.array {
            ty = format!("Array<Nullable<{ty}>>");
        }
        if nullable {
            ty = format!("Nullable<{ty}>");
        }
        ty
    }
}

/// The Diesel SQL type of a column type on `backend`, as `print-schema` names it (without
/// `Nullable`).
pub fn diesel_type(ty: &SqlType, backend: Backend) -> String {
    printed_type(ty, backend).render(false)
}

fn printed_type(ty: &SqlType, backend: Backend) -> PrintedType {
    match backend {
        Backend::Sqlite => sqlite_type(ty),
        Backend::Postgres => postgres_type(ty),
        Backend::Mysql => mysql_type(ty),
    }
}

/// SQLite: print-schema reads the declared type and maps it by substring (diesel_cli's
/// `sqlite::determine_column_type`); the declared types are the ones `dialect::sqlite` writes.
fn sqlite_type(ty: &SqlType) -> PrintedType {
    let name = match ty {
        SqlType::SmallInt => "SmallInt",
        SqlType::Integer => "Integer",
        SqlType::BigInt => "BigInt",
        SqlType::Real => "Float",
        SqlType::Double => "Double",
        // As print-schema says (`NUMERIC` contains "num"): SQLite stores such values as REAL
        // or INTEGER, which an `f64` field loads.
        SqlType::Numeric(_) => "Double",
        SqlType::Boolean => "Bool",
        SqlType::Text | SqlType::Varchar(_) => "Text",
        SqlType::Binary => "Binary",
        SqlType::Date => "Date",
        SqlType::Time => "Time",
        SqlType::Timestamp => "Timestamp",
        // print-schema rejects `TIMESTAMPTZ`, `UUID` and `JSON` columns on SQLite ("unsupported
        // type"); these are the Diesel types a model of them needs.
        SqlType::TimestampTz => "TimestamptzSqlite",
        SqlType::Uuid => "Binary",
        SqlType::Json => "Json",
        // Text with a CHECK of the values.
        SqlType::Enum(_) => "Text",
        // A declared type print-schema refuses (`"weird type"`, `JSONB`, ...): SQLite gives it
        // NUMERIC affinity, so it holds any value; `Binary` loads every one of them (SQLite
        // converts a number or text to its bytes).
        SqlType::Custom(name) => sqlite_declared_type(name).unwrap_or("Binary"),
        // The others by their declared type, as print-schema reads it.
        other => {
            let declared = SqliteDialect::type_name(other);
            return PrintedType::plain(sqlite_declared_type(&declared).unwrap_or(&declared));
        }
    };
    PrintedType::plain(name)
}

/// The field type of a column whose SQL type Diesel does not provide (print-schema defines it
/// in `sql_types`): the value as the server sends it, from migrate-core's `diesel-types`
/// feature.
pub const RAW_FIELD_TYPE: &str = "migrate_core::diesel_types::Raw";

/// The Rust type Diesel loads a column of `ty` into on `backend` (without `Option`), the one
/// that compiles against the `table!` type [`diesel_type`] names; `None` for the schema's enums
/// (the models' own enum types).
pub fn rust_type(ty: &SqlType, backend: Backend) -> Option<String> {
    if matches!(ty, SqlType::Enum(_)) {
        return None;
    }
    if let SqlType::Array(element) = ty {
        return rust_type(element, backend).map(|e| format!("Vec<Option<{e}>>"));
    }
    let printed = printed_type(ty, backend);
    let base = if printed.custom.is_some() {
        RAW_FIELD_TYPE.to_string()
    } else if printed.unsigned {
        match printed.name.as_str() {
            "Tinyint" | "TinyInt" => "u8",
            "Smallint" | "SmallInt" => "u16",
            "Bigint" | "BigInt" => "u64",
            _ => "u32",
        }
        .to_string()
    } else {
        rust_type_of_diesel(&printed.name)?.to_string()
    };
    Some(if printed.array {
        format!("Vec<Option<{base}>>")
    } else {
        base
    })
}

/// The Rust type of one of Diesel's own SQL types, by the name print-schema writes.
fn rust_type_of_diesel(name: &str) -> Option<&'static str> {
    Some(match name {
        "Bool" => "bool",
        "Tinyint" | "TinyInt" => "i8",
        "SmallInt" | "Smallint" | "Int2" => "i16",
        "Integer" | "Int4" => "i32",
        "BigInt" | "Bigint" | "Int8" => "i64",
        "Float" | "Float4" => "f32",
        "Double" | "Float8" => "f64",
        "Numeric" | "Decimal" => "bigdecimal::BigDecimal",
        "Text" | "VarChar" | "Varchar" | "Char" | "Bpchar" | "Tinytext" | "Mediumtext"
        | "Longtext" | "Citext" => "String",
        "Binary" | "Bytea" | "Tinyblob" | "Blob" | "Mediumblob" | "Longblob" | "Varbinary"
        | "Bit" => "Vec<u8>",
        "Date" => "chrono::NaiveDate",
        "Time" => "chrono::NaiveTime",
        // MySQL's TIMESTAMP included: Diesel loads it as a NaiveDateTime only.
        "Timestamp" | "Datetime" => "chrono::NaiveDateTime",
        "Timestamptz" | "TimestamptzSqlite" => "chrono::DateTime<chrono::Utc>",
        "Uuid" => "uuid::Uuid",
        "Json" | "Jsonb" => "serde_json::Value",
        "Interval" => "diesel::pg::data_types::PgInterval",
        "Money" => "diesel::pg::data_types::PgMoney",
        "Inet" | "Cidr" => "ipnetwork::IpNetwork",
        "MacAddr" | "Macaddr" => "[u8; 6]",
        "MacAddr8" | "Macaddr8" => "[u8; 8]",
        "Oid" => "u32",
        "PgLsn" => "diesel::pg::data_types::PgLsn",
        _ => return None,
    })
}

/// The Diesel features the models of `schema` need on `backend`: for the field types
/// [`rust_type`] writes, and for tables of more than 16 columns.
pub fn diesel_features(schema: &Schema, backend: Backend) -> Vec<&'static str> {
    let mut features = BTreeSet::new();
    for table in printed_tables(schema, backend) {
        let width = table.columns.len();
        if width > 64 {
            features.insert("128-column-tables");
        } else if width > 32 {
            features.insert("64-column-tables");
        } else if width > 16 {
            features.insert("32-column-tables");
        }
        for column in &table.table.columns {
            let Some(rust) = rust_type(&column.ty, backend) else {
                continue;
            };
            for (needle, feature) in [
                ("chrono::", "chrono"),
                ("bigdecimal::", "numeric"),
                ("uuid::", "uuid"),
                ("serde_json::", "serde_json"),
                ("ipnetwork::", "network-address"),
            ] {
                if rust.contains(needle) {
                    features.insert(feature);
                }
            }
        }
    }
    // A wider feature includes the narrower ones.
    if features.contains("128-column-tables") {
        features.remove("64-column-tables");
    }
    if features.contains("64-column-tables") || features.contains("128-column-tables") {
        features.remove("32-column-tables");
    }
    features.into_iter().collect()
}

/// diesel_cli's mapping of a SQLite declared type, `None` where it reports an unsupported type.
fn sqlite_declared_type(declared: &str) -> Option<&'static str> {
    let mut t = declared.trim().to_lowercase();
    // Older SQLite reports a generated column declared without a type as `GENERATED ALWAYS`.
    if t == "generated always" {
        t.clear();
    }
    let has = |s: &str| t.contains(s);
    Some(
        if t == "boolean" || t == "bool" || has("tiny") && has("int") {
            "Bool"
        } else if t == "int2" || has("small") && has("int") {
            "SmallInt"
        } else if t == "int8" || has("big") && has("int") {
            "BigInt"
        } else if has("int") {
            "Integer"
        } else if has("char") || has("clob") || has("text") {
            "Text"
        } else if has("blob") || has("binary") || t.is_empty() {
            "Binary"
        } else if has("float") || has("real") {
            "Float"
        } else if has("double") || has("num") || has("dec") {
            "Double"
        } else if t == "datetime" || t == "timestamp" {
            "Timestamp"
        } else if t == "date" {
            "Date"
        } else if t == "time" {
            "Time"
        } else {
            return None;
        },
    )
}

/// PostgreSQL: print-schema names the column's `udt_name` in UpperCamelCase (`int4` → `Int4`,
/// `timestamptz` → `Timestamptz`, `varchar` → `Varchar`, an array `_int4` → `Array<Nullable<Int4>>`);
/// `dialect::postgres` decides the udt, so the type goes through its DDL spelling.
fn postgres_type(ty: &SqlType) -> PrintedType {
    match ty {
        // The type's own name, its case kept.
        SqlType::Enum(name) => postgres_custom(&format!("\"{name}\"")),
        SqlType::Custom(spelling) => postgres_custom(spelling),
        other => postgres_custom(&PostgresDialect::type_name(other)),
    }
}

/// A PostgreSQL type outside the vocabulary, in `format_type` spelling (as introspection reads
/// it) or as a user wrote it: back to its `udt_name`, then print-schema's rule.
fn postgres_custom(spelling: &str) -> PrintedType {
    let s = spelling.trim();
    let (base, array) = match s.strip_suffix("[]") {
        Some(base) => (base.trim(), true),
        None => (s, false),
    };
    let lower = base.to_lowercase();
    // The modifier may sit inside the name (`timestamp(3) with time zone`).
    let (head, args) = match (lower.find('('), lower.find(')')) {
        (Some(open), Some(close)) if open < close && !base.starts_with('"') => (
            format!("{} {}", lower[..open].trim(), lower[close + 1..].trim())
                .trim()
                .to_string(),
            Some(lower[open + 1..close].to_string()),
        ),
        _ => (lower.clone(), None),
    };
    let length = args.as_deref().and_then(|a| a.trim().parse::<u64>().ok());
    let udt = match head.as_str() {
        "smallint" | "int2" => "int2",
        "integer" | "int" | "int4" => "int4",
        "bigint" | "int8" => "int8",
        "real" | "float4" => "float4",
        "double precision" | "float8" => "float8",
        "numeric" | "decimal" => "numeric",
        "boolean" | "bool" => "bool",
        "character varying" | "varchar" => "varchar",
        "character" | "char" | "bpchar" => "bpchar",
        "time without time zone" | "time" => "time",
        "time with time zone" | "timetz" => "timetz",
        "timestamp without time zone" | "timestamp" => "timestamp",
        "timestamp with time zone" | "timestamptz" => "timestamptz",
        "bit varying" | "varbit" => "varbit",
        // Any other spelling is the type's own name (`json`, `inet`, an enum ...), quoted
        // names keep their case.
        _ => "",
    };
    let udt = if udt.is_empty() {
        if base.starts_with('"') {
            base.trim_matches('"').to_string()
        } else {
            head.clone()
        }
    } else {
        udt.to_string()
    };
    // information_schema's `character_maximum_length`: the length of the character and bit
    // string types (`character` and `bit` without one are of length 1), none for arrays.
    let length = match udt.as_str() {
        "varchar" | "bpchar" | "bit" | "varbit" if !array => {
            length.or((udt == "bpchar" || udt == "bit").then_some(1))
        }
        _ => None,
    };
    let name = upper_camel_case(&udt);
    let custom = (!is_diesel_type(&name, PG_DIESEL_TYPES)).then(|| CustomType {
        schema: PG_CATALOG_TYPES
            .contains(&udt.as_str())
            .then(|| "pg_catalog".to_string()),
        sql_name: udt,
    });
    PrintedType {
        name,
        max_length: length,
        array,
        unsigned: false,
        custom,
    }
}

/// PostgreSQL's own types (schema `pg_catalog`) that Diesel does not provide: print-schema
/// names their schema when it defines them.
const PG_CATALOG_TYPES: &[&str] = &[
    "aclitem",
    "bit",
    "box",
    "char",
    "cid",
    "circle",
    "gtsvector",
    "int2vector",
    "jsonpath",
    "line",
    "lseg",
    "name",
    "oidvector",
    "path",
    "pg_snapshot",
    "point",
    "polygon",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "tid",
    "timetz",
    "tsquery",
    "tsvector",
    "txid_snapshot",
    "varbit",
    "xid",
    "xid8",
    "xml",
];

/// The `MysqlType` variants, which are all `mysql_type(name = ...)` takes.
const MYSQL_TYPE_VARIANTS: &[&str] = &[
    "Tiny",
    "UnsignedTiny",
    "Short",
    "UnsignedShort",
    "Long",
    "UnsignedLong",
    "LongLong",
    "UnsignedLongLong",
    "Float",
    "Double",
    "Numeric",
    "Time",
    "Date",
    "DateTime",
    "Timestamp",
    "String",
    "Blob",
    "Bit",
    "Set",
    "Enum",
];

/// The `MysqlType` a custom MySQL type is declared with. print-schema capitalises the SQL name
/// (`Set`, `Enum`), which does not compile for a type `MysqlType` has no variant for (MariaDB's
/// `uuid`, `inet6`; the spatial types); those are sent as text or, for the spatial ones, as
/// bytes, so they are declared `String` or `Blob`.
fn mysql_type_variant(sql_name: &str) -> String {
    let mut c = sql_name.chars();
    let capitalised: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    if MYSQL_TYPE_VARIANTS.contains(&capitalised.as_str()) {
        return capitalised;
    }
    let spatial = [
        "geometry",
        "point",
        "linestring",
        "polygon",
        "multipoint",
        "multilinestring",
        "multipolygon",
        "geometrycollection",
        "geomcollection",
    ];
    if spatial.contains(&sql_name.to_ascii_lowercase().as_str()) {
        "Blob".to_string()
    } else {
        "String".to_string()
    }
}

/// MySQL and MariaDB: print-schema names `COLUMN_TYPE` without its parentheses in
/// UpperCamelCase (`smallint(6)` → `Smallint`), `tinyint(1)` as `Bool`, `int…` as `Integer` and
/// `… unsigned` as `Unsigned<…>`; `dialect::mysql` decides the column type, so the type goes
/// through its DDL spelling.
fn mysql_type(ty: &SqlType) -> PrintedType {
    match ty {
        // MySQL reports BOOLEAN as `tinyint(1)`.
        SqlType::Boolean => PrintedType::plain("Bool"),
        // The values decide the `#[max_length]`; `printed_tables` passes them.
        SqlType::Enum(_) => mysql_custom("enum()"),
        SqlType::Custom(spelling) => mysql_custom(spelling),
        other => mysql_custom(&MysqlDialect::type_name(other)),
    }
}

/// A MySQL column type outside the vocabulary, in `COLUMN_TYPE` spelling: diesel_cli's
/// `determine_type_name`.
fn mysql_custom(spelling: &str) -> PrintedType {
    let lower = spelling.trim().to_lowercase();
    let unsigned = lower.contains("unsigned");
    let head = if lower == "tinyint(1)" {
        "bool".to_string()
    } else if lower.starts_with("int") {
        "integer".to_string()
    } else if let Some(open) = lower.find('(') {
        lower[..open].to_string()
    } else {
        lower.clone()
    };
    let head = if unsigned {
        head.replace("unsigned", "").trim().to_string()
    } else {
        head
    };
    // print-schema declares `mysql_type(name = "Mediumint")` / `"Year"` types, which do not
    // compile (MysqlType has no such variant); Diesel loads MEDIUMINT as an `Integer` and YEAR
    // as a `Smallint`, so those are the types written.
    let head = match head.trim() {
        "mediumint" => "integer".to_string(),
        "year" => "smallint".to_string(),
        other => other.to_string(),
    };
    // Lengths are reported for the character and binary types written with one, and for
    // `ENUM` (its longest value) and `SET` (all values joined by commas).
    let length = match head.as_str() {
        "char" | "varchar" | "binary" | "varbinary" => lower
            .find('(')
            .and_then(|open| lower[open + 1..].split(')').next())
            .and_then(|n| n.trim().parse::<u64>().ok()),
        "enum" | "set" => {
            let values = quoted_values(spelling);
            let lengths = values.iter().map(|v| v.chars().count() as u64);
            if head == "enum" {
                lengths.max()
            } else {
                Some(lengths.sum::<u64>() + (values.len() as u64).saturating_sub(1))
            }
        }
        _ => None,
    };
    let name = upper_camel_case(head.trim());
    let custom = (!is_diesel_type(&name, MYSQL_DIESEL_TYPES)).then(|| CustomType {
        sql_name: head.trim().to_string(),
        schema: None,
    });
    PrintedType {
        name,
        max_length: length,
        array: false,
        unsigned,
        custom,
    }
}

/// `enum('a','b')`, as MySQL reports an enum column's type.
fn mysql_enum_spelling(values: &[String]) -> String {
    let quoted: Vec<String> = values
        .iter()
        .map(|v| format!("'{}'", v.replace('\'', "''")))
        .collect();
    format!("enum({})", quoted.join(","))
}

/// The values of `enum('a','b''c')` as MySQL reports them.
fn quoted_values(spelling: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut chars = spelling.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '\'' {
            continue;
        }
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                '\\' => {
                    if let Some(escaped) = chars.next() {
                        value.push(escaped);
                    }
                }
                c => value.push(c),
            }
        }
        values.push(value);
    }
    values
}

/// The type names diesel_cli knows on every backend (`common_diesel_types`).
const COMMON_DIESEL_TYPES: &[&str] = &[
    "Bool",
    "Integer",
    "SmallInt",
    "BigInt",
    "Binary",
    "Text",
    "Double",
    "Float",
    "Numeric",
    "Timestamp",
    "Date",
    "Time",
    "Float4",
    "Smallint",
    "Int2",
    "Int4",
    "Int8",
    "Bigint",
    "Float8",
    "Decimal",
    "VarChar",
    "Varchar",
    "Char",
    "Tinytext",
    "Mediumtext",
    "Longtext",
    "Tinyblob",
    "Blob",
    "Mediumblob",
    "Longblob",
    "Varbinary",
    "Bit",
];

const PG_DIESEL_TYPES: &[&str] = &[
    "Cidr",
    "Citext",
    "Inet",
    "Jsonb",
    "MacAddr",
    "MacAddr8",
    "Money",
    "Oid",
    "Range",
    "Timestamptz",
    "Uuid",
    "Json",
    "PgLsn",
    "Record",
    "Interval",
    "Int4range",
    "Int8range",
    "Daterange",
    "Numrange",
    "Tsrange",
    "Tstzrange",
    "Int4multirange",
    "Int8multirange",
    "Datemultirange",
    "Nummultirange",
    "Tsmultirange",
    "Tstzmultirange",
    "SmallSerial",
    "BigSerial",
    "Serial",
    "Bytea",
    "Bpchar",
    "Macaddr",
    "Macaddr8",
];

const MYSQL_DIESEL_TYPES: &[&str] = &["TinyInt", "Tinyint", "Datetime", "Json"];

/// Whether print-schema takes `name` for one of Diesel's own types on a backend whose own
/// extra types are `specific`.
fn is_diesel_type(name: &str, specific: &[&str]) -> bool {
    COMMON_DIESEL_TYPES.contains(&name) || specific.contains(&name)
}

/// heck's `to_upper_camel_case` for the names print-schema sees: words split at characters
/// that are not alphanumeric and at lower-to-upper case changes, each capitalised.
fn upper_camel_case(name: &str) -> String {
    let mut out = String::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        word.push(ch);
    }
    if !word.is_empty() {
        words.push(word);
    }
    for w in words {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(&chars.as_str().to_lowercase());
        }
    }
    out
}

/// Words `syn` does not accept as identifiers.
const RESERVED: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names `table!` keeps for itself.
const TABLE_MACRO_NAMES: &[&str] = &["table", "columns", "is_nullable"];

/// print-schema's Rust name for a table (`table = None`) or a column of `table`.
pub fn rust_name(sql_name: &str, table: Option<&str>) -> String {
    let mut name = String::new();
    let mut last_was_underscore = false;
    for (i, ch) in sql_name.chars().enumerate() {
        if ch.is_ascii_alphanumeric() || ch == '_' {
            if i == 0 && ch.is_ascii_digit() {
                name.push('_');
            }
            name.push(ch);
            last_was_underscore = false;
        } else {
            // A run of unmappable characters becomes one `_`.
            if !last_was_underscore {
                name.push('_');
            }
            last_was_underscore = true;
        }
    }
    let reserved = name.is_empty()
        || RESERVED.contains(&name.as_str())
        || TABLE_MACRO_NAMES.contains(&name.as_str())
        || (name.starts_with("__") && !name.ends_with('_'));
    if reserved || table == Some(name.as_str()) {
        name.push('_');
    }
    name
}

fn escape_rust_string(input: &str) -> String {
    let hashes = input.chars().filter(|c| *c == '#').count();
    if input.contains('"') {
        let h = "#".repeat(hashes + 1);
        format!("r{h}\"{input}\"{h}")
    } else {
        format!("\"{input}\"")
    }
}

/// One table as print-schema sees it.
struct Printed<'a> {
    table: &'a Table,
    rust_name: String,
    /// Primary key column SQL names (SQLite's implicit `rowid` when none is declared).
    primary_key: Vec<String>,
    /// `(sql name, rust name, type, nullable)`, the implicit rowid first when there is one.
    columns: Vec<(String, String, PrintedType, bool)>,
}

/// The tables print-schema prints: sorted, `__`-prefixed ones left out, and on PostgreSQL and
/// MySQL only those with a primary key.
fn printed_tables(schema: &Schema, backend: Backend) -> Vec<Printed<'_>> {
    let mut tables: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|t| !t.name.starts_with("__"))
        .filter(|t| backend != Backend::Sqlite || !t.name.to_lowercase().starts_with("sqlite"))
        .filter(|t| backend == Backend::Sqlite || !t.primary_key.is_empty())
        .collect();
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    tables
        .into_iter()
        .filter_map(|table| {
            let rust_table = rust_name(&table.name, None);
            let mut columns: Vec<(String, String, PrintedType, bool)> = table
                .columns
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        rust_name(&c.name, Some(&rust_table)),
                        match (&c.ty, backend) {
                            (SqlType::Enum(name), Backend::Mysql) => {
                                mysql_custom(&mysql_enum_spelling(schema.enum_values(name)))
                            }
                            (ty, _) => printed_type(ty, backend),
                        },
                        c.nullable,
                    )
                })
                .collect();
            let primary_key = if table.primary_key.is_empty() {
                // SQLite: the first rowid alias no column shadows.
                let alias = ["rowid", "oid", "_rowid_"]
                    .into_iter()
                    .find(|a| table.columns.iter().all(|c| c.name != *a))?;
                columns.insert(
                    0,
                    (
                        alias.to_string(),
                        rust_name(alias, Some(&rust_table)),
                        PrintedType::plain("Integer"),
                        false,
                    ),
                );
                vec![alias.to_string()]
            } else {
                table.primary_key.clone()
            };
            Some(Printed {
                table,
                rust_name: rust_table,
                primary_key,
                columns,
            })
        })
        .collect()
}

/// The tables `table!` cannot hold on `backend`: PostgreSQL and MySQL tables without a primary
/// key (SQLite keys them by `rowid`).
pub fn left_out(schema: &Schema, backend: Backend) -> Vec<String> {
    if backend == Backend::Sqlite {
        return Vec::new();
    }
    let mut names: Vec<String> = schema
        .tables
        .iter()
        .filter(|t| !t.name.starts_with("__") && t.primary_key.is_empty())
        .map(|t| t.name.clone())
        .collect();
    names.sort();
    names
}

/// Which doc comments `schema` writes: print-schema's `with_docs` setting (`--with-docs`,
/// `--with-docs-config`, `[print_schema] with_docs` in `diesel.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocComments {
    /// None (print-schema's default).
    #[default]
    None,
    /// The database's table and column comments only.
    OnlyDatabaseComments,
    /// The comments, and a generated sentence where there is none (`--with-docs`).
    FallbackToGenerated,
}

impl DocComments {
    /// The names print-schema's `--with-docs-config` takes.
    pub const NAMES: &'static [&'static str] = &[
        "database-comments-fallback-to-auto-generated-doc-comment",
        "only-database-comments",
        "no-doc-comments",
    ];

    /// The setting named as `--with-docs-config` names it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "database-comments-fallback-to-auto-generated-doc-comment" => {
                Some(DocComments::FallbackToGenerated)
            }
            "only-database-comments" => Some(DocComments::OnlyDatabaseComments),
            "no-doc-comments" => Some(DocComments::None),
            _ => None,
        }
    }

    /// The doc comment of a table or column with the database comment `found`: the comment,
    /// else the sentence print-schema generates where this setting asks for one.
    fn pick(self, found: Option<String>, generated: impl FnOnce() -> String) -> Option<String> {
        match (found, self) {
            (_, DocComments::None) => None,
            (Some(c), _) => Some(c),
            (None, DocComments::OnlyDatabaseComments) => None,
            (None, DocComments::FallbackToGenerated) => Some(generated()),
        }
    }
}

/// The whole `schema.rs` as `diesel print-schema` prints it for a database of this schema on
/// `backend`.
pub fn render_schema_rs(schema: &Schema, backend: Backend) -> String {
    render_schema_rs_with(schema, backend, DocComments::None)
}

/// [`render_schema_rs`] with doc comments, as print-schema writes them with `with_docs`. SQLite
/// has no comments, so there print-schema (and this) writes only the generated sentences, even
/// for comments the snapshot keeps.
pub fn render_schema_rs_with(schema: &Schema, backend: Backend, docs: DocComments) -> String {
    let tables = printed_tables(schema, backend);
    let mut out = format!("{HEADER}\n");
    // print-schema stops with "Diesel only supports tables with primary keys" on such a
    // database; the other tables are written, and the ones left out named where a reader of
    // the file sees them.
    for name in left_out(schema, backend) {
        let _ = writeln!(
            out,
            "// Left out: table `{name}` has no primary key, which Diesel's `table!` needs."
        );
    }

    render_custom_types(&mut out, &tables, backend, docs);

    for table in &tables {
        out.push('\n');
        render_table(&mut out, table, backend, docs);
    }

    let joins = joinables(&tables, backend);
    if !joins.is_empty() {
        out.push('\n');
        for join in joins {
            out.push_str(&join);
        }
    }
    if tables.len() >= 2 {
        out.push('\n');
        let names: Vec<&str> = tables.iter().map(|t| t.rust_name.as_str()).collect();
        out.push_str(&allow_tables_macro(&names));
    }
    out
}

/// The `pub mod sql_types` print-schema writes for types Diesel does not provide (PostgreSQL
/// enums and other non-built-in types, MySQL `ENUM`/`SET`), with the derives of the
/// `diesel.toml` that `diesel setup` writes.
fn render_custom_types(
    out: &mut String,
    tables: &[Printed<'_>],
    backend: Backend,
    docs: DocComments,
) {
    // Only the generated sentences document these types.
    let with_docs = docs == DocComments::FallbackToGenerated;
    // (rust name, attribute, doc lines)
    let mut defs: Vec<(String, String, Vec<String>)> = Vec::new();
    for table in tables {
        for (_, column_rust, ty, _) in &table.columns {
            let Some(custom) = &ty.custom else { continue };
            match backend {
                Backend::Postgres => defs.push((
                    ty.name.clone(),
                    match &custom.schema {
                        Some(schema) => format!(
                            "#[diesel(postgres_type(name = {}, schema = {}))]",
                            escape_rust_string(&custom.sql_name),
                            escape_rust_string(schema)
                        ),
                        None => format!(
                            "#[diesel(postgres_type(name = {}))]",
                            escape_rust_string(&custom.sql_name)
                        ),
                    },
                    vec![match &custom.schema {
                        Some(schema) => format!(
                            "The `{}.{}` SQL type",
                            schema.replace('\n', "\\n"),
                            custom.sql_name.replace('\n', "\\n")
                        ),
                        None => format!("The `{}` SQL type", custom.sql_name.replace('\n', "\\n")),
                    }],
                )),
                Backend::Mysql => {
                    let mysql_name = mysql_type_variant(&custom.sql_name);
                    defs.push((
                        mysql_custom_name(&table.rust_name, column_rust, &ty.name),
                        format!("#[diesel(mysql_type(name = \"{mysql_name}\"))]"),
                        vec![
                            format!("The `{}` SQL type for the", custom.sql_name),
                            format!(
                                "[`{tbl}::{column_rust}`](super::{tbl}::{column_rust})) column",
                                tbl = table.rust_name
                            ),
                        ],
                    ));
                }
                Backend::Sqlite => {}
            }
        }
    }
    if defs.is_empty() {
        return;
    }
    defs.sort_by(|a, b| a.0.cmp(&b.0));
    if backend == Backend::Postgres {
        defs.dedup_by(|a, b| a.0 == b.0);
    }
    out.push('\n');
    if with_docs {
        out.push_str("/// A module containing custom SQL type definitions\n///\n");
        out.push_str("/// (Automatically generated by Diesel.)\n");
    }
    out.push_str("pub mod sql_types {\n");
    for (i, (name, attribute, doc)) in defs.iter().enumerate() {
        if i != 0 {
            out.push('\n');
        }
        if with_docs {
            for line in doc {
                let _ = writeln!(out, "    /// {line}");
            }
            out.push_str("    ///\n    /// (Automatically generated by Diesel.)\n");
        }
        let _ = writeln!(out, "    #[derive({})]", CUSTOM_TYPE_DERIVES.join(", "));
        let _ = writeln!(out, "    {attribute}");
        let _ = writeln!(out, "    pub struct {name};");
    }
    out.push_str("}\n");
}

/// What print-schema derives on the SQL types it defines: `diesel setup`'s default
/// `custom_type_derives` plus `SqlType`.
const CUSTOM_TYPE_DERIVES: &[&str] = &[
    "diesel::query_builder::QueryId",
    "Clone",
    "diesel::sql_types::SqlType",
];

/// MySQL custom types are named per column: `{table} {column} {type}` in UpperCamelCase.
fn mysql_custom_name(table: &str, column: &str, ty: &str) -> String {
    upper_camel_case(&format!("{table} {column} {ty}"))
}

/// A comment as print-schema writes it: a `///` line per line, each trimmed.
fn write_doc(out: &mut String, indent: &str, doc: &str) {
    for line in doc.lines() {
        let line = line.trim();
        let space = if line.is_empty() { "" } else { " " };
        let _ = writeln!(out, "{indent}///{space}{line}");
    }
}

fn render_table(out: &mut String, table: &Printed<'_>, backend: Backend, docs: DocComments) {
    // print-schema reads no comments on SQLite.
    let comment = |c: &Option<String>| {
        c.clone()
            .filter(|_| backend != Backend::Sqlite && docs != DocComments::None)
    };
    out.push_str("diesel::table! {\n");
    // Imports of the custom types, as print-schema writes them.
    let mut imported = BTreeSet::new();
    let mut imports = Vec::new();
    for (_, column_rust, ty, _) in &table.columns {
        if ty.custom.is_none() {
            continue;
        }
        let name = match backend {
            Backend::Mysql => mysql_custom_name(&table.rust_name, column_rust, &ty.name),
            _ => ty.name.clone(),
        };
        if imported.insert(name.clone()) {
            imports.push(name);
        }
    }
    if !imports.is_empty() {
        out.push_str("    use diesel::sql_types::*;\n");
        for name in &imports {
            let _ = writeln!(out, "    use super::sql_types::{name};");
        }
        out.push('\n');
    }
    let table_doc = docs.pick(comment(&table.table.options.comment), || {
        format!(
            "Representation of the `{}` table.\n\n(Automatically generated by Diesel.)",
            table.table.name
        )
    });
    if let Some(doc) = table_doc {
        write_doc(out, "    ", &doc);
    }
    if table.rust_name != table.table.name {
        let _ = writeln!(
            out,
            "    #[sql_name = {}]",
            escape_rust_string(&table.table.name)
        );
    }
    let pk: Vec<String> = table
        .primary_key
        .iter()
        .map(|k| rust_name(k, Some(&table.rust_name)))
        .collect();
    let _ = writeln!(out, "    {} ({}) {{", table.rust_name, pk.join(", "));
    for (sql, rust, ty, nullable) in &table.columns {
        let rendered = as_declared(&table.rust_name, rust, ty, backend).render(*nullable);
        let column_comment = table
            .table
            .columns
            .iter()
            .find(|c| c.name == *sql)
            .and_then(|c| comment(&c.comment));
        let column_doc = docs.pick(column_comment, || {
            format!(
                "The `{sql}` column of the `{}` table.\n\nIts SQL type is `{rendered}`.\n\n\
                 (Automatically generated by Diesel.)",
                table.table.name
            )
        });
        if let Some(doc) = column_doc {
            write_doc(out, "        ", &doc);
        }
        if rust != sql {
            let _ = writeln!(out, "        #[sql_name = {}]", escape_rust_string(sql));
        }
        if let Some(n) = ty.max_length {
            let _ = writeln!(out, "        #[max_length = {n}]");
        }
        let _ = writeln!(out, "        {rust} -> {rendered},");
    }
    out.push_str("    }\n}\n");
}

/// A column's type under the name its `table!` uses: a MySQL custom type is declared per column.
fn as_declared(
    table_rust: &str,
    column_rust: &str,
    ty: &PrintedType,
    backend: Backend,
) -> PrintedType {
    match (&ty.custom, backend) {
        (Some(_), Backend::Mysql) => PrintedType {
            name: mysql_custom_name(table_rust, column_rust, &ty.name),
            ..ty.clone()
        },
        _ => ty.clone(),
    }
}

/// The Diesel type a printed column has in its `table!`, nullability aside.
fn column_type(table: &Printed<'_>, column: &str, backend: Backend) -> Option<String> {
    let (_, rust, ty, _) = table.columns.iter().find(|(sql, ..)| sql == column)?;
    Some(as_declared(&table.rust_name, rust, ty, backend).render(false))
}

/// print-schema's `joinable!` lines: foreign keys of one column to another printed table's
/// single-column primary key, unless another foreign key links the same two tables; sorted by
/// child table, parent table and column.
fn joinables(tables: &[Printed<'_>], backend: Backend) -> Vec<String> {
    let printed = |name: &str| tables.iter().find(|t| t.table.name == name);
    let pair = |a: &str, b: &str| {
        if a <= b {
            (a.to_string(), b.to_string())
        } else {
            (b.to_string(), a.to_string())
        }
    };
    // Every foreign key between printed tables counts towards the "same two tables" rule; on
    // SQLite a composite key counts once per column, which changes nothing here.
    let mut pairs: Vec<(String, String)> = Vec::new();
    for t in tables {
        for fk in &t.table.foreign_keys {
            pairs.push(pair(&t.table.name, &fk.ref_table));
        }
    }
    let mut joins: Vec<((String, String, String), String)> = Vec::new();
    for t in tables {
        for fk in &t.table.foreign_keys {
            if fk.ref_table == t.table.name || fk.columns.len() != 1 {
                continue;
            }
            let Some(parent) = printed(&fk.ref_table) else {
                continue;
            };
            // A SQLite key declared `REFERENCES parent` without columns means the parent's key.
            let referenced = if fk.ref_columns.is_empty() {
                &parent.primary_key
            } else {
                &fk.ref_columns
            };
            if parent.primary_key.len() != 1 || referenced.first() != parent.primary_key.first() {
                continue;
            }
            // `joinable!` compiles only when both columns have one Diesel type (nullability
            // aside); a `bigint` key to an `INTEGER` one (as Django writes them on SQLite) has
            // none, and print-schema's line would not compile.
            if column_type(t, &fk.columns[0], backend)
                != column_type(parent, &parent.primary_key[0], backend)
            {
                continue;
            }
            let key = pair(&t.table.name, &fk.ref_table);
            if pairs.iter().filter(|p| **p == key).count() > 1 {
                continue;
            }
            joins.push((
                (
                    t.table.name.clone(),
                    fk.ref_table.clone(),
                    fk.columns[0].clone(),
                ),
                format!(
                    "diesel::joinable!({} -> {} ({}));\n",
                    t.rust_name,
                    parent.rust_name,
                    rust_name(&fk.columns[0], Some(&t.rust_name))
                ),
            ));
        }
    }
    joins.sort();
    joins.into_iter().map(|(_, line)| line).collect()
}

/// `diesel::allow_tables_to_appear_in_same_query!(...)` as rustfmt (default settings) formats
/// the call print-schema writes with one table per line and a trailing comma: on one line when
/// the list fits in rustfmt's call width, else one per line, or several per line when every
/// name is short (rustfmt's "mixed" layout for short simple items).
fn allow_tables_macro(names: &[&str]) -> String {
    const OPEN: &str = "diesel::allow_tables_to_appear_in_same_query!(";
    const MAX_WIDTH: usize = 100;
    const FN_CALL_WIDTH: usize = 60;
    const SHORT_ITEM: usize = 10;
    // The call sits in a statement: `;` after `)`.
    let one_line_width = MAX_WIDTH.saturating_sub(OPEN.len() + 2);
    let total: usize = names.iter().map(|n| n.len()).sum::<usize>() + 2 * (names.len() - 1);
    if total <= one_line_width.min(FN_CALL_WIDTH) {
        return format!("{OPEN}{},);\n", names.join(", "));
    }
    let mut out = format!("{OPEN}\n");
    if names.iter().all(|n| n.len() <= SHORT_ITEM) {
        let width = MAX_WIDTH - 5;
        let mut line = String::new();
        for name in names {
            let item = format!("{name},");
            if !line.is_empty() && line.len() + 1 + item.len() > width {
                let _ = writeln!(out, "    {line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&item);
        }
        let _ = writeln!(out, "    {line}");
    } else {
        for name in names {
            let _ = writeln!(out, "    {name},");
        }
    }
    out.push_str(");\n");
    out
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
            ..Default::default()
        });
        let text = render_schema_rs(&Schema::new(vec![users, posts]), Backend::Sqlite);
        insta::assert_snapshot!(text);
    }

    fn table(name: &str, key: &[&str], columns: Vec<Column>) -> Table {
        let mut table = Table::new(name);
        table.columns = columns;
        table.primary_key = key.iter().map(|k| k.to_string()).collect();
        table
    }

    fn int(name: &str) -> Column {
        Column::new(name, SqlType::Integer)
    }

    fn fk(columns: &[&str], ref_table: &str, ref_columns: &[&str]) -> ForeignKey {
        ForeignKey {
            name: format!("fk_{}_{ref_table}", columns.join("_")),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            ref_table: ref_table.into(),
            ref_columns: ref_columns.iter().map(|c| c.to_string()).collect(),
            on_delete: Default::default(),
            on_update: Default::default(),
            ..Default::default()
        }
    }

    /// Every vocabulary type, not null and nullable.
    fn vocabulary() -> Schema {
        let types = [
            SqlType::SmallInt,
            SqlType::Integer,
            SqlType::BigInt,
            SqlType::Real,
            SqlType::Double,
            SqlType::Numeric(Some((10, 2))),
            SqlType::Numeric(None),
            SqlType::Boolean,
            SqlType::Text,
            SqlType::Varchar(120),
            SqlType::Binary,
            SqlType::Date,
            SqlType::Time,
            SqlType::Timestamp,
            SqlType::TimestampTz,
            SqlType::Uuid,
            SqlType::Json,
        ];
        let mut columns = vec![Column {
            auto_increment: true,
            ..Column::new("id", SqlType::BigInt)
        }];
        for (i, ty) in types.iter().enumerate() {
            columns.push(Column::new(format!("c{i}"), ty.clone()));
            columns.push(Column {
                nullable: true,
                ..Column::new(format!("c{i}_null"), ty.clone())
            });
        }
        Schema::new(vec![table("all_types", &["id"], columns)])
    }

    #[test]
    fn vocabulary_on_each_backend() {
        for (name, backend) in [
            ("sqlite", Backend::Sqlite),
            ("postgres", Backend::Postgres),
            ("mysql", Backend::Mysql),
        ] {
            insta::assert_snapshot!(
                format!("vocabulary_{name}"),
                render_schema_rs(&vocabulary(), backend)
            );
        }
    }

    /// The `table!` lines of one nullable column `c` of `ty`, and its sql_types definition if
    /// print-schema would write one.
    fn column_lines(ty: SqlType, backend: Backend) -> String {
        let mut column = Column::new("c", ty);
        column.nullable = true;
        let schema = Schema::new(vec![table("t", &["id"], vec![int("id"), column])]);
        let text = render_schema_rs(&schema, backend);
        let start = text.find("        id -> ").unwrap();
        let body = &text[start..];
        let body = &body[body.find('\n').unwrap() + 1..body.find("    }\n}").unwrap()];
        let defined = text
            .lines()
            .filter(|l| l.contains("_type(name"))
            .map(|l| format!("{}\n", l.trim()))
            .collect::<String>();
        format!("{defined}{}", body.replace("        ", ""))
    }

    /// Each type of the vocabulary as diesel_cli 2.3's `print-schema` infers it from what the
    /// dialect creates (`udt_name` / `COLUMN_TYPE` / declared type, `character_maximum_length`),
    /// and the field type written for it; the deliberate differences are marked.
    #[test]
    fn every_type_as_print_schema_names_it() {
        use Backend::{Mysql, Postgres, Sqlite};
        let u = SqlType::unsigned;
        let cases: Vec<(SqlType, Backend, &str, &str)> = vec![
            (SqlType::VarcharUnbounded, Postgres, "c -> Nullable<Varchar>,\n", "String"),
            (SqlType::Varchar(120), Postgres, "#[max_length = 120]\nc -> Nullable<Varchar>,\n", "String"),
            (SqlType::Char(5), Postgres, "#[max_length = 5]\nc -> Nullable<Bpchar>,\n", "String"),
            (SqlType::Text, Postgres, "c -> Nullable<Text>,\n", "String"),
            (SqlType::array(SqlType::Integer), Postgres, "c -> Nullable<Array<Nullable<Int4>>>,\n", "Vec<Option<i32>>"),
            (SqlType::array(SqlType::VarcharUnbounded), Postgres, "c -> Nullable<Array<Nullable<Varchar>>>,\n", "Vec<Option<String>>"),
            (SqlType::array(SqlType::Char(3)), Postgres, "c -> Nullable<Array<Nullable<Bpchar>>>,\n", "Vec<Option<String>>"),
            (SqlType::Jsonb, Postgres, "c -> Nullable<Jsonb>,\n", "serde_json::Value"),
            (SqlType::Custom("json".into()), Postgres, "c -> Nullable<Json>,\n", "serde_json::Value"),
            (SqlType::Money, Postgres, "c -> Nullable<Money>,\n", "diesel::pg::data_types::PgMoney"),
            (SqlType::Interval, Postgres, "c -> Nullable<Interval>,\n", "diesel::pg::data_types::PgInterval"),
            (SqlType::Inet, Postgres, "c -> Nullable<Inet>,\n", "ipnetwork::IpNetwork"),
            (SqlType::Cidr, Postgres, "c -> Nullable<Cidr>,\n", "ipnetwork::IpNetwork"),
            (SqlType::MacAddr, Postgres, "c -> Nullable<Macaddr>,\n", "[u8; 6]"),
            (SqlType::MacAddr8, Postgres, "c -> Nullable<Macaddr8>,\n", "[u8; 8]"),
            (SqlType::Bit(3), Postgres, "#[max_length = 3]\nc -> Nullable<Bit>,\n", "Vec<u8>"),
            (
                SqlType::VarBit(Some(8)),
                Postgres,
                "#[diesel(postgres_type(name = \"varbit\", schema = \"pg_catalog\"))]\n#[max_length = 8]\nc -> Nullable<Varbit>,\n",
                RAW_FIELD_TYPE,
            ),
            (
                SqlType::TimeTz,
                Postgres,
                "#[diesel(postgres_type(name = \"timetz\", schema = \"pg_catalog\"))]\nc -> Nullable<Timetz>,\n",
                RAW_FIELD_TYPE,
            ),
            (SqlType::TimePrecision(3), Postgres, "c -> Nullable<Time>,\n", "chrono::NaiveTime"),
            (SqlType::TimestampPrecision(3), Postgres, "c -> Nullable<Timestamp>,\n", "chrono::NaiveDateTime"),
            (SqlType::TimestampTzPrecision(3), Postgres, "c -> Nullable<Timestamptz>,\n", "chrono::DateTime<chrono::Utc>"),
            (SqlType::Custom("timestamp(3) with time zone".into()), Postgres, "c -> Nullable<Timestamptz>,\n", "chrono::DateTime<chrono::Utc>"),
            (
                SqlType::Custom("tsvector".into()),
                Postgres,
                "#[diesel(postgres_type(name = \"tsvector\", schema = \"pg_catalog\"))]\nc -> Nullable<Tsvector>,\n",
                RAW_FIELD_TYPE,
            ),
            (
                SqlType::Custom("ltree".into()),
                Postgres,
                "#[diesel(postgres_type(name = \"ltree\"))]\nc -> Nullable<Ltree>,\n",
                RAW_FIELD_TYPE,
            ),
            (SqlType::Custom("citext".into()), Postgres, "c -> Nullable<Citext>,\n", "String"),
            (SqlType::TinyInt, Mysql, "c -> Nullable<Tinyint>,\n", "i8"),
            // print-schema: a `Mediumint` / `Year` type in sql_types, which does not compile.
            (SqlType::MediumInt, Mysql, "c -> Nullable<Integer>,\n", "i32"),
            (SqlType::Year, Mysql, "c -> Nullable<Smallint>,\n", "i16"),
            (u(SqlType::TinyInt), Mysql, "c -> Nullable<Unsigned<Tinyint>>,\n", "u8"),
            (u(SqlType::SmallInt), Mysql, "c -> Nullable<Unsigned<Smallint>>,\n", "u16"),
            (u(SqlType::MediumInt), Mysql, "c -> Nullable<Unsigned<Integer>>,\n", "u32"),
            (u(SqlType::Integer), Mysql, "c -> Nullable<Unsigned<Integer>>,\n", "u32"),
            (u(SqlType::BigInt), Mysql, "c -> Nullable<Unsigned<Bigint>>,\n", "u64"),
            (SqlType::Custom("int(10) unsigned".into()), Mysql, "c -> Nullable<Unsigned<Integer>>,\n", "u32"),
            (SqlType::Timestamp, Mysql, "c -> Nullable<Datetime>,\n", "chrono::NaiveDateTime"),
            (SqlType::TimestampPrecision(3), Mysql, "c -> Nullable<Datetime>,\n", "chrono::NaiveDateTime"),
            // TIMESTAMP: Diesel's `Timestamp`, which loads into a NaiveDateTime only.
            (SqlType::TimestampTz, Mysql, "c -> Nullable<Timestamp>,\n", "chrono::NaiveDateTime"),
            (SqlType::TimestampTzPrecision(6), Mysql, "c -> Nullable<Timestamp>,\n", "chrono::NaiveDateTime"),
            (SqlType::TinyText, Mysql, "c -> Nullable<Tinytext>,\n", "String"),
            (SqlType::MediumText, Mysql, "c -> Nullable<Mediumtext>,\n", "String"),
            (SqlType::LongText, Mysql, "c -> Nullable<Longtext>,\n", "String"),
            (SqlType::TinyBlob, Mysql, "c -> Nullable<Tinyblob>,\n", "Vec<u8>"),
            (SqlType::MediumBlob, Mysql, "c -> Nullable<Mediumblob>,\n", "Vec<u8>"),
            (SqlType::LongBlob, Mysql, "c -> Nullable<Longblob>,\n", "Vec<u8>"),
            (SqlType::FixedBinary(4), Mysql, "#[max_length = 4]\nc -> Nullable<Binary>,\n", "Vec<u8>"),
            (SqlType::VarBinary(10), Mysql, "#[max_length = 10]\nc -> Nullable<Varbinary>,\n", "Vec<u8>"),
            (SqlType::Bit(3), Mysql, "c -> Nullable<Bit>,\n", "Vec<u8>"),
            (SqlType::Char(5), Mysql, "#[max_length = 5]\nc -> Nullable<Char>,\n", "String"),
            (SqlType::Boolean, Mysql, "c -> Nullable<Bool>,\n", "bool"),
            (
                SqlType::set(&["a", "bb"]),
                Mysql,
                "#[diesel(mysql_type(name = \"Set\"))]\n#[max_length = 4]\nc -> Nullable<TCSet>,\n",
                RAW_FIELD_TYPE,
            ),
            (
                SqlType::Custom("uuid".into()),
                Mysql,
                "#[diesel(mysql_type(name = \"String\"))]\nc -> Nullable<TCUuid>,\n",
                RAW_FIELD_TYPE,
            ),
            (
                SqlType::Custom("point".into()),
                Mysql,
                "#[diesel(mysql_type(name = \"Blob\"))]\nc -> Nullable<TCPoint>,\n",
                RAW_FIELD_TYPE,
            ),
            (SqlType::Custom("INT".into()), Sqlite, "c -> Nullable<Integer>,\n", "i32"),
            (SqlType::Custom("DECIMAL(10,2)".into()), Sqlite, "c -> Nullable<Double>,\n", "f64"),
            (SqlType::Custom("datetime".into()), Sqlite, "c -> Nullable<Timestamp>,\n", "chrono::NaiveDateTime"),
            (SqlType::Custom("VARCHAR(20)".into()), Sqlite, "c -> Nullable<Text>,\n", "String"),
            (SqlType::Char(5), Sqlite, "c -> Nullable<Text>,\n", "String"),
            // No declared type, and the declared types SQLite takes that only its affinity
            // rules read.
            (SqlType::Custom(String::new()), Sqlite, "c -> Nullable<Binary>,\n", "Vec<u8>"),
            (SqlType::Custom("GENERATED ALWAYS".into()), Sqlite, "c -> Nullable<Binary>,\n", "Vec<u8>"),
            (SqlType::Custom("VARCHAR(10, 5)".into()), Sqlite, "c -> Nullable<Text>,\n", "String"),
            (SqlType::Custom("UNSIGNED BIG INT".into()), Sqlite, "c -> Nullable<BigInt>,\n", "i64"),
            (SqlType::Custom("NATIVE CHARACTER(70)".into()), Sqlite, "c -> Nullable<Text>,\n", "String"),
            (SqlType::Custom("DOUBLE PRECISION".into()), Sqlite, "c -> Nullable<Double>,\n", "f64"),
            // print-schema refuses these; any value loads as bytes.
            (SqlType::Custom("weird type".into()), Sqlite, "c -> Nullable<Binary>,\n", "Vec<u8>"),
            (SqlType::Custom("JSONB".into()), Sqlite, "c -> Nullable<Binary>,\n", "Vec<u8>"),
        ];
        for (ty, backend, lines, rust) in cases {
            assert_eq!(
                column_lines(ty.clone(), backend),
                lines,
                "{ty:?} on {backend:?}"
            );
            assert_eq!(
                rust_type(&ty, backend).as_deref(),
                Some(rust),
                "{ty:?} on {backend:?}"
            );
        }
    }

    #[test]
    fn keyless_tables_are_named_on_the_servers() {
        let schema = Schema::new(vec![
            table("log", &[], vec![int("x")]),
            table("t", &["id"], vec![int("id")]),
        ]);
        let pg = render_schema_rs(&schema, Backend::Postgres);
        assert!(
            pg.contains(
                "// Left out: table `log` has no primary key, which Diesel's `table!` needs.\n"
            ),
            "{pg}"
        );
        assert!(!pg.contains("log ("), "{pg}");
        assert_eq!(left_out(&schema, Backend::Sqlite), Vec::<String>::new());
    }

    #[test]
    fn features_follow_types_and_widths() {
        let mut columns = vec![Column::new("id", SqlType::Integer)];
        for i in 0..20 {
            columns.push(Column::new(format!("c{i}"), SqlType::Timestamp));
        }
        columns.push(Column::new("n", SqlType::Numeric(None)));
        columns.push(Column::new("ip", SqlType::Inet));
        let schema = Schema::new(vec![table("wide", &["id"], columns)]);
        assert_eq!(
            diesel_features(&schema, Backend::Postgres),
            ["32-column-tables", "chrono", "network-address", "numeric"]
        );
    }

    #[test]
    fn an_empty_schema_is_the_header_alone() {
        assert_eq!(
            render_schema_rs(&Schema::default(), Backend::Postgres),
            "// @generated automatically by Diesel CLI.\n"
        );
    }

    #[test]
    fn rust_names_follow_print_schema() {
        for (sql, table, rust) in [
            ("posts", None, "posts"),
            ("type", None, "type_"),
            ("match", None, "match_"),
            ("order", None, "order"),
            ("self", Some("t"), "self_"),
            ("table", Some("t"), "table_"),
            ("columns", Some("t"), "columns_"),
            ("is_nullable", Some("t"), "is_nullable_"),
            ("due date", Some("t"), "due_date"),
            ("a  b", Some("t"), "a_b"),
            ("a_ b", Some("t"), "a__b"),
            ("1st", Some("t"), "_1st"),
            ("1weird table", None, "_1weird_table"),
            ("__x", Some("t"), "__x_"),
            ("__x_", Some("t"), "__x_"),
            ("Due Date", Some("t"), "Due_Date"),
            ("posts", Some("posts"), "posts_"),
        ] {
            assert_eq!(rust_name(sql, table), rust, "{sql}");
        }
    }

    /// print-schema's joinable rules, checked against its output for the same tables.
    #[test]
    fn joinable_only_for_unambiguous_single_column_keys_to_a_single_key() {
        let parent = table("parent", &["id"], vec![int("id"), int("code")]);
        let pair = table("pair", &["k1", "k2"], vec![int("k1"), int("k2")]);
        let mut child = table(
            "child",
            &["id"],
            vec![
                int("id"),
                int("parent_id"),
                int("code"),
                int("k1"),
                int("k2"),
            ],
        );
        child.foreign_keys = vec![
            fk(&["parent_id"], "parent", &["id"]),
            // To a composite key: no joinable.
            fk(&["k1", "k2"], "pair", &["k1", "k2"]),
        ];
        // Two keys to the same table: neither.
        let mut message = table(
            "message",
            &["id"],
            vec![int("id"), int("sender_id"), int("recipient_id")],
        );
        message.foreign_keys = vec![
            fk(&["sender_id"], "parent", &["id"]),
            fk(&["recipient_id"], "parent", &["id"]),
        ];
        // To itself, to a column that is not the key, to a hidden table: none.
        let mut other = table(
            "other",
            &["id"],
            vec![int("id"), int("up_id"), int("code"), int("h")],
        );
        other.foreign_keys = vec![
            fk(&["up_id"], "other", &["id"]),
            fk(&["code"], "parent", &["code"]),
            fk(&["h"], "__hidden", &["id"]),
        ];
        // A key each way between two tables: neither.
        let mut a = table("a", &["id"], vec![int("id"), int("b_id")]);
        a.foreign_keys = vec![fk(&["b_id"], "b", &["id"])];
        let mut b = table("b", &["id"], vec![int("id"), int("a_id")]);
        b.foreign_keys = vec![fk(&["a_id"], "a", &["id"])];
        // A keyword table: its Rust name.
        let mut kw = table("match", &["id"], vec![int("id"), int("type")]);
        kw.foreign_keys = vec![fk(&["type"], "parent", &["id"])];
        let hidden = table("__hidden", &["id"], vec![int("id")]);
        let schema = Schema::new(vec![parent, pair, child, message, other, a, b, kw, hidden]);
        let text = render_schema_rs(&schema, Backend::Postgres);
        let joins: Vec<&str> = text.lines().filter(|l| l.contains("joinable")).collect();
        assert_eq!(
            joins,
            [
                "diesel::joinable!(child -> parent (parent_id));",
                "diesel::joinable!(match_ -> parent (type_));",
            ]
        );
        assert!(!text.contains("__hidden"), "{text}");
        assert!(
            text.contains("    #[sql_name = \"match\"]\n    match_ (id) {\n"),
            "{text}"
        );
    }

    /// A `bigint` foreign key to an `INTEGER` key (Django's tables on SQLite): no `joinable!`,
    /// which would not compile; the same key of the key's type gets one.
    #[test]
    fn joinable_only_between_columns_of_one_type() {
        let parent = table("parent", &["id"], vec![int("id")]);
        let mut wide = table(
            "wide",
            &["id"],
            vec![int("id"), Column::new("parent_id", SqlType::BigInt)],
        );
        wide.foreign_keys = vec![fk(&["parent_id"], "parent", &["id"])];
        let mut nullable = table("nullable", &["id"], vec![int("id"), int("parent_id")]);
        nullable.columns[1].nullable = true;
        nullable.foreign_keys = vec![fk(&["parent_id"], "parent", &["id"])];
        let schema = Schema::new(vec![parent, wide, nullable]);
        for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
            let text = render_schema_rs(&schema, backend);
            let joins: Vec<&str> = text.lines().filter(|l| l.contains("joinable")).collect();
            assert_eq!(
                joins,
                ["diesel::joinable!(nullable -> parent (parent_id));"],
                "{backend:?}"
            );
        }
    }

    #[test]
    fn sqlite_keys_a_table_without_primary_key_by_rowid() {
        let plain = table("plain", &[], vec![int("x")]);
        let shadowed = table("shadowed", &[], vec![Column::new("rowid", SqlType::Text)]);
        let mut child = table("child", &["id"], vec![int("id"), int("plain_id")]);
        child.foreign_keys = vec![fk(&["plain_id"], "plain", &[])];
        let schema = Schema::new(vec![plain, shadowed, child]);
        insta::assert_snapshot!(render_schema_rs(&schema, Backend::Sqlite));
        // PostgreSQL and MySQL: print-schema refuses such tables; they are left out.
        let text = render_schema_rs(&schema, Backend::Postgres);
        assert!(!text.contains("plain ("), "{text}");
    }

    /// Types outside the vocabulary as PostgreSQL introspection spells them; the expected text
    /// is what print-schema 2.3.14 printed for such a table (with `diesel setup`'s derives).
    #[test]
    fn postgres_custom_types() {
        let columns = [
            ("m", "mood", false),
            ("m2", "mood", true),
            ("w", "\"Weird Type\"", true),
            ("arr", "integer[]", false),
            ("tarr", "text[]", true),
            ("ch", "character(10)", false),
            ("ch1", "character(1)", true),
            ("j", "json", true),
            ("iv", "interval", true),
            ("ip", "inet", true),
            ("tz", "time with time zone", true),
            ("x", "xml", true),
        ];
        let mut cols = vec![int("id")];
        for (name, ty, nullable) in columns {
            cols.push(Column {
                nullable,
                ..Column::new(name, SqlType::Custom(ty.into()))
            });
        }
        let schema = Schema::new(vec![table("things", &["id"], cols)]);
        insta::assert_snapshot!(render_schema_rs(&schema, Backend::Postgres));
    }

    /// MySQL column types outside the vocabulary, as `COLUMN_TYPE` spells them; checked against
    /// print-schema 2.3.14 on MariaDB.
    #[test]
    fn mysql_custom_types() {
        let columns = [
            ("st", "enum('a','bb')", false),
            ("st2", "enum('x')", true),
            ("ss", "set('p','q')", true),
            ("b", "tinyint(1)", true),
            ("ti", "tinyint(4)", true),
            ("mt", "mediumtext", true),
            ("vb", "varbinary(10)", true),
            ("bn", "binary(4)", true),
            ("yr", "year(4)", true),
            ("bt", "bit(1)", true),
            ("ub", "bigint(20) unsigned", false),
            ("ch", "char(5)", true),
        ];
        let mut cols = vec![Column::new(
            "id",
            SqlType::Custom("int(10) unsigned".into()),
        )];
        for (name, ty, nullable) in columns {
            cols.push(Column {
                nullable,
                ..Column::new(name, SqlType::Custom(ty.into()))
            });
        }
        let schema = Schema::new(vec![table("things", &["id"], cols)]);
        insta::assert_snapshot!(render_schema_rs(&schema, Backend::Mysql));
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    /// rustfmt on the call as print-schema writes it, or `None` without rustfmt.
    fn rustfmt(names: &[&str]) -> Option<String> {
        use std::io::Write as _;
        let mut source = String::from("diesel::allow_tables_to_appear_in_same_query!(\n");
        for name in names {
            source.push_str(&format!("    {name},\n"));
        }
        source.push_str(");\n");
        let mut child = std::process::Command::new("rustfmt")
            .args(["--edition", "2015"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .ok()?;
        child.stdin.take()?.write_all(source.as_bytes()).ok()?;
        let out = child.wait_with_output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap())
    }

    #[test]
    fn allow_tables_layout_matches_rustfmt() {
        let mut seed = 0x2545_f491_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        // The edges: one line up to 52 characters of names and separators; lines of short
        // names up to 95 characters.
        let edges: Vec<Vec<String>> = vec![
            vec!["a".repeat(20), "b".repeat(30)],
            vec!["a".repeat(20), "b".repeat(31)],
            vec!["a".repeat(10), "b".repeat(40)],
            (0..8).map(|i| format!("t{i:09}")).collect(),
            (0..9).map(|i| format!("t{i:09}")).collect(),
            (0..16).map(|i| format!("t{i:09}")).collect(),
            (0..24).map(|i| format!("t{i:04}")).collect(),
            (0..25).map(|i| format!("t{i:04}")).collect(),
        ];
        for names in &edges {
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let Some(expected) = rustfmt(&names) else {
                eprintln!("rustfmt not found: layout not compared");
                return;
            };
            assert_eq!(allow_tables_macro(&names), expected, "{names:?}");
        }
        let mut checked = 0;
        for case in 0..200 {
            let count = 2 + next(if case % 2 == 0 { 8 } else { 20 }) as usize;
            let long = case % 3 == 0;
            let names: Vec<String> = (0..count)
                .map(|i| {
                    let len = 1 + next(if long { 30 } else { 11 }) as usize;
                    let mut name = format!("t{i}");
                    while name.len() < len {
                        name.push((b'a' + next(26) as u8) as char);
                    }
                    name
                })
                .collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let Some(expected) = rustfmt(&names) else {
                eprintln!("rustfmt not found: layout not compared");
                return;
            };
            assert_eq!(allow_tables_macro(&names), expected, "{names:?}");
            checked += 1;
        }
        assert_eq!(checked, 200);
    }
}
