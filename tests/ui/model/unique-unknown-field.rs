use migrate_core::Model;

#[derive(Model)]
#[model(unique(tenant_id, emial))]
struct User {
    id: i32,
    tenant_id: i32,
    email: String,
}

fn main() {}
