//! The schema as this project understands it: tables, columns, keys, indexes and constraints.
//!
//! Both readers of the models, the snapshot, the diff, the code generator and the dialects speak
//! these types. They are plain data: no I/O, no database.

use std::fmt;
use std::str::FromStr;

use migrate_derive_core::spelling::{self, TypeSpelling};
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

    /// The object (view, function, trigger, ...) with this key. Objects are kept sorted by key.
    pub fn object(&self, key: &crate::objects::ObjectKey) -> Option<&crate::objects::DbObject> {
        self.objects
            .binary_search_by(|o| o.key().cmp(key))
            .ok()
            .map(|i| &self.objects[i])
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
///
/// In `snapshot.json` the [`TableOptions`] sit beside the other fields, each left out while it
/// has its default, so that a table using none of them reads and writes as before they existed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "TableFields")]
pub struct Table {
    /// The table's name in the database.
    pub name: String,
    /// Columns in declaration order.
    pub columns: Vec<Column>,
    /// Primary key columns, in key order; empty when the table has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub primary_key: Vec<String>,
    /// The primary key constraint's name; `None` is the backend's own (PostgreSQL
    /// `<table>_pkey`, MySQL `PRIMARY`, none on SQLite).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_key_name: Option<String>,
    /// Indexes, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    /// Unique constraints, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    /// Foreign keys, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Check constraints, sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Exclusion constraints (PostgreSQL), sorted by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<Exclusion>,
    /// Comment, storage and kind of the table.
    #[serde(flatten)]
    pub options: TableOptions,
}

/// The fields of a [`Table`] as `snapshot.json` holds them, options inline. Reading through
/// this flat struct instead of `#[serde(flatten)]` keeps reading a snapshot a single pass:
/// flatten buffers every field of every table before it reads them.
#[derive(Deserialize)]
struct TableFields {
    name: String,
    columns: Vec<Column>,
    #[serde(default)]
    primary_key: Vec<String>,
    #[serde(default)]
    primary_key_name: Option<String>,
    #[serde(default)]
    indexes: Vec<Index>,
    #[serde(default)]
    uniques: Vec<Unique>,
    #[serde(default)]
    foreign_keys: Vec<ForeignKey>,
    #[serde(default)]
    checks: Vec<Check>,
    #[serde(default)]
    exclusions: Vec<Exclusion>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    charset: Option<String>,
    #[serde(default)]
    collation: Option<String>,
    #[serde(default)]
    without_rowid: bool,
    #[serde(default)]
    strict: bool,
    #[serde(default)]
    partition_by: Option<String>,
    #[serde(default)]
    partition_of: Option<PartitionOf>,
    #[serde(default)]
    inherits: Vec<String>,
    #[serde(default)]
    unlogged: bool,
    #[serde(default)]
    with: Option<String>,
}

impl From<TableFields> for Table {
    fn from(f: TableFields) -> Table {
        Table {
            name: f.name,
            columns: f.columns,
            primary_key: f.primary_key,
            primary_key_name: f.primary_key_name,
            indexes: f.indexes,
            uniques: f.uniques,
            foreign_keys: f.foreign_keys,
            checks: f.checks,
            exclusions: f.exclusions,
            options: TableOptions {
                comment: f.comment,
                engine: f.engine,
                charset: f.charset,
                collation: f.collation,
                without_rowid: f.without_rowid,
                strict: f.strict,
                partition_by: f.partition_by,
                partition_of: f.partition_of,
                inherits: f.inherits,
                unlogged: f.unlogged,
                with: f.with,
            },
        }
    }
}

/// What a table is beyond its columns and constraints: its comment, the storage options of
/// MySQL and SQLite, and PostgreSQL's partitioning and inheritance. Every field's default is
/// the backend's default.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableOptions {
    /// The table's comment (PostgreSQL `COMMENT ON TABLE`, MySQL `COMMENT=`; SQLite has none,
    /// and the snapshot keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// MySQL storage engine (`InnoDB`); `None` is the server's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// MySQL default character set of the table; `None` is the database's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// MySQL default collation of the table; `None` is the character set's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// SQLite `WITHOUT ROWID`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub without_rowid: bool,
    /// SQLite `STRICT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
    /// PostgreSQL `PARTITION BY`, as `pg_get_partkeydef` prints it: `RANGE (created_at)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// PostgreSQL: the table is a partition of another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// PostgreSQL `INHERITS` parents, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inherits: Vec<String>,
    /// PostgreSQL `UNLOGGED`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unlogged: bool,
    /// PostgreSQL storage parameters, as it prints them (`fillfactor=70, autovacuum_enabled=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
}

impl TableOptions {
    /// Whether every option has its default.
    pub fn is_default(&self) -> bool {
        *self == TableOptions::default()
    }

    /// The tables these options name: the partitioned parent and the inherited tables.
    pub fn parents(&self) -> impl Iterator<Item = &str> {
        self.partition_of
            .iter()
            .map(|p| p.parent.as_str())
            .chain(self.inherits.iter().map(String::as_str))
    }
}

/// PostgreSQL: the parent a partition belongs to, and the values it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    /// The partitioned table.
    pub parent: String,
    /// The bound, as `pg_get_expr(relpartbound)` prints it: `FOR VALUES FROM ('2024-01-01')
    /// TO ('2025-01-01')`, `DEFAULT`.
    pub bound: String,
}

