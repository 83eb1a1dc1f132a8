//! `bundle -o PATH`: a copy of this executable with the project's migrations appended (after
//! their compiled runner program, when a module must be compiled), written all at once (a
//! temporary file beside PATH, renamed over it), executable.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use migrate_core::project::bundle;
use migrate_core::Error;

use crate::context::Context;

/// `bundle -o PATH`.
pub(crate) fn bundle(ctx: &Context, output: &Path) -> Result<u8, Error> {
    let project = ctx.project()?;
    // Compiling the runner with every backend takes minutes the first time, with cargo quiet.
    let contents = bundle::contents(&project, |file| {
        ctx.say(format!(
            "Compiling the migrations ({file} holds Rust code) with every backend of this build; the first time takes a few minutes"
        ))
    })?;
    let payload = &contents.payload;
    let exe = std::env::current_exe()
        .map_err(|e| Error::Project(format!("cannot find this executable to copy it: {e}")))?;
    // The program alone, should this executable already carry migrations.
    let program_len = crate::executable::read_executable(&exe)?.program_len;
    let runner = contents.runner.as_deref().unwrap_or_default();
    let appended = payload.encode();
    write_bundle(&exe, program_len, &[runner, &appended], output)?;
    let size = program_len + runner.len() as u64 + appended.len() as u64;
    let head = payload.head.as_deref().unwrap_or("base");
    ctx.say(format!(
        "Wrote {} ({:.1} MB): {} of {} (head {head}), for {}",
        ctx.show(&ctx.env.cwd.join(output)),
        size as f64 / 1e6,
        crate::context::count(payload.modules.len(), "migration"),
        ctx.show(&project.config.versions_dir()),
        backends()
    ));
    if contents.runner.is_some() {
        ctx.say(format!(
            "Rust code in the migrations: it carries them compiled ({:.1} MB), and runs them from a temporary file (in TMPDIR, else /tmp)",
            runner.len() as f64 / 1e6
        ));
    }
    ctx.say(format!(
        "Run it where the database is: {} --database-url URL upgrade",
        shown_command(output)
    ));
    Ok(0)
}

/// The backends this build drives, which its bundles drive too.
fn backends() -> String {
    let names: Vec<&str> = [
        (cfg!(feature = "sqlite"), "SQLite"),
        (cfg!(feature = "postgres"), "PostgreSQL"),
        (cfg!(feature = "mysql"), "MySQL/MariaDB"),
    ]
    .into_iter()
    .filter_map(|(built, name)| built.then_some(name))
    .collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => "no backend".into(),
    }
}

/// How to run the file at `path` from here: `./name` for a bare name.
fn shown_command(path: &Path) -> String {
    if path.components().count() == 1 {
        format!("./{}", path.display())
    } else {
        path.display().to_string()
    }
}

/// Writes the first `program_len` bytes of `exe` and each of `appended` to a temporary file
/// beside `output`, makes it executable, and renames it over `output`: a reader never sees half
/// a bundle, and a failure leaves what was at `output` as it was.
fn write_bundle(
    exe: &Path,
    program_len: u64,
    appended: &[&[u8]],
    output: &Path,
) -> Result<(), Error> {
    let name = output
        .file_name()
        .ok_or_else(|| Error::Project(format!("{} names no file", output.display())))?;
    let part = output.with_file_name(format!(
        ".{}.{}.part",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| -> std::io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o755);
        let mut to = options.open(&part)?;
        let copied = std::io::copy(&mut File::open(exe)?.take(program_len), &mut to)?;
        if copied != program_len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("{} changed while it was copied", exe.display()),
            ));
        }
        for part in appended {
            to.write_all(part)?;
        }
        // The mode given at creation is narrowed by the umask; the file is for running.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            to.set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
        to.sync_all()?;
        std::fs::rename(&part, output)
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Error::io(output, e)
    })
}
