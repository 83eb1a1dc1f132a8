use migrate_core::ModelEnum;

// `renamed_from` must name a value the enum no longer has.
#[derive(ModelEnum, Debug)]
enum Status {
    Draft,
    #[model(renamed_from = "draft")]
    Published,
}

fn main() {}
