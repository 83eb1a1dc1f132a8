//! The objects of a schema that are not tables: PostgreSQL extensions, functions and
//! procedures, triggers, views, materialized views, sequences no column owns, domains,
//! composite and range types and row-level security policies; MySQL and MariaDB views,
//! triggers, routines and events; SQLite views and triggers.
//!
//! Each is declared as the SQL that creates it, one object to a file of the project's objects
//! folder ([`declare`]). Its kind and identity come from the statement's head ([`sql`]): a name,
//! the argument types of a PostgreSQL function (overloads are distinct objects), the table of a
//! trigger or policy. The definition is kept as written; what it depends on is found by name
//! ([`sql::referenced`]) or declared in a `-- depends on:` header comment, and orders the plan
//! ([`plan`]). Pure: no I/O but the folder reader's.

pub mod declare;
mod kind;
pub mod plan;
#[cfg(test)]
mod plan_tests;
pub mod sql;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::backend::Backend;

pub use kind::ObjectKind;
use sql::{Flavor, Head, Known};

/// What tells an object from every other: its kind, name, the table of a trigger or policy,
/// and the argument types of a PostgreSQL function or procedure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectKey {
    /// The kind.
    pub kind: ObjectKind,
    /// The name.
    pub name: String,
    /// The table of a trigger or policy.
    pub table: Option<String>,
    /// The argument types of a PostgreSQL function or procedure.
    pub arguments: Option<Vec<String>>,
}

impl ObjectKey {
    /// An object of this kind and name, with no table or arguments.
    pub fn new(kind: ObjectKind, name: impl Into<String>) -> Self {
        ObjectKey {
            kind,
            name: name.into(),
            table: None,
            arguments: None,
        }
    }

    /// The identity without the kind: `name`, `name(integer, text)`, `name on table`.
    pub fn identity(&self) -> String {
        let mut out = self.name.clone();
        if let Some(args) = &self.arguments {
            out.push('(');
            out.push_str(&args.join(", "));
            out.push(')');
        }
        if let Some(table) = &self.table {
            out.push_str(" on ");
            out.push_str(table);
        }
        out
    }
}

impl fmt::Display for ObjectKey {
    /// `view active_users`, `function slug(text)`, `trigger touch on posts`: how the summary,
    /// errors and `depends_on` name it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.identity())
    }
}

/// One object of the schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbObject {
    /// The kind.
    pub kind: ObjectKind,
    /// The name, as the database folds it.
    pub name: String,
    /// The table (or view) of a trigger or policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The argument types of a PostgreSQL function or procedure (overloads differ here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Vec<String>>,
    /// What it uses that the plan orders it after, as keys (`table users`,
    /// `function slug(text)`, `extension ltree`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// The SQL that creates it, exactly as it is applied.
    pub definition: String,
}

impl DbObject {
    /// Its key.
    pub fn key(&self) -> ObjectKey {
        ObjectKey {
            kind: self.kind,
            name: self.name.clone(),
            table: self.table.clone(),
            arguments: self.arguments.clone(),
        }
    }

    /// Whether it depends on `key` (an object's key or `table name`).
    pub fn depends_on(&self, key: &str) -> bool {
        self.depends_on.iter().any(|d| d == key)
    }

    /// Whether `other` is the same object with the same definition, layout and comments outside
    /// the SQL aside.
    pub fn same_definition(&self, other: &DbObject) -> bool {
        self.key() == other.key() && comparable(&self.definition) == comparable(&other.definition)
    }
}

/// `definition` as [`sql::comparable`] reads it. PostgreSQL's quoting rules serve every backend
/// here: both sides of a comparison are read alike, and they quote the most.
pub fn comparable(definition: &str) -> String {
    sql::comparable(definition, Flavor(Backend::Postgres))
}

/// A definition that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// 1-based line in the definition's text.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl From<sql::SqlError> for DefinitionError {
    fn from(e: sql::SqlError) -> Self {
        DefinitionError {
            line: e.line,
            message: e.message,
        }
    }
}

fn definition_err<T>(line: usize, message: impl Into<String>) -> Result<T, DefinitionError> {
    Err(DefinitionError {
        line,
        message: message.into(),
    })
}

/// A definition read but not yet resolved against the rest of the schema.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The object, `depends_on` still empty.
    pub object: DbObject,
    statements: Vec<sql::Statement>,
    head: sql::ObjectHead,
    declared: Vec<(usize, String)>,
}