impl Table {
    /// An empty table of this name.
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            ..Table::default()
        }
    }

    /// Sorts constraints by name; columns keep their declaration order.
    pub fn normalize(&mut self) {
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
        self.exclusions.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// The column of this name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column of this name, mutably.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// The index of this name.
    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
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

    /// Tables this one depends on to exist: those its foreign keys reference, the one it is a
    /// partition of and those it inherits from (itself excluded).
    pub fn required_tables(&self) -> impl Iterator<Item = &str> {
        self.referenced_tables()
            .chain(self.options.parents().filter(move |t| *t != self.name))
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Column {
    /// The column's name in the database.
    pub name: String,
    /// Its type, in the snapshot vocabulary.
    #[serde(rename = "type")]
    pub ty: SqlType,
    /// Whether it accepts NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Generated by the database: SQLite `INTEGER PRIMARY KEY`, PostgreSQL identity or serial,
    /// MySQL `AUTO_INCREMENT`; [`Column::identity`] says how where the backend has several ways.
    #[serde(default, skip_serializing_if = "is_false")]
    pub auto_increment: bool,
    /// How an auto-incremented column is generated; `None` is the backend's default (PostgreSQL
    /// `GENERATED BY DEFAULT AS IDENTITY`, MySQL `AUTO_INCREMENT`, SQLite `INTEGER PRIMARY KEY`
    /// without `AUTOINCREMENT`). Only set with `auto_increment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// The server-side default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// MySQL `ON UPDATE` expression (`CURRENT_TIMESTAMP`, `CURRENT_TIMESTAMP(3)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    /// A generated column's expression (`GENERATED ALWAYS AS (...)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<Generated>,
    /// Collation (`C`, `NOCASE`, `utf8mb4_bin`); `None` is the type's or table's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// MySQL character set; `None` is the table's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charset: Option<String>,
    /// The column's comment (PostgreSQL `COMMENT ON COLUMN`, MySQL `COMMENT`; SQLite has none,
    /// and the snapshot keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
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
            ..Column::default()
        }
    }
}

/// How an auto-incremented column gets its values, where a backend has more than one way.
///
/// In `snapshot.json`: `"always"`, `"by_default"`, `"autoincrement"`, `"serial"`, or
/// `{"serial": "sequence_name"}` for a serial whose sequence has a name of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identity {
    /// PostgreSQL `serial`/`bigserial`/`smallserial`: a sequence owned by the column and a
    /// `nextval` default.
    Serial {
        /// The sequence's name; `None` is PostgreSQL's `<table>_<column>_seq`.
        sequence: Option<String>,
    },
    /// PostgreSQL `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// PostgreSQL `GENERATED BY DEFAULT AS IDENTITY`, spelled out.
    ByDefault,
    /// SQLite `INTEGER PRIMARY KEY AUTOINCREMENT`: ids are never reused.
    Autoincrement,
}

impl Identity {
    /// A serial column with PostgreSQL's own sequence name.
    pub const SERIAL: Identity = Identity::Serial { sequence: None };

    /// The spelling of the snapshot and of summaries: `serial`, `always`, ...
    pub fn keyword(&self) -> &'static str {
        match self {
            Identity::Serial { .. } => "serial",
            Identity::Always => "always",
            Identity::ByDefault => "by_default",
            Identity::Autoincrement => "autoincrement",
        }
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Identity::Serial {
                sequence: Some(sequence),
            } => write!(f, "serial ({sequence})"),
            other => f.write_str(other.keyword()),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum IdentityRepr {
    Keyword(String),
    Serial { serial: String },
}

impl Serialize for Identity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Identity::Serial {
                sequence: Some(sequence),
            } => IdentityRepr::Serial {
                serial: sequence.clone(),
            }
            .serialize(serializer),
            other => serializer.serialize_str(other.keyword()),
        }
    }
}

impl<'de> Deserialize<'de> for Identity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match IdentityRepr::deserialize(deserializer)? {
            IdentityRepr::Serial { serial } => Identity::Serial {
                sequence: Some(serial),
            },
            IdentityRepr::Keyword(word) => match word.as_str() {
                "serial" => Identity::SERIAL,
                "always" => Identity::Always,
                "by_default" => Identity::ByDefault,
                "autoincrement" => Identity::Autoincrement,
                other => {
                    return Err(serde::de::Error::custom(format!(
                        "unknown identity `{other}`, expected one of serial, always, by_default, autoincrement, {{\"serial\": \"<sequence>\"}}"
                    )))
                }
            },
        })
    }
}

/// A generated column: `GENERATED ALWAYS AS (expr) STORED` or `VIRTUAL`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// The expression, without the parentheses around it.
    pub expr: String,
    /// Stored in the row (`STORED`) rather than computed when read (`VIRTUAL`).
    #[serde(default)]
    pub stored: bool,
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
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Index {
    /// Deterministic name (`ix_posts_author_id`) or the one the user gave.
    pub name: String,
    /// Indexed columns and expressions, in order.
    pub columns: Vec<IndexColumn>,
    /// A unique index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// The access method, lower case (`gin`, `gist`, `brin`, `hash`, `spgist`; MySQL
    /// `fulltext`, `spatial`, `hash`); `None` is the default b-tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A partial index's `WHERE` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// PostgreSQL `INCLUDE` columns, stored in the index but not part of its key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// PostgreSQL storage parameters, as it prints them (`fillfactor=70, deduplicate_items=off`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<String>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT` on a unique index.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
    /// The index's comment (PostgreSQL `COMMENT ON INDEX`, MySQL `COMMENT`; SQLite has none,
    /// and the snapshot keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Index {
    /// A plain b-tree index on these columns.
    pub fn new<C: Into<IndexColumn>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = C>,
    ) -> Self {
        Index {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            ..Index::default()
        }
    }

    /// The names of the indexed columns, in order; expressions left out.
    pub fn column_names(&self) -> impl Iterator<Item = &str> {
        self.columns.iter().filter_map(IndexColumn::column_name)
    }

    /// The indexed columns when the index is a plain list of them (no expression, order,
    /// operator class, collation or prefix; no predicate): what can back a key or a foreign key.
    pub fn plain_columns(&self) -> Option<Vec<&str>> {
        if self.predicate.is_some() || self.method.as_ref().is_some_and(|m| m != "btree") {
            return None;
        }
        self.columns
            .iter()
            .map(|c| c.is_bare().then(|| c.column_name()).flatten())
            .collect()
    }

    /// Whether it is a unique index on exactly `columns`, in order, that a key can rely on.
    pub fn is_unique_on(&self, columns: &[String]) -> bool {
        self.unique
            && self
                .plain_columns()
                .is_some_and(|cols| cols.iter().copied().eq(columns.iter().map(String::as_str)))
    }

    /// Whether the index uses `column` anywhere: as a key column, in an expression, in the
    /// predicate or as an `INCLUDE` column. Expressions are matched by identifier, outside
    /// string literals.
    pub fn uses_column(&self, column: &str) -> bool {
        self.columns.iter().any(|c| match &c.target {
            IndexTarget::Column(name) => name == column,
            IndexTarget::Expression(expr) => mentions_identifier(expr, column),
        }) || self.include.iter().any(|c| c == column)
            || self
                .predicate
                .as_deref()
                .is_some_and(|p| mentions_identifier(p, column))
    }

    /// Whether its first elements are exactly `columns`, whole (no prefix length) and in this
    /// order: an index MySQL can use for a foreign key on them.
    pub fn leads_with(&self, columns: &[String]) -> bool {
        self.columns.len() >= columns.len()
            && self.columns.iter().zip(columns).all(|(element, name)| {
                element.column_name() == Some(name.as_str()) && element.length.is_none()
            })
    }

    /// Whether it is a plain index as the first vocabulary knew it: bare columns and `unique`,
    /// nothing else.
    pub fn is_simple(&self) -> bool {
        self.columns.iter().all(IndexColumn::is_bare)
            && self.method.is_none()
            && self.predicate.is_none()
            && self.include.is_empty()
            && self.with.is_none()
            && !self.nulls_not_distinct
    }
}

