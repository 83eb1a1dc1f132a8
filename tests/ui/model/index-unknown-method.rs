use migrate_core::Model;

#[derive(Model)]
#[model(index(title, method = "btre"))]
struct Post {
    id: i32,
    title: String,
}

fn main() {}