impl Parsed {
    /// Its key.
    pub fn key(&self) -> ObjectKey {
        self.object.key()
    }
}

/// Reads one object's SQL for `backend`: exactly one `CREATE` of an object, and the statements
/// its kind may carry with it (a materialized view's indexes, a policy table's `ENABLE ROW LEVEL
/// SECURITY`, a trigger's `ENABLE`/`DISABLE`, an extension's `CREATE SCHEMA IF NOT EXISTS`, and
/// `COMMENT ON` the object or a column of a view, on PostgreSQL).
pub fn parse(text: &str, backend: Backend) -> Result<Parsed, DefinitionError> {
    let flavor = Flavor(backend);
    let text = text.replace("\r\n", "\n");
    let definition = text.trim().to_string();
    let statements = sql::statements(&definition, flavor)?;
    if statements.is_empty() {
        return definition_err(
            1,
            "holds no SQL statement; expected one CREATE of a view, function, trigger, ...",
        );
    }
    let mut object_head: Option<(usize, sql::ObjectHead)> = None;
    let mut accessories = Vec::new();
    for (i, statement) in statements.iter().enumerate() {
        match sql::head(statement, flavor)? {
            Head::Object(head) => {
                if let Some((first, _)) = &object_head {
                    return definition_err(
                        statement.line,
                        format!(
                            "holds a second object (the first is created on line {}); declare one object per file",
                            statements[*first].line
                        ),
                    );
                }
                object_head = Some((i, head));
            }
            other => accessories.push((statement.line, other)),
        }
    }
    let Some((_, head)) = object_head else {
        return definition_err(
            statements[0].line,
            "creates no object; expected one CREATE of a view, function, trigger, ...",
        );
    };
    if !head.kind.on(backend) {
        return definition_err(
            statements[0].line,
            format!("{backend} has no {}s", head.kind),
        );
    }
    if backend != Backend::Postgres && statements.len() > 1 {
        return definition_err(
            statements[1].line,
            format!("holds more than one statement; on {backend} an object's file is its CREATE statement alone"),
        );
    }
    for (line, accessory) in &accessories {
        check_accessory(&head, *line, accessory)?;
    }
    let object = DbObject {
        kind: head.kind,
        name: head.name.clone(),
        table: head.table.clone(),
        arguments: head.arguments.clone(),
        depends_on: Vec::new(),
        definition: definition.clone(),
    };
    Ok(Parsed {
        object,
        declared: sql::declared_dependencies(&definition),
        statements,
        head,
    })
}

/// Whether a statement other than the object's CREATE belongs with it.
fn check_accessory(
    head: &sql::ObjectHead,
    line: usize,
    accessory: &Head,
) -> Result<(), DefinitionError> {
    let name = &head.name;
    let ok = match accessory {
        Head::Index { table } => head.kind == ObjectKind::MaterializedView && table == name,
        Head::RowSecurity { table } => {
            head.kind == ObjectKind::Policy && head.table.as_ref() == Some(table)
        }
        Head::TriggerState { table, trigger } => {
            head.kind == ObjectKind::Trigger
                && head.table.as_ref() == Some(table)
                && trigger == name
        }
        Head::Schema { .. } => head.kind == ObjectKind::Extension,
        Head::Comment {
            kind,
            name: target,
            table,
        } => {
            let same = target == name && *table == head.table;
            let column = kind == "COLUMN"
                && matches!(head.kind, ObjectKind::View | ObjectKind::MaterializedView)
                && target == name;
            (same && kind.eq_ignore_ascii_case(head.kind.sql_name())) || column
        }
        Head::Object(_) => false,
    };
    if ok {
        return Ok(());
    }
    definition_err(
        line,
        format!(
            "this statement does not belong with {} {name}: an object's file may add only {}",
            head.kind,
            match head.kind {
                ObjectKind::MaterializedView => "its own indexes and COMMENT ON it or its columns",
                ObjectKind::Policy =>
                    "ALTER TABLE on its table ... ROW LEVEL SECURITY and COMMENT ON it",
                ObjectKind::Trigger =>
                    "ALTER TABLE on its table ENABLE/DISABLE TRIGGER it and COMMENT ON it",
                ObjectKind::Extension => "CREATE SCHEMA IF NOT EXISTS for its schema",
                ObjectKind::View => "COMMENT ON it or its columns",
                _ => "COMMENT ON it",
            }
        ),
    )
}

