use migrate_core::Model;

// Two mistakes in one struct: both are reported, each at its token.
#[derive(Model)]
#[model(index(autor_id))]
struct Post {
    id: i32,
    #[model(max_length = "200")]
    title: String,
    author_id: i32,
}

fn main() {}
