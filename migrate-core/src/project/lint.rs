//! `lint`: the lock each operation of the migrations takes and whether it rewrites the table,
//! per server backend, from the migrations compiled into the runner program.

use std::collections::BTreeMap;

use super::programs::RunnerProgram;
use super::Project;
use crate::dialect::Backend;
use crate::error::{Error, Result};
use crate::lint::{Finding, Severity, SERVER_BACKENDS};

/// The backends to lint on: `dialect` when named, else the database URL's backend when it is a
/// server, else both servers. Empty for SQLite, whose one writer at a time has no locks to
/// weigh.
pub fn backends(project: &Project, dialect: Option<Backend>) -> Vec<Backend> {
    let backend = dialect.or_else(|| project.backend().filter(|b| *b != Backend::Sqlite));
    match backend {
        Some(Backend::Sqlite) => Vec::new(),
        Some(server) => vec![server],
        None => SERVER_BACKENDS.to_vec(),
    }
}

/// Findings of the migrations, with the message of each revision they name.
#[derive(Debug, Clone, Default)]
pub struct LintReport {
    /// The backends linted on (none: SQLite).
    pub backends: Vec<Backend>,
    /// In apply order, each tagged with its revision.
    pub findings: Vec<Finding>,
    /// The message of each revision.
    pub messages: BTreeMap<String, String>,
}

impl LintReport {
    /// Whether a hand-written step uses a dangerous form: `lint` and `check` exit 1.
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// `2 error(s), 1 warning(s)`, or that nothing is wrong.
    pub fn tally(&self) -> String {
        let count = |s: Severity| self.findings.iter().filter(|f| f.severity == s).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        if errors == 0 && warnings == 0 {
            format!(
                "{} operation(s) checked: no dangerous lock",
                self.findings.len()
            )
        } else {
            format!("{errors} error(s), {warnings} warning(s)")
        }
    }
}

/// `lint [RANGE]`: the findings of `range` (empty: every revision; REV; or FROM:TO) on
/// `backends`; `None` when the project has no migration yet.
pub fn lint(project: &Project, range: &str, backends: &[Backend]) -> Result<Option<LintReport>> {
    let files = project.files()?;
    if files.is_empty() {
        return Ok(None);
    }
    let messages = files
        .files()
        .iter()
        .map(|f| (f.revision.clone(), f.message.clone()))
        .collect();
    let findings = if backends.is_empty() {
        Vec::new()
    } else {
        // Linting renders nothing against a database, so the embedded backend alone is built.
        RunnerProgram::build(&project.config, Backend::Sqlite, !project.env.verbose)?
            .lint(range, backends)?
            .ok_or_else(|| {
                Error::Project(
                    "the migrations in versions/ could not be linted (error above)".into(),
                )
            })?
    };
    Ok(Some(LintReport {
        backends: backends.to_vec(),
        findings,
        messages,
    }))
}
