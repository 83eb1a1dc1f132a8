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
    /// The migrations on disk do not fit the history in the database, or each other.
    #[error("{0}")]
    History(String),
    /// A target that names no revision.
    #[error("{0}")]
    Target(String),
    /// An operation that the schema at that point does not allow.
    #[error("{0}")]
    Operation(String),
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
