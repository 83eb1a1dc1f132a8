//! The lock each operation takes and whether it rewrites the table, per backend, with stable
//! codes and a one-line fix: what `migrate-cli lint`, `check` and the summary of `migrate`
//! print. Pure: operations and schemas in, findings out.
//!
//! Codes ([`LintCode`]) name a kind of change and keep their meaning across versions:
//!
//! | code | change | code | hand-written `m.sql(...)` |
//! | --- | --- | --- | --- |
//! | L001 | index built | L101 | `CREATE INDEX` without `CONCURRENTLY` |
//! | L002 | index dropped | L102 | foreign key added without `NOT VALID` |
//! | L003 | foreign key added | L103 | check added without `NOT VALID` |
//! | L004 | check added | L104 | `SET NOT NULL` |
//! | L005 | column made NOT NULL | L105 | `ALTER COLUMN ... TYPE` |
//! | L006 | column type changed | L106 | `DROP INDEX` without `CONCURRENTLY` |
//! | L007 | NOT NULL over rows that may hold NULL | L107 | unique or primary key added without `USING INDEX` |
//! | L008 | column default or nullability dropped | L108 | `VACUUM FULL`, `CLUSTER`, `REINDEX` |
//! | L009 | column added | L121 | MySQL `ALTER TABLE` without `ALGORITHM` |
//! | L010 | change to a table this migration creates | | |
//! | L011 | column dropped | | |
//! | L012 | table dropped | | |
//! | L013 | table or column renamed | | |
//! | L014 | unique constraint added | | |
//! | L015 | constraint dropped | | |
//! | L016 | primary key replaced | L109 | `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` |
//! | L020 | data step | | |
//! | L021 | view created or replaced | | |
//! | L022 | materialized view created | | |
//! | L023 | trigger created on an existing table | | |
//! | L024 | trigger or policy dropped, policy created or changed | | |
//! | L025 | function, procedure, type, domain, sequence, extension or event created or changed | | |
//! | L026 | object dropped | | |

use serde::{Deserialize, Serialize};

use crate::dialect::{op_contexts, Backend, ExistingTables, MysqlDialect, OnlineForm, OpContext};
use crate::migration::Operation;
use crate::schema::{Schema, SqlType, TableOptions};
use crate::sqltext::{classify, tokens, Ddl};

/// The stable code of a finding: one kind of change, whose code keeps its meaning across
/// versions (`L0xx` for the operations API, `L1xx` for hand-written SQL). Printed and
/// serialised as the code (`L001`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LintCode {
    /// `L001`: index built.
    #[serde(rename = "L001")]
    IndexBuilt,
    /// `L002`: index dropped.
    #[serde(rename = "L002")]
    IndexDropped,
    /// `L003`: foreign key added.
    #[serde(rename = "L003")]
    ForeignKeyAdded,
    /// `L004`: check added.
    #[serde(rename = "L004")]
    CheckAdded,
    /// `L005`: column made NOT NULL.
    #[serde(rename = "L005")]
    NotNullSet,
    /// `L006`: column type changed.
    #[serde(rename = "L006")]
    TypeChanged,
    /// `L007`: NOT NULL over rows that may hold NULL.
    #[serde(rename = "L007")]
    NotNullOverNulls,
    /// `L008`: column default or nullability dropped.
    #[serde(rename = "L008")]
    NullabilityOrDefaultDropped,
    /// `L009`: column added.
    #[serde(rename = "L009")]
    ColumnAdded,
    /// `L010`: change to a table this migration creates.
    #[serde(rename = "L010")]
    NewTable,
    /// `L011`: column dropped.
    #[serde(rename = "L011")]
    ColumnDropped,
    /// `L012`: table dropped.
    #[serde(rename = "L012")]
    TableDropped,
    /// `L013`: table or column renamed.
    #[serde(rename = "L013")]
    Renamed,
    /// `L014`: unique constraint added.
    #[serde(rename = "L014")]
    UniqueAdded,
    /// `L015`: constraint dropped.
    #[serde(rename = "L015")]
    ConstraintDropped,
    /// `L016`: primary key replaced.
    #[serde(rename = "L016")]
    PrimaryKeyReplaced,
    /// `L017`: enum values added.
    #[serde(rename = "L017")]
    EnumValuesAdded,
    /// `L018`: enum values removed or reordered.
    #[serde(rename = "L018")]
    EnumValuesRemoved,
    /// `L019`: enum value renamed.
    #[serde(rename = "L019")]
    EnumValueRenamed,
    /// `L020`: data step.
    #[serde(rename = "L020")]
    DataStep,
    /// `L021`: view created or replaced.
    #[serde(rename = "L021")]
    ViewCreated,
    /// `L022`: materialized view created.
    #[serde(rename = "L022")]
    MaterializedViewCreated,
    /// `L023`: trigger created.
    #[serde(rename = "L023")]
    TriggerCreated,
    /// `L024`: trigger or policy dropped, policy created or changed.
    #[serde(rename = "L024")]
    TriggerOrPolicyChanged,
    /// `L025`: function, procedure, type, domain, sequence, extension or event created or changed.
    #[serde(rename = "L025")]
    ObjectChanged,
    /// `L026`: object dropped.
    #[serde(rename = "L026")]
    ObjectDropped,
    /// `L027`: exclusion constraint added.
    #[serde(rename = "L027")]
    ExclusionAdded,
    /// `L028`: table comment changed.
    #[serde(rename = "L028")]
    TableCommentChanged,
    /// `L101`: hand-written `CREATE INDEX` without `CONCURRENTLY`.
    #[serde(rename = "L101")]
    SqlIndexWithoutConcurrently,
    /// `L102`: hand-written foreign key added without `NOT VALID`.
    #[serde(rename = "L102")]
    SqlForeignKeyWithoutNotValid,
    /// `L103`: hand-written check added without `NOT VALID`.
    #[serde(rename = "L103")]
    SqlCheckWithoutNotValid,
    /// `L104`: hand-written `SET NOT NULL`.
    #[serde(rename = "L104")]
    SqlSetNotNull,
    /// `L105`: hand-written `ALTER COLUMN ... TYPE`.
    #[serde(rename = "L105")]
    SqlTypeChange,
    /// `L106`: hand-written `DROP INDEX` without `CONCURRENTLY`.
    #[serde(rename = "L106")]
    SqlDropIndexWithoutConcurrently,
    /// `L107`: hand-written unique or primary key added without `USING INDEX`.
    #[serde(rename = "L107")]
    SqlKeyWithoutIndex,
    /// `L108`: hand-written `VACUUM FULL`, `CLUSTER`, `REINDEX`.
    #[serde(rename = "L108")]
    SqlTableRewrite,
    /// `L109`: hand-written `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY`.
    #[serde(rename = "L109")]
    SqlRefreshWithoutConcurrently,
    /// `L121`: hand-written MySQL `ALTER TABLE` without `ALGORITHM`.
    #[serde(rename = "L121")]
    SqlWithoutAlgorithm,
}

