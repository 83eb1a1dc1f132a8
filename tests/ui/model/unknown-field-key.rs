use migrate_core::Model;

#[derive(Model)]
struct User {
    id: i32,
    #[model(uniqe)]
    email: String,
}

fn main() {}
