//! One function per command. Each reads what it needs, calls migrate-core, and prints.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use migrate_core::codegen::{render_module, slug, ModuleHeader};
use migrate_core::connection::connect;
use migrate_core::dialect::Backend;
use migrate_core::diff::{diff, diff_with_renames, ChangeKind, ColumnRename, Plan};
use migrate_core::model::ModelSpec;
use migrate_core::schema::Schema;
use migrate_core::snapshot::{write_atomic, Snapshot};

use crate::cli::{Cli, Command};
use crate::config::{self, Config};
use crate::error::CliError;
use crate::programs;

/// What a command needs from the global flags.
pub(crate) struct Context {
    pub(crate) cwd: PathBuf,
    config_flag: Option<PathBuf>,
    pub(crate) database_url: Option<String>,
    pub(crate) quiet: bool,
    pub(crate) verbose: bool,
}

impl Context {
    pub(crate) fn config(&self) -> Result<Config, CliError> {
        Config::load(self.config_flag.as_deref(), &self.cwd)
    }

    pub(crate) fn database_url(&self, config: Option<&Config>) -> Result<String, CliError> {
        config::database_url(self.database_url.as_deref(), config, &self.cwd)
    }

    pub(crate) fn say(&self, line: impl AsRef<str>) {
        if !self.quiet {
            println!("{}", line.as_ref());
        }
    }

    /// `path` relative to the current directory when it is below it, for shorter messages.
    pub(crate) fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.cwd)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Runs the parsed command line; the exit code.
pub fn run(cli: Cli) -> Result<u8, CliError> {
    let _ = dotenvy::dotenv();
    let cwd =
        std::env::current_dir().map_err(|e| CliError::new(format!("current directory: {e}")))?;
    let ctx = Context {
        cwd,
        config_flag: cli.config,
        database_url: cli.database_url,
        quiet: cli.quiet,
        verbose: cli.verbose,
    };
    match cli.command {
        Command::Init { dir } => init(&ctx, dir),
        Command::Migrate {
            message,
            empty,
            dry_run,
            compiled,
        } => migrate(&ctx, &message, empty, dry_run, compiled),
        Command::Upgrade {
            target, sql: true, ..
        } => crate::views::sql(&ctx, &target, None),
        Command::Upgrade { target, backup, .. } => {
            if backup {
                crate::backup::backup(&ctx)?;
            }
            run_migrations(&ctx, "upgrade", &target)
        }
        Command::Downgrade { target, sql: true } => {
            if !target.contains(':') {
                return Err(CliError::new(
                    "downgrade --sql needs FROM:TO (for example `head:base`): without a database the start is unknown",
                ));
            }
            crate::views::sql(&ctx, &target, None)
        }
        Command::Downgrade { target, .. } => run_migrations(&ctx, "downgrade", &target),
        Command::Stamp { revision } => run_migrations(&ctx, "stamp", &revision),
        Command::Current { json } => current(&ctx, json),
        Command::History { json } => history(&ctx, json),
        Command::Heads { json } => crate::revisions::heads_command(&ctx, json),
        Command::Show { revision, json } => crate::revisions::show(&ctx, &revision, json),
        Command::Merge { message } => crate::revisions::merge(&ctx, &message),
        Command::Sql { range, dialect } => crate::views::sql(&ctx, &range, dialect.as_deref()),
        Command::Schema => crate::views::schema(&ctx),
        Command::Diagram => crate::views::diagram(&ctx),
        Command::Check { compiled } => check(&ctx, compiled),
        Command::Lint {
            range,
            dialect,
            json,
        } => crate::lint::lint(&ctx, range.as_deref(), dialect.as_deref(), json),
        Command::Inspect { json } => inspect(&ctx, json),
        Command::Verify => verify(&ctx),
        Command::Adopt { models } => crate::adopt::adopt(&ctx, models.as_deref()),
    }
}

const DEFAULT_CONFIG: &str = "\
# migrate-cli configuration; paths are relative to this file.
models = \".\"                       # the crate whose #[derive(Model)] structs are the schema
migrations = \"migrations\"
database_url = \"sqlite://app.db\"   # used when neither --database-url nor DATABASE_URL is set
";

