use migrate_core::Model;

#[derive(Model)]
struct Line {
    id: i32,
    price: i32,
    #[model(generated(expr = "price * 2", stored), default = 0)]
    doubled: i32,
}

fn main() {}
