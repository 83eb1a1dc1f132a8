//! The scenario catalogue, shared by the SQLite scenario tests and the server round trips.

use migrate_core::schema::{DefaultValue, FkAction, SqlType, Table};

use crate::scenario::{bare_table, table, Data, Scenario, TableBuilder};

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

const STATUS: (&str, &[&str]) = ("article_status", &["draft", "published"]);

/// Articles with two columns of the enum `article_status`, one NOT NULL (with `default`), one
/// nullable.
fn articles(default: Option<&str>) -> Table {
    let t = table("articles").col("title", SqlType::Text);
    let status = SqlType::Enum("article_status".into());
    let t = match default {
        Some(d) => t.with_default("status", status.clone(), DefaultValue::Text(d.into())),
        None => t.col("status", status.clone()),
    };
    t.null("state", status)
}

fn pages() -> Table {
    table("pages")
        .col("slug", SqlType::Text)
        .col("status", SqlType::Enum("article_status".into()))
}

fn prices() -> Table {
    bare_table("prices")
        .col("sku", SqlType::Text)
        .col("region", SqlType::Text)
        .col("amount", SqlType::Integer)
}

/// Every scenario: one per kind of schema change and their common combinations.
pub fn catalogue() -> Vec<Scenario> {
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
        // Enum types
        Scenario::new("enum_create_with_table", vec![], vec![articles(Some("draft"))])
            .enums(&[], &[STATUS]),
        Scenario::new(
            "enum_add_column",
            vec![table("articles").col("title", Text)],
            vec![articles(Some("draft"))],
        )
        .enums(&[], &[STATUS]),
        Scenario::new(
            "enum_add_value_at_end",
            vec![articles(None)],
            vec![articles(None)],
        )
        .enums(&[STATUS], &[("article_status", &["draft", "published", "archived"])]),
        Scenario::new(
            "enum_add_value_in_middle_and_front",
            vec![articles(Some("draft"))],
            vec![articles(Some("draft"))],
        )
        .enums(
            &[STATUS],
            &[("article_status", &["idea", "draft", "review", "published"])],
        ),
        Scenario::new(
            "enum_remove_value",
            vec![articles(Some("draft"))],
            vec![articles(Some("draft"))],
        )
        .enums(&[("article_status", &["draft", "published", "archived"])], &[STATUS]),
        Scenario::new(
            "enum_rename_value",
            vec![articles(Some("draft"))],
            vec![articles(Some("sketch"))],
        )
        .enums(&[STATUS], &[("article_status", &["sketch", "published"])])
        .rename_enum_value("article_status", "draft", "sketch")
        .data(Data::Changed)
        .expect(
            "SELECT group_concat(status) || '/' || group_concat(COALESCE(state, 'null')) AS v FROM articles",
            "sketch,sketch,sketch/sketch,sketch,null",
        ),
        Scenario::new(
            "enum_drop_with_column",
            vec![articles(Some("draft"))],
            vec![table("articles").col("title", Text)],
        )
        .enums(&[STATUS], &[])
        .data(Data::Lost),
        Scenario::new("enum_drop_with_table", vec![articles(None), groups()], vec![groups()])
            .enums(&[STATUS], &[])
            .data(Data::Lost),
        Scenario::new(
            "enum_shared_by_two_tables_gains_a_value",
            vec![articles(None), pages()],
            vec![articles(None), pages()],
        )
        .enums(&[STATUS], &[("article_status", &["draft", "published", "hidden"])]),
        Scenario::new(
            "enum_column_to_text",
            vec![articles(None)],
            vec![table("articles")
                .col("title", Text)
                .col("status", Text)
                .null("state", Text)],
        )
        .enums(&[STATUS], &[])
        .data(Data::Changed),
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