/// One element of an index: a column or an expression, with its order and options.
///
/// In `snapshot.json` a bare ascending column is its name (`"title"`), as before anything else
/// existed; anything else is an object: `{"column": "title", "descending": true, "nulls":
/// "last"}`, `{"expression": "lower(email)"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexColumn {
    /// What is indexed.
    pub target: IndexTarget,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` / `NULLS LAST`, only where it is not the direction's default (PostgreSQL
    /// puts NULLs last ascending, first descending).
    pub nulls: Option<Nulls>,
    /// The operator class, only where it is not the type's default (`gin_trgm_ops`).
    pub opclass: Option<String>,
    /// `COLLATE`, only where it is not the column's.
    pub collation: Option<String>,
    /// MySQL prefix length: the first N characters or bytes.
    pub length: Option<u32>,
}

/// What an index element indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexTarget {
    /// A column, by name.
    Column(String),
    /// An expression, as the database prints it (`lower(email)`), without outer parentheses.
    Expression(String),
}

impl Default for IndexTarget {
    fn default() -> Self {
        IndexTarget::Column(String::new())
    }
}

/// Where NULLs sort in an index element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nulls {
    /// `NULLS FIRST`.
    First,
    /// `NULLS LAST`.
    Last,
}

impl IndexColumn {
    /// The column `name`, ascending.
    pub fn column(name: impl Into<String>) -> Self {
        IndexColumn {
            target: IndexTarget::Column(name.into()),
            ..IndexColumn::default()
        }
    }

    /// The expression `expr` (`lower(email)`), ascending.
    pub fn expression(expr: impl Into<String>) -> Self {
        IndexColumn {
            target: IndexTarget::Expression(expr.into()),
            ..IndexColumn::default()
        }
    }

    /// Descending.
    pub fn desc(mut self) -> Self {
        self.descending = true;
        self
    }

    /// `NULLS FIRST`.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(Nulls::First);
        self
    }

    /// `NULLS LAST`.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(Nulls::Last);
        self
    }

    /// With the operator class `opclass`.
    pub fn opclass(mut self, opclass: impl Into<String>) -> Self {
        self.opclass = Some(opclass.into());
        self
    }

    /// With the collation `collation`.
    pub fn collation(mut self, collation: impl Into<String>) -> Self {
        self.collation = Some(collation.into());
        self
    }

    /// Only the first `length` characters (MySQL prefix index).
    pub fn length(mut self, length: u32) -> Self {
        self.length = Some(length);
        self
    }

    /// The column's name; `None` for an expression.
    pub fn column_name(&self) -> Option<&str> {
        match &self.target {
            IndexTarget::Column(name) => Some(name),
            IndexTarget::Expression(_) => None,
        }
    }

    /// Whether it is a bare ascending column with no option.
    pub fn is_bare(&self) -> bool {
        matches!(self.target, IndexTarget::Column(_))
            && !self.descending
            && self.nulls.is_none()
            && self.opclass.is_none()
            && self.collation.is_none()
            && self.length.is_none()
    }
}

impl fmt::Display for IndexColumn {
    /// As the summary shows it: `title`, `lower(email)`, `created_at DESC NULLS LAST`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            IndexTarget::Column(name) => f.write_str(name)?,
            IndexTarget::Expression(expr) => write!(f, "({expr})")?,
        }
        if let Some(length) = self.length {
            write!(f, "({length})")?;
        }
        if let Some(collation) = &self.collation {
            write!(f, " COLLATE {collation}")?;
        }
        if let Some(opclass) = &self.opclass {
            write!(f, " {opclass}")?;
        }
        if self.descending {
            f.write_str(" DESC")?;
        }
        match self.nulls {
            Some(Nulls::First) => f.write_str(" NULLS FIRST"),
            Some(Nulls::Last) => f.write_str(" NULLS LAST"),
            None => Ok(()),
        }
    }
}

impl From<&str> for IndexColumn {
    fn from(name: &str) -> Self {
        IndexColumn::column(name)
    }
}

impl From<String> for IndexColumn {
    fn from(name: String) -> Self {
        IndexColumn::column(name)
    }
}

impl From<&String> for IndexColumn {
    fn from(name: &String) -> Self {
        IndexColumn::column(name.as_str())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexColumnFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expression: Option<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    descending: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nulls: Option<Nulls>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    opclass: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    length: Option<u32>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum IndexColumnRepr {
    Name(String),
    Fields(IndexColumnFields),
}

impl Serialize for IndexColumn {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let (true, IndexTarget::Column(name)) = (self.is_bare(), &self.target) {
            return serializer.serialize_str(name);
        }
        let (column, expression) = match &self.target {
            IndexTarget::Column(name) => (Some(name.clone()), None),
            IndexTarget::Expression(expr) => (None, Some(expr.clone())),
        };
        IndexColumnFields {
            column,
            expression,
            descending: self.descending,
            nulls: self.nulls,
            opclass: self.opclass.clone(),
            collation: self.collation.clone(),
            length: self.length,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for IndexColumn {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let fields = match IndexColumnRepr::deserialize(deserializer)? {
            IndexColumnRepr::Name(name) => return Ok(IndexColumn::column(name)),
            IndexColumnRepr::Fields(fields) => fields,
        };
        let target = match (fields.column, fields.expression) {
            (Some(name), None) => IndexTarget::Column(name),
            (None, Some(expr)) => IndexTarget::Expression(expr),
            _ => {
                return Err(serde::de::Error::custom(
                    "an index column has either `column` or `expression`",
                ))
            }
        };
        Ok(IndexColumn {
            target,
            descending: fields.descending,
            nulls: fields.nulls,
            opclass: fields.opclass,
            collation: fields.collation,
            length: fields.length,
        })
    }
}

/// When a constraint is checked: `DEFERRABLE INITIALLY IMMEDIATE` or `INITIALLY DEFERRED`.
/// A constraint without it (`None`) is `NOT DEFERRABLE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Deferrable {
    /// `DEFERRABLE INITIALLY IMMEDIATE`: checked per statement unless a transaction defers it.
    Immediate,
    /// `DEFERRABLE INITIALLY DEFERRED`: checked at commit.
    Deferred,
}

