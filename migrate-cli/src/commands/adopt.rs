//! `adopt [--models FILE]`: an existing Diesel project and its live database become the
//! starting point; the summary says what was written and what was left alone.

use std::path::Path;

use migrate_core::project::adopt::adopt as adopt_project;
use migrate_core::Error;

use crate::context::Context;

/// `adopt [--models FILE]`.
pub(crate) fn adopt(ctx: &Context, models: Option<&Path>) -> Result<u8, Error> {
    let adopted = adopt_project(&ctx.env, models)?;
    let masked = &adopted.url;
    ctx.say(format!(
        "Adopted {} table(s) from {masked}: {}",
        adopted.tables.len(),
        adopted.tables.join(", ")
    ));
    if !adopted.objects.is_empty() {
        ctx.say(format!(
            "Adopted {} object(s): {}",
            adopted.objects.len(),
            adopted.objects.join(", ")
        ));
    }
    for note in &adopted.left_alone {
        ctx.say(format!("  left alone: {note}"));
    }
    for note in &adopted.notes {
        ctx.say(format!("  note: {note}"));
    }
    let mut where_line = format!(
        "Created {} (migrations in {}/",
        ctx.show(&adopted.config),
        adopted.migrations
    );
    if let Some(schema_rs) = &adopted.schema_rs {
        where_line.push_str(&format!(", schema_rs {schema_rs}"));
    }
    where_line.push(')');
    ctx.say(where_line);
    ctx.say(format!(
        "Created {}, recorded as applied on {masked} without running it",
        ctx.show(&adopted.baseline)
    ));
    ctx.say(format!("Created {}", ctx.show(&adopted.snapshot)));
    if let Some((folder, files)) = &adopted.objects_folder {
        ctx.say(format!(
            "Created {}/ ({files} file(s), one per object: edit them and run `migrate`)",
            ctx.show(folder)
        ));
    }
    match &adopted.models {
        Some(models) => {
            ctx.say(format!(
                "Created {} ({} struct(s))",
                ctx.show(&models.path),
                models.structs
            ));
            if let Some(root) = &models.declared_in {
                let module = models
                    .path
                    .file_stem()
                    .unwrap_or_default()
                    .to_string_lossy();
                ctx.say(format!("Added `pub mod {module};` to {}", ctx.show(root)));
            } else if models.needs_declaring {
                ctx.say(format!(
                    "Declare {} as a module of the crate, so that `migrate` reads it",
                    ctx.show(&models.path)
                ));
            }
            if !models.crates.is_empty() {
                let mut line = format!(
                    "The models use {}: the crate needs them",
                    models.crates.join(", ")
                );
                if !models.core_features.is_empty() {
                    line.push_str(&format!(
                        ", and migrate-core the features {}",
                        models.core_features.join(", ")
                    ));
                }
                ctx.say(line);
            }
            if !models.diesel_features.is_empty() {
                ctx.say(format!(
                    "Diesel needs the features {} for these models",
                    models.diesel_features.join(", ")
                ));
            }
        }
        None => ctx.say(
            "Next: derive Model on your Diesel structs (with #[model(...)] where the schema needs it) until `migrate-cli migrate -m \"...\"` prints `No changes detected`",
        ),
    }
    Ok(0)
}
