//! The scenario catalogue: one scenario per kind of schema change and their common
//! combinations. For each, the generated module and its SQLite SQL are snapshots named after
//! it; the module compiles (all of them in one generated crate); and on SQLite `up` gives the
//! target schema with every row kept, `down` gives the start back, and `up` runs again.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use migrate_core::codegen::{render_module, ModuleHeader};
use migrate_core::dialect::{Dialect, SqliteDialect};
use migrate_core::diff::ChangeKind;
use migrate_tests::scenario::scalar;
use migrate_tests::scenario::{round_trip, sqlite_sql, Data, Rendering, Scenario};
use migrate_tests::{rustfmt, text, Project};

use migrate_tests::catalogue::catalogue;

fn header(name: &str) -> ModuleHeader {
    ModuleHeader {
        revision: "20261125104500".into(),
        revises: vec!["20261124090000".into()],
        message: name.replace('_', " "),
        created: "2026-11-25 10:45:00 UTC".into(),
    }
}

/// The module as `migrate` writes it: the warnings of the summary on top of `up`.
fn module(scenario: &Scenario) -> String {
    let plan = scenario.plan();
    let warnings: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Warning)
        .map(|c| c.text.clone())
        .collect();
    render_module(&header(scenario.name), &plan.up, &plan.down, &warnings)
}

#[test]
fn the_catalogue_has_forty_distinct_scenarios() {
    let scenarios = catalogue();
    assert!(scenarios.len() >= 40, "{} scenarios", scenarios.len());
    let mut names: Vec<&str> = scenarios.iter().map(|s| s.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), scenarios.len(), "scenario names repeat");
    for scenario in &scenarios {
        assert_ne!(
            scenario.before, scenario.after,
            "{}: no change",
            scenario.name
        );
    }
}

#[test]
fn modules_and_sql_are_deterministic_and_snapshotted() {
    for scenario in catalogue() {
        let plan = scenario.plan();
        assert!(!plan.is_empty(), "{}: nothing planned", scenario.name);
        let text = module(&scenario);
        assert_eq!(text, module(&scenario), "{}: output differs", scenario.name);
        let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        insta::assert_snapshot!(scenario.name, format!("{}\n\n{text}", summary.join("\n")));
        insta::assert_snapshot!(
            format!("{}@sqlite", scenario.name),
            sqlite_sql(&scenario, &plan)
        );
    }
}

#[test]
fn sqlite_round_trip_keeps_rows() {
    for scenario in catalogue() {
        round_trip(&scenario, &scenario.plan(), Rendering::OneByOne);
    }
}

/// The same round trips with one rebuild per run of changes to a table.
#[test]
fn sqlite_round_trip_keeps_rows_with_merged_rebuilds() {
    for scenario in catalogue() {
        round_trip(&scenario, &scenario.plan(), Rendering::Merged);
    }
    let blog = catalogue()
        .into_iter()
        .find(|s| s.name == "blog_evolution")
        .unwrap();
    let plan = blog.plan();
    let rebuilds = |statements: Vec<String>| {
        statements
            .iter()
            .filter(|s| s.starts_with("CREATE TABLE \"__migrate_new_posts\""))
            .count()
    };
    // One operation at a time, as the dialect renders each.
    let mut schema = blog.before.clone();
    let mut one_by_one = Vec::new();
    for op in &plan.up {
        let before = schema.clone();
        op.apply(&mut schema).unwrap();
        one_by_one.extend(SqliteDialect.render(op, &before, &schema).unwrap());
    }
    let merged = SqliteDialect
        .render_merged(&blog.before, &plan.up)
        .unwrap()
        .0;
    assert_eq!(rebuilds(one_by_one), 4);
    assert_eq!(rebuilds(merged), 2);
}

#[test]
fn destructive_and_failing_steps_are_named() {
    for scenario in catalogue() {
        let plan = scenario.plan();
        let warned = plan.changes.iter().any(|c| c.kind == ChangeKind::Warning);
        if scenario.data == Data::Lost {
            assert!(warned, "{}: data loss without a warning", scenario.name);
        }
    }
    let narrowing = catalogue()
        .into_iter()
        .find(|s| s.name == "narrow_varchar")
        .unwrap();
    assert!(module(&narrowing)
        .contains("// Warning: column users.email: varchar(200) -> varchar(50) narrows"));
}

