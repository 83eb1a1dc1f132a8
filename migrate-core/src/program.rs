//! The entry point of the small program that `migrate-cli` compiles from a migrations folder.
//!
//! It takes no dependency beyond migrate-core (no clap), so that compiling it stays cheap:
//! `PROGRAM upgrade|downgrade TARGET URL`, `PROGRAM sql FROM TO DIALECT`, `PROGRAM schema`.

use std::io::Write;
use std::process::ExitCode;

use crate::connection::connect;
use crate::dialect::Backend;
use crate::error::{mask_url, Error, Result};
use crate::runner::{
    Direction, EmbeddedMigration, Event, MigrationSet, RunOptions, Runner, Target,
};
use crate::snapshot::Snapshot;

/// Runs the command in `std::env::args` over `migrations`; the exit code to return from `main`.
pub fn main(migrations: &[EmbeddedMigration]) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if run_command(migrations, &args, &mut std::io::stdout().lock()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs one command of the program (`upgrade TARGET URL`, `sql FROM TO DIALECT`, ...) over
/// `migrations`, what it prints going to `out` and an error to standard error, as the
/// compiled program does; whether it succeeded. `migrate-cli` calls it in its own process when
/// it could read every module without compiling it.
pub fn run_command(migrations: &[EmbeddedMigration], args: &[&str], out: &mut dyn Write) -> bool {
    match run(migrations, args, out) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}

fn run(migrations: &[EmbeddedMigration], args: &[&str], out: &mut dyn Write) -> Result<()> {
    let set = MigrationSet::new(migrations)?;
    let arg = |i: usize| args.get(i).copied().unwrap_or_default();
    match arg(0) {
        "schema" if !arg(1).is_empty() => {
            // `schema REV`: the schema the migrations up to REV replay to.
            let set = set.naming(&[arg(1)])?;
            let revision = set.resolve_revision(arg(1))?;
            let schema = set.schema_at(Some(revision))?.clone();
            let _ = write!(
                out,
                "{}",
                Snapshot::new(Some(revision.to_string()), schema).to_json()
            );
            Ok(())
        }
        "schema" => {
            let head = set.heads().last().map(|h| h.to_string());
            let _ = write!(
                out,
                "{}",
                Snapshot::new(head, set.head_schema().clone()).to_json()
            );
            Ok(())
        }
        "sql" => {
            let set = set.naming(&[arg(1), arg(2)])?;
            let backend = Backend::parse(arg(3))
                .ok_or_else(|| Error::Target(format!("unknown dialect `{}`", arg(3))))?;
            let dialect = backend.dialect();
            // head, base, a revision, or +N / -N from the other end (from base, for FROM).
            let len = set.ordered().len();
            let position = |text: &str, relative_to: usize| -> Result<usize> {
                let target = Target::parse(text)?;
                if let Some(at) = set.position(&target)? {
                    return Ok(at);
                }
                let Target::Relative(n) = target else {
                    unreachable!("only a relative target has no position of its own")
                };
                let at = relative_to as i64 + n;
                if at < 0 || at > len as i64 {
                    return Err(Error::Target(format!(
                        "`{text}` goes past {}",
                        if at < 0 { "base" } else { "head" }
                    )));
                }
                Ok(at as usize)
            };
            let from = if arg(1).is_empty() {
                0
            } else {
                position(arg(1), 0)?
            };
            let to = position(if arg(2).is_empty() { "head" } else { arg(2) }, from)?;
            let range: Vec<(usize, Direction)> = if to >= from {
                (from..to).map(|i| (i, Direction::Up)).collect()
            } else {
                (to..from).rev().map(|i| (i, Direction::Down)).collect()
            };
            for (i, direction) in range {
                let m = &set.ordered()[i];
                let _ = writeln!(
                    out,
                    "-- {} {}: {}",
                    direction.command(),
                    m.revision,
                    m.message
                );
                for statement in set.statements(m.revision, dialect.as_ref(), direction)? {
                    let _ = writeln!(out, "{statement};");
                }
            }
            Ok(())
        }
        "lint" => {
            // lint SPEC BACKENDS: SPEC is empty (every revision), REV (that one) or FROM:TO
            // (after FROM up to TO, as `sql` reads it); BACKENDS a comma-separated list.
            let (from, to) = arg(1).split_once(':').unwrap_or(("", arg(1)));
            let set = set.naming(&[from, to])?;
            let len = set.ordered().len();
            let at = |text: &str| -> Result<usize> {
                set.position(&Target::parse(text)?)?.ok_or_else(|| {
                    Error::Target(format!("lint takes a revision or FROM:TO, not `{text}`"))
                })
            };
            let range = match arg(1) {
                "" => 0..len,
                spec => match spec.split_once(':') {
                    Some((from, to)) => {
                        let from = if from.is_empty() { 0 } else { at(from)? };
                        let to = if to.is_empty() { len } else { at(to)? };
                        from..to.max(from)
                    }
                    None => {
                        let end = at(spec)?;
                        end.saturating_sub(1)..end
                    }
                },
            };
            let mut backends = Vec::new();
            for name in arg(2).split(',').filter(|n| !n.is_empty()) {
                backends.push(
                    Backend::parse(name)
                        .ok_or_else(|| Error::Target(format!("unknown dialect `{name}`")))?,
                );
            }
            let findings = crate::lint::lint_migrations(&set, range, &backends)?;
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string(&findings).expect("findings serialize")
            );
            Ok(())
        }
        "stamp" => {
            let target = Target::parse(arg(1))?;
            let url = arg(2);
            let mut conn = connect(url)?;
            let mut runner = Runner::new(conn.as_mut(), &set)?;
            runner.stamp(&target)?;
            let _ = match runner.current()? {
                Some(rev) => writeln!(out, "Stamped {} at {rev}", mask_url(url)),
                None => writeln!(out, "Stamped {} at base", mask_url(url)),
            };
            Ok(())
        }
        command @ ("upgrade" | "downgrade") => {
            let target = Target::parse(arg(1))?;
            let url = arg(2);
            let mut options = RunOptions::default();
            // Optional: the lock and statement timeouts in milliseconds, from migrate.toml.
            if let Some(ms) = args.get(3) {
                options.lock_timeout_ms = ms.parse().map_err(|_| {
                    Error::Target(format!(
                        "lock timeout `{ms}` is not a number of milliseconds"
                    ))
                })?;
            }
            if let Some(ms) = args.get(4) {
                options.statement_timeout_ms = ms.parse().map_err(|_| {
                    Error::Target(format!(
                        "statement timeout `{ms}` is not a number of milliseconds"
                    ))
                })?;
            }
            let mut conn = connect(url)?;
            let mut runner = Runner::new(conn.as_mut(), &set)?.with_options(options);
            let direction = if command == "upgrade" {
                Direction::Up
            } else {
                Direction::Down
            };
            let mut count = 0;
            let progress = Progress::new(runner.pending(&target, direction).unwrap_or(0));
            let mut report = |event: &Event| {
                if !matches!(event, Event::Finished { .. }) {
                    count += 1;
                }
                progress.report(event, &mut *out);
            };
            if direction == Direction::Up {
                runner.upgrade(&target, &mut report)?;
            } else {
                runner.downgrade(&target, &mut report)?;
            }
            let heads = set.heads();
            let at = match runner.current()? {
                Some(rev) if heads.contains(&rev) => format!("{rev} (head)"),
                Some(rev) => rev.to_string(),
                None => "base (no migration applied)".to_string(),
            };
            progress.finish();
            if count == 0 {
                let _ = writeln!(
                    out,
                    "Nothing to {}; {} is at {at}",
                    if direction == Direction::Up {
                        "apply"
                    } else {
                        "revert"
                    },
                    mask_url(url)
                );
            } else {
                let _ = writeln!(out, "Database is now at {at}");
            }
            Ok(())
        }
        other => Err(Error::Target(format!(
            "unknown command `{other}`: expected upgrade, downgrade, stamp, sql, lint or schema"
        ))),
    }
}

