use migrate_core::Model;

#[derive(Model)]
#[model(index(autor_id, published_at))]
struct Post {
    id: i32,
    author_id: i32,
    published_at: Option<chrono::NaiveDateTime>,
}

fn main() {}
