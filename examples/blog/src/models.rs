//! The blog's models: Diesel structs that also derive `Model`.

use diesel::prelude::*;
use migrate_core::Model;

/// Someone who writes posts.
#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
pub struct User {
    pub id: i32,
    #[model(max_length = 120)]
    pub name: String,
    #[model(max_length = 255, unique)]
    pub email: String,
}

/// A blog post.
#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::posts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
pub struct Post {
    pub id: i32,
    #[model(max_length = 200)]
    pub title: String,
    pub body: Option<String>,
    #[model(references = "users.id", on_delete = "cascade", index)]
    pub author_id: i32,
    #[model(default = false)]
    pub published: bool,
    #[model(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::NaiveDateTime,
}