impl Deferrable {
    /// The SQL clause.
    pub fn sql(self) -> &'static str {
        match self {
            Deferrable::Immediate => "DEFERRABLE INITIALLY IMMEDIATE",
            Deferrable::Deferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// A unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Unique {
    /// Deterministic name (`uq_users_email`) or the database's.
    pub name: String,
    /// Constrained columns, in order.
    pub columns: Vec<String>,
    /// Deferrable (PostgreSQL); `None` is `NOT DEFERRABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferrable: Option<Deferrable>,
    /// PostgreSQL 15 `NULLS NOT DISTINCT`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub nulls_not_distinct: bool,
}

impl Unique {
    /// A unique constraint `name` on `columns`.
    pub fn new(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Unique {
            name: name.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            ..Unique::default()
        }
    }
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ForeignKey {
    /// Deterministic name (`fk_posts_author_id_users`) or the database's.
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
    /// Deferrable (PostgreSQL, SQLite); `None` is `NOT DEFERRABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferrable: Option<Deferrable>,
    /// `MATCH FULL`: a key with some NULL columns must be all NULL.
    #[serde(default, skip_serializing_if = "is_false")]
    pub match_full: bool,
    /// PostgreSQL `NOT VALID`: existing rows were not checked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
}

/// A check constraint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Check {
    /// The name the user gave (`ck_posts_title_len`) or the database's.
    pub name: String,
    /// The SQL boolean expression.
    pub expr: String,
    /// PostgreSQL `NOT VALID`: existing rows were not checked.
    #[serde(default, skip_serializing_if = "is_false")]
    pub not_valid: bool,
    /// PostgreSQL `NO INHERIT`: child tables do not get it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub no_inherit: bool,
}

impl Check {
    /// A check constraint `name` of `expr`.
    pub fn new(name: impl Into<String>, expr: impl Into<String>) -> Self {
        Check {
            name: name.into(),
            expr: expr.into(),
            ..Check::default()
        }
    }
}

/// A PostgreSQL exclusion constraint.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Exclusion {
    /// The constraint's name.
    pub name: String,
    /// Everything after `EXCLUDE`, as `pg_get_constraintdef` prints it, without the
    /// deferrability: `USING gist (room_id WITH =, during WITH &&)`.
    pub definition: String,
    /// Deferrable; `None` is `NOT DEFERRABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferrable: Option<Deferrable>,
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

/// Whether the SQL text `expr` names the identifier `name` (bare or double-quoted, case
/// aside, outside string literals).
pub fn mentions_identifier(expr: &str, name: &str) -> bool {
    let mut chars = expr.char_indices().peekable();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    while let Some((at, c)) = chars.next() {
        if c == '\'' || c == '"' {
            let mut text = String::new();
            while let Some((_, d)) = chars.next() {
                if d == c {
                    if chars.peek().map(|&(_, e)| e) == Some(c) {
                        chars.next();
                        text.push(c);
                        continue;
                    }
                    break;
                }
                text.push(d);
            }
            if c == '"' && text.eq_ignore_ascii_case(name) {
                return true;
            }
        } else if is_ident(c) {
            let mut end = at + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !is_ident(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            if !c.is_ascii_digit() && expr[at..end].eq_ignore_ascii_case(name) {
                return true;
            }
        }
    }
    false
}

/// A column type of the snapshot vocabulary.
///
/// Written in the snapshot and in migration modules by its SQL-like spelling (`varchar(200)`,
/// `numeric(10,2)`, `integer unsigned`, `text[]`), which is what reviewers read. The variants
/// of the first vocabulary keep their shape (`Varchar(u32)`, `Timestamp`), so that the
/// migration modules written with them keep compiling: the forms added later are variants of
/// their own (`VarcharUnbounded`, `TimestampPrecision(3)`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SqlType {
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// 8-bit integer (MySQL `TINYINT`).
    TinyInt,
    /// 24-bit integer (MySQL `MEDIUMINT`).
    MediumInt,
    /// An unsigned integer type (MySQL): the boxed type is one of the integer types.
    Unsigned(Box<SqlType>),
    /// 32-bit float.
    Real,
    /// 64-bit float.
    Double,
    /// Exact decimal with optional precision and scale.
    Numeric(Option<(u32, u32)>),
    /// PostgreSQL `money`.
    Money,
    /// Boolean.
    Boolean,
    /// Unbounded text.
    #[default]
    Text,
    /// Text of at most N characters.
    Varchar(u32),
    /// `varchar` without a length (PostgreSQL): distinct from `text` for Diesel.
    VarcharUnbounded,
    /// Blank-padded text of N characters (`char(N)`, PostgreSQL `bpchar`).
    Char(u32),
    /// MySQL `TINYTEXT`.
    TinyText,
    /// MySQL `MEDIUMTEXT`.
    MediumText,
    /// MySQL `LONGTEXT`.
    LongText,
    /// Bytes.
    Binary,
    /// MySQL `BINARY(N)`: exactly N bytes.
    FixedBinary(u32),
    /// MySQL `VARBINARY(N)`: at most N bytes.
    VarBinary(u32),
    /// MySQL `TINYBLOB`.
    TinyBlob,
    /// MySQL `MEDIUMBLOB`.
    MediumBlob,
    /// MySQL `LONGBLOB`.
    LongBlob,
    /// `bit(N)`: exactly N bits.
    Bit(u32),
    /// `varbit(N)` / `varbit` (PostgreSQL `bit varying`).
    VarBit(Option<u32>),
    /// Calendar date.
    Date,
    /// Time of day.
    Time,
    /// Time of day with N fractional digits of seconds.
    TimePrecision(u32),
    /// Time of day with zone (PostgreSQL `timetz`).
    TimeTz,
    /// Time of day with zone and N fractional digits.
    TimeTzPrecision(u32),
    /// Date and time without zone.
    Timestamp,
    /// Date and time without zone, N fractional digits (MySQL `DATETIME(N)`).
    TimestampPrecision(u32),
    /// Date and time with zone (MySQL `TIMESTAMP`).
    TimestampTz,
    /// Date and time with zone, N fractional digits (MySQL `TIMESTAMP(N)`).
    TimestampTzPrecision(u32),
    /// PostgreSQL `interval`.
    Interval,
    /// MySQL `YEAR`.
    Year,
    /// UUID.
    Uuid,
    /// JSON document.
    Json,
    /// PostgreSQL `jsonb`.
    Jsonb,
    /// PostgreSQL `inet`.
    Inet,
    /// PostgreSQL `cidr`.
    Cidr,
    /// PostgreSQL `macaddr`.
    MacAddr,
    /// PostgreSQL `macaddr8`.
    MacAddr8,
    /// MySQL `SET('a','b')`: any subset of these values.
    Set(Vec<String>),
    /// A value of the schema's enum type of this name.
    Enum(String),
    /// An array of the element type (PostgreSQL).
    Array(Box<SqlType>),
    /// A type outside the vocabulary, in the database's own spelling; empty for a SQLite
    /// column declared without a type (`custom()`).
    Custom(String),
}

impl SqlType {
    /// The unsigned form of an integer type: `SqlType::unsigned(SqlType::Integer)`.
    pub fn unsigned(base: SqlType) -> SqlType {
        SqlType::Unsigned(Box::new(base))
    }

