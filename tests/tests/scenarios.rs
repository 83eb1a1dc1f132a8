//! The scenario catalogue: one scenario per kind of schema change and their common
//! combinations. For each, the generated module and its SQLite SQL are snapshots named after
//! it; the module compiles (all of them in one generated crate); and on SQLite `up` gives the
//! target schema with every row kept, `down` gives the start back, and `up` runs again.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use migrate_core::codegen::{render_module, ModuleHeader};
use migrate_core::dialect::{Dialect, SqliteDialect};
use migrate_core::diff::ChangeKind;
use migrate_core::schema::{DefaultValue, FkAction, SqlType, Table};
use migrate_tests::scenario::scalar;
use migrate_tests::scenario::{
    bare_table, round_trip, sqlite_sql, table, Data, Rendering, Scenario, TableBuilder,
};
use migrate_tests::{text, Project};

fn users() -> Table {
    table("users")
        .col("email", SqlType::Varchar(200))
        .null("name", SqlType::Text)
}

fn posts() -> Table {
    table("posts")
        .col("title", SqlType::Varchar(200))
        .null("body", SqlType::Text)
        .col("author_id", SqlType::Integer)
        .fk("author_id", "users")
        .index(&["author_id"])
}

fn products() -> Table {
    table("products")
        .col("name", SqlType::Text)
        .col("price", SqlType::Numeric(Some((10, 2))))
        .null("stock", SqlType::Integer)
}

fn groups() -> Table {
    table("groups").col("name", SqlType::Text)
}

fn memberships() -> Table {
    bare_table("memberships")
        .col("user_id", SqlType::Integer)
        .col("group_id", SqlType::Integer)
        .null("role", SqlType::Text)
}

fn countries() -> Table {
    table("countries")
        .col("code", SqlType::Varchar(2))
        .unique(&["code"])
}

/// Cities referencing `countries.<column>` through `country_code`.
fn cities(column: &str) -> Table {
    table("cities")
        .col("name", SqlType::Text)
        .col("country_code", SqlType::Varchar(2))
        .fk_to("country_code", "countries", column)
}

fn prices() -> Table {
    bare_table("prices")
        .col("sku", SqlType::Text)
        .col("region", SqlType::Text)
        .col("amount", SqlType::Integer)
}

