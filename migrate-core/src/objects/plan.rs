//! Where the diff puts the objects' creations, changes and drops among the tables' steps.
//!
//! Objects tables may use (extensions, sequences, types, domains, functions, procedures) are
//! created before the tables and dropped after them; objects that use tables (views,
//! materialized views, triggers, policies, events) are created after the tables and dropped
//! before them. Within a group, each comes after what it depends on and goes before it. A view
//! (trigger, policy) over a column that is dropped or changes type is dropped before the change
//! and created again after it, since PostgreSQL refuses the change while it exists; so is
//! whatever depends on an object that must be dropped and created to change.
//!
//! The steps come back grouped by where the diff puts them; the diff applies each to its
//! working schema, so an order this module gets wrong is an error, never a bad migration.

use std::collections::{BTreeMap, BTreeSet};

use crate::backend::Backend;
use crate::migration::Operation;
use crate::schema::{Schema, Table};

use super::sql::{self, Flavor, Head, Known};
use super::{comparable, DbObject, ObjectKey, ObjectKind};

/// How a step reads in the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// `+` a new object.
    Add(String),
    /// `-` an object that goes.
    Remove(String),
    /// `~` an object that changes.
    Alter(String),
    /// `!` a step that loses something.
    Warning(String),
    /// No line of its own: another step's line says it.
    Quiet,
}

/// One step and its summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The operation.
    pub op: Operation,
    /// Its line.
    pub note: Note,
}

/// The objects' steps, by where they go among the tables' steps.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ObjectSteps {
    /// Before any table changes: extensions; the drops of what uses a table or column about
    /// to change or go, and of what changes by a drop and create; the creations of what
    /// tables may use.
    pub before_tables: Vec<Step>,
    /// Once every table is as the target has it: the drops of what tables used and no longer
    /// do, then the creations and changes of what uses tables.
    pub after_tables: Vec<Step>,
    /// At the very end: extensions that go.
    pub last: Vec<Step>,
}

/// The columns of a table that go or change type between `from` and `to`.
fn changed_columns(from: &Table, to: &Table) -> BTreeSet<String> {
    from.columns
        .iter()
        .filter(|c| to.column(&c.name).is_none_or(|n| n.ty != c.ty))
        .map(|c| c.name.clone())
        .collect()
}

/// Whether `definition` names one of `columns` (or `*`, which names every column).
fn mentions(definition: &str, columns: &BTreeSet<String>) -> bool {
    let flavor = Flavor(Backend::Postgres);
    let Ok(tokens) = sql::tokenize(definition, flavor) else {
        return true;
    };
    tokens.iter().any(|t| {
        t.is_punct('*')
            || t.name(definition, flavor).is_some_and(|n| {
                columns.contains(&n) || columns.iter().any(|c| c.eq_ignore_ascii_case(&n))
            })
    })
}

/// Whether PostgreSQL refuses to change `old` into `new` in place, so that it must be dropped
/// and created (and what depends on it with it): a function whose arguments or result change,
/// a view whose columns are not the old ones with more after them, a materialized view, an
/// aggregate, a type or a domain. A definition PostgreSQL's rules cannot read comes from another backend, whose
/// dialect replaces anything in place.
fn needs_recreate(old: &DbObject, new: &DbObject) -> bool {
    let flavor = Flavor(Backend::Postgres);
    let read = |o: &DbObject| -> Option<(sql::Statement, sql::ObjectHead)> {
        let statements = sql::statements(&o.definition, flavor).ok()?;
        statements
            .into_iter()
            .find_map(|s| match sql::head(&s, flavor) {
                Ok(Head::Object(h)) => Some((s, h)),
                _ => None,
            })
    };
    match old.kind {
        ObjectKind::MaterializedView
        | ObjectKind::Type
        | ObjectKind::Domain
        | ObjectKind::Aggregate => true,
        ObjectKind::Function | ObjectKind::Procedure => match (read(old), read(new)) {
            (Some((so, ho)), Some((sn, hn))) => {
                sql::function_signature(&so, &ho) != sql::function_signature(&sn, &hn)
            }
            _ => false,
        },
        ObjectKind::View => match (read(old), read(new)) {
            (Some((so, ho)), Some((sn, hn))) => {
                match (
                    sql::view_columns(&so, &ho, flavor),
                    sql::view_columns(&sn, &hn, flavor),
                ) {
                    (Some(o), Some(n)) => !n.starts_with(&o),
                    _ => true,
                }
            }
            _ => false,
        },
        _ => false,
    }
}