impl LintCode {
    /// The code as printed: `L001`.
    pub fn as_str(self) -> &'static str {
        match self {
            LintCode::IndexBuilt => "L001",
            LintCode::IndexDropped => "L002",
            LintCode::ForeignKeyAdded => "L003",
            LintCode::CheckAdded => "L004",
            LintCode::NotNullSet => "L005",
            LintCode::TypeChanged => "L006",
            LintCode::NotNullOverNulls => "L007",
            LintCode::NullabilityOrDefaultDropped => "L008",
            LintCode::ColumnAdded => "L009",
            LintCode::NewTable => "L010",
            LintCode::ColumnDropped => "L011",
            LintCode::TableDropped => "L012",
            LintCode::Renamed => "L013",
            LintCode::UniqueAdded => "L014",
            LintCode::ConstraintDropped => "L015",
            LintCode::PrimaryKeyReplaced => "L016",
            LintCode::EnumValuesAdded => "L017",
            LintCode::EnumValuesRemoved => "L018",
            LintCode::EnumValueRenamed => "L019",
            LintCode::DataStep => "L020",
            LintCode::ViewCreated => "L021",
            LintCode::MaterializedViewCreated => "L022",
            LintCode::TriggerCreated => "L023",
            LintCode::TriggerOrPolicyChanged => "L024",
            LintCode::ObjectChanged => "L025",
            LintCode::ObjectDropped => "L026",
            LintCode::ExclusionAdded => "L027",
            LintCode::TableCommentChanged => "L028",
            LintCode::SqlIndexWithoutConcurrently => "L101",
            LintCode::SqlForeignKeyWithoutNotValid => "L102",
            LintCode::SqlCheckWithoutNotValid => "L103",
            LintCode::SqlSetNotNull => "L104",
            LintCode::SqlTypeChange => "L105",
            LintCode::SqlDropIndexWithoutConcurrently => "L106",
            LintCode::SqlKeyWithoutIndex => "L107",
            LintCode::SqlTableRewrite => "L108",
            LintCode::SqlRefreshWithoutConcurrently => "L109",
            LintCode::SqlWithoutAlgorithm => "L121",
        }
    }
}

impl std::fmt::Display for LintCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// What the change locks, for the record.
    Info,
    /// A lock or rewrite that writers will feel, or a step that may fail on existing rows;
    /// unavoidable with the operations API.
    Warning,
    /// A dangerous form in hand-written SQL that has a safe one: `lint` and `check` exit 1.
    Error,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One operation on one backend: its lock, whether it rewrites the table, and a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code (`L001`, ...; see [`LintCode`]).
    pub code: LintCode,
    /// How much it matters.
    pub severity: Severity,
    /// `postgres` or `mysql`.
    pub backend: String,
    /// The revision, when linting migrations.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub revision: String,
    /// The table it changes, when known.
    pub table: Option<String>,
    /// The operation, as a person reads it (`create index ix_posts_title on posts`).
    pub operation: String,
    /// The lock it takes, and for how long.
    pub lock: String,
    /// Whether the table is rewritten (or copied).
    pub rewrite: bool,
    /// What happens, in one line.
    pub note: String,
    /// What to do about it, in one line.
    pub fix: Option<String>,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {:<7} {:<8} {}: {}; {}; {}",
            self.code,
            self.severity,
            self.backend,
            self.operation,
            self.lock,
            if self.rewrite {
                "rewrites the table"
            } else {
                "no rewrite"
            },
            self.note
        )?;
        if let Some(fix) = &self.fix {
            write!(f, "\n    fix: {fix}")?;
        }
        Ok(())
    }
}

/// The backends `lint` looks at when none is named: the servers, where locks matter (SQLite
/// has one writer at a time, and every migration holds the database's write lock).
pub const SERVER_BACKENDS: [Backend; 2] = [Backend::Postgres, Backend::Mysql];

fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
        Backend::Mysql => "mysql",
    }
}

/// The findings of `ops`, one migration starting from `start`, on `backend` (PostgreSQL or
/// MySQL; SQLite has none); `safe` is the migration's choice (`SAFE_DDL`).
pub fn lint_operations(
    backend: Backend,
    start: &Schema,
    ops: &[Operation],
    safe: bool,
) -> Vec<Finding> {
    if backend == Backend::Sqlite {
        return Vec::new();
    }
    let contexts = op_contexts(start, ops, safe);
    let mut existing = ExistingTables::new(start);
    let mut schema = start.clone();
    let mut out = Vec::new();
    for (op, ctx) in ops.iter().zip(&contexts) {
        let before = schema.clone();
        // An operation that does not fit is the runner's error to report, not the lint's.
        if op.apply(&mut schema).is_err() {
            break;
        }
        let finding = match backend {
            Backend::Postgres => postgres(op, &before, ctx, &existing),
            _ => mysql(op, &before, ctx, &existing),
        };
        out.extend(finding.into_iter().map(|mut f| {
            f.backend = backend_name(backend).to_string();
            // A migration that opted out chose the plain forms: said, but not failed on.
            if !safe && f.severity == Severity::Error {
                f.severity = Severity::Warning;
                f.note.push_str(" (this migration sets SAFE_DDL = false)");
            }
            f
        }));
        existing.follow(op);
    }
    out
}

/// The findings of the `up` of the migrations `set.ordered()[range]` on each of `backends`, in
/// apply order, each tagged with its revision.
pub fn lint_migrations(
    set: &crate::runner::MigrationSet,
    range: std::ops::Range<usize>,
    backends: &[Backend],
) -> crate::error::Result<Vec<Finding>> {
    let mut out = Vec::new();
    for i in range {
        let Some(m) = set.ordered().get(i) else {
            break;
        };
        let start = set.schema_at(i.checked_sub(1).map(|p| set.ordered()[p].revision))?;
        let ops = m.up_operations();
        for backend in backends {
            out.extend(
                lint_operations(*backend, start, &ops, m.safe_ddl)
                    .into_iter()
                    .map(|mut f| {
                        f.revision = m.revision.to_string();
                        f
                    }),
            );
        }
    }
    Ok(out)
}

struct Draft {
    code: LintCode,
    severity: Severity,
    table: Option<String>,
    operation: String,
    lock: String,
    rewrite: bool,
    note: String,
    fix: Option<String>,
}

