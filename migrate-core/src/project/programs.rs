//! The two small programs a project's commands build and run: the runner (the migrations and
//! migrate-core, never the models crate) and the models program behind `--compiled` (the
//! models crate linked, its `#[derive(Model)]` registry printed).
//!
//! Each is one type with three parts kept apart: building it (a generated crate, built with
//! cargo under the models crate's target directory, so their dependencies compile once, and
//! skipped when a fingerprint of every input says nothing changed), running one of its
//! commands, and reading what it prints. Another way of building can replace the first part
//! without touching the other two: a bundle (`migrate-cli bundle`) carries a runner compiled
//! with every backend of the CLI and extracts it to a temporary file to run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use migrate_derive_core::embed::MigrationModule;

use super::config::Config;
use super::payload::CarriedRunner;
use crate::dialect::Backend;
use crate::error::{Error, Result};
use crate::lint::Finding;
use crate::runner::RunOptions;
use crate::schema::Schema;
use crate::snapshot::Snapshot;

/// Where a crate's build output goes: `CARGO_TARGET_DIR`, else `target/` beside its lock file.
pub fn target_dir(models: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    lock_dir(models)
        .unwrap_or_else(|| models.to_path_buf())
        .join("target")
}

/// The directory of the nearest `Cargo.lock` at or above `dir` (the workspace root, in practice).
fn lock_dir(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .map(Path::to_path_buf)
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.parse::<toml::Table>().map_err(|e| Error::File {
        path: path.to_path_buf(),
        message: e.message().to_string(),
    })
}

/// The `migrate-core` dependency the models crate uses, so that the programs link the very same
/// crate (one `libsqlite3-sys`, one registry). Relative paths are made absolute. Falls back to the
/// migrate-core this build is.
fn migrate_core_dependency(models: &Path) -> Result<toml::Table> {
    let manifest = models.join("Cargo.toml");
    let cargo = read_toml(&manifest)?;
    let declared = cargo
        .get("dependencies")
        .and_then(|d| d.get("migrate-core"))
        .cloned();
    let (spec, base) = match declared {
        Some(toml::Value::Table(t))
            if t.get("workspace").and_then(|w| w.as_bool()) == Some(true) =>
        {
            let root = models
                .ancestors()
                .skip(1)
                .find(|d| {
                    read_toml(&d.join("Cargo.toml"))
                        .map(|t| t.contains_key("workspace"))
                        .unwrap_or(false)
                })
                .ok_or_else(|| Error::File {
                    path: manifest.clone(),
                    message: "`migrate-core.workspace = true` but no workspace root above it"
                        .into(),
                })?
                .to_path_buf();
            let ws = read_toml(&root.join("Cargo.toml"))?;
            let spec = ws
                .get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(|d| d.get("migrate-core"))
                .cloned()
                .ok_or_else(|| Error::File {
                    path: root.join("Cargo.toml"),
                    message: "no migrate-core in [workspace.dependencies]".into(),
                })?;
            (spec, root)
        }
        Some(spec) => (spec, models.to_path_buf()),
        None => {
            let own = Path::new(env!("CARGO_MANIFEST_DIR"));
            let mut t = toml::Table::new();
            if own.join("Cargo.toml").is_file() {
                t.insert("path".into(), own.display().to_string().into());
            } else {
                t.insert(
                    "version".into(),
                    format!("={}", env!("CARGO_PKG_VERSION")).into(),
                );
            }
            return Ok(t);
        }
    };
    let mut table = match spec {
        toml::Value::String(version) => {
            let mut t = toml::Table::new();
            t.insert("version".into(), version.into());
            t
        }
        toml::Value::Table(t) => t,
        other => {
            return Err(Error::File {
                path: manifest,
                message: format!("unexpected migrate-core dependency `{other}`"),
            })
        }
    };
    for key in [
        "features",
        "default-features",
        "default_features",
        "optional",
        "workspace",
        "package",
    ] {
        table.remove(key);
    }
    if let Some(path) = table.get("path").and_then(|p| p.as_str()) {
        let absolute = base.join(path);
        table.insert("path".into(), absolute.display().to_string().into());
    }
    Ok(table)
}

fn dependency_line(name: &str, mut table: toml::Table, features: &[&str]) -> String {
    table.insert("default-features".into(), false.into());
    table.insert(
        "features".into(),
        toml::Value::Array(features.iter().map(|f| toml::Value::from(*f)).collect()),
    );
    let inline: toml::Value = table.into();
    format!("{name} = {inline}\n")
}

fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    // The CLI binary itself: a rebuilt migrate-cli (and so migrate-core) rebuilds the programs.
    if let Ok(meta) = std::env::current_exe().and_then(std::fs::metadata) {
        if let Ok(modified) = meta.modified() {
            hasher.update(format!("{modified:?}").as_bytes());
        }
    }
    hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn short_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .take(4)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A generated crate: where it lives and what it builds.
struct Program {
    /// What it compiles, for the error when that fails.
    what: String,
    dir: PathBuf,
    package: String,
    manifest: String,
    main: String,
    inputs: Vec<PathBuf>,
}

/// Writes the crate (when changed) and builds it (when its fingerprint changed); the binary.
fn build(program: Program, target: &Path, quiet: bool, models: &Path) -> Result<PathBuf> {
    let io = |p: &Path, e: std::io::Error| Error::io(p, e);
    let binary = target.join("debug").join(&program.package);
    let mut parts: Vec<Vec<u8>> = vec![
        program.manifest.clone().into_bytes(),
        program.main.clone().into_bytes(),
    ];
    for input in &program.inputs {
        parts.push(std::fs::read(input).map_err(|e| io(input, e))?);
    }
    let lock = lock_dir(models).map(|d| d.join("Cargo.lock"));
    if let Some(lock) = &lock {
        parts.push(std::fs::read(lock).unwrap_or_default());
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let print = fingerprint(&refs);
    let print_file = program.dir.join("fingerprint");
    if binary.is_file() && std::fs::read_to_string(&print_file).is_ok_and(|p| p == print) {
        return Ok(binary);
    }

    std::fs::create_dir_all(program.dir.join("src")).map_err(|e| io(&program.dir, e))?;
    write_if_changed(&program.dir.join("Cargo.toml"), &program.manifest)?;
    write_if_changed(&program.dir.join("src/main.rs"), &program.main)?;
    // The models' lock file pins the same versions, so shared dependencies are built once.
    if let Some(lock) = &lock {
        if !program.dir.join("Cargo.lock").is_file() {
            let _ = std::fs::copy(lock, program.dir.join("Cargo.lock"));
        }
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg("--manifest-path")
        .arg(program.dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(target);
    if quiet {
        command.arg("--quiet");
    }
    let status = command
        .status()
        .map_err(|e| Error::Project(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        let _ = std::fs::remove_file(&print_file);
        return Err(Error::Project(format!(
            "{} does not compile (cargo's errors above)",
            program.what
        )));
    }
    std::fs::write(&print_file, print).map_err(|e| io(&print_file, e))?;
    Ok(binary)
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// The runner is a debug build (so that a new migration recompiles in a fraction of a second),
/// but three dependencies do the work of every apply: SQLite, which at `-O0` executes DDL about
/// twice as slowly as at `-O1` (250 M against 137 M instructions for 200 tables, callgrind);
/// sha2, whose checksum of a large initial module cost as much as applying it; and migrate-core,
/// whose replay and SQL rendering took 58 M instructions of a 200-table upgrade at `-O0` and
/// 36 M at `-O2` (its own compile: 4.7 s at `-O0`, 18.7 s at `-O2` here). They compile once per
/// target directory; the migrations themselves stay at `-O0`.
const RUNNER_PROFILE: &str = "\
# Optimised where applying migrations spends its time (see migrate-core's project/programs.rs).
[profile.dev.package.libsqlite3-sys]
opt-level = 1

[profile.dev.package.sha2]
opt-level = 3

[profile.dev.package.migrate-core]
opt-level = 2
";

/// The runner a bundle carries is copied to deploy machines, where nobody debugs it: without
/// debug information and symbols it is a fraction of the size (BENCHMARKS.md). Its errors
/// name the revision and the step as before; only a panic's backtrace loses its names.
const BUNDLE_RUNNER_PROFILE: &str = "
# Carried inside a bundle: no debug information, to keep the bundle small.
[profile.dev]
debug = false
strip = true
";

/// A command of the runner program that changes the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunCommand {
    /// Apply up to a target.
    Upgrade,
    /// Revert down to a target.
    Downgrade,
    /// Record a revision without running anything.
    Stamp,
}

impl RunCommand {
    /// Its name, as the program and the CLI spell it.
    pub fn name(self) -> &'static str {
        match self {
            RunCommand::Upgrade => "upgrade",
            RunCommand::Downgrade => "downgrade",
            RunCommand::Stamp => "stamp",
        }
    }
}

/// The runner program of a project: its migrations compiled with migrate-core (whose
/// `program::main` reads the command line), for one backend; or, when every module uses only
/// the operations API, the same commands run in this process over the modules read with syn
/// (`crate::interpret`), which records the very operations the compiled functions would, with
/// no compile at all. A module the reader refuses (a Rust data step, any other code) makes
/// the whole folder compile, as before: the compiled program stays the truth.
#[derive(Debug, Clone)]
pub struct RunnerProgram {
    how: How,
}

#[derive(Debug, Clone)]
enum How {
    Compiled(PathBuf),
    InProcess(std::sync::Arc<Vec<crate::runner::EmbeddedMigration>>),
    /// The runner a bundle carries, extracted to a temporary file that is removed when the
    /// last clone of the program is dropped.
    Extracted(std::sync::Arc<tempfile::TempPath>),
}

static FORCE_COMPILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// From now on, this process compiles the runner program even where it could read every
/// module (`check --compiled`; `MIGRATE_RUNNER=compiled` does the same for every command).
pub fn force_compiled_runner() {
    FORCE_COMPILED.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn compiled_forced() -> bool {
    FORCE_COMPILED.load(std::sync::atomic::Ordering::Relaxed)
        || std::env::var("MIGRATE_RUNNER").is_ok_and(|v| v == "compiled")
}

/// What `module` was read into, through `cache`; why it must be compiled instead, when it
/// must.
pub fn read_module(
    module: &MigrationModule,
    cache: &super::read_cache::ReadCache,
) -> std::result::Result<(crate::interpret::InterpretedModule, String), crate::interpret::Refusal> {
    let checksum = crate::runner::checksum(&module.source);
    let read = match cache.get(&checksum) {
        Some(read) => read,
        None => {
            let read = crate::interpret::interpret_module(&module.source)?;
            cache.put(&checksum, &read);
            read
        }
    };
    // The compiled program reads SAFE_DDL only where a line declares it; the reader reads the
    // constant itself, so a module where the two could differ is compiled.
    let declared = migrate_derive_core::embed::declares_safe_ddl(&module.source);
    if declared != read.safe_ddl.is_some() {
        return Err(crate::interpret::Refusal(
            "`SAFE_DDL` is not declared on a line of its own starting `pub const SAFE_DDL`".into(),
        ));
    }
    // Likewise REPLACES, which the compiled list reads only from its own line.
    let replaces = migrate_derive_core::embed::declares_replaces(&module.source);
    if replaces != read.replaces.is_some() {
        return Err(crate::interpret::Refusal(
            "`REPLACES` is not declared on a line of its own starting `pub const REPLACES`".into(),
        ));
    }
    Ok((read, checksum))
}

/// The modules as migrations read from their sources; `None` as soon as one is refused (it
/// must be compiled, and so must the folder).
pub fn read_without_compiling(
    modules: &[MigrationModule],
    cache: &super::read_cache::ReadCache,
) -> Option<Vec<crate::runner::EmbeddedMigration>> {
    modules
        .iter()
        .map(|module| {
            let (read, checksum) = read_module(module, cache).ok()?;
            Some(crate::runner::EmbeddedMigration::interpreted(
                read,
                module.file.clone(),
                module.source.clone(),
                checksum,
            ))
        })
        .collect()
}

/// Compiles the runner program of `modules` as `package`, with `profile` appended to the
/// runner's own, and migrate-core with `features`.
fn compile_runner(
    config: &Config,
    modules: Vec<MigrationModule>,
    package: String,
    profile: &str,
    features: &[&str],
    quiet: bool,
) -> Result<RunnerProgram> {
    let versions = config.versions_dir();
    let target = target_dir(&config.models);
    let core = migrate_core_dependency(&config.models)?;
    let manifest = format!(
        "# @generated by migrate-cli: compiles the migrations of {} to run them.\n\
         [package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{}\n[workspace]\n\n{RUNNER_PROFILE}{profile}",
        config.migrations.display(),
        dependency_line("migrate-core", core, features),
    );
    // The same list `embed_migrations!` expands to, so both read a folder alike.
    let main = format!(
        "// @generated by migrate-cli from the migrations folder.\n\n\
         const MIGRATIONS: &[migrate_core::runner::EmbeddedMigration] = {};\n\n\
         fn main() -> std::process::ExitCode {{\n    migrate_core::program::main(MIGRATIONS)\n}}\n",
        migrate_derive_core::embed::migrations_list(&modules)
    );
    let binary = build(
        Program {
            what: format!("the migrations in {}", versions.display()),
            dir: target.join("migrate").join(&package),
            package,
            manifest,
            main,
            inputs: modules.into_iter().map(|m| m.path).collect(),
        },
        &target,
        quiet,
        &config.models,
    )?;
    Ok(RunnerProgram {
        how: How::Compiled(binary),
    })
}

impl RunnerProgram {
    /// Builds the program that runs the migrations of `config` on `backend` (when nothing
    /// changed since the last build, the binary as it is; when every module can be read
    /// without compiling, nothing to build). `quiet` hides cargo's output.
    pub fn build(config: &Config, backend: Backend, quiet: bool) -> Result<RunnerProgram> {
        let modules = super::files::list_modules(&config.versions_dir())?;
        RunnerProgram::from_modules(config, modules, backend, quiet)
    }

    /// [`Self::build`] from the modules of `versions/`, already listed.
    pub fn from_modules(
        config: &Config,
        modules: Vec<MigrationModule>,
        backend: Backend,
        quiet: bool,
    ) -> Result<RunnerProgram> {
        if !compiled_forced() {
            let cache = super::read_cache::ReadCache::open(&target_dir(&config.models));
            if let Some(migrations) = read_without_compiling(&modules, &cache) {
                return Ok(RunnerProgram::in_process(migrations));
            }
        }
        RunnerProgram::compile(config, modules, backend, quiet)
    }

    /// The commands run in this process over `migrations`, read without compiling.
    pub fn in_process(migrations: Vec<crate::runner::EmbeddedMigration>) -> RunnerProgram {
        RunnerProgram {
            how: How::InProcess(std::sync::Arc::new(migrations)),
        }
    }

    /// Whether the commands run in this process over modules read without compiling.
    pub fn runs_in_process(&self) -> bool {
        matches!(self.how, How::InProcess(_))
    }

    /// The compiled program, whatever the modules hold.
    pub fn compile(
        config: &Config,
        modules: Vec<MigrationModule>,
        backend: Backend,
        quiet: bool,
    ) -> Result<RunnerProgram> {
        let key = short_hash(&config.migrations.display().to_string());
        compile_runner(
            config,
            modules,
            format!("migrate-runner-{key}"),
            "",
            &[backend.feature(), "progress"],
            quiet,
        )
    }

    /// The compiled program to carry inside a bundle: every backend this build drives (the
    /// bundle's own), as a package of its own, so that building it leaves the per-backend
    /// runner of [`Self::compile`] as it was.
    pub fn compile_for_bundle(
        config: &Config,
        modules: Vec<MigrationModule>,
        quiet: bool,
    ) -> Result<RunnerProgram> {
        let key = short_hash(&config.migrations.display().to_string());
        let mut features: Vec<&str> = [
            (cfg!(feature = "sqlite"), Backend::Sqlite),
            (cfg!(feature = "postgres"), Backend::Postgres),
            (cfg!(feature = "mysql"), Backend::Mysql),
        ]
        .into_iter()
        .filter_map(|(built, backend)| built.then_some(backend.feature()))
        .collect();
        features.push("progress");
        compile_runner(
            config,
            modules,
            format!("migrate-bundle-runner-{key}"),
            BUNDLE_RUNNER_PROFILE,
            &features,
            quiet,
        )
    }

    /// The runner a bundle carries: the `runner.len` bytes at `offset` of the bundle's file
    /// at `bundle`, copied to a private temporary file (in `TMPDIR`, else the system's),
    /// checked against the digest recorded when the bundle was written, and made executable.
    /// The file is removed when the program is dropped.
    pub fn extract(bundle: &Path, offset: u64, runner: &CarriedRunner) -> Result<RunnerProgram> {
        use std::io::{Read, Seek, SeekFrom, Write};
        let dir = std::env::temp_dir();
        let unwritable = |e: std::io::Error| {
            Error::File {
            path: dir.clone(),
            message: format!(
                "cannot extract the compiled migrations this bundle carries ({e}); set TMPDIR to a directory where this user can write and run programs"
            ),
        }
        };
        let mut temp = tempfile::Builder::new()
            .prefix("migrate-runner-")
            .tempfile()
            .map_err(unwritable)?;
        let mut from = std::fs::File::open(bundle).map_err(|e| Error::io(bundle, e))?;
        from.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(bundle, e))?;
        let mut from = from.take(runner.len);
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 16];
        let mut copied = 0u64;
        loop {
            let n = from.read(&mut buffer).map_err(|e| Error::io(bundle, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
            temp.write_all(&buffer[..n]).map_err(unwritable)?;
            copied += n as u64;
        }
        runner
            .check(copied, &hasher.finalize())
            .map_err(|e| Error::File {
                path: bundle.to_path_buf(),
                message: e.to_string(),
            })?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o700))
                .map_err(unwritable)?;
        }
        // Closed before it runs: a file open for writing cannot be executed.
        let path = temp.into_temp_path();
        Ok(RunnerProgram {
            how: How::Extracted(std::sync::Arc::new(path)),
        })
    }

    /// The built (or extracted) binary; `None` when the commands run in this process.
    pub fn binary(&self) -> Option<&Path> {
        match &self.how {
            How::Compiled(binary) => Some(binary),
            How::Extracted(path) => Some(&***path),
            How::InProcess(_) => None,
        }
    }

    /// The error of a binary that could not be started.
    fn not_started(&self, binary: &Path, e: std::io::Error) -> Error {
        match &self.how {
            How::Extracted(_) => Error::File {
                path: binary.to_path_buf(),
                message: format!(
                    "cannot run the compiled migrations this bundle extracted here ({e}); when {} does not allow running programs (mounted noexec), set TMPDIR to a directory that does",
                    binary.parent().unwrap_or(binary).display()
                ),
            },
            _ => Error::io(binary, e),
        }
    }

    /// What to name in an error about the program's output.
    fn name(&self) -> &Path {
        self.binary()
            .unwrap_or(Path::new("the migrations read from versions/"))
    }

    /// Runs `args`, its standard error shown; whether it succeeded, and its output.
    fn output(&self, args: &[&str]) -> Result<(bool, Vec<u8>)> {
        if let How::InProcess(migrations) = &self.how {
            let mut out = Vec::new();
            let ok = crate::program::run_command(migrations, args, &mut out);
            return Ok((ok, out));
        }
        let binary = self.binary().expect("a compiled or extracted program");
        let output = Command::new(binary)
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| self.not_started(binary, e))?;
        Ok((output.status.success(), output.stdout))
    }

    /// Runs `args` with standard output shown (or discarded when `quiet`); whether it
    /// succeeded. What it prints is for people: revisions applied, statements.
    fn stream(&self, args: &[&str], quiet: bool) -> Result<bool> {
        if let How::InProcess(migrations) = &self.how {
            let ok = if quiet {
                crate::program::run_command(migrations, args, &mut std::io::sink())
            } else {
                let mut out = std::io::stdout().lock();
                let ok = crate::program::run_command(migrations, args, &mut out);
                let _ = std::io::Write::flush(&mut out);
                ok
            };
            return Ok(ok);
        }
        let binary = self.binary().expect("a compiled or extracted program");
        // What this process printed goes out before the program's lines.
        let _ = std::io::Write::flush(&mut std::io::stdout());
        let status = Command::new(binary)
            .args(args)
            .stdout(if quiet {
                Stdio::null()
            } else {
                Stdio::inherit()
            })
            .status()
            .map_err(|e| self.not_started(binary, e))?;
        Ok(status.success())
    }

    /// The schema and head the migrations replay to; `None` when they do not replay (the
    /// program said why on standard error).
    pub fn schema(&self) -> Result<Option<Snapshot>> {
        let (ok, stdout) = self.output(&["schema"])?;
        if !ok {
            return Ok(None);
        }
        parse_snapshot(&stdout, self.name()).map(Some)
    }

    /// The schema the migrations up to `revision` replay to; `None` when they do not replay.
    pub fn schema_at(&self, revision: &str) -> Result<Option<Snapshot>> {
        let (ok, stdout) = self.output(&["schema", revision])?;
        if !ok {
            return Ok(None);
        }
        parse_snapshot(&stdout, self.name()).map(Some)
    }

    /// The lint findings of `spec` (empty: every revision; REV; or FROM:TO) on `backends`;
    /// `None` when the migrations could not be linted (said on standard error).
    pub fn lint(&self, spec: &str, backends: &[Backend]) -> Result<Option<Vec<Finding>>> {
        let names: Vec<&str> = backends.iter().map(|b| b.feature()).collect();
        let (ok, stdout) = self.output(&["lint", spec, &names.join(",")])?;
        if !ok {
            return Ok(None);
        }
        parse_findings(&stdout, self.name()).map(Some)
    }

    /// Prints the SQL from `from` to `to` (each empty for the default) on `backend`; whether
    /// the program succeeded.
    pub fn print_sql(&self, from: &str, to: &str, backend: Backend) -> Result<bool> {
        self.stream(&["sql", from, to, backend.feature()], false)
    }

    /// Runs `command` to `target` on the database at `url`, the program printing each
    /// revision as it goes (nothing when `quiet`); whether it succeeded.
    pub fn run(
        &self,
        command: RunCommand,
        target: &str,
        url: &str,
        options: RunOptions,
        quiet: bool,
    ) -> Result<bool> {
        let (lock, statement) = (
            options.lock_timeout_ms.to_string(),
            options.statement_timeout_ms.to_string(),
        );
        let mut args = vec![command.name(), target, url];
        if command != RunCommand::Stamp {
            args.extend([lock.as_str(), statement.as_str()]);
        }
        self.stream(&args, quiet)
    }
}

