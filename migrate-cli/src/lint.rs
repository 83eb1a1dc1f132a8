//! `lint`: the lock each operation of the migrations takes and whether it rewrites the table,
//! per server backend; and the same findings inside `check` and the summary of `migrate`.

use std::collections::BTreeMap;
use std::process::{Command as Process, Stdio};

use migrate_core::dialect::Backend;
use migrate_core::lint::{Finding, Severity, SERVER_BACKENDS};

use crate::commands::{modules, Context};
use crate::config::Config;
use crate::error::CliError;
use crate::programs;

/// `lint [RANGE] [--dialect D] [--json]`: every revision (or REV, or FROM:TO) on the database
/// URL's server backend, or on both servers; exit 1 when a hand-written step is dangerous.
pub(crate) fn lint(
    ctx: &Context,
    range: Option<&str>,
    dialect: Option<&str>,
    json: bool,
) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let backends = backends(ctx, &config, dialect)?;
    if modules(&config)?.is_empty() {
        if json {
            println!("[]");
        } else {
            ctx.say("No migrations yet");
        }
        return Ok(0);
    }
    let findings = findings(ctx, &config, range.unwrap_or(""), &backends)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&findings).expect("findings serialize")
        );
    } else {
        print(ctx, &config, &findings, Severity::Info)?;
        if backends.is_empty() {
            ctx.say("SQLite has one writer at a time: every migration holds the database's write lock while it runs");
        } else {
            ctx.say(tally(&findings));
        }
    }
    Ok(u8::from(
        findings.iter().any(|f| f.severity == Severity::Error),
    ))
}

/// `--dialect`, else the database URL's backend when it is a server, else both servers.
pub(crate) fn backends(
    ctx: &Context,
    config: &Config,
    dialect: Option<&str>,
) -> Result<Vec<Backend>, CliError> {
    let backend = match dialect {
        Some(name) => Some(Backend::parse(name).ok_or_else(|| {
            CliError::new(format!(
                "unknown dialect `{name}`, expected sqlite, postgres or mysql"
            ))
        })?),
        None => ctx
            .database_url(Some(config))
            .ok()
            .and_then(|url| Backend::from_url(&url).ok())
            .filter(|b| *b != Backend::Sqlite),
    };
    Ok(match backend {
        Some(Backend::Sqlite) => Vec::new(),
        Some(server) => vec![server],
        None => SERVER_BACKENDS.to_vec(),
    })
}

/// The findings of `spec` (empty: every revision) on `backends`, from the migrations compiled.
pub(crate) fn findings(
    ctx: &Context,
    config: &Config,
    spec: &str,
    backends: &[Backend],
) -> Result<Vec<Finding>, CliError> {
    if backends.is_empty() {
        return Ok(Vec::new());
    }
    // Linting renders nothing against a database, so the embedded backend alone is built.
    let binary = programs::build_runner(config, "sqlite", !ctx.verbose)?;
    let names: Vec<&str> = backends.iter().map(|b| b.feature()).collect();
    let output = Process::new(&binary)
        .args(["lint", spec, &names.join(",")])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| CliError::new(format!("{}: {e}", binary.display())))?;
    if !output.status.success() {
        return Err(CliError::new(
            "the migrations in versions/ could not be linted (error above)",
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| CliError::new(format!("{}: unreadable lint output: {e}", binary.display())))
}

/// Prints the findings of at least `least` severity, grouped under their revision.
pub(crate) fn print(
    ctx: &Context,
    config: &Config,
    findings: &[Finding],
    least: Severity,
) -> Result<(), CliError> {
    if ctx.quiet {
        return Ok(());
    }
    let messages: BTreeMap<String, String> = modules(config)?
        .into_iter()
        .map(|m| (m.revision, m.message))
        .collect();
    let mut last = None;
    for finding in findings.iter().filter(|f| f.severity >= least) {
        if last != Some(&finding.revision) {
            let message = messages.get(&finding.revision).cloned().unwrap_or_default();
            println!("{} {message}", finding.revision);
            last = Some(&finding.revision);
        }
        anstream::println!("{}", styled(finding));
    }
    Ok(())
}

/// A finding as one indented line (and its fix), coloured by severity.
pub(crate) fn styled(finding: &Finding) -> String {
    use anstyle::AnsiColor;
    let style = match finding.severity {
        Severity::Info => anstyle::Style::new(),
        Severity::Warning => AnsiColor::Yellow.on_default(),
        Severity::Error => AnsiColor::Red.on_default().bold(),
    };
    let text = finding.to_string().replace('\n', "\n  ");
    format!("  {style}{text}{style:#}")
}

/// `2 error(s), 1 warning(s)`, or that nothing is wrong.
pub(crate) fn tally(findings: &[Finding]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if errors == 0 && warnings == 0 {
        format!("{} operation(s) checked: no dangerous lock", findings.len())
    } else {
        format!("{errors} error(s), {warnings} warning(s)")
    }
}
