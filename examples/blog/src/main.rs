//! Applies the blog's embedded migrations at start-up, then inserts a user and a post through
//! Diesel and reads them back.

use blog::models::{Post, User};
use blog::schema::{posts, users};
use diesel::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/blog.db").to_string());
    // Migrate at start-up: a no-op when `migrate-cli upgrade` already ran.
    for event in migrate_core::runner::upgrade_embedded(&url, blog::MIGRATIONS)? {
        println!("{event}");
    }
    let path = url.strip_prefix("sqlite://").unwrap_or(&url);
    let mut conn = SqliteConnection::establish(path)?;

    let email = format!("ada{}@example.com", std::process::id());
    diesel::insert_into(users::table)
        .values((users::name.eq("Ada"), users::email.eq(&email)))
        .execute(&mut conn)?;
    let author: User = users::table
        .filter(users::email.eq(&email))
        .select(User::as_select())
        .first(&mut conn)?;
    diesel::insert_into(posts::table)
        .values((
            posts::title.eq("Hello, migrations"),
            posts::author_id.eq(author.id),
        ))
        .execute(&mut conn)?;

    let rows: Vec<(Post, User)> = posts::table
        .inner_join(users::table)
        .filter(users::id.eq(author.id))
        .select((Post::as_select(), User::as_select()))
        .load(&mut conn)?;
    for (post, user) in rows {
        println!(
            "post {} \"{}\" by {} <{}>, published: {}, created at {}",
            post.id, post.title, user.name, user.email, post.published, post.created_at
        );
    }
    Ok(())
}
