//! The blog's own tests, each on a fresh database at head, and its DDL under review.

use blog::models::User;
use blog::schema::users;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use migrate_core::dialect::Backend;
use migrate_core::testing::{ddl_at_head, fresh_database};

fn user(id: i32) -> User {
    User {
        id,
        name: format!("user {id}"),
        email: format!("user{id}@example.com"),
    }
}

#[test]
fn each_test_starts_empty_at_head() {
    let mut db = fresh_database::<SqliteConnection>(blog::MIGRATIONS, "sqlite::memory:").unwrap();
    diesel::insert_into(users::table)
        .values(&user(1))
        .execute(&mut *db)
        .unwrap();
    let count: i64 = users::table.count().get_result(&mut *db).unwrap();
    assert_eq!(count, 1);
}

#[test]
fn emails_are_unique() {
    let mut db = fresh_database::<SqliteConnection>(blog::MIGRATIONS, "sqlite::memory:").unwrap();
    let mut second = user(2);
    second.email = user(1).email;
    diesel::insert_into(users::table)
        .values(&user(1))
        .execute(&mut *db)
        .unwrap();
    assert!(diesel::insert_into(users::table)
        .values(&second)
        .execute(&mut *db)
        .is_err());
}

#[test]
fn the_schema_as_ddl() {
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
        insta::assert_snapshot!(
            format!("blog_{backend}"),
            ddl_at_head(blog::MIGRATIONS, backend).unwrap()
        );
    }
}
