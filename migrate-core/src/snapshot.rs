//! `migrations/snapshot.json`: the schema as of the head migration, and the head revision.
//!
//! The bytes are deterministic (sorted tables and constraints, columns in declaration order,
//! pretty-printed, trailing newline) so that the same schema diffs to nothing in git and two
//! branches that each add a migration conflict on `head`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::objects::DbObject;
use crate::schema::{EnumType, Schema, Table};

/// The snapshot format this build writes and the newest it reads.
pub const FORMAT: u32 = 1;

/// The contents of `snapshot.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Format version, for readers of older and newer snapshots.
    pub format: u32,
    /// The revision whose schema this is; `None` before the first migration.
    pub head: Option<String>,
    /// The schema's enum types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    /// The schema's tables.
    pub tables: Vec<Table>,
    /// The schema's objects that are not tables.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<DbObject>,
}

impl Snapshot {
    /// The snapshot of a project with no migration yet.
    pub fn empty() -> Self {
        Snapshot::new(None, Schema::default())
    }

    /// A snapshot of `schema` at `head`.
    pub fn new(head: Option<String>, schema: Schema) -> Self {
        let mut schema = schema;
        schema.normalize();
        Snapshot {
            format: FORMAT,
            head,
            enums: schema.enums,
            tables: schema.tables,
            objects: schema.objects,
        }
    }

    /// The schema it holds.
    pub fn schema(&self) -> Schema {
        let mut schema = Schema::with_enums(self.tables.clone(), self.enums.clone());
        schema.objects = self.objects.clone();
        schema.normalize();
        schema
    }

    /// The canonical text: pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut canonical = self.clone();
        let mut schema = Schema {
            tables: std::mem::take(&mut canonical.tables),
            enums: std::mem::take(&mut canonical.enums),
            objects: std::mem::take(&mut canonical.objects),
        };
        schema.normalize();
        canonical.tables = schema.tables;
        canonical.enums = schema.enums;
        canonical.objects = schema.objects;
        let mut text =
            serde_json::to_string_pretty(&canonical).expect("a snapshot always serialises");
        text.push('\n');
        text
    }

    /// Parses snapshot text; `path` only names the file in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<Self> {
        let snapshot: Snapshot =
            serde_json::from_str(text).map_err(|e| Error::CorruptSnapshot {
                path: path.to_path_buf(),
                line: e.line(),
                column: e.column().max(1),
                message: e
                    .to_string()
                    .split(" at line ")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            })?;
        if snapshot.format > FORMAT {
            return Err(Error::SnapshotFormat {
                path: path.to_path_buf(),
                found: snapshot.format,
                supported: FORMAT,
            });
        }
        Ok(snapshot)
    }

    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Snapshot::from_json(&text, path)
    }

    /// Writes `path` atomically: a crash never leaves half a snapshot.
    pub fn write(&self, path: &Path) -> Result<()> {
        write_atomic(path, self.to_json().as_bytes())
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{file_name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, SqlType};

    #[test]
    fn same_schema_same_bytes_whatever_the_order() {
        let mut a = Table::new("a");
        a.columns.push(Column::new("id", SqlType::Integer));
        let b = Table::new("b");
        let one = Snapshot::new(Some("1".into()), Schema::new(vec![a.clone(), b.clone()]));
        let two = Snapshot {
            format: FORMAT,
            head: Some("1".into()),
            enums: Vec::new(),
            tables: vec![b, a],
            objects: Vec::new(),
        };
        assert_eq!(one.to_json(), two.to_json());
        assert!(one.to_json().ends_with("}\n"));
        let back = Snapshot::from_json(&one.to_json(), Path::new("s.json")).unwrap();
        assert_eq!(back, one);
    }

    #[test]
    fn corrupt_snapshot_names_file_and_line() {
        let err = Snapshot::from_json(
            "{\n  \"format\": 1,\n<<<<<<< HEAD\n}",
            Path::new("m/snapshot.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("m/snapshot.json:3:1: corrupt snapshot"),
            "{err}"
        );
    }

    #[test]
    fn newer_format_is_refused() {
        let err = Snapshot::from_json(
            r#"{"format": 99, "head": null, "tables": []}"#,
            Path::new("s.json"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("format 99 is newer"), "{err}");
    }
}
