//! The two small programs the CLI compiles: the migrations runner (migrations + migrate-core,
//! never the models crate) and the registry dump behind `--compiled` (the models crate linked,
//! its `#[derive(Model)]` registry printed).
//!
//! Both live under the models crate's target directory and share it, so their dependencies
//! compile once. A fingerprint of every input lets a run with nothing changed start the built
//! binary directly, without paying for cargo's own freshness check.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::error::CliError;

/// The migration module files of `versions/`, sorted, each with its module name.
pub fn migration_files(versions: &Path) -> Result<Vec<(PathBuf, String)>, CliError> {
    let entries = match std::fs::read_dir(versions) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::new(format!(
                "{}: no such directory; run `migrate-cli init` first",
                versions.display()
            )))
        }
        Err(e) => return Err(CliError::new(format!("{}: {e}", versions.display()))),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| CliError::new(format!("{}: {e}", versions.display())))?
            .path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let stem = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if stem.is_empty() || !stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(CliError::new(format!(
                "{}: a migration file name may hold only letters, digits and `_`",
                path.display()
            )));
        }
        files.push((path, format!("m_{stem}")));
    }
    files.sort();
    Ok(files)
}

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

fn read_toml(path: &Path) -> Result<toml::Table, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    text.parse::<toml::Table>()
        .map_err(|e| CliError::new(format!("{}: {}", path.display(), e.message())))
}

