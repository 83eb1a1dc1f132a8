//! `check`, `verify` and `lint`: what is wrong, printed, with exit 1 when it fails.

use std::path::Path;

use migrate_core::history::HistoryProblem;
use migrate_core::lint::Severity;
use migrate_core::project::check::{self, DatabaseProblem};
use migrate_core::project::live::{self, InvalidIndex, Verified};
use migrate_core::project::{lint as project_lint, parse_dialect};
use migrate_core::Error;

use crate::context::{styled_change, Context};

/// `check [--compiled]`.
pub(crate) fn check(ctx: &Context, compiled: bool) -> Result<u8, Error> {
    let project = ctx.project()?;
    let report = check::check(&project, compiled)?;
    if !report.models.is_empty() {
        println!(
            "The models ({}) differ from {}; run `migrate-cli migrate -m \"...\"`:",
            if compiled { "compiled" } else { "source" },
            ctx.show(&report.snapshot)
        );
        for change in &report.models.changes {
            anstream::println!("  {}", styled_change(change));
        }
    }
    if report.heads.len() > 1 {
        println!(
            "Several heads ({}): two branches each added a migration; join them with `migrate-cli merge -m \"...\"`",
            report.heads.join(", ")
        );
    }
    if let Some(replay) = &report.replay {
        println!(
            "Replaying the migrations in {} does not give {} (head {:?} vs {:?}):",
            ctx.show(&report.versions),
            ctx.show(&report.snapshot),
            replay.replayed_head,
            replay.snapshot_head
        );
        for change in &replay.drift.changes {
            println!("  {change}");
        }
    }
    if let Some(lint) = &report.lint {
        if lint
            .findings
            .iter()
            .any(|f| f.severity >= Severity::Warning)
        {
            println!(
                "Locks of the migrations not applied yet ({}; `migrate-cli lint` lists every one):",
                lint.tally()
            );
            ctx.print_findings(&lint.findings, &lint.messages, Severity::Warning);
        }
    }
    if let Some(database) = &report.database {
        let masked = &database.url;
        for problem in &database.problems {
            match problem {
                DatabaseProblem::History(HistoryProblem::Unfinished { revision, direction }) => println!(
                    "{masked}: revision {revision} is marked {}: the statements after its transaction did not all run; `migrate-cli {}` finishes them",
                    direction.unfinished_state(),
                    direction.command()
                ),
                DatabaseProblem::History(HistoryProblem::HalfApplied { revision }) => println!(
                    "{masked}: revision {revision} is marked dirty: it failed half-way"
                ),
                DatabaseProblem::History(HistoryProblem::MissingFile { revision, message }) => println!(
                    "{masked}: revision {revision} ({message}) is applied but its file is missing from {}",
                    ctx.show(&report.versions)
                ),
                DatabaseProblem::History(HistoryProblem::Edited { file, .. }) => println!(
                    "{}: edited after it was applied to {masked} (its checksum differs)",
                    ctx.show(Path::new(file))
                ),
                DatabaseProblem::InvalidIndex(index) => {
                    println!("{masked}: {}", invalid_index_line(index))
                }
                DatabaseProblem::Pending(pending) => println!(
                    "{masked}: {} migration(s) pending: {}; run `migrate-cli upgrade`",
                    pending.len(),
                    pending.join(", ")
                ),
                DatabaseProblem::Drift(drift) => {
                    println!(
                        "{masked}: the live schema drifted from {}:",
                        ctx.show(&report.snapshot)
                    );
                    for line in drift.lines() {
                        println!("  {line}");
                    }
                }
            }
        }
    }
    if let Some(e) = report.stopped {
        return Err(e);
    }
    if report.failed() {
        return Ok(1);
    }
    if report.database.is_some() {
        ctx.say("Models, snapshot, migrations and database agree");
    } else {
        ctx.say("Models, snapshot and migrations agree");
    }
    Ok(0)
}

/// An INVALID index, named with the way out.
fn invalid_index_line(index: &InvalidIndex) -> String {
    format!(
        "index `{}` on table `{}` is INVALID (a concurrent build failed or was cancelled): `migrate-cli upgrade` rebuilds it when its revision is unfinished; otherwise run `{}` and build it again",
        index.index, index.table, index.drop
    )
}

/// `verify`: the live schema against the snapshot; exit 1 when they differ.
pub(crate) fn verify(ctx: &Context) -> Result<u8, Error> {
    let project = ctx.project()?;
    let snapshot = ctx.show(&project.config.snapshot_path());
    match live::verify(&project)? {
        Verified::NotAtHead(head) => {
            println!(
                "The database is not at the snapshot's head {head}; run `migrate-cli upgrade` first"
            );
            Ok(1)
        }
        Verified::Compared { invalid, drift } => {
            for index in &invalid {
                println!("{}", invalid_index_line(index));
            }
            if drift.is_empty() {
                if !invalid.is_empty() {
                    return Ok(1);
                }
                ctx.say(format!("The live schema matches {snapshot}"));
                return Ok(0);
            }
            println!(
                "The live schema differs from {snapshot} (what the database has that the snapshot does not):"
            );
            for line in drift.lines() {
                println!("  {line}");
            }
            Ok(1)
        }
    }
}

/// `lint [RANGE] [--dialect D] [--json]`: every revision (or REV, or FROM:TO) on the database
/// URL's server backend, or on both servers; exit 1 when a hand-written step is dangerous.
pub(crate) fn lint(
    ctx: &Context,
    range: Option<&str>,
    dialect: Option<&str>,
    json: bool,
) -> Result<u8, Error> {
    let project = ctx.project()?;
    let dialect = dialect.map(parse_dialect).transpose()?;
    let backends = project_lint::backends(&project, dialect);
    let Some(report) = project_lint::lint(&project, range.unwrap_or(""), &backends)? else {
        if json {
            println!("[]");
        } else {
            ctx.say("No migrations yet");
        }
        return Ok(0);
    };
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report.findings).expect("findings serialize")
        );
    } else {
        ctx.print_findings(&report.findings, &report.messages, Severity::Info);
        if report.backends.is_empty() {
            ctx.say("SQLite has one writer at a time: every migration holds the database's write lock while it runs");
        } else {
            ctx.say(report.tally());
        }
    }
    Ok(u8::from(report.failed()))
}
