use migrate_core::Model;

#[derive(Model)]
struct Post<'a> {
    id: i32,
    title: &'a str,
}

fn main() {}
