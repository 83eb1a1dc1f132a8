//! The schema as this project understands it: tables, columns, keys, indexes and constraints.
//!
//! Both readers of the models, the snapshot, the diff, the code generator and the dialects speak
//! these types. They are plain data: no I/O, no database.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A whole database schema: every table, sorted by name, and the enum types its columns use.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Schema {
    /// Tables, kept sorted by name so that equal schemas compare and serialise equal.
    pub tables: Vec<Table>,
    /// Enum types, sorted by name. One exists exactly while a column uses it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// The objects that are not tables (views, functions, triggers, ...), sorted by key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<crate::objects::DbObject>,
}

impl Schema {
    /// A schema of these tables, sorted into canonical order.
    pub fn new(tables: Vec<Table>) -> Self {
        let mut schema = Schema {
            tables,
            ..Schema::default()
        };
        schema.normalize();
        schema
    }

    /// A schema of these tables and enum types, sorted into canonical order.
    pub fn with_enums(tables: Vec<Table>, enums: Vec<EnumType>) -> Self {
        let mut schema = Schema {
            tables,
            enums,
            ..Schema::default()
        };
        schema.normalize();
        schema
    }

    /// Sorts tables and their constraints so that equal schemas are equal values.
    pub fn normalize(&mut self) {
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.objects.sort_by_key(crate::objects::DbObject::key);
        for table in &mut self.tables {
            table.normalize();
        }
    }

    /// The table of this name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.position(name).map(|i| &self.tables[i])
    }

    /// The table of this name, mutably.
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.position(name).map(|i| &mut self.tables[i])
    }

    /// Where the table of this name is. Tables are kept sorted (every constructor and every
    /// operation keeps them so; tables pushed by hand need [`Schema::normalize`]), so a binary
    /// search finds it: a scan per lookup made the diff and the replay of a 1000-table
    /// migration quadratic.
    fn position(&self, name: &str) -> Option<usize> {
        self.tables
            .binary_search_by(|t| t.name.as_str().cmp(name))
            .ok()
    }

    /// The enum type of this name.
    pub fn enum_type(&self, name: &str) -> Option<&EnumType> {
        self.enums.iter().find(|e| e.name == name)
    }

    /// The values of the enum type `name`, empty when there is no such type.
    pub fn enum_values(&self, name: &str) -> &[String] {
        self.enum_type(name).map_or(&[], |e| e.values.as_slice())
    }

    /// Every `(table, column)` whose type is the enum `name`.
    pub fn enum_users(&self, name: &str) -> Vec<(&Table, &Column)> {
        self.tables
            .iter()
            .flat_map(|t| t.columns.iter().map(move |c| (t, c)))
            .filter(|(_, c)| c.ty.enum_name() == Some(name))
            .collect()
    }
}

/// A named enum type: PostgreSQL `CREATE TYPE ... AS ENUM`, a MySQL `ENUM(...)` column, a
/// SQLite text column with a CHECK of the values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    /// The type's name (`post_status`).
    pub name: String,
    /// The allowed values, in declaration order (PostgreSQL and MySQL sort by it).
    pub values: Vec<String>,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The table's name in the database.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// Primary key columns, in key order; empty when the table has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primary_key: Vec<String>,
    /// Indexes, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Unique constraints, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    /// Foreign keys, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Check constraints, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
}

impl Table {
    /// An empty table of this name.
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            indexes: Vec::new(),
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Sorts constraints by name; columns keep their declaration order.
    pub fn normalize(&mut self) {
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// The column of this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column of this name, mutably.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// Whether `column` is the table's single auto-incremented integer key.
    pub fn is_auto_increment_key(&self, column: &Column) -> bool {
        column.auto_increment && self.primary_key.len() == 1 && self.primary_key[0] == column.name
    }

    /// Tables this one refers to through its foreign keys (itself excluded).
    pub fn referenced_tables(&self) -> impl Iterator<Item = &str> {
        self.foreign_keys
            .iter()
            .map(|fk| fk.ref_table.as_str())
            .filter(move |t| *t != self.name)
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The column's name in the database.
    pub name: String,
    /// Its type, in the snapshot vocabulary.
    #[serde(rename = "type")]
    pub ty: SqlType,
    /// Whether it accepts NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Generated by the database: SQLite `INTEGER PRIMARY KEY`, PostgreSQL identity, MySQL
    /// `AUTO_INCREMENT`. Only meaningful on a single-column integer primary key.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_increment: bool,
    /// The server-side default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl Column {
    /// A NOT NULL column of this type.
    pub fn new(name: impl Into<String>, ty: SqlType) -> Self {
        Column {
            name: name.into(),
            ty,
            nullable: false,
            auto_increment: false,
            default: None,
        }
    }
}

/// A column default: a literal typed for the column, or a SQL expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultValue {
    /// `true` / `false`.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A float literal, kept as written (normalised) so that schemas stay `Eq`.
    Float(String),
    /// A string literal.
    Text(String),
    /// A SQL expression, written as given (`CURRENT_TIMESTAMP`).
    Sql(String),
}

impl fmt::Display for DefaultValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DefaultValue::Bool(b) => write!(f, "{b}"),
            DefaultValue::Int(i) => write!(f, "{i}"),
            DefaultValue::Float(x) => f.write_str(x),
            DefaultValue::Text(s) => write!(f, "{s:?}"),
            DefaultValue::Sql(s) => write!(f, "sql({s})"),
        }
    }
}

