//! `remove`: takes back the newest migration before any database has applied it.

use migrate_core::project::remove;
use migrate_core::Error;

use crate::context::Context;

/// `remove`.
pub(crate) fn remove(ctx: &Context) -> Result<u8, Error> {
    let project = ctx.project()?;
    let removed = remove::remove(&project)?;
    ctx.say(format!(
        "Removed {} ({}): {}",
        removed.revision,
        removed.message,
        ctx.show(&removed.module)
    ));
    let head = removed.head.as_deref().unwrap_or("base");
    ctx.say(format!(
        "Restored {} to {head}",
        ctx.show(&removed.snapshot)
    ));
    if let Some(path) = &removed.schema_rs {
        ctx.say(format!("Restored {} to {head}", ctx.show(path)));
    }
    Ok(0)
}
