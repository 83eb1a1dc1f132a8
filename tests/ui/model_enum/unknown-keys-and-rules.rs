use migrate_core::ModelEnum;

// An unknown key, an unknown casing rule and a value of the wrong kind, reported together.
#[derive(ModelEnum, Debug)]
#[model(rename_all = "snake-case", table = "x")]
enum Status {
    #[model(rename = 3)]
    Draft,
    Published,
}

fn main() {}
