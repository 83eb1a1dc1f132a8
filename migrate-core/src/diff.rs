//! The diff: two schemas in, the operations from one to the other out, with `down` as the exact
//! inverse of `up` and a summary for the user.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::error::{Error, Result};
use crate::migration::Operation;
pub use crate::renames::{ColumnRename, EnumValueRename, Renames, TableRename};
use crate::schema::{
    Check, Column, Exclusion, FkAction, ForeignKey, Identity, Index, IndexTarget, PartitionOf,
    Schema, SqlType, Table, TableOptions, Unique,
};

/// What `migrate` will write: operations both ways and a line per change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// From the old schema to the new.
    pub up: Vec<Operation>,
    /// From the new schema back to the old: the inverse of `up`, in reverse order.
    pub down: Vec<Operation>,
    /// One line per change, for the summary.
    pub changes: Vec<Change>,
    /// Columns dropped and added with one type in one table, with no rename declared: perhaps
    /// renames, which the CLI offers to plan as such in a terminal.
    pub rename_suggestions: Vec<ColumnRename>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.up.is_empty()
    }
}

/// One line of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// How it reads at a glance.
    pub kind: ChangeKind,
    /// What changes (`table posts`, `column users.bio text NULL`).
    pub text: String,
}

/// The sign of a summary line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// `+` something new.
    Add,
    /// `-` something removed that holds no data (an index, a key or a constraint).
    Remove,
    /// `~` something altered.
    Alter,
    /// `!` a step that loses data or may fail on existing rows.
    Warning,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = match self.kind {
            ChangeKind::Add => '+',
            ChangeKind::Remove => '-',
            ChangeKind::Alter => '~',
            ChangeKind::Warning => '!',
        };
        write!(f, "{sign} {}", self.text)
    }
}

fn change(kind: ChangeKind, text: String) -> Change {
    Change { kind, text }
}

/// Describes a column the way the summary shows it: `text NULL`, `integer NOT NULL`.
fn describe(column: &Column) -> String {
    format!(
        "{} {}",
        column.ty,
        if column.nullable { "NULL" } else { "NOT NULL" }
    )
}

/// Plans the operations that turn `from` into `to`.
pub fn diff(from: &Schema, to: &Schema) -> Result<Plan> {
    diff_with_renames(from, to, &Renames::default())
}

/// Plans the operations that turn `from` into `to`, renaming instead of dropping and adding
/// where `renames` says so.
///
/// The order makes every statement valid when it runs, on every backend: renames; foreign keys
/// that go away; dropped tables (referencing ones first); indexes, keys and constraints that go
/// away; dropped columns; added and altered columns and primary keys; new unique and check
/// constraints; created tables (referenced ones first, the foreign keys of a cycle left for
/// later); then new foreign keys and indexes. A table's options change before its columns do
/// (a MySQL default character set then applies to the columns added).
pub fn diff_with_renames(from: &Schema, to: &Schema, renames: &Renames) -> Result<Plan> {
    // The dev loop's common case: the models are the snapshot. Comparing costs a fraction of
    // planning, which copies the schema to work on.
    let no_renames =
        renames.tables.is_empty() && renames.columns.is_empty() && renames.enum_values.is_empty();
    if no_renames && from == to {
        return Ok(Plan::default());
    }
    let mut p = Planner {
        schema: from.clone(),
        up: Vec::new(),
        down: Vec::new(),
        changes: Vec::new(),
        suggestions: Vec::new(),
        replaced: BTreeSet::new(),
        dropped_fks: Vec::new(),
        dropped_guarantees: BTreeSet::new(),
    };
    p.renames(to, renames)?;
    p.enum_value_renames(to, &renames.enum_values)?;
    p.create_enums(to)?;
    let objects = crate::objects::plan::plan(&p.schema, to).map_err(Error::Operation)?;
    p.objects(objects.before_tables)?;

    let current_names: BTreeSet<String> = p.schema.tables.iter().map(|t| t.name.clone()).collect();
    let kept: Vec<String> = to
        .tables
        .iter()
        .filter(|t| current_names.contains(&t.name))
        .map(|t| t.name.clone())
        .collect();
    let dropped: Vec<Table> = p
        .schema
        .tables
        .iter()
        .filter(|t| to.table(&t.name).is_none())
        .cloned()
        .collect();
    let created: Vec<&Table> = to
        .tables
        .iter()
        .filter(|t| !current_names.contains(&t.name))
        .collect();

    let kept_target = |name: &String| to.table(name).expect("kept table");
    for name in &kept {
        p.drop_foreign_keys(name, kept_target(name), to)?;
    }
    // A table stops being a partition or child of a dropped table before that goes; it
    // becomes one of a created table once that exists.
    let parents = |t: &Table| t.options.parents().map(str::to_string).collect::<Vec<_>>();
    let dropped_names: BTreeSet<&str> = dropped.iter().map(|t| t.name.as_str()).collect();
    let created_names: BTreeSet<&str> = created.iter().map(|t| t.name.as_str()).collect();
    let (mut early, mut late) = (Vec::new(), Vec::new());
    for name in &kept {
        let target = kept_target(name);
        if parents(p.table(name))
            .iter()
            .any(|t| dropped_names.contains(t.as_str()))
        {
            early.push(name);
        } else if parents(target)
            .iter()
            .any(|t| created_names.contains(t.as_str()))
        {
            late.push(name);
        }
    }
    for name in &early {
        p.alter_table_options(kept_target(name))?;
    }
    p.drop_tables(&dropped)?;
    for name in &kept {
        p.drop_constraints(name, kept_target(name))?;
    }
    for name in &kept {
        p.drop_columns(name, kept_target(name))?;
    }
    p.alter_enums(to)?;
    for name in &kept {
        let target = kept_target(name);
        if !late.contains(&name) {
            p.alter_table_options(target)?;
        }
        p.add_columns(target)?;
        p.alter_columns(target)?;
        p.set_primary_key(target)?;
    }
    for name in &kept {
        p.add_constraints(kept_target(name))?;
    }
    let deferred = p.create_tables(&created)?;
    for name in &late {
        p.alter_table_options(kept_target(name))?;
    }
    for name in &kept {
        p.add_foreign_keys_and_indexes(kept_target(name))?;
    }
    for (table, fk) in deferred {
        p.push(
            Operation::AddForeignKey {
                table: table.clone(),
                foreign_key: fk.clone(),
            },
            ChangeKind::Add,
            format!("foreign key {} on {table}", fk.name),
        )?;
    }
    p.objects(objects.after_tables)?;

    p.drop_enums(to)?;
    p.objects(objects.last)?;

    // A safety net: whatever the steps above did not reach is refused, never ignored.
    if let Some(left) = first_difference(&p.schema, to) {
        return Err(Error::Operation(format!(
            "{left}: `migrate` cannot plan this change; write it by hand with `migrate --empty` and `m.sql(...)`"
        )));
    }

    let mut down = p.down;
    down.reverse();
    let mut changes = p.changes;
    // A dropped and a created table with the same columns may be a rename the models forgot.
    let shape = |t: &Table| {
        let mut columns: Vec<(String, String)> = t
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.to_string()))
            .collect();
        columns.sort();
        columns
    };
    for old in &dropped {
        if let Some(new) = created.iter().find(|t| shape(t) == shape(old)) {
            changes.push(change(
                ChangeKind::Warning,
                format!(
                    "table {} dropped and table {} created with the same columns: if it is a rename, give the struct #[model(renamed_from = \"{}\")]",
                    old.name, new.name, old.name
                ),
            ));
        }
    }
    changes.extend(p.suggestions.iter().map(|s| {
        change(
            ChangeKind::Warning,
            format!(
                "column {t}.{} dropped and {t}.{} added: if it is a rename, give the field #[model(renamed_from = \"{}\")]",
                s.from,
                s.to,
                s.from,
                t = s.table
            ),
        )
    }));
    Ok(Plan {
        up: p.up,
        down,
        changes,
        rename_suggestions: p.suggestions,
    })
}

/// Builds `up` one operation at a time, applying each to the schema it has reached so that
/// every later step sees the schema it will run against.
struct Planner {
    schema: Schema,
    up: Vec<Operation>,
    /// The inverse of each operation of `up`, in the same order, each taken against the
    /// schema it applies to.
    down: Vec<Operation>,
    changes: Vec<Change>,
    suggestions: Vec<ColumnRename>,
    /// Constraints dropped to be added back changed (`fk:table:name`, ...): one `~` line in
    /// the summary, not a `-` and a `+`.
    replaced: BTreeSet<String>,
    /// Foreign keys of kept tables dropped so far, with their table.
    dropped_fks: Vec<(String, ForeignKey)>,
    /// What dropped unique constraints, unique indexes and checks guaranteed, per table: a
    /// constraint added back over the same columns or expression (renamed with its table or
    /// column) cannot fail on the rows, so it does not warn.
    dropped_guarantees: BTreeSet<(String, String)>,
}