fn init(ctx: &Context, dir: Option<PathBuf>) -> Result<u8, CliError> {
    let dir = ctx.cwd.join(dir.unwrap_or_default());
    let config_path = dir.join(config::FILE_NAME);
    let config_text = if config_path.is_file() {
        None
    } else {
        let mut text = DEFAULT_CONFIG.to_string();
        if dir.join("src/schema.rs").is_file() {
            text.push_str("schema_rs = \"src/schema.rs\"          # Diesel's table! file, rewritten by `migrate`\n");
        } else {
            text.push_str("# schema_rs = \"src/schema.rs\"        # Diesel's table! file, rewritten by `migrate`\n");
        }
        Some(text)
    };
    let config = match &config_text {
        Some(text) => Config::parse(text, &config_path)?,
        None => Config::load(Some(&config_path), &ctx.cwd)?,
    };
    let snapshot = config.snapshot_path();
    if snapshot.exists() {
        return Err(CliError::new(format!(
            "{} already exists: this project is initialised; nothing was changed",
            ctx.show(&snapshot)
        )));
    }
    let versions = config.versions_dir();
    std::fs::create_dir_all(&versions)
        .map_err(|e| CliError::new(format!("{}: {e}", versions.display())))?;
    Snapshot::empty().write(&snapshot)?;
    if let Some(text) = config_text {
        write_atomic(&config_path, text.as_bytes())?;
        ctx.say(format!("Created {}", ctx.show(&config_path)));
    }
    ctx.say(format!(
        "Created {} and {}",
        ctx.show(&versions),
        ctx.show(&snapshot)
    ));
    Ok(0)
}

pub(crate) fn read_snapshot(config: &Config) -> Result<Snapshot, CliError> {
    let path = config.snapshot_path();
    if !path.is_file() {
        return Err(CliError::new(format!(
            "{}: no snapshot; run `migrate-cli init` first",
            path.display()
        )));
    }
    Ok(Snapshot::read(&path)?)
}

