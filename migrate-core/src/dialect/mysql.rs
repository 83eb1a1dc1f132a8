//! MySQL and MariaDB: backtick quoting, `AUTO_INCREMENT`, DDL that commits implicitly.

use super::common::{quote_with, table_in, ServerDdl};
use super::enums;
use super::{plain, Backend, Dialect, OpContext, Statement, HISTORY_TABLE};
use crate::error::{Error, Result};
use crate::migration::Operation;
use crate::schema::{Column, Index, IndexTarget, Schema, SqlType, Table, TableOptions};

/// The MySQL / MariaDB dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct MysqlDialect;

impl ServerDdl for MysqlDialect {
    fn quote(&self, name: &str) -> String {
        quote_with(name, '`')
    }

    /// MySQL reads backslashes in string literals as escapes, so they are doubled too.
    fn literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    }

    fn type_name(&self, ty: &SqlType) -> String {
        MysqlDialect::type_name(ty)
    }

    fn auto_increment(&self) -> &'static str {
        "AUTO_INCREMENT"
    }

    fn key_list(&self, table: &Table, names: &[String]) -> String {
        names
            .iter()
            .map(|n| {
                let unbounded = table.column(n).is_some_and(|c| {
                    matches!(c.ty, SqlType::Text | SqlType::Binary | SqlType::Json)
                });
                if unbounded {
                    format!(
                        "{}({})",
                        ServerDdl::quote(self, n),
                        MysqlDialect::KEY_PREFIX
                    )
                } else {
                    ServerDdl::quote(self, n)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn bool_literal(&self, value: bool) -> &'static str {
        if value {
            "1"
        } else {
            "0"
        }
    }

    /// A time default at the column's own fractional seconds, which MySQL 8 requires.
    fn default_expr(&self, expr: &str, column: &Column) -> String {
        let now =
            expr.eq_ignore_ascii_case("CURRENT_TIMESTAMP") || expr.eq_ignore_ascii_case("now()");
        if now {
            current_timestamp_at(&column.ty)
        } else if expr.starts_with('(')
            || expr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || expr.to_ascii_uppercase().starts_with("CURRENT_TIMESTAMP(")
        {
            expr.to_string()
        } else {
            // Expression defaults need parentheses on MySQL 8 and MariaDB.
            format!("({expr})")
        }
    }

    /// `name type [CHARACTER SET ..] [COLLATE ..] [GENERATED ALWAYS AS (..) VIRTUAL|STORED]
    /// [NOT NULL] [AUTO_INCREMENT | DEFAULT ..] [ON UPDATE ..] [COMMENT '..']`. AUTO_INCREMENT
    /// goes on any column that asks for it: MySQL wants it on the first column of some key,
    /// which the server checks.
    fn column_def(&self, table: &Table, column: &Column) -> String {
        let mut def = format!(
            "{} {}",
            ServerDdl::quote(self, &column.name),
            MysqlDialect::type_name(&column.ty)
        );
        if let Some(charset) = &column.charset {
            def.push_str(" CHARACTER SET ");
            def.push_str(charset);
        }
        if let Some(collation) = &column.collation {
            def.push_str(" COLLATE ");
            def.push_str(collation);
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
        // MariaDB refuses NOT NULL on a generated column (its nullability follows the
        // expression); MySQL 8 takes it.
        if !column.nullable && column.generated.is_none() {
            def.push_str(" NOT NULL");
        }
        if renders_auto_increment(table, column) {
            def.push_str(" AUTO_INCREMENT");
        } else if let Some(default) = &column.default {
            if column.generated.is_none() {
                def.push_str(" DEFAULT ");
                def.push_str(&self.default_sql(default, column));
            }
        }
        if let Some(on_update) = &column.on_update {
            def.push_str(" ON UPDATE ");
            def.push_str(&self.default_expr(on_update, column));
        }
        if let Some(comment) = &column.comment {
            def.push_str(" COMMENT ");
            def.push_str(&ServerDdl::literal(self, comment));
        }
        def
    }

    /// The columns, keys, indexes and constraints in one statement, with the table's options:
    /// an AUTO_INCREMENT column may rely on any of its keys, which must exist with it.
    fn create_table(&self, table: &Table) -> String {
        let q = |name: &str| ServerDdl::quote(self, name);
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
                q(&unique.name),
                self.key_list(table, &unique.columns)
            ));
        }
        for index in &table.indexes {
            parts.push(self.index_clause(table, index));
        }
        for fk in &table.foreign_keys {
            parts.push(self.foreign_key_clause(fk));
        }
        for check in &table.checks {
            parts.push(format!(
                "CONSTRAINT {} CHECK ({})",
                q(&check.name),
                check.expr
            ));
        }
        let mut sql = format!(
            "CREATE TABLE {} (\n    {}\n)",
            q(&table.name),
            parts.join(",\n    ")
        );
        let options = self.table_options(&table.options);
        if !options.is_empty() {
            sql.push(' ');
            sql.push_str(&options.join(" "));
        }
        sql
    }

    fn create_index(&self, table: &Table, index: &Index) -> String {
        format!(
            "CREATE {}INDEX {} ON {} {}",
            index_kind(index),
            ServerDdl::quote(self, &index.name),
            ServerDdl::quote(self, &table.name),
            self.index_body(table, index)
        )
    }
}

