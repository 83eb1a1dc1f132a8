use migrate_core::ModelEnum;

// A variant with data cannot be a column value.
#[derive(ModelEnum, Debug)]
enum Status {
    Draft,
    Published(u32),
}

fn main() {}