impl Planner {
    fn enum_value_renames(&mut self, to: &Schema, renames: &[EnumValueRename]) -> Result<()> {
        for r in renames {
            let has = |s: &Schema, v: &str| s.enum_values(&r.name).iter().any(|x| x == v);
            if r.from != r.to
                && has(&self.schema, &r.from)
                && !has(&self.schema, &r.to)
                && has(to, &r.to)
                && !has(to, &r.from)
            {
                self.push(
                    Operation::RenameEnumValue {
                        name: r.name.clone(),
                        from: r.from.clone(),
                        to: r.to.clone(),
                    },
                    ChangeKind::Alter,
                    format!("enum value {}.{} -> {}", r.name, r.from, r.to),
                )?;
            }
        }
        Ok(())
    }

    /// Enum types come before the columns that use them.
    fn create_enums(&mut self, to: &Schema) -> Result<()> {
        for e in &to.enums {
            if self.schema.enum_type(&e.name).is_none() {
                self.push(
                    Operation::CreateEnum(e.clone()),
                    ChangeKind::Add,
                    format!("enum {} ({})", e.name, e.values.join(", ")),
                )?;
            }
        }
        Ok(())
    }

    /// New values come before the columns and defaults that may use them; values that go away
    /// go once the columns dropped in this migration are gone.
    fn alter_enums(&mut self, to: &Schema) -> Result<()> {
        for e in &to.enums {
            let Some(current) = self.schema.enum_type(&e.name).cloned() else {
                continue;
            };
            if current.values == e.values {
                continue;
            }
            self.push(
                Operation::AlterEnum {
                    name: e.name.clone(),
                    values: e.values.clone(),
                },
                ChangeKind::Alter,
                format!(
                    "enum {} ({}) -> ({})",
                    e.name,
                    current.values.join(", "),
                    e.values.join(", ")
                ),
            )?;
            let removed: Vec<&String> = current
                .values
                .iter()
                .filter(|v| !e.values.contains(v))
                .collect();
            if !removed.is_empty() {
                let holders: Vec<String> = self
                    .schema
                    .enum_users(&e.name)
                    .iter()
                    .map(|(t, c)| format!("{}.{}", t.name, c.name))
                    .collect();
                self.warn(format!(
                    "enum {} drops value {}: rows of {} holding it make the upgrade fail (no row loses its value); update them first, e.g. with m.sql(\"UPDATE ...\") in this migration",
                    e.name,
                    removed
                        .iter()
                        .map(|v| format!("'{v}'"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if holders.is_empty() {
                        "no column".to_string()
                    } else {
                        holders.join(", ")
                    }
                ));
            }
        }
        Ok(())
    }

    /// Enum types go once no column uses them.
    fn drop_enums(&mut self, to: &Schema) -> Result<()> {
        let gone: Vec<String> = self
            .schema
            .enums
            .iter()
            .filter(|e| to.enum_type(&e.name).is_none())
            .map(|e| e.name.clone())
            .collect();
        for name in gone {
            self.push(
                Operation::DropEnum(name.clone()),
                ChangeKind::Remove,
                format!("enum {name}"),
            )?;
        }
        Ok(())
    }

    fn push(&mut self, op: Operation, kind: ChangeKind, text: String) -> Result<()> {
        self.push_quietly(op)?;
        self.changes.push(change(kind, text));
        Ok(())
    }

    /// Pushes an operation whose summary line an earlier step wrote.
    fn push_quietly(&mut self, op: Operation) -> Result<()> {
        let inverse = op
            .inverse(&self.schema)
            .ok_or_else(|| Error::Operation(format!("cannot invert {op:?}")))?;
        op.apply(&mut self.schema)?;
        self.up.push(op);
        self.down.push(inverse);
        Ok(())
    }

    /// Pushes the objects' steps (`objects::plan` places them), each with its summary line.
    fn objects(&mut self, steps: Vec<crate::objects::plan::Step>) -> Result<()> {
        use crate::objects::plan::Note;
        for step in steps {
            match step.note {
                Note::Add(text) => self.push(step.op, ChangeKind::Add, text)?,
                Note::Remove(text) => self.push(step.op, ChangeKind::Remove, text)?,
                Note::Alter(text) => self.push(step.op, ChangeKind::Alter, text)?,
                Note::Warning(text) => self.push(step.op, ChangeKind::Warning, text)?,
                Note::Quiet => self.push_quietly(step.op)?,
            }
        }
        Ok(())
    }

    fn warn(&mut self, text: String) {
        self.changes.push(change(ChangeKind::Warning, text));
    }

    fn guaranteed(&self, table: &str, what: String) -> bool {
        self.dropped_guarantees.contains(&(table.to_string(), what))
    }

    fn table(&self, name: &str) -> &Table {
        self.schema.table(name).expect("planned table exists")
    }

    /// Whether the planned table is already the target one: then the steps that compare the
    /// two plan nothing for it, and need not copy it (most tables of a `migrate` are unchanged).
    fn unchanged(&self, target: &Table) -> bool {
        self.schema.table(&target.name) == Some(target)
    }

    fn renames(&mut self, to: &Schema, renames: &Renames) -> Result<()> {
        let mut tables = renames.tables.clone();
        tables.sort();
        for r in &tables {
            if r.from != r.to
                && self.schema.table(&r.from).is_some()
                && self.schema.table(&r.to).is_none()
                && to.table(&r.to).is_some()
                && to.table(&r.from).is_none()
            {
                self.push(
                    Operation::RenameTable {
                        from: r.from.clone(),
                        to: r.to.clone(),
                    },
                    ChangeKind::Alter,
                    format!("rename table {} -> {}", r.from, r.to),
                )?;
            }
        }
        let mut columns = renames.columns.clone();
        columns.sort();
        for r in &columns {
            let (Some(current), Some(target)) = (self.schema.table(&r.table), to.table(&r.table))
            else {
                continue;
            };
            if r.from != r.to
                && current.column(&r.from).is_some()
                && current.column(&r.to).is_none()
                && target.column(&r.to).is_some()
                && target.column(&r.from).is_none()
            {
                self.push(
                    Operation::RenameColumn {
                        table: r.table.clone(),
                        from: r.from.clone(),
                        to: r.to.clone(),
                    },
                    ChangeKind::Alter,
                    format!("rename column {t}.{} -> {t}.{}", r.from, r.to, t = r.table),
                )?;
            }
        }
        Ok(())
    }

    /// Foreign keys that go away or change, before the keys, constraints, columns and tables
    /// they depend on.
    fn drop_foreign_keys(&mut self, name: &str, target: &Table, to: &Schema) -> Result<()> {
        let current = self.table(name);
        let stays =
            |fk: &ForeignKey| target.foreign_keys.contains(fk) && !self.loses_support(fk, to);
        if current.foreign_keys.iter().all(stays) {
            return Ok(());
        }
        let current = current.clone();
        for fk in &current.foreign_keys {
            if target.foreign_keys.contains(fk) {
                if self.loses_support(fk, to) {
                    // The key it relies on is replaced: PostgreSQL and MySQL refuse to drop it
                    // while this key uses it, so this key goes first and comes back after.
                    self.replaced.insert(format!("fk:{name}:{}", fk.name));
                    self.dropped_fks.push((name.to_string(), fk.clone()));
                    self.push_quietly(Operation::DropForeignKey {
                        table: name.to_string(),
                        name: fk.name.clone(),
                    })?;
                }
                continue;
            }
            self.dropped_fks.push((name.to_string(), fk.clone()));
            let op = Operation::DropForeignKey {
                table: name.to_string(),
                name: fk.name.clone(),
            };
            match target.foreign_keys.iter().find(|f| f.name == fk.name) {
                Some(new) => {
                    self.replaced.insert(format!("fk:{name}:{}", fk.name));
                    let text = format!(
                        "foreign key {} on {name} {} -> {}",
                        fk.name,
                        describe_fk(fk),
                        describe_fk(new)
                    );
                    self.push(op, ChangeKind::Alter, text)?;
                }
                None => {
                    let text = format!("foreign key {} on {name}", fk.name);
                    self.push(op, ChangeKind::Remove, text)?;
                }
            }
        }
        Ok(())
    }

    /// Whether the primary key, unique constraint or unique index that `fk` references now
    /// will not be there, as it is, in `to`.
    fn loses_support(&self, fk: &ForeignKey, to: &Schema) -> bool {
        let (Some(now), Some(then)) = (self.schema.table(&fk.ref_table), to.table(&fk.ref_table))
        else {
            return false;
        };
        let cols = &fk.ref_columns;
        let kept_key = now.primary_key == *cols && then.primary_key == *cols;
        let kept_unique = now
            .uniques
            .iter()
            .any(|u| u.columns == *cols && then.uniques.contains(u));
        let kept_index = now
            .indexes
            .iter()
            .any(|i| i.is_unique_on(cols) && then.indexes.contains(i));
        let supported_now = now.primary_key == *cols
            || now.uniques.iter().any(|u| u.columns == *cols)
            || now.indexes.iter().any(|i| i.is_unique_on(cols));
        supported_now && !(kept_key || kept_unique || kept_index)
    }

    /// Indexes, keys and constraints that go away or change, before the columns they use.
    fn drop_constraints(&mut self, name: &str, target: &Table) -> Result<()> {
        if self.unchanged(target) {
            return Ok(());
        }
        let current = self.table(name).clone();
        for index in &current.indexes {
            if target.indexes.contains(index) {
                continue;
            }
            if index.unique {
                self.dropped_guarantees
                    .insert((name.to_string(), index_unique_key(index)));
            }
            let op = Operation::DropIndex {
                table: name.to_string(),
                name: index.name.clone(),
            };
            match target.index(&index.name) {
                // Any change to an index is a new index under the same name.
                Some(new) => {
                    self.replaced.insert(format!("ix:{name}:{}", index.name));
                    let (old_text, new_text) = describe_index_change(index, new);
                    let text = format!("index {} on {name} {old_text} -> {new_text}", index.name);
                    self.push(op, ChangeKind::Alter, text)?;
                }
                None => {
                    let text = format!("index {} on {name}", index.name);
                    self.push(op, ChangeKind::Remove, text)?;
                }
            }
        }
        for unique in &current.uniques {
            if target.uniques.contains(unique) {
                continue;
            }
            self.dropped_guarantees
                .insert((name.to_string(), constraint_unique_key(unique)));
            let op = Operation::DropUnique {
                table: name.to_string(),
                name: unique.name.clone(),
            };
            match target.uniques.iter().find(|u| u.name == unique.name) {
                Some(new) => {
                    self.replaced.insert(format!("uq:{name}:{}", unique.name));
                    let text = format!(
                        "unique {} on {name} {} -> {}",
                        unique.name,
                        describe_unique(unique),
                        describe_unique(new)
                    );
                    self.push(op, ChangeKind::Alter, text)?;
                }
                None => {
                    let text = format!("unique {} on {name}", unique.name);
                    self.push(op, ChangeKind::Remove, text)?;
                }
            }
        }
        for check in &current.checks {
            if target.checks.contains(check) {
                continue;
            }
            // A check added NOT VALID never held for the rows it skipped.
            if !check.not_valid {
                self.dropped_guarantees
                    .insert((name.to_string(), format!("check:{}", check.expr)));
            }
            let op = Operation::DropCheck {
                table: name.to_string(),
                name: check.name.clone(),
            };
            match target.checks.iter().find(|c| c.name == check.name) {
                Some(new) => {
                    self.replaced.insert(format!("ck:{name}:{}", check.name));
                    let text = format!(
                        "check {} on {name} {} -> {}",
                        check.name,
                        describe_check(check),
                        describe_check(new)
                    );
                    self.push(op, ChangeKind::Alter, text)?;
                }
                None => {
                    let text = format!("check {} on {name}", check.name);
                    self.push(op, ChangeKind::Remove, text)?;
                }
            }
        }
        for exclusion in &current.exclusions {
            if target.exclusions.contains(exclusion) {
                continue;
            }
            self.dropped_guarantees.insert((
                name.to_string(),
                format!("exclusion:{}", exclusion.definition),
            ));
            let op = Operation::DropExclusion {
                table: name.to_string(),
                name: exclusion.name.clone(),
            };
            match target.exclusions.iter().find(|e| e.name == exclusion.name) {
                Some(new) => {
                    self.replaced
                        .insert(format!("ex:{name}:{}", exclusion.name));
                    let text = format!(
                        "exclusion {} on {name} {} -> {}",
                        exclusion.name,
                        describe_exclusion(exclusion),
                        describe_exclusion(new)
                    );
                    self.push(op, ChangeKind::Alter, text)?;
                }
                None => {
                    let text = format!("exclusion {} on {name}", exclusion.name);
                    self.push(op, ChangeKind::Remove, text)?;
                }
            }
        }
        // A key on a column that goes away goes first, so that `down` restores it.
        if current.primary_key != target.primary_key
            && current
                .primary_key
                .iter()
                .any(|c| target.column(c).is_none())
        {
            self.push(
                Operation::SetPrimaryKey {
                    table: name.to_string(),
                    columns: Vec::new(),
                    name: None,
                },
                ChangeKind::Remove,
                format!("primary key of {name} ({})", current.primary_key.join(", ")),
            )?;
        }
        Ok(())
    }

    fn drop_tables(&mut self, dropped: &[Table]) -> Result<()> {
        let refs: Vec<&Table> = dropped.iter().collect();
        let (order, deferred) = creation_order(&refs);
        for (table, fk) in &deferred {
            self.push(
                Operation::DropForeignKey {
                    table: table.clone(),
                    name: fk.name.clone(),
                },
                ChangeKind::Remove,
                format!("foreign key {} on {table}", fk.name),
            )?;
        }
        for table in order.into_iter().rev() {
            self.push(
                Operation::DropTable(table.name.clone()),
                ChangeKind::Warning,
                format!("drop table {}: data loss", table.name),
            )?;
        }
        Ok(())
    }

    fn drop_columns(&mut self, name: &str, target: &Table) -> Result<()> {
        if self.unchanged(target) {
            return Ok(());
        }
        let current = self.table(name).clone();
        let dropped: Vec<&Column> = current
            .columns
            .iter()
            .filter(|c| target.column(&c.name).is_none())
            .collect();
        let mut added: Vec<&Column> = target
            .columns
            .iter()
            .filter(|c| current.column(&c.name).is_none())
            .collect();
        for column in dropped {
            // A dropped and an added column of one type may be a rename the models forgot.
            if let Some(pos) = added.iter().position(|a| a.ty == column.ty) {
                let new = added.remove(pos);
                self.suggestions.push(ColumnRename {
                    table: name.to_string(),
                    from: column.name.clone(),
                    to: new.name.clone(),
                });
            }
            self.push(
                Operation::DropColumn {
                    table: name.to_string(),
                    column: column.name.clone(),
                },
                ChangeKind::Warning,
                format!("drop column {name}.{}: data loss", column.name),
            )?;
        }
        Ok(())
    }

    /// Creates tables, referenced ones first; the foreign keys that close a cycle are returned
    /// to be added once every table exists.
    fn create_tables(&mut self, created: &[&Table]) -> Result<Vec<(String, ForeignKey)>> {
        let (order, deferred) = creation_order(created);
        for table in order {
            let mut table = table.clone();
            table
                .foreign_keys
                .retain(|fk| !deferred.iter().any(|(t, d)| *t == table.name && d == fk));
            let text = format!("table {}", table.name);
            self.push(Operation::CreateTable(table), ChangeKind::Add, text)?;
        }
        Ok(deferred)
    }

    fn add_columns(&mut self, target: &Table) -> Result<()> {
        let name = &target.name;
        for column in &target.columns {
            if self.table(name).column(&column.name).is_some() {
                continue;
            }
            self.push(
                Operation::AddColumn {
                    table: name.clone(),
                    column: column.clone(),
                },
                ChangeKind::Add,
                match &column.default {
                    Some(default) => format!(
                        "column {name}.{} {} default {default}",
                        column.name,
                        describe(column)
                    ),
                    None => format!("column {name}.{} {}", column.name, describe(column)),
                },
            )?;
            if !column.nullable && column.default.is_none() {
                self.warn(format!(
                    "column {name}.{} is NOT NULL without a default: the step fails if the table has rows",
                    column.name
                ));
            }
        }
        Ok(())
    }

    fn alter_columns(&mut self, target: &Table) -> Result<()> {
        let name = &target.name;
        for column in &target.columns {
            let Some(old) = self.table(name).column(&column.name).cloned() else {
                continue;
            };
            if old == *column {
                continue;
            }
            let comment_only = Column {
                comment: column.comment.clone(),
                ..old.clone()
            } == *column;
            let comment_line = format!("comment {name}.{}", column.name);
            let text = if comment_only {
                comment_line.clone()
            } else {
                format!(
                    "column {name}.{} {} -> {}",
                    column.name,
                    describe_changed(&old, column),
                    describe_changed(column, &old)
                )
            };
            self.push(
                Operation::AlterColumn {
                    table: name.clone(),
                    column: column.clone(),
                },
                ChangeKind::Alter,
                text,
            )?;
            if !comment_only && old.comment != column.comment {
                self.changes.push(change(ChangeKind::Alter, comment_line));
            }
            if old.charset != column.charset {
                self.warn(format!(
                    "column {name}.{}: {} -> {} converts the stored text: the step fails on characters the new one cannot hold",
                    column.name,
                    describe_charset(&old.charset),
                    describe_charset(&column.charset)
                ));
            }
            if old.ty != column.ty && !widens(&old.ty, &column.ty) {
                self.warn(format!(
                    "column {name}.{}: {} -> {} narrows or converts the type: the step fails on, or changes, values that do not fit",
                    column.name, old.ty, column.ty
                ));
            }
            if old.nullable && !column.nullable {
                match &column.default {
                    Some(default) => self.warn(format!(
                        "column {name}.{} becomes NOT NULL: rows holding NULL are set to its default {default} first",
                        column.name
                    )),
                    None => self.warn(format!(
                        "column {name}.{} becomes NOT NULL without a default: the step fails if a row holds NULL",
                        column.name
                    )),
                }
            }
        }
        Ok(())
    }

    fn set_primary_key(&mut self, target: &Table) -> Result<()> {
        let name = &target.name;
        let current = self.table(name);
        let (columns, key_name) = (
            current.primary_key.clone(),
            current.primary_key_name.clone(),
        );
        if columns == target.primary_key && key_name == target.primary_key_name {
            return Ok(());
        }
        let show = |n: &Option<String>| n.clone().unwrap_or_else(|| "(default name)".into());
        let mut text = format!(
            "primary key of {name} ({}) -> ({})",
            columns.join(", "),
            target.primary_key.join(", ")
        );
        if key_name != target.primary_key_name {
            text = if columns == target.primary_key {
                format!(
                    "primary key of {name} ({}) named {} -> {}",
                    columns.join(", "),
                    show(&key_name),
                    show(&target.primary_key_name)
                )
            } else {
                format!(
                    "{text}, named {} -> {}",
                    show(&key_name),
                    show(&target.primary_key_name)
                )
            };
        }
        self.push(
            Operation::SetPrimaryKey {
                table: name.clone(),
                columns: target.primary_key.clone(),
                name: target.primary_key_name.clone(),
            },
            ChangeKind::Alter,
            text,
        )?;
        // Renaming the key's constraint meets no row.
        if columns == target.primary_key {
            return Ok(());
        }
        if !target.primary_key.is_empty() {
            self.warn(format!(
                "primary key of {name} ({}): the step fails if existing rows hold duplicates",
                target.primary_key.join(", ")
            ));
        }
        Ok(())
    }

    /// Unique and check constraints that are new or changed.
    fn add_constraints(&mut self, target: &Table) -> Result<()> {
        if self.unchanged(target) {
            return Ok(());
        }
        let name = &target.name;
        let current = self.table(name).clone();
        for unique in &target.uniques {
            if current.uniques.contains(unique) {
                continue;
            }
            let op = Operation::AddUnique {
                table: name.clone(),
                unique: unique.clone(),
            };
            if self
                .replaced
                .contains(&format!("uq:{name}:{}", unique.name))
            {
                self.push_quietly(op)?;
            } else {
                let text = format!("unique {} on {name}", unique.name);
                self.push(op, ChangeKind::Add, text)?;
            }
            if !self.guaranteed(name, constraint_unique_key(unique)) {
                self.warn(format!(
                    "unique {} on {name}: the step fails if existing rows hold duplicates",
                    unique.name
                ));
            }
        }
        for check in &target.checks {
            if current.checks.contains(check) {
                continue;
            }
            let op = Operation::AddCheck {
                table: name.clone(),
                check: check.clone(),
            };
            if self.replaced.contains(&format!("ck:{name}:{}", check.name)) {
                self.push_quietly(op)?;
            } else {
                let text = format!("check {} on {name}", check.name);
                self.push(op, ChangeKind::Add, text)?;
            }
            // NOT VALID leaves the rows already there unchecked.
            if !check.not_valid && !self.guaranteed(name, format!("check:{}", check.expr)) {
                self.warn(format!(
                    "check {} on {name}: the step fails if existing rows violate it",
                    check.name
                ));
            }
        }
        for exclusion in &target.exclusions {
            if current.exclusions.contains(exclusion) {
                continue;
            }
            let op = Operation::AddExclusion {
                table: name.clone(),
                exclusion: exclusion.clone(),
            };
            if self
                .replaced
                .contains(&format!("ex:{name}:{}", exclusion.name))
            {
                self.push_quietly(op)?;
            } else {
                let text = format!("exclusion {} on {name}", exclusion.name);
                self.push(op, ChangeKind::Add, text)?;
            }
            if !self.guaranteed(name, format!("exclusion:{}", exclusion.definition)) {
                self.warn(format!(
                    "exclusion {} on {name}: the step fails if existing rows conflict",
                    exclusion.name
                ));
            }
        }
        Ok(())
    }

    /// The table's options, whole, when any of them changes.
    fn alter_table_options(&mut self, target: &Table) -> Result<()> {
        let name = &target.name;
        let current = &self.table(name).options;
        if *current == target.options {
            return Ok(());
        }
        let text = describe_options_change(name, current, &target.options);
        self.push(
            Operation::AlterTableOptions {
                table: name.clone(),
                options: target.options.clone(),
            },
            ChangeKind::Alter,
            text,
        )
    }

    /// Foreign keys and indexes that are new or changed, once every table and column exists.
    fn add_foreign_keys_and_indexes(&mut self, target: &Table) -> Result<()> {
        if self.unchanged(target) {
            return Ok(());
        }
        let name = &target.name;
        let current = self.table(name).clone();
        for fk in &target.foreign_keys {
            if current.foreign_keys.contains(fk) {
                continue;
            }
            let op = Operation::AddForeignKey {
                table: name.clone(),
                foreign_key: fk.clone(),
            };
            if self.replaced.contains(&format!("fk:{name}:{}", fk.name)) {
                self.push_quietly(op)?;
            } else {
                let text = format!("foreign key {} on {name}", fk.name);
                self.push(op, ChangeKind::Add, text)?;
            }
            // Only a key over other columns or to another target can meet rows it rejects;
            // its name changes with a renamed table, its actions change no row.
            let checked_before = self
                .dropped_fks
                .iter()
                .any(|(t, old)| t == name && same_reference(old, fk) && !old.not_valid);
            // NOT VALID leaves the rows already there unchecked.
            if !checked_before && !fk.not_valid {
                self.warn(format!(
                    "foreign key {} on {name}: the step fails if existing rows reference missing {} rows",
                    fk.name, fk.ref_table
                ));
            }
        }
        for index in &target.indexes {
            if !current.indexes.contains(index) {
                let op = Operation::CreateIndex {
                    table: name.clone(),
                    index: index.clone(),
                };
                if self.replaced.contains(&format!("ix:{name}:{}", index.name)) {
                    self.push_quietly(op)?;
                } else {
                    let text = format!("index {} on {name}", index.name);
                    self.push(op, ChangeKind::Add, text)?;
                }
                if index.unique && !self.guaranteed(name, index_unique_key(index)) {
                    self.warn(format!(
                        "unique index {} on {name}: the step fails if existing rows hold duplicates",
                        index.name
                    ));
                }
            }
        }
        Ok(())
    }
}

fn unique_key(columns: &[String]) -> String {
    format!("unique:{}", columns.join(","))
}

/// What a unique constraint guarantees, in the terms of [`index_unique_key`].
fn constraint_unique_key(unique: &Unique) -> String {
    let mut key = unique_key(&unique.columns);
    if unique.nulls_not_distinct {
        key.push_str(" nulls not distinct");
    }
    key
}

/// What a unique index guarantees, in the terms of [`unique_key`]: its columns and expressions
/// (order and options aside), and its predicate and NULL handling when it has them.
fn index_unique_key(index: &Index) -> String {
    let elements: Vec<String> = index
        .columns
        .iter()
        .map(|c| match &c.target {
            IndexTarget::Column(name) => name.clone(),
            IndexTarget::Expression(expr) => format!("({expr})"),
        })
        .collect();
    let mut key = unique_key(&elements);
    if let Some(predicate) = &index.predicate {
        key.push_str(" where ");
        key.push_str(predicate);
    }
    if index.nulls_not_distinct {
        key.push_str(" nulls not distinct");
    }
    key
}

/// `(author_id) references users (id) ON DELETE CASCADE`.
fn describe_fk(fk: &ForeignKey) -> String {
    let mut text = format!(
        "({}) references {} ({})",
        fk.columns.join(", "),
        fk.ref_table,
        fk.ref_columns.join(", ")
    );
    if fk.on_delete != FkAction::NoAction {
        text.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.on_update != FkAction::NoAction {
        text.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    if fk.match_full {
        text.push_str(" MATCH FULL");
    }
    if let Some(when) = fk.deferrable {
        text.push(' ');
        text.push_str(when.sql());
    }
    if fk.not_valid {
        text.push_str(" NOT VALID");
    }
    text
}

/// Whether two foreign keys tie the same columns to the same target (names and actions aside).
fn same_reference(a: &ForeignKey, b: &ForeignKey) -> bool {
    a.columns == b.columns && a.ref_table == b.ref_table && a.ref_columns == b.ref_columns
}

/// The parts of `column` that differ from `other`, as the summary shows them:
/// `varchar(120)`, `integer NULL`, `default 0`.
fn describe_changed(column: &Column, other: &Column) -> String {
    let mut parts = Vec::new();
    if column.ty != other.ty {
        parts.push(column.ty.to_string());
    }
    if column.nullable != other.nullable {
        parts.push(if column.nullable { "NULL" } else { "NOT NULL" }.to_string());
    }
    if column.default != other.default {
        parts.push(describe_default(column));
    }
    if column.auto_increment != other.auto_increment {
        parts.push(
            if column.auto_increment {
                "auto-increment"
            } else {
                "no auto-increment"
            }
            .to_string(),
        );
    }
    if column.identity != other.identity {
        parts.push(match &column.identity {
            Some(Identity::Always) => "identity always".to_string(),
            Some(Identity::ByDefault) => "identity by default".to_string(),
            Some(identity) => identity.to_string(),
            None => "default identity".to_string(),
        });
    }
    if column.on_update != other.on_update {
        parts.push(match &column.on_update {
            Some(expr) => format!("on update {expr}"),
            None => "no on update".to_string(),
        });
    }
    if column.generated != other.generated {
        parts.push(match &column.generated {
            Some(g) => format!(
                "generated ({}) {}",
                g.expr,
                if g.stored { "stored" } else { "virtual" }
            ),
            None => "not generated".to_string(),
        });
    }
    if column.collation != other.collation {
        parts.push(match &column.collation {
            Some(collation) => format!("collate {collation}"),
            None => "default collation".to_string(),
        });
    }
    if column.charset != other.charset {
        parts.push(describe_charset(&column.charset));
    }
    parts.join(" ")
}

fn describe_charset(charset: &Option<String>) -> String {
    match charset {
        Some(charset) => format!("charset {charset}"),
        None => "default charset".to_string(),
    }
}

/// `(a, b) DEFERRABLE INITIALLY DEFERRED NULLS NOT DISTINCT`; just `(a, b)` for a plain one.
fn describe_unique(unique: &Unique) -> String {
    let mut text = format!("({})", unique.columns.join(", "));
    if let Some(when) = unique.deferrable {
        text.push(' ');
        text.push_str(when.sql());
    }
    if unique.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    text
}

/// `(expr) NOT VALID NO INHERIT`; just `(expr)` for a plain one.
fn describe_check(check: &Check) -> String {
    let mut text = format!("({})", check.expr);
    if check.not_valid {
        text.push_str(" NOT VALID");
    }
    if check.no_inherit {
        text.push_str(" NO INHERIT");
    }
    text
}

fn describe_exclusion(exclusion: &Exclusion) -> String {
    let mut text = format!("({})", exclusion.definition);
    if let Some(when) = exclusion.deferrable {
        text.push(' ');
        text.push_str(when.sql());
    }
    text
}

/// The parts in which two indexes of one name differ, each side as the summary shows it:
/// `btree` / `gin`, `(title)` / `(title DESC)`, `where x` / `no predicate`.
fn describe_index_change(old: &Index, new: &Index) -> (String, String) {
    let (mut was, mut becomes) = (Vec::new(), Vec::new());
    let mut part = |differs: bool, describe: &dyn Fn(&Index) -> String| {
        if differs {
            was.push(describe(old));
            becomes.push(describe(new));
        }
    };
    part(old.columns != new.columns, &|i| {
        let list: Vec<String> = i.columns.iter().map(ToString::to_string).collect();
        format!("({})", list.join(", "))
    });
    part(old.unique != new.unique, &|i| {
        (if i.unique { "unique" } else { "not unique" }).to_string()
    });
    part(old.method != new.method, &|i| {
        i.method.clone().unwrap_or_else(|| "btree".to_string())
    });
    part(old.predicate != new.predicate, &|i| match &i.predicate {
        Some(predicate) => format!("where {predicate}"),
        None => "no predicate".to_string(),
    });
    part(
        old.include != new.include,
        &|i| match i.include.as_slice() {
            [] => "no include".to_string(),
            columns => format!("include ({})", columns.join(", ")),
        },
    );
    part(old.with != new.with, &|i| match &i.with {
        Some(with) => format!("with ({with})"),
        None => "no with".to_string(),
    });
    part(old.nulls_not_distinct != new.nulls_not_distinct, &|i| {
        (if i.nulls_not_distinct {
            "nulls not distinct"
        } else {
            "nulls distinct"
        })
        .to_string()
    });
    part(old.comment != new.comment, &|i| match &i.comment {
        Some(comment) => format!("comment {comment:?}"),
        None => "no comment".to_string(),
    });
    (was.join(" "), becomes.join(" "))
}

/// `comment users` when only the comment changes; else `table users: engine InnoDB -> MyISAM,
/// comment`.
fn describe_options_change(table: &str, old: &TableOptions, new: &TableOptions) -> String {
    let show = |value: &Option<String>| value.clone().unwrap_or_else(|| "(default)".to_string());
    let mut parts = Vec::new();
    if old.comment != new.comment {
        parts.push("comment".to_string());
    }
    for (label, a, b) in [
        ("engine", &old.engine, &new.engine),
        ("charset", &old.charset, &new.charset),
        ("collation", &old.collation, &new.collation),
        ("partition by", &old.partition_by, &new.partition_by),
        ("with", &old.with, &new.with),
    ] {
        if a != b {
            parts.push(format!("{label} {} -> {}", show(a), show(b)));
        }
    }
    for (label, a, b) in [
        ("without rowid", old.without_rowid, new.without_rowid),
        ("strict", old.strict, new.strict),
        ("unlogged", old.unlogged, new.unlogged),
    ] {
        if a != b {
            parts.push(format!("{}{label}", if b { "" } else { "not " }));
        }
    }
    if old.partition_of != new.partition_of {
        let show = |p: &Option<PartitionOf>| match p {
            Some(p) => format!("partition of {} {}", p.parent, p.bound),
            None => "no partition".to_string(),
        };
        parts.push(format!(
            "{} -> {}",
            show(&old.partition_of),
            show(&new.partition_of)
        ));
    }
    if old.inherits != new.inherits {
        parts.push(format!(
            "inherits ({}) -> ({})",
            old.inherits.join(", "),
            new.inherits.join(", ")
        ));
    }
    if parts == ["comment"] {
        return format!("comment {table}");
    }
    format!("table {table}: {}", parts.join(", "))
}

fn describe_default(column: &Column) -> String {
    match &column.default {
        Some(default) => format!("default {default}"),
        None => "no default".to_string(),
    }
}

/// Whether every value of `from` fits `to` unchanged.
fn widens(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    match (from, to) {
        (SmallInt, Integer | BigInt) | (Integer, BigInt) => true,
        (Real, Double) => true,
        (Varchar(_), Text) => true,
        (Varchar(a), Varchar(b)) => b >= a,
        (Numeric(Some(_)), Numeric(None)) => true,
        (Numeric(Some((p1, s1))), Numeric(Some((p2, s2)))) => {
            s2 >= s1 && i64::from(*p2) - i64::from(*s2) >= i64::from(*p1) - i64::from(*s1)
        }
        (Timestamp, TimestampTz) => true,
        _ => false,
    }
}

/// The first thing in which `planned` and `target` still differ (column order aside), as a
/// phrase for an error.
fn first_difference(planned: &Schema, target: &Schema) -> Option<String> {
    if planned.enums != target.enums {
        return Some("enum types".to_string());
    }
    if !crate::objects::plan::same_objects(planned, target) {
        return Some("objects".to_string());
    }
    let names = |s: &Schema| s.tables.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    if names(planned) != names(target) {
        return Some(format!(
            "tables {} instead of {}",
            names(planned).join(", "),
            names(target).join(", ")
        ));
    }
    for (a, b) in planned.tables.iter().zip(&target.tables) {
        // Equal as they are is the common case, and needs no sorted copies.
        if a == b {
            continue;
        }
        let sorted = |t: &Table| {
            let mut t = t.clone();
            t.columns.sort_by(|x, y| x.name.cmp(&y.name));
            t
        };
        if sorted(a) != sorted(b) {
            return Some(format!("table {}", a.name));
        }
    }
    None
}

/// Orders tables so that each comes after the tables it references or is a partition or child
/// of (among `tables`). Where
/// tables reference each other in a cycle, the first waiting table (by name) goes anyway and
/// its foreign keys to tables not yet placed are returned, to be added once all exist.
fn creation_order<'a>(tables: &[&'a Table]) -> (Vec<&'a Table>, Vec<(String, ForeignKey)>) {
    let names: BTreeSet<&str> = tables.iter().map(|t| t.name.as_str()).collect();
    let mut waiting: BTreeMap<&str, BTreeSet<&str>> = tables
        .iter()
        .map(|t| {
            let deps = t.required_tables().filter(|r| names.contains(r)).collect();
            (t.name.as_str(), deps)
        })
        .collect();
    // Who waits for whom, so that placing a table updates only the tables that wait for it: a
    // scan of every waiting table per placed one made a chain of 1000 tables quadratic.
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, deps) in &waiting {
        for dep in deps {
            dependents.entry(dep).or_default().push(name);
        }
    }
    let by_name: BTreeMap<&str, &'a Table> = tables.iter().map(|t| (t.name.as_str(), *t)).collect();
    let mut order = Vec::with_capacity(tables.len());
    let mut deferred = Vec::new();
    // Each round places, by name, every table whose references were all placed before it.
    let mut ready: Vec<&str> = waiting
        .iter()
        .filter(|(_, deps)| deps.is_empty())
        .map(|(name, _)| *name)
        .collect();
    while !waiting.is_empty() {
        if ready.is_empty() {
            let (&first, deps) = waiting.iter().next().expect("not empty");
            let table = by_name[first];
            for fk in &table.foreign_keys {
                if deps.contains(fk.ref_table.as_str()) {
                    deferred.push((table.name.clone(), fk.clone()));
                }
            }
            ready.push(first);
        }
        let mut next = Vec::new();
        for name in ready {
            waiting.remove(name);
            for dependent in dependents.get(name).into_iter().flatten() {
                if let Some(deps) = waiting.get_mut(dependent) {
                    if deps.remove(name) && deps.is_empty() {
                        next.push(*dependent);
                    }
                }
            }
            order.push(by_name[name]);
        }
        next.sort_unstable();
        ready = next;
    }
    (order, deferred)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::apply_all;
    use crate::schema::{Deferrable, ForeignKey, Generated, Index, IndexColumn, SqlType};

    fn table(name: &str, columns: &[&str]) -> Table {
        let mut t = Table::new(name);
        t.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        t.primary_key = vec!["id".into()];
        for c in columns {
            t.columns.push(Column::new(*c, SqlType::Text));
        }
        t
    }

    fn with_fk(mut t: Table, column: &str, target: &str) -> Table {
        t.columns.push(Column::new(column, SqlType::Integer));
        t.foreign_keys.push(ForeignKey {
            name: format!("fk_{}_{column}_{target}", t.name),
            columns: vec![column.into()],
            ref_table: target.into(),
            ref_columns: vec!["id".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
            ..Default::default()
        });
        t
    }

    #[test]
    fn equal_schemas_plan_nothing() {
        let s = Schema::new(vec![table("users", &["email"])]);
        assert!(diff(&s, &s).unwrap().is_empty());
    }

    #[test]
    fn referenced_tables_are_created_first_and_dropped_last() {
        let empty = Schema::default();
        let full = Schema::new(vec![
            with_fk(table("a_posts", &[]), "user_id", "users"),
            table("users", &["email"]),
        ]);
        let plan = diff(&empty, &full).unwrap();
        let names: Vec<String> = plan
            .up
            .iter()
            .map(|op| match op {
                Operation::CreateTable(t) => t.name.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(names, ["users", "a_posts"]);
        assert_eq!(
            plan.down,
            vec![
                Operation::DropTable("a_posts".into()),
                Operation::DropTable("users".into())
            ]
        );
        let back = diff(&full, &empty).unwrap();
        assert_eq!(back.up, plan.down);
    }

    #[test]
    fn up_then_down_restores_the_start() {
        let mut start_users = table("users", &["email", "legacy"]);
        start_users.indexes.push(Index {
            name: "ix_users_legacy".into(),
            columns: vec!["legacy".into()],
            unique: false,
            ..Default::default()
        });
        let start = Schema::new(vec![start_users]);
        let mut users = table("users", &["email"]);
        users.columns.push(Column {
            nullable: true,
            ..Column::new("bio", SqlType::Text)
        });
        let target = Schema::new(vec![users, table("tags", &["name"])]);
        let plan = diff(&start, &target).unwrap();
        let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            summary,
            [
                "- index ix_users_legacy on users",
                "! drop column users.legacy: data loss",
                "+ column users.bio text NULL",
                "+ table tags",
                "! column users.legacy dropped and users.bio added: if it is a rename, give the field #[model(renamed_from = \"legacy\")]"
            ]
        );
        let mut schema = start.clone();
        apply_all(&mut schema, &plan.up).unwrap();
        assert!(diff(&schema, &target).unwrap().is_empty());
        apply_all(&mut schema, &plan.down).unwrap();
        assert!(diff(&schema, &start).unwrap().is_empty());
    }

    #[test]
    fn type_changes_alter_the_column_and_narrowing_warns() {
        let start = Schema::new(vec![table("users", &["email"])]);
        let mut users = table("users", &[]);
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(10)));
        let target = Schema::new(vec![users]);
        let plan = diff(&start, &target).unwrap();
        assert_eq!(
            plan.up,
            vec![Operation::AlterColumn {
                table: "users".into(),
                column: Column::new("email", SqlType::Varchar(10)),
            }]
        );
        let summary: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        assert_eq!(summary[0], "~ column users.email text -> varchar(10)");
        assert!(summary[1].starts_with("! column users.email: text -> varchar(10) narrows"));
        let back = diff(&target, &start).unwrap();
        assert_eq!(back.up, plan.down);
        assert_eq!(back.changes.len(), 1, "widening does not warn");
    }

    #[test]
    fn tables_in_a_cycle_get_their_keys_after_both_exist() {
        let a = with_fk(table("a", &[]), "b_id", "b");
        let b = with_fk(table("b", &[]), "a_id", "a");
        let target = Schema::new(vec![a, b]);
        let plan = diff(&Schema::default(), &target).unwrap();
        let kinds: Vec<String> = plan.changes.iter().map(ToString::to_string).collect();
        assert_eq!(
            kinds,
            ["+ table a", "+ table b", "+ foreign key fk_a_b_id_b on a"]
        );
        let mut schema = Schema::default();
        apply_all(&mut schema, &plan.up).unwrap();
        assert_eq!(schema, target);
        apply_all(&mut schema, &plan.down).unwrap();
        assert_eq!(schema, Schema::default());
        let back = diff(&target, &Schema::default()).unwrap();
        assert_eq!(back.up, plan.down);
    }

    #[test]
    fn renames_are_planned_only_when_declared() {
        let start = Schema::new(vec![table("posts", &["body"])]);
        let target = Schema::new(vec![table("articles", &["content"])]);
        let renames = Renames {
            tables: vec![TableRename {
                from: "posts".into(),
                to: "articles".into(),
            }],
            columns: vec![ColumnRename {
                table: "articles".into(),
                from: "body".into(),
                to: "content".into(),
            }],
            ..Renames::default()
        };
        let plan = diff_with_renames(&start, &target, &renames).unwrap();
        assert_eq!(plan.up.len(), 2, "{:?}", plan.up);
        assert!(plan.rename_suggestions.is_empty());
        // Applied already: the old names are gone, and nothing is planned.
        assert!(diff_with_renames(&target, &target, &renames)
            .unwrap()
            .is_empty());
        // Without the column rename, the drop and add of one type are a suggestion.
        let start = Schema::new(vec![table("articles", &["body"])]);
        let plan = diff(&start, &target).unwrap();
        assert_eq!(
            plan.rename_suggestions,
            vec![ColumnRename {
                table: "articles".into(),
                from: "body".into(),
                to: "content".into()
            }]
        );
    }

    fn position(plan: &Plan, wanted: impl Fn(&Operation) -> bool) -> usize {
        plan.up
            .iter()
            .position(wanted)
            .unwrap_or_else(|| panic!("not planned: {:?}", plan.up))
    }

    /// Servers refuse a foreign key to a column that is not unique yet, and the drop of a
    /// unique constraint a foreign key still relies on: keys come after the constraints they
    /// need, and go before them.
    #[test]
    fn foreign_keys_come_after_and_go_before_the_constraints_they_rely_on() {
        let mut codes = table("codes", &[]);
        codes.columns.push(Column::new("code", SqlType::Text));
        let mut unique_codes = codes.clone();
        unique_codes.uniques.push(crate::schema::Unique {
            name: "uq_codes_code".into(),
            columns: vec!["code".into()],
            ..Default::default()
        });
        let mut uses = table("uses", &[]);
        uses.columns.push(Column::new("code", SqlType::Text));
        uses.foreign_keys.push(ForeignKey {
            name: "fk_uses_code_codes".into(),
            columns: vec!["code".into()],
            ref_table: "codes".into(),
            ref_columns: vec!["code".into()],
            on_delete: Default::default(),
            on_update: Default::default(),
            ..Default::default()
        });
        let start = Schema::new(vec![codes.clone()]);
        let target = Schema::new(vec![unique_codes, uses]);
        let plan = diff(&start, &target).unwrap();
        let unique = position(&plan, |op| matches!(op, Operation::AddUnique { .. }));
        let create = position(&plan, |op| matches!(op, Operation::CreateTable(_)));
        assert!(unique < create, "{:?}", plan.up);

        // The other way: the referencing table goes, then the unique constraint.
        let back = diff(&target, &start).unwrap();
        let drop = position(&back, |op| matches!(op, Operation::DropTable(_)));
        let unique = position(&back, |op| matches!(op, Operation::DropUnique { .. }));
        assert!(drop < unique, "{:?}", back.up);
        assert_eq!(back.up, plan.down);
    }

    /// A column moved to the key: the old key column goes, so the key is dropped first and set
    /// after, and `down` gives both back.
    #[test]
    fn a_key_on_a_dropped_column_is_replaced_around_the_drop() {
        let mut start_table = table("countries", &["code"]);
        start_table.columns[1].ty = SqlType::Varchar(2);
        let mut target_table = start_table.clone();
        target_table.columns.remove(0);
        target_table.primary_key = vec!["code".into()];
        let start = Schema::new(vec![start_table]);
        let target = Schema::new(vec![target_table]);
        let plan = diff(&start, &target).unwrap();
        assert_eq!(plan.up.len(), 3, "{:?}", plan.up);
        let mut schema = start.clone();
        apply_all(&mut schema, &plan.up).unwrap();
        assert_eq!(schema, target);
        apply_all(&mut schema, &plan.down).unwrap();
        assert_eq!(schema.tables[0].primary_key, ["id"]);
        assert!(schema.tables[0].column("id").unwrap().auto_increment);
    }

    /// Plans `start` to `target`, checks that `up` reaches the target and `down` the start
    /// (each replayed), and that `down` is the plan of the way back; the summary lines.
    fn planned(start: &Table, target: &Table) -> (Plan, Vec<String>) {
        let (start, target) = (
            Schema::new(vec![start.clone()]),
            Schema::new(vec![target.clone()]),
        );
        let plan = diff(&start, &target).unwrap();
        let mut schema = start.clone();
        apply_all(&mut schema, &plan.up).unwrap();
        assert_eq!(schema, target, "up");
        apply_all(&mut schema, &plan.down).unwrap();
        assert_eq!(schema, start, "down");
        assert_eq!(diff(&target, &start).unwrap().up, plan.down);
        let summary = plan.changes.iter().map(ToString::to_string).collect();
        (plan, summary)
    }

    fn column_of(t: &Table, name: &str) -> Column {
        t.column(name).unwrap().clone()
    }

    #[test]
    fn new_column_fields_alter_the_column() {
        let start = table("users", &["email"]);
        let with = |f: &dyn Fn(&mut Column)| {
            let mut t = start.clone();
            f(t.column_mut("email").unwrap());
            t
        };
        let (plan, summary) = planned(&start, &with(&|c| c.comment = Some("Login".into())));
        assert_eq!(summary, ["~ comment users.email"]);
        assert_eq!(
            plan.up,
            [Operation::AlterColumn {
                table: "users".into(),
                column: Column {
                    comment: Some("Login".into()),
                    ..column_of(&start, "email")
                },
            }]
        );
        let (_, summary) = planned(
            &start,
            &with(&|c| {
                c.ty = SqlType::Varchar(20);
                c.comment = Some("Login".into());
            }),
        );
        assert_eq!(summary[0], "~ column users.email text -> varchar(20)");
        assert_eq!(summary[1], "~ comment users.email");
        let (_, summary) = planned(
            &start,
            &with(&|c| {
                c.collation = Some("C".into());
                c.on_update = Some("CURRENT_TIMESTAMP".into());
            }),
        );
        assert_eq!(
            summary,
            ["~ column users.email no on update default collation -> on update CURRENT_TIMESTAMP collate C"]
        );
        let (_, summary) = planned(&start, &with(&|c| c.charset = Some("latin1".into())));
        assert_eq!(
            summary[0],
            "~ column users.email default charset -> charset latin1"
        );
        assert!(
            summary[1]
                .starts_with("! column users.email: default charset -> charset latin1 converts"),
            "{summary:?}"
        );
        let (_, summary) = planned(
            &start,
            &with(&|c| {
                c.generated = Some(Generated {
                    expr: "lower(name)".into(),
                    stored: true,
                })
            }),
        );
        assert_eq!(
            summary,
            ["~ column users.email not generated -> generated (lower(name)) stored"]
        );
        let mut serial = start.clone();
        serial.columns[0].identity = Some(Identity::SERIAL);
        let (_, summary) = planned(&start, &serial);
        assert_eq!(summary, ["~ column users.id default identity -> serial"]);
        let mut always = start.clone();
        always.columns[0].identity = Some(Identity::Always);
        let (_, summary) = planned(&serial, &always);
        assert_eq!(summary, ["~ column users.id serial -> identity always"]);
    }

    #[test]
    fn table_options_are_altered_whole() {
        let start = table("users", &["email"]);
        let mut commented = start.clone();
        commented.options.comment = Some("People".into());
        let (plan, summary) = planned(&start, &commented);
        assert_eq!(summary, ["~ comment users"]);
        assert_eq!(
            plan.up,
            [Operation::AlterTableOptions {
                table: "users".into(),
                options: commented.options.clone(),
            }]
        );
        assert_eq!(
            plan.down,
            [Operation::AlterTableOptions {
                table: "users".into(),
                options: TableOptions::default(),
            }]
        );
        let mut engine = commented.clone();
        engine.options.engine = Some("MyISAM".into());
        engine.options.comment = None;
        engine.options.strict = true;
        engine.options.inherits = vec!["users".into()];
        let (_, summary) = planned(&commented, &engine);
        assert_eq!(
            summary,
            ["~ table users: comment, engine (default) -> MyISAM, strict, inherits () -> (users)"]
        );
        // Options change before the columns that a new default character set applies to.
        let mut both = engine.clone();
        both.columns.push(Column::new("bio", SqlType::Text));
        let (plan, _) = planned(&commented, &both);
        assert!(matches!(plan.up[0], Operation::AlterTableOptions { .. }));
        assert!(matches!(plan.up[1], Operation::AddColumn { .. }));
    }

    #[test]
    fn a_changed_index_is_dropped_and_created_under_its_name() {
        let mut start = table("posts", &["title", "body"]);
        start.indexes.push(Index::new("ix_posts_title", ["title"]));
        let mut gin = start.clone();
        gin.indexes[0].method = Some("gin".into());
        let (plan, summary) = planned(&start, &gin);
        assert_eq!(summary, ["~ index ix_posts_title on posts btree -> gin"]);
        assert_eq!(
            plan.up,
            [
                Operation::DropIndex {
                    table: "posts".into(),
                    name: "ix_posts_title".into(),
                },
                Operation::CreateIndex {
                    table: "posts".into(),
                    index: gin.indexes[0].clone(),
                },
            ]
        );
        let mut rich = start.clone();
        rich.indexes[0] = Index {
            columns: vec![
                IndexColumn::column("title").desc().nulls_last(),
                IndexColumn::expression("lower(body)"),
            ],
            predicate: Some("body IS NOT NULL".into()),
            include: vec!["body".into()],
            with: Some("fillfactor=70".into()),
            ..Index::new("ix_posts_title", Vec::<IndexColumn>::new())
        };
        let (_, summary) = planned(&start, &rich);
        assert_eq!(
            summary,
            ["~ index ix_posts_title on posts (title) no predicate no include no with -> (title DESC NULLS LAST, (lower(body))) where body IS NOT NULL include (body) with (fillfactor=70)"]
        );
        // A new name is another index.
        let mut renamed = start.clone();
        renamed.indexes[0].name = "ix_title".into();
        let (_, summary) = planned(&start, &renamed);
        assert_eq!(
            summary,
            [
                "- index ix_posts_title on posts",
                "+ index ix_title on posts"
            ]
        );
        // A unique index over what a dropped one guaranteed does not warn; NULLS NOT DISTINCT
        // guarantees more, and does.
        let mut unique = start.clone();
        unique.indexes[0].unique = true;
        let mut desc = unique.clone();
        desc.indexes[0].columns[0].descending = true;
        let (_, summary) = planned(&unique, &desc);
        assert_eq!(
            summary,
            ["~ index ix_posts_title on posts (title) -> (title DESC)"]
        );
        let mut nnd = unique.clone();
        nnd.indexes[0].nulls_not_distinct = true;
        let (_, summary) = planned(&unique, &nnd);
        assert_eq!(summary.len(), 2, "{summary:?}");
        assert!(summary[1].starts_with("! unique index ix_posts_title on posts"));
    }

    #[test]
    fn changed_constraints_are_dropped_and_added() {
        let mut start = with_fk(table("posts", &["code"]), "author_id", "users");
        start
            .uniques
            .push(crate::schema::Unique::new("uq_posts_code", ["code"]));
        start.checks.push(Check::new("ck_code", "code <> ''"));
        let users = table("users", &[]);
        let plan_of = |a: &Table, b: &Table| {
            let (a, b) = (
                Schema::new(vec![a.clone(), users.clone()]),
                Schema::new(vec![b.clone(), users.clone()]),
            );
            let plan = diff(&a, &b).unwrap();
            let mut schema = a.clone();
            apply_all(&mut schema, &plan.up).unwrap();
            assert_eq!(schema, b);
            apply_all(&mut schema, &plan.down).unwrap();
            assert_eq!(schema, a);
            plan.changes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        let mut deferred = start.clone();
        deferred.uniques[0].deferrable = Some(Deferrable::Deferred);
        deferred.foreign_keys[0].deferrable = Some(Deferrable::Deferred);
        deferred.foreign_keys[0].match_full = true;
        deferred.checks[0].no_inherit = true;
        assert_eq!(
            plan_of(&start, &deferred),
            [
                "~ foreign key fk_posts_author_id_users on posts (author_id) references users (id) -> (author_id) references users (id) MATCH FULL DEFERRABLE INITIALLY DEFERRED",
                "~ unique uq_posts_code on posts (code) -> (code) DEFERRABLE INITIALLY DEFERRED",
                "~ check ck_code on posts (code <> '') -> (code <> '') NO INHERIT",
            ]
        );
        // Keys and checks added NOT VALID leave the rows alone, so they do not warn; made
        // valid, they check every row, and do.
        let mut not_valid = start.clone();
        not_valid.checks[0].not_valid = true;
        not_valid.checks.push(Check {
            not_valid: true,
            ..Check::new("ck_new", "code > 'a'")
        });
        not_valid.foreign_keys[0].not_valid = true;
        let summary = plan_of(&start, &not_valid);
        assert!(!summary.iter().any(|l| l.starts_with('!')), "{summary:?}");
        let summary = plan_of(&not_valid, &start);
        assert!(
            summary
                .iter()
                .any(|l| l.starts_with("! check ck_code on posts")),
            "{summary:?}"
        );
        assert!(
            summary
                .iter()
                .any(|l| l.starts_with("! foreign key fk_posts_author_id_users")),
            "{summary:?}"
        );
        let mut nnd = start.clone();
        nnd.uniques[0].nulls_not_distinct = true;
        let summary = plan_of(&start, &nnd);
        assert_eq!(
            summary[0],
            "~ unique uq_posts_code on posts (code) -> (code) NULLS NOT DISTINCT"
        );
        assert!(
            summary[1].starts_with("! unique uq_posts_code on posts"),
            "{summary:?}"
        );
    }

    #[test]
    fn exclusions_are_added_changed_and_dropped() {
        let start = table("bookings", &["room"]);
        let mut one = start.clone();
        one.exclusions.push(Exclusion {
            name: "ex_room".into(),
            definition: "USING gist (room WITH =)".into(),
            deferrable: None,
        });
        let (plan, summary) = planned(&start, &one);
        assert_eq!(
            summary,
            [
                "+ exclusion ex_room on bookings",
                "! exclusion ex_room on bookings: the step fails if existing rows conflict"
            ]
        );
        assert!(matches!(plan.up[0], Operation::AddExclusion { .. }));
        let mut deferred = one.clone();
        deferred.exclusions[0].deferrable = Some(Deferrable::Deferred);
        let (plan, summary) = planned(&one, &deferred);
        assert_eq!(
            summary,
            ["~ exclusion ex_room on bookings (USING gist (room WITH =)) -> (USING gist (room WITH =)) DEFERRABLE INITIALLY DEFERRED"]
        );
        assert!(matches!(plan.up[0], Operation::DropExclusion { .. }));
        let (_, summary) = planned(&one, &start);
        assert_eq!(summary, ["- exclusion ex_room on bookings"]);
    }

    #[test]
    fn a_primary_key_name_changes_alone() {
        let start = table("users", &["email"]);
        let mut named = start.clone();
        named.primary_key_name = Some("users_pk".into());
        let (plan, summary) = planned(&start, &named);
        assert_eq!(
            summary,
            ["~ primary key of users (id) named (default name) -> users_pk"]
        );
        assert_eq!(
            plan.up,
            [Operation::SetPrimaryKey {
                table: "users".into(),
                columns: vec!["id".into()],
                name: Some("users_pk".into()),
            }]
        );
        let mut moved = named.clone();
        moved.primary_key = vec!["id".into(), "email".into()];
        moved.primary_key_name = Some("pk_users".into());
        let (_, summary) = planned(&named, &moved);
        assert_eq!(
            summary[0],
            "~ primary key of users (id) -> (id, email), named users_pk -> pk_users"
        );
    }

    #[test]
    fn parents_come_before_their_partitions_and_children_and_go_after() {
        let parent = table("a_parent", &["name"]);
        let mut child = table("b_child", &["name"]);
        child.options.inherits = vec!["a_parent".into()];
        // Created together: the parent first; dropped together: the child first.
        let mut reversed = child.clone();
        reversed.name = "a_child".into();
        let mut late_parent = parent.clone();
        late_parent.name = "z_parent".into();
        reversed.options.inherits = vec!["z_parent".into()];
        let both = Schema::new(vec![reversed.clone(), late_parent.clone()]);
        let plan = diff(&Schema::default(), &both).unwrap();
        let created: Vec<String> = plan
            .up
            .iter()
            .filter_map(|op| match op {
                Operation::CreateTable(t) => Some(t.name.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(created, ["z_parent", "a_child"]);
        let mut schema = Schema::default();
        apply_all(&mut schema, &plan.up).unwrap();
        apply_all(&mut schema, &plan.down).unwrap();
        assert_eq!(schema, Schema::default());

        // A kept table that becomes the child of a created one, after it is created; one that
        // stops being the child of a dropped one, before it is dropped.
        let plain = table("b_child", &["name"]);
        let start = Schema::new(vec![plain.clone()]);
        let target = Schema::new(vec![parent.clone(), child.clone()]);
        for (from, to) in [(&start, &target), (&target, &start)] {
            let plan = diff(from, to).unwrap();
            let mut schema = from.clone();
            apply_all(&mut schema, &plan.up).unwrap();
            assert_eq!(&schema, to);
            apply_all(&mut schema, &plan.down).unwrap();
            assert_eq!(&schema, from);
        }
    }
}
