//! The runner: applies and reverts migrations, one transaction each, recorded in
//! `__migrate_history`, with the checks that keep history honest (checksums, missing files,
//! dirty rows).
//!
//! The same code runs behind `migrate-cli upgrade` (in the small program it compiles from the
//! migrations folder) and inside applications that embed their migrations.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::time::Instant;

use sha2::{Digest, Sha256};

use crate::connection::{
    delete_history, insert_history, set_history_state, HistoryRow, MigrationConnection,
};
use crate::dialect::{render_all, Backend, Dialect};
use crate::error::{Error, Result};
use crate::migration::{Migration, Operation};
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
}

impl EmbeddedMigration {
    /// SHA-256 of the source, hex.
    pub fn checksum(&self) -> String {
        checksum(self.source)
    }

    /// The operations of `up`.
    pub fn up_operations(&self) -> Vec<Operation> {
        let mut m = Migration::new();
        (self.up)(&mut m);
        m.into_operations()
    }

    /// The operations of `down`.
    pub fn down_operations(&self) -> Vec<Operation> {
        let mut m = Migration::new();
        (self.down)(&mut m);
        m.into_operations()
    }
}

/// SHA-256 of a module source, hex.
pub fn checksum(source: &str) -> String {
    let digest = Sha256::digest(source.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The migrations in the order they apply, with the schema each one starts from.
#[derive(Debug)]
pub struct MigrationSet {
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
        let mut by_revision: BTreeMap<&str, &EmbeddedMigration> = BTreeMap::new();
        for m in migrations {
            if let Some(other) = by_revision.insert(m.revision, m) {
                return Err(Error::History(format!(
                    "revision {} is declared by both {} and {}",
                    m.revision, other.file, m.file
                )));
            }
        }
        for m in migrations {
            for parent in m.revises {
                if !by_revision.contains_key(parent) {
                    return Err(Error::History(format!(
                        "{} revises {parent}, which no migration in versions/ declares",
                        m.file
                    )));
                }
            }
        }
        // Kahn's algorithm; ties broken by revision id so the order is the same everywhere.
        let mut waiting: BTreeMap<&str, BTreeSet<&str>> = migrations
            .iter()
            .map(|m| (m.revision, m.revises.iter().copied().collect()))
            .collect();
        let mut ordered = Vec::with_capacity(migrations.len());
        while let Some(next) = waiting
            .iter()
            .find(|(_, parents)| parents.is_empty())
            .map(|(rev, _)| *rev)
        {
            waiting.remove(next);
            for parents in waiting.values_mut() {
                parents.remove(next);
            }
            ordered.push(*by_revision[next]);
        }
        if !waiting.is_empty() {
            let revs: Vec<&str> = waiting.keys().copied().collect();
            return Err(Error::History(format!(
                "migrations {} revise each other in a cycle",
                revs.join(", ")
            )));
        }

        let mut schemas = vec![Schema::default()];
        let mut ups = Vec::with_capacity(ordered.len());
        let mut schema = Schema::default();
        for m in &ordered {
            let ops = m.up_operations();
            for op in &ops {
                op.apply(&mut schema).map_err(|e| {
                    Error::History(format!("{} (revision {}): {e}", m.file, m.revision))
                })?;
            }
            schemas.push(schema.clone());
            ups.push(ops);
        }
        let checksums = ordered.iter().map(|_| OnceLock::new()).collect();
        Ok(MigrationSet {
            ordered,
            schemas,
            ups,
            checksums,
        })
    }

    /// The checksum of `revision`'s module source (SHA-256, hex), computed once.
    fn checksum_of(&self, revision: &str) -> Result<&str> {
        let i = self.index_of(revision)?;
        Ok(self.checksums[i].get_or_init(|| self.ordered[i].checksum()))
    }

    /// The migrations in apply order.
    pub fn ordered(&self) -> &[EmbeddedMigration] {
        &self.ordered
    }

    /// Revisions that no other revision revises.
    pub fn heads(&self) -> Vec<&'static str> {
        let revised: BTreeSet<&str> = self
            .ordered
            .iter()
            .flat_map(|m| m.revises.iter().copied())
            .collect();
        self.ordered
            .iter()
            .map(|m| m.revision)
            .filter(|r| !revised.contains(r))
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
        self.ordered
            .iter()
            .position(|m| m.revision == revision)
            .ok_or_else(|| Error::Target(format!("no migration has revision {revision}")))
    }

    /// Resolves a full revision id or a unique prefix.
    pub fn resolve_revision(&self, text: &str) -> Result<&'static str> {
        let matches: Vec<&'static str> = self
            .ordered
            .iter()
            .map(|m| m.revision)
            .filter(|r| r.starts_with(text))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::Target(format!(
                "no migration has a revision starting with `{text}`"
            ))),
            many => Err(Error::Target(format!(
                "`{text}` is ambiguous: it starts revisions {}",
                many.join(", ")
            ))),
        }
    }

    /// What `up` (or `down`) of `revision` runs on `dialect`: statements, and Rust steps
    /// between them. A `down` marked irreversible is an error naming the revision.
    pub fn steps(&self, revision: &str, dialect: &dyn Dialect, up: bool) -> Result<Vec<Step>> {
        let i = self.index_of(revision)?;
        let m = &self.ordered[i];
        let down;
        let (start, ops) = if up {
            (&self.schemas[i], &self.ups[i])
        } else {
            down = m.down_operations();
            (&self.schemas[i + 1], &down)
        };
        let in_file =
            |e: Error| Error::History(format!("{} (revision {}): {e}", m.file, m.revision));
        let mut schema = start.clone();
        let mut steps = Vec::new();
        // The operations between two Rust steps render together (SQLite merges the rebuilds of
        // one table), each run from the schema the previous one ended at; rendered from the
        // recorded operations in place, not from a copy.
        let flush = |chunk: &[Operation], schema: &mut Schema, steps: &mut Vec<Step>| {
            if chunk.is_empty() {
                return Ok(());
            }
            let (statements, end) = render_all(dialect, schema, chunk).map_err(in_file)?;
            *schema = end;
            steps.extend(statements.into_iter().map(Step::Sql));
            Ok::<(), Error>(())
        };
        let mut chunk_start = 0;
        for (at, op) in ops.iter().enumerate() {
            match op {
                Operation::Irreversible(reason) => {
                    return Err(Error::History(format!(
                        "{} (revision {}) cannot be {}: {reason}",
                        m.file,
                        m.revision,
                        if up { "applied" } else { "reverted" }
                    )))
                }
                Operation::Rust(step) => {
                    flush(&ops[chunk_start..at], &mut schema, &mut steps)?;
                    steps.push(Step::Rust(step.clone()));
                    chunk_start = at + 1;
                }
                _ => {}
            }
        }
        flush(&ops[chunk_start..], &mut schema, &mut steps)?;
        Ok(steps)
    }

    /// The statements `up` (or `down`) of `revision` runs on `dialect`, with no database; a
    /// Rust step shows as a comment.
    pub fn statements(
        &self,
        revision: &str,
        dialect: &dyn Dialect,
        up: bool,
    ) -> Result<Vec<String>> {
        Ok(self
            .steps(revision, dialect, up)?
            .into_iter()
            .map(|step| match step {
                Step::Sql(sql) => sql,
                Step::Rust(r) => format!("-- Rust step: {}", r.name),
            })
            .collect())
    }
}

