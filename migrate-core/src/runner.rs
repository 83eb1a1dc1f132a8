//! The runner: applies and reverts migrations, one transaction each, recorded in
//! `__migrate_history`, with the checks that keep history honest (checksums, missing files,
//! dirty rows).
//!
//! The same code runs behind `migrate-cli upgrade` (in the small program it compiles from the
//! migrations folder) and inside applications that embed their migrations. `upgrade` and
//! `downgrade` are one path with a [`Direction`].

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::connection::MigrationConnection;
use crate::dialect::{
    op_contexts, render_placed_with, Backend, Dialect, OpContext, Placement, Statement,
};
use crate::error::{Error, Result};
pub use crate::history::Direction;
use crate::history::{audit, AuditedFile, HistoryProblem, HistoryRow, HistoryState};
use crate::migration::{Migration, Operation};
pub use crate::revisions::Target;
use crate::revisions::{RevisionGraph, RevisionNode};
use crate::schema::Schema;

/// A migration module compiled into the program.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedMigration {
    /// `REVISION`.
    pub revision: &'static str,
    /// `REVISES`.
    pub revises: &'static [&'static str],
    /// `MESSAGE`.
    pub message: &'static str,
    /// The file name under `versions/`, for messages.
    pub file: &'static str,
    /// The module source, for the checksum.
    pub source: &'static str,
    /// `up`.
    pub up: fn(&mut Migration),
    /// `down`.
    pub down: fn(&mut Migration),
    /// `SAFE_DDL` of the module (true unless it declares `pub const SAFE_DDL: bool = false;`):
    /// whether changes to existing tables take their online forms.
    pub safe_ddl: bool,
    /// `REPLACES` of a squashed module (empty unless it declares `pub const REPLACES`): the
    /// revisions it stands for, in apply order.
    pub replaces: &'static [&'static str],
}

impl EmbeddedMigration {
    /// SHA-256 of the source, hex.
    pub fn checksum(&self) -> String {
        match interpreted(self.source) {
            Some(read) => read.checksum.clone(),
            None => checksum(self.source),
        }
    }

    /// The operations of `up`.
    pub fn up_operations(&self) -> Vec<Operation> {
        if let Some(read) = interpreted(self.source) {
            return read.up.clone();
        }
        let mut m = Migration::new();
        (self.up)(&mut m);
        m.into_operations()
    }

    /// The operations of `down`.
    pub fn down_operations(&self) -> Vec<Operation> {
        if let Some(read) = interpreted(self.source) {
            return read.down.clone();
        }
        let mut m = Migration::new();
        (self.down)(&mut m);
        m.into_operations()
    }

    /// A migration whose `up` and `down` were read from its source rather than compiled
    /// (`migrate-cli` does so for modules that use only the operations API): the same facts,
    /// and the operations the compiled functions would record, which every reader of `up` and
    /// `down` then gets. Its texts live as long as the process, as a compiled module's do;
    /// `checksum` is the source's, already computed by the caller.
    pub fn interpreted(
        read: InterpretedModule,
        file: String,
        source: String,
        checksum: String,
    ) -> EmbeddedMigration {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let revises: Vec<&'static str> = read.revises.into_iter().map(leak).collect();
        let replaces: Vec<&'static str> = read
            .replaces
            .unwrap_or_default()
            .into_iter()
            .map(leak)
            .collect();
        let source = leak(source);
        INTERPRETED
            .get_or_init(Default::default)
            .write()
            .expect("never poisoned: no code panics holding it")
            .insert(
                source.as_ptr() as usize,
                Arc::new(Read {
                    up: read.up,
                    down: read.down,
                    checksum,
                }),
            );
        EmbeddedMigration {
            revision: leak(read.revision),
            revises: Box::leak(revises.into_boxed_slice()),
            message: leak(read.message),
            file: leak(file),
            source,
            up: not_compiled,
            down: not_compiled,
            // Unless the module declares otherwise, changes take their online forms.
            safe_ddl: read.safe_ddl.unwrap_or(true),
            replaces: Box::leak(replaces.into_boxed_slice()),
        }
    }

    /// This migration's file and revision around an error of its operations.
    fn error(&self, source: Error) -> Error {
        Error::Migration {
            file: self.file.to_string(),
            revision: self.revision.to_string(),
            source: Box::new(source),
        }
    }
}

/// A module read without compiling it (`crate::interpret`): its header constants and what `up`
/// and `down` record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InterpretedModule {
    /// `REVISION`.
    pub revision: String,
    /// `REVISES`.
    pub revises: Vec<String>,
    /// `MESSAGE`.
    pub message: String,
    /// `SAFE_DDL`, where the module declares it.
    pub safe_ddl: Option<bool>,
    /// `REPLACES`, where the module (a squashed migration) declares it.
    #[serde(default)]
    pub replaces: Option<Vec<String>>,
    /// What `up` records.
    pub up: Vec<Operation>,
    /// What `down` records.
    pub down: Vec<Operation>,
}

/// The operations of the migrations read from their sources, by the address of the source
/// (leaked, so never reused): `EmbeddedMigration` is plain data that compiled code builds
/// with a struct literal, so read operations are found through it rather than stored in it.
type ReadOperations = Arc<Read>;

/// What reading a module gave, and its source's checksum, which the reader computed already.
struct Read {
    up: Vec<Operation>,
    down: Vec<Operation>,
    checksum: String,
}
static INTERPRETED: OnceLock<RwLock<HashMap<usize, ReadOperations>>> = OnceLock::new();

fn interpreted(source: &'static str) -> Option<ReadOperations> {
    INTERPRETED
        .get()?
        .read()
        .expect("never poisoned")
        .get(&(source.as_ptr() as usize))
        .cloned()
}

/// The `up` and `down` of a migration read from its source: never called, since its
/// operations are found by its source first.
fn not_compiled(_: &mut Migration) {
    unreachable!("the operations of a migration read from its source are looked up, not run")
}