/// A progress bar on standard error when many migrations run and it is a terminal; the
/// per-revision lines go to standard output either way.
struct Progress {
    #[cfg(feature = "progress")]
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// Fewer migrations than this print their lines and nothing more.
    #[cfg(feature = "progress")]
    const THRESHOLD: usize = 5;

    fn new(_total: usize) -> Self {
        Progress {
            #[cfg(feature = "progress")]
            bar: (_total >= Self::THRESHOLD).then(|| {
                let bar = indicatif::ProgressBar::new(_total as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{bar:40} {pos}/{len} migrations {msg}",
                    )
                    .expect("a valid template"),
                );
                bar
            }),
        }
    }

    fn report(&self, event: &Event, out: &mut dyn Write) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.suspend(|| {
                let _ = writeln!(out, "{event}");
                let _ = out.flush();
            });
            bar.inc(1);
            return;
        }
        let _ = writeln!(out, "{event}");
    }

    fn finish(&self) {
        #[cfg(feature = "progress")]
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The entry point of the `--compiled` reader's program: prints the schema of every model
/// linked into it (the `#[derive(Model)]` registry) as snapshot JSON.
pub fn dump_models() -> ExitCode {
    let models = crate::model::registered_models();
    match crate::model::schema_from_models(&models) {
        Ok(schema) => {
            print!("{}", Snapshot::new(None, schema).to_json());
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}
