use migrate_core::ModelEnum;

// Two variants stored as the same value.
#[derive(ModelEnum, Debug)]
enum Status {
    Draft,
    #[model(rename = "draft")]
    Sketch,
}

fn main() {}
