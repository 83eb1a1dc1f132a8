//! What the modules of `versions/` were read into (`crate::interpret`), kept under the target
//! directory by each module's checksum, so that a module is parsed once per build of the tool
//! rather than by every command: reading a 200-table initial module with syn costs more than
//! applying it.
//!
//! An entry is only ever what reading that exact source gave, and the entries of one build of
//! the tool are kept apart from every other's (the reader, and the serialized form of the
//! operations, may change between builds). The cache is an optimisation only: an entry that
//! is missing, unreadable or cannot be written means the module is read again, never an error.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::interpret::{decode, encode, InterpretedModule};

/// The entries of this build of the tool under one target directory.
#[derive(Debug, Clone)]
pub struct ReadCache {
    dir: Option<PathBuf>,
}

impl ReadCache {
    /// The cache under `target` (`target/migrate/read/<build>/`); none when this executable
    /// cannot be told from another build.
    pub fn open(target: &Path) -> ReadCache {
        ReadCache {
            dir: build_id().map(|id| target.join("migrate").join("read").join(id)),
        }
    }

    /// No cache: every module is read.
    pub fn none() -> ReadCache {
        ReadCache { dir: None }
    }

    /// What the module with this checksum (SHA-256 of its source, hex) was read into.
    pub fn get(&self, checksum: &str) -> Option<InterpretedModule> {
        let bytes = std::fs::read(self.dir.as_ref()?.join(checksum)).ok()?;
        decode(&bytes)
    }

    /// Keeps what the module with this checksum was read into. The first entry of a build
    /// clears the entries of all but the latest few other builds (a debug and a release
    /// build of the CLI used side by side keep theirs).
    pub fn put(&self, checksum: &str, module: &InterpretedModule) {
        let Some(dir) = &self.dir else { return };
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

/// How many other builds keep their entries when a new build starts its own.
const OTHER_BUILDS_KEPT: usize = 3;

fn clear_other_builds(dir: &Path) {
    let Some(parent) = dir.parent() else { return };
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut others: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path() != dir)
        .map(|e| {
            let modified = e.metadata().and_then(|m| m.modified());
            (modified.unwrap_or(std::time::UNIX_EPOCH), e.path())
        })
        .collect();
    others.sort_by_key(|o| std::cmp::Reverse(o.0));
    for (_, path) in others.into_iter().skip(OTHER_BUILDS_KEPT) {
        let _ = std::fs::remove_dir_all(path);
    }
}