/// `FULLTEXT `, `SPATIAL `, `UNIQUE ` or nothing, before `INDEX`.
fn index_kind(index: &Index) -> &'static str {
    match index.method.as_deref() {
        Some("fulltext") => "FULLTEXT ",
        Some("spatial") => "SPATIAL ",
        _ if index.unique => "UNIQUE ",
        _ => "",
    }
}

/// Whether `column` is written `AUTO_INCREMENT` in `table`: MySQL takes it on the first column
/// of a key or index only, so while a migration has not yet given it one (a column added before
/// its key) it is written without, and the key's statement adds it.
fn renders_auto_increment(table: &Table, column: &Column) -> bool {
    let name = column.name.as_str();
    column.auto_increment
        && (table.primary_key.first().map(String::as_str) == Some(name)
            || table
                .uniques
                .iter()
                .any(|u| u.columns.first().map(String::as_str) == Some(name))
            || table
                .indexes
                .iter()
                .any(|i| i.columns.first().and_then(|c| c.column_name()) == Some(name)))
}

/// `CURRENT_TIMESTAMP` at the fractional seconds of a column of type `ty`.
fn current_timestamp_at(ty: &SqlType) -> String {
    match MysqlDialect::fractional_seconds(ty) {
        Some(p) if p > 0 => format!("CURRENT_TIMESTAMP({p})"),
        _ => "CURRENT_TIMESTAMP".to_string(),
    }
}

impl MysqlDialect {
    /// An index inside `CREATE TABLE`: `[UNIQUE|FULLTEXT|SPATIAL] INDEX name (...) [USING ..]
    /// [COMMENT '..']`.
    fn index_clause(&self, table: &Table, index: &Index) -> String {
        format!(
            "{}INDEX {} {}",
            index_kind(index),
            ServerDdl::quote(self, &index.name),
            self.index_body(table, index)
        )
    }

    /// What follows an index's name, in `CREATE TABLE` and in `CREATE INDEX` alike:
    /// `(...) [USING ..] [COMMENT '..']`.
    fn index_body(&self, table: &Table, index: &Index) -> String {
        format!(
            "({}){}{}",
            self.index_elements(table, index),
            self.index_using(table, index),
            self.index_comment(index)
        )
    }

