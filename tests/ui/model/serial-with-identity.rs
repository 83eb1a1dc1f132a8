use migrate_core::Model;

#[derive(Model)]
struct Post {
    #[model(identity = "always", serial)]
    id: i32,
}

fn main() {}
