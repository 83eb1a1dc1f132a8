use migrate_core::Model;

#[derive(Model)]
#[model(index(on = "lower(title)"))]
struct Post {
    id: i32,
    title: String,
}

fn main() {}