    /// Each element as written: a column with its prefix length and order, or an expression
    /// (MySQL 8 functional key parts).
    fn index_elements(&self, table: &Table, index: &Index) -> String {
        index
            .columns
            .iter()
            .map(|element| {
                let mut out = match &element.target {
                    IndexTarget::Column(name) => {
                        let mut out = ServerDdl::quote(self, name);
                        let length = element.length.or_else(|| {
                            // Text and blob columns can only be b-tree indexed by a prefix.
                            let plain =
                                index.method.is_none() || index.method.as_deref() == Some("btree");
                            let unbounded = table
                                .column(name)
                                .is_some_and(|c| matches!(c.ty, SqlType::Text | SqlType::Binary));
                            (plain && unbounded).then_some(MysqlDialect::KEY_PREFIX)
                        });
                        if let Some(length) = length {
                            out.push_str(&format!("({length})"));
                        }
                        out
                    }
                    IndexTarget::Expression(expr) => format!("({expr})"),
                };
                if element.descending {
                    out.push_str(" DESC");
                }
                out
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `USING HASH` / `USING BTREE` where the engine would not choose it (MEMORY hashes by
    /// default).
    fn index_using(&self, table: &Table, index: &Index) -> String {
        let memory = table
            .options
            .engine
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("memory"));
        match index.method.as_deref() {
            Some("hash") => " USING HASH".to_string(),
            Some("btree") if memory => " USING BTREE".to_string(),
            _ => String::new(),
        }
    }

    /// ` COMMENT '..'` when the index has a comment.
    fn index_comment(&self, index: &Index) -> String {
        index
            .comment
            .as_ref()
            .map(|c| format!(" COMMENT {}", ServerDdl::literal(self, c)))
            .unwrap_or_default()
    }

    /// `ENGINE=.. DEFAULT CHARSET=.. COLLATE=.. COMMENT='..'`, those that are set.
    fn table_options(&self, options: &TableOptions) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(engine) = &options.engine {
            out.push(format!("ENGINE={engine}"));
        }
        if let Some(charset) = &options.charset {
            out.push(format!("DEFAULT CHARSET={charset}"));
        }
        if let Some(collation) = &options.collation {
            out.push(format!("COLLATE={collation}"));
        }
        if let Some(comment) = &options.comment {
            out.push(format!("COMMENT={}", ServerDdl::literal(self, comment)));
        }
        out
    }

    /// The statements that take `table` from the options `old` to `new`. A table's default
    /// character set is what its columns without one of their own use, so changing it converts
    /// them (`CONVERT TO`) and restates those that have their own. Going back to a default
    /// (`None`) names the server's or database's default when the statement runs.
    fn alter_table_options(
        &self,
        table: &Table,
        old: &TableOptions,
        new: &TableOptions,
    ) -> Vec<String> {
        let q = ServerDdl::quote(self, &table.name);
        let mut out = Vec::new();
        if old.engine != new.engine {
            match &new.engine {
                Some(engine) => out.push(format!("ALTER TABLE {q} ENGINE={engine}")),
                None => out.extend(self.prepared(&format!(
                    "CONCAT('ALTER TABLE ', {}, ' ENGINE=', @@default_storage_engine)",
                    ServerDdl::literal(self, &q)
                ))),
            }
        }
        if old.charset != new.charset || old.collation != new.collation {
            let convert = match (&new.charset, &new.collation) {
                (Some(cs), Some(co)) => {
                    format!("ALTER TABLE {q} CONVERT TO CHARACTER SET {cs} COLLATE {co}")
                }
                (Some(cs), None) => format!("ALTER TABLE {q} CONVERT TO CHARACTER SET {cs}"),
                (None, Some(co)) => format!(
                    "ALTER TABLE {q} CONVERT TO CHARACTER SET {} COLLATE {co}",
                    co.split('_').next().unwrap_or(co)
                ),
                (None, None) => String::new(),
            };
            if convert.is_empty() {
                out.extend(self.prepared(&format!(
                    "(SELECT CONCAT('ALTER TABLE ', {}, ' CONVERT TO CHARACTER SET ', DEFAULT_CHARACTER_SET_NAME, ' COLLATE ', DEFAULT_COLLATION_NAME) \
                     FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE())",
                    ServerDdl::literal(self, &q)
                )));
            } else {
                out.push(convert);
            }
            // CONVERT TO also widens TEXT columns to keep their length in characters (TEXT to
            // MEDIUMTEXT from latin1 to utf8mb4): each is restated as it is to be.
            for column in table
                .columns
                .iter()
                .filter(|c| c.ty.is_textual() || matches!(c.ty, SqlType::Enum(_) | SqlType::Set(_)))
            {
                let widened = matches!(
                    column.ty,
                    SqlType::Text | SqlType::TinyText | SqlType::MediumText
                );
                if widened || column.charset.is_some() || column.collation.is_some() {
                    out.push(format!(
                        "ALTER TABLE {q} MODIFY COLUMN {}",
                        self.column_def(table, column)
                    ));
                }
            }
        }
        if old.comment != new.comment {
            let comment = new.comment.as_deref().unwrap_or_default();
            out.push(format!(
                "ALTER TABLE {q} COMMENT={}",
                ServerDdl::literal(self, comment)
            ));
        }
        out
    }

    /// A statement built by `sql_expr` when it runs, prepared and executed.
    fn prepared(&self, sql_expr: &str) -> Vec<String> {
        vec![
            format!("SET @migrate_ddl = {sql_expr}"),
            "PREPARE migrate_ddl FROM @migrate_ddl".to_string(),
            "EXECUTE migrate_ddl".to_string(),
            "DEALLOCATE PREPARE migrate_ddl".to_string(),
        ]
    }
}

impl MysqlDialect {
    /// Statements that run `then` when `table` has an index named `index`, else `otherwise`:
    /// a prepared statement, since MySQL has no conditional DDL.
    fn when_index_exists(
        &self,
        table: &str,
        index: &str,
        then: &str,
        otherwise: &str,
    ) -> Vec<String> {
        vec![
            format!(
                "SET @migrate_ddl = (SELECT IF(COUNT(*) > 0, {}, {}) FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {} AND INDEX_NAME = {})",
                ServerDdl::literal(self, then),
                ServerDdl::literal(self, otherwise),
                ServerDdl::literal(self, table),
                ServerDdl::literal(self, index)
            ),
            "PREPARE migrate_ddl FROM @migrate_ddl".to_string(),
            "EXECUTE migrate_ddl".to_string(),
            "DEALLOCATE PREPARE migrate_ddl".to_string(),
        ]
    }

    /// The fractional seconds this dialect gives a time or timestamp type.
    pub fn fractional_seconds(ty: &SqlType) -> Option<u32> {
        match ty {
            SqlType::Timestamp | SqlType::TimestampTz => Some(6),
            SqlType::Time => Some(0),
            other => other.precision(),
        }
    }

    /// Text and binary columns can only be indexed by a prefix here.
    pub const KEY_PREFIX: u32 = 255;

    /// The type name in DDL.
    pub fn type_name(ty: &SqlType) -> String {
        match ty {
            SqlType::SmallInt => "SMALLINT".into(),
            SqlType::Integer => "INT".into(),
            SqlType::BigInt => "BIGINT".into(),
            SqlType::Real => "FLOAT".into(),
            SqlType::Double => "DOUBLE".into(),
            // An unqualified DECIMAL is DECIMAL(10,0) here, which would drop every fraction.
            SqlType::Numeric(None) => "DECIMAL(65,30)".into(),
            SqlType::Numeric(Some((p, s))) => format!("DECIMAL({p},{s})"),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Text => "TEXT".into(),
            SqlType::Varchar(n) => format!("VARCHAR({n})"),
            SqlType::Binary => "BLOB".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time => "TIME".into(),
            SqlType::Timestamp => "DATETIME(6)".into(),
            SqlType::TimestampTz => "TIMESTAMP(6)".into(),
            SqlType::Uuid => "CHAR(36)".into(),
            SqlType::Json => "JSON".into(),
            // Enum columns are spelled out with their values before they reach here.
            SqlType::Enum(_) => "ENUM".into(),
            SqlType::Custom(name) => name.clone(),
            SqlType::TinyInt => "TINYINT".into(),
            SqlType::MediumInt => "MEDIUMINT".into(),
            SqlType::Unsigned(base) => format!("{} UNSIGNED", Self::type_name(base)),
            SqlType::Char(n) => format!("CHAR({n})"),
            SqlType::TinyText => "TINYTEXT".into(),
            SqlType::MediumText => "MEDIUMTEXT".into(),
            SqlType::LongText => "LONGTEXT".into(),
            SqlType::FixedBinary(n) => format!("BINARY({n})"),
            SqlType::VarBinary(n) => format!("VARBINARY({n})"),
            SqlType::TinyBlob => "TINYBLOB".into(),
            SqlType::MediumBlob => "MEDIUMBLOB".into(),
            SqlType::LongBlob => "LONGBLOB".into(),
            SqlType::Bit(n) => format!("BIT({n})"),
            SqlType::Year => "YEAR".into(),
            SqlType::Set(values) => format!(
                "SET({})",
                values
                    .iter()
                    .map(|v| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "''")))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            SqlType::TimePrecision(p) => format!("TIME({p})"),
            SqlType::TimestampPrecision(p) => format!("DATETIME({p})"),
            SqlType::TimestampTzPrecision(p) => format!("TIMESTAMP({p})"),
            // PostgreSQL's types, refused before rendering (`dialect::unsupported`).
            SqlType::Money
            | SqlType::Interval
            | SqlType::Inet
            | SqlType::Cidr
            | SqlType::MacAddr
            | SqlType::MacAddr8
            | SqlType::Jsonb
            | SqlType::VarcharUnbounded
            | SqlType::VarBit(_)
            | SqlType::TimeTz
            | SqlType::TimeTzPrecision(_)
            | SqlType::Array(_) => ty.to_string().to_ascii_uppercase(),
        }
    }
}

/// How MySQL and MariaDB can change an existing table, stated in the statement so that the
/// server refuses (error 1845/1846) instead of silently copying the table when it cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum OnlineForm {
    /// `ALGORITHM=INSTANT`: metadata only.
    Instant,
    /// `ALGORITHM=INPLACE, LOCK=NONE`: built in place while reads and writes go on (MariaDB
    /// uses the instant form when it has one).
    InPlace,
    /// No online form: the server copies the table, and writers wait for the copy.
    Copy,
}

