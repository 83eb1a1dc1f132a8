//! `syn-alone FILE`: reads FILE and parses it with `syn::parse_file`, nothing more.

fn main() {
    let path = std::env::args().nth(1).expect("usage: syn-alone FILE");
    let text = std::fs::read_to_string(&path).expect("a readable file");
    let file = syn::parse_file(&text).expect("a Rust file");
    println!("{} items", file.items.len());
}
