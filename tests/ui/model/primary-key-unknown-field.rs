use migrate_core::Model;

#[derive(Model)]
#[model(primary_key(user_id, grop_id))]
struct Membership {
    user_id: i32,
    group_id: i32,
}

fn main() {}
