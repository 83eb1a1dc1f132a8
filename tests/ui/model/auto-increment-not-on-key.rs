use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(auto_increment = false)]
    position: i32,
}

fn main() {}
