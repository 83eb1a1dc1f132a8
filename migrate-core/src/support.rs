//! What each backend has of the schema vocabulary: a pure check, so that `migrate` can refuse
//! a model before any migration is written, and each dialect refuses the same things when it
//! renders (`sql --dialect`, `upgrade`), naming the table, the column, index or constraint,
//! the feature and the backend.
//!
//! A comment on SQLite is not refused: SQLite has nowhere to put it, and the snapshot keeps it,
//! so that a project moving between backends does not lose its documentation.

use std::fmt;

use crate::backend::Backend;
use crate::schema::{
    Check, Column, Deferrable, ForeignKey, Identity, Index, IndexTarget, Nulls, Schema, SqlType,
    Table, Unique,
};

/// What in a table a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchemaObject {
    /// The table itself: its options.
    Table,
    /// A column, by name.
    Column(String),
    /// The primary key.
    PrimaryKey,
    /// An index, by name.
    Index(String),
    /// A unique constraint, by name.
    Unique(String),
    /// A foreign key, by name.
    ForeignKey(String),
    /// A check constraint, by name.
    Check(String),
    /// An exclusion constraint, by name.
    Exclusion(String),
}

/// Something a schema holds that a backend does not have.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unsupported {
    /// The backend that lacks it.
    pub backend: Backend,
    /// The table.
    pub table: String,
    /// What in the table.
    pub object: SchemaObject,
    /// What it is or has, as a phrase that follows the object: `is an array (integer[])`,
    /// `uses the index method gin`.
    pub feature: String,
}

impl fmt::Display for Unsupported {
    /// `column `films.tags` is an array (integer[]), which MySQL does not have`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.table;
        match &self.object {
            SchemaObject::Table => write!(f, "table `{t}`")?,
            SchemaObject::Column(c) => write!(f, "column `{t}.{c}`")?,
            SchemaObject::PrimaryKey => write!(f, "the primary key of `{t}`")?,
            SchemaObject::Index(n) => write!(f, "index `{n}` of `{t}`")?,
            SchemaObject::Unique(n) => write!(f, "unique constraint `{n}` of `{t}`")?,
            SchemaObject::ForeignKey(n) => write!(f, "foreign key `{n}` of `{t}`")?,
            SchemaObject::Check(n) => write!(f, "check `{n}` of `{t}`")?,
            SchemaObject::Exclusion(n) => write!(f, "exclusion constraint `{n}` of `{t}`")?,
        }
        write!(f, " {}, which {} does not have", self.feature, self.backend)
    }
}

/// Everything in `schema` that `backend` does not have, table by table in the schema's order.
pub fn unsupported(backend: Backend, schema: &Schema) -> Vec<Unsupported> {
    schema
        .tables
        .iter()
        .flat_map(|t| unsupported_in_table(backend, t))
        .collect()
}

/// Everything in `table` that `backend` does not have: columns, then the key, indexes,
/// constraints and the table's options.
pub fn unsupported_in_table(backend: Backend, table: &Table) -> Vec<Unsupported> {
    let mut found = Findings {
        backend,
        table: &table.name,
        list: Vec::new(),
    };
    for column in &table.columns {
        found.column(table, column);
    }
    if let Some(name) = &table.primary_key_name {
        // MySQL names every primary key PRIMARY, whatever the statement says.
        if backend == Backend::Mysql && name != "PRIMARY" {
            found.add(
                SchemaObject::PrimaryKey,
                format!("has a name of its own (`{name}`)"),
            );
        }
    }
    for index in &table.indexes {
        found.index(table, index);
    }
    for unique in &table.uniques {
        found.unique(unique);
    }
    for fk in &table.foreign_keys {
        found.foreign_key(fk);
    }
    for check in &table.checks {
        found.check(check);
    }
    if backend != Backend::Postgres {
        for exclusion in &table.exclusions {
            found.add(
                SchemaObject::Exclusion(exclusion.name.clone()),
                format!("(EXCLUDE {})", exclusion.definition),
            );
        }
    }
    found.options(table);
    found.list
}

