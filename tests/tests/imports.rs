//! Imports flow one way: in each crate, the graph of files drawn from their imports has no
//! circle. An import is a path through `crate::`, `super::` or `self::`, or, in a crate root
//! or `mod.rs`, a path through one of its own child modules; it points at the deepest module
//! file the path names. Module declarations, re-exports (`pub use`), comments, strings and the
//! `#[cfg(test)] mod tests` at the end of a file are not imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use migrate_tests::workspace_root;

/// A module path within a crate (empty: the root).
type Module = Vec<String>;

/// Every `.rs` file of `src`, by the module it is (a `tests.rs` file is a test module).
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![src.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.file_name().is_some_and(|n| n == "tests.rs")
            {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            if module == ["lib"] || module == ["main"] {
                module.clear();
            }
            out.insert(module, path);
        }
    }
    out
}

/// The text of a file as code: comments and string literals blanked, the test module cut.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        // A raw string: r"..." or r#"..."#, closed by the same number of `#`.
        let ident_before = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if bytes[i] == b'r' && !ident_before {
            let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
            if bytes.get(i + 1 + hashes) == Some(&b'"') {
                let close = format!("\"{}", "#".repeat(hashes));
                let body = i + 2 + hashes;
                i = text[body..]
                    .find(&close)
                    .map_or(bytes.len(), |e| body + e + close.len());
                out.push_str("\"\"");
                continue;
            }
        }
        match (bytes[i], bytes.get(i + 1)) {
            (b'/', Some(b'/')) => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            (b'/', Some(b'*')) => {
                let end = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                i = end;
            }
            (b'"', _) => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            (b'\'', _) if bytes.get(i + 2) == Some(&b'\'') => {
                // A char literal such as '"' or '{'.
                i += 3;
                out.push_str("' '");
            }
            (b'\'', Some(b'\\')) => {
                let end = text[i + 1..]
                    .find('\'')
                    .map_or(bytes.len(), |e| i + 1 + e + 1);
                i = end;
                out.push_str("' '");
            }
            _ => {
                let c = text[i..].chars().next().unwrap();
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    out
}

/// Removes every `pub use ...;` and `pub(...) use ...;`: re-exports, not imports.
fn without_reexports(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while i < code.len() {
        let boundary = code[..i]
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if boundary && code[i..].starts_with("pub") {
            let mut tail = code[i + 3..].trim_start();
            if tail.starts_with('(') {
                tail = tail.find(')').map_or(tail, |e| tail[e + 1..].trim_start());
            }
            if tail.starts_with("use ") {
                let from = code.len() - tail.len();
                i = code[from..].find(';').map_or(code.len(), |e| from + e + 1);
                continue;
            }
        }
        let c = code[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The identifiers path starting at `at` in `code`: `a::b::{c, d::e}` gives `[a, b, c]` and
/// `[a, b, d, e]`.
fn paths_at(code: &str, at: usize) -> Vec<Vec<String>> {
    let ident = |s: &str| {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<String>()
    };
    let mut segments = Vec::new();
    let mut rest = &code[at..];
    loop {
        let name = ident(rest);
        if name.is_empty() {
            break;
        }
        rest = &rest[name.len()..];
        segments.push(name);
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("::") {
            let after = after.trim_start();
            if let Some(group) = after.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                return group[..end]
                    .split(',')
                    .map(|item| item.split(" as ").next().unwrap_or("").trim())
                    .filter(|item| !item.is_empty())
                    .map(|item| {
                        let mut path = segments.clone();
                        path.extend(item.split("::").map(|s| ident(s.trim())));
                        path
                    })
                    .collect();
            }
            rest = after;
        } else {
            break;
        }
    }
    vec![segments]
}

/// The modules each file imports.
fn imports(files: &BTreeMap<Module, PathBuf>) -> BTreeMap<Module, BTreeSet<Module>> {
    let deepest = |mut path: Module| {
        while !path.is_empty() && !files.contains_key(&path) {
            path.pop();
        }
        path
    };
    let mut graph = BTreeMap::new();
    for (module, path) in files {
        let text = without_reexports(&code(&std::fs::read_to_string(path).unwrap()));
        let directory = module.is_empty() || path.ends_with("mod.rs");
        // `super` and `self` count from the module a file is; a file `a/b.rs` is module `a::b`.
        let children: BTreeSet<String> = text
            .match_indices("mod ")
            .filter_map(|(at, _)| {
                let name: String = text[at + 4..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                text[at + 4 + name.len()..]
                    .trim_start()
                    .starts_with(';')
                    .then_some(name)
            })
            .collect();
        // Inline modules (`mod pg { ... }`): `super` and `self` inside them count from there.
        let inline: Vec<(usize, usize, String)> = text
            .match_indices("mod ")
            .filter_map(|(at, _)| {
                let name: String = text[at + 4..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let open = at + 4 + name.len();
                let rest = &text[open..];
                let brace = open + (rest.len() - rest.trim_start().len());
                if name.is_empty() || !text[brace..].starts_with('{') {
                    return None;
                }
                let mut depth = 0;
                for (i, c) in text[brace..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                return Some((brace, brace + i, name));
                            }
                        }
                        _ => {}
                    }
                }
                None
            })
            .collect();
        let mut targets = BTreeSet::new();
        for (at, _) in text.match_indices("::") {
            // The first segment of the path this `::` continues.
            let start = text[..at]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(0, |s| s + 1);
            if start > 0 && text[..start].ends_with("::") {
                continue;
            }
            let first = &text[start..at];
            let mut here = module.clone();
            here.extend(
                inline
                    .iter()
                    .filter(|(open, close, _)| *open < at && at < *close)
                    .map(|(_, _, name)| name.clone()),
            );
            let base: Module = match first {
                "crate" => Vec::new(),
                "self" => here,
                "super" => here[..here.len().saturating_sub(1)].to_vec(),
                child if directory && children.contains(child) => module.clone(),
                _ => continue,
            };
            for path in paths_at(&text, start) {
                let mut target = base.clone();
                let mut segments = path
                    .into_iter()
                    .skip(usize::from(matches!(first, "crate" | "self" | "super")));
                for segment in segments.by_ref() {
                    if segment == "super" {
                        target.pop();
                    } else {
                        target.push(segment);
                    }
                }
                let target = deepest(target);
                if &target != module {
                    targets.insert(target);
                }
            }
        }
        graph.insert(module.clone(), targets);
    }
    graph
}

/// The circles of `graph` (strongly connected sets of more than one file).
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    // Kosaraju: finish order on the graph, then components on the reversed graph.
    let mut order = Vec::new();
    let mut seen = BTreeSet::new();
    for start in graph.keys() {
        let mut stack = vec![(start.clone(), false)];
        while let Some((node, done)) = stack.pop() {
            if done {
                order.push(node);
                continue;
            }
            if !seen.insert(node.clone()) {
                continue;
            }
            stack.push((node.clone(), true));
            for next in graph.get(&node).into_iter().flatten() {
                if !seen.contains(next) {
                    stack.push((next.clone(), false));
                }
            }
        }
    }
    let mut reversed: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (from, tos) in graph {
        for to in tos {
            reversed.entry(to).or_default().push(from);
        }
    }
    let mut assigned = BTreeSet::new();
    let mut out = Vec::new();
    for node in order.iter().rev() {
        if assigned.contains(node) {
            continue;
        }
        let mut component = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if !assigned.insert(n.clone()) {
                continue;
            }
            component.push(n.clone());
            stack.extend(reversed.get(n).into_iter().flatten().copied());
        }
        if component.len() > 1 {
            component.sort();
            out.push(component);
        }
    }
    out
}

