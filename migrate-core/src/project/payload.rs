//! What `migrate-cli bundle` appends to a copy of its own executable: the project's migrations
//! and the part of `migrate.toml` that running them needs, followed by a fixed trailer by which
//! the executable recognises, from its last bytes alone, that it carries them. A project with a
//! module that must be compiled (a Rust data step) also carries its runner program, compiled
//! when the bundle was written, between the executable and the body:
//!
//! ```text
//! [ the migrate-cli executable ][ runner, when carried ][ body: JSON ][ body length: u64 LE ][ SHA-256 of body ][ MAGIC ]
//! ```
//!
//! The body is only ever read by the very build that wrote it (a bundle is a copy of the CLI
//! that appended it), so what it holds may follow this build's types freely; the format number
//! and the digest make a damaged or foreign tail an error rather than a misreading. The body
//! records the runner's length and digest, so the runner is found from the body alone and
//! checked when it is extracted. Pure: no I/O here; the CLI reads and writes the executable,
//! and `super::programs` extracts the runner.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::runner::RunOptions;

/// The last bytes of a bundle.
pub const MAGIC: [u8; 16] = *b"\0migrate-bundle\x01";

/// Bytes of the trailer: the body's length, its digest, [`MAGIC`].
pub const TRAILER_LEN: usize = 8 + 32 + MAGIC.len();

/// The body format this build writes and reads.
const FORMAT: u32 = 2;

/// The migrations a bundle carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// [`FORMAT`].
    format: u32,
    /// The migrations folder relative to the project (`migrations`), `/`-separated: messages
    /// name files as the CLI run in the project names them.
    pub migrations: String,
    /// The modules of `versions/`, in file order.
    pub modules: Vec<BundledModule>,
    /// `snapshot.json`, as written.
    pub snapshot: String,
    /// The snapshot's head revision, for the bundle's help.
    pub head: Option<String>,
    /// What each module was read into (`crate::interpret::encode`, JSON), by its checksum:
    /// the bundle applies them without reading the sources again. Empty when a runner is
    /// carried, which runs every module.
    pub reads: BTreeMap<String, String>,
    /// `lock_timeout` of `migrate.toml`, in milliseconds.
    pub lock_timeout_ms: u64,
    /// `statement_timeout` of `migrate.toml`, in milliseconds.
    pub statement_timeout_ms: u64,
    /// The compiled runner program that precedes the body, when a module must be compiled;
    /// `None` when every module was read (`reads` then holds them all).
    pub runner: Option<CarriedRunner>,
}

/// The runner program a bundle carries: its bytes lie just before the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarriedRunner {
    /// Its length in bytes.
    pub len: u64,
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
}

impl CarriedRunner {
    /// The record of a runner program of these bytes.
    pub fn of(bytes: &[u8]) -> CarriedRunner {
        CarriedRunner {
            len: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
        }
    }

    /// Whether `len` bytes whose SHA-256 is `digest`, as read back from a bundle, are this
    /// runner.
    pub fn check(&self, len: u64, digest: &[u8]) -> Result<(), PayloadError> {
        if len != self.len {
            return Err(PayloadError::Truncated);
        }
        if hex(digest) != self.sha256 {
            return Err(PayloadError::RunnerDamaged);
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A bundle as its executable finds itself at start-up: what it carries, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The payload.
    pub payload: Payload,
    /// The bundle's own file, from which the carried runner is extracted.
    pub path: PathBuf,
    /// Bytes of the CLI program at the front of the file: the carried runner follows them.
    pub program_len: u64,
}

/// One module of `versions/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundledModule {
    /// Its file name.
    pub file: String,
    /// Its source, byte for byte: the history's checksum is of this text.
    pub source: String,
}

/// Why the tail of an executable is not a payload this build can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// The trailer gives a body longer than what precedes it.
    Truncated,
    /// The body's digest differs from the trailer's.
    Damaged,
    /// The body is not a payload of this format.
    Unreadable(String),
    /// The carried runner's digest differs from the body's record of it.
    RunnerDamaged,
}

impl std::fmt::Display for PayloadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PayloadError::Truncated => f.write_str("its migrations are cut short (the file was truncated)"),
            PayloadError::Damaged => f.write_str("its migrations are damaged (their SHA-256 differs from the one recorded when it was bundled)"),
            PayloadError::Unreadable(why) => write!(f, "its migrations cannot be read by this build ({why})"),
            PayloadError::RunnerDamaged => f.write_str("the compiled migrations it carries are damaged (their SHA-256 differs from the one recorded when it was bundled)"),
        }
    }
}

impl Payload {
    /// A payload of `modules` and `snapshot` (the text of `snapshot.json`), with the reads of
    /// the modules, the project's run options, and the record of the runner program appended
    /// before the body, when there is one.
    pub fn new(
        migrations: String,
        modules: Vec<BundledModule>,
        (snapshot, head): (String, Option<String>),
        reads: BTreeMap<String, String>,
        options: RunOptions,
        runner: Option<CarriedRunner>,
    ) -> Payload {
        Payload {
            format: FORMAT,
            migrations,
            modules,
            snapshot,
            head,
            reads,
            lock_timeout_ms: options.lock_timeout_ms,
            statement_timeout_ms: options.statement_timeout_ms,
            runner,
        }
    }

