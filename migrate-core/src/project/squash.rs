//! `squash [FROM] TO -m MSG`: one module in place of the straight run of migrations after FROM
//! (base by default) up to and including TO, declaring them in `REPLACES` (see
//! [`crate::squashes`] for how each database then goes). Runs of migrations without data steps
//! become the diff of the schemas they start and end at, renames kept as renames; a migration
//! with a data step (`m.sql`, `m.irreversible`) is carried over as written, at its place. A
//! module the reader cannot read (a Rust data step, hand-written code) is refused by name.
//! Nothing is written unless all of it is.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::files::NewModule;
use super::programs::RunnerProgram;
use super::Project;
use crate::codegen::with_replaces;
use crate::dialect::Backend;
use crate::diff::{diff_with_renames, Change, ChangeKind, ColumnRename, Renames, TableRename};
use crate::error::{Error, Result};
use crate::interpret::interpret_module;
use crate::migration::Operation;
use crate::schema::Schema;
use crate::snapshot::{write_atomic, Snapshot};

/// What `squash` wrote.
#[derive(Debug, Clone)]
pub struct Squashed {
    /// The new revision.
    pub revision: String,
    /// The module written.
    pub module: PathBuf,
    /// The migrations squashed, in apply order.
    pub run: Vec<String>,
    /// What its `REPLACES` lists: the run, each squash in it preceded by the revisions that
    /// squash replaces (a database may have applied those instead, and their files may be
    /// gone).
    pub replaces: Vec<String>,
    /// Where the run starts (`None`: base).
    pub from: Option<String>,
    /// The summary of its schema changes.
    pub changes: Vec<Change>,
    /// The migrations carried over as written, for their data steps: `(revision, file)`.
    pub carried: Vec<(String, String)>,
    /// The snapshot, when its head moved to the squash (TO was the head).
    pub snapshot: Option<PathBuf>,
}

/// One piece of the squashed module, in apply order.
enum Piece {
    /// Migrations without data steps: the schemas they start and end at, and their renames.
    Collapsed {
        start: Schema,
        end: Schema,
        renames: Renames,
    },
    /// A migration with a data step, as written.
    Carried {
        up: Vec<Operation>,
        down: Vec<Operation>,
    },
}

