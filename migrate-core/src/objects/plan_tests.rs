//! Plans with objects, through the diff: order, inverses, and what is dropped around a change.

use crate::diff::diff;
use crate::migration::{apply_all, Operation};
use crate::schema::{Column, DefaultValue, Schema, SqlType, Table};

use super::{parse, resolve, ObjectKind};

fn users(email: SqlType) -> Table {
    let mut t = Table::new("users");
    t.columns.push(Column {
        auto_increment: true,
        ..Column::new("id", SqlType::Integer)
    });
    t.columns.push(Column::new("email", email));
    t.columns.push(Column {
        default: Some(DefaultValue::Sql("next_code()".into())),
        ..Column::new("code", SqlType::Text)
    });
    t.primary_key = vec!["id".into()];
    t
}

fn with_objects(tables: Vec<Table>, texts: &[&str]) -> Schema {
    let mut schema = Schema::new(tables);
    let names: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
    let parsed = texts
        .iter()
        .map(|t| parse(t, crate::backend::Backend::Postgres).unwrap())
        .collect();
    schema.objects = resolve(parsed, &names, crate::backend::Backend::Postgres).unwrap();
    schema
}

const CODE: &str = "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) FROM users LIMIT 1 $$";
const TOUCH: &str = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email := lower(NEW.email); RETURN NEW; END $$";
const TRIGGER: &str =
    "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch()";
const VIEW: &str = "CREATE VIEW emails AS SELECT id, email FROM users";
const OVER_VIEW: &str = "CREATE VIEW first_email AS SELECT min(email) AS email FROM emails";
const EXTENSION: &str = "CREATE EXTENSION IF NOT EXISTS citext";

fn full() -> Schema {
    with_objects(
        vec![users(SqlType::Text)],
        &[CODE, TOUCH, TRIGGER, VIEW, OVER_VIEW, EXTENSION],
    )
}

fn described(ops: &[Operation]) -> Vec<String> {
    ops.iter().map(crate::lint::describe).collect()
}

fn round_trip(from: &Schema, to: &Schema) -> crate::diff::Plan {
    let plan = diff(from, to).unwrap();
    let mut schema = from.clone();
    apply_all(&mut schema, &plan.up).unwrap();
    assert!(diff(&schema, to).unwrap().is_empty());
    apply_all(&mut schema, &plan.down).unwrap();
    assert_eq!(&schema, from);
    plan
}

#[test]
fn objects_come_in_dependency_order_and_go_in_reverse() {
    let plan = round_trip(&Schema::default(), &full());
    assert_eq!(
        described(&plan.up),
        [
            "create extension citext",
            "create function next_code()",
            "create function touch()",
            "create table users",
            "create view emails",
            "create view first_email",
            "create trigger users_touch on users",
        ]
    );
    assert_eq!(
        described(&plan.down),
        [
            "drop trigger users_touch on users",
            "drop view first_email",
            "drop view emails",
            "drop table users",
            "drop function touch()",
            "drop function next_code()",
            "drop extension citext",
        ]
    );
    let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
    assert_eq!(summary[0], "+ extension citext");
    assert_eq!(summary[4], "+ view emails");
}

#[test]
fn a_view_over_a_column_that_changes_type_is_dropped_around_the_change() {
    let from = full();
    let mut to = full();
    to.tables[0].columns[1].ty = SqlType::Varchar(200);
    let plan = round_trip(&from, &to);
    assert_eq!(
        described(&plan.up),
        [
            "drop view first_email",
            "drop view emails",
            "alter column users.email",
            "create view emails",
            "create view first_email",
        ]
    );
    let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
    assert!(
        summary.contains(
            &"~ view emails dropped and created again around the change of users.email".to_string()
        ),
        "{summary:?}"
    );
    assert!(
        summary
            .contains(&"~ view first_email dropped and created again with view emails".to_string()),
        "{summary:?}"
    );
}

