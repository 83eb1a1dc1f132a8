//! The command line, as clap reads it. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Code-first schema migrations for Diesel: diff your #[derive(Model)] structs against the
/// snapshot, write a migration, apply it to SQLite, PostgreSQL or MySQL.
#[derive(Debug, Parser)]
#[command(name = "migrate-cli", version, propagate_version = true)]
pub struct Cli {
    /// migrate.toml to use (default: the nearest one above the current directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Database URL (default: DATABASE_URL, then database_url of migrate.toml).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more detail (cargo's output, every statement).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create migrations/ (versions/ and an empty snapshot) and migrate.toml if missing.
    Init {
        /// Project directory (default: the current one).
        dir: Option<PathBuf>,
    },
    /// Diff the models with the snapshot and write a migration module.
    Migrate {
        /// What the migration does; it names the file.
        #[arg(short, long)]
        message: String,
        /// Write a module with empty up and down, for hand-written steps.
        #[arg(long)]
        empty: bool,
        /// Print the summary and the module; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Read the models by compiling the models crate instead of reading its source.
        #[arg(long)]
        compiled: bool,
    },
    /// Take back the newest migration, when no database has applied it: delete its module and
    /// restore the snapshot and schema.rs to the previous head.
    Remove,
    /// Replace the migrations after FROM (default base) up to and including TO with one
    /// module; databases at any point of the run still reach TO.
    Squash {
        /// The revisions: `[FROM] TO`.
        #[arg(num_args = 1..=2, required = true, value_name = "[FROM] TO")]
        revisions: Vec<String>,
        /// The message; it names the file.
        #[arg(short, long)]
        message: String,
    },
    /// Apply pending migrations up to TARGET.
    Upgrade {
        /// head, a revision (or unique prefix), or +N.
        #[arg(default_value = "head", allow_hyphen_values = true)]
        target: String,
        /// Print the SQL instead of running it (from base, or give FROM:TO), with no database.
        #[arg(long)]
        sql: bool,
        /// Back the database up first (SQLite: VACUUM INTO; PostgreSQL: pg_dump; MySQL:
        /// mysqldump) and print where.
        #[arg(long, conflicts_with = "sql")]
        backup: bool,
    },
    /// Revert migrations down to TARGET.
    Downgrade {
        /// base, a revision (or unique prefix), or -N.
        #[arg(default_value = "-1", allow_hyphen_values = true)]
        target: String,
        /// Print the SQL instead of running it; give FROM:TO (for example head:base).
        #[arg(long)]
        sql: bool,
    },
    /// Record the database as being at REVISION without running anything (after a fix by hand).
    Stamp {
        /// head, base, or a revision (or unique prefix).
        revision: String,
    },
    /// Show the revision the database is at.
    Current {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the migrations, oldest first, with what the database has applied.
    History {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the revisions no other revision revises.
    Heads {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print one migration module.
    Show {
        /// A revision or unique prefix.
        revision: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Join several heads (two branches that each added a migration) into one.
    Merge {
        /// What the merge is.
        #[arg(short, long)]
        message: String,
    },
    /// Print the SQL an upgrade (or downgrade) would run, without a database.
    Sql {
        /// `TO` (from base) or `FROM:TO`, each head, base or a revision.
        range: String,
        /// sqlite, postgres or mysql (default: the database URL's backend, else sqlite).
        #[arg(long)]
        dialect: Option<String>,
    },
    /// Print Diesel `table!` definitions of the migrated database.
    Schema {
        /// Write the table and column comments as doc comments, and a generated sentence where
        /// there is none, as `diesel print-schema --with-docs` does.
        #[arg(long, conflicts_with = "with_docs_config")]
        with_docs: bool,
        /// Which doc comments to write, as print-schema's `--with-docs-config` names them.
        #[arg(long, value_name = "MODE", value_parser = clap::builder::PossibleValuesParser::new(migrate_core::diesel_schema::DocComments::NAMES))]
        with_docs_config: Option<String>,
    },
    /// Print a Mermaid erDiagram of the snapshot.
    Diagram,
    /// Show the live schema of the database.
    Inspect {
        /// Print it as snapshot JSON.
        #[arg(long)]
        json: bool,
    },
    /// Compare the live schema with the snapshot; exit 1 when they differ.
    Verify,
    /// Start from an existing Diesel project and its live database.
    ///
    /// Writes migrate.toml, the snapshot and a baseline migration recorded as applied without
    /// running it, and (with --models) one #[derive(Model)] struct per table.
    Adopt {
        /// Write one #[derive(Model)] struct per table to this new file (e.g. src/models.rs).
        #[arg(long, value_name = "FILE")]
        models: Option<PathBuf>,
    },
    /// The lock each operation takes and whether it rewrites the table, per server backend.
    ///
    /// Every revision by default; exit 1 when a hand-written step uses a dangerous form
    /// (CREATE INDEX without CONCURRENTLY, a foreign key without NOT VALID, ...).
    Lint {
        /// A revision (or unique prefix), or FROM:TO (after FROM, up to TO).
        range: Option<String>,
        /// postgres or mysql (default: the database URL's backend if a server, else both).
        #[arg(long)]
        dialect: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write one executable with the migrations inside, for deploy machines without a Rust
    /// toolchain.
    ///
    /// A copy of this migrate-cli with the modules of versions/, snapshot.json and the timeouts
    /// of migrate.toml appended; it speaks upgrade, downgrade, current, history, verify and sql
    /// against --database-url or DATABASE_URL, with the same history table, lock and checksums.
    Bundle {
        /// Where to write it (its directory must exist); an existing file is replaced whole.
        #[arg(short, long, value_name = "PATH", value_parser = output_path)]
        output: PathBuf,
    },
    /// CI gate: exit 1 when the models differ from the snapshot or the migrations do not replay to it.
    Check {
        /// Read the models by compiling the models crate.
        #[arg(long)]
        compiled: bool,
    },
}

/// `bundle -o PATH`: a file in a directory that exists; a usage error otherwise.
fn output_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    if text.is_empty() || path.is_dir() {
        return Err(format!(
            "`{text}` is a directory; give the path of the file to write"
        ));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "directory `{}` does not exist; create it first",
            dir.display()
        ));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn negative_targets_parse() {
        let cli = Cli::try_parse_from(["migrate-cli", "downgrade", "-2"]).unwrap();
        assert!(matches!(cli.command, Command::Downgrade { target, .. } if target == "-2"));
    }
}
