use migrate_core::Model;

struct Address {
    street: String,
}

#[derive(Model)]
struct User {
    id: i32,
    address: Address,
}

fn main() {}
