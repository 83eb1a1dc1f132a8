use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(skip, index)]
    comment_count: i64,
}

fn main() {}