/// What each table of `schema` uses among its objects: types and domains in column types,
/// functions and sequences in defaults and checks.
pub fn table_uses(schema: &Schema) -> BTreeMap<String, BTreeSet<String>> {
    let flavor = Flavor(Backend::Postgres);
    let tables: Vec<String> = Vec::new();
    let keys: Vec<ObjectKey> = schema.objects.iter().map(DbObject::key).collect();
    let known: Known = super::known_names(&tables, &keys, Backend::Postgres);
    let mut out = BTreeMap::new();
    for table in &schema.tables {
        let mut texts: Vec<String> = Vec::new();
        for column in &table.columns {
            if let crate::schema::SqlType::Custom(ty) = &column.ty {
                texts.push(ty.clone());
            }
            if let Some(crate::schema::DefaultValue::Sql(expr)) = &column.default {
                texts.push(expr.clone());
            }
        }
        texts.extend(table.checks.iter().map(|c| c.expr.clone()));
        let mut used = BTreeSet::new();
        for text in texts {
            if let Ok(tokens) = sql::tokenize(&text, flavor) {
                used.extend(sql::referenced(&tokens, &text, flavor, &known));
            }
        }
        if !used.is_empty() {
            out.insert(table.name.clone(), used);
        }
    }
    out
}

/// The objects' steps from `from` (the current schema, renames applied) to `to`.
pub fn plan(from: &Schema, to: &Schema) -> Result<ObjectSteps, String> {
    if from.objects.is_empty() && to.objects.is_empty() {
        return Ok(ObjectSteps::default());
    }
    let old: BTreeMap<ObjectKey, &DbObject> = from.objects.iter().map(|o| (o.key(), o)).collect();
    let new: BTreeMap<ObjectKey, &DbObject> = to.objects.iter().map(|o| (o.key(), o)).collect();
    let gone: BTreeSet<ObjectKey> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let added: BTreeSet<ObjectKey> = new
        .keys()
        .filter(|k| !old.contains_key(*k))
        .cloned()
        .collect();
    let changed: BTreeSet<ObjectKey> = old
        .iter()
        .filter(|(k, o)| {
            new.get(*k)
                .is_some_and(|n| comparable(&o.definition) != comparable(&n.definition))
        })
        .map(|(k, _)| k.clone())
        .collect();
    let mut recreate: BTreeSet<ObjectKey> = changed
        .iter()
        .filter(|k| needs_recreate(old[*k], new[*k]))
        .cloned()
        .collect();

    // What tables use cannot be dropped under them.
    let uses = table_uses(from);
    for key in &recreate {
        if key.kind.before_tables() {
            if let Some((table, _)) = uses.iter().find(|(_, u)| u.contains(&key.to_string())) {
                let what = match key.kind {
                    ObjectKind::Function | ObjectKind::Procedure => {
                        "changes its arguments or result"
                    }
                    _ => "changes",
                };
                return Err(format!(
                    "{key} {what}, which needs it dropped and created again, and table {table} uses it (in a column type, default or check): write this change by hand with `migrate --empty` (PostgreSQL's ALTER {} ..., or a new object and the columns moved to it)",
                    key.kind.sql_name().to_uppercase()
                ));
            }
        }
    }

    // Tables that go, and columns that go or change type, in tables that stay.
    let dropped_tables: BTreeSet<String> = from
        .tables
        .iter()
        .filter(|t| to.table(&t.name).is_none())
        .map(|t| t.name.clone())
        .collect();
    let mut changing: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &from.tables {
        if let Some(target) = to.table(&t.name) {
            let columns = changed_columns(t, target);
            if !columns.is_empty() {
                changing.insert(t.name.clone(), columns);
            }
        }
    }

    // What stays but must be dropped and created again: what uses a changing column, and
    // whatever depends on something dropped and created.
    let mut cycled: BTreeMap<ObjectKey, String> = BTreeMap::new();
    for (key, o) in &old {
        if !new.contains_key(key) || recreate.contains(key) {
            continue;
        }
        if !matches!(
            key.kind,
            ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Trigger
                | ObjectKind::Rule
                | ObjectKind::Policy
        ) {
            continue;
        }
        for (table, columns) in &changing {
            if o.depends_on(&format!("table {table}")) && mentions(&o.definition, columns) {
                cycled.insert(
                    key.clone(),
                    format!(
                        "around the change of {}",
                        columns
                            .iter()
                            .map(|c| format!("{table}.{c}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                break;
            }
        }
    }
    loop {
        let dropped: BTreeSet<String> = recreate
            .iter()
            .chain(cycled.keys())
            .chain(gone.iter())
            .map(ToString::to_string)
            .collect();
        let more: Vec<(ObjectKey, String)> = old
            .iter()
            .filter(|(k, _)| {
                new.contains_key(*k) && !recreate.contains(*k) && !cycled.contains_key(*k)
            })
            .filter_map(|(k, o)| {
                o.depends_on
                    .iter()
                    .find(|d| dropped.contains(*d))
                    .map(|d| (k.clone(), format!("with {d}")))
            })
            .collect();
        if more.is_empty() {
            break;
        }
        cycled.extend(more);
    }
    for key in cycled.keys() {
        if key.kind.before_tables() {
            if let Some((table, _)) = uses.iter().find(|(_, u)| u.contains(&key.to_string())) {
                return Err(format!(
                    "{key} must be dropped and created again ({}), and table {table} uses it: write this change by hand with `migrate --empty`",
                    cycled[key]
                ));
            }
        }
    }
    // A changed object that must also be cycled is recreated with its new definition.
    recreate.extend(changed.iter().filter(|k| cycled.contains_key(*k)).cloned());
    for key in &recreate {
        cycled.remove(key);
    }

    let mut steps = ObjectSteps::default();

    // Extensions: created and changed first, dropped last.
    for key in order(&added, &new)? {
        if key.kind == ObjectKind::Extension {
            steps.before_tables.push(Step {
                op: Operation::CreateObject(new[&key].clone()),
                note: Note::Add(key.to_string()),
            });
        }
    }
    for key in &changed {
        if key.kind == ObjectKind::Extension {
            steps.before_tables.push(Step {
                op: Operation::ReplaceObject(new[key].clone()),
                note: Note::Alter(format!("{key} (definition changed)")),
            });
        }
    }

    // Drops before the tables change: whatever uses tables, what is dropped to be created
    // again, and what depends on a table that goes or on another early drop.
    let dropping: BTreeSet<ObjectKey> = gone
        .iter()
        .chain(recreate.iter())
        .chain(cycled.keys())
        .filter(|k| k.kind != ObjectKind::Extension)
        .cloned()
        .collect();
    // What tables use goes once they no longer do; anything else goes first.
    let used_by_tables: BTreeSet<String> = uses.values().flatten().cloned().collect();
    let mut early: BTreeSet<ObjectKey> = dropping
        .iter()
        .filter(|k| !gone.contains(*k) || !used_by_tables.contains(&k.to_string()))
        .cloned()
        .collect();
    loop {
        let early_keys: BTreeSet<String> = early.iter().map(ToString::to_string).collect();
        let more: Vec<ObjectKey> = dropping
            .iter()
            .filter(|k| !early.contains(*k))
            .filter(|k| {
                old[*k].depends_on.iter().any(|d| {
                    early_keys.contains(d)
                        || d.strip_prefix("table ")
                            .is_some_and(|t| dropped_tables.contains(t))
                })
            })
            .cloned()
            .collect();
        if more.is_empty() {
            break;
        }
        early.extend(more);
    }
    let late_drops: BTreeSet<ObjectKey> = dropping.difference(&early).cloned().collect();
    for key in order(&early, &old)?.into_iter().rev() {
        let note = if gone.contains(&key) {
            drop_note(&key)
        } else {
            Note::Quiet
        };
        steps.before_tables.push(Step {
            op: Operation::DropObject(key),
            note,
        });
    }

    // Creations before the tables: what tables may use, unless it needs a table this
    // migration creates (or something created after the tables).
    let creating: BTreeSet<ObjectKey> = added
        .iter()
        .chain(recreate.iter())
        .chain(cycled.keys())
        .filter(|k| k.kind != ObjectKind::Extension)
        .cloned()
        .collect();
    let replacing: BTreeSet<ObjectKey> = changed
        .iter()
        .filter(|k| !recreate.contains(*k) && k.kind != ObjectKind::Extension)
        .cloned()
        .collect();
    let mut late: BTreeSet<ObjectKey> = creating
        .iter()
        .chain(replacing.iter())
        .filter(|k| !k.kind.before_tables())
        .cloned()
        .collect();
    loop {
        let late_keys: BTreeSet<String> = late.iter().map(ToString::to_string).collect();
        let more: Vec<ObjectKey> = creating
            .iter()
            .chain(replacing.iter())
            .filter(|k| !late.contains(*k))
            .filter(|k| {
                new[*k].depends_on.iter().any(|d| {
                    late_keys.contains(d)
                        || d.strip_prefix("table ")
                            .is_some_and(|t| from.table(t).is_none())
                })
            })
            .cloned()
            .collect();
        if more.is_empty() {
            break;
        }
        late.extend(more);
    }
    let all_creating: BTreeSet<ObjectKey> = creating.union(&replacing).cloned().collect();
    let early_creating: BTreeSet<ObjectKey> = all_creating.difference(&late).cloned().collect();
    let create_step = |key: &ObjectKey| -> Step {
        let object = new[key].clone();
        if replacing.contains(key) {
            Step {
                op: Operation::ReplaceObject(object),
                note: Note::Alter(format!("{key} (definition changed)")),
            }
        } else if recreate.contains(key) {
            Step {
                op: Operation::CreateObject(object),
                note: Note::Alter(format!(
                    "{key} (definition changed; dropped and created again)"
                )),
            }
        } else if let Some(why) = cycled.get(key) {
            Step {
                op: Operation::CreateObject(object),
                note: Note::Alter(format!("{key} dropped and created again {why}")),
            }
        } else {
            Step {
                op: Operation::CreateObject(object),
                note: Note::Add(key.to_string()),
            }
        }
    };
    for key in order(&early_creating, &new)? {
        steps.before_tables.push(create_step(&key));
    }

    // Once the tables are as the target has them: what they no longer use goes, then what
    // uses them comes.
    for key in order(&late_drops, &old)?.into_iter().rev() {
        steps.after_tables.push(Step {
            note: drop_note(&key),
            op: Operation::DropObject(key),
        });
    }
    for key in order(&late, &new)? {
        steps.after_tables.push(create_step(&key));
    }
    for key in order(&gone, &old)?.into_iter().rev() {
        if key.kind == ObjectKind::Extension {
            steps.last.push(Step {
                note: drop_note(&key),
                op: Operation::DropObject(key),
            });
        }
    }
    Ok(steps)
}

fn drop_note(key: &ObjectKey) -> Note {
    match key.kind {
        ObjectKind::Sequence => Note::Warning(format!("drop {key}: its current value is lost")),
        ObjectKind::MaterializedView => {
            Note::Remove(format!("{key} (its rows are computed, not stored data)"))
        }
        _ => Note::Remove(key.to_string()),
    }
}

/// `keys` ordered so that each comes after what it depends on among them (by key otherwise).
fn order(
    keys: &BTreeSet<ObjectKey>,
    objects: &BTreeMap<ObjectKey, &DbObject>,
) -> Result<Vec<ObjectKey>, String> {
    let shown: BTreeMap<String, ObjectKey> =
        keys.iter().map(|k| (k.to_string(), k.clone())).collect();
    let mut waiting: BTreeMap<ObjectKey, BTreeSet<ObjectKey>> = keys
        .iter()
        .map(|k| {
            let deps = objects
                .get(k)
                .map(|o| {
                    o.depends_on
                        .iter()
                        .filter_map(|d| shown.get(d).cloned())
                        .filter(|d| d != k)
                        .collect()
                })
                .unwrap_or_default();
            (k.clone(), deps)
        })
        .collect();
    // One at a time, the first ready by key, so that kinds keep their order where
    // dependencies allow (views before the triggers on them).
    let mut out = Vec::with_capacity(keys.len());
    while !waiting.is_empty() {
        let Some(key) = waiting
            .iter()
            .find(|(_, deps)| deps.is_empty())
            .map(|(k, _)| k.clone())
        else {
            let cycle: Vec<String> = waiting.keys().map(ToString::to_string).collect();
            return Err(format!(
                "{} depend on each other in a cycle; break it (a `-- depends on:` header may name one too many)",
                cycle.join(", ")
            ));
        };
        waiting.remove(&key);
        for deps in waiting.values_mut() {
            deps.remove(&key);
        }
        out.push(key);
    }
    Ok(out)
}

/// Whether `planned` and `target` hold the same objects with the same definitions.
pub fn same_objects(planned: &Schema, target: &Schema) -> bool {
    planned.objects.len() == target.objects.len()
        && planned
            .objects
            .iter()
            .zip(&target.objects)
            .all(|(a, b)| a.same_definition(b))
}
