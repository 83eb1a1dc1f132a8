//! `remove`: the newest migration taken back, the snapshot and `schema.rs` restored byte for
//! byte to what `migrate` wrote before it; refused while a database has it applied; and a
//! snapshot whose head module is gone named by every command that reads it.

use migrate_tests::{text, Project, ServerDb, POSTGRES_URL};

const NOTE: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    pub title: String,
}
"#;

const NOTE_AND_TAG: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Note {
    pub id: i32,
    pub title: String,
    pub body: Option<String>,
}

#[derive(Model)]
#[model(index(label, unique))]
pub struct Tag {
    pub id: i32,
    pub label: String,
}
"#;

/// The files `remove` may change, as they are.
fn state(project: &Project) -> (String, String, Vec<std::path::PathBuf>) {
    (
        project.read("migrations/snapshot.json"),
        project.read("src/schema.rs"),
        project.versions(),
    )
}

#[test]
fn remove_restores_what_migrate_wrote_before() {
    let project = Project::new("remove_sqlite", NOTE);
    project.ok(&["init"]);
    let at_base = state(&project);
    project.ok(&["migrate", "-m", "notes"]);
    let first = state(&project);
    assert_eq!(first.2.len(), 1);
    let first_revision = first.2[0].file_name().unwrap().to_string_lossy()[..14].to_string();

    project.write("src/models.rs", NOTE_AND_TAG);
    project.ok(&["migrate", "-m", "tags"]);
    let second = state(&project);
    assert_eq!(second.2.len(), 2);
    assert_ne!(second.0, first.0);
    assert_ne!(second.1, first.1, "schema.rs gained the tags table");
    let second_revision = second.2[1].file_name().unwrap().to_string_lossy()[..14].to_string();

    let out = project.ok(&["remove"]);
    assert!(
        out.contains(&format!("Removed {second_revision} (tags)")),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "Restored migrations/snapshot.json to {first_revision}"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("Restored src/schema.rs to {first_revision}")),
        "{out}"
    );
    assert_eq!(
        state(&project),
        first,
        "exactly as `migrate` wrote it before"
    );
    let check = project.cli(&["check"]);
    // The models still declare the tags: check reports that and only that.
    assert!(!check.status.success());
    assert!(
        !text(&check.stdout).contains("replay"),
        "{}",
        text(&check.stdout)
    );

    // Migrating again gives the same change under a new, later revision.
    project.ok(&["migrate", "-m", "tags"]);
    let again = state(&project);
    assert_eq!(
        again.0.replace(
            &again.2[1].file_name().unwrap().to_string_lossy()[..14],
            "R"
        ),
        second.0.replace(&second_revision, "R")
    );
    project.ok(&["remove"]);
    assert_eq!(state(&project), first);

    // Down to base: the snapshot `init` wrote.
    let out = project.ok(&["remove"]);
    assert!(
        out.contains("Restored migrations/snapshot.json to base"),
        "{out}"
    );
    assert_eq!(state(&project).0, at_base.0);
    assert_eq!(project.versions(), Vec::<std::path::PathBuf>::new());
    let out = project.cli(&["remove"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("nothing to remove"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn remove_refuses_a_revision_the_sqlite_database_applied() {
    let project = Project::new("remove_applied_sqlite", NOTE);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    project.ok(&["upgrade"]);
    let before = state(&project);
    let revision = before.2[0].file_name().unwrap().to_string_lossy()[..14].to_string();
    let out = project.cli(&["remove"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("revision {revision} is applied on sqlite://"))
            && err.contains("downgrade it first"),
        "{err}"
    );
    assert_eq!(state(&project), before, "nothing changed");
    project.ok(&["downgrade"]);
    project.ok(&["remove"]);
    assert!(project.versions().is_empty());
}

#[test]
fn postgres_remove_refuses_an_applied_revision() {
    let Some(db) = ServerDb::create(
        "postgres",
        POSTGRES_URL,
        "postgres_remove_refuses_an_applied_revision",
    ) else {
        return;
    };
    let project = Project::new("remove_applied_postgres", NOTE);
    project.ok(&["init"]);
    project.ok(&["--database-url", &db.url, "migrate", "-m", "notes"]);
    project.ok(&["--database-url", &db.url, "upgrade"]);
    let before = state(&project);
    let revision = before.2[0].file_name().unwrap().to_string_lossy()[..14].to_string();
    let out = project.cli(&["--database-url", &db.url, "remove"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("revision {revision} is applied on postgres://"))
            && err.contains("downgrade it first"),
        "{err}"
    );
    assert_eq!(state(&project), before, "nothing changed");
    project.ok(&["--database-url", &db.url, "downgrade"]);
    project.ok(&["--database-url", &db.url, "remove"]);
    assert!(project.versions().is_empty());
}

#[test]
fn a_head_without_its_module_is_named_by_every_command() {
    let project = Project::new("remove_missing_head", NOTE);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "notes"]);
    let module = project.versions().remove(0);
    let revision = module.file_name().unwrap().to_string_lossy()[..14].to_string();
    std::fs::remove_file(&module).unwrap();
    for args in [
        &["migrate", "-m", "again"][..],
        &["check"],
        &["upgrade"],
        &["history"],
        &["current"],
        &["remove"],
    ] {
        let out = project.cli(args);
        assert!(!out.status.success(), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "its head is revision {revision}, but no module in"
            )) && err.contains("restore that module file, or restore the snapshot"),
            "{args:?}: {err}"
        );
    }
    assert!(project.versions().is_empty(), "`migrate` wrote nothing");
}
