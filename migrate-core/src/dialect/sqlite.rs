//! SQLite: `ALTER TABLE` where it can, the documented table rebuild where it cannot.

use super::common::{quote_with, table_in};
use super::enums;
use super::{Backend, Dialect, HISTORY_TABLE};
use crate::error::Result;
use crate::introspect::is_rowid_type;
use crate::migration::Operation;
use crate::schema::{
    Column, DefaultValue, Identity, Index, IndexTarget, Schema, SqlType, Table, TableOptions,
};

/// The SQLite dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn quote(&self, name: &str) -> String {
        quote_with(name, '"')
    }

    fn render(&self, op: &Operation, before: &Schema, after: &Schema) -> Result<Vec<String>> {
        super::check_supported(Backend::Sqlite, op, after)?;
        check_placement(op, after)?;
        if before.enums.is_empty() && after.enums.is_empty() {
            return self.render_spelled(op, before, after);
        }
        let spell = |c: &Column, values: &[String]| self.enum_type(c, values);
        let spelled_before = enums::spell_schema(before, &spell);
        let spelled_after = enums::spell_schema(after, &spell);
        match op {
            // A SQLite enum lives in the CHECK of its columns: nothing to create or drop.
            Operation::CreateEnum(_) | Operation::DropEnum(_) => Ok(Vec::new()),
            Operation::AlterEnum { name, .. } | Operation::RenameEnumValue { name, .. } => {
                let mut out = Vec::new();
                if let Operation::RenameEnumValue { from, to, .. } = op {
                    // The old CHECK would refuse the new value: the rows are renamed with checks
                    // off, and the rebuild below checks every row against the new one.
                    out.push("PRAGMA ignore_check_constraints = ON".to_string());
                    for (table, column) in after.enum_users(name) {
                        out.push(format!(
                            "UPDATE {t} SET {c} = {} WHERE {c} = {}",
                            self.literal(to),
                            self.literal(from),
                            t = self.quote(&table.name),
                            c = self.quote(&column.name)
                        ));
                    }
                    out.push("PRAGMA ignore_check_constraints = OFF".to_string());
                }
                let mut tables: Vec<&str> = after
                    .enum_users(name)
                    .into_iter()
                    .map(|(t, _)| t.name.as_str())
                    .collect();
                tables.dedup();
                for table in tables {
                    out.extend(self.rebuild_in(
                        table_in(&spelled_before, table)?,
                        table_in(&spelled_after, table)?,
                        after,
                    ));
                }
                Ok(out)
            }
            _ => self.render_spelled(
                &enums::spell_operation(op, after, &spell),
                &spelled_before,
                &spelled_after,
            ),
        }
    }

    fn create_history_table(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (\n    \
             revision TEXT NOT NULL PRIMARY KEY,\n    \
             message TEXT NOT NULL,\n    \
             checksum TEXT NOT NULL,\n    \
             applied_at TEXT NOT NULL,\n    \
             duration_ms BIGINT NOT NULL,\n    \
             state TEXT NOT NULL\n)"
        )
    }
}

impl SqliteDialect {
    /// An enum column: text with a CHECK of the values (NULL passes a CHECK, so a nullable
    /// column needs nothing more).
    fn enum_type(&self, column: &Column, values: &[String]) -> String {
        let values: Vec<String> = values.iter().map(|v| self.literal(v)).collect();
        format!(
            "TEXT CHECK ({} IN ({}))",
            self.quote(&column.name),
            values.join(", ")
        )
    }