impl MysqlDialect {
    /// The online form of `op` on a table that existed before the migration, as measured on
    /// MariaDB 10.11 (`tests/tests/safe_ddl.rs`): adding a column is instant; index, unique,
    /// key and nullability changes, drops and renames run in place; adding a foreign key (while
    /// `foreign_key_checks` is on), adding a check, changing a column's type (but for widening
    /// a `VARCHAR` whose length prefix stays the same size) and dropping the primary key without
    /// a new one copy the table.
    pub fn online_form(op: &Operation, before: &Schema) -> OnlineForm {
        // Without a primary key InnoDB clusters on the first unique NOT NULL index, so adding or
        // dropping a unique one changes the clustered key: only a copy does that.
        let keyless = op
            .table()
            .and_then(|t| before.table(t))
            .is_some_and(|t| t.primary_key.is_empty());
        // FULLTEXT and SPATIAL indexes are built under a shared lock at best.
        let locking_index = match op {
            Operation::CreateIndex { index, .. } => {
                matches!(index.method.as_deref(), Some("fulltext" | "spatial"))
            }
            _ => false,
        };
        if locking_index {
            return OnlineForm::Copy;
        }
        let unique_index = match op {
            Operation::AddUnique { .. } | Operation::DropUnique { .. } => true,
            Operation::CreateIndex { index, .. } => index.unique,
            Operation::DropIndex { table, name } => before
                .table(table)
                .and_then(|t| t.indexes.iter().find(|i| i.name == *name))
                .is_some_and(|i| i.unique),
            _ => false,
        };
        if keyless && unique_index {
            return OnlineForm::Copy;
        }
        match op {
            // A stored generated column is computed into every row.
            Operation::AddColumn { column, .. }
                if !column.auto_increment
                    && !column.generated.as_ref().is_some_and(|g| g.stored) =>
            {
                OnlineForm::Instant
            }
            Operation::DropColumn { .. }
            | Operation::CreateIndex { .. }
            | Operation::DropIndex { .. }
            | Operation::RenameColumn { .. }
            | Operation::AddUnique { .. }
            | Operation::DropUnique { .. }
            | Operation::DropForeignKey { .. }
            | Operation::DropCheck { .. } => OnlineForm::InPlace,
            Operation::AlterColumn { table, column } => {
                let Some(old) = before.table(table).and_then(|t| t.column(&column.name)) else {
                    return OnlineForm::Copy;
                };
                // A VARCHAR widens in place only while its length prefix keeps its size: 1 byte
                // up to 255 bytes, 2 beyond. The charset decides bytes per character (1 for
                // latin1, 4 for utf8mb4), so only what holds for every charset counts.
                let same_prefix = |a: &u32, b: &u32| *a > 255 || *b * 4 <= 255;
                let same_type = old.ty == column.ty
                    || matches!((&old.ty, &column.ty), (SqlType::Varchar(a), SqlType::Varchar(b)) if b >= a && same_prefix(a, b));
                // A new character set or collation rewrites the column; a new expression
                // recomputes it.
                let same_storage = old.charset == column.charset
                    && old.collation == column.collation
                    && old.generated == column.generated;
                if same_type && same_storage && old.auto_increment == column.auto_increment {
                    OnlineForm::InPlace
                } else {
                    OnlineForm::Copy
                }
            }
            Operation::SetPrimaryKey { table, columns, .. } => {
                let auto_key = before
                    .table(table)
                    .is_some_and(|t| t.columns.iter().any(|c| c.auto_increment));
                if columns.is_empty() || auto_key {
                    OnlineForm::Copy
                } else {
                    OnlineForm::InPlace
                }
            }
            _ => OnlineForm::Copy,
        }
    }
}

