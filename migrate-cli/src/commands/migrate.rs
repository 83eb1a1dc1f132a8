//! `migrate` and `merge`: new migration modules. `migrate` asks about renames in a terminal.

use std::io::IsTerminal as _;

use migrate_core::diff::ColumnRename;
use migrate_core::project::migrate::{self, MigrateOptions};
use migrate_core::schema::Schema;
use migrate_core::Error;

use crate::context::{styled_change, styled_finding, Context};

/// `migrate -m MSG [--empty] [--dry-run] [--compiled]`.
pub(crate) fn migrate(
    ctx: &Context,
    message: &str,
    empty: bool,
    dry_run: bool,
    compiled: bool,
) -> Result<u8, Error> {
    let project = ctx.project()?;
    let mut planning = migrate::plan(
        &project,
        MigrateOptions {
            message,
            empty,
            compiled,
        },
    )?;
    if let Some(e) = planning.renames_unread() {
        eprintln!(
            "warning: `renamed_from` could not be read from the source, so no rename is planned; a drop below may be a rename:\n{e}"
        );
    }
    if !planning.rename_suggestions().is_empty() && std::io::stdin().is_terminal() {
        let confirmed = confirm_renames(
            planning.rename_suggestions(),
            planning.target(),
            &mut std::io::stdin().lock(),
            &mut std::io::stdout(),
        );
        planning = planning.confirm_renames(confirmed)?;
    }
    if planning.no_changes() {
        ctx.say("No changes detected");
        return Ok(0);
    }
    let draft = planning.draft(&project);
    if !ctx.quiet {
        for change in &draft.plan.changes {
            anstream::println!("{}", styled_change(change));
        }
        if let Some((backend, findings)) = &draft.locks {
            if !findings.is_empty() {
                println!("On {backend}:");
                for finding in findings {
                    anstream::println!("{}", styled_finding(finding));
                }
            }
        }
    }
    if dry_run {
        ctx.say(format!(
            "Would write {} (dry run, nothing written):\n",
            ctx.show(&draft.module.path)
        ));
        print!("{}", draft.module.text);
        return Ok(0);
    }
    let written = draft.write()?;
    if let Some(path) = &written.schema_rs {
        ctx.say(format!("Rewrote {}", ctx.show(path)));
    }
    ctx.say(format!("Generated {}", ctx.show(&written.module)));
    Ok(0)
}

/// Asks about each suggested rename, as Django does; the ones answered with `y`.
fn confirm_renames(
    suggestions: &[ColumnRename],
    target: &Schema,
    input: &mut dyn std::io::BufRead,
    output: &mut dyn std::io::Write,
) -> Vec<ColumnRename> {
    let mut confirmed = Vec::new();
    for suggestion in suggestions {
        let ty = target
            .table(&suggestion.table)
            .and_then(|t| t.column(&suggestion.to))
            .map(|c| c.ty.to_string())
            .unwrap_or_default();
        let _ = write!(
            output,
            "Did you rename {t}.{} to {t}.{} ({ty})? [y/N] ",
            suggestion.from,
            suggestion.to,
            t = suggestion.table
        );
        let _ = output.flush();
        let mut answer = String::new();
        if input.read_line(&mut answer).unwrap_or(0) == 0 {
            break;
        }
        if answer.trim_start().to_ascii_lowercase().starts_with('y') {
            confirmed.push(suggestion.clone());
        }
    }
    confirmed
}

/// `merge -m MSG`.
pub(crate) fn merge(ctx: &Context, message: &str) -> Result<u8, Error> {
    let project = ctx.project()?;
    let merged = migrate::merge(&project, message)?;
    ctx.say(format!(
        "Merged heads {} into {}",
        merged.heads.join(", "),
        merged.revision
    ));
    ctx.say(format!("Generated {}", ctx.show(&merged.module)));
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rename_questions_name_the_columns_and_default_to_no() {
        use migrate_core::schema::{Column, SqlType, Table};
        let mut posts = Table::new("posts");
        posts.columns.push(Column::new("content", SqlType::Text));
        posts.columns.push(Column::new("summary", SqlType::Text));
        let target = Schema::new(vec![posts]);
        let suggestion = |from: &str, to: &str| ColumnRename {
            table: "posts".into(),
            from: from.into(),
            to: to.into(),
        };
        let suggestions = [suggestion("body", "content"), suggestion("lede", "summary")];
        let mut output = Vec::new();
        let confirmed =
            confirm_renames(&suggestions, &target, &mut "y\n\n".as_bytes(), &mut output);
        assert_eq!(confirmed, [suggestion("body", "content")]);
        assert_eq!(
            String::from_utf8(output).unwrap(),
            "Did you rename posts.body to posts.content (text)? [y/N] \
             Did you rename posts.lede to posts.summary (text)? [y/N] "
        );
    }
}
