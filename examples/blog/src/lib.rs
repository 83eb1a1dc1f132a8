//! A small blog whose schema is managed by migrate-cli: the models are the source of truth,
//! `src/schema.rs` and `migrations/` are generated from them.

pub mod models;
pub mod schema;
