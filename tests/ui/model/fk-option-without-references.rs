use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(fk_name = "posts_author_fkey", not_valid)]
    author_id: i32,
}

fn main() {}
