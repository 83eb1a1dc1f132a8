//! Code-first schema migrations for Diesel.
//!
//! The workflow:
//!
//! 1. Annotate Diesel structs with `#[derive(Model)]` ([`Model`], attributes in the derive's docs).
//! 2. `migrate-cli migrate -m "add posts"` reads the models (from source, or compiled through the
//!    [`model::registered_models`] registry), diffs them with `migrations/snapshot.json`
//!    ([`snapshot`], [`diff`]) and writes a migration module ([`codegen`]) whose `up` and `down`
//!    call the operations API of [`migration`].
//! 3. `migrate-cli upgrade` compiles the migrations into a small program that hands them to the
//!    [`runner`], which renders each operation with the backend's [`dialect`] and applies it in a
//!    transaction, recording it in `__migrate_history`.
//!
//! Applications embed the same migrations and call [`runner::Runner`] at start-up. The revision
//! graph is [`revisions`], the history table's states, rows and audit are [`history`]; the
//! operations the CLI's commands perform on a project are `project` (feature `project`).
#![warn(missing_docs)]

mod backend;
pub mod codegen;
pub mod connection;
pub mod diagram;
pub mod dialect;
pub mod diesel_schema;
pub mod diesel_types;
pub mod diff;
pub mod error;
pub mod history;
#[cfg(feature = "source")]
pub mod interpret;
pub mod introspect;
pub mod lint;
pub mod migration;
pub mod model;
pub mod model_source;
pub mod objects;
pub mod program;
#[cfg(feature = "project")]
pub mod project;
pub mod renames;
pub mod revisions;
pub mod runner;
pub mod schema;
pub mod snapshot;
#[cfg(feature = "source")]
pub mod source;
pub mod sqltext;
pub mod squashes;
pub mod support;
#[cfg(feature = "testing")]
pub mod testing;

pub use diesel;
pub use error::Error;
pub use migrate_derive::{embed_migrations, Model, ModelEnum};
pub use model::{ColumnType, Model, ModelEnum};
pub use schema::{Column, Schema, SqlType, Table};

#[doc(hidden)]
pub mod __private {
    pub use inventory;
}