impl Dialect for MysqlDialect {
    fn render_placed(
        &self,
        op: &Operation,
        before: &Schema,
        after: &Schema,
        ctx: &OpContext,
    ) -> Result<Vec<Statement>> {
        let mut statements = plain(op, self.render(op, before, after)?);
        if !ctx.online() {
            return Ok(statements);
        }
        let form = Self::online_form(op, before);
        // The clause goes on the statement that does the work: `ALTER TABLE t <clauses>`, or
        // `CREATE INDEX ... ON t (...)`, which takes it without commas. Statements chosen when
        // they run (the prepared ones that keep a foreign key's index) are left as they are.
        for statement in &mut statements {
            let sql = &mut statement.sql;
            let create_index = sql.starts_with("CREATE ") && sql.contains(" INDEX ");
            if !(sql.starts_with("ALTER TABLE ") || create_index) || sql.contains("@migrate_ddl") {
                continue;
            }
            match (form, create_index) {
                (OnlineForm::Instant, false) => sql.push_str(", ALGORITHM=INSTANT"),
                (OnlineForm::InPlace, false) => sql.push_str(", ALGORITHM=INPLACE, LOCK=NONE"),
                (OnlineForm::InPlace, true) => sql.push_str(" ALGORITHM=INPLACE LOCK=NONE"),
                _ => {}
            }
            break;
        }
        Ok(statements)
    }

