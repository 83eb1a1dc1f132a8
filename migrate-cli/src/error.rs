//! The CLI's one error type: a sentence for the user and the exit code that goes with it.

use std::fmt;

/// A failure, printed once by `main`.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, naming the file, revision, table or column at fault.
    pub message: String,
    /// The process exit code (1 unless said otherwise).
    pub code: u8,
}

impl CliError {
    /// A failure with exit code 1.
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

impl From<migrate_core::Error> for CliError {
    fn from(e: migrate_core::Error) -> Self {
        CliError::new(e.to_string())
    }
}

impl From<migrate_core::source::SourceError> for CliError {
    fn from(e: migrate_core::source::SourceError) -> Self {
        CliError::new(e.to_string())
    }
}
