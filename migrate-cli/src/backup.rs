//! `upgrade --backup`: a copy of the database taken before anything runs.

use std::process::Command as Process;

use migrate_core::connection::{connect, sqlite_path};
use migrate_core::dialect::Backend;
use migrate_core::error::mask_url;

use crate::commands::{now_secs, Context};
use crate::error::CliError;

fn stamp() -> String {
    let secs = now_secs();
    let (y, m, d) = migrate_core::runner::civil_from_days((secs / 86_400) as i64);
    let rem = secs % 86_400;
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Backs up the database of the context; prints the backup's path.
pub(crate) fn backup(ctx: &Context) -> Result<(), CliError> {
    let config = ctx.config()?;
    let url = ctx.database_url(Some(&config))?;
    let path = match Backend::from_url(&url)? {
        Backend::Sqlite => {
            let db = sqlite_path(&url);
            if !std::path::Path::new(db).is_file() {
                ctx.say(format!("No backup: {} does not exist yet", mask_url(&url)));
                return Ok(());
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
            let target = ctx
                .cwd
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
                CliError::new(format!(
                    "--backup of {} needs `{tool}`, which could not run ({e}); install it or back up by hand",
                    mask_url(&url)
                ))
            })?;
            if !status.success() {
                return Err(CliError::new(format!(
                    "{tool} failed; nothing was migrated"
                )));
            }
            target
        }
    };
    ctx.say(format!("Backed up {} to {path}", mask_url(&url)));
    Ok(())
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
