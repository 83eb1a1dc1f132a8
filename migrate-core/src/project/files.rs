//! The migration modules of a project on disk: `versions/*.rs` (listed by the same code that
//! `embed_migrations!` uses), their header constants read with syn, and the revision graph they
//! make. No compile: `heads`, `history`, `show` and `current` answer from the files.

use std::path::{Path, PathBuf};

use std::io::Write as _;
use std::process::{Command, Stdio};

use migrate_derive_core::embed::{migration_modules, MigrationModule, ModulesError};

use super::clock;
use crate::codegen::{laid_out_as_rustfmt, render_module, slug, ModuleHeader};
use crate::error::{Error, Result};
use crate::migration::Operation;
use crate::revisions::{RevisionGraph, RevisionNode};
use crate::squashes;
use std::collections::BTreeSet;

/// One migration module, as its header constants declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// `REVISION`.
    pub revision: String,
    /// `REVISES`.
    pub revises: Vec<String>,
    /// `MESSAGE`.
    pub message: String,
    /// `REPLACES` of a squashed migration: the revisions it stands for (empty otherwise).
    pub replaces: Vec<String>,
    /// The file.
    pub path: PathBuf,
    /// Its source.
    pub source: String,
}

impl MigrationFile {
    /// Reads the constants of `module`'s source; a module without `REVISION` is an error
    /// naming it.
    fn read(module: MigrationModule) -> Result<MigrationFile> {
        // The constants come before the functions in a generated module, so the text before
        // the first function is parsed first: a large initial module is not tokenized whole on
        // every `migrate`. A module laid out otherwise is parsed whole.
        let functions = module
            .source
            .match_indices("\npub fn ")
            .map(|(at, _)| at)
            .next()
            .unwrap_or(module.source.len());
        let head = syn::parse_file(&module.source[..functions])
            .ok()
            .filter(|file| declares(file, "REVISION"));
        let file = match head {
            Some(file) => file,
            None => syn::parse_file(&module.source).map_err(|e| Error::File {
                path: module.path.clone(),
                message: format!("not a Rust module: {e}"),
            })?,
        };
        let mut revision = None;
        let mut revises = Vec::new();
        let mut message = String::new();
        let mut replaces = Vec::new();
        for item in &file.items {
            let syn::Item::Const(constant) = item else {
                continue;
            };
            let strings = string_literals(&constant.expr);
            match constant.ident.to_string().as_str() {
                "REVISION" => revision = strings.into_iter().next(),
                "REVISES" => revises = strings,
                "MESSAGE" => message = strings.into_iter().next().unwrap_or_default(),
                "REPLACES" => replaces = strings,
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
            replaces,
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

/// The error of a `versions/` folder that cannot be listed.
pub(crate) fn modules_error(e: ModulesError) -> Error {
    match e {
        ModulesError::NoFolder(dir) => Error::File {
            path: dir,
            message: "no such directory; run `migrate-cli init` first".into(),
        },
        ModulesError::Io(path, source) => Error::io(path, source),
        ModulesError::BadName(path) => Error::File {
            path,
            message: "a migration file name may hold only letters, digits and `_`".into(),
        },
    }
}

/// Whether `file` declares the constant `name`.
fn declares(file: &syn::File, name: &str) -> bool {
    file.items
        .iter()
        .any(|item| matches!(item, syn::Item::Const(c) if c.ident == name))
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

/// The modules of `versions`, listed and read but not parsed: what building the runner needs.
pub fn list_modules(versions: &Path) -> Result<Vec<MigrationModule>> {
    migration_modules(versions).map_err(modules_error)
}

impl MigrationFiles {
    /// Reads every module of `versions`.
    pub fn read(versions: &Path) -> Result<MigrationFiles> {
        MigrationFiles::from_modules(migration_modules(versions).map_err(modules_error)?)
    }

    /// Reads the constants of `modules`, already listed (a bundle's).
    pub fn from_modules(modules: Vec<MigrationModule>) -> Result<MigrationFiles> {
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

    /// The files' nodes of the revision graph, handed to `f`.
    fn with_nodes<T>(&self, f: impl FnOnce(&[RevisionNode<'_>]) -> T) -> T {
        let names: Vec<String> = self.files.iter().map(MigrationFile::file_name).collect();
        fn links(list: &[String]) -> Vec<&str> {
            list.iter().map(String::as_str).collect()
        }
        let revises: Vec<Vec<&str>> = self.files.iter().map(|f| links(&f.revises)).collect();
        let replaces: Vec<Vec<&str>> = self.files.iter().map(|f| links(&f.replaces)).collect();
        let nodes: Vec<RevisionNode<'_>> = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| RevisionNode {
                revision: &f.revision,
                revises: &revises[i],
                file: &names[i],
                replaces: &replaces[i],
            })
            .collect();
        f(&nodes)
    }

    /// The revision graph of the files, with the files in apply order; each squash stands for
    /// the revisions it replaces.
    pub fn graph(&self) -> Result<(RevisionGraph, Vec<&MigrationFile>)> {
        let (graph, permutation) = self.with_nodes(RevisionGraph::new)?;
        let ordered = permutation.iter().map(|&i| &self.files[i]).collect();
        Ok((graph, ordered))
    }

    /// The revision graph as a database whose history holds `applied` goes through it (through
    /// the originals of a squash it is part-way through), and the revisions it has applied,
    /// each squash reached through its originals among them.
    pub fn graph_for(&self, applied: &BTreeSet<&str>) -> Result<(RevisionGraph, BTreeSet<String>)> {
        self.with_nodes(|nodes| {
            let expanded = squashes::expansions(nodes, applied, None)?;
            let (graph, _) = RevisionGraph::with_expanded(nodes, &expanded)?;
            Ok((graph, squashes::effective_applied(nodes, applied)))
        })
    }

    /// The revisions a database whose history holds `applied` has applied, each squash whose
    /// replaced revisions it applied among them.
    pub fn effective_applied(&self, applied: &BTreeSet<&str>) -> BTreeSet<String> {
        self.with_nodes(|nodes| squashes::effective_applied(nodes, applied))
    }

    /// The revisions the squash `revision` replaces whose files a database going through
    /// them needs (see [`crate::revisions::needed_originals`]), in apply order.
    pub fn needed_originals(&self, revision: &str) -> Vec<String> {
        self.with_nodes(|nodes| {
            let Some(squash) = nodes.iter().find(|n| n.revision == revision) else {
                return Vec::new();
            };
            crate::revisions::needed_originals(nodes, squash, &BTreeSet::new())
                .into_iter()
                .map(str::to_string)
                .collect()
        })
    }

    /// Whether a history row of `revision` without a file is accounted for by a squash.
    pub fn replaced_by_squash(&self, revision: &str) -> bool {
        self.files
            .iter()
            .any(|f| f.replaces.iter().any(|r| r == revision))
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

/// A migration module about to be written: its revision, file and text.
#[derive(Debug, Clone)]
pub struct NewModule {
    /// Its revision id, after every existing one.
    pub revision: String,
    /// `versions/<revision>_<slug>.rs`.
    pub path: PathBuf,
    /// The module, laid out as rustfmt lays it out.
    pub text: String,
    /// The header it was rendered with.
    pub header: ModuleHeader,
}

impl NewModule {
    /// A module in `versions` after the revisions `existing`, revising `revises`, named after
    /// `name` (usually the message), with `up`, `down` and the summary's warnings.
    pub fn render(
        versions: &Path,
        existing: &[String],
        revises: Vec<String>,
        message: &str,
        name: &str,
        plan: (&[Operation], &[Operation], &[String]),
    ) -> NewModule {
        let now = chrono::Utc::now();
        // Later than every known revision and than what it revises (the snapshot's head among
        // them even when its module is gone), so a module never revises its own id.
        let known: Vec<String> = existing.iter().chain(&revises).cloned().collect();
        let revision = clock::next_revision(&known, now);
        let header = ModuleHeader {
            revision: revision.clone(),
            revises,
            message: message.to_string(),
            created: clock::header_time(now),
        };
        let (up, down, warnings) = plan;
        let text = rustfmt(render_module(&header, up, down, warnings));
        NewModule {
            path: versions.join(format!("{revision}_{}.rs", slug(name))),
            revision,
            text,
            header,
        }
    }
}

/// Passes generated code through rustfmt when one is installed and the code holds a line that
/// rustfmt may lay out otherwise, so long lines wrap as rustfmt wraps them; the text as it is
/// otherwise (starting rustfmt took most of the time of a one-column `migrate`).
fn rustfmt(code: String) -> String {
    if laid_out_as_rustfmt(&code) {
        return code;
    }
    let child = Command::new("rustfmt")
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
    fn a_new_revision_is_later_than_what_it_revises() {
        // The snapshot's head, its module deleted, is known only as what the new one revises.
        let module = NewModule::render(
            Path::new("versions"),
            &[],
            vec!["29991231235959".into()],
            "m",
            "m",
            (&[], &[], &[]),
        );
        assert_eq!(module.revision, "30000101000000");
        assert_eq!(module.header.revises, ["29991231235959"]);
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
