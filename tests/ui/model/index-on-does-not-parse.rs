use migrate_core::Model;

#[derive(Model)]
#[model(index(name = "ix_posts_title", on = "lower(title) DESC ASC"))]
struct Post {
    id: i32,
    title: String,
}

fn main() {}
