//! The objects folder (`migrate.toml`'s `objects`, `sql/` by default): one `.sql` file per
//! object, in any sub-folders, read into the schema's objects; and the files `adopt` writes.

use std::path::{Path, PathBuf};

use crate::backend::Backend;
use crate::error::{Error, Result};

use super::{parse, resolve, DbObject, ObjectKind, Parsed};

/// The `.sql` files under `dir`, sorted by path; none when the folder does not exist.
pub fn sql_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| Error::io(&folder, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&folder, e))?;
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "sql") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads every object declared under `dir` for `backend`, its dependencies resolved among
/// `tables` and the objects themselves. `shown` is how messages name `dir`'s files (the path
/// relative to the project, say). A missing folder declares nothing; a file that declares no
/// single object, two files that declare the same object, or a folder of objects with no
/// backend to read them for, is an error naming the file (and line).
pub fn read_folder(
    dir: &Path,
    backend: Option<Backend>,
    tables: &[String],
    shown: &dyn Fn(&Path) -> String,
) -> Result<Vec<DbObject>> {
    let files = sql_files(dir)?;
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let Some(backend) = backend else {
        return Err(Error::Declaration {
            path: PathBuf::from(shown(&files[0])),
            line: 1,
            message: "the objects are read for the database's backend, and none is known: set `database_url` in migrate.toml or DATABASE_URL".into(),
        });
    };
    let mut parsed: Vec<Parsed> = Vec::with_capacity(files.len());
    for file in &files {
        let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
        let p = parse(&text, backend).map_err(|e| Error::Declaration {
            path: PathBuf::from(shown(file)),
            line: e.line + leading_blank_lines(&text),
            message: e.message,
        })?;
        if let Some(first) = parsed.iter().position(|q| q.key() == p.key()) {
            return Err(Error::Declaration {
                path: PathBuf::from(shown(file)),
                line: 1,
                message: format!(
                    "declares {} again; {} declares it already",
                    p.key(),
                    shown(&files[first])
                ),
            });
        }
        parsed.push(p);
    }
    resolve(parsed, tables, backend).map_err(|(index, e)| Error::Declaration {
        path: PathBuf::from(shown(&files[index])),
        line: e.line
            + leading_blank_lines(&std::fs::read_to_string(&files[index]).unwrap_or_default()),
        message: e.message,
    })
}

/// The lines before the first non-blank one: the definition is read trimmed, the file is not.
fn leading_blank_lines(text: &str) -> usize {
    text.lines().take_while(|l| l.trim().is_empty()).count()
}

/// The file `adopt` writes for each object under `dir`: `<kind folder>/<name>.sql`, with the
/// table (trigger, policy) or argument types (overloads) in the name where two would clash.
pub fn declaration_paths(dir: &Path, objects: &[DbObject]) -> Vec<PathBuf> {
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let plain = |o: &DbObject| safe(&o.name);
    let full = |o: &DbObject| {
        let mut name = match &o.table {
            Some(table) => format!("{}.{}", safe(table), safe(&o.name)),
            None => safe(&o.name),
        };
        if let Some(args) = &o.arguments {
            if !args.is_empty() {
                name.push_str("__");
                name.push_str(&safe(&args.join("_")));
            }
        }
        name
    };
    let mut used: std::collections::BTreeSet<(ObjectKind, String)> = Default::default();
    // A name two objects of a kind share gets the longer form for both (case aside, for
    // file systems that ignore it).
    let clashes = |o: &DbObject| {
        objects
            .iter()
            .filter(|p| p.kind == o.kind && plain(p).to_lowercase() == plain(o).to_lowercase())
            .count()
            > 1
    };
    objects
        .iter()
        .map(|o| {
            let mut stem = if clashes(o) { full(o) } else { plain(o) };
            let mut n = 2;
            while !used.insert((o.kind, stem.to_lowercase())) {
                stem = format!("{}_{n}", if clashes(o) { full(o) } else { plain(o) });
                n += 1;
            }
            dir.join(o.kind.folder()).join(format!("{stem}.sql"))
        })
        .collect()
}