fn catalogue() -> Vec<Scenario> {
    use SqlType::*;
    vec![
        // Tables
        Scenario::new("create_table", vec![], vec![users()]),
        Scenario::new("drop_table", vec![users(), groups()], vec![users()]).data(Data::Lost),
        Scenario::new(
            "create_tables_referenced_first",
            vec![],
            vec![posts(), users()],
        ),
        Scenario::new(
            "drop_tables_referencing_first",
            vec![posts(), users()],
            vec![],
        )
        .data(Data::Lost),
        Scenario::new(
            "create_table_referencing_existing",
            vec![users()],
            vec![users(), posts()],
        ),
        Scenario::new(
            "drop_table_referenced_by_kept_table",
            vec![users(), posts()],
            vec![table("posts")
                .col("title", Varchar(200))
                .null("body", Text)
                .col("author_id", Integer)],
        )
        .data(Data::Lost),
        Scenario::new(
            "create_tables_in_a_cycle",
            vec![],
            vec![
                table("employees")
                    .null("team_id", Integer)
                    .fk("team_id", "teams"),
                table("teams")
                    .null("lead_id", Integer)
                    .fk("lead_id", "employees"),
            ],
        ),
        Scenario::new(
            "drop_tables_in_a_cycle",
            vec![
                table("employees")
                    .null("team_id", Integer)
                    .fk("team_id", "teams"),
                table("teams")
                    .null("lead_id", Integer)
                    .fk("lead_id", "employees"),
                users(),
            ],
            vec![users()],
        )
        .data(Data::Lost),
        Scenario::new(
            "create_self_referencing_table",
            vec![],
            vec![table("categories")
                .col("name", Text)
                .null("parent_id", Integer)
                .fk("parent_id", "categories")],
        ),
        // Columns
        Scenario::new(
            "add_nullable_column",
            vec![users()],
            vec![users().null("bio", Text)],
        )
        .expect(
            "SELECT group_concat(quote(bio)) AS v FROM users",
            "NULL,NULL,NULL",
        ),
        Scenario::new(
            "add_column_with_default",
            vec![users()],
            vec![users().with_default("active", Boolean, DefaultValue::Bool(true))],
        )
        .expect("SELECT group_concat(active) AS v FROM users", "1,1,1"),
        Scenario::new(
            "add_column_with_sql_default",
            vec![users()],
            vec![users().with_default(
                "created_at",
                Timestamp,
                DefaultValue::Sql("CURRENT_TIMESTAMP".into()),
            )],
        )
        .expect(
            "SELECT CAST(count(*) AS TEXT) AS v FROM users WHERE created_at IS NOT NULL",
            "3",
        ),
        Scenario::new(
            "add_not_null_column_to_empty_table",
            vec![users()],
            vec![users().col("slug", Varchar(100))],
        )
        .rows(0),
        Scenario::new(
            "add_indexed_column",
            vec![users()],
            vec![users().null("team", Text).index(&["team"])],
        ),
        Scenario::new(
            "drop_column",
            vec![users().col("legacy", Integer)],
            vec![users()],
        )
        .data(Data::Lost),
        Scenario::new(
            "drop_indexed_column",
            vec![users().null("team", Text).index(&["team"])],
            vec![users()],
        )
        .data(Data::Lost),
        Scenario::new(
            "drop_unique_column",
            vec![users().unique(&["email"])],
            vec![table("users").null("name", Text)],
        )
        .data(Data::Lost),
        // Types
        Scenario::new(
            "widen_varchar",
            vec![users()],
            vec![table("users").col("email", Varchar(320)).null("name", Text)],
        ),
        Scenario::new(
            "narrow_varchar",
            vec![users()],
            vec![table("users").col("email", Varchar(50)).null("name", Text)],
        ),
        Scenario::new(
            "varchar_to_text",
            vec![users()],
            vec![table("users").col("email", Text).null("name", Text)],
        ),
        Scenario::new(
            "integer_to_bigint",
            vec![products()],
            vec![table("products")
                .col("name", Text)
                .col("price", Numeric(Some((10, 2))))
                .null("stock", BigInt)],
        ),
        Scenario::new(
            "numeric_precision_and_scale",
            vec![products()],
            vec![table("products")
                .col("name", Text)
                .col("price", Numeric(Some((12, 4))))
                .null("stock", Integer)],
        ),
        Scenario::new(
            "integer_to_text",
            vec![products()],
            vec![table("products")
                .col("name", Text)
                .col("price", Numeric(Some((10, 2))))
                .null("stock", Text)],
        )
        .data(Data::Changed)
        .expect(
            "SELECT group_concat(quote(stock)) AS v FROM products",
            "'1','2',NULL",
        ),
        // Nullability
        Scenario::new(
            "make_nullable",
            vec![users()],
            vec![table("users")
                .null("email", Varchar(200))
                .null("name", Text)],
        ),
        Scenario::new(
            "make_not_null_with_default",
            vec![users()],
            vec![table("users").col("email", Varchar(200)).with_default(
                "name",
                Text,
                DefaultValue::Text("anonymous".into()),
            )],
        )
        .data(Data::Changed)
        .expect(
            "SELECT group_concat(name) AS v FROM users",
            "v1,v2,anonymous",
        ),
        Scenario::new(
            "make_not_null_without_default",
            vec![users()],
            vec![table("users").col("email", Varchar(200)).col("name", Text)],
        )
        .no_nulls(),
        // Defaults
        Scenario::new(
            "set_default",
            vec![groups()],
            vec![table("groups").with_default("name", Text, DefaultValue::Text("general".into()))],
        ),
        Scenario::new(
            "change_default",
            vec![table("groups").with_default("size", Integer, DefaultValue::Int(0))],
            vec![table("groups").with_default("size", Integer, DefaultValue::Int(10))],
        )
        .expect("SELECT group_concat(size) AS v FROM groups", "1,2,3"),
        Scenario::new(
            "drop_default",
            vec![table("groups").with_default("size", Integer, DefaultValue::Int(0))],
            vec![table("groups").col("size", Integer)],
        ),
        Scenario::new(
            "set_sql_default",
            vec![table("events").col("at", Timestamp)],
            vec![table("events").with_default(
                "at",
                Timestamp,
                DefaultValue::Sql("CURRENT_TIMESTAMP".into()),
            )],
        ),
        // Unique constraints and indexes
        Scenario::new(
            "add_unique",
            vec![users()],
            vec![users().unique(&["email"])],
        ),
        Scenario::new(
            "drop_unique",
            vec![users().unique(&["email"])],
            vec![users()],
        ),
        Scenario::new(
            "add_composite_unique",
            vec![memberships()],
            vec![memberships().unique(&["user_id", "group_id"])],
        ),
        Scenario::new(
            "add_index",
            vec![posts(), users()],
            vec![posts().index(&["title"]), users()],
        ),
        Scenario::new(
            "drop_index",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("author_id", Integer)
                    .fk("author_id", "users"),
                users(),
            ],
        ),
        Scenario::new(
            "add_unique_index",
            vec![users()],
            vec![users().unique_index(&["email"])],
        ),
        Scenario::new(
            "add_composite_index",
            vec![memberships()],
            vec![memberships().index(&["group_id", "user_id"])],
        ),
        // Foreign keys
        Scenario::new(
            "add_foreign_key_to_existing_column",
            vec![
                users(),
                table("posts")
                    .col("title", Varchar(200))
                    .col("author_id", Integer),
            ],
            vec![
                users(),
                table("posts")
                    .col("title", Varchar(200))
                    .col("author_id", Integer)
                    .fk("author_id", "users"),
            ],
        ),
        Scenario::new(
            "add_column_with_foreign_key",
            vec![users(), table("posts").col("title", Varchar(200))],
            vec![
                users(),
                table("posts")
                    .col("title", Varchar(200))
                    .null("editor_id", Integer)
                    .fk("editor_id", "users")
                    .index(&["editor_id"]),
            ],
        ),
        Scenario::new(
            "drop_foreign_key",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("author_id", Integer)
                    .index(&["author_id"]),
                users(),
            ],
        ),
        Scenario::new(
            "change_foreign_key_actions",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("author_id", Integer)
                    .fk_actions("author_id", "users", FkAction::Cascade, FkAction::Cascade)
                    .index(&["author_id"]),
                users(),
            ],
        ),
        Scenario::new(
            "change_foreign_key_target",
            vec![posts(), users(), groups()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("author_id", Integer)
                    .fk("author_id", "groups")
                    .index(&["author_id"]),
                users(),
                groups(),
            ],
        ),
        Scenario::new(
            "add_self_reference",
            vec![table("categories")
                .col("name", Text)
                .null("parent_id", Integer)],
            vec![table("categories")
                .col("name", Text)
                .null("parent_id", Integer)
                .fk_actions(
                    "parent_id",
                    "categories",
                    FkAction::SetNull,
                    FkAction::NoAction,
                )],
        ),
        Scenario::new(
            "add_foreign_keys_forming_a_cycle",
            vec![
                table("employees").null("team_id", Integer),
                table("teams").null("lead_id", Integer),
            ],
            vec![
                table("employees")
                    .null("team_id", Integer)
                    .fk("team_id", "teams"),
                table("teams")
                    .null("lead_id", Integer)
                    .fk("lead_id", "employees"),
            ],
        ),
        // Check constraints
        Scenario::new(
            "add_check",
            vec![products()],
            vec![products().check("ck_products_price", "price >= 0")],
        ),
        Scenario::new(
            "drop_check",
            vec![products().check("ck_products_price", "price >= 0")],
            vec![products()],
        ),
        Scenario::new(
            "change_check",
            vec![products().check("ck_products_price", "price >= 0")],
            vec![products().check("ck_products_price", "price > 0 AND price < 1000000")],
        ),
        // Primary keys
        Scenario::new(
            "add_primary_key",
            vec![memberships()],
            vec![memberships().pk(&["user_id", "group_id"])],
        ),
        Scenario::new(
            "change_primary_key",
            vec![prices().pk(&["sku"])],
            vec![prices().pk(&["sku", "region"])],
        ),
        Scenario::new(
            "drop_primary_key",
            vec![memberships().pk(&["user_id", "group_id"])],
            vec![memberships()],
        ),
        Scenario::new(
            "primary_key_to_natural_key",
            vec![table("countries").col("code", Varchar(2)).col("name", Text)],
            vec![bare_table("countries")
                .col("code", Varchar(2))
                .col("name", Text)
                .pk(&["code"])],
        )
        .data(Data::Lost),
        // Renames
        Scenario::new(
            "rename_table",
            vec![groups()],
            vec![table("teams").col("name", Text)],
        )
        .rename_table("groups", "teams"),
        Scenario::new(
            "rename_column",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("content", Text)
                    .col("author_id", Integer)
                    .fk("author_id", "users")
                    .index(&["author_id"]),
                users(),
            ],
        )
        .rename_column("posts", "body", "content"),
        Scenario::new(
            "rename_referenced_table",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("author_id", Integer)
                    .fk("author_id", "accounts")
                    .index(&["author_id"]),
                table("accounts")
                    .col("email", Varchar(200))
                    .null("name", Text),
            ],
        )
        .rename_table("users", "accounts"),
        Scenario::new(
            "rename_indexed_column",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("writer_id", Integer)
                    .fk("writer_id", "users")
                    .index(&["writer_id"]),
                users(),
            ],
        )
        .rename_column("posts", "author_id", "writer_id"),
        Scenario::new(
            "rename_and_widen_column",
            vec![users()],
            vec![table("users")
                .col("email_address", Varchar(320))
                .null("name", Text)],
        )
        .rename_column("users", "email", "email_address"),
        Scenario::new(
            "rename_table_and_column",
            vec![groups()],
            vec![table("teams").col("title", Text)],
        )
        .rename_table("groups", "teams")
        .rename_column("teams", "name", "title"),
        Scenario::new(
            "drop_and_add_without_rename",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("content", Text)
                    .col("author_id", Integer)
                    .fk("author_id", "users")
                    .index(&["author_id"]),
                users(),
            ],
        )
        .data(Data::Lost),
        Scenario::new(
            "rename_checked_column",
            vec![products().check("ck_products_price", "price >= 0")],
            vec![table("products")
                .col("name", Text)
                .col("amount", Numeric(Some((10, 2))))
                .null("stock", Integer)
                .check("ck_products_price", "amount >= 0")],
        )
        .rename_column("products", "price", "amount"),
        Scenario::new(
            "rename_referenced_column",
            vec![countries(), cities("code")],
            vec![
                table("countries").col("iso", Varchar(2)).unique(&["iso"]),
                cities("iso"),
            ],
        )
        .rename_column("countries", "code", "iso"),
        // Changes on tables that other tables reference, or that reference others
        Scenario::new(
            "alter_referenced_table",
            vec![posts(), users()],
            vec![
                posts(),
                table("users")
                    .col("email", Varchar(320))
                    .null("name", Varchar(100)),
            ],
        ),
        Scenario::new(
            "alter_foreign_key_column_type",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(200))
                    .null("body", Text)
                    .col("author_id", BigInt)
                    .fk("author_id", "users")
                    .index(&["author_id"]),
                users(),
            ],
        ),
        Scenario::new(
            "alter_indexed_column",
            vec![users().index(&["email"])],
            vec![table("users")
                .col("email", Varchar(320))
                .null("name", Text)
                .index(&["email"])],
        ),
        Scenario::new(
            "change_named_index_columns",
            vec![memberships().named_index("ix_lookup", &["user_id"])],
            vec![memberships().named_index("ix_lookup", &["user_id", "group_id"])],
        ),
        Scenario::new(
            "drop_and_create_table_without_rename",
            vec![groups()],
            vec![table("teams").col("name", Text)],
        )
        .data(Data::Lost),
        // Combinations
        Scenario::new(
            "blog_evolution",
            vec![posts(), users()],
            vec![
                table("posts")
                    .col("title", Varchar(300))
                    .null("body", Text)
                    .col("author_id", Integer)
                    .with_default("published", Boolean, DefaultValue::Bool(false))
                    .fk_actions("author_id", "users", FkAction::Cascade, FkAction::NoAction)
                    .index(&["author_id"])
                    .index(&["published"])
                    .check("ck_posts_title_len", "length(title) > 0"),
                users().unique(&["email"]),
                table("comments")
                    .col("post_id", Integer)
                    .col("body", Text)
                    .fk_actions("post_id", "posts", FkAction::Cascade, FkAction::NoAction)
                    .index(&["post_id"]),
            ],
        ),
        Scenario::new(
            "alter_several_columns_of_one_table",
            vec![products()],
            vec![table("products")
                .col("name", Varchar(120))
                .col("price", Numeric(Some((12, 2))))
                .with_default("stock", BigInt, DefaultValue::Int(0))],
        )
        .data(Data::Changed)
        .expect("SELECT group_concat(stock) AS v FROM products", "1,2,0"),
        Scenario::new(
            "restructure_membership",
            vec![memberships(), users(), groups()],
            vec![
                memberships()
                    .pk(&["user_id", "group_id"])
                    .fk_actions("user_id", "users", FkAction::Cascade, FkAction::NoAction)
                    .fk_actions("group_id", "groups", FkAction::Cascade, FkAction::NoAction)
                    .index(&["group_id"]),
                users(),
                groups(),
            ],
        ),
        Scenario::new(
            "replace_table",
            vec![groups(), users()],
            vec![
                users(),
                table("teams")
                    .col("name", Text)
                    .null("owner_id", Integer)
                    .fk("owner_id", "users"),
            ],
        )
        .data(Data::Lost),
    ]
}

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
    }
    project.write("src/lib.rs", &lib);
    let out = project.cargo(&["check", "--quiet"]);
    assert!(
        out.status.success(),
        "the scenario modules do not compile:\n{}",
        text(&out.stderr)
    );
}

fn rustfmt(code: &str) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(code.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
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