/// The names definitions may use: the tables of `schema` and the objects `parsed`.
pub fn known_names(tables: &[String], objects: &[ObjectKey], backend: Backend) -> Known {
    let flavor = Flavor(backend);
    let mut known = Known::default();
    for table in tables {
        known.table(table, flavor);
    }
    for key in objects {
        known.object(key.kind, &key.name, key.to_string(), flavor);
    }
    known
}

/// Resolves what each of `parsed` depends on, among the tables `tables` and the objects
/// themselves, and checks every `-- depends on:` key names one of them. The errors carry the
/// index of the definition at fault.
pub fn resolve(
    parsed: Vec<Parsed>,
    tables: &[String],
    backend: Backend,
) -> Result<Vec<DbObject>, (usize, DefinitionError)> {
    let keys: Vec<ObjectKey> = parsed.iter().map(Parsed::key).collect();
    let known = known_names(tables, &keys, backend);
    let valid: std::collections::BTreeSet<String> = keys
        .iter()
        .map(ToString::to_string)
        .chain(tables.iter().map(|t| format!("table {t}")))
        .collect();
    let flavor = Flavor(backend);
    let mut out = Vec::with_capacity(parsed.len());
    for (index, p) in parsed.into_iter().enumerate() {
        let mut deps = dependencies(&p, &known, flavor);
        for (line, key) in &p.declared {
            if !valid.contains(key) {
                return Err((
                    index,
                    DefinitionError {
                        line: *line,
                        message: format!(
                            "depends on `{key}`, which is no table or object of the schema (write keys as `table users`, `view v`, `function f(integer)`, `trigger t on users`)"
                        ),
                    },
                ));
            }
            deps.insert(key.clone());
        }
        let own = p.key().to_string();
        deps.remove(&own);
        let mut object = p.object;
        object.depends_on = deps.into_iter().collect();
        out.push(object);
    }
    out.sort_by_key(DbObject::key);
    Ok(out)
}

/// What an object's definition uses, by name: a function its argument and return types (and a
/// `BEGIN ATOMIC` body), anything else its whole text; a trigger or policy its table.
fn dependencies(p: &Parsed, known: &Known, flavor: Flavor) -> std::collections::BTreeSet<String> {
    let mut deps = std::collections::BTreeSet::new();
    for (i, statement) in p.statements.iter().enumerate() {
        let tokens = if matches!(p.head.kind, ObjectKind::Function | ObjectKind::Procedure) {
            // Only the object's own CREATE: its comments name nothing.
            if sql::head(statement, flavor).is_ok_and(|h| matches!(h, Head::Object(_))) {
                sql::function_dependency_tokens(statement, &p.head, flavor)
            } else {
                continue;
            }
        } else {
            let _ = i;
            sql::own_tokens(statement)
        };
        deps.extend(sql::referenced(&tokens, &statement.text, flavor, known));
        if p.head.kind == ObjectKind::Aggregate {
            deps.extend(sql::option_functions(
                &tokens,
                &statement.text,
                flavor,
                known,
            ));
        }
    }
    if let Some(table) = &p.head.table {
        // A trigger may be on a view (INSTEAD OF): then it depends on the view.
        let as_view = known
            .names
            .get(&if flavor.folds() {
                table.clone()
            } else {
                table.to_lowercase()
            })
            .and_then(|keys| keys.iter().find(|k| !k.starts_with("table ")).cloned());
        deps.insert(as_view.unwrap_or_else(|| format!("table {table}")));
    }
    deps
}