/// A NOT NULL column without a default cannot take the NULLs rows hold: the step fails on
/// SQLite, rolls back, and leaves the rows as they were.
#[test]
fn not_null_without_default_fails_on_nulls_and_rolls_back() {
    use migrate_tests::scenario::{apply, connect, seed, values};
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.name == "make_not_null_without_default")
        .unwrap();
    let plan = scenario.plan();
    let mut conn = connect();
    let create = migrate_core::diff::diff(&Default::default(), &scenario.before)
        .unwrap()
        .up;
    apply(&mut conn, "create", &Default::default(), &create).unwrap();
    seed(&mut conn, &scenario.before, 3, true);
    let err = apply(&mut conn, "up", &scenario.before, &plan.up).unwrap_err();
    assert!(err.contains("NOT NULL constraint failed"), "{err}");
    assert_eq!(values(&mut conn, "users", "name"), ["'v1'", "'v2'", "NULL"]);
}

/// A unique constraint cannot hold over duplicates: the step fails, rolls back, and leaves
/// the table as it was, duplicates and all.
#[test]
fn new_unique_fails_on_duplicates_and_rolls_back() {
    use migrate_tests::scenario::{apply, assert_live_is, connect, count, run_statements, seed};
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.name == "add_unique")
        .unwrap();
    let mut conn = connect();
    let create = migrate_core::diff::diff(&Default::default(), &scenario.before)
        .unwrap()
        .up;
    apply(&mut conn, "create", &Default::default(), &create).unwrap();
    seed(&mut conn, &scenario.before, 3, true);
    run_statements(
        &mut conn,
        "duplicate",
        &["INSERT INTO users (id, email) VALUES (4, 'v1')".to_string()],
    )
    .unwrap();
    let err = apply(&mut conn, "up", &scenario.before, &scenario.plan().up).unwrap_err();
    assert!(err.contains("UNIQUE constraint failed"), "{err}");
    assert_eq!(count(&mut conn, "users"), 4);
    assert_live_is(&mut conn, &scenario.before, "after the failed step");
}

/// A new foreign key over rows that reference nothing: the foreign key check before commit
/// fails, and the step rolls back.
#[test]
fn new_foreign_key_fails_on_dangling_rows_and_rolls_back() {
    use migrate_tests::scenario::{apply, assert_live_is, connect, count, run_statements, seed};
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.name == "add_foreign_key_to_existing_column")
        .unwrap();
    let mut conn = connect();
    let create = migrate_core::diff::diff(&Default::default(), &scenario.before)
        .unwrap()
        .up;
    apply(&mut conn, "create", &Default::default(), &create).unwrap();
    seed(&mut conn, &scenario.before, 3, true);
    run_statements(
        &mut conn,
        "dangling",
        &["INSERT INTO posts (id, title, author_id) VALUES (4, 'orphan', 99)".to_string()],
    )
    .unwrap();
    let err = apply(&mut conn, "up", &scenario.before, &scenario.plan().up).unwrap_err();
    assert!(err.contains("foreign key violations"), "{err}");
    assert_eq!(count(&mut conn, "posts"), 4);
    assert_live_is(&mut conn, &scenario.before, "after the failed step");
}

/// A view over a table survives the table's rebuild (SQLite would refuse to rename the new
/// table while the view names a table that is momentarily gone).
#[test]
fn views_survive_a_rebuild() {
    use migrate_tests::scenario::{apply, assert_live_is, connect, run_statements, scalar, seed};
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.name == "widen_varchar")
        .unwrap();
    let mut conn = connect();
    let create = migrate_core::diff::diff(&Default::default(), &scenario.before)
        .unwrap()
        .up;
    apply(&mut conn, "create", &Default::default(), &create).unwrap();
    seed(&mut conn, &scenario.before, 3, true);
    let view = "CREATE VIEW user_emails AS SELECT email FROM users".to_string();
    run_statements(&mut conn, "view", &[view]).unwrap();
    let plan = scenario.plan();
    apply(&mut conn, "up", &scenario.before, &plan.up).unwrap();
    assert_live_is(&mut conn, &scenario.after, "after up");
    let emails = "SELECT group_concat(email) AS v FROM user_emails";
    assert_eq!(scalar(&mut conn, emails), "v1,v2,v3");
    apply(&mut conn, "down", &scenario.after, &plan.down).unwrap();
    assert_eq!(scalar(&mut conn, emails), "v1,v2,v3");
}

#[test]
fn generated_modules_compile_and_are_rustfmt_clean() {
    let project = Project::new("scenario_modules", "");
    let mut lib = String::new();
    for scenario in catalogue() {
        let text = module(&scenario);
        project.write(&format!("src/{}.rs", scenario.name), &text);
        lib.push_str(&format!("pub mod {};\n", scenario.name));
        if let Some(formatted) = rustfmt(&text) {
            assert_eq!(formatted, text, "{}: not rustfmt-clean", scenario.name);
        }
        // So `migrate` writes it without starting rustfmt.
        assert!(
            migrate_core::codegen::laid_out_as_rustfmt(&text),
            "{}: the layout check asks for rustfmt",
            scenario.name
        );
    }
    project.write("src/lib.rs", &lib);
    let out = project.cargo(&["check", "--quiet"]);
    assert!(
        out.status.success(),
        "the scenario modules do not compile:\n{}",
        text(&out.stderr)
    );
}

