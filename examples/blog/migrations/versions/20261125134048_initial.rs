// initial
//
// Revision: 20261125134048
// Revises: (none)
// Created: 2026-11-25 13:40:48 UTC

use migrate_core::migration::prelude::*;

pub const REVISION: &str = "20261125134048";
pub const REVISES: &[&str] = &[];
pub const MESSAGE: &str = "initial";

pub fn up(m: &mut Migration) {
    m.create_table("users", |t| {
        t.column("id", SqlType::Integer).auto_increment();
        t.column("name", SqlType::Varchar(120));
        t.column("email", SqlType::Varchar(255));
        t.primary_key(&["id"]);
        t.unique("uq_users_email", &["email"]);
    });
    m.create_table("posts", |t| {
        t.column("id", SqlType::Integer).auto_increment();
        t.column("title", SqlType::Varchar(200));
        t.column("body", SqlType::Text).nullable();
        t.column("author_id", SqlType::Integer);
        t.column("published", SqlType::Boolean).default(false);
        t.column("created_at", SqlType::Timestamp)
            .default_sql("CURRENT_TIMESTAMP");
        t.primary_key(&["id"]);
        t.foreign_key("fk_posts_author_id_users", &["author_id"], "users", &["id"])
            .on_delete(FkAction::Cascade);
        t.index("ix_posts_author_id", &["author_id"]);
    });
}

pub fn down(m: &mut Migration) {
    // Data loss: drops table posts and every row in it.
    m.drop_table("posts");
    // Data loss: drops table users and every row in it.
    m.drop_table("users");
}
