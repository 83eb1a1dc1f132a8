use migrate_core::Model;

#[derive(Model)]
#[model(foreign_key(columns(tenant_id, author_id), references = "users(id)"))]
struct Post {
    id: i32,
    tenant_id: i32,
    author_id: i32,
}

fn main() {}
