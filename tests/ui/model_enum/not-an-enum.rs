use migrate_core::ModelEnum;

// A struct is a table, not a column type.
#[derive(ModelEnum)]
struct Status {
    name: String,
}

fn main() {}