/// SHA-256 of a module source, hex.
pub fn checksum(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The migrations in the order they apply, with the schema each one starts from. Each squash
/// stands for the revisions it replaces unless the set is one database's way through the
/// originals ([`MigrationSet::for_history`]).
#[derive(Debug, Clone)]
pub struct MigrationSet {
    /// Every migration given, hidden or not.
    all: Vec<EmbeddedMigration>,
    /// The squashes that give way to the revisions they replace.
    expanded: BTreeSet<String>,
    graph: RevisionGraph,
    ordered: Vec<EmbeddedMigration>,
    /// `schemas[i]` is the schema before migration `i`; the last entry is the head's.
    schemas: Vec<Schema>,
    /// The operations of `up` of migration `i`, recorded once while replaying.
    ups: Vec<Vec<Operation>>,
    /// The checksum of migration `i`, computed the first time it is needed: hashing a large
    /// module in the runner (a debug build) once per check cost as much as applying it.
    checksums: Vec<OnceLock<String>>,
}

impl MigrationSet {
    /// Orders the migrations by their `REVISES` links and replays them into schemas, refusing a
    /// duplicate revision, a link to a missing revision, and an operation that does not fit.
    pub fn new(migrations: &[EmbeddedMigration]) -> Result<Self> {
        Self::with_expanded(migrations, BTreeSet::new())
    }

    fn with_expanded(migrations: &[EmbeddedMigration], expanded: BTreeSet<String>) -> Result<Self> {
        let nodes = nodes(migrations);
        let (graph, permutation) = RevisionGraph::with_expanded(&nodes, &expanded)?;
        let ordered: Vec<EmbeddedMigration> = permutation.iter().map(|&i| migrations[i]).collect();

        let mut schemas = vec![Schema::default()];
        let mut ups = Vec::with_capacity(ordered.len());
        let mut schema = Schema::default();
        for m in &ordered {
            let ops = m.up_operations();
            for op in &ops {
                op.apply(&mut schema).map_err(|e| m.error(e))?;
            }
            schemas.push(schema.clone());
            ups.push(ops);
        }
        let checksums = ordered.iter().map(|_| OnceLock::new()).collect();
        Ok(MigrationSet {
            all: migrations.to_vec(),
            expanded,
            graph,
            ordered,
            schemas,
            ups,
            checksums,
        })
    }

    /// The way a database whose history holds `applied` goes (see [`crate::squashes`]), when
    /// it is not this set's: through the originals of a squash it is part-way through or whose
    /// range holds the revision `target` names.
    pub fn for_history(
        &self,
        applied: &BTreeSet<&str>,
        target: Option<&Target>,
    ) -> Result<Option<MigrationSet>> {
        let nodes = nodes(&self.all);
        let target = match target {
            Some(Target::Revision(text)) => crate::squashes::resolve_any(&nodes, text),
            _ => None,
        };
        let expanded = crate::squashes::expansions(&nodes, applied, target)?;
        if expanded == self.expanded {
            return Ok(None);
        }
        Ok(Some(MigrationSet::with_expanded(&self.all, expanded)?))
    }

    /// The set `sql` and `lint` read a range in: through the originals of each squash whose
    /// range holds one of `revisions` (as given: an id or a prefix; `head`, `base` and `+N` name
    /// none), so that a revision a squash replaces can be named while its file exists.
    pub fn naming(&self, revisions: &[&str]) -> Result<Cow<'_, MigrationSet>> {
        let nodes = nodes(&self.all);
        let none = BTreeSet::new();
        let mut expanded = self.expanded.clone();
        for text in revisions {
            if let Some(revision) = crate::squashes::resolve_any(&nodes, text) {
                expanded.extend(crate::squashes::expansions(&nodes, &none, Some(revision))?);
            } else if let Some(squash) = nodes.iter().find(|n| n.replaces.contains(text)) {
                return Err(Error::Target(format!(
                    "revision {text} is squashed into {} (revision {}) and its file is gone; name {} or a revision outside it",
                    squash.file, squash.revision, squash.revision
                )));
            }
        }
        if expanded == self.expanded {
            return Ok(Cow::Borrowed(self));
        }
        Ok(Cow::Owned(MigrationSet::with_expanded(
            &self.all, expanded,
        )?))
    }

    /// The revisions a database whose history holds `applied` has applied, counting each
    /// squash whose replaced revisions it applied.
    pub fn effective_applied(&self, applied: &BTreeSet<&str>) -> BTreeSet<String> {
        crate::squashes::effective_applied(&nodes(&self.all), applied)
    }

    /// The checksum of migration `i` in apply order (SHA-256, hex), computed once.
    fn checksum_at(&self, i: usize) -> &str {
        self.checksums[i].get_or_init(|| self.ordered[i].checksum())
    }

    /// The migrations in apply order.
    pub fn ordered(&self) -> &[EmbeddedMigration] {
        &self.ordered
    }

    /// The revision graph.
    pub fn graph(&self) -> &RevisionGraph {
        &self.graph
    }

    /// Revisions that no other revision revises.
    pub fn heads(&self) -> Vec<&'static str> {
        self.graph
            .heads()
            .into_iter()
            .map(|h| self.ordered[self.graph.index_of(h).expect("a head is a revision")].revision)
            .collect()
    }

    /// The schema after every migration.
    pub fn head_schema(&self) -> &Schema {
        self.schemas.last().expect("always one schema")
    }

    /// The schema after the migrations up to and including `revision` (`None`: base).
    pub fn schema_at(&self, revision: Option<&str>) -> Result<&Schema> {
        match revision {
            None => Ok(&self.schemas[0]),
            Some(rev) => Ok(&self.schemas[self.index_of(rev)? + 1]),
        }
    }

    fn index_of(&self, revision: &str) -> Result<usize> {
        self.graph
            .index_of(revision)
            .ok_or_else(|| Error::Target(format!("no migration has revision {revision}")))
    }

    /// How many migrations, in apply order, lead up to `target` and include it: `len` for
    /// head, 0 for base. `None` for +N / -N, which each command counts from its own place.
    pub fn position(&self, target: &Target) -> Result<Option<usize>> {
        self.graph.position(target)
    }

    /// Resolves a full revision id or a unique prefix.
    pub fn resolve_revision(&self, text: &str) -> Result<&'static str> {
        let revision = self.graph.resolve(text)?;
        Ok(self.ordered[self.index_of(revision)?].revision)
    }

    /// What `up` (or `down`) of `revision` runs on `dialect`: statements, and Rust steps
    /// between them. A migration marked irreversible in that direction is an error naming it.
    pub fn steps(
        &self,
        revision: &str,
        dialect: &dyn Dialect,
        direction: Direction,
    ) -> Result<Vec<Step>> {
        let i = self.index_of(revision)?;
        let m = &self.ordered[i];
        let down;
        let (start, ops) = match direction {
            Direction::Up => (&self.schemas[i], &self.ups[i]),
            Direction::Down => {
                down = m.down_operations();
                (&self.schemas[i + 1], &down)
            }
        };
        // Which tables existed is a matter of the whole migration, so the contexts are worked
        // out once, over every operation, and each run between Rust steps takes its share.
        let contexts = op_contexts(start, ops, m.safe_ddl);
        let mut schema = start.clone();
        let mut steps = Vec::new();
        // The operations between two Rust steps render together (SQLite merges the rebuilds of
        // one table), each run from the schema the previous one ended at; rendered from the
        // recorded operations in place, not from a copy.
        let flush = |chunk: &[Operation],
                     ctxs: &[OpContext],
                     schema: &mut Schema,
                     steps: &mut Vec<Step>| {
            if chunk.is_empty() {
                return Ok(());
            }
            let (statements, end) =
                render_placed_with(dialect, schema, chunk, ctxs).map_err(|e| m.error(e))?;
            *schema = end;
            steps.extend(statements.into_iter().map(Step::Sql));
            Ok::<(), Error>(())
        };
        let mut chunk_start = 0;
        for (at, op) in ops.iter().enumerate() {
            match op {
                Operation::Irreversible(reason) => {
                    return Err(Error::Irreversible {
                        file: m.file.to_string(),
                        revision: m.revision.to_string(),
                        reason: reason.clone(),
                        direction,
                    })
                }
                Operation::Rust(step) => {
                    flush(
                        &ops[chunk_start..at],
                        &contexts[chunk_start..at],
                        &mut schema,
                        &mut steps,
                    )?;
                    steps.push(Step::Rust(step.clone()));
                    chunk_start = at + 1;
                }
                _ => {}
            }
        }
        flush(
            &ops[chunk_start..],
            &contexts[chunk_start..],
            &mut schema,
            &mut steps,
        )?;
        // The order they run in: before the transaction, in it, after it (stable within each).
        steps.sort_by_key(Step::placement);
        Ok(steps)
    }

    /// The statements `up` (or `down`) of `revision` runs on `dialect`, with no database; a
    /// Rust step shows as a comment.
    pub fn statements(
        &self,
        revision: &str,
        dialect: &dyn Dialect,
        direction: Direction,
    ) -> Result<Vec<String>> {
        // The placement comment heads each group of statements outside the transaction.
        let mut last = Placement::InTransaction;
        Ok(self
            .steps(revision, dialect, direction)?
            .into_iter()
            .map(|step| {
                let placement = step.placement();
                let text = match step {
                    Step::Sql(statement) => statement.sql,
                    Step::Rust(r) => format!("-- Rust step: {}", r.name),
                };
                let heading = placement.comment().filter(|_| placement != last);
                last = placement;
                match heading {
                    Some(comment) => format!("{comment}\n{text}"),
                    None => text,
                }
            })
            .collect())
    }

    /// The problems of `rows` against these migrations: missing files, edited files, dirty
    /// and unfinished rows, in row order.
    pub fn audit(&self, rows: &[HistoryRow]) -> Vec<HistoryProblem> {
        // A revision hidden by a squash is audited against its file while it has one; without
        // one, the squash that replaces it accounts for its row.
        let nodes = nodes(&self.all);
        let rows: Vec<HistoryRow> = rows
            .iter()
            .filter(|r| {
                self.all.iter().any(|m| m.revision == r.revision)
                    || !crate::squashes::replaced_by_present(&nodes, &r.revision)
            })
            .cloned()
            .collect();
        let hidden: Vec<(&EmbeddedMigration, String)> = rows
            .iter()
            .filter(|r| self.graph.index_of(&r.revision).is_none())
            .filter_map(|r| self.all.iter().find(|m| m.revision == r.revision))
            .map(|m| (m, m.checksum()))
            .collect();
        audit(&rows, |revision| match self.graph.index_of(revision) {
            Some(i) => Some(AuditedFile {
                file: self.ordered[i].file,
                checksum: self.checksum_at(i),
            }),
            None => hidden
                .iter()
                .find(|(m, _)| m.revision == revision)
                .map(|(m, checksum)| AuditedFile {
                    file: m.file,
                    checksum,
                }),
        })
    }
}