struct Findings<'a> {
    backend: Backend,
    table: &'a str,
    list: Vec<Unsupported>,
}

impl Findings<'_> {
    fn add(&mut self, object: SchemaObject, feature: String) {
        self.list.push(Unsupported {
            backend: self.backend,
            table: self.table.to_string(),
            object,
            feature,
        });
    }

    /// Adds `feature` when the backend is none of `has`.
    fn unless(&mut self, has: &[Backend], object: &SchemaObject, feature: impl FnOnce() -> String) {
        if !has.contains(&self.backend) {
            self.add(object.clone(), feature());
        }
    }

    fn column(&mut self, table: &Table, column: &Column) {
        use Backend::*;
        let object = SchemaObject::Column(column.name.clone());
        if let Some(feature) = type_unsupported(self.backend, &column.ty) {
            self.add(object.clone(), feature);
        }
        match &column.identity {
            Some(Identity::Serial { .. }) => {
                self.unless(&[Postgres], &object, || "is a serial column".into())
            }
            Some(Identity::Always) => self.unless(&[Postgres], &object, || {
                "is GENERATED ALWAYS AS IDENTITY".into()
            }),
            Some(Identity::ByDefault) => self.unless(&[Postgres], &object, || {
                "is GENERATED BY DEFAULT AS IDENTITY".into()
            }),
            Some(Identity::Autoincrement) => {
                self.unless(&[Sqlite], &object, || "is AUTOINCREMENT".into());
                // SQLite takes the keyword on the rowid alias only.
                // (declared `INTEGER` in any case: `integer` kept as written is the alias too).
                let integer = match &column.ty {
                    SqlType::Integer => true,
                    SqlType::Custom(name) => name.eq_ignore_ascii_case("integer"),
                    _ => false,
                };
                let rowid = table.is_auto_increment_key(column) && integer;
                if self.backend == Sqlite && !rowid {
                    self.add(
                        object.clone(),
                        "is AUTOINCREMENT but not the table's single INTEGER PRIMARY KEY".into(),
                    );
                }
            }
            None => {}
        }
        if let Some(expr) = &column.on_update {
            self.unless(&[Mysql], &object, || format!("has ON UPDATE {expr}"));
            let timestamp = matches!(
                column.ty,
                SqlType::Timestamp
                    | SqlType::TimestampPrecision(_)
                    | SqlType::TimestampTz
                    | SqlType::TimestampTzPrecision(_)
            );
            if self.backend == Mysql && !timestamp {
                self.add(
                    object.clone(),
                    format!("has ON UPDATE on a {} column", column.ty),
                );
            }
        }
        if let Some(generated) = &column.generated {
            // PostgreSQL computes generated columns on write only (before version 18).
            if !generated.stored {
                self.unless(&[Mysql, Sqlite], &object, || {
                    "is a VIRTUAL generated column".into()
                });
            }
        }
        if let Some(charset) = &column.charset {
            self.unless(&[Mysql], &object, || {
                format!("has the character set {charset}")
            });
        }
    }

    fn index(&mut self, table: &Table, index: &Index) {
        use Backend::*;
        let object = SchemaObject::Index(index.name.clone());
        if let Some(method) = &index.method {
            // InnoDB reads USING HASH and builds a b-tree: only MEMORY tables keep hash indexes.
            let memory = table
                .options
                .engine
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case("memory"));
            let has = match self.backend {
                Postgres => !matches!(method.as_str(), "fulltext" | "spatial"),
                Mysql => match method.as_str() {
                    "btree" | "fulltext" | "spatial" => true,
                    "hash" => memory,
                    _ => false,
                },
                Sqlite => method == "btree",
            };
            if !has {
                let feature = if self.backend == Mysql && method == "hash" {
                    "uses the index method hash on a table whose engine is not MEMORY".to_string()
                } else {
                    format!("uses the index method {method}")
                };
                self.add(object.clone(), feature);
            }
        }
        if let Some(predicate) = &index.predicate {
            self.unless(&[Postgres, Sqlite], &object, || {
                format!("is partial (WHERE {predicate})")
            });
        }
        for element in &index.columns {
            let at = element.to_string();
            if let IndexTarget::Expression(_) = element.target {
                // MariaDB indexes expressions only through generated columns.
                self.unless(&[Postgres, Sqlite], &object, || {
                    format!("indexes the expression {at}")
                });
            }
            if let Some(nulls) = element.nulls {
                let which = match nulls {
                    Nulls::First => "FIRST",
                    Nulls::Last => "LAST",
                };
                self.unless(&[Postgres], &object, || {
                    format!("orders NULLS {which} in `{at}`")
                });
            }
            if let Some(opclass) = &element.opclass {
                self.unless(&[Postgres], &object, || {
                    format!("has the operator class {opclass} in `{at}`")
                });
            }
            if let Some(collation) = &element.collation {
                self.unless(&[Postgres, Sqlite], &object, || {
                    format!("has the collation {collation} in `{at}`")
                });
            }
            if element.length.is_some() {
                self.unless(&[Mysql], &object, || format!("indexes a prefix in `{at}`"));
            }
        }
        if !index.include.is_empty() {
            self.unless(&[Postgres], &object, || {
                format!("has INCLUDE ({})", index.include.join(", "))
            });
        }
        if let Some(with) = &index.with {
            self.unless(&[Postgres], &object, || {
                format!("has storage parameters (WITH ({with}))")
            });
        }
        if index.nulls_not_distinct {
            self.unless(&[Postgres], &object, || "is NULLS NOT DISTINCT".into());
        }
    }

    fn unique(&mut self, unique: &Unique) {
        use Backend::*;
        let object = SchemaObject::Unique(unique.name.clone());
        if let Some(when) = unique.deferrable {
            self.unless(&[Postgres], &object, || format!("is {}", deferrable(when)));
        }
        if unique.nulls_not_distinct {
            self.unless(&[Postgres], &object, || "is NULLS NOT DISTINCT".into());
        }
    }

    fn foreign_key(&mut self, fk: &ForeignKey) {
        use Backend::*;
        let object = SchemaObject::ForeignKey(fk.name.clone());
        if let Some(when) = fk.deferrable {
            self.unless(&[Postgres, Sqlite], &object, || {
                format!("is {}", deferrable(when))
            });
        }
        // SQLite and MySQL read MATCH FULL and do not enforce it.
        if fk.match_full {
            self.unless(&[Postgres], &object, || "is MATCH FULL".into());
        }
        if fk.not_valid {
            self.unless(&[Postgres], &object, || "is NOT VALID".into());
        }
    }

    fn check(&mut self, check: &Check) {
        use Backend::*;
        let object = SchemaObject::Check(check.name.clone());
        if check.not_valid {
            self.unless(&[Postgres], &object, || "is NOT VALID".into());
        }
        if check.no_inherit {
            self.unless(&[Postgres], &object, || "is NO INHERIT".into());
        }
    }

    fn options(&mut self, table: &Table) {
        use Backend::*;
        let o = &table.options;
        let object = SchemaObject::Table;
        if let Some(engine) = &o.engine {
            self.unless(&[Mysql], &object, || {
                format!("has the storage engine {engine}")
            });
        }
        if let Some(charset) = &o.charset {
            self.unless(&[Mysql], &object, || {
                format!("has the default character set {charset}")
            });
        }
        if let Some(collation) = &o.collation {
            self.unless(&[Mysql], &object, || {
                format!("has the default collation {collation}")
            });
        }
        if o.without_rowid {
            self.unless(&[Sqlite], &object, || "is WITHOUT ROWID".into());
            if self.backend == Sqlite && table.primary_key.is_empty() {
                self.add(
                    object.clone(),
                    "is WITHOUT ROWID with no primary key".into(),
                );
            }
        }
        if o.strict {
            self.unless(&[Sqlite], &object, || "is STRICT".into());
        }
        if let Some(key) = &o.partition_by {
            self.unless(&[Postgres], &object, || {
                format!("is partitioned (PARTITION BY {key})")
            });
        }
        if let Some(partition) = &o.partition_of {
            self.unless(&[Postgres], &object, || {
                format!("is a partition of `{}`", partition.parent)
            });
        }
        if !o.inherits.is_empty() {
            self.unless(&[Postgres], &object, || {
                format!("inherits from `{}`", o.inherits.join("`, `"))
            });
        }
        if o.unlogged {
            self.unless(&[Postgres], &object, || "is UNLOGGED".into());
        }
        if let Some(with) = &o.with {
            self.unless(&[Postgres], &object, || {
                format!("has storage parameters (WITH ({with}))")
            });
        }
    }
}

