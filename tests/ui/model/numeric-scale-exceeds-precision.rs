use migrate_core::Model;

#[derive(Model)]
struct Invoice {
    id: i32,
    #[model(numeric(precision = 4, scale = 6), sql_type = "numeric")]
    total: String,
}

fn main() {}
