use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(on_delete = "cascade")]
    author_id: i32,
}

fn main() {}
