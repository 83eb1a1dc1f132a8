use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(default = 1)]
    published: bool,
}

fn main() {}