/// The graph's view of `migrations`.
fn nodes(migrations: &[EmbeddedMigration]) -> Vec<RevisionNode<'static>> {
    migrations
        .iter()
        .map(|m| RevisionNode {
            revision: m.revision,
            revises: m.revises,
            file: m.file,
            replaces: m.replaces,
        })
        .collect()
}

/// One thing a migration runs.
#[derive(Debug, Clone)]
pub enum Step {
    /// A statement, with where it runs.
    Sql(Statement),
    /// A Rust data step, given the connection, in the transaction.
    Rust(crate::migration::RustStep),
}

impl Step {
    /// Before, in or after the migration's transaction.
    pub fn placement(&self) -> Placement {
        match self {
            Step::Sql(statement) => statement.placement,
            Step::Rust(_) => Placement::InTransaction,
        }
    }
}

/// How the runner treats the database's locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// How long a statement waits for a table lock before failing (PostgreSQL `lock_timeout`,
    /// MySQL `lock_wait_timeout`), in milliseconds; 0 waits forever. While a DDL statement
    /// waits, every query queued behind it on that table waits too, so a short wait that fails
    /// is kinder to the application than a long one that succeeds.
    pub lock_timeout_ms: u64,
    /// How long one statement may run (PostgreSQL `statement_timeout`, MariaDB
    /// `max_statement_time`), in milliseconds; 0 is no limit.
    pub statement_timeout_ms: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            lock_timeout_ms: 5_000,
            statement_timeout_ms: 0,
        }
    }
}

