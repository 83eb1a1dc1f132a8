use migrate_core::Model;

#[derive(Model)]
#[model(table = posts)]
struct Post {
    id: i32,
}

fn main() {}
