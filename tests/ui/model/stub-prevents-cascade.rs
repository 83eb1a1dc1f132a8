use migrate_core::Model;

// The failed derive still implements `Model`, so this use adds no "trait not implemented" error.
#[derive(Model)]
struct Post {
    #[model(primary_ky)]
    id: i32,
}

fn spec() -> migrate_core::model::ModelSpec {
    <Post as migrate_core::model::Model>::model_spec()
}

fn main() {
    let _ = spec;
}
