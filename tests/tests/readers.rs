//! The two readers of one definition: the derive's registry (compiled) and the source reader
//! (the dev loop) give the same models, and the same schema, for the blog example.

use migrate_core::codegen::{render_module, ModuleHeader};
use migrate_core::diff::diff;
use migrate_core::model::{registered_models, schema_from_models};
use migrate_core::schema::Schema;
use migrate_core::snapshot::Snapshot;
use migrate_tests::{rustfmt, workspace_root};

// Links the blog crate, so that its `#[derive(Model)]` registrations are in this program.
use blog as _;

fn blog_schema_from_source() -> Schema {
    let models =
        migrate_core::source::read_models(&workspace_root().join("examples/blog")).unwrap();
    schema_from_models(&models).unwrap()
}

#[test]
fn compiled_and_source_readers_agree_on_the_blog() {
    let mut compiled = registered_models();
    compiled.retain(|m| m.struct_name == "User" || m.struct_name == "Post");
    assert_eq!(
        compiled.len(),
        2,
        "the registry holds the blog's two models"
    );
    let mut source =
        migrate_core::source::read_models(&workspace_root().join("examples/blog")).unwrap();
    source.sort_by(|a, b| a.struct_name.cmp(&b.struct_name));
    assert_eq!(compiled, source, "the same model specs, field by field");

    let schema = schema_from_models(&compiled).unwrap();
    assert_eq!(schema, blog_schema_from_source());
    let committed =
        Snapshot::read(&workspace_root().join("examples/blog/migrations/snapshot.json")).unwrap();
    assert_eq!(
        schema,
        committed.schema(),
        "the committed snapshot is current"
    );
}

fn header() -> ModuleHeader {
    ModuleHeader {
        revision: "20261125104500".into(),
        revises: vec![],
        message: "initial".into(),
        created: "2026-11-25 10:45:00 UTC".into(),
    }
}

#[test]
fn blog_initial_module() {
    let schema = blog_schema_from_source();
    let plan = diff(&Schema::default(), &schema).unwrap();
    let module = render_module(&header(), &plan.up, &plan.down, &[]);
    insta::assert_snapshot!("blog_initial_module", module);
    // The layout is rustfmt's own, even with no rustfmt at hand.
    if let Some(formatted) = rustfmt(&module) {
        assert_eq!(formatted, module, "generated module is not rustfmt-clean");
    }
}

#[test]
fn long_names_wrap_as_rustfmt_wraps_them() {
    let mut schema = blog_schema_from_source();
    let posts = schema.table_mut("posts").unwrap();
    posts.foreign_keys[0].name = "fk_posts_author_identifier_of_the_writer_users_table".into();
    posts.columns[1].name = "a_title_column_with_a_remarkably_long_name_for_wrapping".into();
    posts.columns[1].nullable = true;
    posts.columns[1].default = Some(migrate_core::schema::DefaultValue::Text(
        "untitled draft of a post".into(),
    ));
    let plan = diff(&Schema::default(), &schema).unwrap();
    let module = render_module(&header(), &plan.up, &plan.down, &["a warning".into()]);
    if let Some(formatted) = rustfmt(&module) {
        assert_eq!(formatted, module, "generated module is not rustfmt-clean");
    }
}

#[test]
fn blog_snapshot_file() {
    let snapshot = Snapshot::new(Some("20261125104500".into()), blog_schema_from_source());
    insta::assert_snapshot!("blog_snapshot", snapshot.to_json());
}

/// Every file of this repository that holds a snapshot (`snapshot.json`, and insta snapshots
/// of one), with its text: the repository's working tree, build output aside.
fn committed_snapshots() -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    let mut dirs = vec![workspace_root()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | ".git") {
                    dirs.push(path);
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if name == "snapshot.json" {
                found.push((path, text));
            } else if name.ends_with(".snap") {
                // An insta file: a `---` header, then the snapshot's text.
                let body = text.splitn(3, "---\n").nth(2).unwrap_or_default();
                if body.starts_with("{\n  \"format\": ") {
                    found.push((path, body.to_string()));
                }
            }
        }
    }
    found
}

/// Snapshots written before the vocabulary grew read unchanged and are written back byte for
/// byte: every field added since is left out at its default.
#[test]
fn committed_snapshots_read_and_write_back_byte_identically() {
    let snapshots = committed_snapshots();
    assert!(snapshots.len() >= 2, "found {snapshots:?}");
    for (path, text) in snapshots {
        let snapshot = Snapshot::from_json(&text, &path).unwrap();
        assert_eq!(snapshot.to_json(), text, "{}", path.display());
    }
}

#[path = "readers/every_attribute.rs"]
mod every_attribute;