    /// An array of `element`: `SqlType::array(SqlType::Text)`.
    pub fn array(element: SqlType) -> SqlType {
        SqlType::Array(Box::new(element))
    }

    /// A MySQL set of these values: `SqlType::set(&["a", "b"])`.
    pub fn set(values: &[&str]) -> SqlType {
        SqlType::Set(values.iter().map(|v| v.to_string()).collect())
    }

    /// Integer types, the ones that can auto-increment (unsigned ones included).
    pub fn is_integer(&self) -> bool {
        match self {
            SqlType::SmallInt
            | SqlType::Integer
            | SqlType::BigInt
            | SqlType::TinyInt
            | SqlType::MediumInt => true,
            SqlType::Unsigned(base) => base.is_integer(),
            _ => false,
        }
    }

    /// Whether it is an unsigned integer type.
    pub fn is_unsigned(&self) -> bool {
        matches!(self, SqlType::Unsigned(_))
    }

    /// An array's element type.
    pub fn element(&self) -> Option<&SqlType> {
        match self {
            SqlType::Array(element) => Some(element),
            _ => None,
        }
    }

    /// Whether it holds text: `text`, `varchar`, `char` and MySQL's text sizes.
    pub fn is_textual(&self) -> bool {
        matches!(
            self,
            SqlType::Text
                | SqlType::Varchar(_)
                | SqlType::VarcharUnbounded
                | SqlType::Char(_)
                | SqlType::TinyText
                | SqlType::MediumText
                | SqlType::LongText
        )
    }