/// `ms` as it reads best: `5s`, `250ms`, `off`.
pub fn format_duration_ms(ms: u64) -> String {
    match ms {
        0 => "off".to_string(),
        ms if ms % 1_000 == 0 => format!("{}s", ms / 1_000),
        ms => format!("{ms}ms"),
    }
}

/// What the runner reports as it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A revision was applied.
    Applied {
        /// The revision.
        revision: String,
        /// Its message.
        message: String,
        /// Milliseconds it took.
        duration_ms: u128,
    },
    /// The statements after the transaction of a revision that an earlier run left
    /// unfinished (a failed or interrupted concurrent index build, say) were run.
    Finished {
        /// The revision.
        revision: String,
        /// Its message.
        message: String,
        /// The direction of the run that left them.
        direction: Direction,
    },
    /// A revision was reverted.
    Reverted {
        /// The revision.
        revision: String,
        /// Its message.
        message: String,
        /// Milliseconds it took.
        duration_ms: u128,
    },
}

impl Event {
    /// A revision run in `direction`: applied or reverted.
    fn ran(direction: Direction, m: &EmbeddedMigration, duration_ms: u128) -> Event {
        let (revision, message) = (m.revision.to_string(), m.message.to_string());
        match direction {
            Direction::Up => Event::Applied {
                revision,
                message,
                duration_ms,
            },
            Direction::Down => Event::Reverted {
                revision,
                message,
                duration_ms,
            },
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Event::Applied {
                revision,
                message,
                duration_ms,
            } => {
                write!(f, "Applied {revision} {message} ({duration_ms} ms)")
            }
            Event::Finished {
                revision,
                message,
                direction,
            } => write!(
                f,
                "Finished {revision} {message}: the steps after its {} transaction, left unfinished by an earlier run",
                direction.command()
            ),
            Event::Reverted {
                revision,
                message,
                duration_ms,
            } => {
                write!(f, "Reverted {revision} {message} ({duration_ms} ms)")
            }
        }
    }
}

/// Drives one connection through a set of migrations.
pub struct Runner<'a> {
    conn: &'a mut dyn MigrationConnection,
    /// The set given, or the way through the originals of a squash this database needs.
    set: Cow<'a, MigrationSet>,
    dialect: Box<dyn Dialect>,
    options: RunOptions,
}

impl<'a> Runner<'a> {
    /// A runner over `conn`, with the default [`RunOptions`].
    pub fn new(conn: &'a mut dyn MigrationConnection, set: &'a MigrationSet) -> Result<Self> {
        let dialect = conn.backend().dialect();
        Ok(Runner {
            conn,
            set: Cow::Borrowed(set),
            dialect,
            options: RunOptions::default(),
        })
    }

    /// The same runner with `options`.
    pub fn with_options(mut self, options: RunOptions) -> Self {
        self.options = options;
        self
    }

    /// The backend it drives.
    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// Applied revisions, checked against the files: a missing or edited file is an error
    /// naming it (a dirty row is refused where it matters, under the lock).
    pub fn applied(&mut self) -> Result<Vec<HistoryRow>> {
        let rows = self.conn.history()?;
        for problem in self.set.audit(&rows) {
            match problem {
                HistoryProblem::MissingFile { revision, message } => {
                    return Err(Error::MissingFile {
                        revision,
                        message,
                        versions: "versions/".into(),
                    })
                }
                HistoryProblem::Edited { revision, file } => {
                    return Err(Error::EditedMigration { file, revision })
                }
                HistoryProblem::HalfApplied { .. } | HistoryProblem::Unfinished { .. } => {}
            }
        }
        Ok(rows)
    }

    /// The applied revisions, as a set, each squash whose replaced revisions are all applied
    /// among them.
    fn applied_set(&mut self) -> Result<BTreeSet<String>> {
        let rows = self.applied()?;
        let applied: BTreeSet<&str> = rows.iter().map(|r| r.revision.as_str()).collect();
        Ok(self.set.effective_applied(&applied))
    }

    /// Takes the way through the migrations this database needs (through the originals of a
    /// squash it is part-way through, or whose range holds `target`), before anything is
    /// counted or run.
    fn choose_way(&mut self, target: Option<&Target>) -> Result<()> {
        let rows = self.conn.history()?;
        let applied: BTreeSet<&str> = rows.iter().map(|r| r.revision.as_str()).collect();
        if let Some(set) = self.set.for_history(&applied, target)? {
            self.set = Cow::Owned(set);
        }
        Ok(())
    }

    /// A database with no history whose tables the first migration would create is one that
    /// already has this schema (say, the production copy of an adopted project): nothing runs,
    /// and the error names the tables and the way out. Checked under the migrator lock, so a
    /// concurrent migrator's fresh tables are never mistaken for such a database.
    fn refuse_existing_tables(&mut self, m: &EmbeddedMigration) -> Result<()> {
        let set = &*self.set;
        let created: Vec<&str> = set.ups[set.index_of(m.revision)?]
            .iter()
            .filter_map(|op| match op {
                Operation::CreateTable(t) => Some(t.name.as_str()),
                _ => None,
            })
            .collect();
        if created.is_empty() {
            return Ok(());
        }
        let existing = self.conn.table_names()?;
        let clashes: Vec<String> = created
            .into_iter()
            .filter(|t| existing.iter().any(|e| e == t))
            .map(str::to_string)
            .collect();
        if clashes.is_empty() {
            return Ok(());
        }
        Err(Error::ExistingTables {
            revision: m.revision.to_string(),
            tables: clashes,
        })
    }

    /// Refuses to go on while a `dirty` row remains once the lock is held (a row that was only
    /// in progress is `applied` by the time the lock is granted).
    fn refuse_dirty(&mut self) -> Result<()> {
        if self.conn.history()?.iter().all(|r| r.state.resumable()) {
            return Ok(());
        }
        self.conn.begin()?;
        let result = self.locked_history().map(|_| ());
        self.conn.rollback()?;
        result
    }

