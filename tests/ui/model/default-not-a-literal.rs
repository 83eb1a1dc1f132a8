use migrate_core::Model;

#[derive(Model)]
struct Post {
    id: i32,
    #[model(default = now())]
    created_at: chrono::NaiveDateTime,
}

fn main() {}