    /// Bytes of the carried runner, which precede the body.
    pub fn runner_len(&self) -> u64 {
        self.runner.as_ref().map_or(0, |r| r.len)
    }

    /// Bytes of the program at the front of a bundle of `file_len` bytes that ends with
    /// `trailer` and this payload: what precedes the runner (when carried) and the body. An
    /// error when the two name more bytes than the file has.
    pub fn program_len(&self, file_len: u64, trailer: &Trailer) -> Result<u64, PayloadError> {
        file_len
            .checked_sub(trailer.appended_len())
            .and_then(|len| len.checked_sub(self.runner_len()))
            .ok_or(PayloadError::Truncated)
    }

    /// The run options it carries.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            lock_timeout_ms: self.lock_timeout_ms,
            statement_timeout_ms: self.statement_timeout_ms,
        }
    }

    /// The bytes to append to an executable (after the runner, when it carries one): the body
    /// and the trailer.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).expect("a payload always serialises");
        let digest = Sha256::digest(&bytes);
        let len = bytes.len() as u64;
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&digest);
        bytes.extend_from_slice(&MAGIC);
        bytes
    }

    /// The body whose `trailer` was read, after the digest is checked.
    pub fn decode(body: &[u8], trailer: &Trailer) -> Result<Payload, PayloadError> {
        if Sha256::digest(body).as_slice() != trailer.digest {
            return Err(PayloadError::Damaged);
        }
        let payload: Payload =
            serde_json::from_slice(body).map_err(|e| PayloadError::Unreadable(e.to_string()))?;
        if payload.format != FORMAT {
            return Err(PayloadError::Unreadable(format!(
                "format {}, this build reads {FORMAT}",
                payload.format
            )));
        }
        Ok(payload)
    }
}

/// The trailer of a bundle: where its body starts and the body's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trailer {
    /// The body's length.
    pub body_len: u64,
    /// SHA-256 of the body.
    pub digest: [u8; 32],
}

impl Trailer {
    /// The trailer of a file of `file_len` bytes whose last [`TRAILER_LEN`] bytes are `tail`;
    /// `None` when they do not end with [`MAGIC`] (a plain executable). A trailer naming more
    /// bytes than precede it is an error.
    pub fn read(tail: &[u8], file_len: u64) -> Result<Option<Trailer>, PayloadError> {
        if tail.len() != TRAILER_LEN || !tail.ends_with(&MAGIC) {
            return Ok(None);
        }
        let body_len = u64::from_le_bytes(tail[..8].try_into().expect("eight bytes"));
        if body_len > file_len.saturating_sub(TRAILER_LEN as u64) {
            return Err(PayloadError::Truncated);
        }
        Ok(Some(Trailer {
            body_len,
            digest: tail[8..40].try_into().expect("32 bytes"),
        }))
    }

    /// Bytes the body and the trailer take at the end of the file.
    pub fn appended_len(&self) -> u64 {
        self.body_len + TRAILER_LEN as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload::new(
            "db/migrations".into(),
            vec![
                BundledModule {
                    file: "20260101000000_users.rs".into(),
                    source: "pub const REVISION: &str = \"20260101000000\";\n// é \0 \"quoted\"\n"
                        .into(),
                },
                BundledModule {
                    file: "20260102000000_posts.rs".into(),
                    source: String::new(),
                },
            ],
            (
                "{\n  \"format\": 1\n}\n".into(),
                Some("20260102000000".into()),
            ),
            BTreeMap::from([("ab".to_string(), "{\"up\": []}".to_string())]),
            RunOptions {
                lock_timeout_ms: 2_000,
                statement_timeout_ms: 90_000,
            },
            None,
        )
    }

    /// The executable, the payload appended, read back as the CLI reads it: trailer first.
    fn read_back(file: &[u8]) -> Result<Option<Payload>, PayloadError> {
        Ok(read_layout(file)?.map(|(payload, _)| payload))
    }

    /// The payload and the length of the program in front of it (and of the runner).
    fn read_layout(file: &[u8]) -> Result<Option<(Payload, u64)>, PayloadError> {
        let tail = &file[file.len().saturating_sub(TRAILER_LEN)..];
        let Some(trailer) = Trailer::read(tail, file.len() as u64)? else {
            return Ok(None);
        };
        let end = file.len() - TRAILER_LEN;
        let body = &file[end - trailer.body_len as usize..end];
        let payload = Payload::decode(body, &trailer)?;
        let program_len = payload.program_len(file.len() as u64, &trailer)?;
        Ok(Some((payload, program_len)))
    }

    /// The runner's bytes as extraction reads them, checked against the body's record.
    fn extract(file: &[u8], payload: &Payload, program_len: u64) -> Result<Vec<u8>, PayloadError> {
        let runner = payload.runner.as_ref().expect("a runner is carried");
        let start = program_len as usize;
        let bytes = file[start..start + runner.len as usize].to_vec();
        runner.check(bytes.len() as u64, &Sha256::digest(&bytes))?;
        Ok(bytes)
    }