#[test]
fn no_file_imports_a_file_that_imports_it() {
    let mut found = Vec::new();
    for krate in [
        "migrate-derive-core",
        "migrate-derive",
        "migrate-core",
        "migrate-cli",
    ] {
        let graph = imports(&modules(&workspace_root().join(krate).join("src")));
        for circle in circles(&graph) {
            let names: Vec<String> = circle
                .iter()
                .map(|m| {
                    if m.is_empty() {
                        "(root)".into()
                    } else {
                        m.join("/")
                    }
                })
                .collect();
            found.push(format!("{krate}: {}", names.join(", ")));
        }
    }
    assert!(
        found.is_empty(),
        "circles of imports:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_graph_sees_a_circle_and_an_import_through_a_group() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(
        src.join("lib.rs"),
        "mod a;\nmod b;\nmod c;\npub use a::A;\n",
    )
    .unwrap();
    std::fs::write(
        src.join("a/mod.rs"),
        "mod inner;\n// crate::b is only a comment\npub struct A;\nfn f() { inner::g(); }\n",
    )
    .unwrap();
    std::fs::write(
        src.join("a/inner.rs"),
        "use crate::{b::B, a::A};\npub fn g() {}\n",
    )
    .unwrap();
    std::fs::write(src.join("b.rs"), "pub struct B;\n").unwrap();
    std::fs::write(
        src.join("c.rs"),
        "fn h() { super::a::inner::g(); let _ = r#\"crate::b\"#; }\n",
    )
    .unwrap();
    let graph = imports(&modules(src));
    let m = |s: &str| -> Module {
        s.split('/')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(graph[&m("a/inner")], BTreeSet::from([m("a"), m("b")]));
    assert_eq!(graph[&m("a")], BTreeSet::from([m("a/inner")]));
    assert_eq!(graph[&m("c")], BTreeSet::from([m("a/inner")]));
    assert!(graph[&m("")].is_empty(), "a re-export is no import");
    assert_eq!(circles(&graph), [vec![m("a"), m("a/inner")]]);
}
