//! A small blog whose schema is managed by migrate-cli: the models are the source of truth,
//! `src/schema.rs` and `migrations/` are generated from them.

pub mod models;
pub mod schema;

/// The blog's migrations, compiled in: `main` applies the pending ones at start-up, with the
/// same history, lock and checksums as `migrate-cli upgrade`.
pub static MIGRATIONS: &[migrate_core::runner::EmbeddedMigration] =
    migrate_core::embed_migrations!("migrations");