/// The schema the models declare, read from source or, with `compiled`, from the registry.
/// The schema the models declare, and the models themselves when they were read from source
/// (the compiled reader gives the schema only).
fn models_schema(
    ctx: &Context,
    config: &Config,
    compiled: bool,
) -> Result<(Schema, Option<Vec<ModelSpec>>), CliError> {
    if compiled {
        let binary = programs::build_dump(config, !ctx.verbose)?;
        let output = Process::new(&binary)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| CliError::new(format!("{}: {e}", binary.display())))?;
        if !output.status.success() {
            return Err(CliError::new(
                "the compiled models do not form a valid schema (errors above)",
            ));
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let mut schema = Snapshot::from_json(&text, &binary)?.schema();
        schema.objects = declared_objects(ctx, config, &schema)?;
        return Ok((schema, None));
    }
    let models = migrate_core::source::read_models(&config.models)?;
    let mut schema = migrate_core::model::schema_from_models(&models).map_err(|errors| {
        CliError::new(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    schema.objects = declared_objects(ctx, config, &schema)?;
    Ok((schema, Some(models)))
}

/// The objects of the objects folder, read for the database URL's backend among the tables
/// of `schema`.
fn declared_objects(
    ctx: &Context,
    config: &Config,
    schema: &Schema,
) -> Result<Vec<migrate_core::objects::DbObject>, CliError> {
    let backend = ctx
        .database_url(Some(config))
        .ok()
        .and_then(|url| Backend::from_url(&url).ok());
    let tables: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
    Ok(migrate_core::objects::declare::read_folder(
        &config.objects,
        backend,
        &tables,
        &|path| ctx.show(path),
    )?)
}

fn print_plan(ctx: &Context, plan: &Plan) {
    if ctx.quiet {
        return;
    }
    for change in &plan.changes {
        anstream::println!("{}", styled(change));
    }
}

/// The lint lines of a new plan, for the database URL's backend when it is a server: what each
/// change locks there, as `lint` prints it.
fn print_locks(ctx: &Context, config: &Config, start: &Schema, plan: &Plan) {
    let Some(backend) = ctx
        .database_url(Some(config))
        .ok()
        .and_then(|url| Backend::from_url(&url).ok())
        .filter(|b| *b != Backend::Sqlite)
    else {
        return;
    };
    let findings = migrate_core::lint::lint_operations(backend, start, &plan.up, true);
    if ctx.quiet || findings.is_empty() {
        return;
    }
    println!("On {backend}:");
    for finding in &findings {
        anstream::println!("{}", crate::lint::styled(finding));
    }
}

/// A summary line in its colour: additions green, alterations yellow, losses and risks red.
pub(crate) fn styled(change: &migrate_core::diff::Change) -> String {
    use anstyle::AnsiColor;
    let style = match change.kind {
        ChangeKind::Add => AnsiColor::Green.on_default(),
        ChangeKind::Alter => AnsiColor::Yellow.on_default(),
        ChangeKind::Remove => AnsiColor::Red.on_default(),
        ChangeKind::Warning => AnsiColor::Red.on_default().bold(),
    };
    format!("{style}{change}{style:#}")
}

/// A revision id from the clock, `YYYYMMDDHHMMSS` (UTC), a second after the newest existing
/// one when the clock is not ahead of it (two migrations in one second, or a clock behind).
pub(crate) fn next_revision(existing: &[String]) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let newest = existing.iter().filter_map(|r| revision_secs(r)).max();
    match newest {
        Some(newest) if newest >= now => revision_at(newest + 1),
        _ => revision_at(now),
    }
}

/// Seconds since the epoch, now.
pub(crate) fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The unix time of a `YYYYMMDDHHMMSS` revision id.
fn revision_secs(revision: &str) -> Option<u64> {
    if revision.len() != 14 || !revision.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |range: std::ops::Range<usize>| revision[range].parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(4..6)?, n(6..8)?);
    // Days from civil (the inverse of `civil_from_days`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let secs = days * 86_400 + n(8..10)? * 3600 + n(10..12)? * 60 + n(12..14)?;
    u64::try_from(secs).ok()
}

fn revision_at(secs: u64) -> String {
    let (y, m, d) = migrate_core::runner::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Passes generated code through rustfmt when one is installed and the code holds a line that
/// rustfmt may lay out otherwise, so long lines wrap as rustfmt wraps them; the text as it is
/// otherwise (starting rustfmt took most of the time of a one-column `migrate`).
pub(crate) fn rustfmt(code: String) -> String {
    if migrate_core::codegen::laid_out_as_rustfmt(&code) {
        return code;
    }
    let child = Process::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return code };
    if let Some(mut stdin) = child.stdin.take() {
        if stdin.write_all(code.as_bytes()).is_err() {
            return code;
        }
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() && !out.stdout.is_empty() => {
            String::from_utf8(out.stdout).unwrap_or(code)
        }
        _ => code,
    }
}

/// The header constants of a migration module: revision, revises, message.
pub(crate) struct ModuleInfo {
    pub revision: String,
    pub revises: Vec<String>,
    pub message: String,
    pub file: PathBuf,
}

pub(crate) fn module_info(path: &Path) -> Result<ModuleInfo, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    let constant = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("pub const {name}: ")))
            .map(|rest| {
                rest.split_once('=')
                    .map(|x| x.1)
                    .unwrap_or("")
                    .trim()
                    .trim_end_matches(';')
                    .to_string()
            })
    };
    let unquote = |s: &str| s.trim().trim_matches('"').to_string();
    let revision = constant("REVISION")
        .map(|v| unquote(&v))
        .ok_or_else(|| CliError::new(format!("{}: no `pub const REVISION`", path.display())))?;
    let revises = constant("REVISES")
        .map(|v| {
            v.trim_start_matches('&')
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .map(unquote)
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let message = constant("MESSAGE").map(|v| unquote(&v)).unwrap_or_default();
    Ok(ModuleInfo {
        revision,
        revises,
        message,
        file: path.to_path_buf(),
    })
}

pub(crate) fn modules(config: &Config) -> Result<Vec<ModuleInfo>, CliError> {
    programs::migration_files(&config.versions_dir())?
        .iter()
        .map(|(path, _)| module_info(path))
        .collect()
}

fn migrate(
    ctx: &Context,
    message: &str,
    empty: bool,
    dry_run: bool,
    compiled: bool,
) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let snapshot = read_snapshot(&config)?;
    let existing = modules(&config)?;
    let (target, models) = models_schema(ctx, &config, compiled)?;
    let current = snapshot.schema();
    let plan = if empty {
        Plan::default()
    } else {
        plan_with_renames(&current, &target, &config, models.as_deref())?
    };
    if plan.is_empty() && !empty {
        ctx.say("No changes detected");
        return Ok(0);
    }
    let revisions: Vec<String> = existing.iter().map(|m| m.revision.clone()).collect();
    let revision = next_revision(&revisions);
    let secs_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let header = ModuleHeader {
        revision: revision.clone(),
        revises: snapshot.head.clone().into_iter().collect(),
        message: message.to_string(),
        created: migrate_core::runner::format_unix(secs_now, "-", " ", " UTC"),
    };
    let warnings: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Warning)
        .map(|c| c.text.clone())
        .collect();
    let module = rustfmt(render_module(&header, &plan.up, &plan.down, &warnings));
    let file = config
        .versions_dir()
        .join(format!("{revision}_{}.rs", slug(message)));
    print_plan(ctx, &plan);
    print_locks(ctx, &config, &current, &plan);
    if dry_run {
        ctx.say(format!(
            "Would write {} (dry run, nothing written):\n",
            ctx.show(&file)
        ));
        print!("{module}");
        return Ok(0);
    }

    let mut new_schema = if empty { current } else { target };
    new_schema.normalize(); // as the snapshot holds it
    let schema_rs = config.schema_rs.as_ref().map(|path| {
        let backend = ctx
            .database_url(Some(&config))
            .ok()
            .and_then(|u| Backend::from_url(&u).ok())
            .unwrap_or(Backend::Sqlite);
        let text = migrate_core::diesel_schema::render_schema_rs(&new_schema, backend);
        (path, text)
    });
    let new_snapshot = Snapshot::new(Some(revision.clone()), new_schema);
    // The module first, then the snapshot: if the snapshot cannot be written, the module goes
    // too, so a failure never leaves half a migration behind.
    write_atomic(&file, module.as_bytes())?;
    if let Err(e) = new_snapshot.write(&config.snapshot_path()) {
        let _ = std::fs::remove_file(&file);
        return Err(e.into());
    }
    if let Some((path, text)) = schema_rs {
        write_atomic(path, text.as_bytes())?;
        ctx.say(format!("Rewrote {}", ctx.show(path)));
    }
    ctx.say(format!("Generated {}", ctx.show(&file)));
    Ok(0)
}

