use migrate_core::Model;

#[derive(Model)]
struct User {
    id: i32,
    #[model(column)]
    email: String,
}

fn main() {}
