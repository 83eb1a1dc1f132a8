//! `inspect`, `schema` and `diagram`: views of a schema for people and tools.

use migrate_core::project::live;
use migrate_core::snapshot::Snapshot;
use migrate_core::Error;

use crate::context::Context;

/// `inspect [--json]`: the live schema.
pub(crate) fn inspect(ctx: &Context, json: bool) -> Result<u8, Error> {
    let project = ctx.project().ok();
    let (_, schema) = live::live_schema(&ctx.env, project.as_ref().map(|p| &p.config))?;
    if json {
        print!("{}", Snapshot::new(None, schema).to_json());
        return Ok(0);
    }
    for table in &schema.tables {
        println!("table {}", table.name);
        for column in &table.columns {
            let mut line = format!(
                "  {} {} {}",
                column.name,
                column.ty,
                if column.nullable { "NULL" } else { "NOT NULL" }
            );
            if table.primary_key.contains(&column.name) {
                line.push_str(" primary key");
            }
            if column.auto_increment {
                line.push_str(" auto_increment");
            }
            if let Some(default) = &column.default {
                line.push_str(&format!(" default {default}"));
            }
            println!("{line}");
        }
        for index in &table.indexes {
            let kind = if index.unique {
                "unique index"
            } else {
                "index"
            };
            let columns: Vec<String> = index.columns.iter().map(ToString::to_string).collect();
            println!("  {kind} {} ({})", index.name, columns.join(", "));
        }
        for unique in &table.uniques {
            println!("  unique {} ({})", unique.name, unique.columns.join(", "));
        }
        for fk in &table.foreign_keys {
            println!(
                "  foreign key {} ({}) -> {} ({})",
                fk.name,
                fk.columns.join(", "),
                fk.ref_table,
                fk.ref_columns.join(", ")
            );
        }
        for check in &table.checks {
            println!("  check {} ({})", check.name, check.expr);
        }
    }
    for object in &schema.objects {
        println!("{}", object.key());
    }
    Ok(0)
}

/// `schema`: Diesel `table!` definitions of the migrated database.
pub(crate) fn schema(
    ctx: &Context,
    with_docs: bool,
    with_docs_config: Option<&str>,
) -> Result<u8, Error> {
    use migrate_core::diesel_schema::DocComments;
    let docs = match (with_docs, with_docs_config) {
        // clap accepts only the names `from_name` knows.
        (_, Some(name)) => DocComments::from_name(name).unwrap_or_default(),
        (true, None) => DocComments::FallbackToGenerated,
        (false, None) => DocComments::None,
    };
    let project = ctx.project().ok();
    print!(
        "{}",
        live::schema_rs(&ctx.env, project.as_ref().map(|p| &p.config), docs)?
    );
    Ok(0)
}

/// `diagram`: a Mermaid `erDiagram` of the snapshot.
pub(crate) fn diagram(ctx: &Context) -> Result<u8, Error> {
    let project = ctx.project()?;
    print!(
        "{}",
        migrate_core::diagram::render_mermaid(&project.snapshot()?.schema())
    );
    Ok(0)
}
