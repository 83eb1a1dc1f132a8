//! The kinds of objects that are not tables, and what each is called in SQL and in Rust.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;

/// The kinds of objects, in the order the snapshot lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// PostgreSQL `CREATE EXTENSION`.
    Extension,
    /// A sequence no column owns (PostgreSQL).
    Sequence,
    /// A composite or range type (PostgreSQL).
    Type,
    /// A domain (PostgreSQL).
    Domain,
    /// A function (PostgreSQL, MySQL).
    Function,
    /// A procedure (PostgreSQL, MySQL).
    Procedure,
    /// An aggregate built from functions (PostgreSQL `CREATE AGGREGATE`).
    Aggregate,
    /// A view (every backend).
    View,
    /// A materialized view with its indexes (PostgreSQL).
    MaterializedView,
    /// A trigger (every backend).
    Trigger,
    /// A rewrite rule on a table or view (PostgreSQL `CREATE RULE`).
    Rule,
    /// A row-level security policy (PostgreSQL).
    Policy,
    /// A scheduled event (MySQL).
    Event,
}

impl ObjectKind {
    /// Every kind.
    pub const ALL: [ObjectKind; 13] = [
        ObjectKind::Extension,
        ObjectKind::Sequence,
        ObjectKind::Type,
        ObjectKind::Domain,
        ObjectKind::Function,
        ObjectKind::Procedure,
        ObjectKind::Aggregate,
        ObjectKind::View,
        ObjectKind::MaterializedView,
        ObjectKind::Trigger,
        ObjectKind::Rule,
        ObjectKind::Policy,
        ObjectKind::Event,
    ];

    /// How SQL and the summary spell it (`materialized view`).
    pub fn sql_name(self) -> &'static str {
        match self {
            ObjectKind::Extension => "extension",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Type => "type",
            ObjectKind::Domain => "domain",
            ObjectKind::Function => "function",
            ObjectKind::Procedure => "procedure",
            ObjectKind::Aggregate => "aggregate",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized view",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Rule => "rule",
            ObjectKind::Policy => "policy",
            ObjectKind::Event => "event",
        }
    }

    /// The Rust path codegen writes (`ObjectKind::View`).
    pub fn rust_name(self) -> &'static str {
        match self {
            ObjectKind::Extension => "ObjectKind::Extension",
            ObjectKind::Sequence => "ObjectKind::Sequence",
            ObjectKind::Type => "ObjectKind::Type",
            ObjectKind::Domain => "ObjectKind::Domain",
            ObjectKind::Function => "ObjectKind::Function",
            ObjectKind::Procedure => "ObjectKind::Procedure",
            ObjectKind::Aggregate => "ObjectKind::Aggregate",
            ObjectKind::View => "ObjectKind::View",
            ObjectKind::MaterializedView => "ObjectKind::MaterializedView",
            ObjectKind::Trigger => "ObjectKind::Trigger",
            ObjectKind::Rule => "ObjectKind::Rule",
            ObjectKind::Policy => "ObjectKind::Policy",
            ObjectKind::Event => "ObjectKind::Event",
        }
    }

    /// Whether tables may use it (in a column's type, a default, a check, an index), so that it
    /// is created before the tables and dropped after them. The others use tables.
    pub fn before_tables(self) -> bool {
        matches!(
            self,
            ObjectKind::Extension
                | ObjectKind::Sequence
                | ObjectKind::Type
                | ObjectKind::Domain
                | ObjectKind::Function
                | ObjectKind::Procedure
                | ObjectKind::Aggregate
        )
    }

    /// The backends that have it.
    pub fn on(self, backend: Backend) -> bool {
        match backend {
            Backend::Postgres => self != ObjectKind::Event,
            Backend::Mysql => matches!(
                self,
                ObjectKind::View
                    | ObjectKind::Trigger
                    | ObjectKind::Function
                    | ObjectKind::Procedure
                    | ObjectKind::Event
            ),
            Backend::Sqlite => matches!(self, ObjectKind::View | ObjectKind::Trigger),
        }
    }

    /// The folder `adopt` writes its declarations in.
    pub fn folder(self) -> &'static str {
        match self {
            ObjectKind::Extension => "extensions",
            ObjectKind::Sequence => "sequences",
            ObjectKind::Type => "types",
            ObjectKind::Domain => "domains",
            ObjectKind::Function => "functions",
            ObjectKind::Procedure => "procedures",
            ObjectKind::Aggregate => "aggregates",
            ObjectKind::View => "views",
            ObjectKind::MaterializedView => "materialized_views",
            ObjectKind::Trigger => "triggers",
            ObjectKind::Rule => "rules",
            ObjectKind::Policy => "policies",
            ObjectKind::Event => "events",
        }
    }
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql_name())
    }
}
