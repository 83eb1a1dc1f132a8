//! What the modules of `versions/` were read into (`crate::interpret`), kept under the target
//! directory by each module's checksum, so that a module is parsed once per build of the tool
//! rather than by every command: reading a 200-table initial module with syn costs more than
//! applying it.
//!
//! A bundle (`migrate-cli bundle`) carries the entries of its modules inside, written by the
//! build that reads them, and reads nothing from disk.
//!
//! An entry is only ever what reading that exact source gave, and the entries of one build of
//! the tool are kept apart from every other's (the reader, and the serialized form of the
//! operations, may change between builds). The cache is an optimisation only: an entry that
//! is missing, unreadable or cannot be written means the module is read again, never an error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::interpret::{decode, encode, InterpretedModule};

/// The entries of this build of the tool under one target directory.
#[derive(Debug, Clone)]
pub struct ReadCache {
    store: Store,
}

#[derive(Debug, Clone)]
enum Store {
    None,
    Dir(PathBuf),
    /// The encoded entries by checksum, read-only.
    Carried(Arc<BTreeMap<String, String>>),
}

impl ReadCache {
    /// The cache under `target` (`target/migrate/read/<build>/`); none when this executable
    /// cannot be told from another build.
    pub fn open(target: &Path) -> ReadCache {
        ReadCache {
            store: match build_id() {
                Some(id) => Store::Dir(target.join("migrate").join("read").join(id)),
                None => Store::None,
            },
        }
    }

    /// No cache: every module is read.
    pub fn none() -> ReadCache {
        ReadCache { store: Store::None }
    }

    /// The entries a bundle carries (encoded by [`encode`], by checksum); nothing is written.
    pub fn carried(entries: Arc<BTreeMap<String, String>>) -> ReadCache {
        ReadCache {
            store: Store::Carried(entries),
        }
    }

    /// What the module with this checksum (SHA-256 of its source, hex) was read into.
    pub fn get(&self, checksum: &str) -> Option<InterpretedModule> {
        match &self.store {
            Store::None => None,
            Store::Dir(dir) => decode(&std::fs::read(dir.join(checksum)).ok()?),
            Store::Carried(entries) => decode(entries.get(checksum)?.as_bytes()),
        }
    }

    /// Keeps what the module with this checksum was read into. The first entry of a build
    /// clears the entries of other builds unused for a day, beyond the latest few.
    pub fn put(&self, checksum: &str, module: &InterpretedModule) {
        let Store::Dir(dir) = &self.store else {
            return;
        };
        let Some(bytes) = encode(module) else { return };
        if !dir.is_dir() {
            clear_other_builds(dir);
            if std::fs::create_dir_all(dir).is_err() {
                return;
            }
        }
        // Written beside, then renamed: a reader never sees half an entry, and two commands
        // writing the same entry at once both write the same bytes.
        let part = dir.join(format!("{checksum}.{}.part", std::process::id()));
        if std::fs::write(&part, bytes).is_ok()
            && std::fs::rename(&part, dir.join(checksum)).is_err()
        {
            let _ = std::fs::remove_file(&part);
        }
    }
}

/// This executable's size and modification time, hashed: a new build of the tool (or of a
/// program linking migrate-core) starts a cache of its own.
fn build_id() -> Option<String> {
    let meta = std::env::current_exe().ok()?.metadata().ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let text = format!(
        "{} {} {} {}",
        env!("CARGO_PKG_VERSION"),
        meta.len(),
        modified.as_secs(),
        modified.subsec_nanos()
    );
    Some(
        Sha256::digest(text.as_bytes())
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Other builds' entries are kept while used within this long, and the latest few of the
/// rest: a debug and a release build of the CLI used side by side keep theirs.
const OTHER_BUILDS_KEPT: usize = 3;
const OTHER_BUILDS_RECENT: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

fn clear_other_builds(dir: &Path) {
    let Some(parent) = dir.parent() else { return };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let now = std::time::SystemTime::now();
    let mut others: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path() != dir)
        .map(|e| {
            let modified = e.metadata().and_then(|m| m.modified());
            (modified.unwrap_or(std::time::UNIX_EPOCH), e.path())
        })
        .collect();
    others.sort_by_key(|other| std::cmp::Reverse(other.0));
    for (modified, path) in others.into_iter().skip(OTHER_BUILDS_KEPT) {
        let recent = now
            .duration_since(modified)
            .is_ok_and(|age| age < OTHER_BUILDS_RECENT);
        if !recent {
            let _ = std::fs::remove_dir_all(path);
        }
    }
}
