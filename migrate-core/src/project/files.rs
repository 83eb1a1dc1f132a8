//! The migration modules of a project on disk: `versions/*.rs` (listed by the same code that
//! `embed_migrations!` uses), their header constants read with syn, and the revision graph they
//! make. No compile: `heads`, `history`, `show` and `current` answer from the files.

use std::path::{Path, PathBuf};

use migrate_derive_core::embed::{migration_modules, MigrationModule, ModulesError};

use crate::error::{Error, Result};
use crate::revisions::{RevisionGraph, RevisionNode};

/// One migration module, as its header constants declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// `REVISION`.
    pub revision: String,
    /// `REVISES`.
    pub revises: Vec<String>,
    /// `MESSAGE`.
    pub message: String,
    /// The file.
    pub path: PathBuf,
    /// Its source.
    pub source: String,
}

impl MigrationFile {
    /// Reads the constants of `module`'s source; a module without `REVISION` is an error
    /// naming it.
    fn read(module: MigrationModule) -> Result<MigrationFile> {
        let file = syn::parse_file(&module.source).map_err(|e| Error::File {
            path: module.path.clone(),
            message: format!("not a Rust module: {e}"),
        })?;
        let mut revision = None;
        let mut revises = Vec::new();
        let mut message = String::new();
        for item in &file.items {
            let syn::Item::Const(constant) = item else {
                continue;
            };
            let strings = string_literals(&constant.expr);
            match constant.ident.to_string().as_str() {
                "REVISION" => revision = strings.into_iter().next(),
                "REVISES" => revises = strings,
                "MESSAGE" => message = strings.into_iter().next().unwrap_or_default(),
                _ => {}
            }
        }
        let revision = revision.ok_or_else(|| Error::File {
            path: module.path.clone(),
            message: "no `pub const REVISION`".into(),
        })?;
        Ok(MigrationFile {
            revision,
            revises,
            message,
            path: module.path,
            source: module.source,
        })
    }

    /// The file name.
    pub fn file_name(&self) -> String {
        self.path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    }
}

/// The string literals of a constant's value, in order: `"a"`, `&["a", "b"]`, `&[]`.
fn string_literals(expr: &syn::Expr) -> Vec<String> {
    match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => vec![s.value()],
        syn::Expr::Reference(r) => string_literals(&r.expr),
        syn::Expr::Array(a) => a.elems.iter().flat_map(string_literals).collect(),
        syn::Expr::Group(g) => string_literals(&g.expr),
        syn::Expr::Paren(p) => string_literals(&p.expr),
        _ => Vec::new(),
    }
}

/// The migration modules of a `versions/` folder, in file order.
#[derive(Debug, Clone, Default)]
pub struct MigrationFiles {
    files: Vec<MigrationFile>,
}

impl MigrationFiles {
    /// Reads every module of `versions`.
    pub fn read(versions: &Path) -> Result<MigrationFiles> {
        let modules = migration_modules(versions).map_err(|e| match e {
            ModulesError::NoFolder(dir) => Error::File {
                path: dir,
                message: "no such directory; run `migrate-cli init` first".into(),
            },
            ModulesError::Io(path, source) => Error::io(path, source),
            ModulesError::BadName(path) => Error::File {
                path,
                message: "a migration file name may hold only letters, digits and `_`".into(),
            },
        })?;
        Ok(MigrationFiles {
            files: modules
                .into_iter()
                .map(MigrationFile::read)
                .collect::<Result<_>>()?,
        })
    }

    /// The files, sorted by name (so by revision id, the order they were generated in).
    pub fn files(&self) -> &[MigrationFile] {
        &self.files
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The revision ids, in file order.
    pub fn revisions(&self) -> Vec<String> {
        self.files.iter().map(|f| f.revision.clone()).collect()
    }

    /// The file that declares `revision`.
    pub fn get(&self, revision: &str) -> Option<&MigrationFile> {
        self.files.iter().find(|f| f.revision == revision)
    }

    /// The revision graph of the files, with the files in apply order.
    pub fn graph(&self) -> Result<(RevisionGraph, Vec<&MigrationFile>)> {
        let names: Vec<String> = self.files.iter().map(MigrationFile::file_name).collect();
        let revises: Vec<Vec<&str>> = self
            .files
            .iter()
            .map(|f| f.revises.iter().map(String::as_str).collect())
            .collect();
        let nodes: Vec<RevisionNode<'_>> = self
            .files
            .iter()
            .zip(&revises)
            .zip(&names)
            .map(|((f, revises), name)| RevisionNode {
                revision: &f.revision,
                revises,
                file: name,
            })
            .collect();
        let (graph, permutation) = RevisionGraph::new(&nodes)?;
        let ordered = permutation.iter().map(|&i| &self.files[i]).collect();
        Ok((graph, ordered))
    }

    /// The files no other file revises, in apply order.
    pub fn heads(&self) -> Result<Vec<&MigrationFile>> {
        let (graph, _) = self.graph()?;
        Ok(graph
            .heads()
            .into_iter()
            .filter_map(|h| self.get(h))
            .collect())
    }

    /// The file whose revision is `prefix` or starts with it, when only one does.
    pub fn resolve(&self, prefix: &str) -> Result<&MigrationFile> {
        let (graph, _) = self.graph()?;
        let revision = graph.resolve(prefix)?;
        Ok(self
            .get(revision)
            .expect("a revision of the graph has its file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn module(source: &str) -> MigrationModule {
        MigrationModule {
            path: PathBuf::from("versions/1_x.rs"),
            file: "1_x.rs".into(),
            module: "m_1_x".into(),
            source: source.into(),
        }
    }

    #[test]
    fn header_constants_are_read_as_rust_reads_them() {
        let file = MigrationFile::read(module(
            "pub const REVISION: &str = \"2\";\npub const REVISES: &[&str] = &[\"1\", \"0\"];\npub const MESSAGE: &str =\n    \"it's a \\\\'quoted\\\\' path: C:\\\\temp\\\\\";\n",
        ))
        .unwrap();
        assert_eq!(file.revision, "2");
        assert_eq!(file.revises, ["1", "0"]);
        assert_eq!(file.message, r"it's a \'quoted\' path: C:\temp\");
        let err = MigrationFile::read(module("pub const MESSAGE: &str = \"x\";"))
            .unwrap_err()
            .to_string();
        assert_eq!(err, "versions/1_x.rs: no `pub const REVISION`");
    }
}