/// An index; `unique` makes it a unique index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    /// Deterministic name (`ix_posts_author_id`) or the one the user gave.
    pub name: String,
    /// Indexed columns, in order.
    pub columns: Vec<String>,
    /// A unique index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
}

/// A unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    /// Deterministic name (`uq_users_email`).
    pub name: String,
    /// Constrained columns, in order.
    pub columns: Vec<String>,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    /// Deterministic name (`fk_posts_author_id_users`).
    pub name: String,
    /// Referencing columns of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub ref_table: String,
    /// The referenced columns.
    pub ref_columns: Vec<String>,
    /// What a delete of the referenced row does.
    #[serde(default, skip_serializing_if = "FkAction::is_default")]
    pub on_delete: FkAction,
    /// What an update of the referenced key does.
    #[serde(default, skip_serializing_if = "FkAction::is_default")]
    pub on_update: FkAction,
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// The name the user gave (`ck_posts_title_len`).
    pub name: String,
    /// The SQL boolean expression.
    pub expr: String,
}

/// A referential action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    /// `NO ACTION`, every database's default.
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

impl FkAction {
    fn is_default(&self) -> bool {
        *self == FkAction::NoAction
    }

    /// The SQL spelling.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }

    /// Parses the attribute spelling (`"cascade"`, `"set null"`, ...).
    pub fn parse(text: &str) -> Option<FkAction> {
        Some(match text.to_ascii_lowercase().replace('_', " ").as_str() {
            "no action" => FkAction::NoAction,
            "restrict" => FkAction::Restrict,
            "cascade" => FkAction::Cascade,
            "set null" => FkAction::SetNull,
            "set default" => FkAction::SetDefault,
            _ => return None,
        })
    }
}

/// A column type of the snapshot vocabulary.
///
/// Written in the snapshot and in migration modules by its SQL-like spelling (`varchar(200)`,
/// `numeric(10,2)`), which is what reviewers read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SqlType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// 32-bit float.
    Real,
    /// 64-bit float.
    Double,
    /// Exact decimal with optional precision and scale.
    Numeric(Option<(u32, u32)>),
    /// Boolean.
    Boolean,
    /// Unbounded text.
    #[default]
    Text,
    /// Text of at most N characters.
    Varchar(u32),
    /// Bytes.
    Binary,
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Date and time without zone.
    Timestamp,
    /// Date and time with zone.
    TimestampTz,
    /// UUID.
    Uuid,
    /// JSON document.
    Json,
    /// A value of the schema's enum type of this name.
    Enum(String),
    /// A type outside the vocabulary, in the database's own spelling.
    Custom(String),
}

impl SqlType {
    /// Integer types, the ones that can auto-increment.
    pub fn is_integer(&self) -> bool {
        matches!(self, SqlType::SmallInt | SqlType::Integer | SqlType::BigInt)
    }

    /// The enum type's name, for an enum column.
    pub fn enum_name(&self) -> Option<&str> {
        match self {
            SqlType::Enum(name) => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlType::SmallInt => f.write_str("smallint"),
            SqlType::Integer => f.write_str("integer"),
            SqlType::BigInt => f.write_str("bigint"),
            SqlType::Real => f.write_str("real"),
            SqlType::Double => f.write_str("double"),
            SqlType::Numeric(None) => f.write_str("numeric"),
            SqlType::Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            SqlType::Boolean => f.write_str("boolean"),
            SqlType::Text => f.write_str("text"),
            SqlType::Varchar(n) => write!(f, "varchar({n})"),
            SqlType::Binary => f.write_str("binary"),
            SqlType::Date => f.write_str("date"),
            SqlType::Time => f.write_str("time"),
            SqlType::Timestamp => f.write_str("timestamp"),
            SqlType::TimestampTz => f.write_str("timestamptz"),
            SqlType::Uuid => f.write_str("uuid"),
            SqlType::Json => f.write_str("json"),
            SqlType::Enum(s) => write!(f, "enum({s})"),
            SqlType::Custom(s) => write!(f, "custom({s})"),
        }
    }
}

/// A type spelling that is not in the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown column type `{0}`, expected one of smallint, integer, bigint, real, double, numeric, numeric(P,S), boolean, text, varchar(N), binary, date, time, timestamp, timestamptz, uuid, json, enum(NAME), custom(...)")]
pub struct UnknownType(pub String);

