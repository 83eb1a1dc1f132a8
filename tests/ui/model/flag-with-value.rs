use migrate_core::Model;

#[derive(Model)]
struct User {
    id: i32,
    #[model(unique = true)]
    email: String,
}

fn main() {}
