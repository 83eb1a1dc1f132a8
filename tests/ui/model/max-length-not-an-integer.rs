use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(max_length = "20")]
    title: String,
}

fn main() {}
