//! Views of a schema for people and tools: `sql`, `schema`, `diagram`.

use std::process::{Command as Process, Stdio};

use migrate_core::dialect::Backend;

use crate::commands::{live_schema, modules, read_snapshot, Context};
use crate::error::CliError;
use crate::programs;

/// `sql [FROM:]TO [--dialect D]`: what an upgrade (or, when TO is before FROM, a downgrade)
/// would run, rendered with no database. FROM defaults to base; `+N`/`-N` count from the other
/// end (`head:-1` is the downgrade of the last migration).
pub(crate) fn sql(ctx: &Context, range: &str, dialect: Option<&str>) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let backend = match dialect {
        Some(name) => Backend::parse(name).ok_or_else(|| {
            CliError::new(format!(
                "unknown dialect `{name}`, expected sqlite, postgres or mysql"
            ))
        })?,
        None => ctx
            .database_url(Some(&config))
            .ok()
            .and_then(|url| Backend::from_url(&url).ok())
            .unwrap_or(Backend::Sqlite),
    };
    let (from, to) = range.split_once(':').unwrap_or(("base", range));
    if modules(&config)?.is_empty() {
        ctx.say("No migrations yet");
        return Ok(0);
    }
    // Rendering needs no database, so the program is built with the embedded backend alone.
    let binary = programs::build_runner(&config, "sqlite", !ctx.verbose)?;
    let dialect_name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::Mysql => "mysql",
    };
    let status = Process::new(&binary)
        .args(["sql", from, to, dialect_name])
        .stdout(Stdio::inherit())
        .status()
        .map_err(|e| CliError::new(format!("{}: {e}", binary.display())))?;
    Ok(if status.success() { 0 } else { 1 })
}

/// `schema`: Diesel `table!` definitions of the migrated database.
pub(crate) fn schema(ctx: &Context) -> Result<u8, CliError> {
    let config = ctx.config().ok();
    let (url, live) = live_schema(ctx, config.as_ref())?;
    let backend = Backend::from_url(&url)?;
    print!(
        "{}",
        migrate_core::diesel_schema::render_schema_rs(&live, backend)
    );
    Ok(0)
}

/// `diagram`: a Mermaid `erDiagram` of the snapshot.
pub(crate) fn diagram(ctx: &Context) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let snapshot = read_snapshot(&config)?;
    print!(
        "{}",
        migrate_core::diagram::render_mermaid(&snapshot.schema())
    );
    Ok(0)
}