impl FromStr for SqlType {
    type Err = UnknownType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || UnknownType(text.to_string());
        let trimmed = text.trim();
        let lower = trimmed.to_ascii_lowercase();
        if let Some(inner) = lower
            .strip_prefix("custom(")
            .and_then(|r| r.strip_suffix(')'))
        {
            // Keep the user's spelling of a custom type.
            let _ = inner;
            return Ok(SqlType::Custom(trimmed[7..trimmed.len() - 1].to_string()));
        }
        if let Some(inner) = lower
            .strip_prefix("enum(")
            .and_then(|r| r.strip_suffix(')'))
        {
            if inner.trim().is_empty() {
                return Err(err());
            }
            // An enum type's name keeps its spelling.
            return Ok(SqlType::Enum(
                trimmed[5..trimmed.len() - 1].trim().to_string(),
            ));
        }
        let (head, args) = match lower.find('(') {
            Some(open) if lower.ends_with(')') => {
                let args: Vec<&str> = lower[open + 1..lower.len() - 1]
                    .split(',')
                    .map(str::trim)
                    .collect();
                (lower[..open].trim(), Some(args))
            }
            Some(_) => return Err(err()),
            None => (lower.as_str(), None),
        };
        let number = |s: &str| s.parse::<u32>().map_err(|_| err());
        Ok(match (head, args.as_deref()) {
            ("smallint", None) => SqlType::SmallInt,
            ("integer", None) => SqlType::Integer,
            ("bigint", None) => SqlType::BigInt,
            ("real", None) => SqlType::Real,
            ("double", None) => SqlType::Double,
            ("numeric", None) => SqlType::Numeric(None),
            ("numeric", Some([p, s])) => SqlType::Numeric(Some((number(p)?, number(s)?))),
            ("boolean", None) => SqlType::Boolean,
            ("text", None) => SqlType::Text,
            ("varchar", Some([n])) => SqlType::Varchar(number(n)?),
            ("binary", None) => SqlType::Binary,
            ("date", None) => SqlType::Date,
            ("time", None) => SqlType::Time,
            ("timestamp", None) => SqlType::Timestamp,
            ("timestamptz", None) => SqlType::TimestampTz,
            ("uuid", None) => SqlType::Uuid,
            ("json", None) => SqlType::Json,
            _ => return Err(err()),
        })
    }
}

impl Serialize for SqlType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SqlType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The longest identifier every supported database accepts (PostgreSQL's 63 bytes).
pub const MAX_IDENTIFIER_LEN: usize = 63;

/// A deterministic constraint or index name: `prefix_table_columns[_suffix]`, shortened with a
/// stable hash when it would exceed [`MAX_IDENTIFIER_LEN`], so `down` can always name what `up`
/// created.
pub fn constraint_name(
    prefix: &str,
    table: &str,
    columns: &[String],
    suffix: Option<&str>,
) -> String {
    let mut name = format!("{prefix}_{table}_{}", columns.join("_"));
    if let Some(suffix) = suffix {
        name.push('_');
        name.push_str(suffix);
    }
    if name.len() <= MAX_IDENTIFIER_LEN {
        return name;
    }
    let hash = fnv1a(name.as_bytes());
    let keep = floor_char_boundary(&name, MAX_IDENTIFIER_LEN - 9);
    format!("{}_{:08x}", &name[..keep], hash as u32)
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// FNV-1a: tiny, stable across platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_spellings_round_trip() {
        for ty in [
            SqlType::SmallInt,
            SqlType::Integer,
            SqlType::BigInt,
            SqlType::Real,
            SqlType::Double,
            SqlType::Numeric(None),
            SqlType::Numeric(Some((10, 2))),
            SqlType::Boolean,
            SqlType::Text,
            SqlType::Varchar(200),
            SqlType::Binary,
            SqlType::Date,
            SqlType::Time,
            SqlType::Timestamp,
            SqlType::TimestampTz,
            SqlType::Uuid,
            SqlType::Json,
            SqlType::Enum("post_status".into()),
            SqlType::Custom("tsvector".into()),
        ] {
            assert_eq!(ty.to_string().parse::<SqlType>().unwrap(), ty);
        }
    }

    #[test]
    fn type_parse_rejects_unknown_and_malformed() {
        assert!("varchar".parse::<SqlType>().is_err());
        assert!("varchar(x)".parse::<SqlType>().is_err());
        assert!("numeric(10)".parse::<SqlType>().is_err());
        assert!("strnig".parse::<SqlType>().is_err());
        assert_eq!(
            "VARCHAR( 12 )".parse::<SqlType>().unwrap(),
            SqlType::Varchar(12)
        );
    }

    #[test]
    fn long_constraint_names_are_shortened_stably() {
        let cols = vec!["a_very_long_column_name_that_goes_on".to_string(); 3];
        let name = constraint_name("ix", "some_table", &cols, None);
        assert!(name.len() <= MAX_IDENTIFIER_LEN);
        assert_eq!(name, constraint_name("ix", "some_table", &cols, None));
        assert_ne!(name, constraint_name("ix", "some_tablf", &cols, None));
        assert_eq!(
            constraint_name("fk", "posts", &["author_id".into()], Some("users")),
            "fk_posts_author_id_users"
        );
    }
}
