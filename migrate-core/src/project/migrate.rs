//! `migrate` and `merge`: new migration modules, with the snapshot (and `schema.rs`) they lead
//! to.
//!
//! `migrate` runs in three steps so that a caller can ask about renames in between: [`plan`]
//! reads the models and diffs them with the snapshot; [`Planning::confirm_renames`] plans again
//! with the renames the user confirmed; [`Planning::draft`] renders the module, which
//! [`Draft::write`] writes with the new snapshot.

use std::path::PathBuf;

use super::files::NewModule;
use super::programs::{ModelsProgram, RunnerProgram};
use super::Project;
use crate::dialect::Backend;
use crate::diff::{diff_with_renames, ChangeKind, ColumnRename, Plan, Renames};
use crate::error::{Error, Result};
use crate::lint::{lint_operations, Finding};
use crate::model::{renames_from_models, schema_from_models, ModelSpec};
use crate::objects::declare::read_folder;
use crate::objects::DbObject;
use crate::schema::Schema;
use crate::snapshot::{write_atomic, Snapshot};
use crate::source::{read_models, SourceError};

/// What `migrate` is asked for.
#[derive(Debug, Clone, Copy)]
pub struct MigrateOptions<'a> {
    /// The message; it names the file.
    pub message: &'a str,
    /// A module with empty `up` and `down`, for hand-written steps.
    pub empty: bool,
    /// Read the models by compiling the models crate instead of reading its source.
    pub compiled: bool,
}

/// The schema the models declare, read from source or, with `compiled`, from the registry; and
/// the models themselves when they were read from source (the compiled reader gives the schema
/// only).
pub fn models_schema(
    project: &Project,
    compiled: bool,
) -> Result<(Schema, Option<Vec<ModelSpec>>)> {
    if compiled {
        let program = ModelsProgram::build(&project.config, !project.env.verbose)?;
        let mut schema = program.schema()?.ok_or_else(|| {
            Error::Project("the compiled models do not form a valid schema (errors above)".into())
        })?;
        schema.objects = declared_objects(project, &schema)?;
        return Ok((schema, None));
    }
    let models = read_models(&project.config.models)?;
    let mut schema = schema_from_models(&models).map_err(Error::Model)?;
    schema.objects = declared_objects(project, &schema)?;
    Ok((schema, Some(models)))
}

/// The objects of the objects folder, read for the database URL's backend among the tables
/// of `schema`.
fn declared_objects(project: &Project, schema: &Schema) -> Result<Vec<DbObject>> {
    let tables: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
    read_folder(
        &project.config.objects,
        project.backend(),
        &tables,
        &|path| project.show(path),
    )
}

/// The models diffed with the snapshot, before any rename is confirmed.
#[derive(Debug)]
pub struct Planning {
    message: String,
    empty: bool,
    head: Option<String>,
    existing: Vec<String>,
    current: Schema,
    target: Schema,
    renames: Renames,
    plan: Plan,
    renames_unread: Option<SourceError>,
}

/// Reads the snapshot, the migration files and the models, and plans the migration with the
/// renames the models declare (`renamed_from`).
pub fn plan(project: &Project, options: MigrateOptions<'_>) -> Result<Planning> {
    let snapshot = project.snapshot()?;
    // Every revision the project knows, the snapshot's head included, so the new id is later
    // than all of them and never one the module would revise.
    let mut existing = project.files()?.revisions();
    existing.extend(snapshot.head.clone());
    let (target, models) = models_schema(project, options.compiled)?;
    let current = snapshot.schema();
    // The compiled reader gives the schema but not the attributes; the source has them both,
    // and is read again only when the models came compiled.
    let read = match models {
        Some(models) => Ok(renames_from_models(&models)),
        None => read_models(&project.config.models).map(|models| renames_from_models(&models)),
    };
    let (renames, renames_unread) = match read {
        Ok(renames) => (renames, None),
        Err(e) => (Renames::default(), Some(e)),
    };
    let plan = if options.empty {
        Plan::default()
    } else {
        diff_with_renames(&current, &target, &renames)?
    };
    Ok(Planning {
        message: options.message.to_string(),
        empty: options.empty,
        head: snapshot.head,
        existing,
        current,
        target,
        renames,
        plan,
        renames_unread,
    })
}

impl Planning {
    /// The plan so far.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The schema the models declare.
    pub fn target(&self) -> &Schema {
        &self.target
    }

    /// Nothing to do: the models are the snapshot (and no empty module was asked for).
    pub fn no_changes(&self) -> bool {
        self.plan.is_empty() && !self.empty
    }

    /// Why `renamed_from` could not be read, when the plan drops something that a rename
    /// might have kept.
    pub fn renames_unread(&self) -> Option<&SourceError> {
        self.renames_unread
            .as_ref()
            .filter(|_| self.plan.up.iter().any(|op| op.loses_data()))
    }

    /// Column drops and adds that may be renames, to ask the user about.
    pub fn rename_suggestions(&self) -> &[ColumnRename] {
        &self.plan.rename_suggestions
    }

