use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(default = 0, default_sql = "1 + 1")]
    views: i64,
}

fn main() {}