/// The plan from `current` to `target`, with the renames the models declare (`renamed_from`,
/// read from source) and, in a terminal, the ones the user confirms when asked.
fn plan_with_renames(
    current: &Schema,
    target: &Schema,
    config: &Config,
    models: Option<&[ModelSpec]>,
) -> Result<Plan, CliError> {
    // The compiled reader gives the schema but not the attributes; the source has them both,
    // and is read again only when the models came compiled.
    let read = match models {
        Some(models) => Ok(migrate_core::model::renames_from_models(models)),
        None => migrate_core::source::read_models(&config.models)
            .map(|models| migrate_core::model::renames_from_models(&models)),
    };
    let (mut renames, unread) = match read {
        Ok(renames) => (renames, None),
        Err(e) => (Default::default(), Some(e)),
    };
    let plan = diff_with_renames(current, target, &renames)?;
    if let Some(e) = unread {
        if plan.up.iter().any(|op| op.loses_data()) {
            eprintln!(
                "warning: `renamed_from` could not be read from the source, so no rename is planned; a drop below may be a rename:\n{e}"
            );
        }
    }
    if plan.rename_suggestions.is_empty() || !std::io::stdin().is_terminal() {
        return Ok(plan);
    }
    let confirmed = confirm_renames(
        &plan.rename_suggestions,
        target,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout(),
    );
    if confirmed.is_empty() {
        return Ok(plan);
    }
    renames.columns.extend(confirmed);
    Ok(diff_with_renames(current, target, &renames)?)
}

/// Asks about each suggested rename, as Django does; the ones answered with `y`.
fn confirm_renames(
    suggestions: &[ColumnRename],
    target: &Schema,
    input: &mut dyn std::io::BufRead,
    output: &mut dyn std::io::Write,
) -> Vec<ColumnRename> {
    let mut confirmed = Vec::new();
    for suggestion in suggestions {
        let ty = target
            .table(&suggestion.table)
            .and_then(|t| t.column(&suggestion.to))
            .map(|c| c.ty.to_string())
            .unwrap_or_default();
        let _ = write!(
            output,
            "Did you rename {t}.{} to {t}.{} ({ty})? [y/N] ",
            suggestion.from,
            suggestion.to,
            t = suggestion.table
        );
        let _ = output.flush();
        let mut answer = String::new();
        if input.read_line(&mut answer).unwrap_or(0) == 0 {
            break;
        }
        if answer.trim_start().to_ascii_lowercase().starts_with('y') {
            confirmed.push(suggestion.clone());
        }
    }
    confirmed
}