    /// Whether it is a time, timestamp or their zoned forms, with or without precision.
    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            SqlType::Time
                | SqlType::TimePrecision(_)
                | SqlType::TimeTz
                | SqlType::TimeTzPrecision(_)
                | SqlType::Timestamp
                | SqlType::TimestampPrecision(_)
                | SqlType::TimestampTz
                | SqlType::TimestampTzPrecision(_)
        )
    }

    /// The fractional-seconds precision of a time or timestamp type, when one is given.
    pub fn precision(&self) -> Option<u32> {
        match self {
            SqlType::TimePrecision(p)
            | SqlType::TimeTzPrecision(p)
            | SqlType::TimestampPrecision(p)
            | SqlType::TimestampTzPrecision(p) => Some(*p),
            _ => None,
        }
    }

    /// The same time or timestamp type with `precision` (`None`: the default one); any other
    /// type as it is.
    pub fn with_precision(self, precision: Option<u32>) -> SqlType {
        use SqlType::*;
        match (self, precision) {
            (Time | TimePrecision(_), None) => Time,
            (Time | TimePrecision(_), Some(p)) => TimePrecision(p),
            (TimeTz | TimeTzPrecision(_), None) => TimeTz,
            (TimeTz | TimeTzPrecision(_), Some(p)) => TimeTzPrecision(p),
            (Timestamp | TimestampPrecision(_), None) => Timestamp,
            (Timestamp | TimestampPrecision(_), Some(p)) => TimestampPrecision(p),
            (TimestampTz | TimestampTzPrecision(_), None) => TimestampTz,
            (TimestampTz | TimestampTzPrecision(_), Some(p)) => TimestampTzPrecision(p),
            (other, _) => other,
        }
    }

    /// The enum type's name, for an enum column or an array of an enum type.
    pub fn enum_name(&self) -> Option<&str> {
        match self {
            SqlType::Enum(name) => Some(name),
            SqlType::Array(element) => element.enum_name(),
            _ => None,
        }
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self {
            SqlType::SmallInt => "smallint",
            SqlType::Integer => "integer",
            SqlType::BigInt => "bigint",
            SqlType::TinyInt => "tinyint",
            SqlType::MediumInt => "mediumint",
            SqlType::Unsigned(base) => return write!(f, "{base} unsigned"),
            SqlType::Real => "real",
            SqlType::Double => "double",
            SqlType::Numeric(None) => "numeric",
            SqlType::Numeric(Some((p, s))) => return write!(f, "numeric({p},{s})"),
            SqlType::Money => "money",
            SqlType::Boolean => "boolean",
            SqlType::Text => "text",
            SqlType::Varchar(n) => return write!(f, "varchar({n})"),
            SqlType::VarcharUnbounded => "varchar",
            SqlType::Char(n) => return write!(f, "char({n})"),
            SqlType::TinyText => "tinytext",
            SqlType::MediumText => "mediumtext",
            SqlType::LongText => "longtext",
            SqlType::Binary => "binary",
            SqlType::FixedBinary(n) => return write!(f, "binary({n})"),
            SqlType::VarBinary(n) => return write!(f, "varbinary({n})"),
            SqlType::TinyBlob => "tinyblob",
            SqlType::MediumBlob => "mediumblob",
            SqlType::LongBlob => "longblob",
            SqlType::Bit(n) => return write!(f, "bit({n})"),
            SqlType::VarBit(None) => "varbit",
            SqlType::VarBit(Some(n)) => return write!(f, "varbit({n})"),
            SqlType::Date => "date",
            SqlType::Time => "time",
            SqlType::TimePrecision(p) => return write!(f, "time({p})"),
            SqlType::TimeTz => "timetz",
            SqlType::TimeTzPrecision(p) => return write!(f, "timetz({p})"),
            SqlType::Timestamp => "timestamp",
            SqlType::TimestampPrecision(p) => return write!(f, "timestamp({p})"),
            SqlType::TimestampTz => "timestamptz",
            SqlType::TimestampTzPrecision(p) => return write!(f, "timestamptz({p})"),
            SqlType::Interval => "interval",
            SqlType::Year => "year",
            SqlType::Uuid => "uuid",
            SqlType::Json => "json",
            SqlType::Jsonb => "jsonb",
            SqlType::Inet => "inet",
            SqlType::Cidr => "cidr",
            SqlType::MacAddr => "macaddr",
            SqlType::MacAddr8 => "macaddr8",
            SqlType::Set(values) => {
                return write!(f, "set({})", spelling::write_set_values(values))
            }
            SqlType::Enum(s) => return write!(f, "enum({s})"),
            SqlType::Array(element) => return write!(f, "{element}[]"),
            SqlType::Custom(s) => return write!(f, "custom({s})"),
        };
        f.write_str(word)
    }
}

impl From<TypeSpelling> for SqlType {
    fn from(spelling: TypeSpelling) -> SqlType {
        use TypeSpelling as T;
        match spelling {
            T::SmallInt => SqlType::SmallInt,
            T::Integer => SqlType::Integer,
            T::BigInt => SqlType::BigInt,
            T::TinyInt => SqlType::TinyInt,
            T::MediumInt => SqlType::MediumInt,
            T::Unsigned(base) => SqlType::Unsigned(Box::new((*base).into())),
            T::Real => SqlType::Real,
            T::Double => SqlType::Double,
            T::Numeric(ps) => SqlType::Numeric(ps),
            T::Money => SqlType::Money,
            T::Boolean => SqlType::Boolean,
            T::Text => SqlType::Text,
            T::Varchar(n) => SqlType::Varchar(n),
            T::VarcharUnbounded => SqlType::VarcharUnbounded,
            T::Char(n) => SqlType::Char(n),
            T::TinyText => SqlType::TinyText,
            T::MediumText => SqlType::MediumText,
            T::LongText => SqlType::LongText,
            T::Binary => SqlType::Binary,
            T::FixedBinary(n) => SqlType::FixedBinary(n),
            T::VarBinary(n) => SqlType::VarBinary(n),
            T::TinyBlob => SqlType::TinyBlob,
            T::MediumBlob => SqlType::MediumBlob,
            T::LongBlob => SqlType::LongBlob,
            T::Bit(n) => SqlType::Bit(n),
            T::VarBit(n) => SqlType::VarBit(n),
            T::Date => SqlType::Date,
            T::Time => SqlType::Time,
            T::TimePrecision(p) => SqlType::TimePrecision(p),
            T::TimeTz => SqlType::TimeTz,
            T::TimeTzPrecision(p) => SqlType::TimeTzPrecision(p),
            T::Timestamp => SqlType::Timestamp,
            T::TimestampPrecision(p) => SqlType::TimestampPrecision(p),
            T::TimestampTz => SqlType::TimestampTz,
            T::TimestampTzPrecision(p) => SqlType::TimestampTzPrecision(p),
            T::Interval => SqlType::Interval,
            T::Year => SqlType::Year,
            T::Uuid => SqlType::Uuid,
            T::Json => SqlType::Json,
            T::Jsonb => SqlType::Jsonb,
            T::Inet => SqlType::Inet,
            T::Cidr => SqlType::Cidr,
            T::MacAddr => SqlType::MacAddr,
            T::MacAddr8 => SqlType::MacAddr8,
            T::Set(values) => SqlType::Set(values),
            T::Enum(name) => SqlType::Enum(name),
            T::Array(element) => SqlType::Array(Box::new((*element).into())),
            T::Custom(name) => SqlType::Custom(name),
        }
    }
}

/// A type spelling that is not in the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown column type `{0}`, expected one of {expected}, enum(NAME)", expected = spelling::EXPECTED)]
pub struct UnknownType(pub String);

impl FromStr for SqlType {
    type Err = UnknownType;

    /// Parses with the derive's own parser (`migrate_derive_core::spelling`), so that a
    /// `#[model(sql_type = "...")]` the derive accepts always parses here.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        spelling::parse(text)
            .map(SqlType::from)
            .map_err(|_| UnknownType(text.to_string()))
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