const RENAME_MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Post {
    pub id: i32,
    pub title: String,
    pub body: Option<String>,
}
"#;

/// Through the CLI and the source reader: a field renamed without `renamed_from` is a drop and
/// an add with a warning that suggests it, and no question when stdin is not a terminal; with
/// `renamed_from` on the field and on the struct, renames are planned and the old names are
/// forgotten once applied.
#[test]
fn renames_through_the_cli() {
    let project = Project::new("renames", RENAME_MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "initial"]);
    project.ok(&["upgrade"]);
    let db = project.file("app.db");
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    conn.batch_execute("INSERT INTO posts (id, title, body) VALUES (7, 'hello', 'first post')")
        .unwrap();

    project.write(
        "src/models.rs",
        &RENAME_MODELS.replace("pub body:", "pub content:"),
    );
    let out = project.ok(&["migrate", "-m", "guess", "--dry-run"]);
    assert!(
        out.contains("! column posts.body dropped and posts.content added: if it is a rename, give the field #[model(renamed_from = \"body\")]"),
        "{out}"
    );
    assert!(
        !out.contains("Did you rename"),
        "asked without a terminal: {out}"
    );
    assert!(out.contains("m.drop_column(\"posts\", \"body\");"), "{out}");

    project.write(
        "src/models.rs",
        &RENAME_MODELS
            .replace(
                "pub struct Post {",
                "#[model(table = \"articles\", renamed_from = \"posts\")]\npub struct Post {",
            )
            .replace(
                "pub body:",
                "#[model(renamed_from = \"body\")]\n    pub content:",
            )
            .replace(
                "pub title: String,",
                "#[model(max_length = 300)]\n    pub title: String,",
            ),
    );
    let out = project.ok(&["migrate", "-m", "rename"]);
    assert!(
        out.contains(
            "~ rename table posts -> articles\n~ rename column articles.body -> articles.content\n"
        ),
        "{out}"
    );
    let module = std::fs::read_to_string(&project.versions()[1]).unwrap();
    assert!(
        module.contains("m.rename_table(\"posts\", \"articles\");"),
        "{module}"
    );
    assert!(
        module.contains("m.rename_column(\"articles\", \"body\", \"content\");"),
        "{module}"
    );
    assert!(
        module.contains("m.alter_column(\"articles\", \"title\", SqlType::Varchar(300));"),
        "{module}"
    );

    // Through the runner: the row keeps its values across the rename and the rebuild, and
    // comes back under the old names.
    project.ok(&["upgrade"]);
    let row = |conn: &mut SqliteConnection, sql: &str| scalar(conn, sql);
    assert_eq!(
        row(
            &mut conn,
            "SELECT id || ':' || title || ':' || content AS v FROM articles"
        ),
        "7:hello:first post"
    );
    project.ok(&["downgrade"]);
    assert_eq!(
        row(
            &mut conn,
            "SELECT id || ':' || title || ':' || body AS v FROM posts"
        ),
        "7:hello:first post"
    );
    project.ok(&["upgrade"]);

    let snapshot = project.read("migrations/snapshot.json");
    assert!(
        !snapshot.contains("posts") && !snapshot.contains("body"),
        "{snapshot}"
    );
    // The attributes may stay: the old names are gone from the snapshot, so nothing is planned.
    assert_eq!(
        project.ok(&["migrate", "-m", "again"]).trim(),
        "No changes detected"
    );
}

/// An enum value that goes away while a row still holds it: the rebuild's copy fails the new
/// CHECK, the step rolls back, and the row keeps its value.
#[test]
fn removed_enum_value_still_held_fails_and_rolls_back() {
    use migrate_tests::scenario::{apply, assert_live_is, connect, run_statements, seed, values};
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.name == "enum_remove_value")
        .unwrap();
    let mut conn = connect();
    let create = migrate_core::diff::diff(&Default::default(), &scenario.before)
        .unwrap()
        .up;
    apply(&mut conn, "create", &Default::default(), &create).unwrap();
    seed(&mut conn, &scenario.before, 2, false);
    run_statements(
        &mut conn,
        "archived row",
        &["UPDATE articles SET state = 'archived' WHERE id = 2".to_string()],
    )
    .unwrap();
    let err = apply(&mut conn, "up", &scenario.before, &scenario.plan().up).unwrap_err();
    assert!(err.contains("CHECK constraint failed"), "{err}");
    assert_eq!(
        values(&mut conn, "articles", "state"),
        ["'draft'", "'archived'"]
    );
    assert_live_is(&mut conn, &scenario.before, "after the failed step");
}
