//! `remove`: takes back the newest migration, the one `migrate` just wrote, when no database
//! the project can see has applied it. The module file goes, and `snapshot.json` and
//! `schema.rs` go back to the previous head: the schema the remaining migrations replay to,
//! the same replay `check` holds the snapshot to. Everything is computed before anything is
//! written, and a failed write puts back what was written before it.

use std::path::{Path, PathBuf};

use super::files::list_modules;
use super::programs::RunnerProgram;
use super::status::applied_revisions;
use super::{usable_backend, Project};
use crate::connection::sqlite_path;
use crate::dialect::Backend;
use crate::error::{mask_url, Error, Result};
use crate::snapshot::{write_atomic, Snapshot};

/// What `remove` did.
#[derive(Debug, Clone)]
pub struct Removed {
    /// The revision taken back.
    pub revision: String,
    /// Its message.
    pub message: String,
    /// The module file deleted.
    pub module: PathBuf,
    /// The head the snapshot is back at (`None`: base).
    pub head: Option<String>,
    /// The snapshot rewritten.
    pub snapshot: PathBuf,
    /// `schema_rs`, rewritten, when the project keeps one.
    pub schema_rs: Option<PathBuf>,
}

/// `remove`: deletes the head module and restores the snapshot (and `schema.rs`) to the
/// previous head; refuses when the head is not the only head, or when the database of the
/// project's URL has applied it.
pub fn remove(project: &Project) -> Result<Removed> {
    // `snapshot()` already refuses a head whose module is gone.
    let snapshot = project.snapshot()?;
    let files = project.files()?;
    let versions = project.config.versions_dir();
    let Some(head) = snapshot.head.clone() else {
        return Err(Error::Project(
            "nothing to remove: the snapshot is at base (no migration)".into(),
        ));
    };
    let heads: Vec<String> = files.heads()?.iter().map(|f| f.revision.clone()).collect();
    if heads != [head.clone()] {
        return Err(Error::Project(format!(
            "cannot remove {head}: it must be the only head of {}, which has {}",
            project.show(&versions),
            if heads.is_empty() {
                "none".to_string()
            } else {
                heads.join(", ")
            }
        )));
    }
    let file = files
        .get(&head)
        .expect("the snapshot's head has its module (checked by `snapshot()`)")
        .clone();
    refuse_when_applied(project, &head)?;
    let gone: Vec<String> = files
        .needed_originals(&head)
        .into_iter()
        .filter(|r| files.get(r).is_none())
        .collect();
    if !gone.is_empty() {
        return Err(Error::Project(format!(
            "cannot remove {head}: it squashes {}, whose files are gone; restore them first",
            gone.join(", ")
        )));
    }

    // The previous head's schema: the remaining migrations replayed.
    let remaining: Vec<_> = list_modules(&versions)?
        .into_iter()
        .filter(|m| m.path != file.path)
        .collect();
    let previous = if remaining.is_empty() {
        Snapshot::empty()
    } else {
        let program = RunnerProgram::from_modules(
            &project.config,
            remaining,
            Backend::Sqlite,
            !project.env.verbose,
        )?;
        let replayed = program.schema()?.ok_or_else(|| {
            Error::Project(format!(
                "the migrations before {head} do not replay (error above); nothing was changed"
            ))
        })?;
        Snapshot::new(replayed.head.clone(), replayed.schema())
    };
    // A squash taken back leaves the run it replaced, which ends at its last revision.
    let expected: Option<&str> = match file.replaces.last() {
        Some(last) => Some(last.as_str()),
        None => file.revises.first().map(String::as_str),
    };
    if file.revises.len() > 1 || previous.head.as_deref() != expected {
        return Err(Error::Project(format!(
            "cannot remove {head}: it revises {}, but the migrations without it replay to {}; nothing was changed",
            if file.revises.is_empty() { "base".to_string() } else { file.revises.join(", ") },
            previous.head.as_deref().unwrap_or("base"),
        )));
    }

    let schema_rs = project.config.schema_rs.clone().map(|path| {
        let backend = project.backend().unwrap_or(Backend::Sqlite);
        let text = crate::diesel_schema::render_schema_rs(&previous.schema(), backend);
        (path, text)
    });
    let snapshot_path = project.config.snapshot_path();
    write_all(
        &snapshot_path,
        &previous,
        schema_rs.as_ref().map(|(p, t)| (p.as_path(), t.as_str())),
        &file.path,
    )?;
    Ok(Removed {
        revision: head,
        message: file.message,
        module: file.path,
        head: previous.head,
        snapshot: snapshot_path,
        schema_rs: schema_rs.map(|(path, _)| path),
    })
}