    fn backend(&self) -> Backend {
        Backend::Mysql
    }

    fn quote(&self, name: &str) -> String {
        ServerDdl::quote(self, name)
    }

    fn literal(&self, text: &str) -> String {
        ServerDdl::literal(self, text)
    }

    fn render(&self, op: &Operation, before: &Schema, after: &Schema) -> Result<Vec<String>> {
        super::check_supported(Backend::Mysql, op, after)?;
        if before.enums.is_empty() && after.enums.is_empty() {
            return self.render_spelled(op, before, after);
        }
        let spell = |_: &Column, values: &[String]| self.enum_type(values);
        match op {
            // A MySQL enum lives in its columns: nothing to create or drop.
            Operation::CreateEnum(_) | Operation::DropEnum(_) => Ok(Vec::new()),
            Operation::AlterEnum { name, .. } => {
                Ok(self.modify_users(name, after, &enums::spell_schema(after, &spell)))
            }
            Operation::RenameEnumValue { name, from, to } => {
                // Widened to hold both values while the rows change, then narrowed.
                let both = enums::with_both(before.enum_values(name), from, to);
                let widened = |_: &Column, _: &[String]| self.enum_type(&both);
                let mut out =
                    self.modify_users(name, before, &enums::spell_schema(before, &widened));
                for (table, column) in after.enum_users(name) {
                    out.push(format!(
                        "UPDATE {t} SET {c} = {} WHERE {c} = {}",
                        ServerDdl::literal(self, to),
                        ServerDdl::literal(self, from),
                        t = ServerDdl::quote(self, &table.name),
                        c = ServerDdl::quote(self, &column.name)
                    ));
                }
                out.extend(self.modify_users(name, after, &enums::spell_schema(after, &spell)));
                Ok(out)
            }
            _ => self.render_spelled(
                &enums::spell_operation(op, after, &spell),
                &enums::spell_schema(before, &spell),
                &enums::spell_schema(after, &spell),
            ),
        }
    }

