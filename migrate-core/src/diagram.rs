//! A Mermaid `erDiagram` of a schema, for pull requests: GitHub and GitLab render it inline.

use std::fmt::Write;

use crate::schema::{Schema, SqlType};

/// Mermaid's attribute types allow letters, digits, `_`, `-`, parentheses and brackets.
fn mermaid_type(ty: &SqlType) -> String {
    ty.to_string()
        .chars()
        .map(|c| match c {
            ',' => '-',
            c if c.is_ascii_alphanumeric() || "_-()[]".contains(c) => c,
            _ => '_',
        })
        .collect()
}

/// The diagram: one entity per table with its columns (PK, FK and UK marked), one relationship
/// per foreign key (optional when its columns are nullable).
pub fn render_mermaid(schema: &Schema) -> String {
    let mut out = String::from("erDiagram\n");
    for table in &schema.tables {
        let _ = writeln!(out, "    {} {{", table.name);
        for column in &table.columns {
            let mut keys = Vec::new();
            if table.primary_key.contains(&column.name) {
                keys.push("PK");
            }
            if table
                .foreign_keys
                .iter()
                .any(|f| f.columns.contains(&column.name))
            {
                keys.push("FK");
            }
            if table
                .uniques
                .iter()
                .any(|u| u.columns == [column.name.clone()])
            {
                keys.push("UK");
            }
            let keys = if keys.is_empty() {
                String::new()
            } else {
                format!(" {}", keys.join(", "))
            };
            let null = if column.nullable { " \"nullable\"" } else { "" };
            let _ = writeln!(
                out,
                "        {} {}{keys}{null}",
                mermaid_type(&column.ty),
                column.name
            );
        }
        out.push_str("    }\n");
    }
    for table in &schema.tables {
        for fk in &table.foreign_keys {
            let optional = fk
                .columns
                .iter()
                .any(|c| table.column(c).is_some_and(|c| c.nullable));
            let left = if optional { "|o" } else { "||" };
            let _ = writeln!(
                out,
                "    {} {left}--o{{ {} : \"{}\"",
                fk.ref_table, table.name, fk.name
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn blog_diagram() {
        let schema = crate::codegen::tests::blog_schema();
        insta::assert_snapshot!(super::render_mermaid(&schema));
    }
}
