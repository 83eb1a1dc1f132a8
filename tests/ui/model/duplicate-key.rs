use migrate_core::Model;

// Several #[model] attributes are merged, so a key repeated across them is a duplicate too.
#[derive(Model)]
#[model(table = "posts")]
#[model(table = "articles")]
struct Post {
    id: i32,
}

fn main() {}
