//! The statements that create, change and drop the objects that are not tables, per backend.
//!
//! A creation runs the object's own SQL, statement by statement (PostgreSQL creates functions
//! with `check_function_bodies` off, so that a function may read a table created after it). A
//! change runs `CREATE OR REPLACE` where the backend has it for the kind (PostgreSQL views and
//! functions, MySQL views), `ALTER` where that is the change (PostgreSQL sequences and
//! extensions), and otherwise drops the object alone and creates it again (triggers, policies,
//! events, MySQL routines, SQLite views with their triggers). A drop names the object as the
//! backend wants it (a PostgreSQL function by its argument types, a trigger or policy with its
//! table); dropping a table's last policy that enabled row-level security disables it again.

use super::common::quote_with;
use super::Backend;
use crate::error::{Error, Result};
use crate::migration::Operation;
use crate::objects::sql::{self, Flavor, Head, TokenKind};
use crate::objects::{statements_of, DbObject, ObjectKey, ObjectKind};
use crate::schema::Schema;

fn quote(backend: Backend, name: &str) -> String {
    quote_with(name, if backend == Backend::Mysql { '`' } else { '"' })
}

/// The statements of an object operation on `backend`; `before` and `after` are the schemas
/// around it.
pub(crate) fn render(
    backend: Backend,
    op: &Operation,
    before: &Schema,
    after: &Schema,
) -> Result<Vec<String>> {
    match op {
        Operation::CreateObject(object) => {
            refuse_kind(backend, object.kind, &object.key())?;
            Ok(create(backend, object))
        }
        Operation::DropObject(key) => {
            refuse_kind(backend, key.kind, key)?;
            let mut out = vec![drop(backend, key)];
            if let Some(old) = before.object(key) {
                out.extend(row_security_left(backend, old, after));
            }
            Ok(out)
        }
        Operation::ReplaceObject(object) => {
            refuse_kind(backend, object.kind, &object.key())?;
            let old = before.object(&object.key()).ok_or_else(|| {
                Error::Operation(format!("replace_object: {} does not exist", object.key()))
            })?;
            Ok(replace(backend, old, object, after))
        }
        _ => Err(Error::Operation(format!("{op:?} is no object operation"))),
    }
}

/// What the backend does not have is refused at render time, naming the object.
fn refuse_kind(backend: Backend, kind: ObjectKind, key: &ObjectKey) -> Result<()> {
    if kind.on(backend) {
        return Ok(());
    }
    Err(Error::Operation(format!("{key}: {backend} has no {kind}s")))
}

/// The object's own statements, with PostgreSQL's function bodies left unchecked until run.
fn create(backend: Backend, object: &DbObject) -> Vec<String> {
    let mut out = Vec::new();
    if backend == Backend::Postgres
        && matches!(object.kind, ObjectKind::Function | ObjectKind::Procedure)
    {
        out.push("SET LOCAL check_function_bodies = off".to_string());
    }
    out.extend(statements_of(&object.definition, backend));
    out
}

/// `DROP <kind> <name>`, as the backend names the object.
fn drop(backend: Backend, key: &ObjectKey) -> String {
    let q = |name: &str| quote(backend, name);
    let mut name = q(&key.name);
    if backend == Backend::Postgres {
        if let Some(args) = &key.arguments {
            name.push('(');
            name.push_str(&args.join(", "));
            name.push(')');
        }
    }
    let on = match (&key.table, backend) {
        (Some(table), Backend::Postgres) => format!(" ON {}", q(table)),
        _ => String::new(),
    };
    format!("DROP {} {name}{on}", key.kind.sql_name().to_uppercase())
}

