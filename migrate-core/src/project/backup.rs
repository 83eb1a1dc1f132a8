//! `upgrade --backup`: a copy of the database taken before anything runs.

use std::path::Path;
use std::process::Command as Process;

use super::clock;
use crate::connection::{connect, sqlite_path};
use crate::dialect::Backend;
use crate::error::{mask_url, Error, Result};

fn stamp() -> String {
    clock::file_stamp(chrono::Utc::now())
}

/// What `--backup` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backup {
    /// The SQLite file does not exist yet: nothing to back up.
    NoDatabaseYet,
    /// The backup's path.
    Written(String),
}

/// Backs up the database at `url` (a server's dump lands in `dir`).
pub fn backup(url: &str, dir: &Path) -> Result<Backup> {
    let url = url.to_string();
    let path = match Backend::from_url(&url)? {
        Backend::Sqlite => {
            let db = sqlite_path(&url);
            if !std::path::Path::new(db).is_file() {
                return Ok(Backup::NoDatabaseYet);
            }
            let target = format!("{db}.backup-{}", stamp());
            let mut conn = connect(&url)?;
            conn.execute(&format!("VACUUM INTO '{}'", target.replace('\'', "''")))?;
            target
        }
        backend => {
            let (tool, name) = match backend {
                Backend::Postgres => ("pg_dump", "postgres"),
                _ => ("mysqldump", "mysql"),
            };
            let target = dir
                .join(format!("{name}-backup-{}.sql", stamp()))
                .display()
                .to_string();
            let mut command = Process::new(tool);
            if backend == Backend::Postgres {
                command.args(["--dbname", &url, "--file", &target]);
            } else {
                let (user, password, host, port, db) = mysql_parts(&url);
                command.args([
                    "-u",
                    &user,
                    "-h",
                    &host,
                    "-P",
                    &port,
                    "--result-file",
                    &target,
                    &db,
                ]);
                if !password.is_empty() {
                    command.env("MYSQL_PWD", password);
                }
            }
            let status = command.status().map_err(|e| {
                Error::Project(format!(
                    "--backup of {} needs `{tool}`, which could not run ({e}); install it or back up by hand",
                    mask_url(&url)
                ))
            })?;
            if !status.success() {
                return Err(Error::Project(format!(
                    "{tool} failed; nothing was migrated"
                )));
            }
            target
        }
    };
    Ok(Backup::Written(path))
}

/// user, password, host, port, database of a `mysql://` URL.
fn mysql_parts(url: &str) -> (String, String, String, String, String) {
    let rest = url.split_once("://").map(|x| x.1).unwrap_or(url);
    let (auth, hostdb) = rest.rsplit_once('@').unwrap_or(("root", rest));
    let (user, password) = auth.split_once(':').unwrap_or((auth, ""));
    let (hostport, db) = hostdb.split_once('/').unwrap_or((hostdb, ""));
    let db = db.split('?').next().unwrap_or_default();
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    (
        user.into(),
        password.into(),
        host.into(),
        port.into(),
        db.into(),
    )
}
