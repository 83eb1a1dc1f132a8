use migrate_core::Model;

#[derive(Model)]
struct User {
    id: i32,
    email: String,
    #[model(column = "email")]
    contact: String,
}

fn main() {}