/// The statements of `definition` for `backend`, each without its closing semicolon.
pub fn statements_of(definition: &str, backend: Backend) -> Vec<String> {
    match sql::statements(definition, Flavor(backend)) {
        Ok(statements) => statements.into_iter().map(|s| s.text).collect(),
        // A definition that does not split is run as it is, and the server says what is wrong.
        Err(_) => vec![definition.trim().trim_end_matches(';').to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(texts: &[&str], tables: &[&str], backend: Backend) -> Vec<DbObject> {
        let parsed: Vec<Parsed> = texts.iter().map(|t| parse(t, backend).unwrap()).collect();
        let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        resolve(parsed, &tables, backend).unwrap()
    }

    #[test]
    fn objects_resolve_their_dependencies() {
        let objects = read(
            &[
                "CREATE VIEW active_users AS SELECT id, slug(email) FROM users WHERE active",
                "CREATE FUNCTION slug(t text) RETURNS text LANGUAGE sql AS $$ SELECT lower(t) FROM users $$",
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
                "-- depends on: extension citext\nCREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
                "CREATE EXTENSION IF NOT EXISTS citext",
            ],
            &["users"],
            Backend::Postgres,
        );
        let keys: Vec<String> = objects.iter().map(|o| o.key().to_string()).collect();
        assert_eq!(
            keys,
            [
                "extension citext",
                "function slug(text)",
                "function touch()",
                "view active_users",
                "trigger users_touch on users"
            ]
        );
        // A function's body names nothing it must come after.
        assert!(objects[1].depends_on.is_empty());
        assert_eq!(
            objects[3].depends_on,
            ["function slug(text)", "table users"]
        );
        assert_eq!(
            objects[4].depends_on,
            ["extension citext", "function touch()", "table users"]
        );
    }

    #[test]
    fn aggregates_follow_their_functions_and_rules_their_table() {
        let objects = read(
            &[
                "CREATE VIEW titles AS SELECT glue(title) FROM posts",
                "CREATE AGGREGATE glue(text) (SFUNC = glue_step, STYPE = text, FINALFUNC = glue_end)",
                "CREATE FUNCTION glue_step(a text, b text) RETURNS text LANGUAGE sql AS $$ SELECT a || b $$",
                "CREATE FUNCTION glue_end(a text) RETURNS text LANGUAGE sql AS $$ SELECT a $$",
                "CREATE RULE keep AS ON DELETE TO posts DO INSTEAD NOTHING",
            ],
            &["posts"],
            Backend::Postgres,
        );
        let keys: Vec<String> = objects.iter().map(|o| o.key().to_string()).collect();
        assert_eq!(
            keys,
            [
                "function glue_end(text)",
                "function glue_step(text, text)",
                "aggregate glue(text)",
                "view titles",
                "rule keep on posts"
            ]
        );
        assert_eq!(
            objects[2].depends_on,
            ["function glue_end(text)", "function glue_step(text, text)"]
        );
        assert_eq!(
            objects[3].depends_on,
            ["aggregate glue(text)", "table posts"]
        );
        assert_eq!(objects[4].depends_on, ["table posts"]);
    }

    #[test]
    fn bad_files_name_the_line() {
        let err = parse("-- nothing\n", Backend::Postgres).unwrap_err();
        assert_eq!(err.line, 1);
        let err = parse(
            "CREATE VIEW a AS SELECT 1;\n\nCREATE VIEW b AS SELECT 2;",
            Backend::Postgres,
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("one object per file"), "{err:?}");
        let err = parse(
            "CREATE VIEW a AS SELECT 1;\nCOMMENT ON VIEW b IS 'x';",
            Backend::Postgres,
        )
        .unwrap_err();
        assert_eq!(err.line, 2);
        let err = parse("CREATE EXTENSION ltree", Backend::Sqlite).unwrap_err();
        assert!(err.message.contains("SQLite has no extensions"), "{err:?}");
        let parsed = vec![parse(
            "-- depends on: view nope\nCREATE VIEW a AS SELECT 1",
            Backend::Postgres,
        )
        .unwrap()];
        let (index, err) = resolve(parsed, &[], Backend::Postgres).unwrap_err();
        assert_eq!((index, err.line), (0, 1));
        assert!(err.message.contains("`view nope`"), "{err:?}");
    }

    #[test]
    fn accessories_belong_to_their_object() {
        parse(
            "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;\nCREATE UNIQUE INDEX mv_a ON mv (a);\nCOMMENT ON MATERIALIZED VIEW mv IS 'x';\nCOMMENT ON COLUMN mv.a IS 'y';",
            Backend::Postgres,
        )
        .unwrap();
        parse(
            "ALTER TABLE users ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON users USING (true);",
            Backend::Postgres,
        )
        .unwrap();
        let err = parse(
            "CREATE VIEW v AS SELECT 1;\nCREATE INDEX v_a ON v (a);",
            Backend::Postgres,
        )
        .unwrap_err();
        assert!(
            err.message.contains("does not belong with view v"),
            "{err:?}"
        );
    }
}