/// When `old`, a policy, enabled (or forced) row-level security on its table and no policy of
/// `after` on that table does, the statements that turn it off again: a drop is the exact
/// inverse of the creation.
fn row_security_left(backend: Backend, old: &DbObject, after: &Schema) -> Vec<String> {
    if backend != Backend::Postgres || old.kind != ObjectKind::Policy {
        return Vec::new();
    }
    let Some(table) = &old.table else {
        return Vec::new();
    };
    let says = |o: &DbObject, what: &str| {
        crate::objects::comparable(&o.definition)
            .to_ascii_uppercase()
            .contains(what)
    };
    let others: Vec<&DbObject> = after
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Policy && o.table.as_ref() == Some(table))
        .collect();
    let mut out = Vec::new();
    for (what, undo) in [
        ("FORCE ROW LEVEL SECURITY", "NO FORCE ROW LEVEL SECURITY"),
        ("ENABLE ROW LEVEL SECURITY", "DISABLE ROW LEVEL SECURITY"),
    ] {
        if says(old, what) && !others.iter().any(|o| says(o, what)) && after.table(table).is_some()
        {
            out.push(format!("ALTER TABLE {} {undo}", quote(backend, table)));
        }
    }
    out
}

/// The statements that give `old` the definition of `new`.
fn replace(backend: Backend, old: &DbObject, new: &DbObject, after: &Schema) -> Vec<String> {
    let key = new.key();
    let in_place = match (backend, new.kind) {
        (Backend::Postgres, ObjectKind::View | ObjectKind::Function | ObjectKind::Procedure) => {
            true
        }
        (Backend::Mysql, ObjectKind::View) => true,
        (Backend::Postgres, ObjectKind::Sequence) => {
            if let Some(alter) = alter_sequence(new) {
                let mut out = vec![alter];
                out.extend(comments_reset(backend, old));
                out.extend(accessories(backend, new));
                return out;
            }
            false
        }
        (Backend::Postgres, ObjectKind::Extension) => {
            return alter_extension(old, new);
        }
        _ => false,
    };
    if in_place {
        let mut out = Vec::new();
        if backend == Backend::Postgres && new.kind != ObjectKind::View {
            out.push("SET LOCAL check_function_bodies = off".to_string());
        }
        let mut statements = statements_of(&new.definition, backend).into_iter();
        if let Some(first) = statements.next() {
            out.push(or_replace(&first, backend));
        }
        out.extend(comments_reset(backend, old));
        out.extend(statements);
        return out;
    }
    // Dropped alone and created again; on SQLite a view's INSTEAD OF triggers go with it, so
    // they come back after it.
    let mut out = vec![drop(backend, &key)];
    out.extend(create(backend, new));
    if backend == Backend::Sqlite && new.kind == ObjectKind::View {
        for trigger in after
            .objects
            .iter()
            .filter(|o| o.kind == ObjectKind::Trigger && o.table.as_ref() == Some(&new.name))
        {
            out.extend(create(backend, trigger));
        }
    }
    out
}

/// The statements of `object` after its CREATE (comments, indexes, row-level security).
fn accessories(backend: Backend, object: &DbObject) -> Vec<String> {
    let flavor = Flavor(backend);
    let Ok(statements) = sql::statements(&object.definition, flavor) else {
        return Vec::new();
    };
    statements
        .iter()
        .filter(|s| !matches!(sql::head(s, flavor), Ok(Head::Object(_))))
        .map(|s| s.text.clone())
        .collect()
}

/// `COMMENT ON ... IS NULL` for every comment `old` set: a new definition without it has none.
fn comments_reset(backend: Backend, old: &DbObject) -> Vec<String> {
    let flavor = Flavor(backend);
    let Ok(statements) = sql::statements(&old.definition, flavor) else {
        return Vec::new();
    };
    statements
        .iter()
        .filter(|s| matches!(sql::head(s, flavor), Ok(Head::Comment { .. })))
        .filter_map(|s| {
            let tokens = sql::own_tokens(s);
            let is = tokens.iter().position(|t| t.is(&s.text, "IS"))?;
            Some(format!("{} IS NULL", s.text[..tokens[is].start].trim_end()))
        })
        .collect()
}

/// `statement` (a `CREATE ...`) as `CREATE OR REPLACE ...`.
fn or_replace(statement: &str, backend: Backend) -> String {
    let flavor = Flavor(backend);
    let Ok(tokens) = sql::tokenize(statement, flavor) else {
        return statement.to_string();
    };
    let already = tokens.get(1).is_some_and(|t| t.is(statement, "OR"));
    match tokens.first() {
        Some(create) if create.is(statement, "CREATE") && !already => format!(
            "{} OR REPLACE{}",
            &statement[..create.end],
            &statement[create.end..]
        ),
        _ => statement.to_string(),
    }
}

