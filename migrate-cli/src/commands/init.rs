//! `init`.

use std::path::PathBuf;

use migrate_core::project::init::init as init_project;
use migrate_core::Error;

use crate::context::Context;

/// `init [DIR]`.
pub(crate) fn init(ctx: &Context, dir: Option<PathBuf>) -> Result<u8, Error> {
    let created = init_project(&ctx.env, &dir.unwrap_or_default())?;
    if let Some(config) = &created.config {
        ctx.say(format!("Created {}", ctx.show(config)));
    }
    ctx.say(format!(
        "Created {} and {}",
        ctx.show(&created.versions),
        ctx.show(&created.snapshot)
    ));
    Ok(0)
}
