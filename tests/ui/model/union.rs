use migrate_core::Model;

#[derive(Model)]
union Bits {
    int: i32,
    float: f32,
}

fn main() {}