fn deferrable(when: Deferrable) -> &'static str {
    when.sql()
}

/// Why `backend` cannot hold a column of type `ty`, as a phrase; `None` when it can.
fn type_unsupported(backend: Backend, ty: &SqlType) -> Option<String> {
    use SqlType::*;
    if matches!(ty, Custom(name) if name.trim().is_empty()) && backend != Backend::Sqlite {
        return Some("has no declared type (custom())".into());
    }
    let has = match backend {
        Backend::Postgres => match ty {
            Array(element) => return type_unsupported(backend, element).map(|_| array(ty)),
            TinyInt | MediumInt | Unsigned(_) | TinyText | MediumText | LongText
            | FixedBinary(_) | VarBinary(_) | TinyBlob | MediumBlob | LongBlob | Year | Set(_) => {
                false
            }
            _ => true,
        },
        Backend::Mysql => !matches!(
            ty,
            Money
                | Interval
                | Inet
                | Cidr
                | MacAddr
                | MacAddr8
                | Jsonb
                | VarcharUnbounded
                | VarBit(_)
                | TimeTz
                | TimeTzPrecision(_)
                | Array(_)
        ),
        // SQLite keeps the first vocabulary (and char(N)); the rest would be only a name on a
        // column that holds anything.
        Backend::Sqlite => matches!(
            ty,
            SmallInt
                | Integer
                | BigInt
                | Real
                | Double
                | Numeric(_)
                | Boolean
                | Text
                | Varchar(_)
                | Char(_)
                | Binary
                | Date
                | Time
                | Timestamp
                | TimestampTz
                | Uuid
                | Json
                | Enum(_)
                | Custom(_)
        ),
    };
    if !has {
        return Some(match ty {
            Array(_) => array(ty),
            Unsigned(_) => format!("is unsigned ({ty})"),
            _ => format!("has the type {ty}"),
        });
    }
    // Both servers keep at most microseconds.
    match ty.precision() {
        Some(p) if p > 6 => Some(format!("has {p} fractional digits of seconds (at most 6)")),
        _ => None,
    }
}

