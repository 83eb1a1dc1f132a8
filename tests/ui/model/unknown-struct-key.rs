use migrate_core::Model;

#[derive(Model)]
#[model(indx(author_id))]
struct Post {
    id: i32,
    author_id: i32,
}

fn main() {}