/// Checks that this build and this version can drive `url`'s backend.
pub(crate) fn backend_of(url: &str) -> Result<Backend, CliError> {
    let backend = Backend::from_url(url)?;
    if !cfg!(feature = "postgres") && backend == Backend::Postgres
        || !cfg!(feature = "mysql") && backend == Backend::Mysql
    {
        return Err(CliError::new(format!(
            "{} is a {backend} URL, but this migrate-cli was built without the `{}` feature; rebuild with `--features {}`",
            migrate_core::error::mask_url(url),
            backend.feature(),
            backend.feature()
        )));
    }
    Ok(backend)
}

pub(crate) fn run_migrations(ctx: &Context, command: &str, target: &str) -> Result<u8, CliError> {
    migrate_core::runner::Target::parse(target)?;
    let config = ctx.config()?;
    let url = ctx.database_url(Some(&config))?;
    let backend = backend_of(&url)?;
    if programs::migration_files(&config.versions_dir())?.is_empty() {
        // Nothing to compile; still connect, so a bad URL is reported now, and an applied
        // revision whose file is gone is named.
        if let Some(row) = connect(&url)?.history()?.first() {
            return Err(CliError::new(format!(
                "revision {} ({}) is applied on the database but its migration file is missing from {}",
                row.revision,
                row.message,
                ctx.show(&config.versions_dir())
            )));
        }
        ctx.say(format!(
            "No migrations in {}; nothing to {command}",
            ctx.show(&config.versions_dir())
        ));
        return Ok(0);
    }
    let binary = programs::build_runner(&config, backend.feature(), !ctx.verbose)?;
    let mut args = vec![command.to_string(), target.to_string(), url.clone()];
    if command != "stamp" {
        args.push(config.run_options.lock_timeout_ms.to_string());
        args.push(config.run_options.statement_timeout_ms.to_string());
    }
    let status = Process::new(&binary)
        .args(&args)
        .stdout(if ctx.quiet {
            Stdio::null()
        } else {
            Stdio::inherit()
        })
        .status()
        .map_err(|e| CliError::new(format!("{}: {e}", binary.display())))?;
    Ok(if status.success() { 0 } else { 1 })
}

pub(crate) fn applied_revisions(url: &str) -> Result<Vec<String>, CliError> {
    let mut conn = connect(url)?;
    Ok(conn.history()?.into_iter().map(|r| r.revision).collect())
}

fn current(ctx: &Context, json: bool) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let url = ctx.database_url(Some(&config))?;
    backend_of(&url)?;
    let applied = applied_revisions(&url)?;
    let snapshot = read_snapshot(&config)?;
    let files = modules(&config)?;
    // Files sort by revision id, which is the order they were generated in.
    let at = files
        .iter()
        .rev()
        .find(|m| applied.contains(&m.revision))
        .map(|m| m.revision.clone())
        .or_else(|| applied.last().cloned());
    if json {
        let head = at.is_some() && at == snapshot.head;
        println!("{}", serde_json::json!({"revision": at, "head": head}));
        return Ok(0);
    }
    match at {
        Some(rev) if Some(&rev) == snapshot.head.as_ref() => println!("{rev} (head)"),
        Some(rev) => println!("{rev}"),
        None => println!("base (no migration applied)"),
    }
    Ok(0)
}

fn history(ctx: &Context, json: bool) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let snapshot = read_snapshot(&config)?;
    let applied = ctx
        .database_url(Some(&config))
        .ok()
        .and_then(|url| applied_revisions(&url).ok());
    let all = modules(&config)?;
    if json {
        crate::revisions::history_json(ctx, &all, applied.as_deref(), snapshot.head.as_deref());
        return Ok(0);
    }
    for m in all {
        let state = match &applied {
            Some(list) if list.contains(&m.revision) => "applied",
            Some(_) => "pending",
            None => "",
        };
        let head = if snapshot.head.as_deref() == Some(m.revision.as_str()) {
            " (head)"
        } else {
            ""
        };
        let revises = if m.revises.is_empty() {
            "base".to_string()
        } else {
            m.revises.join(", ")
        };
        println!(
            "{revises} -> {}{head}  {state:<8} {}  [{}]",
            m.revision,
            m.message,
            ctx.show(&m.file)
        );
    }
    Ok(0)
}