    /// Every variant, with the spelling the snapshot writes for it.
    fn every_type() -> Vec<(SqlType, &'static str)> {
        use SqlType::*;
        vec![
            (SmallInt, "smallint"),
            (Integer, "integer"),
            (BigInt, "bigint"),
            (TinyInt, "tinyint"),
            (MediumInt, "mediumint"),
            (Unsigned(Box::new(TinyInt)), "tinyint unsigned"),
            (Unsigned(Box::new(SmallInt)), "smallint unsigned"),
            (Unsigned(Box::new(MediumInt)), "mediumint unsigned"),
            (Unsigned(Box::new(Integer)), "integer unsigned"),
            (Unsigned(Box::new(BigInt)), "bigint unsigned"),
            (Real, "real"),
            (Double, "double"),
            (Numeric(None), "numeric"),
            (Numeric(Some((10, 2))), "numeric(10,2)"),
            (Money, "money"),
            (Boolean, "boolean"),
            (Text, "text"),
            (Varchar(200), "varchar(200)"),
            (VarcharUnbounded, "varchar"),
            (Char(3), "char(3)"),
            (TinyText, "tinytext"),
            (MediumText, "mediumtext"),
            (LongText, "longtext"),
            (Binary, "binary"),
            (FixedBinary(16), "binary(16)"),
            (VarBinary(255), "varbinary(255)"),
            (TinyBlob, "tinyblob"),
            (MediumBlob, "mediumblob"),
            (LongBlob, "longblob"),
            (Bit(8), "bit(8)"),
            (VarBit(None), "varbit"),
            (VarBit(Some(64)), "varbit(64)"),
            (Date, "date"),
            (Time, "time"),
            (TimePrecision(3), "time(3)"),
            (TimeTz, "timetz"),
            (TimeTzPrecision(0), "timetz(0)"),
            (Timestamp, "timestamp"),
            (TimestampPrecision(6), "timestamp(6)"),
            (TimestampTz, "timestamptz"),
            (TimestampTzPrecision(3), "timestamptz(3)"),
            (Interval, "interval"),
            (Year, "year"),
            (Uuid, "uuid"),
            (Json, "json"),
            (Jsonb, "jsonb"),
            (Inet, "inet"),
            (Cidr, "cidr"),
            (MacAddr, "macaddr"),
            (MacAddr8, "macaddr8"),
            (
                Set(vec!["a".into(), "b c".into(), "it's".into()]),
                "set('a','b c','it''s')",
            ),
            (Enum("post_status".into()), "enum(post_status)"),
            (Array(Box::new(Integer)), "integer[]"),
            (Array(Box::new(Varchar(20))), "varchar(20)[]"),
            (Array(Box::new(Array(Box::new(Text)))), "text[][]"),
            (Array(Box::new(Custom("ltree".into()))), "custom(ltree)[]"),
            (Array(Box::new(Enum("mood".into()))), "enum(mood)[]"),
            (Custom("tsvector".into()), "custom(tsvector)"),
            (Custom(String::new()), "custom()"),
            (Custom("VARCHAR(10, 5)".into()), "custom(VARCHAR(10, 5))"),
            (
                Custom("geometry(Point,4326)".into()),
                "custom(geometry(Point,4326))",
            ),
        ]
    }

    #[test]
    fn type_spellings_round_trip() {
        for (ty, spelling) in every_type() {
            assert_eq!(ty.to_string(), spelling);
            assert_eq!(spelling.parse::<SqlType>().unwrap(), ty, "{spelling}");
            let json = serde_json::to_string(&ty).unwrap();
            assert_eq!(json, format!("{spelling:?}"));
            assert_eq!(serde_json::from_str::<SqlType>(&json).unwrap(), ty);
        }
    }

    #[test]
    fn type_parse_rejects_unknown_and_malformed() {
        for bad in [
            "varchar(x)",
            "numeric(10)",
            "strnig",
            "int",
            "char",
            "bit",
            "varbinary",
            "text unsigned",
            "integer unsigned unsigned",
            "set()",
            "set(a, b)",
            "enum()",
            "[]",
            "time(x)",
            "timestamp(1,2)",
            "jsonb(1)",
        ] {
            let err = bad.parse::<SqlType>().unwrap_err();
            assert_eq!(err, UnknownType(bad.to_string()));
            assert!(err.to_string().contains("<integer type> unsigned"), "{err}");
        }
        assert_eq!(
            "VARCHAR( 12 )".parse::<SqlType>().unwrap(),
            SqlType::Varchar(12)
        );
        assert_eq!(
            " Timestamptz ( 3 ) ".parse::<SqlType>().unwrap(),
            SqlType::TimestampTzPrecision(3)
        );
    }

    #[test]
    fn type_predicates() {
        let unsigned = SqlType::Unsigned(Box::new(SqlType::BigInt));
        assert!(unsigned.is_integer() && unsigned.is_unsigned());
        assert!(SqlType::TinyInt.is_integer() && !SqlType::Numeric(None).is_integer());
        let tags = SqlType::Array(Box::new(SqlType::Enum("mood".into())));
        assert_eq!(tags.enum_name(), Some("mood"));
        assert_eq!(tags.element(), Some(&SqlType::Enum("mood".into())));
        assert!(SqlType::VarcharUnbounded.is_textual() && !SqlType::Binary.is_textual());
        assert_eq!(SqlType::TimestampTzPrecision(3).precision(), Some(3));
        assert_eq!(
            SqlType::TimestampTz.with_precision(Some(3)),
            SqlType::TimestampTzPrecision(3)
        );
        assert_eq!(
            SqlType::TimePrecision(3).with_precision(None),
            SqlType::Time
        );
        assert_eq!(SqlType::Text.with_precision(Some(3)), SqlType::Text);
        assert!(SqlType::TimeTz.is_temporal() && !SqlType::Date.is_temporal());
    }