    /// The plan again with the renames the user `confirmed`.
    pub fn confirm_renames(mut self, confirmed: Vec<ColumnRename>) -> Result<Planning> {
        if confirmed.is_empty() {
            return Ok(self);
        }
        self.renames.columns.extend(confirmed);
        self.plan = diff_with_renames(&self.current, &self.target, &self.renames)?;
        Ok(self)
    }

    /// The module of the plan, and what each change locks on the database URL's server
    /// backend (nothing on SQLite).
    pub fn draft(self, project: &Project) -> Draft {
        let warnings: Vec<String> = self
            .plan
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Warning)
            .map(|c| c.text.clone())
            .collect();
        let module = NewModule::render(
            &project.config.versions_dir(),
            &self.existing,
            self.head.into_iter().collect(),
            &self.message,
            &self.message,
            (&self.plan.up, &self.plan.down, &warnings),
        );
        let locks = project
            .backend()
            .filter(|b| *b != Backend::Sqlite)
            .map(|backend| {
                (
                    backend,
                    lint_operations(backend, &self.current, &self.plan.up, true),
                )
            });
        let new_schema = if self.empty {
            self.current
        } else {
            self.target
        };
        Draft {
            module,
            plan: self.plan,
            locks,
            new_schema,
            schema_rs: project.config.schema_rs.clone(),
            schema_rs_backend: project.backend().unwrap_or(Backend::Sqlite),
            snapshot_path: project.config.snapshot_path(),
        }
    }
}

/// A migration rendered, not written yet.
#[derive(Debug)]
pub struct Draft {
    /// The module.
    pub module: NewModule,
    /// The plan it carries.
    pub plan: Plan,
    /// The database URL's server backend and what each change locks there.
    pub locks: Option<(Backend, Vec<Finding>)>,
    new_schema: Schema,
    schema_rs: Option<PathBuf>,
    schema_rs_backend: Backend,
    snapshot_path: PathBuf,
}

/// What [`Draft::write`] wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The module.
    pub module: PathBuf,
    /// `schema_rs`, when the project keeps one.
    pub schema_rs: Option<PathBuf>,
}

impl Draft {
    /// Writes the module, then the snapshot (and `schema.rs`): if the snapshot cannot be
    /// written, the module goes too, so a failure never leaves half a migration behind.
    pub fn write(self) -> Result<Written> {
        let mut new_schema = self.new_schema;
        new_schema.normalize(); // as the snapshot holds it
        let schema_rs = self.schema_rs.map(|path| {
            let text = crate::diesel_schema::render_schema_rs(&new_schema, self.schema_rs_backend);
            (path, text)
        });
        let snapshot = Snapshot::new(Some(self.module.revision.clone()), new_schema);
        write_atomic(&self.module.path, self.module.text.as_bytes())?;
        if let Err(e) = snapshot.write(&self.snapshot_path) {
            let _ = std::fs::remove_file(&self.module.path);
            return Err(e);
        }
        if let Some((path, text)) = &schema_rs {
            write_atomic(path, text.as_bytes())?;
        }
        Ok(Written {
            module: self.module.path,
            schema_rs: schema_rs.map(|(path, _)| path),
        })
    }
}

/// What `merge` did.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The new revision.
    pub revision: String,
    /// The heads it joins.
    pub heads: Vec<String>,
    /// The module written.
    pub module: PathBuf,
}

/// `merge -m MSG`: one module that revises every head, with nothing to do, and the snapshot of
/// the merged schema (every migration replayed) at the new head.
pub fn merge(project: &Project, message: &str) -> Result<Merged> {
    let files = project.files()?;
    let heads: Vec<String> = files.heads()?.iter().map(|f| f.revision.clone()).collect();
    if heads.len() < 2 {
        return Err(Error::Project(format!(
            "nothing to merge: {} has {} head(s)",
            project.show(&project.config.versions_dir()),
            heads.len()
        )));
    }
    let module = NewModule::render(
        &project.config.versions_dir(),
        &files.revisions(),
        heads.clone(),
        message,
        message,
        (&[], &[], &[]),
    );
    write_atomic(&module.path, module.text.as_bytes())?;

    // The merged schema is what replaying every migration gives; if that fails the merge
    // module goes again, so nothing is half-written.
    let replayed = RunnerProgram::build(&project.config, Backend::Sqlite, !project.env.verbose)
        .and_then(|program| program.schema())
        .and_then(|snapshot| {
            snapshot.ok_or_else(|| {
                Error::Project("the merged migrations do not replay (error above)".into())
            })
        });
    let snapshot = match replayed {
        Ok(s) => Snapshot::new(Some(module.revision.clone()), s.schema()),
        Err(e) => {
            let _ = std::fs::remove_file(&module.path);
            return Err(e);
        }
    };
    snapshot.write(&project.config.snapshot_path())?;
    Ok(Merged {
        revision: module.revision,
        heads,
        module: module.path,
    })
}