/// The `migrate-core` dependency the models crate uses, so that the programs link the very same
/// crate (one `libsqlite3-sys`, one registry). Relative paths are made absolute. Falls back to the
/// migrate-core this CLI was built from.
fn migrate_core_dependency(models: &Path) -> Result<toml::Table, CliError> {
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
                .ok_or_else(|| {
                    CliError::new(format!(
                        "{}: `migrate-core.workspace = true` but no workspace root above it",
                        manifest.display()
                    ))
                })?
                .to_path_buf();
            let ws = read_toml(&root.join("Cargo.toml"))?;
            let spec = ws
                .get("workspace")
                .and_then(|w| w.get("dependencies"))
                .and_then(|d| d.get("migrate-core"))
                .cloned()
                .ok_or_else(|| {
                    CliError::new(format!(
                        "{}: no migrate-core in [workspace.dependencies]",
                        root.join("Cargo.toml").display()
                    ))
                })?;
            (spec, root)
        }
        Some(spec) => (spec, models.to_path_buf()),
        None => {
            let own = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrate-core");
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
            return Err(CliError::new(format!(
                "{}: unexpected migrate-core dependency `{other}`",
                manifest.display()
            )))
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

fn rust_str(text: &str) -> String {
    format!("{text:?}")
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
fn build(program: Program, target: &Path, quiet: bool, models: &Path) -> Result<PathBuf, CliError> {
    let io = |p: &Path, e: std::io::Error| CliError::new(format!("{}: {e}", p.display()));
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
        .map_err(|e| CliError::new(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        let _ = std::fs::remove_file(&print_file);
        return Err(CliError::new(format!(
            "{} does not compile (cargo's errors above)",
            program.what
        )));
    }
    std::fs::write(&print_file, print).map_err(|e| io(&print_file, e))?;
    Ok(binary)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), CliError> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}

/// The runner is a debug build (so that a new migration recompiles in a fraction of a second),
/// but three dependencies do the work of every apply: SQLite, which at `-O0` executes DDL about
/// twice as slowly as at `-O1` (250 M against 137 M instructions for 200 tables, callgrind);
/// sha2, whose checksum of a large initial module cost as much as applying it; and migrate-core,
/// whose replay and SQL rendering took 58 M instructions of a 200-table upgrade at `-O0` and
/// 36 M at `-O2` (its own compile: 4.7 s at `-O0`, 18.7 s at `-O2` here). They compile once per
/// target directory; the migrations themselves stay at `-O0`.
const RUNNER_PROFILE: &str = "\
# Optimised where applying migrations spends its time (see migrate-cli's programs.rs).
[profile.dev.package.libsqlite3-sys]
opt-level = 1

[profile.dev.package.sha2]
opt-level = 3

[profile.dev.package.migrate-core]
opt-level = 2
";

/// Builds the program that runs the migrations of `config` on `backend_feature`; its path.
pub fn build_runner(
    config: &Config,
    backend_feature: &str,
    quiet: bool,
) -> Result<PathBuf, CliError> {
    let files = migration_files(&config.versions_dir())?;
    let key = short_hash(&config.migrations.display().to_string());
    let package = format!("migrate-runner-{key}");
    let target = target_dir(&config.models);
    let core = migrate_core_dependency(&config.models)?;
    let manifest = format!(
        "# @generated by migrate-cli: compiles the migrations of {} to run them.\n\
         [package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{}\n[workspace]\n\n{RUNNER_PROFILE}",
        config.migrations.display(),
        dependency_line("migrate-core", core, &[backend_feature, "progress"]),
    );
    let mut main = String::from("// @generated by migrate-cli from the migrations folder.\n\n");
    for (path, module) in &files {
        main.push_str(&format!(
            "#[path = {}]\nmod {module};\n",
            rust_str(&path.display().to_string())
        ));
    }
    main.push_str("\nconst MIGRATIONS: &[migrate_core::runner::EmbeddedMigration] = &[\n");
    for (path, module) in &files {
        let file = path.file_name().unwrap_or_default().to_string_lossy();
        // The opt-out is optional, so it is read only where the module declares it.
        let source = std::fs::read_to_string(path)
            .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
        let safe_ddl = if migrate_core::runner::declares_safe_ddl(&source) {
            format!("{module}::SAFE_DDL")
        } else {
            "true".to_string()
        };
        main.push_str(&format!(
            "    migrate_core::runner::EmbeddedMigration {{\n        revision: {module}::REVISION,\n        revises: {module}::REVISES,\n        message: {module}::MESSAGE,\n        file: {},\n        source: include_str!({}),\n        up: {module}::up,\n        down: {module}::down,\n        safe_ddl: {safe_ddl},\n    }},\n",
            rust_str(&file),
            rust_str(&path.display().to_string()),
        ));
    }
    main.push_str("];\n\nfn main() -> std::process::ExitCode {\n    migrate_core::program::main(MIGRATIONS)\n}\n");
    build(
        Program {
            what: format!("the migrations in {}", config.versions_dir().display()),
            dir: target.join("migrate").join(&package),
            package,
            manifest,
            main,
            inputs: files.into_iter().map(|(p, _)| p).collect(),
        },
        &target,
        quiet,
        &config.models,
    )
}

/// Builds the program that links the models crate and prints its registry as a snapshot.
pub fn build_dump(config: &Config, quiet: bool) -> Result<PathBuf, CliError> {
    let manifest_path = config.models.join("Cargo.toml");
    let cargo = read_toml(&manifest_path)?;
    let package_name = cargo
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
        .ok_or_else(|| CliError::new(format!("{}: no [package] name", manifest_path.display())))?
        .to_string();
    let lib = cargo.get("lib");
    let lib_name = lib
        .and_then(|l| l.get("name"))
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| package_name.replace('-', "_"));
    if lib.is_none() && !config.models.join("src/lib.rs").is_file() {
        return Err(CliError::new(format!(
            "{}: `--compiled` links the models crate, which needs a library target (src/lib.rs)",
            config.models.display()
        )));
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
    // The dump depends on the models' whole source; cargo's own freshness check decides.
    let program = Program {
        what: format!("the models crate {}", config.models.display()),
        dir: target.join("migrate").join(&package),
        package,
        manifest,
        main,
        inputs: Vec::new(),
    };
    let _ = std::fs::remove_file(program.dir.join("fingerprint"));
    build(program, &target, quiet, &config.models)
}