/// `squash [FROM] TO -m MESSAGE`.
pub fn squash(project: &Project, from: Option<&str>, to: &str, message: &str) -> Result<Squashed> {
    let snapshot = project.snapshot()?;
    let files = project.files()?;
    let (graph, _) = files.graph()?;
    let file_of = |revision: &str| {
        files
            .get(revision)
            .map(|f| f.file_name())
            .unwrap_or_else(|| revision.to_string())
    };
    let to = graph.resolve(to)?.to_string();
    let from = match from {
        None | Some("base") => None,
        Some(text) => Some(graph.resolve(text)?.to_string()),
    };
    if from.as_deref() == Some(to.as_str()) {
        return Err(Error::Project(format!(
            "nothing to squash: FROM and TO are both revision {to}"
        )));
    }

    // The run: back from TO along single links until FROM (or base).
    let mut run = Vec::new();
    let mut at = to.clone();
    loop {
        if from.as_deref() == Some(at.as_str()) {
            break;
        }
        run.push(at.clone());
        match graph.revises_of(&at) {
            [] if from.is_none() => break,
            [] => {
                return Err(Error::Project(format!(
                    "revision {} is not an ancestor of {to}: squash takes FROM before TO on one line of migrations",
                    from.as_deref().unwrap_or_default()
                )))
            }
            [one] => at = one.clone(),
            many => {
                return Err(Error::Project(format!(
                    "{} (revision {at}) merges {}: a squash takes a straight run of migrations, so start it at the merge or end it before",
                    file_of(&at),
                    many.join(", ")
                )))
            }
        }
    }
    run.reverse();
    if run.len() < 2 {
        return Err(Error::Project(format!(
            "nothing to squash: only revision {to} ({}) lies after {}",
            file_of(&to),
            from.as_deref().unwrap_or("base")
        )));
    }
    // A branch starting inside the run would lose the revision it revises.
    let inside: BTreeSet<&str> = run[..run.len() - 1].iter().map(String::as_str).collect();
    for revision in graph.order() {
        if run.contains(revision) {
            continue;
        }
        if let Some(parent) = graph
            .revises_of(revision)
            .iter()
            .find(|p| inside.contains(p.as_str()))
        {
            return Err(Error::Project(format!(
                "{} (revision {revision}) branches off revision {parent}, inside the run: squash up to {parent} or join the branches with `merge` first",
                file_of(revision)
            )));
        }
    }

    // Every module of the run read first: one that cannot be carried is refused before
    // anything is built.
    let mut reads = Vec::with_capacity(run.len());
    for revision in &run {
        let file = files
            .get(revision)
            .expect("a revision of the graph has its file");
        let name = file.file_name();
        let read = interpret_module(&file.source).map_err(|why| {
            let what = if file.source.contains(".run(") {
                "a Rust data step (`m.run`)".to_string()
            } else {
                format!("code the reader does not read ({why})")
            };
            Error::Project(format!(
                "{name} (revision {revision}) holds {what}: squash carries over only what it can read; squash the runs before and after it instead"
            ))
        })?;
        reads.push((revision, name, read));
    }

    // The schemas at FROM and TO, as the migrations replay to them (compiled where needed).
    let program = RunnerProgram::build(&project.config, Backend::Sqlite, !project.env.verbose)?;
    let schema_at = |revision: &str| -> Result<Schema> {
        Ok(program
            .schema_at(revision)?
            .ok_or_else(|| {
                Error::Project("the migrations in versions/ do not replay (error above)".into())
            })?
            .schema())
    };
    let start = match &from {
        Some(revision) => schema_at(revision)?,
        None => Schema::default(),
    };
    let end = schema_at(&to)?;

    let mut pieces: Vec<Piece> = Vec::new();
    let mut carried = Vec::new();
    let mut schema = start.clone();
    for (revision, name, read) in reads {
        let has_data = |ops: &[Operation]| {
            ops.iter()
                .any(|op| matches!(op, Operation::Sql(_) | Operation::Irreversible(_)))
        };
        let before = schema.clone();
        for op in &read.up {
            op.apply(&mut schema).map_err(|e| Error::Migration {
                file: name.clone(),
                revision: revision.to_string(),
                source: Box::new(e),
            })?;
        }
        if has_data(&read.up) || has_data(&read.down) {
            carried.push((revision.to_string(), name));
            pieces.push(Piece::Carried {
                up: read.up,
                down: read.down,
            });
            continue;
        }
        if !matches!(pieces.last(), Some(Piece::Collapsed { .. })) {
            pieces.push(Piece::Collapsed {
                start: before,
                end: Schema::default(),
                renames: Renames::default(),
            });
        }
        let Some(Piece::Collapsed { end, renames, .. }) = pieces.last_mut() else {
            unreachable!("pushed above")
        };
        for op in &read.up {
            record_rename(renames, op);
        }
        *end = schema.clone();
    }
    let mut replayed = schema;
    replayed.normalize();
    let mut expected = end.clone();
    expected.normalize();
    if replayed != expected {
        return Err(Error::Project(format!(
            "the modules after {} up to {to}, as read, do not give the schema the migrations replay to at {to}: was one edited by hand?",
            from.as_deref().unwrap_or("base")
        )));
    }

    let (mut up, mut downs, mut changes) = (Vec::new(), Vec::new(), Vec::new());
    for piece in pieces {
        match piece {
            Piece::Collapsed {
                start,
                end,
                renames,
            } => {
                let plan = diff_with_renames(&start, &end, &renames)?;
                up.extend(plan.up);
                downs.push(plan.down);
                changes.extend(plan.changes);
            }
            Piece::Carried { up: ops, down } => {
                up.extend(ops);
                downs.push(down);
            }
        }
    }
    let down: Vec<Operation> = downs.into_iter().rev().flatten().collect();
    let warnings: Vec<String> = changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Warning)
        .map(|c| c.text.clone())
        .collect();

    let versions = project.config.versions_dir();
    let module = NewModule::render(
        &versions,
        &files.revisions(),
        from.clone().into_iter().collect(),
        message,
        message,
        (&up, &down, &warnings),
    );
    let mut replaces = Vec::new();
    for revision in &run {
        if let Some(file) = files.get(revision) {
            replaces.extend(file.replaces.iter().cloned());
        }
        replaces.push(revision.clone());
    }
    let text = with_replaces(&module.text, &replaces);
    // What is written must read back as a squash of the run, in this process as compiled.
    match interpret_module(&text) {
        Ok(read) if read.replaces.as_deref() == Some(replaces.as_slice()) => {}
        _ => {
            return Err(Error::Project(format!(
                "the squashed module for {} does not read back as written; nothing was written",
                module.path.display()
            )))
        }
    }

    write_atomic(&module.path, text.as_bytes())?;
    let mut moved_snapshot = None;
    if snapshot.head.as_deref() == Some(to.as_str()) {
        let path = project.config.snapshot_path();
        let moved = Snapshot::new(Some(module.revision.clone()), snapshot.schema());
        if let Err(e) = moved.write(&path) {
            let _ = std::fs::remove_file(&module.path);
            return Err(e);
        }
        moved_snapshot = Some(path);
    }
    // The graph with the squash in it must hold together (one head stays one head).
    let check = project.files().and_then(|files| {
        let before = graph.heads().len();
        let (after, _) = files.graph()?;
        match after.heads().len() {
            n if n <= before.max(1) => Ok(()),
            _ => Err(Error::Project(format!(
                "the squash would leave heads {}",
                after.heads().join(", ")
            ))),
        }
    });
    if let Err(e) = check {
        let _ = std::fs::remove_file(&module.path);
        if moved_snapshot.is_some() {
            let _ = snapshot.write(&project.config.snapshot_path());
        }
        return Err(Error::Project(format!("{e}; nothing was written")));
    }
    Ok(Squashed {
        revision: module.revision,
        module: module.path,
        run,
        replaces,
        from,
        changes,
        carried,
        snapshot: moved_snapshot,
    })
}