    fn with_runner(runner: &[u8]) -> Payload {
        Payload {
            runner: Some(CarriedRunner::of(runner)),
            reads: BTreeMap::new(),
            ..payload()
        }
    }

    #[test]
    fn a_payload_appended_to_an_executable_reads_back_whole() {
        let exe = b"\x7fELF pretend executable".to_vec();
        let mut file = exe.clone();
        file.extend(payload().encode());
        let read = read_back(&file).unwrap().unwrap();
        assert_eq!(read, payload());
        assert_eq!(read.run_options().lock_timeout_ms, 2_000);
        assert_eq!(read.run_options().statement_timeout_ms, 90_000);
        let tail = &file[file.len() - TRAILER_LEN..];
        let trailer = Trailer::read(tail, file.len() as u64).unwrap().unwrap();
        assert_eq!(
            file.len() as u64 - trailer.appended_len(),
            exe.len() as u64,
            "what precedes the payload is the executable, byte for byte"
        );
    }

    #[test]
    fn a_runner_between_the_executable_and_the_body_reads_back_whole() {
        let exe = b"\x7fELF pretend executable".to_vec();
        let runner = b"\x7fELF pretend runner \0\xff with \"migrate-bundle\" in it".to_vec();
        let carried = with_runner(&runner);
        let mut file = exe.clone();
        file.extend(&runner);
        file.extend(carried.encode());
        let (read, program_len) = read_layout(&file).unwrap().unwrap();
        assert_eq!(read, carried);
        assert_eq!(read.runner_len(), runner.len() as u64);
        assert_eq!(
            &file[..program_len as usize],
            &exe[..],
            "what precedes the runner is the executable, byte for byte"
        );
        assert_eq!(extract(&file, &read, program_len).unwrap(), runner);
        // A bundle written from this one copies the program alone.
        assert_eq!(program_len, exe.len() as u64);
    }

    #[test]
    fn a_damaged_runner_is_found_when_it_is_extracted() {
        let runner = vec![0x5a_u8; 300];
        let carried = with_runner(&runner);
        let mut file = b"exe".to_vec();
        file.extend(&runner);
        file.extend(carried.encode());
        // One flipped bit in the runner: the body still reads (its own digest holds), the
        // runner does not.
        let mut flipped = file.clone();
        flipped[3 + 150] ^= 1;
        let (read, program_len) = read_layout(&flipped).unwrap().unwrap();
        assert_eq!(
            extract(&flipped, &read, program_len),
            Err(PayloadError::RunnerDamaged)
        );
        assert!(PayloadError::RunnerDamaged
            .to_string()
            .contains("compiled migrations it carries are damaged"));
        // The front cut off through the runner: the body names more bytes than are left.
        let cut = file[100..].to_vec();
        assert_eq!(read_layout(&cut), Err(PayloadError::Truncated));
        // A record of another length is not this runner.
        let record = CarriedRunner::of(&runner);
        assert_eq!(
            record.check(299, &Sha256::digest(&runner[..299])),
            Err(PayloadError::Truncated)
        );
        assert_eq!(record.check(300, &Sha256::digest(&runner)), Ok(()));
    }

    #[test]
    fn a_body_of_the_format_before_runners_is_not_misread() {
        let mut old = serde_json::to_value(payload()).unwrap();
        old["format"] = 1.into();
        old.as_object_mut().unwrap().remove("runner");
        let body = serde_json::to_vec(&old).unwrap();
        let mut file = b"exe".to_vec();
        file.extend(&body);
        file.extend_from_slice(&(body.len() as u64).to_le_bytes());
        file.extend_from_slice(&Sha256::digest(&body));
        file.extend_from_slice(&MAGIC);
        assert_eq!(
            read_back(&file),
            Err(PayloadError::Unreadable(
                "format 1, this build reads 2".into()
            ))
        );
    }

    #[test]
    fn a_plain_executable_carries_no_payload() {
        assert_eq!(read_back(b"short"), Ok(None));
        assert_eq!(read_back(&[7u8; 4096]), Ok(None));
    }

    #[test]
    fn a_damaged_or_cut_payload_is_an_error_not_a_misreading() {
        let mut file = b"exe".to_vec();
        file.extend(payload().encode());
        let mut flipped = file.clone();
        flipped[10] ^= 1;
        assert_eq!(read_back(&flipped), Err(PayloadError::Damaged));
        // The front cut off: the trailer names more bytes than are left.
        let cut = file[40..].to_vec();
        assert_eq!(read_back(&cut), Err(PayloadError::Truncated));
        // A body of another format (same digest scheme).
        let foreign = br#"{"format":99}"#.to_vec();
        let mut file = foreign.clone();
        file.extend_from_slice(&(foreign.len() as u64).to_le_bytes());
        file.extend_from_slice(&Sha256::digest(&foreign));
        file.extend_from_slice(&MAGIC);
        assert!(matches!(read_back(&file), Err(PayloadError::Unreadable(_))));
    }
}
