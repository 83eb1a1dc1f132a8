use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(max_length = 5, default = "draft-and-more")]
    status: String,
    #[model(sql_type = "smallint", default = 40000)]
    views: i32,
    #[model(sql_type = "integer unsigned", default = -1)]
    stock: i64,
    #[model(sql_type = "varchar(3)", default = "four")]
    code: String,
    #[model(max_length = 5, default = "fits")]
    fine: String,
}

fn main() {}