    fn render_spelled(
        &self,
        op: &Operation,
        before: &Schema,
        after: &Schema,
    ) -> Result<Vec<String>> {
        Ok(match op {
            Operation::CreateTable(table) => {
                let mut out = vec![self.create_table(table, &table.name)];
                out.extend(
                    table
                        .indexes
                        .iter()
                        .map(|i| self.create_index(&table.name, i)),
                );
                out
            }
            Operation::DropTable(name) => vec![format!("DROP TABLE {}", self.quote(name))],
            Operation::AddColumn { table, column } => {
                let after_table = table_in(after, table)?;
                if self.can_add_in_place(after_table, column) {
                    vec![format!(
                        "ALTER TABLE {} ADD COLUMN {}",
                        self.quote(table),
                        self.column_def(after_table, column)
                    )]
                } else {
                    self.rebuild_in(table_in(before, table)?, after_table, after)
                }
            }
            Operation::DropColumn { table, column } => {
                let before_table = table_in(before, table)?;
                if is_constrained(before_table, column) {
                    self.rebuild_in(before_table, table_in(after, table)?, after)
                } else {
                    vec![format!(
                        "ALTER TABLE {} DROP COLUMN {}",
                        self.quote(table),
                        self.quote(column)
                    )]
                }
            }
            Operation::CreateIndex { table, index } => vec![self.create_index(table, index)],
            Operation::DropIndex { name, .. } => vec![format!("DROP INDEX {}", self.quote(name))],
            Operation::Sql(sql) => vec![sql.clone()],
            // Run by the runner itself, between statements; nothing to render. Enum types
            // reach here only through `render`, which spells them out.
            Operation::Rust(_)
            | Operation::Irreversible(_)
            | Operation::CreateEnum(_)
            | Operation::DropEnum(_)
            | Operation::AlterEnum { .. }
            | Operation::RenameEnumValue { .. } => Vec::new(),
            Operation::RenameTable { from, to } => vec![format!(
                "ALTER TABLE {} RENAME TO {}",
                self.quote(from),
                self.quote(to)
            )],
            Operation::RenameColumn { table, from, to } => {
                let mut out = vec![format!(
                    "ALTER TABLE {} RENAME COLUMN {} TO {}",
                    self.quote(table),
                    self.quote(from),
                    self.quote(to)
                )];
                // SQLite rewrites a check that names the column, quoting the new name or not
                // depending on its version; a rebuild writes the check as the schema holds it.
                let before_table = table_in(before, table)?;
                let after_table = table_in(after, table)?;
                if before_table.checks != after_table.checks {
                    out.extend(self.rebuild_in(after_table, after_table, after));
                }
                out
            }
            Operation::AlterColumn { table, column } => {
                let before_table = table_in(before, table)?;
                let mut out = Vec::new();
                let was_nullable = before_table
                    .column(&column.name)
                    .is_some_and(|c| c.nullable);
                if let (true, false, Some(default)) =
                    (was_nullable, column.nullable, &column.default)
                {
                    // Rows holding NULL take the default before NOT NULL holds.
                    out.push(self.fill_nulls(table, &column.name, default));
                }
                out.extend(self.rebuild_in(before_table, table_in(after, table)?, after));
                out
            }
            // SQLite has no comments: the snapshot keeps them, the database has nothing to
            // change.
            Operation::AlterTableOptions { table, options }
                if TableOptions {
                    comment: options.comment.clone(),
                    ..table_in(before, table)?.options.clone()
                } == *options =>
            {
                Vec::new()
            }
            Operation::SetPrimaryKey { table, .. }
            | Operation::AlterTableOptions { table, .. }
            | Operation::AddExclusion { table, .. }
            | Operation::DropExclusion { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::DropUnique { table, .. }
            | Operation::AddForeignKey { table, .. }
            | Operation::DropForeignKey { table, .. }
            | Operation::AddCheck { table, .. }
            | Operation::DropCheck { table, .. } => {
                // SQLite's ALTER TABLE cannot touch keys and constraints: rebuild.
                self.rebuild_in(table_in(before, table)?, table_in(after, table)?, after)
            }
            Operation::CreateObject(_) | Operation::ReplaceObject(_) | Operation::DropObject(_) => {
                super::objects::render(Backend::Sqlite, op, before, after)?
            }
        })
    }
}

/// What rendering `op` on SQLite reads of the schema before it: the schema with only the table
/// the operation names (every operation reads that one table at most). Cloning the whole schema
/// before each operation made a 1000-table migration quadratic.
fn touched_part(schema: &Schema, op: &Operation) -> Schema {
    let table = match op {
        // An enum's change rebuilds every table that uses it.
        Operation::AlterEnum { .. } | Operation::RenameEnumValue { .. } => {
            return schema.clone();
        }
        // Creating, dropping and renaming a table read nothing of it.
        Operation::CreateTable(_) | Operation::DropTable(_) | Operation::RenameTable { .. } => None,
        _ => op.table().and_then(|t| schema.table(t)),
    };
    // Enum columns are spelled out from the enum types, so they come along (there are few);
    // the table's triggers too, which a rebuild creates again.
    let mut part = Schema::with_enums(table.into_iter().cloned().collect(), schema.enums.clone());
    if let Some(t) = table {
        part.objects = schema
            .objects
            .iter()
            .filter(|o| o.table.as_deref() == Some(t.name.as_str()))
            .cloned()
            .collect();
    }
    // An object's change reads the objects around it (a view's triggers, a policy's peers).
    if matches!(
        op,
        Operation::CreateObject(_) | Operation::ReplaceObject(_) | Operation::DropObject(_)
    ) {
        part.objects = schema.objects.clone();
    }
    part
}

/// What SQLite refuses that the capability check cannot see, because it depends on where it
/// is: a generated key other than the rowid alias, and a STRICT table's column types.
fn check_placement(op: &Operation, after: &Schema) -> Result<()> {
    // The columns the operation writes: between the operations of one change a key may be
    // set before the column stops being generated, so the others are not judged here.
    let (table, only) = match op {
        Operation::CreateTable(t) => (after.table(&t.name), None),
        Operation::AlterTableOptions { table, .. } => (after.table(table), None),
        Operation::AddColumn { table, column } | Operation::AlterColumn { table, column } => {
            (after.table(table), Some(column.name.as_str()))
        }
        _ => (None, None),
    };
    let Some(table) = table else {
        return Ok(());
    };
    let mut found = Vec::new();
    let mut refuse = |column: &Column, feature: String| {
        found.push(crate::support::Unsupported {
            backend: Backend::Sqlite,
            table: table.name.clone(),
            object: crate::support::SchemaObject::Column(column.name.clone()),
            feature,
        })
    };
    for column in &table.columns {
        if only.is_some_and(|name| name != column.name) {
            continue;
        }
        // Only where the table is created: an operation in the middle of a change may meet a
        // key not yet moved to its column.
        if !matches!(op, Operation::CreateTable(_)) {
        } else if column.auto_increment && !table.is_auto_increment_key(column) {
            refuse(
                column,
                "is auto-incremented but not the table's only key column (only the rowid is generated)"
                    .into(),
            );
        } else if column.auto_increment && table.options.without_rowid {
            refuse(
                column,
                "is auto-incremented in a WITHOUT ROWID table (only the rowid is generated)".into(),
            );
        }
        if table.options.strict {
            let ty = SqliteDialect::type_name(&column.ty);
            let strict = ["INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"];
            let allowed = matches!(column.ty, SqlType::Enum(_))
                || table.is_auto_increment_key(column)
                || strict.iter().any(|t| t.eq_ignore_ascii_case(&ty));
            if !allowed {
                refuse(
                    column,
                    format!("has the type {ty} in a STRICT table (INT, INTEGER, REAL, TEXT, BLOB or ANY only)"),
                );
            }
        }
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(crate::Error::Unsupported(found))
    }
}

/// Whether a column takes part in a key, index or constraint, which `DROP COLUMN` refuses.
fn is_constrained(table: &Table, column: &str) -> bool {
    let uses = |cols: &[String]| cols.iter().any(|c| c == column);
    uses(&table.primary_key)
        || table.indexes.iter().any(|i| i.uses_column(column))
        || table.uniques.iter().any(|u| uses(&u.columns))
        || table.foreign_keys.iter().any(|f| uses(&f.columns))
        || table.checks.iter().any(|c| c.expr.contains(column))
        || table.columns.iter().any(|c| {
            c.generated
                .as_ref()
                .is_some_and(|g| crate::schema::mentions_identifier(&g.expr, column))
        })
}

impl SqliteDialect {
    /// The type name in DDL; chosen so that Diesel's `print-schema` reads back the same type.
    pub fn type_name(ty: &SqlType) -> String {
        match ty {
            SqlType::SmallInt => "SMALLINT".into(),
            SqlType::Integer => "INTEGER".into(),
            SqlType::BigInt => "BIGINT".into(),
            SqlType::Real => "REAL".into(),
            SqlType::Double => "DOUBLE".into(),
            SqlType::Numeric(None) => "NUMERIC".into(),
            SqlType::Numeric(Some((p, s))) => format!("NUMERIC({p},{s})"),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Text => "TEXT".into(),
            SqlType::Varchar(n) => format!("VARCHAR({n})"),
            SqlType::Binary => "BLOB".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::Timestamp => "TIMESTAMP".into(),
            SqlType::TimestampTz => "TIMESTAMPTZ".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json => "JSON".into(),
            // Enum columns are spelled out with their CHECK before they reach here.
            SqlType::Enum(_) => "TEXT".into(),
            SqlType::Custom(name) => name.clone(),
            SqlType::Char(n) => format!("CHAR({n})"),
            // The other backends' types, refused before rendering (`dialect::unsupported`).
            SqlType::TinyInt
            | SqlType::MediumInt
            | SqlType::Unsigned(_)
            | SqlType::Money
            | SqlType::VarcharUnbounded
            | SqlType::TinyText
            | SqlType::MediumText
            | SqlType::LongText
            | SqlType::FixedBinary(_)
            | SqlType::VarBinary(_)
            | SqlType::TinyBlob
            | SqlType::MediumBlob
            | SqlType::LongBlob
            | SqlType::Bit(_)
            | SqlType::VarBit(_)
            | SqlType::TimePrecision(_)
            | SqlType::TimeTz
            | SqlType::TimeTzPrecision(_)
            | SqlType::TimestampPrecision(_)
            | SqlType::TimestampTzPrecision(_)
            | SqlType::Interval
            | SqlType::Year
            | SqlType::Jsonb
            | SqlType::Inet
            | SqlType::Cidr
            | SqlType::MacAddr
            | SqlType::MacAddr8
            | SqlType::Set(_)
            | SqlType::Array(_) => ty.to_string().to_ascii_uppercase(),
        }
    }