/// The models of `readers/every_attribute.rs`, as the source reader reads that file.
fn every_attribute_from_source() -> Vec<migrate_core::model::ModelSpec> {
    let dir = std::env::temp_dir().join(format!("migrate-readers-every-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        include_str!("readers/every_attribute.rs"),
    )
    .unwrap();
    let mut models = migrate_core::source::read_models(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    models.sort_by(|a, b| a.struct_name.cmp(&b.struct_name));
    models
}

#[test]
fn compiled_and_source_readers_agree_on_every_attribute() {
    let mut compiled = registered_models();
    compiled.retain(|m| m.struct_name.starts_with("Every"));
    let source = every_attribute_from_source();
    assert_eq!(compiled.len(), 4);
    assert_eq!(compiled, source, "the same model specs, field by field");

    // Referenced tables that the models do not declare are left to other models; here the
    // parents are declared so the schema builds.
    let schema = schema_from_models(&compiled).unwrap();
    let bookings = schema.table("every_bookings").unwrap();
    assert_eq!(bookings.indexes.len(), 3);
    let lower = bookings.index("ix_every_bookings_lower_label").unwrap();
    assert_eq!(
        lower.columns[0].target,
        migrate_core::schema::IndexTarget::Expression("lower(label)".into())
    );
    assert_eq!(lower.columns[2].length, Some(10));
    assert_eq!(lower.include, ["room_id"]);
    assert_eq!(
        lower.comment.as_deref(),
        Some("Finds a booking by its label")
    );
    assert!(bookings
        .foreign_keys
        .iter()
        .any(|fk| fk.name == "fk_every_room"
            && fk.ref_columns == ["tenant_id", "id"]
            && fk.not_valid));
    assert!(bookings
        .foreign_keys
        .iter()
        .any(|fk| fk.name == "every_guide_fk" && fk.match_full));
    assert_eq!(bookings.exclusions.len(), 2);
    assert_eq!(
        schema
            .table("every_rooms")
            .unwrap()
            .primary_key_name
            .as_deref(),
        Some("every_rooms_pk")
    );
    // Doc comments, as rustc hands them to the derive and as the source reader reads them.
    let rooms = schema.table("every_rooms").unwrap();
    let comment = |c: &str| rooms.column(c).unwrap().comment.as_deref();
    assert_eq!(
        comment("tenant_id"),
        Some("Whose room it is.\n\n  Indented, as written.")
    );
    assert_eq!(comment("id"), Some("A block doc comment."));
    assert_eq!(comment("label"), Some("Shown to guests"));
    let events = schema.table("every_events").unwrap();
    assert!(events.primary_key.is_empty() && !events.columns[0].auto_increment);
    let logs = schema.table("every_logs").unwrap();
    assert!(logs.columns.iter().all(|c| c.auto_increment));
    assert_eq!(
        logs.columns[0].identity,
        Some(migrate_core::schema::Identity::Autoincrement)
    );
}

/// `adopt --models` writes what the source reader reads back to the same schema, for the
/// schemas of every scenario of the real-schema catalogue: names, keys, index forms,
/// constraint options, comments and table options survive, and nothing is noted as left out
/// for want of an attribute.
#[test]
fn adopted_models_read_back_to_the_catalogue_schemas() {
    use migrate_core::model_source::{expressible, render_models};
    let dir = std::env::temp_dir().join(format!("migrate-readers-adopt-{}", std::process::id()));
    let mut checked = 0;
    for scenario in migrate_tests::catalogue::real_schema_scenarios() {
        for (which, schema) in [("before", &scenario.before), ("after", &scenario.after)] {
            if schema.tables.is_empty() {
                continue;
            }
            let (expected, notes) = expressible(schema);
            let unsayable: Vec<&String> = notes
                .iter()
                .filter(|n| !n.contains("is not adopted") && !n.contains("is recorded as"))
                .collect();
            assert!(
                unsayable.is_empty(),
                "{} ({which}): {unsayable:#?}",
                scenario.name
            );
            let source = render_models(&expected);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("src")).unwrap();
            std::fs::write(dir.join("src/lib.rs"), "pub mod models;\n").unwrap();
            std::fs::write(dir.join("src/models.rs"), &source).unwrap();
            let models = migrate_core::source::read_models(&dir)
                .unwrap_or_else(|e| panic!("{} ({which}): {e}\n{source}", scenario.name));
            let read = schema_from_models(&models)
                .unwrap_or_else(|e| panic!("{} ({which}): {e:?}\n{source}", scenario.name));
            let mut expected = expected.clone();
            expected.objects.clear();
            assert_eq!(read, expected, "{} ({which})\n{source}", scenario.name);
            if let Some(formatted) = rustfmt(&source) {
                assert_eq!(
                    formatted, source,
                    "{} ({which}) is not rustfmt-clean",
                    scenario.name
                );
            }
            checked += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(checked > 80, "checked {checked} schemas");
}
