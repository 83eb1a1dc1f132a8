//! The live database: `inspect`, `schema` (Diesel's `table!` file of it) and `verify` (it
//! against the snapshot), and the invalid indexes `verify` and `check` name.

use super::config::Config;
use super::status::applied_revisions;
use super::{usable_backend, Env, Project};
use crate::connection::{connect, MigrationConnection};
use crate::dialect::Backend;
use crate::diff::{diff, Plan};
use crate::error::Result;
use crate::schema::Schema;
use crate::snapshot::Snapshot;

/// The URL and the live schema of the database, aligned to the snapshot's names where the
/// project has one (enum types, which MySQL and SQLite do not name).
pub fn live_schema(env: &Env, config: Option<&Config>) -> Result<(String, Schema)> {
    let url = env.database_url(config)?;
    let snapshot = config.and_then(|c| {
        Project {
            env: env.clone(),
            config: c.clone(),
            bundled: None,
        }
        .snapshot()
        .ok()
    });
    let schema = aligned_live_schema(&url, snapshot.as_ref())?;
    Ok((url, schema))
}

/// The live schema of the database at `url`, aligned to `snapshot`'s names when given.
fn aligned_live_schema(url: &str, snapshot: Option<&Snapshot>) -> Result<Schema> {
    usable_backend(url)?;
    let mut conn = connect(url)?;
    let mut schema = conn.introspect()?;
    if let Some(snapshot) = snapshot {
        crate::introspect::align(&mut schema, &snapshot.schema(), conn.backend());
    }
    Ok(schema)
}

/// `schema`: Diesel's `table!` definitions of the live database, as `diesel print-schema`
/// writes them, with the doc comments `docs` asks for.
pub fn schema_rs(
    env: &Env,
    config: Option<&Config>,
    docs: crate::diesel_schema::DocComments,
) -> Result<String> {
    let (url, live) = live_schema(env, config)?;
    let backend = Backend::from_url(&url)?;
    Ok(crate::diesel_schema::render_schema_rs_with(
        &live, backend, docs,
    ))
}

/// An index a failed or cancelled concurrent build left INVALID (PostgreSQL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIndex {
    /// Its table.
    pub table: String,
    /// The index.
    pub index: String,
    /// The statement that drops it.
    pub drop: String,
}

/// The INVALID indexes of the database.
pub fn invalid_indexes(conn: &mut dyn MigrationConnection) -> Result<Vec<InvalidIndex>> {
    let dialect = conn.backend().dialect();
    Ok(conn
        .invalid_indexes()?
        .into_iter()
        .map(|(table, index)| InvalidIndex {
            drop: format!("DROP INDEX CONCURRENTLY {};", dialect.quote(&index)),
            table,
            index,
        })
        .collect())
}

/// How the live schema differs from the one expected of it: the tables (as a plan from the
/// expected schema to the live one) and the objects, compared as the server prints them.
#[derive(Debug, Clone, Default)]
pub struct Drift {
    /// What the database has that the expected schema does not, as changes.
    pub plan: Plan,
    /// The objects edited by hand (`~`), missing (`-`) or extra (`+`).
    pub objects: Vec<String>,
}

impl Drift {
    /// Whether the two agree.
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty() && self.objects.is_empty()
    }

    /// One line per difference, tables first.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        self.plan
            .changes
            .iter()
            .map(ToString::to_string)
            .chain(self.objects.iter().cloned())
    }
}

/// The live schema `live` of `conn`'s database compared with `expected`, through the server:
/// when the two differ as read, `expected` is built in a scratch namespace and read back the
/// way `live` was, so that what the server rewrites (expression texts, defaults, object
/// definitions) or does not keep (a comment on SQLite) is never drift. A database that matches
/// as read is not built again.
pub fn drift(
    conn: &mut dyn MigrationConnection,
    expected: &Schema,
    mut live: Schema,
) -> Result<Drift> {
    let backend = conn.backend();
    let mut expected = expected.clone();
    crate::introspect::align(&mut live, &expected, backend);
    let tables_match = diff(&tables_of(&expected), &tables_of(&live))?.is_empty();
    let printed = if tables_match && expected.objects.is_empty() {
        None
    } else {
        let mut printed = conn.shadow(&expected)?;
        crate::introspect::align(&mut printed, &expected, backend);
        Some(printed)
    };
    let mut printed_objects = None;
    if let Some(printed) = printed {
        if !tables_match {
            expected.tables = printed.tables;
            expected.enums = printed.enums;
        }
        printed_objects = Some(printed.objects);
    }
    let objects = crate::introspect::objects::compare_through_server(
        |_| Ok(printed_objects.unwrap_or_default()),
        &mut expected,
        &mut live,
    )?;
    Ok(Drift {
        plan: diff(&expected, &live)?,
        objects,
    })
}

/// The tables and enum types of `schema`, without its other objects.
fn tables_of(schema: &Schema) -> Schema {
    Schema {
        objects: Vec::new(),
        ..schema.clone()
    }
}

/// What `verify` found.
#[derive(Debug, Clone)]
pub enum Verified {
    /// The database has not applied the snapshot's head, so they cannot be compared.
    NotAtHead(String),
    /// The database compared with the snapshot.
    Compared {
        /// INVALID indexes.
        invalid: Vec<InvalidIndex>,
        /// What the database has that the snapshot does not (empty: they match).
        drift: Drift,
    },
}

/// `verify`: the live schema compared with the snapshot at the database's revision.
pub fn verify(project: &Project) -> Result<Verified> {
    let snapshot = project.snapshot()?;
    let url = project.database_url()?;
    let live = aligned_live_schema(&url, Some(&snapshot))?;
    let applied = applied_revisions(&url)?;
    // A squash reached through the revisions it replaces counts as applied.
    let applied = project
        .files()?
        .effective_applied(&applied.iter().map(String::as_str).collect());
    if let Some(head) = &snapshot.head {
        if !applied.contains(head) {
            return Ok(Verified::NotAtHead(head.clone()));
        }
    }
    let mut conn = connect(&url)?;
    let invalid = invalid_indexes(conn.as_mut())?;
    let drift = drift(conn.as_mut(), &snapshot.schema(), live)?;
    Ok(Verified::Compared { invalid, drift })
}