/// One thing a migration runs.
#[derive(Debug, Clone)]
pub enum Step {
    /// A statement.
    Sql(String),
    /// A Rust data step, given the connection.
    Rust(crate::migration::RustStep),
}

/// Where to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The newest revision.
    Head,
    /// Before the first revision.
    Base,
    /// A revision id or a unique prefix of one.
    Revision(String),
    /// `+N` / `-N` steps from where the database is.
    Relative(i64),
}

impl Target {
    /// Parses `head`, `base`, `+N`, `-N` or a revision (prefix).
    pub fn parse(text: &str) -> Result<Target> {
        Ok(match text {
            "head" | "heads" => Target::Head,
            "base" => Target::Base,
            _ if text.starts_with(['+', '-']) => Target::Relative(text.parse().map_err(|_| {
                Error::Target(format!(
                    "`{text}` is not a target: expected head, base, a revision, +N or -N"
                ))
            })?),
            _ if !text.is_empty() => Target::Revision(text.to_string()),
            _ => {
                return Err(Error::Target(
                    "an empty target: expected head, base, a revision, +N or -N".into(),
                ))
            }
        })
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
    set: &'a MigrationSet,
    dialect: Box<dyn Dialect>,
}

impl<'a> Runner<'a> {
    /// A runner over `conn`.
    pub fn new(conn: &'a mut dyn MigrationConnection, set: &'a MigrationSet) -> Result<Self> {
        let dialect = conn.backend().dialect();
        Ok(Runner { conn, set, dialect })
    }