    /// The history as seen under the migrator lock, where a `dirty` row can only be a migration
    /// that failed half-way (outside the lock it may be one that another migrator is applying).
    fn locked_history(&mut self) -> Result<Vec<HistoryRow>> {
        let rows = self.conn.history()?;
        if let Some(row) = rows.iter().find(|r| !r.state.resumable()) {
            return Err(Error::HalfApplied {
                revision: row.revision.clone(),
            });
        }
        Ok(rows)
    }

    /// The revision the database is at: the last applied in apply order.
    pub fn current(&mut self) -> Result<Option<&'static str>> {
        self.choose_way(None)?;
        let applied = self.applied_set()?;
        let applied: BTreeSet<&str> = applied.iter().map(String::as_str).collect();
        Ok(self
            .set
            .graph
            .current(&applied)
            .map(|r| self.set.ordered[self.set.graph.index_of(r).expect("known")].revision))
    }

    /// How many migrations an upgrade or downgrade to `target` would run now.
    pub fn pending(&mut self, target: &Target, direction: Direction) -> Result<usize> {
        self.choose_way(Some(target))?;
        let end = self.target_position(target, direction)?;
        let applied = self.applied_set()?;
        let range = match direction {
            Direction::Up => 0..end,
            Direction::Down => end..self.set.ordered.len(),
        };
        Ok(self.set.ordered[range]
            .iter()
            .filter(|m| applied.contains(m.revision) != (direction == Direction::Up))
            .count())
    }

    /// How many migrations, in apply order, should be applied once a run in `direction` to
    /// `target` is done.
    fn target_position(&mut self, target: &Target, direction: Direction) -> Result<usize> {
        let applied = self.applied_set()?;
        let applied: BTreeSet<&str> = applied.iter().map(String::as_str).collect();
        let current = self.set.graph.current_position(&applied);
        self.set.graph.target_position(target, current, direction)
    }

    /// Applies pending migrations up to `target`, each in its own transaction with its history
    /// row, the statements that cannot run in it before or after it. A migration another
    /// migrator applied meanwhile is skipped. A revision an earlier run left `finishing` is
    /// finished first, and an INVALID index nobody is finishing stops it, named.
    pub fn upgrade(&mut self, target: &Target, report: &mut dyn FnMut(&Event)) -> Result<()> {
        self.run(Direction::Up, target, report)
    }

    /// Reverts applied migrations, newest first, down to `target` (which stays applied).
    pub fn downgrade(&mut self, target: &Target, report: &mut dyn FnMut(&Event)) -> Result<()> {
        self.run(Direction::Down, target, report)
    }

    /// `upgrade` or `downgrade`: the migrations between the database and `target`, oldest
    /// first going up and newest first going down, each under the migrator lock.
    fn run(
        &mut self,
        direction: Direction,
        target: &Target,
        report: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        self.conn.set_timeouts(
            self.options.lock_timeout_ms,
            self.options.statement_timeout_ms,
        )?;
        self.refuse_dirty()?;
        self.choose_way(Some(target))?;
        self.finish_interrupted(direction, report)?;
        if direction == Direction::Up {
            self.refuse_invalid_indexes()?;
        }
        let end = self.target_position(target, direction)?;
        let applied = self.applied_set()?;
        let wanted: Vec<usize> = match direction {
            Direction::Up => (0..end).collect(),
            Direction::Down => (end..self.set.ordered.len()).rev().collect(),
        };
        for i in wanted {
            let m = self.set.ordered[i];
            // Already where this direction takes it.
            if applied.contains(m.revision) == (direction == Direction::Up) {
                continue;
            }
            let steps = self
                .set
                .steps(m.revision, self.dialect.as_ref(), direction)?;
            let started = Instant::now();
            // The session lock spans the statements before and after the transaction too.
            self.conn.lock()?;
            let result = self.run_one(&m, steps, direction, started);
            let unlocked = self.conn.unlock();
            if result? {
                report(&Event::ran(direction, &m, started.elapsed().as_millis()));
            }
            unlocked?;
        }
        Ok(())
    }

    /// One revision: its statements before the transaction, the transaction with the history
    /// row (`finishing` or `reverting` while statements after it remain), then those.
    /// `Ok(false)` when another migrator did it first.
    fn run_one(
        &mut self,
        m: &EmbeddedMigration,
        steps: Vec<Step>,
        direction: Direction,
        started: Instant,
    ) -> Result<bool> {
        let (before, inside, after) = partition(steps);
        if !self.run_before_transaction(m, &before, direction)? {
            return Ok(false);
        }
        self.conn.begin()?;
        match self.run_in_transaction(m, &inside, !after.is_empty(), direction, started) {
            Ok(true) => {}
            Ok(false) => return Ok(false),
            Err(e) => {
                let _ = self.conn.rollback();
                return Err(e);
            }
        }
        if !after.is_empty() {
            self.run_after(m, &after, false, direction)?;
            self.complete(m, direction, started.elapsed().as_millis() as i64)?;
        }
        Ok(true)
    }

    /// Runs the statements placed before `m`'s transaction; `Ok(false)`, running none, when
    /// the history shows that another migrator already did this direction's work.
    fn run_before_transaction(
        &mut self,
        m: &EmbeddedMigration,
        before: &[Statement],
        direction: Direction,
    ) -> Result<bool> {
        if before.is_empty() {
            return Ok(true);
        }
        let rows = self.conn.history()?;
        let revisions: BTreeSet<&str> = rows.iter().map(|r| r.revision.as_str()).collect();
        let applied = self.set.effective_applied(&revisions).contains(m.revision);
        if applied == (direction == Direction::Up) {
            return Ok(false);
        }
        for statement in before {
            self.conn.execute(&statement.sql).map_err(|e| {
                self.step_error(
                    m,
                    Some(statement),
                    e,
                    &format!("the statements before its transaction are idempotent and nothing else ran; run `{}` again", direction.command()),
                )
            })?;
        }
        Ok(true)
    }

    /// Inside the transaction: re-checks history (the lock is held now), runs the statements,
    /// records the outcome (the row `applied` or `finishing` going up; gone or `reverting`
    /// going down), verifies and commits. Where DDL commits as it goes, the row is `dirty`
    /// while the statements run. `Ok(false)` when another migrator did it first.
    fn run_in_transaction(
        &mut self,
        m: &EmbeddedMigration,
        statements: &[Step],
        unfinished: bool,
        direction: Direction,
        started: Instant,
    ) -> Result<bool> {
        let history = self.locked_history()?;
        let mut row = history.iter().find(|r| r.revision == m.revision).cloned();
        if direction == Direction::Down && row.is_none() && !m.replaces.is_empty() {
            let revisions: BTreeSet<&str> = history.iter().map(|r| r.revision.as_str()).collect();
            if self.set.effective_applied(&revisions).contains(m.revision) {
                // Reached through the revisions it replaces: their rows stand for it. It gets
                // a row of its own for the way down to mark, removed with theirs at the end.
                let own = self.row(m, HistoryState::Applied, 0);
                self.conn.insert_history(&own)?;
                row = Some(own);
            }
        }
        if row.is_some() != (direction == Direction::Down) {
            self.conn.commit()?;
            return Ok(false);
        }
        // What the row was before this run, to put back where nothing ran.
        let applied_duration = row.as_ref().map_or(0, |r| r.duration_ms);
        if direction == Direction::Up && history.is_empty() {
            self.refuse_existing_tables(m)?;
        }
        let transactional = self.conn.transactional_ddl();
        if !transactional {
            // Committed before the first statement: a failure half-way leaves it `dirty`.
            match direction {
                Direction::Up => self
                    .conn
                    .insert_history(&self.row(m, HistoryState::Dirty, 0))?,
                Direction::Down => {
                    self.conn
                        .set_history_state(m.revision, HistoryState::Dirty, 0)?
                }
            }
        }
        for (i, step) in statements.iter().enumerate() {
            if let Err(e) = run_step(self.conn, step) {
                // A first statement that failed changed nothing even where DDL commits as it
                // goes (a lock not granted, a value that does not fit a narrower column), so
                // the row is put back as it was and nothing is half-done.
                let nothing_ran = transactional || i == 0;
                if !transactional && nothing_ran {
                    let _ = match direction {
                        Direction::Up => self.conn.delete_history(m.revision),
                        Direction::Down => self.conn.set_history_state(
                            m.revision,
                            HistoryState::Applied,
                            applied_duration,
                        ),
                    };
                }
                let outcome = match (nothing_ran, direction) {
                    (true, Direction::Up) => "nothing of this revision was applied; run `upgrade` again once the cause is gone",
                    (true, Direction::Down) => "the revision stays applied as it was before",
                    (false, Direction::Up) => "the statements before it were applied and the revision is marked dirty",
                    (false, Direction::Down) => "the statements before it were reverted and the revision is marked dirty",
                };
                let sql = match step {
                    Step::Sql(statement) => Some(statement),
                    Step::Rust(_) => None,
                };
                return Err(self.step_error(m, sql, e, outcome));
            }
        }
        let duration = started.elapsed().as_millis() as i64;
        match (direction, unfinished) {
            (Direction::Up, _) if transactional => {
                let state = if unfinished {
                    HistoryState::Finishing
                } else {
                    HistoryState::Applied
                };
                self.conn.insert_history(&self.row(m, state, duration))?;
            }
            (Direction::Up, true) => {
                self.conn
                    .set_history_state(m.revision, HistoryState::Finishing, duration)?
            }
            (Direction::Up, false) => {
                self.conn
                    .set_history_state(m.revision, HistoryState::Applied, duration)?
            }
            (Direction::Down, true) => {
                self.conn
                    .set_history_state(m.revision, HistoryState::Reverting, 0)?
            }
            (Direction::Down, false) => self.delete_rows(m)?,
        }
        self.conn.verify().map_err(|e| in_migration(m, e, None))?;
        self.conn.commit()?;
        Ok(true)
    }

    /// The history row of `m` in `state`.
    fn row(&self, m: &EmbeddedMigration, state: HistoryState, duration_ms: i64) -> HistoryRow {
        HistoryRow {
            revision: m.revision.to_string(),
            message: m.message.to_string(),
            checksum: self
                .set
                .checksum_at(
                    self.set
                        .index_of(m.revision)
                        .expect("a revision of the set"),
                )
                .to_string(),
            applied_at: now_rfc3339(),
            duration_ms,
            state,
        }
    }

    /// The history once every statement of `m` in `direction` ran: `applied` going up (taking
    /// `duration_ms`), the row gone going down.
    fn complete(
        &mut self,
        m: &EmbeddedMigration,
        direction: Direction,
        duration_ms: i64,
    ) -> Result<()> {
        match direction {
            Direction::Up => {
                self.conn
                    .set_history_state(m.revision, HistoryState::Applied, duration_ms)
            }
            Direction::Down => self.delete_rows(m),
        }
    }

    /// Removes the row of a reverted revision, and those of the revisions it replaces (a
    /// squash reached through them).
    fn delete_rows(&mut self, m: &EmbeddedMigration) -> Result<()> {
        self.conn.delete_history(m.revision)?;
        for replaced in m.replaces {
            self.conn.delete_history(replaced)?;
        }
        Ok(())
    }

    /// Runs the statements after a revision's transaction, each on its own. `resuming`: an
    /// earlier run stopped among them, so an index build first drops the INVALID index a failed
    /// build left, and is skipped when the index is already valid.
    fn run_after(
        &mut self,
        m: &EmbeddedMigration,
        after: &[Statement],
        resuming: bool,
        direction: Direction,
    ) -> Result<()> {
        let command = direction.command();
        let state = direction.unfinished_state();
        for statement in after {
            if let (true, Some(index)) = (resuming, &statement.builds_index) {
                match self.conn.index_valid(index)? {
                    Some(true) => continue,
                    Some(false) => {
                        let drop = format!(
                            "DROP INDEX CONCURRENTLY IF EXISTS {}",
                            self.dialect.quote(index)
                        );
                        self.conn
                            .execute(&drop)
                            .map_err(|e| in_migration(m, e, None))?;
                    }
                    None => {}
                }
            }
            self.conn.execute(&statement.sql).map_err(|e| {
                let outcome = match &statement.builds_index {
                    Some(index) => format!(
                        "its transaction is committed and the revision is marked `{state}`; the index `{index}` may be left INVALID, and `migrate-cli {command}` drops it and runs the statements after the transaction again"
                    ),
                    None => format!(
                        "its transaction is committed and the revision is marked `{state}`; `migrate-cli {command}` runs the statements after the transaction again"
                    ),
                };
                self.step_error(m, Some(statement), e, &outcome)
            })?;
        }
        Ok(())
    }

    /// Finishes the revisions an earlier run left between their transaction and the statements
    /// after it: `finishing` ones on upgrade, `reverting` ones on downgrade. A row of the other
    /// kind is an error saying which command finishes it.
    fn finish_interrupted(
        &mut self,
        direction: Direction,
        report: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        let rows = self.applied()?;
        if !rows.iter().any(|r| r.state.unfinished().is_some()) {
            return Ok(());
        }
        self.conn.lock()?;
        let result = self.finish_locked(direction, report);
        let unlocked = self.conn.unlock();
        result?;
        unlocked
    }

    fn finish_locked(
        &mut self,
        direction: Direction,
        report: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        for row in self.applied()? {
            match row.state.unfinished() {
                Some(left) if left != direction => {
                    return Err(Error::Unfinished {
                        revision: row.revision,
                        direction: left,
                    })
                }
                Some(_) => {}
                None => continue,
            }
            let Some(i) = self.set.graph.index_of(&row.revision) else {
                continue;
            };
            let m = self.set.ordered[i];
            let started = Instant::now();
            let (_, _, after) = partition(self.set.steps(
                m.revision,
                self.dialect.as_ref(),
                direction,
            )?);
            self.run_after(&m, &after, true, direction)?;
            self.complete(
                &m,
                direction,
                row.duration_ms + started.elapsed().as_millis() as i64,
            )?;
            report(&Event::Finished {
                revision: m.revision.to_string(),
                message: m.message.to_string(),
                direction,
            });
        }
        Ok(())
    }

    /// Stops at an INVALID index (a concurrent build that failed and that no unfinished
    /// revision will rebuild): its writes are maintained but it is never used, and a unique one
    /// enforces nothing.
    fn refuse_invalid_indexes(&mut self) -> Result<()> {
        let invalid = self.conn.invalid_indexes()?;
        if invalid.is_empty() {
            return Ok(());
        }
        let drops = invalid
            .iter()
            .map(|(_, index)| format!("DROP INDEX CONCURRENTLY {};", self.dialect.quote(index)))
            .collect();
        Err(Error::InvalidIndexes {
            indexes: invalid,
            drops,
        })
    }

    /// The error of a statement that failed: a lock not granted within `lock_timeout` names
    /// the tables; anything else names the statement. `outcome` says what state it leaves.
    fn step_error(
        &self,
        m: &EmbeddedMigration,
        statement: Option<&Statement>,
        e: Error,
        outcome: &str,
    ) -> Error {
        if let (Error::Database { message, .. }, Some(statement)) = (&e, statement) {
            if is_lock_timeout(message) {
                let tables = match statement.tables.as_slice() {
                    [] => "a table it uses".to_string(),
                    [one] => format!("table `{one}`"),
                    [one, rest @ ..] => format!(
                        "table `{one}` (or {})",
                        rest.iter()
                            .map(|t| format!("`{t}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                return Error::LockTimeout {
                    file: m.file.to_string(),
                    revision: m.revision.to_string(),
                    tables,
                    timeout: format_duration_ms(self.options.lock_timeout_ms),
                    outcome: outcome.to_string(),
                };
            }
        }
        in_migration(m, e, Some(outcome))
    }

    /// Records the database as being at `target` without running anything: the history then
    /// holds exactly the revisions up to `target`, each `applied`. This is how a half-applied
    /// (`dirty`) migration is resolved once the database was fixed by hand.
    pub fn stamp(&mut self, target: &Target) -> Result<()> {
        self.choose_way(Some(target))?;
        let end = self.set.graph.stamp_position(target)?;
        self.conn.begin()?;
        let result = (|| -> Result<()> {
            for row in self.conn.history()? {
                self.conn.delete_history(&row.revision)?;
            }
            for m in &self.set.ordered[..end] {
                let row = self.row(m, HistoryState::Applied, 0);
                self.conn.insert_history(&row)?;
            }
            self.conn.commit()
        })();
        if result.is_err() {
            let _ = self.conn.rollback();
        }
        result
    }
}

/// A migration's steps by where they run: before its transaction, in it, after it.
fn partition(steps: Vec<Step>) -> (Vec<Statement>, Vec<Step>, Vec<Statement>) {
    let (mut before, mut inside, mut after) = (Vec::new(), Vec::new(), Vec::new());
    for step in steps {
        match step {
            Step::Sql(s) if s.placement == Placement::BeforeTransaction => before.push(s),
            Step::Sql(s) if s.placement == Placement::AfterTransaction => after.push(s),
            other => inside.push(other),
        }
    }
    (before, inside, after)
}

/// Whether a driver message is the one of a lock not granted in time: PostgreSQL's
/// `lock_timeout` (SQLSTATE 55P03) or MySQL's `lock_wait_timeout` (error 1205).
pub fn is_lock_timeout(message: &str) -> bool {
    message.contains("lock timeout") || message.contains("Lock wait timeout exceeded")
}

/// Applies every pending embedded migration to the database at `url`, with the same history,
/// lock and checksums as `migrate-cli upgrade`: what an application calls at start-up. The
/// events say what was applied.
pub fn upgrade_embedded(url: &str, migrations: &[EmbeddedMigration]) -> Result<Vec<Event>> {
    upgrade_embedded_with(url, migrations, RunOptions::default())
}

/// [`upgrade_embedded`] with a `lock_timeout` and `statement_timeout` of the application's
/// choosing.
pub fn upgrade_embedded_with(
    url: &str,
    migrations: &[EmbeddedMigration],
    options: RunOptions,
) -> Result<Vec<Event>> {
    let set = MigrationSet::new(migrations)?;
    let mut conn = crate::connection::connect(url)?;
    let mut runner = Runner::new(conn.as_mut(), &set)?.with_options(options);
    let mut events = Vec::new();
    runner.upgrade(&Target::Head, &mut |e| events.push(e.clone()))?;
    Ok(events)
}

fn run_step(conn: &mut dyn MigrationConnection, step: &Step) -> Result<()> {
    match step {
        Step::Sql(statement) => conn.execute(&statement.sql),
        Step::Rust(r) => (r.run)(conn.diesel_any()).map_err(|message| Error::Database {
            context: format!("Rust step {}", r.name),
            message,
        }),
    }
}

fn in_migration(m: &EmbeddedMigration, e: Error, outcome: Option<&str>) -> Error {
    match e {
        Error::Database { context, message } => Error::Database {
            context: format!("{} (revision {}) failed at `{context}`", m.file, m.revision),
            message: match outcome {
                Some(outcome) => format!("{message}; {outcome}"),
                None => message,
            },
        },
        other => other,
    }
}

/// The current UTC time as RFC 3339 (`2026-11-25T10:45:00Z`), as the history records it.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::SqlType;

    fn up_users(m: &mut Migration) {
        m.create_table("users", |t| {
            t.column("id", SqlType::Integer).auto_increment();
            t.primary_key(&["id"]);
        });
    }
    fn down_users(m: &mut Migration) {
        m.drop_table("users");
    }
    fn up_bio(m: &mut Migration) {
        m.add_column("users", "bio", SqlType::Text).nullable();
    }
    fn down_bio(m: &mut Migration) {
        m.drop_column("users", "bio");
    }

    pub(crate) fn two() -> Vec<EmbeddedMigration> {
        vec![
            EmbeddedMigration {
                revision: "20260102000000",
                revises: &["20260101000000"],
                message: "bio",
                file: "20260102000000_bio.rs",
                source: "bio",
                up: up_bio,
                down: down_bio,
                safe_ddl: true,
                replaces: &[],
            },
            EmbeddedMigration {
                revision: "20260101000000",
                revises: &[],
                message: "users",
                file: "20260101000000_users.rs",
                source: "users",
                up: up_users,
                down: down_users,
                safe_ddl: true,
                replaces: &[],
            },
        ]
    }

    #[test]
    fn set_orders_by_links_and_replays() {
        let set = MigrationSet::new(&two()).unwrap();
        let order: Vec<&str> = set.ordered().iter().map(|m| m.revision).collect();
        assert_eq!(order, ["20260101000000", "20260102000000"]);
        assert_eq!(set.heads(), ["20260102000000"]);
        assert!(set
            .head_schema()
            .table("users")
            .unwrap()
            .column("bio")
            .is_some());
        assert_eq!(set.resolve_revision("202601020").unwrap(), "20260102000000");
        assert!(set.resolve_revision("2026010").is_err());
    }

    #[test]
    fn missing_parent_is_named() {
        let mut list = two();
        list.retain(|m| m.revision != "20260101000000");
        let err = MigrationSet::new(&list).unwrap_err().to_string();
        assert_eq!(
            err,
            "20260102000000_bio.rs revises 20260101000000, which no migration in versions/ declares"
        );
    }

    #[test]
    fn targets_parse() {
        assert_eq!(Target::parse("head").unwrap(), Target::Head);
        assert_eq!(Target::parse("-1").unwrap(), Target::Relative(-1));
        assert_eq!(Target::parse("+2").unwrap(), Target::Relative(2));
        assert_eq!(
            Target::parse("abc").unwrap(),
            Target::Revision("abc".into())
        );
        assert!(Target::parse("-x").is_err());
    }

    #[test]
    fn dates() {
        let now = now_rfc3339();
        assert!(
            chrono::NaiveDateTime::parse_from_str(&now, "%Y-%m-%dT%H:%M:%SZ").is_ok(),
            "{now}"
        );
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn upgrade_and_downgrade_on_sqlite() {
        use crate::connection::SqliteMigrationConnection;
        let set = MigrationSet::new(&two()).unwrap();
        let mut conn = SqliteMigrationConnection::open(":memory:").unwrap();
        let mut events = Vec::new();
        let mut runner = Runner::new(&mut conn, &set).unwrap();
        runner
            .upgrade(&Target::Head, &mut |e| events.push(e.clone()))
            .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(runner.current().unwrap(), Some("20260102000000"));
        runner
            .upgrade(&Target::Head, &mut |e| events.push(e.clone()))
            .unwrap();
        assert_eq!(events.len(), 2, "nothing applied twice");
        runner
            .downgrade(&Target::Relative(-1), &mut |e| events.push(e.clone()))
            .unwrap();
        assert_eq!(runner.current().unwrap(), Some("20260101000000"));
        runner
            .downgrade(&Target::Base, &mut |e| events.push(e.clone()))
            .unwrap();
        assert_eq!(runner.current().unwrap(), None);
        assert!(runner
            .downgrade(&Target::Relative(-1), &mut |_| {})
            .is_err());
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn failing_statement_rolls_back_everything() {
        use crate::connection::SqliteMigrationConnection;
        fn bad(m: &mut Migration) {
            m.create_table("t", |t| {
                t.column("id", SqlType::Integer);
            });
            m.sql("INSERT INTO t (id) VALUES (1)");
            m.sql("INSERT INTO nowhere VALUES (1)");
        }
        let list = [EmbeddedMigration {
            revision: "1",
            revises: &[],
            message: "bad",
            file: "1_bad.rs",
            source: "",
            up: bad,
            down: down_users,
            safe_ddl: true,
            replaces: &[],
        }];
        let set = MigrationSet::new(&list).unwrap();
        let mut conn = SqliteMigrationConnection::open(":memory:").unwrap();
        let mut runner = Runner::new(&mut conn, &set).unwrap();
        let err = runner
            .upgrade(&Target::Head, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("1_bad.rs (revision 1) failed at `INSERT INTO nowhere"),
            "{err}"
        );
        assert_eq!(runner.current().unwrap(), None);
        let tables: Vec<crate::connection::HistoryRow> = runner.conn.history().unwrap();
        assert!(tables.is_empty());
    }
}
