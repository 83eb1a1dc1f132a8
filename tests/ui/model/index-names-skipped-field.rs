use migrate_core::Model;

#[derive(Model)]
#[model(index(comment_count))]
struct Post {
    id: i32,
    #[model(skip)]
    comment_count: i64,
}

fn main() {}
