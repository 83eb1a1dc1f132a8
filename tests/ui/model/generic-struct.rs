use migrate_core::Model;

#[derive(Model)]
struct Post<T> {
    id: i32,
    body: T,
}

fn main() {}