/// `ALTER SEQUENCE name` with every option of `new`'s `CREATE SEQUENCE` spelled out (the ones
/// it leaves out at their defaults), so the sequence becomes exactly the declared one and
/// keeps its current value.
fn alter_sequence(new: &DbObject) -> Option<String> {
    let flavor = Flavor(Backend::Postgres);
    let statements = sql::statements(&new.definition, flavor).ok()?;
    let (statement, head) = statements.iter().find_map(|s| match sql::head(s, flavor) {
        Ok(Head::Object(h)) => Some((s, h)),
        _ => None,
    })?;
    let tokens = sql::own_tokens(statement);
    let text = statement.text.as_str();
    let number = |at: usize| -> Option<(String, usize)> {
        let t = tokens.get(at)?;
        if t.is_punct('-') || t.is_punct('+') {
            let n = tokens.get(at + 1)?;
            return Some((format!("{}{}", t.raw(text), n.raw(text)), at + 2));
        }
        (t.kind == TokenKind::Word).then(|| (t.raw(text).to_string(), at + 1))
    };
    let mut ty = "bigint".to_string();
    let mut increment = "1".to_string();
    let mut min: Option<String> = None;
    let mut max: Option<String> = None;
    let mut start: Option<String> = None;
    let mut cache = "1".to_string();
    let mut cycle = false;
    let mut i = head.after_name;
    while i < tokens.len() {
        let is = |kw: &str| tokens[i].is(text, kw);
        if is("AS") {
            ty = tokens.get(i + 1)?.raw(text).to_string();
            i += 2;
        } else if is("INCREMENT") {
            i += 1;
            if tokens.get(i).is_some_and(|t| t.is(text, "BY")) {
                i += 1;
            }
            (increment, i) = number(i)?;
        } else if is("MINVALUE") {
            let (n, next) = number(i + 1)?;
            (min, i) = (Some(n), next);
        } else if is("MAXVALUE") {
            let (n, next) = number(i + 1)?;
            (max, i) = (Some(n), next);
        } else if is("NO") {
            if tokens.get(i + 1).is_some_and(|t| t.is(text, "CYCLE")) {
                cycle = false;
            }
            i += 2;
        } else if is("START") {
            i += 1;
            if tokens.get(i).is_some_and(|t| t.is(text, "WITH")) {
                i += 1;
            }
            let (n, next) = number(i)?;
            (start, i) = (Some(n), next);
        } else if is("CACHE") {
            (cache, i) = number(i + 1)?;
        } else if is("CYCLE") {
            cycle = true;
            i += 1;
        } else if is("OWNED") {
            // `OWNED BY table.column` makes it a column's sequence: not one of these.
            return None;
        } else {
            i += 1;
        }
    }
    let descending = increment.starts_with('-');
    let start = start.unwrap_or_else(|| match (descending, &min, &max) {
        (false, Some(m), _) => m.clone(),
        (false, None, _) => "1".to_string(),
        (true, _, Some(m)) => m.clone(),
        (true, _, None) => "-1".to_string(),
    });
    Some(format!(
        "ALTER SEQUENCE {} AS {ty} INCREMENT BY {increment} {} {} START WITH {start} CACHE {cache} {}",
        quote(Backend::Postgres, &new.name),
        min.map_or("NO MINVALUE".to_string(), |m| format!("MINVALUE {m}")),
        max.map_or("NO MAXVALUE".to_string(), |m| format!("MAXVALUE {m}")),
        if cycle { "CYCLE" } else { "NO CYCLE" }
    ))
}

