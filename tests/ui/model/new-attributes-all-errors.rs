use migrate_core::Model;

#[derive(Model)]
#[model(
    index(title, method = "fast"),
    exclude(name = "ex_posts"),
    inherits(base),
    partition_of(parent = "posts")
)]
struct Post {
    #[model(autoincrement, auto_increment = false)]
    id: i32,
    #[model(index(name = "ix", using = "gin"))]
    title: String,
    #[model(unique(method = "hash"))]
    slug: String,
}

fn main() {}