    fn default_sql(&self, default: &DefaultValue) -> String {
        match default {
            DefaultValue::Bool(b) => (if *b { "1" } else { "0" }).into(),
            DefaultValue::Int(i) => i.to_string(),
            DefaultValue::Float(f) => f.clone(),
            DefaultValue::Text(s) => self.literal(s),
            // SQLite wants parentheses around any default that is not a literal or a keyword.
            DefaultValue::Sql(expr) if is_keyword_default(expr) => expr.clone(),
            DefaultValue::Sql(expr) => format!("({expr})"),
        }
    }

    fn column_def(&self, table: &Table, column: &Column) -> String {
        if table.is_auto_increment_key(column) && !table.options.without_rowid {
            // Only a key declared `INTEGER` is an alias of the rowid; NOT NULL says what the
            // rowid already is, so Diesel's print-schema does not call it nullable. Ids are
            // reused after a delete unless AUTOINCREMENT is asked for.
            let ty = match &column.ty {
                SqlType::Custom(name) if is_rowid_type(&column.ty) => name.clone(),
                _ => "INTEGER".to_string(),
            };
            let mut def = format!("{} {ty} NOT NULL", self.quote(&column.name));
            if let Some(name) = &table.primary_key_name {
                def.push_str(&format!(" CONSTRAINT {}", self.quote(name)));
            }
            def.push_str(" PRIMARY KEY");
            if column.identity == Some(Identity::Autoincrement) {
                def.push_str(" AUTOINCREMENT");
            }
            return def;
        }
        let mut def = self.quote(&column.name);
        // A column declared without a type (`custom()`) stays without one.
        let ty = Self::type_name(&column.ty);
        if !ty.is_empty() {
            def.push(' ');
            def.push_str(&ty);
        }
        if let Some(collation) = &column.collation {
            def.push_str(&format!(" COLLATE {}", self.quote(collation)));
        }
        if !column.nullable {
            def.push_str(" NOT NULL");
        }
        if let Some(default) = &column.default {
            def.push_str(" DEFAULT ");
            def.push_str(&self.default_sql(default));
        }
        if let Some(generated) = &column.generated {
            def.push_str(&format!(
                " GENERATED ALWAYS AS ({}) {}",
                generated.expr,
                if generated.stored {
                    "STORED"
                } else {
                    "VIRTUAL"
                }
            ));
        }
        def
    }