/// `ALTER EXTENSION` to the schema and version `new` names.
fn alter_extension(old: &DbObject, new: &DbObject) -> Vec<String> {
    let flavor = Flavor(Backend::Postgres);
    let options = |o: &DbObject| -> (Option<String>, Option<String>) {
        let Ok(statements) = sql::statements(&o.definition, flavor) else {
            return (None, None);
        };
        statements
            .iter()
            .find_map(|s| match sql::head(s, flavor) {
                Ok(Head::Object(h)) => Some(sql::extension_options(s, &h, flavor)),
                _ => None,
            })
            .unwrap_or((None, None))
    };
    let (old_schema, old_version) = options(old);
    let (new_schema, new_version) = options(new);
    let name = quote(Backend::Postgres, &new.name);
    let mut out: Vec<String> = accessories(Backend::Postgres, new);
    if new_schema.is_some() && new_schema != old_schema {
        out.push(format!(
            "ALTER EXTENSION {name} SET SCHEMA {}",
            quote(Backend::Postgres, new_schema.as_deref().unwrap_or_default())
        ));
    }
    if new_version != old_version {
        out.push(match &new_version {
            Some(v) => format!(
                "ALTER EXTENSION {name} UPDATE TO '{}'",
                v.replace('\'', "''")
            ),
            None => format!("ALTER EXTENSION {name} UPDATE"),
        });
    }
    out
}

