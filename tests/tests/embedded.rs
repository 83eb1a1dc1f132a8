//! Applications embed their migrations and run them at start-up, with the same history, lock
//! and checksums as the CLI.

use migrate_core::diff::diff;
use migrate_core::snapshot::Snapshot;
use migrate_tests::{run_cli, sqlite_schema, workspace_root};

#[test]
fn blog_migrates_itself_at_start_up_and_the_cli_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    let url = format!("sqlite://{}", db.display());

    let events = migrate_core::runner::upgrade_embedded(&url, blog::MIGRATIONS).unwrap();
    assert_eq!(events.len(), blog::MIGRATIONS.len());
    assert!(events[0].to_string().starts_with("Applied "));
    assert!(
        migrate_core::runner::upgrade_embedded(&url, blog::MIGRATIONS)
            .unwrap()
            .is_empty(),
        "nothing twice"
    );

    let snapshot =
        Snapshot::read(&workspace_root().join("examples/blog/migrations/snapshot.json")).unwrap();
    let expected = snapshot.schema();
    // The models' doc comments are the tables' comments, which the snapshot keeps on SQLite.
    assert_eq!(
        expected.table("users").unwrap().options.comment.as_deref(),
        Some("Someone who writes posts.")
    );
    let live = sqlite_schema(&db, &expected);
    assert!(diff(&live, &expected).unwrap().is_empty());

    // The CLI reads the same history: at head, nothing to apply, checksums accepted.
    let config = workspace_root().join("examples/blog/migrate.toml");
    let config = config.to_str().unwrap();
    let out = run_cli(
        dir.path(),
        &["--config", config, "--database-url", &url, "current"],
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("(head)\n"),
        "{out:?}"
    );
    let out = run_cli(
        dir.path(),
        &["--config", config, "--database-url", &url, "upgrade"],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("Nothing to apply"),
        "{out:?}"
    );
}