/// An error when the database of the project's URL has applied `revision`. No URL: nothing to
/// ask. A SQLite file that does not exist has applied nothing (and is not created by asking).
fn refuse_when_applied(project: &Project, revision: &str) -> Result<()> {
    let Ok(url) = project.database_url() else {
        return Ok(());
    };
    let backend = usable_backend(&url)?;
    if backend == Backend::Sqlite {
        let path = sqlite_path(&url);
        if path != ":memory:" && !project.env.cwd.join(path).exists() {
            return Ok(());
        }
    }
    let applied = applied_revisions(&url).map_err(|e| {
        Error::Project(format!(
            "cannot tell whether {revision} is applied on {}: {e}; nothing was changed",
            mask_url(&url)
        ))
    })?;
    if applied.iter().any(|r| r == revision) {
        return Err(Error::Project(format!(
            "revision {revision} is applied on {}: downgrade it first",
            mask_url(&url)
        )));
    }
    Ok(())
}

/// Writes the snapshot and `schema.rs`, then deletes the module; a failure puts back what was
/// already written, so the project is either as before or wholly at the previous head.
fn write_all(
    snapshot_path: &Path,
    snapshot: &Snapshot,
    schema_rs: Option<(&Path, &str)>,
    module: &Path,
) -> Result<()> {
    let old_snapshot = std::fs::read(snapshot_path).map_err(|e| Error::io(snapshot_path, e))?;
    let old_schema_rs = match schema_rs {
        Some((path, _)) if path.exists() => {
            Some(std::fs::read(path).map_err(|e| Error::io(path, e))?)
        }
        _ => None,
    };
    snapshot.write(snapshot_path)?;
    let put_back = |schema_rs_written: bool| {
        let _ = write_atomic(snapshot_path, &old_snapshot);
        if let (true, Some((path, _))) = (schema_rs_written, schema_rs) {
            match &old_schema_rs {
                Some(old) => {
                    let _ = write_atomic(path, old);
                }
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    };
    if let Some((path, text)) = schema_rs {
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            put_back(false);
            return Err(e);
        }
    }
    if let Err(e) = std::fs::remove_file(module) {
        put_back(true);
        return Err(Error::io(module, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::migrate::{plan, MigrateOptions};
    use crate::project::{init, Env};

    /// A project in a fresh directory whose models are `models`, initialised, with no
    /// database URL (so nothing is asked of a database).
    fn project(name: &str, models: &str) -> Project {
        let dir =
            std::env::temp_dir().join(format!("migrate-remove-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "pub mod schema;\n".to_string() + models,
        )
        .unwrap();
        std::fs::write(dir.join("src/schema.rs"), "").unwrap();
        std::fs::write(
            dir.join("migrate.toml"),
            "models = \".\"\nmigrations = \"migrations\"\nschema_rs = \"src/schema.rs\"\n",
        )
        .unwrap();
        let env = Env {
            cwd: dir.clone(),
            database_url: None,
            verbose: false,
        };
        init::init(&env, Path::new(".")).unwrap();
        Project::load(env, None).unwrap()
    }

    fn migrate(project: &Project, models: &str, message: &str) {
        std::fs::write(
            project.env.cwd.join("src/lib.rs"),
            "pub mod schema;\n".to_string() + models,
        )
        .unwrap();
        let options = MigrateOptions {
            message,
            empty: false,
            compiled: false,
        };
        plan(project, options)
            .unwrap()
            .draft(project)
            .write()
            .unwrap();
    }

    fn files(project: &Project) -> (String, String, usize) {
        let dir = &project.env.cwd;
        (
            std::fs::read_to_string(dir.join("migrations/snapshot.json")).unwrap(),
            std::fs::read_to_string(dir.join("src/schema.rs")).unwrap(),
            project.files().unwrap().files().len(),
        )
    }

    const ONE: &str =
        "#[derive(Model)]\npub struct Note {\n    pub id: i32,\n    pub title: String,\n}\n";
    const TWO: &str = "#[derive(Model)]\npub struct Note {\n    pub id: i32,\n    pub title: String,\n    #[model(default = 0)]\n    pub stars: i32,\n}\n\n#[derive(Model)]\npub struct Tag {\n    pub id: i32,\n}\n";

    #[test]
    fn the_snapshot_and_schema_rs_go_back_to_what_migrate_wrote() {
        let project = project("restore", ONE);
        let base = files(&project);
        migrate(&project, ONE, "notes");
        let first = files(&project);
        migrate(&project, TWO, "stars and tags");
        assert_ne!(files(&project), first);
        let removed = remove(&project).unwrap();
        assert_eq!(removed.message, "stars and tags");
        assert!(!removed.module.exists());
        assert_eq!(files(&project), first);
        let removed = remove(&project).unwrap();
        assert_eq!(removed.head, None);
        assert_eq!(files(&project).0, base.0);
        assert!(remove(&project)
            .unwrap_err()
            .to_string()
            .contains("nothing to remove"));
        let _ = std::fs::remove_dir_all(&project.env.cwd);
    }

    #[test]
    fn a_head_that_is_not_the_only_one_is_refused_and_nothing_changes() {
        let project = project("heads", ONE);
        migrate(&project, ONE, "notes");
        // A second branch from base, as a merge from another developer leaves it.
        let other = project.files().unwrap().files()[0]
            .source
            .replace(
                "pub const REVISION: &str = \"",
                "pub const REVISION: &str = \"1",
            )
            .replace("\"notes\"", "\"other\"");
        std::fs::write(project.config.versions_dir().join("1_other.rs"), other).unwrap();
        let before = files(&project);
        let err = remove(&project).unwrap_err().to_string();
        assert!(err.contains("must be the only head"), "{err}");
        assert_eq!(files(&project), before);
        let _ = std::fs::remove_dir_all(&project.env.cwd);
    }

    #[test]
    fn migrations_that_do_not_replay_leave_everything_as_it_was() {
        let project = project("replay", ONE);
        migrate(&project, ONE, "notes");
        migrate(&project, TWO, "stars and tags");
        let first = project.files().unwrap().files()[0].clone();
        let broken = first.source.replacen(
            "pub fn up(m: &mut Migration) {",
            "pub fn up(m: &mut Migration) {\n    m.drop_table(\"nope\");",
            1,
        );
        assert_ne!(broken, first.source);
        std::fs::write(&first.path, broken).unwrap();
        let before = files(&project);
        let err = remove(&project).unwrap_err().to_string();
        assert!(err.contains("do not replay"), "{err}");
        assert_eq!(files(&project), before, "nothing changed");
        let _ = std::fs::remove_dir_all(&project.env.cwd);
    }

    #[test]
    fn a_snapshot_head_without_its_module_is_named_with_the_fix() {
        let project = project("missing", ONE);
        migrate(&project, ONE, "notes");
        let file = project.files().unwrap().files()[0].clone();
        std::fs::remove_file(&file.path).unwrap();
        let err = project.snapshot().unwrap_err().to_string();
        assert!(
            err.contains(&format!("its head is revision {}", file.revision))
                && err.contains("restore that module file"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&project.env.cwd);
    }
}
