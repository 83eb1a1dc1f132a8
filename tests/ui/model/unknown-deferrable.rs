use migrate_core::Model;

#[derive(Model)]
#[model(unique(name = "uq_posts_slug", columns(slug), deferrable = "later"))]
struct Post {
    id: i32,
    slug: String,
}

fn main() {}