pub(crate) fn live_schema(
    ctx: &Context,
    config: Option<&Config>,
) -> Result<(String, Schema), CliError> {
    let url = ctx.database_url(config)?;
    backend_of(&url)?;
    let mut conn = connect(&url)?;
    let mut schema = conn.introspect()?;
    if let Some(snapshot) = config.and_then(|c| read_snapshot(c).ok()) {
        migrate_core::introspect::align(&mut schema, &snapshot.schema(), conn.backend());
    }
    Ok((url, schema))
}

fn inspect(ctx: &Context, json: bool) -> Result<u8, CliError> {
    let config = ctx.config().ok();
    let (_, schema) = live_schema(ctx, config.as_ref())?;
    if json {
        print!("{}", Snapshot::new(None, schema).to_json());
        return Ok(0);
    }
    for table in &schema.tables {
        println!("table {}", table.name);
        for column in &table.columns {
            let mut line = format!(
                "  {} {} {}",
                column.name,
                column.ty,
                if column.nullable { "NULL" } else { "NOT NULL" }
            );
            if table.primary_key.contains(&column.name) {
                line.push_str(" primary key");
            }
            if column.auto_increment {
                line.push_str(" auto_increment");
            }
            if let Some(default) = &column.default {
                line.push_str(&format!(" default {default}"));
            }
            println!("{line}");
        }
        for index in &table.indexes {
            let kind = if index.unique {
                "unique index"
            } else {
                "index"
            };
            println!("  {kind} {} ({})", index.name, index.columns.join(", "));
        }
        for unique in &table.uniques {
            println!("  unique {} ({})", unique.name, unique.columns.join(", "));
        }
        for fk in &table.foreign_keys {
            println!(
                "  foreign key {} ({}) -> {} ({})",
                fk.name,
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", ")
            );
        }
        for check in &table.checks {
            println!("  check {} ({})", check.name, check.expr);
        }
    }
    for object in &schema.objects {
        println!("{}", object.key());
    }
    Ok(0)
}

fn verify(ctx: &Context) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let snapshot = read_snapshot(&config)?;
    let (url, live) = live_schema(ctx, Some(&config))?;
    let applied = applied_revisions(&url)?;
    if let Some(head) = &snapshot.head {
        if !applied.contains(head) {
            println!(
                "The database is not at the snapshot's head {head}; run `migrate-cli upgrade` first"
            );
            return Ok(1);
        }
    }
    let mut conn = connect(&url)?;
    let invalid = invalid_index_lines(conn.as_mut())?;
    for line in &invalid {
        println!("{line}");
    }
    let (mut expected, mut live) = (snapshot.schema(), live);
    let objects = migrate_core::introspect::objects::compare_through_server(
        conn.as_mut(),
        &mut expected,
        &mut live,
    )?;
    let drift = diff(&expected, &live)?;
    if drift.is_empty() && objects.is_empty() {
        if !invalid.is_empty() {
            return Ok(1);
        }
        ctx.say(format!(
            "The live schema matches {}",
            ctx.show(&config.snapshot_path())
        ));
        return Ok(0);
    }
    println!(
        "The live schema differs from {} (what the database has that the snapshot does not):",
        ctx.show(&config.snapshot_path())
    );
    for change in &drift.changes {
        println!("  {change}");
    }
    for line in &objects {
        println!("  {line}");
    }
    Ok(1)
}