    /// The backend it drives.
    pub fn backend(&self) -> Backend {
        self.conn.backend()
    }

    /// Applied revisions, checked against the files: a missing or edited file, or a dirty row,
    /// is an error naming it.
    pub fn applied(&mut self) -> Result<Vec<HistoryRow>> {
        let rows = self.conn.history()?;
        for row in &rows {
            let Some(m) = self.set.ordered.iter().find(|m| m.revision == row.revision) else {
                return Err(Error::History(format!(
                    "revision {} ({}) is applied on the database but its migration file is missing from versions/",
                    row.revision, row.message
                )));
            };
            if self.set.checksum_of(m.revision)? != row.checksum {
                return Err(Error::History(format!(
                    "{} (revision {}) was edited after it was applied: its checksum differs from the one recorded",
                    m.file, m.revision
                )));
            }
        }
        Ok(rows)
    }

    /// A database with no history whose tables the first migration would create is one that
    /// already has this schema (say, the production copy of an adopted project): nothing runs,
    /// and the error names the tables and the way out. Checked under the migrator lock, so a
    /// concurrent migrator's fresh tables are never mistaken for such a database.
    fn refuse_existing_tables(&mut self, m: &EmbeddedMigration) -> Result<()> {
        let set = self.set;
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
            .map(|t| format!("`{t}`"))
            .collect();
        if clashes.is_empty() {
            return Ok(());
        }
        Err(Error::History(format!(
            "the database has no migration history but already holds table(s) {} that revision {} would create; nothing was run. If it already has this schema, record that with `migrate-cli stamp <the revision it is at>` (for example `stamp {}`)",
            clashes.join(", "),
            m.revision,
            m.revision
        )))
    }

    /// Refuses to go on while a `dirty` row remains once the lock is held (a row that was only
    /// in progress is `applied` by the time the lock is granted).
    fn refuse_dirty(&mut self) -> Result<()> {
        if self.conn.history()?.iter().all(|r| r.state == "applied") {
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
        if let Some(row) = rows.iter().find(|r| r.state != "applied") {
            return Err(Error::History(format!(
                "revision {} failed half-way and is marked {}; fix the database by hand, then `stamp` the revision it is at",
                row.revision, row.state
            )));
        }
        Ok(rows)
    }

    /// The revision the database is at: the last applied in apply order.
    pub fn current(&mut self) -> Result<Option<&'static str>> {
        let applied: BTreeSet<String> = self.applied()?.into_iter().map(|r| r.revision).collect();
        Ok(self
            .set
            .ordered
            .iter()
            .rev()
            .find(|m| applied.contains(m.revision))
            .map(|m| m.revision))
    }

    /// How many migrations an upgrade (`up`) or downgrade to `target` would run now.
    pub fn pending(&mut self, target: &Target, up: bool) -> Result<usize> {
        let end = self.target_index(target, up)?;
        let applied: BTreeSet<String> = self.applied()?.into_iter().map(|r| r.revision).collect();
        let range = if up {
            0..end
        } else {
            end..self.set.ordered.len()
        };
        Ok(self.set.ordered[range]
            .iter()
            .filter(|m| applied.contains(m.revision) != up)
            .count())
    }