    fn create_history_table(&self) -> String {
        format!(
            "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (\n    \
             revision VARCHAR(255) NOT NULL PRIMARY KEY,\n    \
             message TEXT NOT NULL,\n    \
             checksum VARCHAR(64) NOT NULL,\n    \
             applied_at VARCHAR(32) NOT NULL,\n    \
             duration_ms BIGINT NOT NULL,\n    \
             state VARCHAR(16) NOT NULL\n)"
        )
    }
}

impl MysqlDialect {
    /// `ENUM('a', 'b')`.
    fn enum_type(&self, values: &[String]) -> String {
        let values: Vec<String> = values.iter().map(|v| ServerDdl::literal(self, v)).collect();
        format!("ENUM({})", values.join(", "))
    }

    /// `MODIFY COLUMN` of every column of the enum `name` in `raw`, as `spelled` (the same
    /// schema with its enum columns carrying the values wanted) defines it. A row holding a
    /// value left out makes the statement fail in strict mode, which leaves the table as it was.
    fn modify_users(&self, name: &str, raw: &Schema, spelled: &Schema) -> Vec<String> {
        raw.enum_users(name)
            .into_iter()
            .filter_map(|(table, column)| {
                let t = spelled.table(&table.name)?;
                Some(format!(
                    "ALTER TABLE {} MODIFY COLUMN {}",
                    ServerDdl::quote(self, &table.name),
                    self.column_def(t, t.column(&column.name)?)
                ))
            })
            .collect()
    }

