//! MySQL and MariaDB: backtick quoting, `AUTO_INCREMENT`, DDL that commits implicitly.

use super::common::{quote_with, ServerDdl};
use super::{Backend, Dialect, HISTORY_TABLE};
use crate::error::{Error, Result};
use crate::migration::Operation;
use crate::schema::{Column, Schema, SqlType, Table};

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

    /// `DATETIME(6)` wants its current time at the same precision.
    fn default_expr(&self, expr: &str, column: &Column) -> String {
        let fractional = matches!(column.ty, SqlType::Timestamp | SqlType::TimestampTz);
        if fractional
            && (expr.eq_ignore_ascii_case("CURRENT_TIMESTAMP")
                || expr.eq_ignore_ascii_case("now()"))
        {
            "CURRENT_TIMESTAMP(6)".to_string()
        } else if expr.starts_with('(')
            || expr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            expr.to_string()
        } else {
            // Expression defaults need parentheses on MySQL 8 and MariaDB.
            format!("({expr})")
        }
    }
}

impl MysqlDialect {
    /// Text and binary columns can only be indexed by a prefix here.
    const KEY_PREFIX: u32 = 255;

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
            SqlType::Custom(name) => name.clone(),
        }
    }
}

fn table_in<'a>(schema: &'a Schema, name: &str) -> Result<&'a Table> {
    schema
        .table(name)
        .ok_or_else(|| Error::Operation(format!("table `{name}` does not exist")))
}

impl Dialect for MysqlDialect {
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
        let q = |name: &str| ServerDdl::quote(self, name);
        Ok(match op {
            Operation::CreateTable(table) => {
                let mut out = vec![self.create_table(table)];
                out.extend(table.indexes.iter().map(|i| self.create_index(table, i)));
                out
            }
            Operation::DropTable(name) => vec![format!("DROP TABLE {}", q(name))],
            Operation::AddColumn { table, column } => {
                let t = table_in(after, table)?;
                let column = t.column(&column.name).unwrap_or(column);
                vec![format!("ALTER TABLE {} ADD COLUMN {}", q(table), self.column_def(t, column))]
            }
            Operation::DropColumn { table, column } => {
                vec![format!("ALTER TABLE {} DROP COLUMN {}", q(table), q(column))]
            }
            Operation::CreateIndex { table, index } => {
                vec![self.create_index(table_in(after, table)?, index)]
            }
            Operation::DropIndex { table, name } => vec![format!("DROP INDEX {} ON {}", q(name), q(table))],
            Operation::Sql(sql) => vec![sql.clone()],
            Operation::RenameTable { from, to } => vec![format!("RENAME TABLE {} TO {}", q(from), q(to))],
            Operation::RenameColumn { table, from, to } => vec![format!(
                "ALTER TABLE {} RENAME COLUMN {} TO {}",
                q(table),
                q(from),
                q(to)
            )],
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
            Operation::SetPrimaryKey { table, columns } => {
                let had_key = !table_in(before, table)?.primary_key.is_empty();
                let mut clauses = Vec::new();
                if had_key {
                    clauses.push("DROP PRIMARY KEY".to_string());
                }
                if !columns.is_empty() {
                    clauses.push(format!("ADD PRIMARY KEY ({})", self.key_list(table_in(after, table)?, columns)));
                }
                if clauses.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("ALTER TABLE {} {}", q(table), clauses.join(", "))]
                }
            }
            Operation::AddUnique { table, unique } => vec![format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
                q(table),
                q(&unique.name),
                self.key_list(table_in(after, table)?, &unique.columns)
            )],
            Operation::DropUnique { table, name } => {
                vec![format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name))]
            }
            Operation::AddForeignKey { table, foreign_key } => {
                vec![format!("ALTER TABLE {} ADD {}", q(table), self.foreign_key_clause(foreign_key))]
            }
            Operation::DropForeignKey { table, name } => vec![
                format!("ALTER TABLE {} DROP FOREIGN KEY {}", q(table), q(name)),
                // The index MySQL made for the key, named after it, stays behind unless dropped;
                // it exists only when no other index covered the columns.
                format!(
                    "SET @migrate_drop = (SELECT IF(COUNT(*) > 0, {}, 'DO 0') FROM information_schema.STATISTICS \
                     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {} AND INDEX_NAME = {})",
                    ServerDdl::literal(self, &format!("ALTER TABLE {} DROP INDEX {}", q(table), q(name))),
                    ServerDdl::literal(self, table),
                    ServerDdl::literal(self, name)
                ),
                "PREPARE migrate_drop FROM @migrate_drop".to_string(),
                "EXECUTE migrate_drop".to_string(),
                "DEALLOCATE PREPARE migrate_drop".to_string(),
            ],
            Operation::AddCheck { table, check } => vec![format!(
                "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
                q(table),
                q(&check.name),
                check.expr
            )],
            Operation::DropCheck { table, name } => {
                vec![format!("ALTER TABLE {} DROP CONSTRAINT {}", q(table), q(name))]
            }
        })
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