    fn create_table(&self, table: &Table, name: &str) -> String {
        let mut parts: Vec<String> = table
            .columns
            .iter()
            .map(|c| self.column_def(table, c))
            .collect();
        let inline_key = !table.options.without_rowid
            && table.columns.iter().any(|c| table.is_auto_increment_key(c));
        if !table.primary_key.is_empty() && !inline_key {
            let mut key = String::new();
            if let Some(name) = &table.primary_key_name {
                key.push_str(&format!("CONSTRAINT {} ", self.quote(name)));
            }
            key.push_str(&format!("PRIMARY KEY ({})", self.list(&table.primary_key)));
            parts.push(key);
        }
        for unique in &table.uniques {
            parts.push(format!(
                "CONSTRAINT {} UNIQUE ({})",
                self.quote(&unique.name),
                self.list(&unique.columns)
            ));
        }
        for fk in &table.foreign_keys {
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
            if let Some(when) = fk.deferrable {
                def.push(' ');
                def.push_str(when.sql());
            }
            parts.push(def);
        }
        for check in &table.checks {
            parts.push(format!(
                "CONSTRAINT {} CHECK ({})",
                self.quote(&check.name),
                check.expr
            ));
        }
        let mut options = Vec::new();
        if table.options.without_rowid {
            options.push("WITHOUT ROWID");
        }
        if table.options.strict {
            options.push("STRICT");
        }
        let options = if options.is_empty() {
            String::new()
        } else {
            format!(" {}", options.join(", "))
        };
        format!(
            "CREATE TABLE {} (\n    {}\n){options}",
            self.quote(name),
            parts.join(",\n    ")
        )
    }

