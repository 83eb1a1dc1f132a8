use migrate_core::Model;

#[derive(Model)]
struct Marker;

fn main() {}
