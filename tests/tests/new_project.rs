//! End to end, as a new user works: a fresh cargo project outside the workspace, models that
//! derive Diesel's traits, `schema_rs` kept by the tool, and the real binary against SQLite.

use migrate_core::diff::diff;
use migrate_core::schema::{Schema, SqlType};
use migrate_tests::{sqlite_schema, text, Project};

const MODELS_V1: &str = r#"use diesel::prelude::*;
use migrate_core::Model;

#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::authors)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 100)]
    pub name: String,
    #[model(max_length = 200, unique)]
    pub email: String,
}

#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::articles)]
pub struct Article {
    pub id: i32,
    pub title: String,
    pub body: Option<String>,
    #[model(references = "authors", on_delete = "cascade", index)]
    pub author_id: i32,
    #[model(default = 0)]
    pub views: i32,
    #[model(default = 1.5)]
    pub weight: f64,
    #[model(default = "draft")]
    pub status: String,
    #[model(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::NaiveDateTime,
}

/// Not a Diesel struct: only the schema knows it.
#[derive(Debug, Model)]
#[model(table = "labels")]
pub struct Label {
    pub id: i64,
    pub name: String,
    #[model(skip)]
    pub usage_count: i64,
}
"#;

fn with_summary(models: &str) -> String {
    models.replace(
        "    pub body: Option<String>,\n",
        "    pub body: Option<String>,\n    pub summary: Option<String>,\n",
    )
}

/// The live database equals the schema the snapshot holds.
fn assert_live_equals(project: &Project, expected: &Schema) {
    let live = sqlite_schema(&project.file("app.db"), expected);
    let plan = diff(&live, expected).unwrap();
    assert!(plan.is_empty(), "live schema differs: {:?}", plan.changes);
    // Equal in every detail; an added column sits at the end of the live table, as databases
    // append it, while the snapshot keeps declaration order.
    assert_eq!(by_column_name(live), by_column_name(expected.clone()));
}

fn by_column_name(mut schema: Schema) -> Schema {
    for table in &mut schema.tables {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema
}

fn assert_compiles(project: &Project) {
    let out = project.cargo(&["check", "--quiet"]);
    assert!(
        out.status.success(),
        "cargo check failed:\n{}",
        text(&out.stderr)
    );
}

#[test]
fn init_migrate_upgrade_edit_downgrade() {
    let project = Project::new("blogish", MODELS_V1);
    project.ok(&["init"]);
    assert!(project
        .read("migrate.toml")
        .contains("\nschema_rs = \"src/schema.rs\""));

    let out = project.ok(&["migrate", "-m", "initial"]);
    assert!(
        out.contains("+ table authors\n+ table labels\n+ table articles\n"),
        "{out}"
    );
    assert_eq!(project.versions().len(), 1);
    let v1 = project.snapshot_schema();
    let articles = v1.table("articles").unwrap();
    assert_eq!(articles.column("title").unwrap().ty, SqlType::Text);
    assert!(
        v1.table("labels").unwrap().column("usage_count").is_none(),
        "skip is not a column"
    );
    // The struct's doc comment is the table's comment; SQLite has none, the snapshot keeps it.
    assert_eq!(
        v1.table("labels").unwrap().options.comment.as_deref(),
        Some("Not a Diesel struct: only the schema knows it.")
    );
    assert_eq!(
        articles.foreign_keys[0].name,
        "fk_articles_author_id_authors"
    );
    assert_eq!(articles.foreign_keys[0].ref_columns, ["id"]);
    assert!(project.read("src/schema.rs").contains("articles (id) {"));
    assert_compiles(&project);

    let out = project.ok(&["upgrade"]);
    assert!(out.contains("initial"), "{out}");
    assert!(out.contains("Database is now at"), "{out}");
    assert_live_equals(&project, &v1);

    // A field added to a struct, and nothing else: schema.rs does not know it yet, so the crate
    // does not compile; `migrate` reads the source and does not care.
    project.write("src/models.rs", &with_summary(MODELS_V1));
    assert!(!project.cargo(&["check", "--quiet"]).status.success());
    let out = project.ok(&["migrate", "-m", "add summary"]);
    assert!(out.contains("+ column articles.summary text NULL"), "{out}");
    assert_eq!(project.versions().len(), 2);
    assert_compiles(&project);
    let v2 = project.snapshot_schema();
    assert!(v2.table("articles").unwrap().column("summary").is_some());

    project.ok(&["upgrade"]);
    assert_live_equals(&project, &v2);

    let snapshot_before = project.read("migrations/snapshot.json");
    let out = project.ok(&["migrate", "-m", "nothing"]);
    assert_eq!(out.trim(), "No changes detected");
    assert_eq!(project.versions().len(), 2, "no file written");
    assert_eq!(project.read("migrations/snapshot.json"), snapshot_before);

    // Both readers agree with the snapshot, and so with each other.
    assert!(project.ok(&["check"]).contains("agree"));
    assert!(project.ok(&["check", "--compiled"]).contains("agree"));

    let out = project.ok(&["downgrade"]);
    assert!(out.contains("Reverted"), "{out}");
    assert_live_equals(&project, &v1);
    assert_eq!(
        project.ok(&["current"]).trim(),
        revision_of(&project.versions()[0])
    );

    project.ok(&["downgrade"]);
    assert_live_equals(&project, &Schema::default());
    assert_eq!(
        project.ok(&["current"]).trim(),
        "base (no migration applied)"
    );

    // Up again after down: nothing was left behind.
    project.ok(&["upgrade"]);
    assert_live_equals(&project, &v2);
}

/// Replaces revision ids and the creation time, the only parts allowed to differ.
fn without_ids(text: &str, revisions: &[String]) -> String {
    let mut out = text.to_string();
    for r in revisions {
        out = out.replace(r.as_str(), "REVISION");
    }
    out.lines()
        .filter(|l| !l.starts_with("// Created: "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn revision_of(path: &std::path::Path) -> String {
    path.file_name()
        .unwrap()
        .to_string_lossy()
        .split('_')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn same_models_give_the_same_bytes() {
    let a = Project::new("same_a", MODELS_V1);
    let b = Project::new("same_b", MODELS_V1);
    for p in [&a, &b] {
        p.ok(&["init"]);
        p.ok(&["migrate", "-m", "initial"]);
    }
    let ra = revision_of(&a.versions()[0]);
    let rb = revision_of(&b.versions()[0]);
    let ids = [ra.clone(), rb.clone()];
    assert_eq!(
        without_ids(&a.read("migrations/snapshot.json"), &ids),
        without_ids(&b.read("migrations/snapshot.json"), &ids)
    );
    let ma = std::fs::read_to_string(&a.versions()[0]).unwrap();
    let mb = std::fs::read_to_string(&b.versions()[0]).unwrap();
    assert_eq!(without_ids(&ma, &ids), without_ids(&mb, &ids));
    assert_eq!(a.read("src/schema.rs"), b.read("src/schema.rs"));
}
