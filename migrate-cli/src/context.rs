//! What every command takes from the global flags, and the few ways of printing they share: a
//! line unless `--quiet`, a path relative to the current directory, a summary line or a lint
//! finding in its colour; the colour choice and the exit code of a result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use migrate_core::diff::{Change, ChangeKind};
use migrate_core::lint::{Finding, Severity};
use migrate_core::project::payload::Bundle;
use migrate_core::project::{Env, Project};
use migrate_core::Error;

use crate::cli::ColorChoice;

/// The global flags, as the commands use them.
pub(crate) struct Context {
    /// The current directory, a database URL given on the command line, `--verbose`.
    pub(crate) env: Env,
    /// `--config`.
    pub(crate) config: Option<PathBuf>,
    /// `--quiet`.
    pub(crate) quiet: bool,
    /// The migrations this executable carries, when it is a bundle.
    pub(crate) bundle: Option<Arc<Bundle>>,
}

impl Context {
    /// The context of a command run in the current directory (`.env` read first, as Diesel's
    /// CLI does): of `migrate.toml` (or `--config`), or of the migrations a bundle carries.
    pub(crate) fn new(
        database_url: Option<String>,
        verbose: bool,
        quiet: bool,
        config: Option<PathBuf>,
        bundle: Option<Arc<Bundle>>,
    ) -> Result<Context, Error> {
        let _ = dotenvy::dotenv();
        let cwd = std::env::current_dir()
            .map_err(|e| Error::Project(format!("current directory: {e}")))?;
        Ok(Context {
            env: Env {
                cwd,
                database_url,
                verbose,
            },
            config,
            quiet,
            bundle,
        })
    }

    /// The project of `migrate.toml`, or the one a bundle carries.
    pub(crate) fn project(&self) -> Result<Project, Error> {
        if let Some(bundle) = &self.bundle {
            return Ok(Project::bundled(self.env.clone(), bundle.clone()));
        }
        Project::load(self.env.clone(), self.config.as_deref())
    }

    /// Prints `line` unless `--quiet`.
    pub(crate) fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            println!("{}", line.as_ref());
        }
    }

    /// `path` relative to the current directory when it is below it.
    pub(crate) fn show(&self, path: &Path) -> String {
        self.env.show(path)
    }

    /// Prints the findings of at least `least` severity, grouped under their revision and its
    /// message; nothing when `--quiet`.
    pub(crate) fn print_findings(
        &self,
        findings: &[Finding],
        messages: &BTreeMap<String, String>,
        least: Severity,
    ) {
        if self.quiet {
            return;
        }
        let mut last = None;
        for finding in findings.iter().filter(|f| f.severity >= least) {
            if last != Some(&finding.revision) {
                let message = messages.get(&finding.revision).cloned().unwrap_or_default();
                println!("{} {message}", finding.revision);
                last = Some(&finding.revision);
            }
            anstream::println!("{}", styled_finding(finding));
        }
    }
}

/// A summary line in its colour: additions green, alterations yellow, losses and risks red.
pub(crate) fn styled_change(change: &Change) -> String {
    use anstyle::AnsiColor;
    let style = match change.kind {
        ChangeKind::Add => AnsiColor::Green.on_default(),
        ChangeKind::Alter => AnsiColor::Yellow.on_default(),
        ChangeKind::Remove => AnsiColor::Red.on_default(),
        ChangeKind::Warning => AnsiColor::Red.on_default().bold(),
    };
    format!("{style}{change}{style:#}")
}

/// A finding as one indented line (and its fix), coloured by severity.
pub(crate) fn styled_finding(finding: &Finding) -> String {
    use anstyle::AnsiColor;
    let style = match finding.severity {
        Severity::Info => anstyle::Style::new(),
        Severity::Warning => AnsiColor::Yellow.on_default(),
        Severity::Error => AnsiColor::Red.on_default().bold(),
    };
    let text = finding.to_string().replace('\n', "\n  ");
    format!("  {style}{text}{style:#}")
}

/// `--color`: `auto` leaves the choice to anstream (colour on a terminal unless NO_COLOR is set).
pub(crate) fn set_color(choice: ColorChoice) {
    match choice {
        ColorChoice::Auto => {}
        ColorChoice::Always => anstream::ColorChoice::Always.write_global(),
        ColorChoice::Never => anstream::ColorChoice::Never.write_global(),
    }
}

/// The exit code of a command's result, its error printed.
pub(crate) fn exit_code(result: Result<u8, Error>) -> std::process::ExitCode {
    match result {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            let red = anstyle::AnsiColor::Red.on_default().bold();
            anstream::eprintln!("{red}error:{red:#} {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `1 migration`, `3 migrations`.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
