use migrate_core::Model;

#[derive(Model)]
#[model(check(name = "ck_posts_title_len"))]
struct Post {
    id: i32,
    title: String,
}

fn main() {}
