//! `current`, `history`, `heads` and `show`: where things stand, from the files and the
//! history, with no compile.

use migrate_core::project::status;
use migrate_core::Error;

use crate::context::Context;

/// `current [--json]`.
pub(crate) fn current(ctx: &Context, json: bool) -> Result<u8, Error> {
    let project = ctx.project()?;
    let current = status::current(&project)?;
    if json {
        println!(
            "{}",
            serde_json::json!({"revision": current.revision, "head": current.head})
        );
        return Ok(0);
    }
    match current.revision {
        Some(rev) if current.head => println!("{rev} (head)"),
        Some(rev) => println!("{rev}"),
        None => println!("base (no migration applied)"),
    }
    Ok(0)
}

/// `history [--json]`: the migrations, oldest first, with what the database has applied.
pub(crate) fn history(ctx: &Context, json: bool) -> Result<u8, Error> {
    let project = ctx.project()?;
    let history = status::history(&project)?;
    let entries = history.entries();
    if json {
        let items: Vec<serde_json::Value> = entries
            .iter()
            .map(|e| {
                serde_json::json!({
                    "revision": e.file.revision,
                    "revises": e.file.revises,
                    "message": e.file.message,
                    "file": ctx.show(&e.file.path),
                    "head": e.head,
                    "applied": e.applied,
                    "replaces": e.file.replaces,
                    "replaced_by": e.replaced_by,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(items));
        return Ok(0);
    }
    // An original whose squash the database applied is not pending: it never runs there.
    let applied: Vec<&str> = entries
        .iter()
        .filter(|e| e.applied == Some(true))
        .map(|e| e.file.revision.as_str())
        .collect();
    for e in &entries {
        let state = match e.applied {
            Some(true) => "applied",
            Some(false) if e.replaced_by.is_some_and(|s| applied.contains(&s)) => "replaced",
            Some(false) => "pending",
            None => "",
        };
        let head = match (e.head, e.replaced_by) {
            (true, _) => " (head)".to_string(),
            (false, Some(squash)) => format!(" (replaced by {squash})"),
            (false, None) => String::new(),
        };
        let revises = if e.file.revises.is_empty() {
            "base".to_string()
        } else {
            e.file.revises.join(", ")
        };
        println!(
            "{revises} -> {}{head}  {state:<8} {}  [{}]",
            e.file.revision,
            e.file.message,
            ctx.show(&e.file.path)
        );
    }
    Ok(0)
}

/// `heads [--json]`.
pub(crate) fn heads(ctx: &Context, json: bool) -> Result<u8, Error> {
    let project = ctx.project()?;
    let heads = status::heads(&project)?;
    if json {
        let items: Vec<serde_json::Value> = heads
            .iter()
            .map(|m| serde_json::json!({"revision": m.revision, "message": m.message, "file": ctx.show(&m.path)}))
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

/// `show REV [--json]`: the module, as written.
pub(crate) fn show(ctx: &Context, revision: &str, json: bool) -> Result<u8, Error> {
    let project = ctx.project()?;
    let m = status::show(&project, revision)?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "revision": m.revision,
                "revises": m.revises,
                "message": m.message,
                "file": ctx.show(&m.path),
                "source": m.source,
            })
        );
    } else {
        print!("{}", m.source);
    }
    Ok(0)
}
