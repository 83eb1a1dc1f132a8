//! Compile-fail tests of `#[derive(Model)]`: one mistake per file under `ui/model/`, each with
//! the compiler's expected output. Regenerate with `TRYBUILD=overwrite` and read the diff.

#[test]
fn derive_errors() {
    trybuild::TestCases::new().compile_fail("ui/model/*.rs");
}