    #[test]
    fn new_fields_are_left_out_at_their_defaults() {
        let mut t = Table::new("t");
        t.columns.push(Column::new("a", SqlType::Integer));
        t.indexes.push(Index::new("ix_t_a", ["a"]));
        t.uniques.push(Unique::new("uq_t_a", ["a"]));
        t.checks.push(Check::new("ck", "a > 0"));
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(
            json,
            r#"{"name":"t","columns":[{"name":"a","type":"integer"}],"indexes":[{"name":"ix_t_a","columns":["a"]}],"uniques":[{"name":"uq_t_a","columns":["a"]}],"checks":[{"name":"ck","expr":"a > 0"}]}"#
        );
        assert_eq!(serde_json::from_str::<Table>(&json).unwrap(), t);
    }

    #[test]
    fn every_new_field_round_trips_through_json() {
        let mut t = Table::new("orders");
        t.columns.push(Column {
            auto_increment: true,
            identity: Some(Identity::Serial {
                sequence: Some("orders_seq".into()),
            }),
            ..Column::new("id", SqlType::Integer)
        });
        t.columns.push(Column {
            identity: Some(Identity::SERIAL),
            auto_increment: true,
            ..Column::new("n", SqlType::BigInt)
        });
        t.columns.push(Column {
            on_update: Some("CURRENT_TIMESTAMP".into()),
            generated: Some(Generated {
                expr: "a + b".into(),
                stored: true,
            }),
            collation: Some("C".into()),
            charset: Some("latin1".into()),
            comment: Some("the \"total\"\nline two".into()),
            ..Column::new("total", SqlType::Numeric(None))
        });
        t.primary_key = vec!["id".into()];
        t.primary_key_name = Some("orders_pk".into());
        t.indexes.push(Index {
            name: "ix".into(),
            columns: vec![
                IndexColumn::column("a").desc().nulls_last(),
                IndexColumn::expression("lower(b)").opclass("text_pattern_ops"),
                IndexColumn::column("c").collation("C").length(10),
                IndexColumn::column("d"),
            ],
            unique: true,
            method: Some("gin".into()),
            predicate: Some("deleted_at IS NULL".into()),
            include: vec!["e".into()],
            with: Some("fillfactor=70".into()),
            nulls_not_distinct: true,
            comment: Some("by a".into()),
        });
        t.uniques.push(Unique {
            deferrable: Some(Deferrable::Deferred),
            nulls_not_distinct: true,
            ..Unique::new("uq", ["a"])
        });
        t.foreign_keys.push(ForeignKey {
            name: "fk".into(),
            columns: vec!["a".into()],
            ref_table: "x".into(),
            ref_columns: vec!["id".into()],
            deferrable: Some(Deferrable::Immediate),
            match_full: true,
            not_valid: true,
            ..ForeignKey::default()
        });
        t.checks.push(Check {
            not_valid: true,
            no_inherit: true,
            ..Check::new("ck", "a > 0")
        });
        t.exclusions.push(Exclusion {
            name: "ex".into(),
            definition: "USING gist (during WITH &&)".into(),
            deferrable: Some(Deferrable::Deferred),
        });
        t.options = TableOptions {
            comment: Some("Orders".into()),
            engine: Some("InnoDB".into()),
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_bin".into()),
            without_rowid: true,
            strict: true,
            partition_by: Some("RANGE (created_at)".into()),
            partition_of: Some(PartitionOf {
                parent: "all_orders".into(),
                bound: "DEFAULT".into(),
            }),
            inherits: vec!["base".into()],
            unlogged: true,
            with: Some("fillfactor=70".into()),
        };
        let json = serde_json::to_string_pretty(&t).unwrap();
        for expected in [
            r#""identity": {"#,
            r#""serial": "orders_seq""#,
            r#""identity": "serial""#,
            r#""columns": [
        {
          "column": "a",
          "descending": true,
          "nulls": "last"
        },"#,
            r#""d"
      ],"#,
            r#""primary_key_name": "orders_pk""#,
            r#""comment": "by a""#,
            r#""unlogged": true"#,
            r#""comment": "Orders""#,
            r#""deferrable": "deferred""#,
        ] {
            assert!(json.contains(expected), "{expected} not in {json}");
        }
        assert_eq!(serde_json::from_str::<Table>(&json).unwrap(), t);
        for identity in [
            Identity::Always,
            Identity::ByDefault,
            Identity::Autoincrement,
        ] {
            let text = serde_json::to_string(&identity).unwrap();
            assert_eq!(serde_json::from_str::<Identity>(&text).unwrap(), identity);
        }
    }

    #[test]
    fn malformed_new_fields_are_refused() {
        for bad in [
            r#"{"expression": "a", "column": "b"}"#,
            r#"{"descending": true}"#,
            r#"{"column": "a", "desc": true}"#,
            r#"{"column": "a", "nulls": "middle"}"#,
            r#"3"#,
        ] {
            assert!(serde_json::from_str::<IndexColumn>(bad).is_err(), "{bad}");
        }
        for bad in [r#""sometimes""#, r#"{"serial": 3}"#, r#"{"always": "x"}"#] {
            assert!(serde_json::from_str::<Identity>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn index_helpers() {
        let index = Index {
            columns: vec![
                IndexColumn::column("a").desc(),
                IndexColumn::expression("lower(\"B\") || 'c'"),
            ],
            predicate: Some("d IS NULL".into()),
            include: vec!["e".into()],
            ..Index::new("ix", Vec::<IndexColumn>::new())
        };
        assert_eq!(index.column_names().collect::<Vec<_>>(), ["a"]);
        for used in ["a", "b", "d", "e"] {
            assert!(index.uses_column(used), "{used}");
        }
        assert!(!index.uses_column("c"), "inside a string literal");
        assert!(!index.uses_column("lower".trim_end_matches('r')));
        assert!(index.plain_columns().is_none());
        let plain = Index {
            unique: true,
            ..Index::new("ix", ["a", "b"])
        };
        assert!(plain.is_unique_on(&["a".into(), "b".into()]));
        assert!(!plain.is_unique_on(&["a".into()]));
        assert!(plain.is_simple() && !index.is_simple());
        assert_eq!(
            index
                .columns
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["a DESC", "(lower(\"B\") || 'c')"]
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
