use migrate_core::Model;

#[derive(Model)]
struct Post {
    #[model(auto_increment = "no")]
    id: i32,
}

fn main() {}
