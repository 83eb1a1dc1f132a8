//! The errors of migrate-core: each names the file, revision, table or column to act on.

use std::path::PathBuf;

/// Everything that can go wrong outside of pure schema rules.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A project file that is not what it should be.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A project file that is wrong at a line.
    #[error("{path}:{line}: {message}")]
    FileLine {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong there.
        message: String,
    },
    /// The models' source cannot be read into models.
    #[cfg(feature = "source")]
    #[error(transparent)]
    Source(#[from] crate::source::SourceError),
    /// A project command that cannot go on: the sentence says why and what to do.
    #[error("{0}")]
    Project(String),
    /// `snapshot.json` is not a snapshot.
    #[error("{path}:{line}:{column}: corrupt snapshot: {message}")]
    CorruptSnapshot {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The snapshot was written by a newer version of this tool.
    #[error("{path}: snapshot format {found} is newer than this tool understands ({supported}); upgrade migrate-cli")]
    SnapshotFormat {
        /// The file.
        path: PathBuf,
        /// The format found.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// The models break a schema-level rule.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Model(Vec<crate::model::ModelError>),
    /// A database URL that cannot be used.
    #[error("{0}")]
    DatabaseUrl(String),
    /// Connecting failed; the URL is shown without its password.
    #[error("cannot connect to {url}: {message}")]
    Connect {
        /// The URL, password masked.
        url: String,
        /// The driver's message.
        message: String,
    },
    /// A statement failed.
    #[error("{context}: {message}")]
    Database {
        /// What was being done (revision, statement).
        context: String,
        /// The database's message.
        message: String,
    },
    /// A statement waited longer than `lock_timeout` for a table lock that another session
    /// held.
    #[error("{file} (revision {revision}): the lock on {tables} was not granted within lock_timeout ({timeout}): another session holds it (a long transaction, or DDL queued before this one); {outcome}")]
    LockTimeout {
        /// The migration file.
        file: String,
        /// Its revision.
        revision: String,
        /// The table (or tables) whose lock was asked for, already quoted for the message.
        tables: String,
        /// The timeout, as configured.
        timeout: String,
        /// What state the revision is left in.
        outcome: String,
    },
    /// Two migrations declare the same revision.
    #[error("revision {revision} is declared by both {first} and {second}")]
    DuplicateRevision {
        /// The revision.
        revision: String,
        /// The first file that declares it.
        first: String,
        /// The second.
        second: String,
    },
    /// A migration revises a revision that no migration declares.
    #[error("{file} revises {parent}, which no migration in versions/ declares")]
    UnknownParent {
        /// The migration file.
        file: String,
        /// The revision it names in `REVISES`.
        parent: String,
    },
    /// Migrations whose `REVISES` links go round in a circle.
    #[error("migrations {} revise each other in a cycle", .revisions.join(", "))]
    RevisionCycle {
        /// The revisions on (or behind) the cycle.
        revisions: Vec<String>,
    },
    /// No revision starts with the text given.
    #[error("no migration has a revision starting with `{prefix}`")]
    UnknownRevision {
        /// The text given.
        prefix: String,
    },
    /// Several revisions start with the text given.
    #[error("`{prefix}` is ambiguous: it starts revisions {}", .revisions.join(", "))]
    AmbiguousRevision {
        /// The text given.
        prefix: String,
        /// The revisions it starts.
        revisions: Vec<String>,
    },
    /// A migration's operations do not fit the schema they replay over, or cannot be rendered.
    #[error("{file} (revision {revision}): {source}")]
    Migration {
        /// The migration file.
        file: String,
        /// Its revision.
        revision: String,
        /// What is wrong.
        source: Box<Error>,
    },
    /// A migration marked irreversible (`m.irreversible(...)`) in the direction asked for.
    #[error("{file} (revision {revision}) cannot be {}: {reason}", .direction.participle())]
    Irreversible {
        /// The migration file.
        file: String,
        /// Its revision.
        revision: String,
        /// The reason the module gives.
        reason: String,
        /// The direction that cannot be run.
        direction: crate::history::Direction,
    },
    /// A revision the database applied has no migration file.
    #[error("revision {revision} ({message}) is applied on the database but its migration file is missing from {versions}")]
    MissingFile {
        /// The revision.
        revision: String,
        /// Its message, as recorded in the history.
        message: String,
        /// The folder looked in.
        versions: String,
    },
    /// A migration file was edited after its revision was applied.
    #[error("{file} (revision {revision}) was edited after it was applied: its checksum differs from the one recorded")]
    EditedMigration {
        /// The migration file.
        file: String,
        /// Its revision.
        revision: String,
    },
    /// A migration failed half-way where DDL commits as it goes, and its row is `dirty`.
    #[error("revision {revision} failed half-way and is marked dirty; fix the database by hand, then `stamp` the revision it is at")]
    HalfApplied {
        /// The revision.
        revision: String,
    },
    /// A revision left between its transaction and the statements after it, in the other
    /// direction than the one asked for.
    #[error("revision {revision} stopped before the statements after its {} transaction ran; run `migrate-cli {}` to finish them first", .direction.command(), .direction.command())]
    Unfinished {
        /// The revision.
        revision: String,
        /// The direction whose statements remain.
        direction: crate::history::Direction,
    },
    /// A history row with a state this version does not know.
    #[error("revision {revision} has the unknown state `{state}` in __migrate_history")]
    UnknownHistoryState {
        /// The revision.
        revision: String,
        /// The state as stored.
        state: String,
    },
    /// A database without history already holds tables the first migration would create.
    #[error("the database has no migration history but already holds table(s) {} that revision {revision} would create; nothing was run. If it already has this schema, record that with `migrate-cli stamp <the revision it is at>` (for example `stamp {revision}`)", .tables.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", "))]
    ExistingTables {
        /// The revision that would create them.
        revision: String,
        /// The tables.
        tables: Vec<String>,
    },
    /// INVALID indexes (a failed concurrent build) that no unfinished revision rebuilds.
    #[error("index {} is INVALID (a concurrent build failed or was cancelled, outside any unfinished revision); nothing was applied. Drop it (`{}`) or rebuild it (`REINDEX INDEX CONCURRENTLY ...`), then run `upgrade` again", .indexes.iter().map(|(table, index)| format!("`{index}` on table `{table}`")).collect::<Vec<_>>().join(", "), .drops.join(" "))]
    InvalidIndexes {
        /// `(table, index)` of each.
        indexes: Vec<(String, String)>,
        /// The statements that drop them.
        drops: Vec<String>,
    },
    /// A target that names no revision.
    #[error("{0}")]
    Target(String),
    /// An operation that the schema at that point does not allow.
    #[error("{0}")]
    Operation(String),
    /// The schema holds what the backend does not have: each names the backend, the table,
    /// the column, index or constraint, and the feature.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Unsupported(Vec<crate::support::Unsupported>),
    /// A file of the objects folder that does not declare one object.
    #[error("{path}:{line}: {message}")]
    Declaration {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// A database URL with its password replaced by `***`, fit to print.
pub fn mask_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &userinfo[..colon],
            &rest[at..]
        ),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::mask_url;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            mask_url("postgres://bob:s3cr%40t@db:5432/app"),
            "postgres://bob:***@db:5432/app"
        );
        assert_eq!(
            mask_url("mysql://root@localhost/x"),
            "mysql://root@localhost/x"
        );
        assert_eq!(mask_url("sqlite://app.db"), "sqlite://app.db");
        assert_eq!(
            mask_url("postgres://u:p@h/d?x=@"),
            "postgres://u:***@h/d?x=@"
        );
    }
}
