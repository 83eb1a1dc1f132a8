//! Compile-fail tests of `#[derive(Model)]`: one mistake per file under `ui/model/`, each with
//! the compiler's expected output. Regenerate with `TRYBUILD=overwrite` and read the diff.

#[test]
fn derive_errors() {
    trybuild::TestCases::new().compile_fail("ui/model/*.rs");
}

/// Compile-fail tests of `#[derive(ModelEnum)]`, under `ui/model_enum/`.
#[test]
fn derive_enum_errors() {
    trybuild::TestCases::new().compile_fail("ui/model_enum/*.rs");
}
