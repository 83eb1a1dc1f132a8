//! `squash [FROM] TO -m MSG`: one module in place of a run of migrations.

use migrate_core::project::squash;
use migrate_core::Error;

use crate::context::{count, Context};

/// `squash`.
pub(crate) fn squash(ctx: &Context, revisions: &[String], message: &str) -> Result<u8, Error> {
    let project = ctx.project()?;
    let (from, to) = match revisions {
        [to] => (None, to.as_str()),
        [from, to] => (Some(from.as_str()), to.as_str()),
        _ => unreachable!("clap takes one or two revisions"),
    };
    let squashed = squash::squash(&project, from, to, message)?;
    let (first, last) = (
        squashed.run.first().expect("two or more"),
        squashed.run.last().expect("two or more"),
    );
    ctx.say(format!(
        "Squashed {} migrations ({first} .. {last}) after {} into {}",
        squashed.run.len(),
        squashed.from.as_deref().unwrap_or("base"),
        ctx.show(&squashed.module)
    ));
    for change in &squashed.changes {
        ctx.say(format!("  {change}"));
    }
    let nested = squashed.replaces.len() - squashed.run.len();
    if nested > 0 {
        ctx.say(format!(
            "  It also replaces the {} the squashed migrations among them replace",
            count(nested, "revision")
        ));
    }
    for (revision, file) in &squashed.carried {
        ctx.say(format!(
            "  = {file} (revision {revision}) carried over as written: it has data steps"
        ));
    }
    if let Some(path) = &squashed.snapshot {
        ctx.say(format!(
            "Moved the head of {} to {}",
            ctx.show(path),
            squashed.revision
        ));
    }
    ctx.say(format!(
        "Databases that applied none of them apply {}; those that applied all of them count it as applied; once every database is past {last}, the replaced files can be deleted",
        squashed.revision
    ));
    Ok(0)
}