impl Draft {
    fn new(code: LintCode, severity: Severity, op: &Operation, lock: &str) -> Self {
        Draft {
            code,
            severity,
            table: op.table().map(str::to_string),
            operation: describe(op),
            lock: lock.to_string(),
            rewrite: false,
            note: String::new(),
            fix: None,
        }
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    fn rewrite(mut self) -> Self {
        self.rewrite = true;
        self
    }

    /// Names the table (or tables) it is about, where the operation does not: raw SQL, an
    /// enum's change.
    fn on(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    fn done(self) -> Finding {
        Finding {
            code: self.code,
            severity: self.severity,
            backend: String::new(),
            revision: String::new(),
            table: self.table,
            operation: self.operation,
            lock: self.lock,
            rewrite: self.rewrite,
            note: self.note,
            fix: self.fix,
        }
    }
}

/// The operation as a person reads it.
pub fn describe(op: &Operation) -> String {
    match op {
        Operation::CreateTable(t) => format!("create table {}", t.name),
        Operation::DropTable(t) => format!("drop table {t}"),
        Operation::AddColumn { table, column } => format!("add column {table}.{}", column.name),
        Operation::DropColumn { table, column } => format!("drop column {table}.{column}"),
        Operation::CreateIndex { table, index } => format!(
            "create {}index {} on {table}",
            if index.unique { "unique " } else { "" },
            index.name
        ),
        Operation::DropIndex { table, name } => format!("drop index {name} on {table}"),
        Operation::Sql(sql) => {
            let one_line: String = sql.split_whitespace().collect::<Vec<_>>().join(" ");
            let short: String = one_line.chars().take(60).collect();
            if short.len() < one_line.len() {
                format!("sql `{short}...`")
            } else {
                format!("sql `{short}`")
            }
        }
        Operation::Rust(step) => format!("data step {}", step.name),
        Operation::Irreversible(_) => "irreversible".to_string(),
        Operation::RenameTable { from, to } => format!("rename table {from} to {to}"),
        Operation::RenameColumn { table, from, to } => {
            format!("rename column {table}.{from} to {to}")
        }
        Operation::AlterColumn { table, column } => format!("alter column {table}.{}", column.name),
        Operation::SetPrimaryKey { table, .. } => format!("set primary key of {table}"),
        Operation::AlterTableOptions { table, .. } => format!("alter table options of {table}"),
        Operation::AddExclusion { table, exclusion } => {
            format!("add exclusion {} on {table}", exclusion.name)
        }
        Operation::DropExclusion { table, name } => format!("drop exclusion {name} on {table}"),
        Operation::AddUnique { table, unique } => format!("add unique {} on {table}", unique.name),
        Operation::DropUnique { table, name } => format!("drop unique {name} on {table}"),
        Operation::AddForeignKey { table, foreign_key } => {
            format!("add foreign key {} on {table}", foreign_key.name)
        }
        Operation::DropForeignKey { table, name } => format!("drop foreign key {name} on {table}"),
        Operation::AddCheck { table, check } => format!("add check {} on {table}", check.name),
        Operation::DropCheck { table, name } => format!("drop check {name} on {table}"),
        Operation::CreateEnum(e) => format!("create enum {}", e.name),
        Operation::DropEnum(name) => format!("drop enum {name}"),
        Operation::AlterEnum { name, values } => {
            format!("alter enum {name} to ({})", values.join(", "))
        }
        Operation::RenameEnumValue { name, from, to } => {
            format!("rename enum value {name}.{from} to {to}")
        }
        Operation::CreateObject(object) => format!("create {}", object.key()),
        Operation::ReplaceObject(object) => format!("replace {}", object.key()),
        Operation::DropObject(key) => format!("drop {key}"),
    }
}

/// The finding of a change to an enum type, which reaches every table that uses it; `None`
/// when `op` is no enum change, `Some(None)` for one that touches no table.
fn enum_change(op: &Operation, before: &Schema, backend: Backend) -> Option<Option<Finding>> {
    use Severity::*;
    let name = match op {
        Operation::CreateEnum(_) | Operation::DropEnum(_) => return Some(None),
        Operation::AlterEnum { name, .. } | Operation::RenameEnumValue { name, .. } => name,
        _ => return None,
    };
    let users: Vec<String> = before
        .enum_users(name)
        .iter()
        .map(|(t, c)| format!("{}.{}", t.name, c.name))
        .collect();
    if users.is_empty() {
        return Some(None);
    }
    let tables = users.join(", ");
    let only_added = match op {
        Operation::AlterEnum { values, .. } => {
            crate::dialect::enum_only_added(before.enum_values(name), values)
        }
        _ => false,
    };
    let draft = match (backend, op) {
        (Backend::Postgres, Operation::AlterEnum { .. }) if only_added => {
            Draft::new(LintCode::EnumValuesAdded, Info, op, "ACCESS EXCLUSIVE on the type, briefly")
                .note("ALTER TYPE ... ADD VALUE: no row is read or rewritten")
        }
        (Backend::Postgres, Operation::AlterEnum { .. }) => Draft::new(
            LintCode::EnumValuesRemoved,
            Warning,
            op,
            "ACCESS EXCLUSIVE on every table using it while its rows are converted",
        )
        .rewrite()
        .note(format!("the type is recreated and {tables} rewritten through text"))
        .fix("add values instead of removing or reordering them; on big tables, plan the removal off-peak"),
        (Backend::Postgres, _) => Draft::new(LintCode::EnumValueRenamed, Info, op, "ACCESS EXCLUSIVE on the type, briefly")
            .note("ALTER TYPE ... RENAME VALUE: no row is rewritten"),
        (_, Operation::AlterEnum { .. }) if only_added => Draft::new(
            LintCode::EnumValuesAdded,
            Info,
            op,
            "the server's choice: in place when the values only grow",
        )
        .note(format!("MODIFY COLUMN of {tables}")),
        (_, Operation::AlterEnum { .. }) => Draft::new(LintCode::EnumValuesRemoved, Warning, op, "COPY: writes wait for the copy")
            .rewrite()
            .note(format!("values removed or reordered: the server copies the tables of {tables}"))
            .fix("add values instead of removing or reordering them; on big tables, schedule it off-peak"),
        _ => Draft::new(LintCode::EnumValueRenamed, Warning, op, "COPY: writes wait for the copy")
            .rewrite()
            .note(format!(
                "widened, rows updated, narrowed: the tables of {tables} are copied"
            ))
            .fix("on a big table, schedule it off-peak"),
    };
    Some(Some(draft.on(tables).done()))
}

/// Why a change to an existing table kept its plain form, as a fix.
fn plain_because(ctx: &OpContext, table: &str) -> String {
    if !ctx.safe {
        "remove `pub const SAFE_DDL: bool = false;` from the module to get the online form".into()
    } else {
        format!(
            "move the later change to {table} that depends on this one into a migration of its own, so this one can run after the transaction"
        )
    }
}

/// Whether PostgreSQL changes `from` to `to` without rewriting the table (binary-coercible).
fn pg_coercible(from: &SqlType, to: &SqlType) -> bool {
    match (from, to) {
        (SqlType::Varchar(a), SqlType::Varchar(b)) => b >= a,
        (SqlType::Varchar(_), SqlType::Text) => true,
        (SqlType::Numeric(Some((p1, s1))), SqlType::Numeric(Some((p2, s2)))) => {
            p2 >= p1 && s1 == s2
        }
        (SqlType::Numeric(Some(_)), SqlType::Numeric(None)) => true,
        _ => false,
    }
}

/// A default PostgreSQL must evaluate per row when the column is added: the table is rewritten.
fn volatile_default(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    [
        "random(",
        "gen_random_uuid(",
        "uuid_generate",
        "clock_timestamp(",
        "nextval(",
    ]
    .iter()
    .any(|f| lower.contains(f))
}

fn postgres(
    op: &Operation,
    before: &Schema,
    ctx: &OpContext,
    existing: &ExistingTables,
) -> Option<Finding> {
    use Severity::*;
    if let Operation::Sql(sql) = op {
        if let Some(finding) = refresh_materialized_view(op, sql, before) {
            return Some(finding);
        }
        return postgres_sql(op, sql, existing);
    }
    if let Operation::Rust(_) = op {
        return Some(
            Draft::new(
                LintCode::DataStep,
                Info,
                op,
                "row locks of what it writes, until commit",
            )
            .note("runs in the migration's transaction")
            .done(),
        );
    }
    if let Some(finding) = enum_change(op, before, Backend::Postgres) {
        return finding;
    }
    if let Some(finding) = object_change(op, before, ctx, Backend::Postgres) {
        return finding;
    }
    let table = op.table()?.to_string();
    if !ctx.existing_table {
        return Some(
            Draft::new(
                LintCode::NewTable,
                Info,
                op,
                "ACCESS EXCLUSIVE on a table no other session sees yet",
            )
            .note("the table is created by this migration")
            .done(),
        );
    }
    let online = ctx.online_after();
    Some(match op {
        Operation::CreateIndex { .. } if online => Draft::new(LintCode::IndexBuilt, Info, op, "SHARE UPDATE EXCLUSIVE")
            .note("built CONCURRENTLY after the transaction; reads and writes go on")
            .done(),
        Operation::CreateIndex { .. } => Draft::new(LintCode::IndexBuilt, Warning, op, "SHARE for the whole build")
            .note(format!("writes to {table} wait until the index is built"))
            .fix(plain_because(ctx, &table))
            .done(),
        Operation::DropIndex { .. } if online => Draft::new(LintCode::IndexDropped, Info, op, "SHARE UPDATE EXCLUSIVE")
            .note("dropped CONCURRENTLY after the transaction")
            .done(),
        Operation::DropIndex { .. } => Draft::new(LintCode::IndexDropped, Info, op, "ACCESS EXCLUSIVE, briefly")
            .note("queued behind running queries on the table, and everything queues behind it")
            .done(),
        Operation::AddForeignKey { foreign_key, .. } if online => Draft::new(
            LintCode::ForeignKeyAdded,
            Info,
            op,
            &format!("SHARE ROW EXCLUSIVE on {table} and {} briefly, then SHARE UPDATE EXCLUSIVE", foreign_key.ref_table),
        )
        .note("added NOT VALID, validated after the transaction; writes go on")
        .done(),
        Operation::AddForeignKey { foreign_key, .. } => Draft::new(
            LintCode::ForeignKeyAdded,
            Warning,
            op,
            &format!("SHARE ROW EXCLUSIVE on {table} and {} while every row is checked", foreign_key.ref_table),
        )
        .note("writes to both tables wait for the validation")
        .fix(plain_because(ctx, &table))
        .done(),
        Operation::AddCheck { .. } if online => Draft::new(LintCode::CheckAdded, Info, op, "ACCESS EXCLUSIVE briefly, then SHARE UPDATE EXCLUSIVE")
            .note("added NOT VALID, validated after the transaction; writes go on")
            .done(),
        Operation::AddCheck { .. } => Draft::new(LintCode::CheckAdded, Warning, op, "ACCESS EXCLUSIVE while every row is checked")
            .note(format!("reads and writes of {table} wait for the validation"))
            .fix(plain_because(ctx, &table))
            .done(),
        Operation::AlterColumn { column, .. } => {
            let old = before.table(&table)?.column(&column.name)?;
            if old.ty != column.ty {
                if pg_coercible(&old.ty, &column.ty) {
                    Draft::new(LintCode::TypeChanged, Info, op, "ACCESS EXCLUSIVE, briefly")
                        .note(format!("{} -> {} needs no rewrite", old.ty, column.ty))
                        .done()
                } else {
                    Draft::new(LintCode::TypeChanged, Warning, op, "ACCESS EXCLUSIVE for the whole rewrite")
                        .rewrite()
                        .note(format!("{} -> {} rewrites {table}: reads and writes wait", old.ty, column.ty))
                        .fix("on a big table, add a new column, backfill it in batches, then swap the names")
                        .done()
                }
            } else if old.nullable && !column.nullable {
                let mut d = if online {
                    Draft::new(LintCode::NotNullSet, Info, op, "ACCESS EXCLUSIVE briefly, then SHARE UPDATE EXCLUSIVE")
                        .note("CHECK (column IS NOT NULL) NOT VALID, validated after the transaction, then SET NOT NULL without a scan")
                } else {
                    Draft::new(LintCode::NotNullSet, Warning, op, "ACCESS EXCLUSIVE while every row is scanned")
                        .note(format!("reads and writes of {table} wait for the scan"))
                        .fix(plain_because(ctx, &table))
                };
                if column.default.is_none() {
                    // Unavoidable: the rows the migration meets decide.
                    d.code = LintCode::NotNullOverNulls;
                    d.severity = Warning;
                    d.note = format!("{}; fails if {table}.{} holds NULLs", d.note, column.name);
                    d.fix = Some("fill the NULLs first (an `m.sql(\"UPDATE ...\")` step, or give the column a default)".into());
                }
                d.done()
            } else {
                Draft::new(LintCode::NullabilityOrDefaultDropped, Info, op, "ACCESS EXCLUSIVE, briefly")
                    .note("catalog change only")
                    .done()
            }
        }
        Operation::AddColumn { column, .. } => {
            let volatile = matches!(&column.default, Some(crate::schema::DefaultValue::Sql(e)) if volatile_default(e));
            if volatile || column.auto_increment {
                Draft::new(LintCode::ColumnAdded, Warning, op, "ACCESS EXCLUSIVE for the whole rewrite")
                    .rewrite()
                    .note(format!("the default is computed per row, so {table} is rewritten"))
                    .fix("add the column without a default, set it in batches, then add the default")
                    .done()
            } else if !column.nullable && column.default.is_none() {
                Draft::new(LintCode::ColumnAdded, Warning, op, "ACCESS EXCLUSIVE, briefly")
                    .note(format!("NOT NULL without a default fails if {table} has rows"))
                    .fix("give the column a default, or add it nullable and fill it")
                    .done()
            } else {
                Draft::new(LintCode::ColumnAdded, Info, op, "ACCESS EXCLUSIVE, briefly")
                    .note("a constant default is stored once, not written to every row")
                    .done()
            }
        }
        Operation::DropColumn { .. } => Draft::new(LintCode::ColumnDropped, Info, op, "ACCESS EXCLUSIVE, briefly")
            .note("the column is hidden, its space reclaimed by later writes")
            .done(),
        Operation::DropTable(_) => Draft::new(LintCode::TableDropped, Info, op, "ACCESS EXCLUSIVE, briefly").note("the table and its rows go").done(),
        Operation::RenameTable { .. } | Operation::RenameColumn { .. } => {
            Draft::new(LintCode::Renamed, Info, op, "ACCESS EXCLUSIVE, briefly")
                .note("running application code that uses the old name fails from the commit on")
                .done()
        }
        Operation::AddUnique { .. } => Draft::new(LintCode::UniqueAdded, Warning, op, "SHARE while the unique index is built")
            .note(format!("writes to {table} wait until the index is built"))
            .fix("on a big table, build `CREATE UNIQUE INDEX CONCURRENTLY` in one migration and `ADD CONSTRAINT ... UNIQUE USING INDEX` in the next (m.sql)")
            .done(),
        Operation::DropUnique { .. } | Operation::DropForeignKey { .. } | Operation::DropCheck { .. } | Operation::DropExclusion { .. } => {
            Draft::new(LintCode::ConstraintDropped, Info, op, "ACCESS EXCLUSIVE, briefly").note("catalog change only").done()
        }
        Operation::AddExclusion { .. } => Draft::new(LintCode::ExclusionAdded, Warning, op, "ACCESS EXCLUSIVE while its index is built and every row checked")
            .note(format!("reads and writes of {table} wait until the constraint is built"))
            .done(),
        // Only the comment: COMMENT ON changes the catalog. Other option changes (partitioning,
        // inheritance) have no note yet.
        Operation::AlterTableOptions { options, .. }
            if before.table(&table).is_some_and(|t| {
                TableOptions { comment: options.comment.clone(), ..t.options.clone() } == *options
            }) =>
        {
            Draft::new(LintCode::TableCommentChanged, Info, op, "SHARE UPDATE EXCLUSIVE, briefly").note("catalog change only").done()
        }
        Operation::SetPrimaryKey { .. } => Draft::new(LintCode::PrimaryKeyReplaced, Warning, op, "ACCESS EXCLUSIVE while the key's index is built")
            .note(format!("reads and writes of {table} wait"))
            .fix("on a big table, build a unique index CONCURRENTLY first and add the key with `ADD PRIMARY KEY USING INDEX` (m.sql)")
            .done(),
        _ => return None,
    })
}

fn postgres_sql(op: &Operation, sql: &str, existing: &ExistingTables) -> Option<Finding> {
    use Severity::*;
    let ddl = classify(sql)?;
    let on_existing = |table: &str| existing.contains(table);
    Some(match ddl {
        Ddl::CreateIndex { table, concurrently: true, .. } => Draft::new(LintCode::IndexBuilt, Info, op, "SHARE UPDATE EXCLUSIVE")
            .on(&table)
            .note("CONCURRENTLY: the runner runs it after the transaction; reads and writes go on")
            .done(),
        Ddl::CreateIndex { table, .. } if on_existing(&table) => Draft::new(LintCode::SqlIndexWithoutConcurrently, Error, op, "SHARE for the whole build")
            .on(&table)
            .note(format!("CREATE INDEX without CONCURRENTLY: writes to {table} wait until it is built"))
            .fix("write CREATE INDEX CONCURRENTLY (the runner runs it after the transaction), or use m.create_index")
            .done(),
        Ddl::DropIndex { concurrently: false, .. } => Draft::new(LintCode::SqlDropIndexWithoutConcurrently, Warning, op, "ACCESS EXCLUSIVE, briefly")
            .note("DROP INDEX without CONCURRENTLY queues behind running queries, and everything queues behind it")
            .fix("write DROP INDEX CONCURRENTLY IF EXISTS, or use m.drop_index")
            .done(),
        Ddl::AlterTable { table, adds_foreign_key: true, not_valid: false, .. } if on_existing(&table) => Draft::new(LintCode::SqlForeignKeyWithoutNotValid, Error, op, "SHARE ROW EXCLUSIVE on both tables while every row is checked")
            .on(&table)
            .note("a foreign key added without NOT VALID: writes wait for the validation")
            .fix("use m.add_foreign_key (NOT VALID, validated after the transaction), or add it NOT VALID here and VALIDATE CONSTRAINT in a later migration")
            .done(),
        Ddl::AlterTable { table, adds_check: true, not_valid: false, .. } if on_existing(&table) => Draft::new(LintCode::SqlCheckWithoutNotValid, Error, op, "ACCESS EXCLUSIVE while every row is checked")
            .on(&table)
            .note("a check added without NOT VALID: reads and writes wait for the validation")
            .fix("use m.add_check (NOT VALID, validated after the transaction), or add it NOT VALID here and VALIDATE CONSTRAINT in a later migration")
            .done(),
        Ddl::AlterTable { table, sets_not_null: true, .. } if on_existing(&table) => Draft::new(LintCode::SqlSetNotNull, Error, op, "ACCESS EXCLUSIVE while every row is scanned")
            .on(&table)
            .note("SET NOT NULL scans the table unless a validated CHECK (column IS NOT NULL) exists")
            .fix("use m.alter_column(...) without .nullable() (NOT NULL through a validated check)")
            .done(),
        Ddl::AlterTable { table, changes_type: true, .. } if on_existing(&table) => Draft::new(LintCode::SqlTypeChange, Error, op, "ACCESS EXCLUSIVE for the whole rewrite")
            .on(&table)
            .note("ALTER COLUMN TYPE rewrites the table unless the types are binary-coercible")
            .rewrite()
            .fix("use m.alter_column (lint then says whether it rewrites), or add a new column, backfill it in batches and swap")
            .done(),
        Ddl::AlterTable { table, adds_key_without_index: true, .. } if on_existing(&table) => Draft::new(LintCode::SqlKeyWithoutIndex, Error, op, "SHARE (unique) or ACCESS EXCLUSIVE (primary key) while the index is built")
            .on(&table)
            .note("a unique or primary key built inside the statement: writes wait")
            .fix("CREATE UNIQUE INDEX CONCURRENTLY in one migration, then ADD CONSTRAINT ... USING INDEX in the next")
            .done(),
        Ddl::Rewrite { table } => Draft {
            table,
            ..Draft::new(LintCode::SqlTableRewrite, Error, op, "ACCESS EXCLUSIVE for the whole rewrite")
                .note("VACUUM FULL, CLUSTER and REINDEX rewrite under an exclusive lock")
                .fix("REINDEX ... CONCURRENTLY, or pg_repack, outside the migration")
                .rewrite()
        }
        .done(),
        _ => return None,
    })
}

fn mysql(
    op: &Operation,
    before: &Schema,
    ctx: &OpContext,
    existing: &ExistingTables,
) -> Option<Finding> {
    use Severity::*;
    if let Operation::Sql(sql) = op {
        let table = crate::sqltext::table_of(sql)?;
        if !existing.contains(&table) {
            return None;
        }
        let states = tokens(sql).iter().any(|t| t.is("ALGORITHM"));
        let ddl = matches!(
            classify(sql),
            Some(Ddl::AlterTable { .. } | Ddl::CreateIndex { .. })
        );
        if !ddl || states {
            return None;
        }
        return Some(
            Draft::new(LintCode::SqlWithoutAlgorithm, Warning, op, "the server's choice")
                .on(table)
                .note("no ALGORITHM stated: the server may copy the table while writes wait")
                .fix("state `ALGORITHM=INPLACE, LOCK=NONE` (or INSTANT) so the server refuses instead of copying")
                .done(),
        );
    }
    if let Operation::Rust(_) = op {
        return Some(
            Draft::new(LintCode::DataStep, Info, op, "row locks of what it writes")
                .note("each statement commits as it goes on MySQL")
                .done(),
        );
    }
    if let Some(finding) = enum_change(op, before, Backend::Mysql) {
        return finding;
    }
    if let Some(finding) = object_change(op, before, ctx, Backend::Mysql) {
        return finding;
    }
    let table = op.table()?.to_string();
    if !ctx.existing_table {
        return Some(
            Draft::new(
                LintCode::NewTable,
                Info,
                op,
                "on a table no application uses yet",
            )
            .note("the table is created by this migration")
            .done(),
        );
    }
    let code = match op {
        Operation::CreateIndex { .. } => LintCode::IndexBuilt,
        Operation::DropIndex { .. } => LintCode::IndexDropped,
        Operation::AddForeignKey { .. } => LintCode::ForeignKeyAdded,
        Operation::AddCheck { .. } => LintCode::CheckAdded,
        Operation::AlterColumn { column, .. } => {
            let old = before.table(&table)?.column(&column.name)?;
            if old.ty != column.ty {
                LintCode::TypeChanged
            } else if old.nullable && !column.nullable {
                if column.default.is_none() {
                    LintCode::NotNullOverNulls
                } else {
                    LintCode::NotNullSet
                }
            } else {
                LintCode::NullabilityOrDefaultDropped
            }
        }
        Operation::AddColumn { .. } => LintCode::ColumnAdded,
        Operation::DropColumn { .. } => LintCode::ColumnDropped,
        Operation::DropTable(_) => LintCode::TableDropped,
        Operation::RenameTable { .. } | Operation::RenameColumn { .. } => LintCode::Renamed,
        Operation::AddUnique { .. } => LintCode::UniqueAdded,
        Operation::DropUnique { .. }
        | Operation::DropForeignKey { .. }
        | Operation::DropCheck { .. } => LintCode::ConstraintDropped,
        Operation::SetPrimaryKey { .. } => LintCode::PrimaryKeyReplaced,
        _ => return None,
    };
    if matches!(op, Operation::DropTable(_) | Operation::RenameTable { .. }) {
        return Some(
            Draft::new(code, Info, op, "metadata lock, briefly")
                .note("no ALGORITHM clause applies")
                .done(),
        );
    }
    if !ctx.safe {
        return Some(
            Draft::new(code, Info, op, "the server's choice")
                .note("no ALGORITHM stated (SAFE_DDL = false): the server may copy the table")
                .done(),
        );
    }
    let form = MysqlDialect::online_form(op, before);
    // Changes that rebuild the table in place still let writes go on.
    let rebuilds = matches!(
        op,
        Operation::AlterColumn { .. } | Operation::SetPrimaryKey { .. }
    );
    let mut d = match form {
        OnlineForm::Instant => Draft::new(code, Info, op, "ALGORITHM=INSTANT")
            .note("metadata only; reads and writes go on"),
        OnlineForm::InPlace => {
            let d = Draft::new(code, Info, op, "ALGORITHM=INPLACE, LOCK=NONE")
                .note("reads and writes go on; the server refuses rather than copy");
            if rebuilds {
                d.rewrite()
            } else {
                d
            }
        }
        OnlineForm::Copy => Draft::new(code, Warning, op, "COPY: writes wait for the copy")
            .rewrite()
            .note(format!("no online form: the server copies {table}"))
            .fix(match op {
                Operation::AddForeignKey { .. } => "on a big table, schedule it off-peak, or use an online schema change tool (gh-ost, pt-online-schema-change)",
                _ => "on a big table, schedule it off-peak, or use an online schema change tool (gh-ost, pt-online-schema-change)",
            }),
    };
    if code == LintCode::NotNullOverNulls {
        d.severity = Warning;
        d.note = format!("{}; fails if {table} holds NULLs in the column", d.note);
        d.fix = Some(
            "fill the NULLs first (an `m.sql(\"UPDATE ...\")` step, or give the column a default)"
                .into(),
        );
    }
    Some(d.done())
}

/// The finding of an object's creation, change or drop; `None` when `op` is none of them.
fn object_change(
    op: &Operation,
    before: &Schema,
    ctx: &OpContext,
    backend: Backend,
) -> Option<Option<Finding>> {
    use crate::objects::ObjectKind::*;
    use Severity::*;
    let (key, replace) = match op {
        Operation::CreateObject(o) => (o.key(), false),
        Operation::ReplaceObject(o) => (o.key(), true),
        Operation::DropObject(key) => {
            let draft = match key.kind {
                Trigger | Policy => Draft::new(
                    LintCode::TriggerOrPolicyChanged,
                    Info,
                    op,
                    if backend == Backend::Postgres {
                        "ACCESS EXCLUSIVE on the table, briefly"
                    } else {
                        "metadata lock on the table, briefly"
                    },
                )
                .note(
                    "queued behind running queries on the table, and everything queues behind it",
                ),
                _ => Draft::new(
                    LintCode::ObjectDropped,
                    Info,
                    op,
                    "ACCESS EXCLUSIVE on the object, briefly",
                )
                .note("queries and code that use it fail from the commit on"),
            };
            return Some(Some(draft.done()));
        }
        _ => return None,
    };
    let pg = backend == Backend::Postgres;
    let draft = match key.kind {
        View => Draft::new(
            LintCode::ViewCreated,
            Info,
            op,
            if pg {
                "ACCESS EXCLUSIVE on the view, briefly"
            } else {
                "metadata lock on the view, briefly"
            },
        )
        .note(if replace {
            "CREATE OR REPLACE VIEW changes the catalog only: no table is read or locked for long"
        } else {
            "catalog change only: no table is read"
        }),
        MaterializedView => Draft::new(LintCode::MaterializedViewCreated, Info, op, "ACCESS SHARE on the tables it reads while it runs its query")
            .note("the query runs once to fill it: its time grows with the tables it reads; writers go on"),
        Trigger if ctx.existing_table => Draft::new(
            LintCode::TriggerCreated,
            Info,
            op,
            if pg {
                "SHARE ROW EXCLUSIVE on the table, briefly"
            } else {
                "metadata lock on the table, briefly"
            },
        )
        .note("writes to the table wait while it is added; it fires from the commit on"),
        Trigger => Draft::new(LintCode::TriggerCreated, Info, op, "on a table no other session sees yet")
            .note("the table is created by this migration"),
        Policy => Draft::new(LintCode::TriggerOrPolicyChanged, Info, op, "ACCESS EXCLUSIVE on the table, briefly")
            .note("queries of the table see the rows the policies allow from the commit on"),
        Extension if replace => Draft::new(LintCode::ObjectChanged, Warning, op, "the extension's own locks")
            .note("ALTER EXTENSION ... UPDATE runs the extension's upgrade script, which may rewrite what it owns")
            .fix("read the extension's release notes; on big tables, schedule it off-peak"),
        _ => Draft::new(LintCode::ObjectChanged, Info, op, "no table lock")
            .note("catalog change only; sessions use the new definition from their next call"),
    };
    let _ = before;
    Some(Some(draft.done()))
}

/// `REFRESH MATERIALIZED VIEW` without `CONCURRENTLY` on a materialized view that existed before
/// the operation: its readers wait for the whole query.
fn refresh_materialized_view(op: &Operation, sql: &str, before: &Schema) -> Option<Finding> {
    let toks = tokens(sql);
    let at = toks.iter().position(|t| t.is("REFRESH"))?;
    if !(toks.get(at + 1)?.is("MATERIALIZED") && toks.get(at + 2)?.is("VIEW")) {
        return None;
    }
    if toks.get(at + 3).is_some_and(|t| t.is("CONCURRENTLY")) {
        return None;
    }
    let mut name = toks.get(at + 3)?.name()?;
    let mut next = at + 4;
    while toks.get(next) == Some(&crate::sqltext::Token::Punct('.')) {
        name = toks.get(next + 1)?.name()?;
        next += 2;
    }
    let exists = before
        .objects
        .iter()
        .any(|o| o.kind == crate::objects::ObjectKind::MaterializedView && o.name == name);
    if !exists {
        return None;
    }
    Some(
        Draft::new(LintCode::SqlRefreshWithoutConcurrently, Severity::Error, op, "ACCESS EXCLUSIVE on the view for the whole query")
            .note(format!("REFRESH MATERIALIZED VIEW without CONCURRENTLY: reads of {name} wait until it is refilled"))
            .fix("write REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view)")
            .done(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::Migration;
    use crate::schema::{Column, Table};

    fn start() -> Schema {
        let mut users = Table::new("users");
        users.columns.push(Column::new("id", SqlType::Integer));
        users.primary_key = vec!["id".into()];
        let mut posts = Table::new("posts");
        posts.columns.push(Column::new("id", SqlType::Integer));
        posts
            .columns
            .push(Column::new("author_id", SqlType::Integer));
        let mut score = Column::new("score", SqlType::Integer);
        score.nullable = true;
        posts.columns.push(score);
        Schema::new(vec![users, posts])
    }

    fn lint(backend: Backend, safe: bool, build: impl FnOnce(&mut Migration)) -> Vec<Finding> {
        let mut m = Migration::new();
        build(&mut m);
        lint_operations(backend, &start(), m.operations(), safe)
    }

    fn codes(findings: &[Finding]) -> Vec<(&str, Severity)> {
        findings
            .iter()
            .map(|f| (f.code.as_str(), f.severity))
            .collect()
    }

    #[test]
    fn safe_forms_on_existing_tables_are_info() {
        let f = lint(Backend::Postgres, true, |m| {
            m.create_index("posts", "ix_posts_author_id", &["author_id"]);
            m.add_foreign_key("posts", "fk", &["author_id"], "users", &["id"]);
            m.add_check("posts", "ck", "score >= 0");
        });
        assert_eq!(
            codes(&f),
            [
                ("L001", Severity::Info),
                ("L003", Severity::Info),
                ("L004", Severity::Info)
            ]
        );
        assert!(f[0].note.contains("CONCURRENTLY"));
    }

    #[test]
    fn exclusions_and_comments_say_what_they_lock() {
        let f = lint(Backend::Postgres, true, |m| {
            m.add_exclusion("posts", "ex_posts", "USING gist (score WITH =)");
            m.alter_table_options("posts", |o| {
                o.comment("Posts");
            });
            m.drop_exclusion("posts", "ex_posts");
        });
        assert_eq!(
            codes(&f),
            [
                ("L027", Severity::Warning),
                ("L028", Severity::Info),
                ("L015", Severity::Info)
            ]
        );
    }

    #[test]
    fn opting_out_warns_with_the_fix() {
        let f = lint(Backend::Postgres, false, |m| {
            m.create_index("posts", "ix_posts_author_id", &["author_id"]);
        });
        assert_eq!(codes(&f), [("L001", Severity::Warning)]);
        assert!(f[0].fix.as_deref().unwrap().contains("SAFE_DDL"));
    }

    #[test]
    fn not_null_without_default_warns_that_it_may_fail() {
        let f = lint(Backend::Postgres, true, |m| {
            m.alter_column("posts", "score", SqlType::Integer);
        });
        assert_eq!(codes(&f), [("L007", Severity::Warning)]);
        assert!(
            f[0].note.contains("fails if posts.score holds NULLs"),
            "{}",
            f[0].note
        );
    }

    #[test]
    fn enum_changes_say_which_tables_they_reach() {
        let with_enum = |m: &mut Migration| {
            m.create_enum("mood", &["happy", "sad"]);
            m.add_column("posts", "mood", SqlType::Enum("mood".into()));
        };
        let mut first = Migration::new();
        with_enum(&mut first);
        let mut start = start();
        for op in first.into_operations() {
            op.apply(&mut start).unwrap();
        }
        let run = |backend, build: fn(&mut Migration)| {
            let mut m = Migration::new();
            build(&mut m);
            lint_operations(backend, &start, m.operations(), true)
        };
        let added = run(Backend::Postgres, |m| {
            m.alter_enum("mood", &["happy", "sad", "meh"])
        });
        assert_eq!(codes(&added), [("L017", Severity::Info)]);
        assert!(!added[0].rewrite);
        let removed = run(Backend::Postgres, |m| m.alter_enum("mood", &["happy"]));
        assert_eq!(codes(&removed), [("L018", Severity::Warning)]);
        assert!(removed[0].rewrite);
        assert_eq!(removed[0].table.as_deref(), Some("posts.mood"));
        let renamed = run(Backend::Mysql, |m| {
            m.rename_enum_value("mood", "sad", "blue")
        });
        assert_eq!(codes(&renamed), [("L019", Severity::Warning)]);
    }

    #[test]
    fn rewriting_type_change_warns() {
        let f = lint(Backend::Postgres, true, |m| {
            m.alter_column("posts", "author_id", SqlType::BigInt);
        });
        assert_eq!(codes(&f), [("L006", Severity::Warning)]);
        assert!(f[0].rewrite);
    }

    #[test]
    fn dangerous_hand_written_sql_is_an_error() {
        let f = lint(Backend::Postgres, true, |m| {
            m.sql("CREATE INDEX ix ON posts (score)");
            m.sql(
                "ALTER TABLE posts ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES users (id)",
            );
            m.sql("ALTER TABLE posts ALTER COLUMN score SET NOT NULL");
            m.sql("ALTER TABLE posts ALTER COLUMN score TYPE bigint");
            m.sql("CREATE INDEX CONCURRENTLY ix2 ON posts (score)");
            m.sql("UPDATE posts SET score = 0");
        });
        assert_eq!(
            codes(&f),
            [
                ("L101", Severity::Error),
                ("L102", Severity::Error),
                ("L104", Severity::Error),
                ("L105", Severity::Error),
                ("L001", Severity::Info)
            ]
        );
        // The same on a table the migration creates is harmless.
        let f = lint(Backend::Postgres, true, |m| {
            m.create_table("tags", |t| {
                t.column("id", SqlType::Integer);
            });
            m.sql("CREATE INDEX ix_tags ON tags (id)");
        });
        assert!(f.iter().all(|f| f.severity == Severity::Info), "{f:?}");
        // A migration that opted out is warned, not failed.
        let f = lint(Backend::Postgres, false, |m| {
            m.sql("CREATE INDEX ix ON posts (score)");
        });
        assert_eq!(codes(&f), [("L101", Severity::Warning)]);
    }

    #[test]
    fn object_changes_say_what_they_lock() {
        use crate::objects::ObjectKind;
        let f = lint(Backend::Postgres, true, |m| {
            m.create_object(
                ObjectKind::Function,
                "touch",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
            )
            .arguments(&[]);
            m.create_object(
                ObjectKind::Trigger,
                "posts_touch",
                "CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch()",
            )
            .on_table("posts")
            .depends_on(&["function touch()", "table posts"]);
            m.create_object(
                ObjectKind::View,
                "v",
                "CREATE VIEW v AS SELECT id FROM posts",
            )
            .depends_on(&["table posts"]);
            m.replace_object(
                ObjectKind::View,
                "v",
                "CREATE VIEW v AS SELECT id, score FROM posts",
            )
            .depends_on(&["table posts"]);
            m.create_object(
                ObjectKind::MaterializedView,
                "mv",
                "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a",
            );
            m.sql("REFRESH MATERIALIZED VIEW mv");
            m.sql("REFRESH MATERIALIZED VIEW CONCURRENTLY mv");
            m.drop_object(ObjectKind::Trigger, "posts_touch")
                .on_table("posts");
        });
        assert_eq!(
            codes(&f),
            [
                ("L025", Severity::Info),
                ("L023", Severity::Info),
                ("L021", Severity::Info),
                ("L021", Severity::Info),
                ("L022", Severity::Info),
                ("L109", Severity::Error),
                ("L024", Severity::Info),
            ]
        );
        assert_eq!(f[1].lock, "SHARE ROW EXCLUSIVE on the table, briefly");
        assert_eq!(f[1].operation, "create trigger posts_touch on posts");
        assert!(
            f[3].note.contains("CREATE OR REPLACE VIEW"),
            "{}",
            f[3].note
        );
        assert!(f[5].fix.as_deref().unwrap().contains("CONCURRENTLY"));
    }

    #[test]
    fn mysql_says_which_changes_copy_the_table() {
        let f = lint(Backend::Mysql, true, |m| {
            m.create_index("posts", "ix_posts_author_id", &["author_id"]);
            m.add_foreign_key("posts", "fk", &["author_id"], "users", &["id"]);
            m.add_column("posts", "body", SqlType::Text).nullable();
            m.sql("ALTER TABLE posts ADD COLUMN x int");
        });
        assert_eq!(
            codes(&f),
            [
                ("L001", Severity::Info),
                ("L003", Severity::Warning),
                ("L009", Severity::Info),
                ("L121", Severity::Warning)
            ]
        );
        assert_eq!(f[0].lock, "ALGORITHM=INPLACE, LOCK=NONE");
        assert!(f[1].rewrite && f[1].note.contains("copies posts"));
        assert_eq!(f[2].lock, "ALGORITHM=INSTANT");
    }
}