/// Folds a rename of `op` into `renames`, which go from the names at the start of a run to the
/// names at its end (a rename of something created within the run names nothing at its start,
/// and the diff ignores it).
fn record_rename(renames: &mut Renames, op: &Operation) {
    match op {
        Operation::RenameTable { from, to } => {
            for column in renames.columns.iter_mut().filter(|c| &c.table == from) {
                column.table = to.clone();
            }
            match renames.tables.iter_mut().find(|t| &t.to == from) {
                Some(earlier) => earlier.to = to.clone(),
                None => renames.tables.push(TableRename {
                    from: from.clone(),
                    to: to.clone(),
                }),
            }
            renames.tables.retain(|t| t.from != t.to);
        }
        Operation::RenameColumn { table, from, to } => {
            match renames
                .columns
                .iter_mut()
                .find(|c| &c.table == table && &c.to == from)
            {
                Some(earlier) => earlier.to = to.clone(),
                None => renames.columns.push(ColumnRename {
                    table: table.clone(),
                    from: from.clone(),
                    to: to.clone(),
                }),
            }
            renames.columns.retain(|c| c.from != c.to);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_fold_into_one_from_start_to_end() {
        let mut renames = Renames::default();
        let ops = [
            Operation::RenameColumn {
                table: "a".into(),
                from: "x".into(),
                to: "y".into(),
            },
            Operation::RenameTable {
                from: "a".into(),
                to: "b".into(),
            },
            Operation::RenameColumn {
                table: "b".into(),
                from: "y".into(),
                to: "z".into(),
            },
            Operation::RenameTable {
                from: "b".into(),
                to: "c".into(),
            },
        ];
        for op in &ops {
            record_rename(&mut renames, op);
        }
        assert_eq!(
            renames.tables,
            [TableRename {
                from: "a".into(),
                to: "c".into()
            }]
        );
        assert_eq!(
            renames.columns,
            [ColumnRename {
                table: "c".into(),
                from: "x".into(),
                to: "z".into()
            }]
        );
    }
}