    fn target_index(&mut self, target: &Target, up: bool) -> Result<usize> {
        // An index into `ordered`: migrations [0, index) are wanted applied.
        let current = match self.current()? {
            Some(rev) => self.set.index_of(rev)? + 1,
            None => 0,
        };
        let len = self.set.ordered.len();
        Ok(match target {
            Target::Head => {
                let heads = self.set.heads();
                if heads.len() > 1 {
                    return Err(Error::Target(format!(
                        "several heads ({}): join them with `merge` first",
                        heads.join(", ")
                    )));
                }
                len
            }
            Target::Base => 0,
            Target::Revision(text) => self.set.index_of(self.set.resolve_revision(text)?)? + 1,
            Target::Relative(n) => {
                let wanted = current as i64 + n;
                if wanted < 0 || wanted > len as i64 {
                    return Err(Error::Target(format!(
                        "{}{n} goes past {}: the database is {current} step(s) from base and {} from head",
                        if *n > 0 { "+" } else { "" },
                        if wanted < 0 { "base" } else { "head" },
                        len - current
                    )));
                }
                wanted as usize
            }
        })
        .and_then(|index| {
            if up && index < current {
                Err(Error::Target(format!(
                    "the target is behind the database's revision {}; use `downgrade`",
                    self.set.ordered[current - 1].revision
                )))
            } else if !up && index > current {
                Err(Error::Target("the target is ahead of the database; use `upgrade`".to_string()))
            } else {
                Ok(index)
            }
        })
    }