fn check(ctx: &Context, compiled: bool) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let snapshot = read_snapshot(&config)?;
    let (models, _) = models_schema(ctx, &config, compiled)?;
    let mut failed = false;
    let plan = diff(&snapshot.schema(), &models)?;
    if !plan.is_empty() {
        failed = true;
        println!(
            "The models ({}) differ from {}; run `migrate-cli migrate -m \"...\"`:",
            if compiled { "compiled" } else { "source" },
            ctx.show(&config.snapshot_path())
        );
        for change in &plan.changes {
            anstream::println!("  {}", styled(change));
        }
    }
    let all = modules(&config)?;
    let heads = crate::revisions::heads(&all);
    if heads.len() > 1 {
        failed = true;
        println!(
            "Several heads ({}): two branches each added a migration; join them with `migrate-cli merge -m \"...\"`",
            heads.iter().map(|m| m.revision.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    if !all.is_empty() {
        let binary = programs::build_runner(&config, "sqlite", !ctx.verbose)?;
        let output = Process::new(&binary)
            .arg("schema")
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| CliError::new(format!("{}: {e}", binary.display())))?;
        if !output.status.success() {
            return Err(CliError::new(
                "the migrations in versions/ do not replay (error above)",
            ));
        }
        let replayed = Snapshot::from_json(&String::from_utf8_lossy(&output.stdout), &binary)?;
        let drift = diff(&replayed.schema(), &snapshot.schema())?;
        if !drift.is_empty() || replayed.head != snapshot.head {
            failed = true;
            println!(
                "Replaying the migrations in {} does not give {} (head {:?} vs {:?}):",
                ctx.show(&config.versions_dir()),
                ctx.show(&config.snapshot_path()),
                replayed.head,
                snapshot.head
            );
            for change in &drift.changes {
                println!("  {change}");
            }
        }
    }
    if !all.is_empty() {
        failed |= check_lint(ctx, &config)?;
    }
    let with_database = match database_for_check(ctx, &config) {
        Some(url) => {
            failed |= check_database(ctx, &config, &snapshot, &all, &url)?;
            true
        }
        None => false,
    };
    if failed {
        return Ok(1);
    }
    if with_database {
        ctx.say("Models, snapshot, migrations and database agree");
    } else {
        ctx.say("Models, snapshot and migrations agree");
    }
    Ok(0)
}

/// The lint half of `check`: the migrations the database has not applied (all of them without
/// a database) are linted on the database's server backend (both servers without one); errors
/// fail, warnings are shown. True when something failed.
fn check_lint(ctx: &Context, config: &Config) -> Result<bool, CliError> {
    let backends = crate::lint::backends(ctx, config, None)?;
    let applied = database_for_check(ctx, config)
        .and_then(|url| applied_revisions(&url).ok())
        .unwrap_or_default();
    let findings: Vec<_> = crate::lint::findings(ctx, config, "", &backends)?
        .into_iter()
        .filter(|f| !applied.contains(&f.revision))
        .collect();
    let errors = findings
        .iter()
        .filter(|f| f.severity == migrate_core::lint::Severity::Error)
        .count();
    if findings
        .iter()
        .any(|f| f.severity >= migrate_core::lint::Severity::Warning)
    {
        println!(
            "Locks of the migrations not applied yet ({}; `migrate-cli lint` lists every one):",
            crate::lint::tally(&findings)
        );
        crate::lint::print(
            ctx,
            config,
            &findings,
            migrate_core::lint::Severity::Warning,
        )?;
    }
    Ok(errors > 0)
}

/// The database `check` looks at: one named by `--database-url` or `DATABASE_URL`, or the one
/// of `migrate.toml` when it exists (a SQLite file not created yet is no database to check).
fn database_for_check(ctx: &Context, config: &Config) -> Option<String> {
    let explicit = ctx.database_url.is_some() || std::env::var_os("DATABASE_URL").is_some();
    let url = ctx.database_url(Some(config)).ok()?;
    if explicit || Backend::from_url(&url).ok()? != Backend::Sqlite {
        return Some(url);
    }
    let path = migrate_core::connection::sqlite_path(&url);
    std::path::Path::new(path).is_file().then_some(url)
}

/// One line per INVALID index of the database (PostgreSQL: what a failed concurrent build
/// leaves), naming it and the way out.
fn invalid_index_lines(
    conn: &mut dyn migrate_core::connection::MigrationConnection,
) -> Result<Vec<String>, CliError> {
    let dialect = conn.backend().dialect();
    Ok(conn
        .invalid_indexes()?
        .into_iter()
        .map(|(table, index)| {
            format!(
                "index `{index}` on table `{table}` is INVALID (a concurrent build failed or was cancelled): `migrate-cli upgrade` rebuilds it when its revision is unfinished; otherwise run `DROP INDEX CONCURRENTLY {};` and build it again",
                dialect.quote(&index)
            )
        })
        .collect())
}

/// The database half of `check`: every applied migration has its file, unedited; nothing is
/// pending or half-applied; and the live schema is the snapshot's. True when something failed.
fn check_database(
    ctx: &Context,
    config: &Config,
    snapshot: &Snapshot,
    all: &[ModuleInfo],
    url: &str,
) -> Result<bool, CliError> {
    backend_of(url)?;
    let mut conn = connect(url)?;
    let rows = conn.history()?;
    let masked = migrate_core::error::mask_url(url);
    let mut failed = false;
    for row in &rows {
        if row.state == migrate_core::runner::STATE_FINISHING
            || row.state == migrate_core::runner::STATE_REVERTING
        {
            failed = true;
            let command = if row.state == migrate_core::runner::STATE_FINISHING {
                "upgrade"
            } else {
                "downgrade"
            };
            println!(
                "{masked}: revision {} is marked {}: the statements after its transaction did not all run; `migrate-cli {command}` finishes them",
                row.revision, row.state
            );
        } else if row.state != "applied" {
            failed = true;
            println!(
                "{masked}: revision {} is marked {}: it failed half-way",
                row.revision, row.state
            );
        }
        match all.iter().find(|m| m.revision == row.revision) {
            None => {
                failed = true;
                println!(
                    "{masked}: revision {} ({}) is applied but its file is missing from {}",
                    row.revision,
                    row.message,
                    ctx.show(&config.versions_dir())
                );
            }
            Some(m) => {
                let source = std::fs::read_to_string(&m.file)
                    .map_err(|e| CliError::new(format!("{}: {e}", m.file.display())))?;
                if migrate_core::runner::checksum(&source) != row.checksum {
                    failed = true;
                    println!(
                        "{}: edited after it was applied to {masked} (its checksum differs)",
                        ctx.show(&m.file)
                    );
                }
            }
        }
    }
    for line in invalid_index_lines(conn.as_mut())? {
        failed = true;
        println!("{masked}: {line}");
    }
    let pending: Vec<&ModuleInfo> = all
        .iter()
        .filter(|m| !rows.iter().any(|r| r.revision == m.revision))
        .collect();
    if !pending.is_empty() {
        failed = true;
        println!(
            "{masked}: {} migration(s) pending: {}; run `migrate-cli upgrade`",
            pending.len(),
            pending
                .iter()
                .map(|m| m.revision.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    } else if !failed {
        let mut live = conn.introspect()?;
        let mut expected = snapshot.schema();
        migrate_core::introspect::align(&mut live, &expected, conn.backend());
        let objects = migrate_core::introspect::objects::compare_through_server(
            conn.as_mut(),
            &mut expected,
            &mut live,
        )?;
        let drift = diff(&expected, &live)?;
        if !drift.is_empty() || !objects.is_empty() {
            failed = true;
            println!(
                "{masked}: the live schema drifted from {}:",
                ctx.show(&config.snapshot_path())
            );
            for change in &drift.changes {
                println!("  {change}");
            }
            for line in &objects {
                println!("  {line}");
            }
        }
    }
    Ok(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_questions_name_the_columns_and_default_to_no() {
        use migrate_core::schema::{Column, SqlType, Table};
        let mut posts = Table::new("posts");
        posts.columns.push(Column::new("content", SqlType::Text));
        posts.columns.push(Column::new("summary", SqlType::Text));
        let target = Schema::new(vec![posts]);
        let suggestion = |from: &str, to: &str| ColumnRename {
            table: "posts".into(),
            from: from.into(),
            to: to.into(),
        };
        let suggestions = [suggestion("body", "content"), suggestion("lede", "summary")];
        let mut output = Vec::new();
        let confirmed =
            confirm_renames(&suggestions, &target, &mut "y\n\n".as_bytes(), &mut output);
        assert_eq!(confirmed, [suggestion("body", "content")]);
        assert_eq!(
            String::from_utf8(output).unwrap(),
            "Did you rename posts.body to posts.content (text)? [y/N] \
             Did you rename posts.lede to posts.summary (text)? [y/N] "
        );
    }

    #[test]
    fn revisions_are_increasing_and_sortable() {
        assert_eq!(revision_at(1_795_603_500), "20261125104500");
        assert_eq!(revision_secs("20261125104500"), Some(1_795_603_500));
        assert_eq!(
            next_revision(&["29991231235959".to_string()]),
            "30000101000000"
        );
        assert!(next_revision(&["20000101000000".to_string()]).as_str() > "2026");
    }
}