/// The models program behind `--compiled`: the models crate linked, its registry printed.
#[derive(Debug, Clone)]
pub struct ModelsProgram {
    binary: PathBuf,
}

impl ModelsProgram {
    /// Builds the program that links the models crate of `config` and prints its registry as a
    /// snapshot. `quiet` hides cargo's output.
    pub fn build(config: &Config, quiet: bool) -> Result<ModelsProgram> {
        let manifest_path = config.models.join("Cargo.toml");
        let cargo = read_toml(&manifest_path)?;
        let package_name = cargo
            .get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .ok_or_else(|| Error::File {
                path: manifest_path.clone(),
                message: "no [package] name".into(),
            })?
            .to_string();
        let lib = cargo.get("lib");
        let lib_name = lib
            .and_then(|l| l.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| package_name.replace('-', "_"));
        if lib.is_none() && !config.models.join("src/lib.rs").is_file() {
            return Err(Error::File {
                path: config.models.clone(),
                message:
                    "`--compiled` links the models crate, which needs a library target (src/lib.rs)"
                        .into(),
            });
        }
        let key = short_hash(&config.models.display().to_string());
        let package = format!("migrate-dump-{key}");
        let target = target_dir(&config.models);
        let core = migrate_core_dependency(&config.models)?;
        let mut models_dep = toml::Table::new();
        models_dep.insert("path".into(), config.models.display().to_string().into());
        let models_inline: toml::Value = models_dep.into();
        let manifest = format!(
            "# @generated by migrate-cli: links the models crate to read its registry.\n\
             [package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{package_name:?} = {models_inline}\n{}\n[workspace]\n",
            dependency_line("migrate-core", core, &[]),
        );
        let main = format!(
            "// @generated by migrate-cli: prints the models registered by #[derive(Model)].\n\n\
             use {lib_name} as _;\n\n\
             fn main() -> std::process::ExitCode {{\n    migrate_core::program::dump_models()\n}}\n"
        );
        // The program depends on the models' whole source; cargo's own freshness check decides.
        let program = Program {
            what: format!("the models crate {}", config.models.display()),
            dir: target.join("migrate").join(&package),
            package,
            manifest,
            main,
            inputs: Vec::new(),
        };
        let _ = std::fs::remove_file(program.dir.join("fingerprint"));
        let binary = build(program, &target, quiet, &config.models)?;
        Ok(ModelsProgram { binary })
    }

    /// The schema the compiled models declare; `None` when they do not form a valid schema
    /// (the program said why on standard error).
    pub fn schema(&self) -> Result<Option<Schema>> {
        let output = Command::new(&self.binary)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Error::io(&self.binary, e))?;
        if !output.status.success() {
            return Ok(None);
        }
        Ok(Some(parse_snapshot(&output.stdout, &self.binary)?.schema()))
    }
}

/// A snapshot a program printed.
fn parse_snapshot(stdout: &[u8], binary: &Path) -> Result<Snapshot> {
    Snapshot::from_json(&String::from_utf8_lossy(stdout), binary)
}

/// The findings a program printed as JSON.
fn parse_findings(stdout: &[u8], binary: &Path) -> Result<Vec<Finding>> {
    serde_json::from_slice(stdout).map_err(|e| Error::File {
        path: binary.to_path_buf(),
        message: format!("unreadable lint output: {e}"),
    })
}
