use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(references = "users.id.x")]
    author_id: i32,
}

fn main() {}
