use migrate_core::Model;

#[derive(Model)]
struct UserId(i32);

fn main() {}