fn array(ty: &SqlType) -> String {
    format!("is an array ({ty})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Exclusion, Generated, IndexColumn, PartitionOf, TableOptions, Unique};
    use Backend::*;

    /// The phrases of `table` on `backend`, as the messages read.
    fn messages(backend: Backend, table: &Table) -> Vec<String> {
        unsupported_in_table(backend, table)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    fn table_with(columns: Vec<Column>) -> Table {
        let mut t = Table::new("films");
        t.columns = columns;
        t
    }

    #[test]
    fn the_first_vocabulary_is_everywhere() {
        use SqlType::*;
        let mut columns: Vec<Column> = [
            SmallInt,
            Integer,
            BigInt,
            Real,
            Double,
            Numeric(None),
            Numeric(Some((10, 2))),
            Boolean,
            Text,
            Varchar(20),
            Binary,
            Date,
            Time,
            Timestamp,
            TimestampTz,
            Uuid,
            Json,
            Enum("mood".into()),
            Custom("tsvector".into()),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, ty)| Column::new(format!("c{i}"), ty))
        .collect();
        columns[1].auto_increment = true;
        columns[2].comment = Some("kept on SQLite".into());
        columns[3].collation = Some("C".into());
        let mut t = table_with(columns);
        t.primary_key = vec!["c1".into()];
        t.indexes.push(Index::new("ix", ["c2", "c3"]));
        t.uniques.push(Unique::new("uq", ["c4"]));
        t.checks.push(Check::new("ck", "c1 > 0"));
        t.options.comment = Some("Films".into());
        for backend in [Sqlite, Postgres, Mysql] {
            assert_eq!(messages(backend, &t), Vec::<String>::new(), "{backend}");
        }
    }

    #[test]
    fn types_each_backend_lacks() {
        use SqlType::*;
        let all = vec![
            TinyInt,
            SqlType::unsigned(Integer),
            Money,
            Interval,
            Inet,
            Jsonb,
            VarcharUnbounded,
            Char(2),
            TinyText,
            FixedBinary(4),
            Bit(8),
            VarBit(None),
            TimePrecision(3),
            TimeTz,
            TimestampTzPrecision(9),
            Year,
            SqlType::set(&["a"]),
            SqlType::array(Integer),
            SqlType::array(TinyText),
            Custom(String::new()),
        ];
        let t = table_with(
            all.into_iter()
                .enumerate()
                .map(|(i, ty)| Column::new(format!("c{i}"), ty))
                .collect(),
        );
        assert_eq!(
            messages(Postgres, &t),
            [
                "column `films.c0` has the type tinyint, which PostgreSQL does not have",
                "column `films.c1` is unsigned (integer unsigned), which PostgreSQL does not have",
                "column `films.c8` has the type tinytext, which PostgreSQL does not have",
                "column `films.c9` has the type binary(4), which PostgreSQL does not have",
                "column `films.c14` has 9 fractional digits of seconds (at most 6), which PostgreSQL does not have",
                "column `films.c15` has the type year, which PostgreSQL does not have",
                "column `films.c16` has the type set('a'), which PostgreSQL does not have",
                "column `films.c18` is an array (tinytext[]), which PostgreSQL does not have",
                "column `films.c19` has no declared type (custom()), which PostgreSQL does not have",
            ]
        );
        assert_eq!(
            messages(Mysql, &t),
            [
                "column `films.c2` has the type money, which MySQL does not have",
                "column `films.c3` has the type interval, which MySQL does not have",
                "column `films.c4` has the type inet, which MySQL does not have",
                "column `films.c5` has the type jsonb, which MySQL does not have",
                "column `films.c6` has the type varchar, which MySQL does not have",
                "column `films.c11` has the type varbit, which MySQL does not have",
                "column `films.c13` has the type timetz, which MySQL does not have",
                "column `films.c14` has 9 fractional digits of seconds (at most 6), which MySQL does not have",
                "column `films.c17` is an array (integer[]), which MySQL does not have",
                "column `films.c18` is an array (tinytext[]), which MySQL does not have",
                "column `films.c19` has no declared type (custom()), which MySQL does not have",
            ]
        );
        let sqlite = messages(Sqlite, &t);
        assert_eq!(sqlite.len(), 18, "all but char(2): {sqlite:#?}");
        assert!(!sqlite.iter().any(|m| m.contains("c7")));
    }

    #[test]
    fn keys_and_column_options() {
        let mut t = table_with(vec![
            Column {
                auto_increment: true,
                identity: Some(Identity::SERIAL),
                ..Column::new("id", SqlType::Integer)
            },
            Column {
                auto_increment: true,
                identity: Some(Identity::Autoincrement),
                ..Column::new("n", SqlType::BigInt)
            },
            Column {
                on_update: Some("CURRENT_TIMESTAMP".into()),
                charset: Some("latin1".into()),
                ..Column::new("title", SqlType::Text)
            },
            Column {
                generated: Some(Generated {
                    expr: "n + 1".into(),
                    stored: false,
                }),
                ..Column::new("next", SqlType::BigInt)
            },
        ]);
        t.primary_key = vec!["id".into()];
        t.primary_key_name = Some("films_pk".into());
        assert_eq!(
            messages(Sqlite, &t),
            [
                "column `films.id` is a serial column, which SQLite does not have",
                "column `films.n` is AUTOINCREMENT but not the table's single INTEGER PRIMARY KEY, which SQLite does not have",
                "column `films.title` has ON UPDATE CURRENT_TIMESTAMP, which SQLite does not have",
                "column `films.title` has the character set latin1, which SQLite does not have",
            ]
        );
        assert_eq!(
            messages(Postgres, &t),
            [
                "column `films.n` is AUTOINCREMENT, which PostgreSQL does not have",
                "column `films.title` has ON UPDATE CURRENT_TIMESTAMP, which PostgreSQL does not have",
                "column `films.title` has the character set latin1, which PostgreSQL does not have",
                "column `films.next` is a VIRTUAL generated column, which PostgreSQL does not have",
            ]
        );
        assert_eq!(
            messages(Mysql, &t),
            [
                "column `films.id` is a serial column, which MySQL does not have",
                "column `films.n` is AUTOINCREMENT, which MySQL does not have",
                "column `films.title` has ON UPDATE on a text column, which MySQL does not have",
                "the primary key of `films` has a name of its own (`films_pk`), which MySQL does not have",
            ]
        );
        // The rowid alias takes AUTOINCREMENT.
        let mut rowid = table_with(vec![Column {
            auto_increment: true,
            identity: Some(Identity::Autoincrement),
            ..Column::new("id", SqlType::Integer)
        }]);
        rowid.primary_key = vec!["id".into()];
        assert!(messages(Sqlite, &rowid).is_empty());
    }

    #[test]
    fn index_forms() {
        let mut t = table_with(vec![Column::new("title", SqlType::Text)]);
        t.indexes.push(Index {
            columns: vec![
                IndexColumn::column("title")
                    .desc()
                    .nulls_first()
                    .opclass("text_pattern_ops")
                    .collation("C"),
                IndexColumn::expression("lower(title)"),
                IndexColumn::column("title").length(10),
            ],
            method: Some("gin".into()),
            predicate: Some("title <> ''".into()),
            include: vec!["title".into()],
            with: Some("fillfactor=70".into()),
            nulls_not_distinct: true,
            unique: true,
            ..Index::new("ix", Vec::<IndexColumn>::new())
        });
        t.indexes.push(Index {
            method: Some("fulltext".into()),
            ..Index::new("ix_ft", ["title"])
        });
        let at = "`title COLLATE C text_pattern_ops DESC NULLS FIRST`";
        assert_eq!(
            messages(Postgres, &t),
            [
                "index `ix` of `films` indexes a prefix in `title(10)`, which PostgreSQL does not have".to_string(),
                "index `ix_ft` of `films` uses the index method fulltext, which PostgreSQL does not have".into(),
            ]
        );
        assert_eq!(
            messages(Mysql, &t),
            [
                "index `ix` of `films` uses the index method gin, which MySQL does not have".to_string(),
                "index `ix` of `films` is partial (WHERE title <> ''), which MySQL does not have".into(),
                format!("index `ix` of `films` orders NULLS FIRST in {at}, which MySQL does not have"),
                format!("index `ix` of `films` has the operator class text_pattern_ops in {at}, which MySQL does not have"),
                format!("index `ix` of `films` has the collation C in {at}, which MySQL does not have"),
                "index `ix` of `films` indexes the expression (lower(title)), which MySQL does not have".into(),
                "index `ix` of `films` has INCLUDE (title), which MySQL does not have".into(),
                "index `ix` of `films` has storage parameters (WITH (fillfactor=70)), which MySQL does not have".into(),
                "index `ix` of `films` is NULLS NOT DISTINCT, which MySQL does not have".into(),
            ]
        );
        let mut hashed = table_with(vec![Column::new("title", SqlType::Text)]);
        hashed.indexes.push(Index {
            method: Some("hash".into()),
            ..Index::new("ix_hash", ["title"])
        });
        assert_eq!(
            messages(Mysql, &hashed),
            ["index `ix_hash` of `films` uses the index method hash on a table whose engine is not MEMORY, which MySQL does not have"]
        );
        hashed.options.engine = Some("MEMORY".into());
        assert!(messages(Mysql, &hashed).is_empty());
        let sqlite = messages(Sqlite, &t);
        assert_eq!(sqlite.len(), 8, "{sqlite:#?}");
        assert!(sqlite[0].contains("uses the index method gin"));
        assert!(!sqlite
            .iter()
            .any(|m| m.contains("partial") || m.contains("expression")));
    }

    #[test]
    fn constraint_options() {
        let mut t = table_with(vec![Column::new("a", SqlType::Integer)]);
        t.uniques.push(Unique {
            deferrable: Some(Deferrable::Deferred),
            nulls_not_distinct: true,
            ..Unique::new("uq", ["a"])
        });
        t.foreign_keys.push(ForeignKey {
            name: "fk".into(),
            columns: vec!["a".into()],
            ref_table: "films".into(),
            ref_columns: vec!["a".into()],
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
            definition: "USING gist (a WITH =)".into(),
            deferrable: None,
        });
        assert!(messages(Postgres, &t).is_empty());
        assert_eq!(
            messages(Sqlite, &t),
            [
                "unique constraint `uq` of `films` is DEFERRABLE INITIALLY DEFERRED, which SQLite does not have",
                "unique constraint `uq` of `films` is NULLS NOT DISTINCT, which SQLite does not have",
                "foreign key `fk` of `films` is MATCH FULL, which SQLite does not have",
                "foreign key `fk` of `films` is NOT VALID, which SQLite does not have",
                "check `ck` of `films` is NOT VALID, which SQLite does not have",
                "check `ck` of `films` is NO INHERIT, which SQLite does not have",
                "exclusion constraint `ex` of `films` (EXCLUDE USING gist (a WITH =)), which SQLite does not have",
            ]
        );
        let mysql = messages(Mysql, &t);
        assert_eq!(mysql.len(), 8, "{mysql:#?}");
        assert_eq!(
            mysql[2],
            "foreign key `fk` of `films` is DEFERRABLE INITIALLY IMMEDIATE, which MySQL does not have"
        );
    }

    #[test]
    fn table_options() {
        let mut t = table_with(vec![Column::new("a", SqlType::Integer)]);
        t.options = TableOptions {
            comment: Some("kept".into()),
            engine: Some("InnoDB".into()),
            charset: Some("utf8mb4".into()),
            collation: Some("utf8mb4_bin".into()),
            without_rowid: true,
            strict: true,
            partition_by: Some("RANGE (a)".into()),
            partition_of: Some(PartitionOf {
                parent: "all_films".into(),
                bound: "DEFAULT".into(),
            }),
            inherits: vec!["base".into(), "audit".into()],
            unlogged: true,
            with: Some("fillfactor=70".into()),
        };
        assert_eq!(
            messages(Sqlite, &t),
            [
                "table `films` has the storage engine InnoDB, which SQLite does not have",
                "table `films` has the default character set utf8mb4, which SQLite does not have",
                "table `films` has the default collation utf8mb4_bin, which SQLite does not have",
                "table `films` is WITHOUT ROWID with no primary key, which SQLite does not have",
                "table `films` is partitioned (PARTITION BY RANGE (a)), which SQLite does not have",
                "table `films` is a partition of `all_films`, which SQLite does not have",
                "table `films` inherits from `base`, `audit`, which SQLite does not have",
                "table `films` is UNLOGGED, which SQLite does not have",
                "table `films` has storage parameters (WITH (fillfactor=70)), which SQLite does not have",
            ]
        );
        assert_eq!(messages(Postgres, &t).len(), 5);
        assert_eq!(messages(Mysql, &t).len(), 7);
        let schema = Schema::new(vec![t.clone(), Table::new("other")]);
        assert_eq!(unsupported(Mysql, &schema), unsupported_in_table(Mysql, &t));
    }

    #[test]
    fn every_dialect_refuses_at_render_what_its_backend_lacks() {
        use crate::dialect::{
            render_all, render_placed, MysqlDialect, PostgresDialect, SqliteDialect,
        };
        use crate::migration::Operation;
        let mut films = table_with(vec![
            Column::new("id", SqlType::Integer),
            Column::new("tags", SqlType::array(SqlType::Integer)),
        ]);
        films.primary_key = vec!["id".into()];
        let create = [Operation::CreateTable(films.clone())];
        let start = Schema::default();
        let err = render_all(&MysqlDialect, &start, &create).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column `films.tags` is an array (integer[]), which MySQL does not have"
        );
        assert!(matches!(err, crate::Error::Unsupported(ref found) if found.len() == 1));
        assert!(render_all(&SqliteDialect, &start, &create).is_err());
        assert!(render_placed(&SqliteDialect, &start, &create, true).is_err());
        assert!(render_all(&PostgresDialect, &start, &create).is_ok());

        // A change to an existing table is refused too, on the path the runner takes.
        let plain = table_with(vec![Column::new("id", SqlType::Integer)]);
        let before = Schema::new(vec![plain.clone()]);
        let add = [Operation::AddColumn {
            table: "films".into(),
            column: Column::new("tags", SqlType::array(SqlType::Integer)),
        }];
        for safe in [false, true] {
            let err = render_placed(&MysqlDialect, &before, &add, safe).unwrap_err();
            assert!(err.to_string().contains("MySQL does not have"), "{err}");
        }
        let index = [Operation::CreateIndex {
            table: "films".into(),
            index: Index {
                include: vec!["id".into()],
                ..Index::new("ix", ["id"])
            },
        }];
        let err = render_placed(&SqliteDialect, &before, &index, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "index `ix` of `films` has INCLUDE (id), which SQLite does not have"
        );
        let err = render_placed(&MysqlDialect, &before, &index, true).unwrap_err();
        assert!(err.to_string().contains("MySQL does not have"), "{err}");
        assert!(render_placed(&PostgresDialect, &before, &index, true).is_ok());
    }

    #[test]
    fn comments_on_sqlite_are_kept_and_change_nothing_there() {
        use crate::dialect::{render_all, SqliteDialect};
        use crate::migration::Operation;
        let mut plain = table_with(vec![Column::new("id", SqlType::Integer)]);
        plain.primary_key = vec!["id".into()];
        let mut commented = plain.clone();
        commented.options.comment = Some("Films".into());
        commented.columns[0].comment = Some("The key".into());
        let sql = |t: &Table| {
            render_all(
                &SqliteDialect,
                &Schema::default(),
                &[Operation::CreateTable(t.clone())],
            )
            .unwrap()
            .0
        };
        assert_eq!(sql(&commented), sql(&plain));
        let (statements, end) = render_all(
            &SqliteDialect,
            &Schema::new(vec![plain.clone()]),
            &[Operation::AlterTableOptions {
                table: "films".into(),
                options: commented.options.clone(),
            }],
        )
        .unwrap();
        assert!(statements.is_empty(), "{statements:?}");
        assert_eq!(end.tables[0].options.comment.as_deref(), Some("Films"));
    }
}
