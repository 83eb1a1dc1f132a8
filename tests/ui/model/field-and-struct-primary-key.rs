use migrate_core::Model;

#[derive(Model)]
#[model(primary_key(user_id, group_id))]
struct Membership {
    #[model(primary_key)]
    user_id: i32,
    group_id: i32,
}

fn main() {}
