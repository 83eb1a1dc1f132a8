use migrate_core::Model;

#[derive(Model)]
#[model(max_length = 200)]
struct Post {
    id: i32,
    title: String,
}

fn main() {}
