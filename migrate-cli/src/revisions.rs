//! The revision graph as the files tell it: `heads`, `show`, `merge`, and `history --json`.
//! None of these needs a compile; they read the header constants of the modules.

use std::collections::BTreeSet;
use std::process::{Command as Process, Stdio};

use migrate_core::codegen::{render_module, slug, ModuleHeader};
use migrate_core::snapshot::{write_atomic, Snapshot};

use crate::commands::{modules, next_revision, now_secs, rustfmt, Context, ModuleInfo};
use crate::error::CliError;
use crate::programs;

/// Revisions that no other revision revises, oldest first.
pub(crate) fn heads(all: &[ModuleInfo]) -> Vec<&ModuleInfo> {
    let revised: BTreeSet<&str> = all
        .iter()
        .flat_map(|m| m.revises.iter().map(String::as_str))
        .collect();
    all.iter()
        .filter(|m| !revised.contains(m.revision.as_str()))
        .collect()
}

/// `heads [--json]`.
pub(crate) fn heads_command(ctx: &Context, json: bool) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let all = modules(&config)?;
    let heads = heads(&all);
    if json {
        let items: Vec<serde_json::Value> = heads
            .iter()
            .map(|m| serde_json::json!({"revision": m.revision, "message": m.message, "file": ctx.show(&m.file)}))
            .collect();
        println!("{}", serde_json::Value::Array(items));
        return Ok(0);
    }
    if heads.is_empty() {
        ctx.say("No migrations yet");
    }
    for m in heads {
        println!("{} {} (head)", m.revision, m.message);
    }
    Ok(0)
}

/// Finds one module by full revision or unique prefix.
pub(crate) fn resolve<'a>(all: &'a [ModuleInfo], text: &str) -> Result<&'a ModuleInfo, CliError> {
    let found: Vec<&ModuleInfo> = all
        .iter()
        .filter(|m| m.revision.starts_with(text))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::new(format!(
            "no migration has a revision starting with `{text}`"
        ))),
        many => Err(CliError::new(format!(
            "`{text}` is ambiguous: it starts revisions {}",
            many.iter()
                .map(|m| m.revision.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// `show REV`: the module, as written.
pub(crate) fn show(ctx: &Context, revision: &str, json: bool) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let all = modules(&config)?;
    let m = resolve(&all, revision)?;
    let source = std::fs::read_to_string(&m.file)
        .map_err(|e| CliError::new(format!("{}: {e}", m.file.display())))?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "revision": m.revision,
                "revises": m.revises,
                "message": m.message,
                "file": ctx.show(&m.file),
                "source": source,
            })
        );
    } else {
        print!("{source}");
    }
    Ok(0)
}

/// `history --json`.
pub(crate) fn history_json(
    ctx: &Context,
    all: &[ModuleInfo],
    applied: Option<&[String]>,
    head: Option<&str>,
) {
    let items: Vec<serde_json::Value> = all
        .iter()
        .map(|m| {
            serde_json::json!({
                "revision": m.revision,
                "revises": m.revises,
                "message": m.message,
                "file": ctx.show(&m.file),
                "head": head == Some(m.revision.as_str()),
                "applied": applied.map(|list| list.contains(&m.revision)),
            })
        })
        .collect();
    println!("{}", serde_json::Value::Array(items));
}

/// `merge -m MSG`: one module that revises every head, with nothing to do, and the snapshot of
/// the merged schema (every migration replayed) at the new head.
pub(crate) fn merge(ctx: &Context, message: &str) -> Result<u8, CliError> {
    let config = ctx.config()?;
    let all = modules(&config)?;
    let heads = heads(&all);
    if heads.len() < 2 {
        return Err(CliError::new(format!(
            "nothing to merge: {} has {} head(s)",
            ctx.show(&config.versions_dir()),
            heads.len()
        )));
    }
    let revisions: Vec<String> = all.iter().map(|m| m.revision.clone()).collect();
    let revision = next_revision(&revisions);
    let header = ModuleHeader {
        revision: revision.clone(),
        revises: heads.iter().map(|m| m.revision.clone()).collect(),
        message: message.to_string(),
        created: migrate_core::runner::format_unix(now_secs(), "-", " ", " UTC"),
    };
    let module = rustfmt(render_module(&header, &[], &[], &[]));
    let file = config
        .versions_dir()
        .join(format!("{revision}_{}.rs", slug(message)));
    write_atomic(&file, module.as_bytes())?;

    // The merged schema is what replaying every migration gives; if that fails the merge
    // module goes again, so nothing is half-written.
    let replayed = (|| -> Result<Snapshot, CliError> {
        let binary = programs::build_runner(&config, "sqlite", !ctx.verbose)?;
        let output = Process::new(&binary)
            .arg("schema")
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| CliError::new(format!("{}: {e}", binary.display())))?;
        if !output.status.success() {
            return Err(CliError::new(
                "the merged migrations do not replay (error above)",
            ));
        }
        Ok(Snapshot::from_json(
            &String::from_utf8_lossy(&output.stdout),
            &binary,
        )?)
    })();
    let snapshot = match replayed {
        Ok(s) => Snapshot::new(Some(revision.clone()), s.schema()),
        Err(e) => {
            let _ = std::fs::remove_file(&file);
            return Err(e);
        }
    };
    snapshot.write(&config.snapshot_path())?;
    ctx.say(format!(
        "Merged heads {} into {revision}",
        header.revises.join(", ")
    ));
    ctx.say(format!("Generated {}", ctx.show(&file)));
    Ok(0)
}