/// A file to write: its path and its text.
pub type DeclarationFile = (PathBuf, String);

/// The files `adopt` writes under `dir` for `objects`, and the objects as the folder reader
/// will read them back among `tables`: what the snapshot records.
pub fn declarations(
    dir: &Path,
    objects: &[DbObject],
    tables: &[String],
    backend: Backend,
) -> Result<(Vec<DeclarationFile>, Vec<DbObject>)> {
    let paths = declaration_paths(dir, objects);
    let files: Vec<(PathBuf, String)> = paths
        .into_iter()
        .zip(objects)
        .map(|(path, object)| (path, file_text(object)))
        .collect();
    let parsed = files
        .iter()
        .map(|(path, text)| {
            parse(text, backend).map_err(|e| Error::Declaration {
                path: path.clone(),
                line: e.line,
                message: e.message,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let read = resolve(parsed, tables, backend).map_err(|(i, e)| Error::Declaration {
        path: files[i].0.clone(),
        line: e.line,
        message: e.message,
    })?;
    Ok((files, read))
}

/// The text of an object's file: its definition and a final newline.
pub fn file_text(object: &DbObject) -> String {
    let mut text = object.definition.clone();
    if !text.ends_with(';') {
        text.push(';');
    }
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_is_read_with_sub_folders_and_errors_name_the_file() {
        let dir = std::env::temp_dir().join(format!("migrate-objects-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("views")).unwrap();
        std::fs::write(
            dir.join("views/active.sql"),
            "CREATE VIEW active AS SELECT id FROM users;\n",
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "not SQL").unwrap();
        let shown = |p: &Path| p.strip_prefix(&dir).unwrap().display().to_string();
        let tables = vec!["users".to_string()];
        let objects = read_folder(&dir, Some(Backend::Sqlite), &tables, &shown).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].depends_on, ["table users"]);
        assert_eq!(
            file_text(&objects[0]),
            "CREATE VIEW active AS SELECT id FROM users;\n"
        );

        let err = read_folder(&dir, None, &tables, &shown).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("views/active.sql:1: the objects are read"),
            "{err}"
        );
        std::fs::write(dir.join("again.sql"), "\n\nCREATE VIEW active AS SELECT 2;").unwrap();
        let err = read_folder(&dir, Some(Backend::Sqlite), &tables, &shown).unwrap_err();
        assert_eq!(
            err.to_string(),
            "views/active.sql:1: declares view active again; again.sql declares it already"
        );
        std::fs::write(
            dir.join("again.sql"),
            "\n\nCREATE VIEW other AS SELECT 2;\nDROP VIEW x;",
        )
        .unwrap();
        let err = read_folder(&dir, Some(Backend::Sqlite), &tables, &shown).unwrap_err();
        assert!(err.to_string().starts_with("again.sql:4: "), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(read_folder(&dir, None, &tables, &shown).unwrap().is_empty());
    }

    #[test]
    fn adopted_files_do_not_clash() {
        let object = |kind, name: &str, table: Option<&str>, args: Option<&[&str]>| DbObject {
            kind,
            name: name.into(),
            table: table.map(Into::into),
            arguments: args.map(|a| a.iter().map(|s| s.to_string()).collect()),
            depends_on: Vec::new(),
            definition: String::new(),
        };
        let objects = [
            object(ObjectKind::Function, "slug", None, Some(&["text"])),
            object(
                ObjectKind::Function,
                "slug",
                None,
                Some(&["text", "integer"]),
            ),
            object(ObjectKind::Function, "touch", None, Some(&[])),
            object(ObjectKind::Trigger, "touch", Some("posts"), None),
            object(ObjectKind::Trigger, "touch", Some("users"), None),
            object(ObjectKind::View, "a/b", None, None),
        ];
        let paths: Vec<String> = declaration_paths(Path::new("sql"), &objects)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(
            paths,
            [
                "sql/functions/slug__text.sql",
                "sql/functions/slug__text_integer.sql",
                "sql/functions/touch.sql",
                "sql/triggers/posts.touch.sql",
                "sql/triggers/users.touch.sql",
                "sql/views/a_b.sql",
            ]
        );
    }
}