/// The statements that create the triggers `schema` has on `table`: SQLite drops them with the
/// table when it rebuilds it.
pub(crate) fn triggers_on(schema: &Schema, table: &str) -> Vec<String> {
    schema
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Trigger && o.table.as_deref() == Some(table))
        .flat_map(|o| create(Backend::Sqlite, o))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::{parse, resolve};

    fn schema(texts: &[&str], tables: &[&str], backend: Backend) -> Schema {
        let mut s = Schema::new(
            tables
                .iter()
                .map(|t| {
                    let mut t = crate::schema::Table::new(*t);
                    t.columns.push(crate::schema::Column::new(
                        "id",
                        crate::schema::SqlType::Integer,
                    ));
                    t
                })
                .collect(),
        );
        let parsed = texts.iter().map(|t| parse(t, backend).unwrap()).collect();
        let names: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        s.objects = resolve(parsed, &names, backend).unwrap();
        s
    }

    #[test]
    fn postgres_statements() {
        let before = schema(
            &[
                "CREATE FUNCTION f(a int, b text) RETURNS int LANGUAGE sql AS 'select 1';\nCOMMENT ON FUNCTION f(int, text) IS 'one';",
                "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON t USING (true);",
                "CREATE SEQUENCE s START 5",
                "CREATE EXTENSION IF NOT EXISTS ltree VERSION '1.1'",
            ],
            &["t"],
            Backend::Postgres,
        );
        let f = &before.objects[2];
        assert_eq!(f.key().to_string(), "function f(integer, text)");
        let mut after = before.clone();
        after.objects.retain(|o| o.kind != ObjectKind::Policy);
        let policy = ObjectKey {
            table: Some("t".into()),
            ..ObjectKey::new(ObjectKind::Policy, "p")
        };
        assert_eq!(
            render(
                Backend::Postgres,
                &Operation::DropObject(policy),
                &before,
                &after
            )
            .unwrap(),
            [
                "DROP POLICY \"p\" ON \"t\"",
                "ALTER TABLE \"t\" DISABLE ROW LEVEL SECURITY"
            ]
        );
        assert_eq!(
            render(
                Backend::Postgres,
                &Operation::DropObject(f.key()),
                &before,
                &after
            )
            .unwrap(),
            ["DROP FUNCTION \"f\"(integer, text)"]
        );
        let mut new_f = f.clone();
        new_f.definition =
            "CREATE FUNCTION f(a int, b text) RETURNS int LANGUAGE sql AS 'select 2'".into();
        assert_eq!(
            render(Backend::Postgres, &Operation::ReplaceObject(new_f), &before, &after).unwrap(),
            [
                "SET LOCAL check_function_bodies = off",
                "CREATE OR REPLACE FUNCTION f(a int, b text) RETURNS int LANGUAGE sql AS 'select 2'",
                "COMMENT ON FUNCTION f(int, text) IS NULL"
            ]
        );
        let mut seq = before.objects[1].clone();
        assert_eq!(seq.kind, ObjectKind::Sequence);
        seq.definition = "CREATE SEQUENCE s INCREMENT BY -1 MAXVALUE -10 CYCLE".into();
        assert_eq!(
            render(Backend::Postgres, &Operation::ReplaceObject(seq), &before, &after).unwrap(),
            ["ALTER SEQUENCE \"s\" AS bigint INCREMENT BY -1 NO MINVALUE MAXVALUE -10 START WITH -10 CACHE 1 CYCLE"]
        );
        let mut ext = before.objects[0].clone();
        ext.definition =
            "CREATE EXTENSION IF NOT EXISTS ltree WITH SCHEMA util VERSION '1.2'".into();
        assert_eq!(
            render(
                Backend::Postgres,
                &Operation::ReplaceObject(ext),
                &before,
                &after
            )
            .unwrap(),
            [
                "ALTER EXTENSION \"ltree\" SET SCHEMA \"util\"",
                "ALTER EXTENSION \"ltree\" UPDATE TO '1.2'"
            ]
        );
    }

    #[test]
    fn a_sqlite_rebuild_creates_the_tables_triggers_again() {
        let start = schema(
            &["CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN SELECT 1; END"],
            &["t"],
            Backend::Sqlite,
        );
        let mut m = crate::migration::Migration::new();
        m.alter_column("t", "id", crate::schema::SqlType::BigInt);
        m.add_column("t", "note", crate::schema::SqlType::Text);
        let (sql, _) =
            crate::dialect::render_all(&super::super::SqliteDialect, &start, m.operations())
                .unwrap();
        let rename = sql
            .iter()
            .position(|s| s.starts_with("ALTER TABLE \"__migrate_new_t\" RENAME"))
            .unwrap();
        assert_eq!(
            sql.last().unwrap(),
            "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN SELECT 1; END"
        );
        assert!(rename < sql.len() - 1);
        assert_eq!(
            sql.iter()
                .filter(|s| s.starts_with("CREATE TRIGGER"))
                .count(),
            1,
            "one rebuild, one trigger"
        );
    }

    #[test]
    fn mysql_and_sqlite_statements() {
        let before = schema(
            &[
                "CREATE VIEW v AS SELECT id FROM t",
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.id = 1;",
            ],
            &["t"],
            Backend::Mysql,
        );
        let mut v = before.objects[0].clone();
        v.definition = "CREATE VIEW v AS SELECT id, 1 AS one FROM t".into();
        assert_eq!(
            render(
                Backend::Mysql,
                &Operation::ReplaceObject(v),
                &before,
                &before
            )
            .unwrap(),
            ["CREATE OR REPLACE VIEW v AS SELECT id, 1 AS one FROM t"]
        );
        let tr = before.objects[1].clone();
        assert_eq!(
            render(
                Backend::Mysql,
                &Operation::ReplaceObject(tr.clone()),
                &before,
                &before
            )
            .unwrap(),
            [
                "DROP TRIGGER `tr`",
                "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.id = 1"
            ]
        );
        let err = render(
            Backend::Sqlite,
            &Operation::CreateObject(DbObject {
                kind: ObjectKind::Function,
                ..tr
            }),
            &before,
            &before,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "function tr on t: SQLite has no functions");

        let lite = schema(
            &[
                "CREATE VIEW v AS SELECT id FROM t",
                "CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN INSERT INTO t (id) VALUES (NEW.id); END",
            ],
            &["t"],
            Backend::Sqlite,
        );
        assert_eq!(lite.objects[1].depends_on, ["table t", "view v"]);
        let mut v = lite.objects[0].clone();
        v.definition = "CREATE VIEW v AS SELECT id, 2 AS two FROM t".into();
        assert_eq!(
            render(Backend::Sqlite, &Operation::ReplaceObject(v), &lite, &lite).unwrap(),
            [
                "DROP VIEW \"v\"",
                "CREATE VIEW v AS SELECT id, 2 AS two FROM t",
                "CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN INSERT INTO t (id) VALUES (NEW.id); END"
            ]
        );
    }
}
