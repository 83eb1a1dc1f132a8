//! The migration modules of a `versions/` folder and the code that compiles them in: one
//! generator for `embed_migrations!` and for the runner program migrate-cli builds, so that an
//! application and the CLI list the same migrations the same way.

use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// One `versions/*.rs` module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationModule {
    /// The file.
    pub path: PathBuf,
    /// Its file name, as messages name it.
    pub file: String,
    /// The Rust module it becomes: `m_` and the file stem.
    pub module: String,
    /// Its source.
    pub source: String,
}

/// Why a `versions/` folder cannot be listed.
#[derive(Debug)]
pub enum ModulesError {
    /// The folder does not exist.
    NoFolder(PathBuf),
    /// A file or the folder could not be read.
    Io(PathBuf, std::io::Error),
    /// A file name that is no Rust module name.
    BadName(PathBuf),
}

impl std::fmt::Display for ModulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModulesError::NoFolder(dir) => write!(f, "{}: no such directory", dir.display()),
            ModulesError::Io(path, e) => write!(f, "{}: {e}", path.display()),
            ModulesError::BadName(path) => write!(
                f,
                "{}: a migration file name may hold only letters, digits and `_`",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ModulesError {}

/// The `*.rs` modules of `versions`, sorted by file name (which starts with the revision id).
pub fn migration_modules(versions: &Path) -> Result<Vec<MigrationModule>, ModulesError> {
    let entries = match std::fs::read_dir(versions) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ModulesError::NoFolder(versions.to_path_buf()))
        }
        Err(e) => return Err(ModulesError::Io(versions.to_path_buf(), e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| ModulesError::Io(versions.to_path_buf(), e))?
            .path();
        if path.extension().is_some_and(|e| e == "rs") {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let stem = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if stem.is_empty() || !stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(ModulesError::BadName(path));
            }
            let source =
                std::fs::read_to_string(&path).map_err(|e| ModulesError::Io(path.clone(), e))?;
            Ok(MigrationModule {
                file: path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                module: format!("m_{stem}"),
                source,
                path,
            })
        })
        .collect()
}

/// Whether a module declares `pub const SAFE_DDL` (the opt-out of the online forms). The
/// constant is optional, so the generated code reads it only where it is declared.
pub fn declares_safe_ddl(source: &str) -> bool {
    source
        .lines()
        .any(|l| l.trim_start().starts_with("pub const SAFE_DDL"))
}

/// Whether a module declares `pub const REPLACES` (a squashed migration), read by the list
/// only where it is declared, as `SAFE_DDL` is.
pub fn declares_replaces(source: &str) -> bool {
    source
        .lines()
        .any(|l| l.trim_start().starts_with("pub const REPLACES"))
}

/// A block expression that includes every module with `#[path]` and evaluates to the
/// `&[::migrate_core::runner::EmbeddedMigration]` listing them, each with its source (for the
/// checksums the history keeps).
pub fn migrations_list(modules: &[MigrationModule]) -> TokenStream {
    let mut items = Vec::new();
    let mut entries = Vec::new();
    for m in modules {
        let module = format_ident!("{}", m.module);
        let full = m.path.display().to_string();
        let file = &m.file;
        items.push(quote! {
            #[path = #full]
            mod #module;
        });
        let safe_ddl = if declares_safe_ddl(&m.source) {
            quote! { #module::SAFE_DDL }
        } else {
            quote! { true }
        };
        let replaces = if declares_replaces(&m.source) {
            quote! { #module::REPLACES }
        } else {
            quote! { &[] }
        };
        entries.push(quote! {
            ::migrate_core::runner::EmbeddedMigration {
                revision: #module::REVISION,
                revises: #module::REVISES,
                message: #module::MESSAGE,
                file: #file,
                source: include_str!(#full),
                up: #module::up,
                down: #module::down,
                safe_ddl: #safe_ddl,
                replaces: #replaces,
            }
        });
    }
    quote! {{
        #(#items)*
        const MIGRATIONS: &[::migrate_core::runner::EmbeddedMigration] = &[#(#entries),*];
        MIGRATIONS
    }}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_are_listed_in_file_order_and_checked() {
        let dir = std::env::temp_dir().join(format!("migrate-embed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("2_b.rs"), "pub const SAFE_DDL: bool = false;\n").unwrap();
        std::fs::write(dir.join("1_a.rs"), "").unwrap();
        std::fs::write(dir.join("notes.txt"), "").unwrap();
        let modules = migration_modules(&dir).unwrap();
        let names: Vec<&str> = modules.iter().map(|m| m.module.as_str()).collect();
        assert_eq!(names, ["m_1_a", "m_2_b"]);
        let code = migrations_list(&modules).to_string();
        assert!(code.contains("m_2_b :: SAFE_DDL"), "{code}");
        assert!(code.contains("safe_ddl : true"), "{code}");

        std::fs::write(dir.join("3-c.rs"), "").unwrap();
        let err = migration_modules(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            err.ends_with("3-c.rs: a migration file name may hold only letters, digits and `_`"),
            "{err}"
        );
        assert!(matches!(
            migration_modules(&dir),
            Err(ModulesError::NoFolder(_))
        ));
    }
}
