//! This executable's file as a bundle sees it: the program, and the migrations appended to it
//! by `migrate-cli bundle` (`migrate_core::project::payload`), read from its last bytes. The
//! runner program a bundle may carry is left where it is until a command needs it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use migrate_core::project::payload::{Bundle, Payload, Trailer, TRAILER_LEN};
use migrate_core::Error;

/// An executable file: how many of its bytes are the program itself, and the payload after
/// them when it is a bundle.
pub(crate) struct Executable {
    /// Bytes of the program, without a payload (or the runner a payload carries).
    pub(crate) program_len: u64,
    /// The migrations it carries.
    pub(crate) payload: Option<Payload>,
}

/// Reads the executable at `path`: its trailer, then (when there is one) the payload.
pub(crate) fn read_executable(path: &Path) -> Result<Executable, Error> {
    let io = |e| Error::io(path, e);
    let mut file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len < TRAILER_LEN as u64 {
        return Ok(Executable {
            program_len: len,
            payload: None,
        });
    }
    let mut tail = [0u8; TRAILER_LEN];
    file.seek(SeekFrom::End(-(TRAILER_LEN as i64)))
        .and_then(|_| file.read_exact(&mut tail))
        .map_err(io)?;
    let damaged = |e: migrate_core::project::payload::PayloadError| Error::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let Some(trailer) = Trailer::read(&tail, len).map_err(damaged)? else {
        return Ok(Executable {
            program_len: len,
            payload: None,
        });
    };
    let body_start = len - trailer.appended_len();
    let mut body = vec![0u8; trailer.body_len as usize];
    file.seek(SeekFrom::Start(body_start))
        .and_then(|_| file.read_exact(&mut body))
        .map_err(io)?;
    let payload = Payload::decode(&body, &trailer).map_err(damaged)?;
    let program_len = payload.program_len(len, &trailer).map_err(damaged)?;
    Ok(Executable {
        program_len,
        payload: Some(payload),
    })
}

/// The bundle this executable is: `Ok(None)` for the plain CLI (or when it cannot read
/// itself, which a plain CLI need not), an error when its payload is damaged.
pub(crate) fn own_bundle() -> Result<Option<Bundle>, Error> {
    let Ok(exe) = std::env::current_exe() else {
        return Ok(None);
    };
    match read_executable(&exe) {
        Ok(Executable {
            program_len,
            payload: Some(payload),
        }) => Ok(Some(Bundle {
            payload,
            path: exe,
            program_len,
        })),
        Ok(_) | Err(Error::Io { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}