    fn render_spelled(
        &self,
        op: &Operation,
        before: &Schema,
        after: &Schema,
    ) -> Result<Vec<String>> {
        let q = |name: &str| ServerDdl::quote(self, name);
        Ok(match op {
            Operation::AddColumn { table, column } => {
                let t = table_in(after, table)?;
                let column = t.column(&column.name).unwrap_or(column);
                vec![format!(
                    "ALTER TABLE {} ADD COLUMN {}",
                    q(table),
                    self.column_def(t, column)
                )]
            }
            Operation::DropIndex { table, name } => {
                let t = table_in(before, table)?;
                // MySQL refuses to drop the index a foreign key relies on; the key then gets one
                // of its own, named after it (which introspection counts as the key's).
                let needed_by = t
                    .indexes
                    .iter()
                    .find(|i| i.name == *name)
                    .and_then(|index| {
                        t.foreign_keys.iter().find(|fk| {
                            index.leads_with(&fk.columns)
                                && !t.indexes.iter().any(|other| {
                                    other.name != *name && other.leads_with(&fk.columns)
                                })
                                && !t.uniques.iter().any(|u| u.columns.starts_with(&fk.columns))
                                && !t.primary_key.starts_with(&fk.columns)
                        })
                    });
                let plain = format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name));
                match needed_by {
                    // Whether the key still has its own index depends on history MySQL keeps to
                    // itself, so the statement is chosen when it runs.
                    Some(fk) => self.when_index_exists(
                        table,
                        &fk.name,
                        &plain,
                        &format!(
                            "{plain}, ADD INDEX {} ({})",
                            q(&fk.name),
                            self.key_list(t, &fk.columns)
                        ),
                    ),
                    None => vec![plain],
                }
            }
            Operation::RenameTable { from, to } => {
                vec![format!("RENAME TABLE {} TO {}", q(from), q(to))]
            }
            Operation::CreateTable(table) => {
                let t = after.table(&table.name).unwrap_or(table);
                vec![self.create_table(t)]
            }
            Operation::AlterTableOptions { table, options } => {
                let old = table_in(before, table)?;
                let new = table_in(after, table)?;
                self.alter_table_options(new, &old.options, options)
            }
            Operation::AlterColumn { table, column } => {
                let old_table = table_in(before, table)?;
                let new_table = table_in(after, table)?;
                let old = old_table.column(&column.name).ok_or_else(|| {
                    Error::Operation(format!("column `{table}.{}` does not exist", column.name))
                })?;
                let mut out = Vec::new();
                if old.nullable && !column.nullable {
                    if let Some(default) = &column.default {
                        out.push(format!(
                            "UPDATE {} SET {} = {} WHERE {} IS NULL",
                            q(table),
                            q(&column.name),
                            self.default_sql(default, column),
                            q(&column.name)
                        ));
                    }
                }
                // MODIFY restates the whole column: type, nullability, default, AUTO_INCREMENT.
                out.push(format!(
                    "ALTER TABLE {} MODIFY COLUMN {}",
                    q(table),
                    self.column_def(new_table, column)
                ));
                out
            }
            Operation::SetPrimaryKey { table, columns, .. } => {
                let old = table_in(before, table)?;
                let new = table_in(after, table)?;
                let auto_key = |t: &Table| {
                    t.columns
                        .iter()
                        .find(|c| renders_auto_increment(t, c))
                        .cloned()
                };
                let mut clauses = Vec::new();
                // AUTO_INCREMENT must sit on a key: it leaves a column before its key goes, and
                // comes to the new key with it, all in one statement.
                if let Some(column) = auto_key(old) {
                    if let Some(now) = new
                        .column(&column.name)
                        .filter(|c| !renders_auto_increment(new, c))
                    {
                        clauses.push(format!("MODIFY COLUMN {}", self.column_def(new, now)));
                    }
                }
                if !old.primary_key.is_empty() {
                    clauses.push("DROP PRIMARY KEY".to_string());
                }
                if !columns.is_empty() {
                    clauses.push(format!("ADD PRIMARY KEY ({})", self.key_list(new, columns)));
                }
                let was_auto = |c: &Column| {
                    old.column(&c.name)
                        .is_some_and(|o| renders_auto_increment(old, o))
                };
                if let Some(column) = auto_key(new).filter(|c| !was_auto(c)) {
                    clauses.push(format!("MODIFY COLUMN {}", self.column_def(new, &column)));
                }
                if clauses.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("ALTER TABLE {} {}", q(table), clauses.join(", "))]
                }
            }
            Operation::DropUnique { table, name } => {
                vec![format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name))]
            }
            Operation::DropForeignKey { table, name } => {
                let mut out = vec![format!(
                    "ALTER TABLE {} DROP FOREIGN KEY {}",
                    q(table),
                    q(name)
                )];
                // The index MySQL made for the key, named after it, stays behind unless dropped;
                // it exists only when no other index covered the columns.
                out.extend(self.when_index_exists(
                    table,
                    name,
                    &format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name)),
                    "DO 0",
                ));
                out
            }
            Operation::DropCheck { table, name } => {
                vec![format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    q(table),
                    q(name)
                )]
            }
            Operation::CreateObject(_) | Operation::ReplaceObject(_) | Operation::DropObject(_) => {
                super::objects::render(Backend::Mysql, op, before, after)?
            }
            other => self.render_shared(other, after)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(before: &Schema, op: Operation) -> Vec<String> {
        let mut after = before.clone();
        op.apply(&mut after).unwrap();
        MysqlDialect.render(&op, before, &after).unwrap()
    }

    #[test]
    fn an_index_comment_is_written_in_the_index() {
        let mut table = Table::new("orders");
        table
            .columns
            .push(Column::new("note", SqlType::Varchar(100)));
        table.indexes.push(Index {
            comment: Some("it's by note".into()),
            ..Index::new("ix_orders_note", ["note"])
        });
        let sql = render(&Schema::default(), Operation::CreateTable(table.clone()));
        assert_eq!(
            sql,
            ["CREATE TABLE `orders` (\n    `note` VARCHAR(100) NOT NULL,\n    INDEX `ix_orders_note` (`note`) COMMENT 'it''s by note'\n)"]
        );
        let index = table.indexes.pop().unwrap();
        let sql = render(
            &Schema::new(vec![table]),
            Operation::CreateIndex {
                table: "orders".into(),
                index,
            },
        );
        assert_eq!(
            sql,
            ["CREATE INDEX `ix_orders_note` ON `orders` (`note`) COMMENT 'it''s by note'"]
        );
    }
}
