use migrate_core::Model;

struct Tags(Vec<String>);

#[derive(Model)]
struct Post {
    id: i32,
    #[model(sql_type = "strnig")]
    tags: Tags,
}

fn main() {}
