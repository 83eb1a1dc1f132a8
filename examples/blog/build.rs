// The migrations are embedded by `embed_migrations!`; a new file must rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