#[test]
fn views_are_replaced_in_place_when_their_columns_only_grow() {
    let from = full();
    let grown = with_objects(
        vec![users(SqlType::Text)],
        &[
            CODE,
            TOUCH,
            TRIGGER,
            "CREATE VIEW emails AS SELECT id, email, code FROM users",
            OVER_VIEW,
            EXTENSION,
        ],
    );
    let plan = round_trip(&from, &grown);
    assert_eq!(described(&plan.up), ["replace view emails"]);
    let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
    assert_eq!(summary, ["~ view emails (definition changed)"]);

    // A column taken away: PostgreSQL refuses OR REPLACE, so the view and the view over it are
    // dropped and created again.
    let shrunk = with_objects(
        vec![users(SqlType::Text)],
        &[
            CODE,
            TOUCH,
            TRIGGER,
            "CREATE VIEW emails AS SELECT email FROM users",
            OVER_VIEW,
            EXTENSION,
        ],
    );
    let plan = round_trip(&from, &shrunk);
    assert_eq!(
        described(&plan.up),
        [
            "drop view first_email",
            "drop view emails",
            "create view emails",
            "create view first_email",
        ]
    );
    // Layout alone is no change.
    let relaid = with_objects(
        vec![users(SqlType::Text)],
        &[
            CODE,
            TOUCH,
            TRIGGER,
            "-- the emails\nCREATE VIEW emails AS\n    SELECT id, email\n    FROM users;",
            OVER_VIEW,
            EXTENSION,
        ],
    );
    assert!(diff(&from, &relaid).unwrap().is_empty());
}

#[test]
fn a_function_whose_result_changes_takes_its_trigger_with_it() {
    let from = full();
    let to = with_objects(
        vec![users(SqlType::Text)],
        &[
            CODE,
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            TRIGGER,
            VIEW,
            OVER_VIEW,
            EXTENSION,
        ],
    );
    let plan = round_trip(&from, &to);
    assert_eq!(described(&plan.up), ["replace function touch()"]);

    let to = with_objects(
        vec![users(SqlType::Text)],
        &[
            CODE,
            "CREATE FUNCTION touch(strict_mode boolean) RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            "CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch(true)",
            VIEW,
            OVER_VIEW,
            EXTENSION,
        ],
    );
    let plan = round_trip(&from, &to);
    assert_eq!(
        described(&plan.up),
        [
            "drop trigger users_touch on users",
            "drop function touch()",
            "create function touch(boolean)",
            "create trigger users_touch on users",
        ]
    );
}

#[test]
fn what_a_column_default_uses_cannot_be_dropped_under_it() {
    let from = full();
    let to = with_objects(
        vec![users(SqlType::Text)],
        &[
            "CREATE FUNCTION next_code() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$",
            TOUCH,
            TRIGGER,
            VIEW,
            OVER_VIEW,
            EXTENSION,
        ],
    );
    let err = diff(&from, &to).unwrap_err().to_string();
    assert!(
        err.starts_with("function next_code() changes its arguments or result, which needs it dropped and created again, and table users uses it"),
        "{err}"
    );

    // Dropped with the column that used it: after the column.
    let mut bare = users(SqlType::Text);
    bare.columns.pop();
    let to = with_objects(vec![bare], &[TOUCH, TRIGGER, VIEW, OVER_VIEW, EXTENSION]);
    let plan = round_trip(&from, &to);
    assert_eq!(
        described(&plan.up),
        ["drop column users.code", "drop function next_code()"]
    );
}

#[test]
fn a_dropped_table_takes_its_triggers_and_views_first() {
    let from = full();
    let to = with_objects(vec![], &[TOUCH, EXTENSION]);
    let plan = round_trip(&from, &to);
    assert_eq!(
        described(&plan.up),
        [
            "drop trigger users_touch on users",
            "drop view first_email",
            "drop view emails",
            "drop table users",
            "drop function next_code()",
        ]
    );
}

#[test]
fn a_function_that_returns_a_new_table_comes_after_it() {
    let to = with_objects(
        vec![users(SqlType::Text)],
        &[CODE, "CREATE FUNCTION all_users() RETURNS SETOF users LANGUAGE sql AS $$ SELECT * FROM users $$"],
    );
    let plan = round_trip(&Schema::default(), &to);
    assert_eq!(
        described(&plan.up),
        [
            "create function next_code()",
            "create table users",
            "create function all_users()"
        ]
    );
    assert_eq!(to.objects[0].kind, ObjectKind::Function);
}
