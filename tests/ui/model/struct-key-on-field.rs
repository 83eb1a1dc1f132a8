use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(table = "posts")]
    title: String,
}

fn main() {}
