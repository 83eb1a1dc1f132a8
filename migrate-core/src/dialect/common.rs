//! DDL shared by the server dialects, which both alter tables in place: the `CREATE TABLE`
//! body and the column definition, given how each backend spells types, keys and defaults.

use crate::error::{Error, Result};
use crate::migration::Operation;
use crate::schema::{Column, DefaultValue, Index, Schema, SqlType, Table};

/// What differs between the server dialects inside otherwise standard DDL.
pub(crate) trait ServerDdl {
    fn quote(&self, name: &str) -> String;
    fn literal(&self, text: &str) -> String;
    fn type_name(&self, ty: &SqlType) -> String;
    /// The clause that makes an integer key generated.
    fn auto_increment(&self) -> &'static str;
    fn bool_literal(&self, value: bool) -> &'static str;
    /// A SQL default expression as this backend wants it for `column`.
    fn default_expr(&self, expr: &str, _column: &Column) -> String {
        expr.to_string()
    }

    fn list(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|n| self.quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The column list of an index or unique constraint on `table`.
    fn key_list(&self, _table: &Table, names: &[String]) -> String {
        self.list(names)
    }

    fn default_sql(&self, default: &DefaultValue, column: &Column) -> String {
        match default {
            DefaultValue::Bool(b) => self.bool_literal(*b).to_string(),
            DefaultValue::Int(i) => i.to_string(),
            DefaultValue::Float(f) => f.clone(),
            DefaultValue::Text(s) => self.literal(s),
            DefaultValue::Sql(expr) => self.default_expr(expr, column),
        }
    }

    fn column_def(&self, table: &Table, column: &Column) -> String {
        let mut def = format!(
            "{} {}",
            self.quote(&column.name),
            self.type_name(&column.ty)
        );
        if !column.nullable {
            def.push_str(" NOT NULL");
        }
        if table.is_auto_increment_key(column) {
            def.push(' ');
            def.push_str(self.auto_increment());
        } else if let Some(default) = &column.default {
            def.push_str(" DEFAULT ");
            def.push_str(&self.default_sql(default, column));
        }
        def
    }

    fn create_table(&self, table: &Table) -> String {
        let mut parts: Vec<String> = table
            .columns
            .iter()
            .map(|c| self.column_def(table, c))
            .collect();
        if !table.primary_key.is_empty() {
            parts.push(format!(
                "PRIMARY KEY ({})",
                self.key_list(table, &table.primary_key)
            ));
        }
        for unique in &table.uniques {
            parts.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                self.quote(&unique.name),
                self.key_list(table, &unique.columns)
            ));
        }
        for fk in &table.foreign_keys {
            parts.push(self.foreign_key_clause(fk));
        }
        for check in &table.checks {
            parts.push(format!(
                "CONSTRAINT {} CHECK ({})",
                self.quote(&check.name),
                check.expr
            ));
        }
        format!(
            "CREATE TABLE {} (\n    {}\n)",
            self.quote(&table.name),
            parts.join(",\n    ")
        )
    }

    fn foreign_key_clause(&self, fk: &crate::schema::ForeignKey) -> String {
        let mut def = format!(
            "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
            self.quote(&fk.name),
            self.list(&fk.columns),
            self.quote(&fk.ref_table),
            self.list(&fk.ref_columns)
        );
        if fk.on_delete != Default::default() {
            def.push_str(" ON DELETE ");
            def.push_str(fk.on_delete.sql());
        }
        if fk.on_update != Default::default() {
            def.push_str(" ON UPDATE ");
            def.push_str(fk.on_update.sql());
        }
        def
    }

    /// The operations both servers render alike; `after` is the schema once `op` applied.
    fn render_shared(&self, op: &Operation, after: &Schema) -> Result<Vec<String>> {
        let q = |name: &str| self.quote(name);
        Ok(match op {
            Operation::CreateTable(table) => {
                let mut out = vec![self.create_table(table)];
                out.extend(table.indexes.iter().map(|i| self.create_index(table, i)));
                out
            }
            Operation::DropTable(name) => vec![format!("DROP TABLE {}", q(name))],
            Operation::DropColumn { table, column } => {
                vec![format!(
                    "ALTER TABLE {} DROP COLUMN {}",
                    q(table),
                    q(column)
                )]
            }
            Operation::CreateIndex { table, index } => {
                vec![self.create_index(table_in(after, table)?, index)]
            }
            Operation::Sql(sql) => vec![sql.clone()],
            // Run by the runner itself, between statements; nothing to render.
            Operation::Rust(_) | Operation::Irreversible(_) => Vec::new(),
            Operation::RenameColumn { table, from, to } => vec![format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                q(table),
                q(from),
                q(to)
            )],
            Operation::AddUnique { table, unique } => vec![format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
                q(table),
                q(&unique.name),
                self.key_list(table_in(after, table)?, &unique.columns)
            )],
            Operation::AddForeignKey { table, foreign_key } => {
                vec![format!(
                    "ALTER TABLE {} ADD {}",
                    q(table),
                    self.foreign_key_clause(foreign_key)
                )]
            }
            Operation::AddCheck { table, check } => vec![format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
                q(table),
                q(&check.name),
                check.expr
            )],
            other => {
                return Err(Error::Operation(format!(
                    "no rendering of {other:?} on this backend"
                )))
            }
        })
    }

    fn create_index(&self, table: &Table, index: &Index) -> String {
        format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            self.quote(&index.name),
            self.quote(&table.name),
            self.key_list(table, &index_key_names(index))
        )
    }
}

/// The names of an index's key columns. Until each backend renders the rich forms (order,
/// expressions, methods, ...), which `dialect::unsupported` refuses where a backend lacks them,
/// an index is rendered from these.
pub(crate) fn index_key_names(index: &Index) -> Vec<String> {
    index.column_names().map(str::to_string).collect()
}

/// The table `name` of `schema`, or an error naming it.
pub(crate) fn table_in<'a>(schema: &'a Schema, name: &str) -> Result<&'a Table> {
    schema
        .table(name)
        .ok_or_else(|| Error::Operation(format!("table `{name}` does not exist")))
}

/// Doubles the quote character inside an identifier and wraps it.
pub(crate) fn quote_with(name: &str, quote: char) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push(quote);
    for c in name.chars() {
        if c == quote {
            out.push(quote);
        }
        out.push(c);
    }
    out.push(quote);
    out
}
