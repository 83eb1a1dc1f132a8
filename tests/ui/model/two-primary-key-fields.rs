use migrate_core::Model;

#[derive(Model)]
struct Membership {
    #[model(primary_key)]
    user_id: i32,
    #[model(primary_key)]
    group_id: i32,
}

fn main() {}