    /// Every element as the index has it: column or expression, collation, order; and the
    /// partial index's `WHERE`.
    fn create_index(&self, table: &str, index: &Index) -> String {
        let elements: Vec<String> = index
            .columns
            .iter()
            .map(|element| {
                let mut sql = match &element.target {
                    IndexTarget::Column(name) => self.quote(name),
                    IndexTarget::Expression(expr) => format!("({expr})"),
                };
                if let Some(collation) = &element.collation {
                    sql.push_str(&format!(" COLLATE {}", self.quote(collation)));
                }
                if element.descending {
                    sql.push_str(" DESC");
                }
                sql
            })
            .collect();
        let mut sql = format!(
            "CREATE {}INDEX {} ON {} ({})",
            if index.unique { "UNIQUE " } else { "" },
            self.quote(&index.name),
            self.quote(table),
            elements.join(", ")
        );
        if let Some(predicate) = &index.predicate {
            sql.push_str(&format!(" WHERE {predicate}"));
        }
        sql
    }

    fn list(&self, names: &[String]) -> String {
        names
            .iter()
            .map(|n| self.quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `ALTER TABLE ADD COLUMN` takes neither keys, unique constraints, expression defaults,
    /// nor NOT NULL without a default.
    fn can_add_in_place(&self, table: &Table, column: &Column) -> bool {
        let expr_default = matches!(column.default, Some(DefaultValue::Sql(_)));
        let literal_default = column.default.is_some() && !expr_default;
        // A generated column is added by a rebuild: `ADD COLUMN` refuses STORED ones.
        !expr_default
            && column.generated.is_none()
            && (column.nullable || literal_default)
            && !is_constrained(table, &column.name)
    }

    /// The table `op` rebuilds, when it needs a rebuild.
    fn rebuilt_table<'a>(
        &self,
        op: &'a Operation,
        before: &Schema,
        after: &Schema,
    ) -> Option<&'a str> {
        match op {
            Operation::AddColumn { table, column } => {
                let after_table = after.table(table)?;
                (!self.can_add_in_place(after_table, column)).then_some(table.as_str())
            }
            Operation::DropColumn { table, column } => {
                is_constrained(before.table(table)?, column).then_some(table.as_str())
            }
            Operation::AlterColumn { table, .. }
            | Operation::SetPrimaryKey { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::DropUnique { table, .. }
            | Operation::AddForeignKey { table, .. }
            | Operation::DropForeignKey { table, .. }
            | Operation::AddCheck { table, .. }
            | Operation::DropCheck { table, .. } => Some(table.as_str()),
            _ => None,
        }
    }

    /// Renders `operations` from `start` as [`render_all`](super::render_all) does, except that
    /// consecutive operations that each rebuild the same table share one rebuild: one copy of
    /// the rows instead of one per change. Rows that hold NULL in a column made NOT NULL with a
    /// default take it first, as with one operation at a time.
    pub fn render_merged(
        &self,
        start: &Schema,
        operations: &[Operation],
    ) -> Result<(Vec<String>, Schema)> {
        struct Run {
            table: String,
            before: Table,
            after: Table,
            fills: Vec<String>,
            /// The table's triggers as the run leaves it, created again after the rebuild.
            triggers: Vec<String>,
        }
        let flush = |run: Option<Run>, out: &mut Vec<String>| {
            if let Some(run) = run {
                out.extend(run.fills);
                out.extend(self.rebuild(&run.before, &run.after));
                out.extend(run.triggers);
            }
        };
        let mut schema = start.clone();
        let mut out = Vec::new();
        let mut run: Option<Run> = None;
        for op in operations {
            let before = touched_part(&schema, op);
            op.apply(&mut schema)?;
            super::check_supported(Backend::Sqlite, op, &schema)?;
            check_placement(op, &schema)?;
            // Columns and indexes of the table being rebuilt ride along with the rebuild.
            let joins = match op {
                Operation::AddColumn { table, .. }
                | Operation::DropColumn { table, .. }
                | Operation::CreateIndex { table, .. }
                | Operation::DropIndex { table, .. } => {
                    run.as_ref().is_some_and(|r| r.table == *table)
                }
                _ => false,
            };
            let table = match (self.rebuilt_table(op, &before, &schema), &run) {
                (Some(table), _) => table.to_string(),
                (None, Some(current)) if joins => current.table.clone(),
                (None, _) => {
                    flush(run.take(), &mut out);
                    out.extend(self.render(op, &before, &schema)?);
                    continue;
                }
            };
            if run.as_ref().is_some_and(|r| r.table != table) {
                flush(run.take(), &mut out);
            }
            let current = run.get_or_insert_with(|| Run {
                table: table.clone(),
                before: before
                    .table(&table)
                    .map(|t| self.spelled(t, &before))
                    .unwrap_or_else(|| Table::new(&table)),
                after: Table::new(&table),
                fills: Vec::new(),
                triggers: Vec::new(),
            });
            current.after = self.spelled(table_in(&schema, &table)?, &schema);
            current.triggers = super::objects::triggers_on(&schema, &table);
            if let Operation::AlterColumn { column, .. } = op {
                let was_nullable = current
                    .before
                    .column(&column.name)
                    .is_some_and(|c| c.nullable);
                if let (true, false, Some(default)) =
                    (was_nullable, column.nullable, &column.default)
                {
                    current
                        .fills
                        .push(self.fill_nulls(&table, &column.name, default));
                }
            }
        }
        flush(run.take(), &mut out);
        Ok((out, schema))
    }

    /// `table` with its enum columns spelled out as text with a CHECK.
    fn spelled(&self, table: &Table, schema: &Schema) -> Table {
        if schema.enums.is_empty() {
            return table.clone();
        }
        enums::spell_table(table, schema, &|c: &Column, values: &[String]| {
            self.enum_type(c, values)
        })
    }

    /// Sets `column` to `default` where it holds NULL.
    fn fill_nulls(&self, table: &str, column: &str, default: &DefaultValue) -> String {
        format!(
            "UPDATE {} SET {col} = {} WHERE {col} IS NULL",
            self.quote(table),
            self.default_sql(default),
            col = self.quote(column)
        )
    }

    /// [`Self::rebuild`], then the triggers `schema` has on the table: dropping the old table
    /// dropped them. Views over the table live on: the legacy rename neither checks nor
    /// rewrites them, and they name the table, which has its name again.
    fn rebuild_in(&self, before: &Table, after: &Table, schema: &Schema) -> Vec<String> {
        let mut out = self.rebuild(before, after);
        out.extend(super::objects::triggers_on(schema, &after.name));
        out
    }

    /// SQLite's documented procedure for changes `ALTER TABLE` cannot make: a new table of the
    /// target shape, every row copied, the old table dropped, the new one renamed, indexes
    /// recreated. The runner switches foreign-key enforcement off outside the transaction and
    /// runs `PRAGMA foreign_key_check` before commit.
    pub fn rebuild(&self, before: &Table, after: &Table) -> Vec<String> {
        let temp = format!("__migrate_new_{}", after.name);
        // A generated column takes no value: it is computed again in the new table.
        let shared: Vec<String> = after
            .columns
            .iter()
            .filter(|c| c.generated.is_none())
            .filter(|c| before.column(&c.name).is_some())
            .map(|c| c.name.clone())
            .collect();
        let mut out = vec![self.create_table(after, &temp)];
        out.push(format!(
            "INSERT INTO {} ({cols}) SELECT {cols} FROM {}",
            self.quote(&temp),
            self.quote(&before.name),
            cols = self.list(&shared)
        ));
        out.push(format!("DROP TABLE {}", self.quote(&before.name)));
        // The legacy rename neither rewrites nor checks views and triggers: one that uses the
        // table would otherwise fail the rename while the table is momentarily gone.
        out.push("PRAGMA legacy_alter_table = ON".to_string());
        out.push(format!(
            "ALTER TABLE {} RENAME TO {}",
            self.quote(&temp),
            self.quote(&after.name)
        ));
        out.push("PRAGMA legacy_alter_table = OFF".to_string());
        out.extend(
            after
                .indexes
                .iter()
                .map(|i| self.create_index(&after.name, i)),
        );
        out
    }
}

fn is_keyword_default(expr: &str) -> bool {
    matches!(
        expr.to_ascii_uppercase().as_str(),
        "CURRENT_TIMESTAMP" | "CURRENT_DATE" | "CURRENT_TIME" | "NULL" | "TRUE" | "FALSE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::render_all;
    use crate::migration::Migration;

    fn posts() -> Migration {
        let mut m = Migration::new();
        m.create_table("users", |t| {
            t.column("id", SqlType::Integer).auto_increment();
            t.primary_key(&["id"]);
        });
        m.create_table("posts", |t| {
            t.column("id", SqlType::Integer).auto_increment();
            t.column("title", SqlType::Varchar(200));
            t.column("author_id", SqlType::Integer);
            t.column("published", SqlType::Boolean).default(false);
            t.primary_key(&["id"]);
            t.foreign_key("fk_posts_author_id_users", &["author_id"], "users", &["id"])
                .on_delete(crate::schema::FkAction::Cascade);
            t.index("ix_posts_author_id", &["author_id"]);
        });
        m
    }

    #[test]
    fn create_table_sql() {
        let (sql, _) =
            render_all(&SqliteDialect, &Schema::default(), posts().operations()).unwrap();
        insta::assert_snapshot!(sql.join(";\n"));
    }

    #[test]
    fn not_null_column_without_default_needs_a_rebuild() {
        let (_, schema) =
            render_all(&SqliteDialect, &Schema::default(), posts().operations()).unwrap();
        let mut m = Migration::new();
        m.add_column("posts", "bio", SqlType::Text).nullable();
        m.add_column("posts", "slug", SqlType::Text);
        m.drop_column("posts", "author_id");
        let (sql, _) = render_all(&SqliteDialect, &schema, m.operations()).unwrap();
        insta::assert_snapshot!(sql.join(";\n"));
    }

    /// Every property SQLite has is written as it is: no AUTOINCREMENT unless asked, names,
    /// collations, generated columns, deferrable keys, options, and each index element.
    #[test]
    fn every_sqlite_property_is_written() {
        use crate::schema::{Deferrable, ForeignKey, Generated, Identity, IndexColumn};
        let mut t = Table::new("film");
        t.columns.push(Column {
            auto_increment: true,
            identity: Some(Identity::Autoincrement),
            ..Column::new("id", SqlType::Integer)
        });
        t.columns.push(Column {
            collation: Some("NOCASE".into()),
            ..Column::new("title", SqlType::Custom("VARCHAR(45)".into()))
        });
        t.columns.push(Column {
            nullable: true,
            generated: Some(Generated {
                expr: "length(title)".into(),
                stored: false,
            }),
            ..Column::new("len", SqlType::Custom("INT".into()))
        });
        t.primary_key = vec!["id".into()];
        t.primary_key_name = Some("film_pk".into());
        t.foreign_keys.push(ForeignKey {
            name: "fk_film_self".into(),
            columns: vec!["len".into()],
            ref_table: "film".into(),
            ref_columns: vec!["id".into()],
            deferrable: Some(Deferrable::Deferred),
            ..ForeignKey::default()
        });
        t.indexes.push(Index {
            unique: true,
            predicate: Some("len > 0".into()),
            ..Index::new(
                "ix_film",
                [
                    IndexColumn::expression("lower(title)").desc(),
                    IndexColumn::column("title").collation("NOCASE"),
                ],
            )
        });
        let create = [Operation::CreateTable(t.clone())];
        let (sql, _) = render_all(&SqliteDialect, &Schema::default(), &create).unwrap();
        assert_eq!(
            sql,
            [
                "CREATE TABLE \"film\" (\n    \"id\" INTEGER NOT NULL CONSTRAINT \"film_pk\" PRIMARY KEY AUTOINCREMENT,\n    \"title\" VARCHAR(45) COLLATE \"NOCASE\" NOT NULL,\n    \"len\" INT GENERATED ALWAYS AS (length(title)) VIRTUAL,\n    CONSTRAINT \"fk_film_self\" FOREIGN KEY (\"len\") REFERENCES \"film\" (\"id\") DEFERRABLE INITIALLY DEFERRED\n)",
                "CREATE UNIQUE INDEX \"ix_film\" ON \"film\" ((lower(title)) DESC, \"title\" COLLATE \"NOCASE\") WHERE len > 0",
            ]
        );
        // Without AUTOINCREMENT asked, the rowid alias only.
        t.columns[0].identity = None;
        t.primary_key_name = None;
        t.options.strict = true;
        t.columns[1].ty = SqlType::Text;
        t.columns[2].ty = SqlType::Integer;
        let create = SqliteDialect.create_table(&t, "film");
        assert!(
            create.contains("\"id\" INTEGER NOT NULL PRIMARY KEY,"),
            "{create}"
        );
        assert!(create.ends_with("\n) STRICT"), "{create}");
    }

    #[test]
    fn changes_to_one_table_share_one_rebuild() {
        let mut m = Migration::new();
        m.create_table("users", |t| {
            t.column("id", SqlType::Integer).auto_increment();
            t.column("name", SqlType::Text).nullable();
            t.primary_key(&["id"]);
        });
        let (_, start) = render_all(&SqliteDialect, &Schema::default(), m.operations()).unwrap();
        let mut m = Migration::new();
        m.alter_column("users", "name", SqlType::Text)
            .default("anonymous");
        m.add_unique("users", "uq_users_name", &["name"]);
        m.create_index("users", "ix_users_name", &["name"]);
        m.add_column("users", "bio", SqlType::Text).nullable();
        // One operation at a time, as a dialect renders each.
        let mut end = start.clone();
        let mut one_by_one = Vec::new();
        for op in m.operations() {
            let before = end.clone();
            op.apply(&mut end).unwrap();
            one_by_one.extend(SqliteDialect.render(op, &before, &end).unwrap());
        }
        let (merged, merged_end) = SqliteDialect.render_merged(&start, m.operations()).unwrap();
        assert_eq!(merged_end, end);
        let rebuilds =
            |sql: &[String]| sql.iter().filter(|s| s.starts_with("CREATE TABLE")).count();
        assert_eq!(rebuilds(&one_by_one), 2);
        assert_eq!(rebuilds(&merged), 1);
        assert_eq!(
            merged[0],
            "UPDATE \"users\" SET \"name\" = 'anonymous' WHERE \"name\" IS NULL"
        );
        assert!(merged[1].contains("CONSTRAINT \"uq_users_name\" UNIQUE (\"name\")"));
        assert!(merged[1].contains("\"bio\" TEXT"), "{}", merged[1]);
        assert_eq!(
            merged.last().unwrap(),
            "CREATE INDEX \"ix_users_name\" ON \"users\" (\"name\")"
        );
    }
}