    /// Applies pending migrations up to `target`, each in its own transaction with its history
    /// row. A migration another migrator applied meanwhile is skipped.
    pub fn upgrade(&mut self, target: &Target, report: &mut dyn FnMut(&Event)) -> Result<()> {
        self.refuse_dirty()?;
        let end = self.target_index(target, true)?;
        let applied: BTreeSet<String> = self.applied()?.into_iter().map(|r| r.revision).collect();

        for i in 0..end {
            let m = self.set.ordered[i];
            if applied.contains(m.revision) {
                continue;
            }
            let statements = self.set.steps(m.revision, self.dialect.as_ref(), true)?;
            let started = Instant::now();
            self.conn.begin()?;
            let result = self.apply_in_transaction(&m, &statements, started);
            match result {
                Ok(true) => report(&Event::Applied {
                    revision: m.revision.to_string(),
                    message: m.message.to_string(),
                    duration_ms: started.elapsed().as_millis(),
                }),
                Ok(false) => {}
                Err(e) => {
                    let _ = self.conn.rollback();
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// Inside the transaction: re-checks history (the lock is held now), runs the statements,
    /// records the row, verifies and commits. `Ok(false)` when someone else applied it first.
    fn apply_in_transaction(
        &mut self,
        m: &EmbeddedMigration,
        statements: &[Step],
        started: Instant,
    ) -> Result<bool> {
        let history = self.locked_history()?;
        if history.iter().any(|r| r.revision == m.revision) {
            self.conn.commit()?;
            return Ok(false);
        }
        if history.is_empty() {
            self.refuse_existing_tables(m)?;
        }
        let checksum = self.set.checksum_of(m.revision)?.to_string();
        let row = |state: &str, duration: i64| HistoryRow {
            revision: m.revision.to_string(),
            message: m.message.to_string(),
            checksum: checksum.clone(),
            applied_at: now_rfc3339(),
            duration_ms: duration,
            state: state.into(),
        };
        let transactional = self.conn.transactional_ddl();
        if !transactional {
            // Committed before the first statement: a failure half-way leaves it `dirty`.
            insert_history(self.conn, &row("dirty", 0))?;
        }
        for step in statements {
            run_step(self.conn, step).map_err(|e| in_migration(m, e))?;
        }
        let duration = started.elapsed().as_millis() as i64;
        if transactional {
            insert_history(self.conn, &row("applied", duration))?;
        } else {
            set_history_state(self.conn, m.revision, "applied", duration)?;
        }
        self.conn.verify().map_err(|e| in_migration(m, e))?;
        self.conn.commit()?;
        Ok(true)
    }

    /// Records the database as being at `target` without running anything: the history then
    /// holds exactly the revisions up to `target`, each `applied`. This is how a half-applied
    /// (`dirty`) migration is resolved once the database was fixed by hand.
    pub fn stamp(&mut self, target: &Target) -> Result<()> {
        let end = match target {
            Target::Head => {
                let heads = self.set.heads();
                if heads.len() > 1 {
                    return Err(Error::Target(format!(
                        "several heads ({}): stamp one revision",
                        heads.join(", ")
                    )));
                }
                self.set.ordered.len()
            }
            Target::Base => 0,
            Target::Revision(text) => self.set.index_of(self.set.resolve_revision(text)?)? + 1,
            Target::Relative(_) => {
                return Err(Error::Target(
                    "stamp takes head, base or a revision, not a relative step".into(),
                ))
            }
        };
        self.conn.begin()?;
        let result = (|| -> Result<()> {
            for row in self.conn.history()? {
                delete_history(self.conn, &row.revision)?;
            }
            for m in &self.set.ordered[..end] {
                insert_history(
                    self.conn,
                    &HistoryRow {
                        revision: m.revision.to_string(),
                        message: m.message.to_string(),
                        checksum: self.set.checksum_of(m.revision)?.to_string(),
                        applied_at: now_rfc3339(),
                        duration_ms: 0,
                        state: "applied".into(),
                    },
                )?;
            }
            self.conn.commit()
        })();
        if result.is_err() {
            let _ = self.conn.rollback();
        }
        result
    }

    /// Reverts applied migrations, newest first, down to `target` (which stays applied).
    pub fn downgrade(&mut self, target: &Target, report: &mut dyn FnMut(&Event)) -> Result<()> {
        self.refuse_dirty()?;
        let end = self.target_index(target, false)?;
        let applied: BTreeSet<String> = self.applied()?.into_iter().map(|r| r.revision).collect();
        for i in (end..self.set.ordered.len()).rev() {
            let m = self.set.ordered[i];
            if !applied.contains(m.revision) {
                continue;
            }
            let statements = self.set.steps(m.revision, self.dialect.as_ref(), false)?;
            let started = Instant::now();
            self.conn.begin()?;
            let result = (|| -> Result<bool> {
                if !self
                    .locked_history()?
                    .iter()
                    .any(|r| r.revision == m.revision)
                {
                    self.conn.commit()?;
                    return Ok(false);
                }
                if !self.conn.transactional_ddl() {
                    set_history_state(self.conn, m.revision, "dirty", 0)?;
                }
                for step in &statements {
                    run_step(self.conn, step).map_err(|e| in_migration(&m, e))?;
                }
                delete_history(self.conn, m.revision)?;
                self.conn.verify().map_err(|e| in_migration(&m, e))?;
                self.conn.commit()?;
                Ok(true)
            })();
            match result {
                Ok(true) => report(&Event::Reverted {
                    revision: m.revision.to_string(),
                    message: m.message.to_string(),
                    duration_ms: started.elapsed().as_millis(),
                }),
                Ok(false) => {}
                Err(e) => {
                    let _ = self.conn.rollback();
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// Applies every pending embedded migration to the database at `url`, with the same history,
/// lock and checksums as `migrate-cli upgrade`: what an application calls at start-up. The
/// events say what was applied.
pub fn upgrade_embedded(url: &str, migrations: &[EmbeddedMigration]) -> Result<Vec<Event>> {
    let set = MigrationSet::new(migrations)?;
    let mut conn = crate::connection::connect(url)?;
    let mut runner = Runner::new(conn.as_mut(), &set)?;
    let mut events = Vec::new();
    runner.upgrade(&Target::Head, &mut |e| events.push(e.clone()))?;
    Ok(events)
}

fn run_step(conn: &mut dyn MigrationConnection, step: &Step) -> Result<()> {
    match step {
        Step::Sql(sql) => conn.execute(sql),
        Step::Rust(r) => (r.run)(conn.diesel_any()).map_err(|message| Error::Database {
            context: format!("Rust step {}", r.name),
            message,
        }),
    }
}

fn in_migration(m: &EmbeddedMigration, e: Error) -> Error {
    match e {
        Error::Database { context, message } => Error::Database {
            context: format!("{} (revision {}) failed at `{context}`", m.file, m.revision),
            message,
        },
        other => other,
    }
}

/// The current UTC time as RFC 3339, without a date crate.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_unix(secs, "-", "T", "Z")
}

/// Formats unix seconds as `YYYY{d}MM{d}DD{t}HH:MM:SS{z}` in UTC.
pub fn format_unix(secs: u64, date_sep: &str, time_sep: &str, zone: &str) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{date_sep}{m:02}{date_sep}{d:02}{time_sep}{:02}:{:02}:{:02}{zone}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
            },
            EmbeddedMigration {
                revision: "20260101000000",
                revises: &[],
                message: "users",
                file: "20260101000000_users.rs",
                source: "users",
                up: up_users,
                down: down_users,
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
        assert_eq!(format_unix(0, "-", "T", "Z"), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_unix(1_795_603_500, "-", " ", " UTC"),
            "2026-11-25 10:45:00 UTC"
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
