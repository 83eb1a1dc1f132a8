//! A fresh database at head for each test, and the schema at head as DDL for a snapshot.
//!
//! ```ignore
//! let mut db = migrate_core::testing::fresh_database::<PgConnection>(MIGRATIONS, &server_url)?;
//! diesel::insert_into(posts::table).values(&new_post).execute(&mut *db)?;
//! ```
//!
//! The migrations run once per test process into a template named after their checksum; each
//! test then gets a copy, the cheapest one its backend has: a file copy on SQLite,
//! `CREATE DATABASE ... TEMPLATE` on PostgreSQL, the template's `SHOW CREATE` statements replayed
//! on MySQL. A SQLite file is removed with the guard, also when the test panics. A server copy is
//! given back with the guard: reset to head (its rows deleted, its counters set back) and kept
//! for the process's next test when the test changed neither its schema nor the rows the
//! migrations left, dropped otherwise. Names carry a hash of the host name and the process id,
//! so a later run on the same machine drops the copies of processes that are gone (killed, or
//! ended with copies kept for reuse).

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use diesel::Connection;

use crate::dialect::{render_all, Backend};
use crate::error::{mask_url, Error, Result};
use crate::runner::{EmbeddedMigration, MigrationSet};
use crate::schema::Schema;

/// The prefix of every database (or file) a test gets.
const FRESH: &str = "migrate_fresh_";
/// The prefix of the server templates.
#[cfg(any(feature = "postgres", feature = "mysql"))]
const TEMPLATE: &str = "migrate_template_";

/// A Diesel connection type [`fresh_database`] can hand out.
pub trait FreshConnection: Connection + Sized + 'static {
    /// The backend it speaks.
    const BACKEND: Backend;
}

#[cfg(feature = "sqlite")]
impl FreshConnection for diesel::sqlite::SqliteConnection {
    const BACKEND: Backend = Backend::Sqlite;
}
#[cfg(feature = "postgres")]
impl FreshConnection for diesel::pg::PgConnection {
    const BACKEND: Backend = Backend::Postgres;
}
#[cfg(feature = "mysql")]
impl FreshConnection for diesel::mysql::MysqlConnection {
    const BACKEND: Backend = Backend::Mysql;
}

/// A database of its own at head, for one test; derefs to its Diesel connection and is dropped
/// (connection closed, database dropped or file removed) with the guard.
pub struct TestDatabase<C: FreshConnection> {
    conn: Option<C>,
    url: String,
    place: Place,
}

enum Place {
    File(PathBuf),
    Server(server::Lease),
}

impl<C: FreshConnection> TestDatabase<C> {
    /// The URL of this database, for code under test that opens its own connections.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of the database (on SQLite, the file path).
    pub fn name(&self) -> String {
        match &self.place {
            Place::File(path) => path.display().to_string(),
            Place::Server(lease) => lease.name.clone(),
        }
    }
}

impl<C: FreshConnection> Deref for TestDatabase<C> {
    type Target = C;
    fn deref(&self) -> &C {
        self.conn.as_ref().expect("connection is open until drop")
    }
}

impl<C: FreshConnection> DerefMut for TestDatabase<C> {
    fn deref_mut(&mut self) -> &mut C {
        self.conn.as_mut().expect("connection is open until drop")
    }
}

impl<C: FreshConnection> Drop for TestDatabase<C> {
    fn drop(&mut self) {
        // The connection first: a database in use cannot be dropped.
        drop(self.conn.take());
        match &self.place {
            Place::File(path) => remove_sqlite_file(path),
            Place::Server(lease) => server::give_back(lease),
        }
    }
}

/// A new database at the head of `migrations`, on the server of `url` (connected to as an
/// administrator: the database in the URL is only where the connection lands) or, for a SQLite
/// URL (`sqlite::memory:` included), in a temporary file.
pub fn fresh_database<C: FreshConnection>(
    migrations: &[EmbeddedMigration],
    url: &str,
) -> Result<TestDatabase<C>> {
    let backend = Backend::from_url(url)?;
    if backend != C::BACKEND {
        return Err(Error::DatabaseUrl(format!(
            "{} is a {backend} URL, but the test asked for a {} connection",
            mask_url(url),
            C::BACKEND
        )));
    }
    let sum = migrations_checksum(migrations);
    let (db_url, place) = match backend {
        Backend::Sqlite => {
            let name = fresh_name();
            let template = sqlite_template(migrations, &sum)?;
            let path = std::env::temp_dir().join(format!("{name}.sqlite3"));
            std::fs::copy(&template, &path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            (path.display().to_string(), Place::File(path))
        }
        Backend::Postgres | Backend::Mysql => {
            let lease = server::lease(backend, migrations, url, &sum)?;
            (with_database(url, &lease.name), Place::Server(lease))
        }
    };
    let mut guard = TestDatabase {
        conn: None,
        url: db_url,
        place,
    };
    guard.conn = Some(C::establish(&guard.url).map_err(|e| Error::Connect {
        url: mask_url(&guard.url),
        message: e.to_string(),
    })?);
    Ok(guard)
}

/// The schema at the head of `migrations` as `backend`'s DDL, one statement a line group, for a
/// snapshot test: a change to the models shows in review as the DDL it makes.
pub fn ddl_at_head(migrations: &[EmbeddedMigration], backend: Backend) -> Result<String> {
    let set = MigrationSet::new(migrations)?;
    ddl(set.head_schema(), backend)
}

/// `schema` as `backend`'s DDL from an empty database, statements separated by blank lines.
pub fn ddl(schema: &Schema, backend: Backend) -> Result<String> {
    let plan = crate::diff::diff(&Schema::default(), schema)?;
    let dialect = backend.dialect();
    let (statements, _) = render_all(dialect.as_ref(), &Schema::default(), &plan.up)?;
    let mut out = String::new();
    for statement in statements {
        out.push_str(statement.trim_end().trim_end_matches(';'));
        out.push_str(";\n\n");
    }
    Ok(out)
}

/// One checksum over the whole set: a template is reused only for the very same migrations.
fn migrations_checksum(migrations: &[EmbeddedMigration]) -> String {
    let mut all = String::new();
    for m in migrations {
        all.push_str(m.revision);
        all.push(':');
        all.push_str(&m.checksum());
        all.push('\n');
    }
    crate::runner::checksum(&all)[..16].to_string()
}

/// `migrate_fresh_<host>_<pid>_<n>`: unique in the process, the process unique on the host.
fn fresh_name() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{FRESH}{}_{}_{n}", host_tag(), std::process::id())
}

/// The name a test database of process `pid` on this host has: for tests of the stale cleanup.
#[doc(hidden)]
pub fn database_name_of_process(pid: u32, n: usize) -> String {
    format!("{FRESH}{}_{pid}_{n}", host_tag())
}

/// A short hash of the host name, so a run never judges another machine's process ids.
fn host_tag() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::env::var("HOSTNAME"))
        .or_else(|_| std::env::var("COMPUTERNAME"))
        .unwrap_or_default();
    crate::runner::checksum(host.trim())[..6].to_string()
}

/// The process id of one of this host's names, if it names a process that is gone. Only where
/// `/proc` tells (Linux); elsewhere nothing is judged stale.
fn dead_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(FRESH)?;
    let rest = rest.strip_prefix(&format!("{}_", host_tag()))?;
    let pid: u32 = rest.split('_').next()?.parse().ok()?;
    if !std::path::Path::new("/proc/self").exists() || pid == std::process::id() {
        return None;
    }
    (!std::path::Path::new(&format!("/proc/{pid}")).exists()).then_some(pid)
}

/// `url` with its database replaced by `name` (query kept).
fn with_database(url: &str, name: &str) -> String {
    let (head, query) = match url.split_once('?') {
        Some((h, q)) => (h, Some(q)),
        None => (url, None),
    };
    let (scheme, rest) = head.split_once("://").unwrap_or(("", head));
    let authority = rest.split('/').next().unwrap_or(rest);
    let mut out = format!("{scheme}://{authority}/{name}");
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

fn remove_sqlite_file(path: &std::path::Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
}

/// The migrated template file of this process (built on first use), after removing the files
/// dead processes left.
#[cfg(feature = "sqlite")]
fn sqlite_template(migrations: &[EmbeddedMigration], sum: &str) -> Result<PathBuf> {
    static TEMPLATES: Mutex<Option<HashMap<String, PathBuf>>> = Mutex::new(None);
    let mut templates = TEMPLATES.lock().unwrap_or_else(|e| e.into_inner());
    let templates = templates.get_or_insert_with(HashMap::new);
    if let Some(path) = templates.get(sum) {
        return Ok(path.clone());
    }
    let dir = std::env::temp_dir();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for entry in entries.flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = file.strip_suffix(".sqlite3") {
                if dead_owner(stem).is_some() {
                    remove_sqlite_file(&entry.path());
                }
            }
        }
    }
    // Named like a test's file so that stale cleanup removes it too once this process is gone.
    let path = dir.join(format!(
        "{FRESH}{}_{}_t{sum}.sqlite3",
        host_tag(),
        std::process::id()
    ));
    remove_sqlite_file(&path);
    crate::runner::upgrade_embedded(&path.display().to_string(), migrations)?;
    templates.insert(sum.to_string(), path.clone());
    Ok(path)
}

#[cfg(not(feature = "sqlite"))]
fn sqlite_template(_: &[EmbeddedMigration], _: &str) -> Result<PathBuf> {
    Err(Error::DatabaseUrl(
        "this build has no sqlite support; enable the `sqlite` feature".into(),
    ))
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
mod server {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{BigInt, Nullable, Text};
    use diesel::{QueryableByName, RunQueryDsl};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = Text)]
        name: String,
    }

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// What one query reads of a database to tell whether a test left it resettable, and what
    /// to reset: both backends answer it in one round trip.
    #[derive(QueryableByName, PartialEq, Eq, Debug)]
    struct State {
        /// The schema's fingerprint (see each backend's `fingerprint_sql`).
        #[diesel(sql_type = Nullable<Text>)]
        fingerprint: Option<String>,
        /// A hash of the rows of the tables the migrations left rows in.
        #[diesel(sql_type = Nullable<Text>)]
        seeded: Option<String>,
        /// The positions (in `Baseline::empty`) of the tables that now hold rows, `,`-separated.
        #[diesel(sql_type = Nullable<Text>)]
        dirty: Option<String>,
        /// Counters (sequences, AUTO_INCREMENT), one `position:value` a counter, `,`-separated.
        #[diesel(sql_type = Nullable<Text>)]
        counters: Option<String>,
    }

    fn db_err(context: impl Into<String>) -> impl FnOnce(diesel::result::Error) -> Error {
        let context = context.into();
        move |e| Error::Database {
            context,
            message: e.to_string(),
        }
    }

    fn connect<C: Connection>(url: &str) -> Result<C> {
        C::establish(url).map_err(|e| Error::Connect {
            url: mask_url(url),
            message: e.to_string(),
        })
    }

    /// What a database at head looks like, read from the first copy of a template: what a used
    /// copy is compared with and reset to.
    pub(super) struct Baseline {
        /// The state query (fingerprint, seeded rows, dirty tables, counters).
        state_sql: String,
        /// The tables with no rows at head, quoted, by their position in `dirty`.
        empty: Vec<String>,
        /// `seeded` of a copy at head.
        seeded: Option<String>,
        /// Each counter at head by position: its quoted name and value.
        counters: Vec<(String, String)>,
        /// Foreign keys between tables, `(referencing, referenced)`, quoted (PostgreSQL: rows
        /// are deleted from referencing tables first).
        references: Vec<(String, String)>,
    }

    /// How a used copy is brought back to head.
    #[derive(Default)]
    struct ResetPlan {
        /// Run in order.
        statements: Vec<String>,
        /// Run instead of the first statement when it fails (PostgreSQL: `TRUNCATE ...
        /// CASCADE` when the deletes meet a cycle of foreign keys).
        fallback: Option<String>,
    }

    /// `tables` ordered so that a table comes before those it references; a cycle is left in
    /// the order given.
    fn referencing_first<'a>(
        tables: &[&'a String],
        references: &[(String, String)],
    ) -> Vec<&'a String> {
        let mut left: Vec<&String> = tables.to_vec();
        let mut order = Vec::new();
        while !left.is_empty() {
            let free: Vec<&String> = left
                .iter()
                .copied()
                .filter(|t| {
                    !references
                        .iter()
                        .any(|(from, to)| to == *t && from != *t && left.contains(&from))
                })
                .collect();
            if free.is_empty() {
                order.append(&mut left);
                break;
            }
            left.retain(|t| !free.contains(t));
            order.extend(free);
        }
        order
    }

    impl Baseline {
        /// The statements that bring a copy in `state` (whose schema and seeded rows are
        /// unchanged) back to head; empty when it is there.
        fn reset_plan(&self, backend: Backend, state: &State) -> Result<ResetPlan> {
            let dirty: Vec<&String> = list(&state.dirty)
                .map(|i| {
                    i.parse::<usize>()
                        .ok()
                        .and_then(|i| self.empty.get(i))
                        .ok_or_else(|| unreadable("dirty tables", &state.dirty))
                })
                .collect::<Result<_>>()?;
            let now: HashMap<&str, &str> = list(&state.counters)
                .filter_map(|c| c.split_once(':'))
                .collect();
            let mut plan = ResetPlan::default();
            let statements = &mut plan.statements;
            match backend {
                Backend::Postgres => {
                    if !dirty.is_empty() {
                        // DELETE, in one transaction, referencing tables first: TRUNCATE
                        // makes new files for each table and for every table that references
                        // it (CASCADE), hundreds along a chain of foreign keys.
                        let deletes: Vec<String> = referencing_first(&dirty, &self.references)
                            .into_iter()
                            .map(|t| format!("DELETE FROM {t}"))
                            .collect();
                        statements.push(deletes.join("; "));
                        // CASCADE reaches the empty tables that reference these; one that was
                        // not empty at head would show in the seeded check that follows.
                        let tables: Vec<&str> = dirty.iter().map(|t| t.as_str()).collect();
                        plan.fallback =
                            Some(format!("TRUNCATE TABLE {} CASCADE", tables.join(", ")));
                    }
                    let mut setval = Vec::new();
                    for (i, (name, head)) in self.counters.iter().enumerate() {
                        if now.get(i.to_string().as_str()) != Some(&head.as_str()) {
                            // `last_value/is_called` as the sequence stood at head.
                            let (last, called) = head
                                .split_once('/')
                                .ok_or_else(|| unreadable("counters", &None))?;
                            setval.push(format!(
                                "setval('{}', {last}, {})",
                                name.replace('\'', "''"),
                                called == "t"
                            ));
                        }
                    }
                    if !setval.is_empty() {
                        statements.push(format!("SELECT {}", setval.join(", ")));
                    }
                }
                _ => {
                    if !dirty.is_empty() {
                        statements.push("SET FOREIGN_KEY_CHECKS = 0".into());
                        for table in &dirty {
                            statements.push(format!("DELETE FROM {table}"));
                        }
                        statements.push("SET FOREIGN_KEY_CHECKS = 1".into());
                    }
                    for (i, (name, head)) in self.counters.iter().enumerate() {
                        if now.get(i.to_string().as_str()) != Some(&head.as_str()) {
                            // Lowered to the first free value, which is `head` once the rows
                            // are gone.
                            statements.push(format!("ALTER TABLE {name} AUTO_INCREMENT = {head}"));
                        }
                    }
                }
            }
            Ok(plan)
        }
    }

    fn list(text: &Option<String>) -> impl Iterator<Item = &str> {
        text.as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
    }

    fn unreadable(what: &str, text: &Option<String>) -> Error {
        Error::Database {
            context: "resetting a test database".into(),
            message: format!("unreadable {what}: {text:?}"),
        }
    }

    /// A template this process has made sure of, and its copies that wait for a test.
    struct Template {
        ready: Ready,
        /// Read from the first copy; `None` until then. A template whose copies cannot be
        /// reset (see `read_baseline`) keeps `Some(None)`, and its copies are dropped.
        baseline: Option<Option<Arc<Baseline>>>,
        idle: Vec<Idle>,
    }

    /// A copy at head that no test holds.
    struct Idle {
        name: String,
        fingerprint: String,
    }

    /// Templates by server URL and checksum.
    static TEMPLATES: Mutex<Option<HashMap<String, Template>>> = Mutex::new(None);

    fn templates() -> std::sync::MutexGuard<'static, Option<HashMap<String, Template>>> {
        TEMPLATES.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What a process keeps of a template: nothing on PostgreSQL (the server copies), the
    /// statements that rebuild it on MySQL.
    #[derive(Clone)]
    enum Ready {
        #[cfg(feature = "postgres")]
        Postgres,
        #[cfg(feature = "mysql")]
        Mysql(Arc<mysql::Copy>),
    }

    /// A copy a test holds, given back (reset, or dropped) with [`give_back`].
    pub(super) struct Lease {
        pub(super) name: String,
        backend: Backend,
        admin_url: String,
        key: String,
        /// The schema's fingerprint when the test got it; `None` when it is not to be reused.
        fingerprint: Option<String>,
    }

    /// A copy of the template of `migrations` at head for one test: one a test gave back and
    /// that was reset, or a new one.
    pub(super) fn lease(
        backend: Backend,
        migrations: &[EmbeddedMigration],
        url: &str,
        sum: &str,
    ) -> Result<Lease> {
        let key = format!("{url}\n{sum}");
        let (ready, baseline) = {
            let mut all = templates();
            let all = all.get_or_insert_with(HashMap::new);
            if !all.contains_key(&key) {
                let ready = prepare(backend, migrations, url, sum)?;
                all.insert(
                    key.clone(),
                    Template {
                        ready,
                        baseline: None,
                        idle: Vec::new(),
                    },
                );
            }
            let template = all.get_mut(&key).expect("inserted above");
            if let Some(idle) = template.idle.pop() {
                return Ok(Lease {
                    name: idle.name,
                    backend,
                    admin_url: url.to_string(),
                    key,
                    fingerprint: Some(idle.fingerprint),
                });
            }
            (template.ready.clone(), template.baseline.clone())
        };
        let name = fresh_name();
        match ready {
            #[cfg(feature = "postgres")]
            Ready::Postgres => postgres::create(url, sum, &name)?,
            #[cfg(feature = "mysql")]
            Ready::Mysql(copy) => mysql::create(url, &copy, &name)?,
        }
        let mut lease = Lease {
            name,
            backend,
            admin_url: url.to_string(),
            key,
            fingerprint: None,
        };
        let db_url = with_database(url, &lease.name);
        let read = (|| -> Result<Option<String>> {
            let baseline = match baseline {
                Some(known) => known,
                None => {
                    let read = read_baseline(backend, &db_url)?;
                    let mut all = templates();
                    if let Some(t) = all.as_mut().and_then(|all| all.get_mut(&lease.key)) {
                        t.baseline = Some(read.clone());
                    }
                    read
                }
            };
            match baseline {
                Some(b) => Ok(read_state(backend, &db_url, &b)?.fingerprint),
                None => Ok(None),
            }
        })();
        match read {
            Ok(fingerprint) => lease.fingerprint = fingerprint,
            Err(e) => {
                let _ = drop_database(backend, url, &lease.name);
                return Err(e);
            }
        }
        Ok(lease)
    }

    /// Ends a test's hold on its copy: reset to head and kept for the next test when only its
    /// rows and counters changed, dropped otherwise (schema or seeded rows changed, or any
    /// error).
    pub(super) fn give_back(lease: &Lease) {
        let baseline = templates()
            .as_ref()
            .and_then(|all| all.get(&lease.key))
            .and_then(|t| t.baseline.clone().flatten());
        let reset = match (&baseline, &lease.fingerprint) {
            (Some(b), Some(fingerprint)) => reset(lease, b, fingerprint).ok().flatten(),
            _ => None,
        };
        match reset {
            Some(fingerprint) => {
                let mut all = templates();
                if let Some(t) = all.as_mut().and_then(|all| all.get_mut(&lease.key)) {
                    t.idle.push(Idle {
                        name: lease.name.clone(),
                        fingerprint,
                    });
                    return;
                }
                drop(all);
                let _ = drop_database(lease.backend, &lease.admin_url, &lease.name);
            }
            None => {
                let _ = drop_database(lease.backend, &lease.admin_url, &lease.name);
            }
        }
    }

    /// Resets a used copy; its fingerprint after the reset, or `None` when it cannot be reused.
    fn reset(lease: &Lease, baseline: &Baseline, fingerprint: &str) -> Result<Option<String>> {
        let db_url = with_database(&lease.admin_url, &lease.name);
        match lease.backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let mut conn: diesel::pg::PgConnection = connect(&db_url)?;
                reset_with(&mut conn, Backend::Postgres, baseline, fingerprint)
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                let mut conn: diesel::mysql::MysqlConnection = connect(&db_url)?;
                reset_with(&mut conn, Backend::Mysql, baseline, fingerprint)
            }
            _ => Ok(None),
        }
    }

    fn reset_with<C>(
        conn: &mut C,
        backend: Backend,
        baseline: &Baseline,
        fingerprint: &str,
    ) -> Result<Option<String>>
    where
        C: Connection + SimpleConnection,
        diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, State>,
        diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Name>,
    {
        end_other_sessions(conn, backend)?;
        let state = state_of(conn, backend, baseline)?;
        if state.fingerprint.as_deref() != Some(fingerprint) || state.seeded != baseline.seeded {
            return Ok(None);
        }
        let plan = baseline.reset_plan(backend, &state)?;
        if plan.statements.is_empty() {
            return Ok(Some(fingerprint.to_string()));
        }
        for (i, sql) in plan.statements.iter().enumerate() {
            match (conn.batch_execute(sql), &plan.fallback) {
                (Ok(()), _) => {}
                (Err(_), Some(fallback)) if i == 0 => conn
                    .batch_execute(fallback)
                    .map_err(db_err(fallback.clone()))?,
                (Err(e), _) => return Err(db_err(sql.clone())(e)),
            }
        }
        // Read again: the database is reused only when it is back where it started (a TRUNCATE
        // rewrites catalog rows on PostgreSQL, so its fingerprint is the one read here).
        let after = state_of(conn, backend, baseline)?;
        let at_head = after.seeded == baseline.seeded
            && after.dirty.as_deref().unwrap_or("").is_empty()
            && baseline.reset_plan(backend, &after)?.statements.is_empty();
        Ok(if at_head { after.fingerprint } else { None })
    }

    fn state_of<C>(conn: &mut C, backend: Backend, baseline: &Baseline) -> Result<State>
    where
        C: Connection + SimpleConnection,
        diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, State>,
    {
        if backend == Backend::Mysql {
            // The fingerprint and the seeded rows are GROUP_CONCATs, cut at 1 MiB by default.
            conn.batch_execute("SET SESSION group_concat_max_len = 4294967295")
                .map_err(db_err("SET group_concat_max_len"))?;
        }
        diesel::sql_query(&baseline.state_sql)
            .get_result(conn)
            .map_err(db_err("reading the state of a test database"))
    }

    /// Ends the sessions the test left open on its database (code under test may hold a pool)
    /// and waits until they are gone, so that nothing changes it while it is checked and reset.
    fn end_other_sessions<C>(conn: &mut C, backend: Backend) -> Result<()>
    where
        C: Connection + SimpleConnection,
        diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Name>,
    {
        let (others, end) = match backend {
            Backend::Postgres => (
                // Clients only: an autovacuum worker changes nothing a test sees.
                "SELECT pid::text AS name FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                 AND backend_type = 'client backend'",
                "SELECT pg_terminate_backend(",
            ),
            _ => (
                "SELECT CAST(ID AS CHAR) AS name FROM information_schema.PROCESSLIST \
                 WHERE DB = DATABASE() AND ID <> CONNECTION_ID()",
                "KILL CONNECTION (",
            ),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut ended = Vec::new();
        loop {
            let sessions: Vec<Name> = diesel::sql_query(others)
                .load(conn)
                .map_err(db_err("listing the sessions of a test database"))?;
            if sessions.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(Error::Database {
                    context: "resetting a test database".into(),
                    message: "sessions of the test did not end".into(),
                });
            }
            for s in sessions {
                if !ended.contains(&s.name) && s.name.bytes().all(|b| b.is_ascii_digit()) {
                    // A session may end by itself meanwhile: errors are for the next listing.
                    let _ = conn.batch_execute(&format!("{end}{})", s.name));
                    ended.push(s.name);
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn read_state(backend: Backend, db_url: &str, baseline: &Baseline) -> Result<State> {
        match backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let mut conn: diesel::pg::PgConnection = connect(db_url)?;
                state_of(&mut conn, backend, baseline)
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                let mut conn: diesel::mysql::MysqlConnection = connect(db_url)?;
                state_of(&mut conn, backend, baseline)
            }
            other => Err(no_support(other)),
        }
    }

    /// Reads from a copy at head what a used one is compared with; `None` when copies of this
    /// template are never reused (MySQL sequences, whose state the reset does not restore).
    fn read_baseline(backend: Backend, db_url: &str) -> Result<Option<Arc<Baseline>>> {
        let baseline = match backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let mut conn: diesel::pg::PgConnection = connect(db_url)?;
                postgres::baseline(&mut conn)?
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                let mut conn: diesel::mysql::MysqlConnection = connect(db_url)?;
                conn.batch_execute("SET SESSION group_concat_max_len = 4294967295")
                    .map_err(db_err("SET group_concat_max_len"))?;
                mysql::baseline(&mut conn)?
            }
            other => return Err(no_support(other)),
        };
        Ok(baseline.map(Arc::new))
    }

    fn no_support(backend: Backend) -> Error {
        Error::DatabaseUrl(format!(
            "this build has no {backend} support; enable the `{}` feature",
            backend.feature()
        ))
    }

    fn prepare(
        backend: Backend,
        migrations: &[EmbeddedMigration],
        url: &str,
        sum: &str,
    ) -> Result<Ready> {
        match backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => postgres::prepare(migrations, url, sum).map(|_| Ready::Postgres),
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                mysql::prepare(migrations, url, sum).map(|copy| Ready::Mysql(Arc::new(copy)))
            }
            other => Err(no_support(other)),
        }
    }

    pub(super) fn drop_database(backend: Backend, admin_url: &str, name: &str) -> Result<()> {
        match backend {
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                let mut conn: diesel::pg::PgConnection = connect(admin_url)?;
                let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                conn.batch_execute(&sql).map_err(db_err(sql))
            }
            #[cfg(feature = "mysql")]
            Backend::Mysql => {
                let mut conn: diesel::mysql::MysqlConnection = connect(admin_url)?;
                let sql = format!("DROP DATABASE IF EXISTS `{name}`");
                conn.batch_execute(&sql).map_err(db_err(sql))
            }
            _ => Ok(()),
        }
    }

    /// The positions of `tables` that hold rows, `,`-separated, in one query (`dual` is what a
    /// `WHERE` without a table reads from on MySQL).
    fn probe_sql(tables: &[String], dual: &str, concat: &str) -> String {
        if tables.is_empty() {
            return "SELECT ''".into();
        }
        let probes: Vec<String> = tables
            .iter()
            .enumerate()
            .map(|(i, t)| format!("SELECT {i} AS i{dual} WHERE EXISTS (SELECT 1 FROM {t})"))
            .collect();
        format!("SELECT {concat} FROM ({}) AS d", probes.join(" UNION ALL "))
    }

    /// Splits `tables` into those with rows at head (by `has_rows`, a probe's answer) and the
    /// others.
    fn split_seeded(tables: Vec<String>, has_rows: &Option<String>) -> (Vec<String>, Vec<String>) {
        let with_rows: Vec<usize> = list(has_rows).filter_map(|i| i.parse().ok()).collect();
        let (mut seeded, mut empty) = (Vec::new(), Vec::new());
        for (i, t) in tables.into_iter().enumerate() {
            if with_rows.contains(&i) {
                seeded.push(t);
            } else {
                empty.push(t);
            }
        }
        (seeded, empty)
    }

    #[derive(QueryableByName)]
    struct Probe {
        #[diesel(sql_type = Nullable<Text>)]
        found: Option<String>,
    }

    #[cfg(feature = "postgres")]
    mod postgres {
        use super::*;
        use diesel::pg::PgConnection;

        /// Makes sure the template exists: under an advisory lock (threads and processes may
        /// race here), built under a temporary name and renamed when complete, so a template
        /// that exists is always whole and nobody connects to it again (a connected session
        /// would make `CREATE DATABASE ... TEMPLATE` fail).
        pub(super) fn prepare(
            migrations: &[EmbeddedMigration],
            url: &str,
            sum: &str,
        ) -> Result<()> {
            let mut conn: PgConnection = connect(url)?;
            let stale: Vec<Name> = diesel::sql_query(format!(
                "SELECT datname AS name FROM pg_database WHERE datname LIKE '{FRESH}%'"
            ))
            .load(&mut conn)
            .map_err(db_err("listing databases"))?;
            for db in stale {
                if dead_owner(&db.name).is_some() {
                    let _ = conn.batch_execute(&format!(
                        "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                        db.name
                    ));
                }
            }
            let template = format!("{TEMPLATE}{sum}");
            let lock = i64::from_str_radix(&sum[..15], 16).unwrap_or(0);
            let sql = format!("SELECT pg_advisory_lock({lock})");
            conn.batch_execute(&sql).map_err(db_err(sql))?;
            let result = (|| {
                let found: Count = diesel::sql_query(format!(
                    "SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{template}'"
                ))
                .get_result(&mut conn)
                .map_err(db_err("looking for the template"))?;
                if found.n > 0 {
                    return Ok(());
                }
                let building = format!("{template}_building");
                // One statement a call: neither runs inside the implicit transaction of a batch.
                for sql in [
                    format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"),
                    format!("CREATE DATABASE \"{building}\""),
                ] {
                    conn.batch_execute(&sql).map_err(db_err(sql))?;
                }
                crate::runner::upgrade_embedded(&with_database(url, &building), migrations)?;
                let sql = format!("ALTER DATABASE \"{building}\" RENAME TO \"{template}\"");
                conn.batch_execute(&sql).map_err(db_err(sql))
            })();
            let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({lock})"));
            result
        }

        pub(super) fn create(url: &str, sum: &str, name: &str) -> Result<()> {
            let mut conn: PgConnection = connect(url)?;
            let sql = format!("CREATE DATABASE \"{name}\" TEMPLATE \"{TEMPLATE}{sum}\"");
            conn.batch_execute(&sql).map_err(db_err(sql))
        }

        /// The schema's fingerprint: each catalog's row count and greatest `xmin`. Every row a
        /// statement inserts or updates carries its transaction's id, newer than those already
        /// there, so any DDL (a table, column, index, grant, comment, function, type...)
        /// changes it; VACUUM and ANALYZE update catalog rows in place and do not. Statistics
        /// and large objects' data are left out: they are not schema.
        fn fingerprint_sql(catalogs: &[String]) -> String {
            let mut parts: Vec<String> = catalogs
                .iter()
                .map(|c| {
                    format!(
                        "SELECT '{c}' AS c, count(*) AS n, coalesce(max(xmin::text::bigint), 0) AS m \
                         FROM pg_catalog.{c}"
                    )
                })
                .collect();
            // The database's own row and settings live in shared catalogs.
            parts.push(
                "SELECT 'pg_database', 1, xmin::text::bigint FROM pg_catalog.pg_database \
                 WHERE datname = current_database()"
                    .into(),
            );
            parts.push(
                "SELECT 'pg_db_role_setting', count(*), coalesce(max(xmin::text::bigint), 0) \
                 FROM pg_catalog.pg_db_role_setting WHERE setdatabase = \
                 (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())"
                    .into(),
            );
            format!(
                "SELECT string_agg(c || ':' || n || ':' || m, ',' ORDER BY c) FROM ({}) AS f",
                parts.join(" UNION ALL ")
            )
        }

        fn names(conn: &mut PgConnection, sql: &str) -> Result<Vec<String>> {
            let rows: Vec<Name> = diesel::sql_query(sql)
                .load(conn)
                .map_err(db_err(sql.to_string()))?;
            Ok(rows.into_iter().map(|r| r.name).collect())
        }

        pub(super) fn baseline(conn: &mut PgConnection) -> Result<Option<Baseline>> {
            let catalogs = names(
                conn,
                "SELECT relname::text AS name FROM pg_catalog.pg_class \
                 WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r' \
                 AND NOT relisshared \
                 AND relname NOT IN ('pg_statistic', 'pg_statistic_ext_data', 'pg_largeobject') \
                 ORDER BY relname",
            )?;
            let user_relations = |kind: &str| {
                format!(
                    "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_catalog.pg_class c \
                     JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
                     WHERE c.relkind = '{kind}' AND n.nspname <> 'information_schema' \
                     AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1"
                )
            };
            let tables = names(conn, &user_relations("r"))?;
            let sequences = names(conn, &user_relations("S"))?;
            let concat = "string_agg(i::text, ',')";
            let probe: Probe = diesel::sql_query(format!(
                "SELECT ({}) AS found",
                probe_sql(&tables, "", concat)
            ))
            .get_result(conn)
            .map_err(db_err("finding the tables with rows at head"))?;
            let (seeded, empty) = split_seeded(tables, &probe.found);
            let seeded_sql = if seeded.is_empty() {
                "SELECT ''".to_string()
            } else {
                let hashes: Vec<String> = seeded
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        format!(
                            "SELECT {i} AS i, (SELECT coalesce(md5(string_agg(x::text, E'\\n' \
                             ORDER BY x::text)), '') FROM {t} AS x) AS h"
                        )
                    })
                    .collect();
                format!(
                    "SELECT md5(string_agg(h, ',' ORDER BY i)) FROM ({}) AS s",
                    hashes.join(" UNION ALL ")
                )
            };
            let counters_sql = if sequences.is_empty() {
                "SELECT ''".to_string()
            } else {
                let reads: Vec<String> = sequences
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("SELECT {i} AS i, last_value, is_called FROM {s}"))
                    .collect();
                format!(
                    "SELECT string_agg(i::text || ':' || last_value || '/' || \
                     CASE WHEN is_called THEN 't' ELSE 'f' END, ',') FROM ({}) AS q",
                    reads.join(" UNION ALL ")
                )
            };
            let state_sql = format!(
                "SELECT ({}) AS fingerprint, ({seeded_sql}) AS seeded, ({}) AS dirty, \
                 ({counters_sql}) AS counters",
                fingerprint_sql(&catalogs),
                probe_sql(&empty, "", concat),
            );
            #[derive(QueryableByName)]
            struct Reference {
                #[diesel(sql_type = Text)]
                referencing: String,
                #[diesel(sql_type = Text)]
                referenced: String,
            }
            let references: Vec<Reference> = diesel::sql_query(
                "SELECT format('%I.%I', fn.nspname, f.relname) AS referencing, \
                 format('%I.%I', tn.nspname, t.relname) AS referenced FROM pg_catalog.pg_constraint k \
                 JOIN pg_catalog.pg_class f ON f.oid = k.conrelid \
                 JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace \
                 JOIN pg_catalog.pg_class t ON t.oid = k.confrelid \
                 JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace WHERE k.contype = 'f'",
            )
            .load(conn)
            .map_err(db_err("reading foreign keys"))?;
            let mut baseline = Baseline {
                state_sql,
                empty,
                seeded: None,
                counters: Vec::new(),
                references: references
                    .into_iter()
                    .map(|r| (r.referencing, r.referenced))
                    .collect(),
            };
            let head = state_of(conn, Backend::Postgres, &baseline)?;
            baseline.seeded = head.seeded;
            let values: HashMap<&str, &str> = list(&head.counters)
                .filter_map(|c| c.split_once(':'))
                .collect();
            for (i, s) in sequences.into_iter().enumerate() {
                let value = values
                    .get(i.to_string().as_str())
                    .ok_or_else(|| unreadable("sequences", &head.counters))?;
                baseline.counters.push((s, value.to_string()));
            }
            Ok(Some(baseline))
        }
    }

    #[cfg(feature = "mysql")]
    pub(super) mod mysql {
        use super::*;
        use diesel::mysql::MysqlConnection;

        /// The schema's fingerprint: a hash of what `information_schema` says of the database,
        /// its tables, columns, indexes, constraints, views, triggers, routines, events and
        /// partitions.
        const FINGERPRINT: &str = "SELECT CAST(SHA2(GROUP_CONCAT(x ORDER BY x SEPARATOR '\\n'), 256) AS CHAR) FROM (\
            SELECT CONCAT_WS('|', 'S', DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME) AS x \
              FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'T', TABLE_NAME, TABLE_TYPE, QUOTE(ENGINE), QUOTE(ROW_FORMAT), \
              QUOTE(TABLE_COLLATION), QUOTE(CREATE_OPTIONS), QUOTE(TABLE_COMMENT)) \
              FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'C', TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, \
              QUOTE(COLUMN_DEFAULT), IS_NULLABLE, COLUMN_TYPE, QUOTE(CHARACTER_SET_NAME), \
              QUOTE(COLLATION_NAME), QUOTE(EXTRA), QUOTE(COLUMN_COMMENT), QUOTE(GENERATION_EXPRESSION)) \
              FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'I', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, QUOTE(COLUMN_NAME), \
              NON_UNIQUE, QUOTE(SUB_PART), QUOTE(COLLATION), QUOTE(INDEX_TYPE), QUOTE(INDEX_COMMENT)) \
              FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'K', TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE) \
              FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'U', TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, \
              QUOTE(REFERENCED_TABLE_SCHEMA), QUOTE(REFERENCED_TABLE_NAME), QUOTE(REFERENCED_COLUMN_NAME)) \
              FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'F', TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE) \
              FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'H', CONSTRAINT_NAME, QUOTE(CHECK_CLAUSE)) \
              FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'V', TABLE_NAME, QUOTE(VIEW_DEFINITION), CHECK_OPTION, SECURITY_TYPE) \
              FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'G', TRIGGER_NAME, EVENT_OBJECT_TABLE, QUOTE(ACTION_STATEMENT)) \
              FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'R', ROUTINE_NAME, ROUTINE_TYPE, QUOTE(ROUTINE_DEFINITION)) \
              FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'E', EVENT_NAME, QUOTE(EVENT_DEFINITION)) \
              FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() \
            UNION ALL SELECT CONCAT_WS('|', 'P', TABLE_NAME, PARTITION_NAME, QUOTE(SUBPARTITION_NAME), \
              QUOTE(PARTITION_METHOD), QUOTE(PARTITION_EXPRESSION), QUOTE(PARTITION_DESCRIPTION)) \
              FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() AND PARTITION_NAME IS NOT NULL\
            ) AS f";

        fn names(conn: &mut MysqlConnection, sql: &str) -> Result<Vec<String>> {
            let rows: Vec<Name> = diesel::sql_query(sql)
                .load(conn)
                .map_err(db_err(sql.to_string()))?;
            Ok(rows.into_iter().map(|r| r.name).collect())
        }

        fn quote(name: &str) -> String {
            format!("`{}`", name.replace('`', "``"))
        }

        pub(super) fn baseline(conn: &mut MysqlConnection) -> Result<Option<Baseline>> {
            let kinds = names(
                conn,
                "SELECT CAST(TABLE_TYPE AS CHAR) AS name FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'SEQUENCE'",
            )?;
            if !kinds.is_empty() {
                // A sequence's state is a row the reset would have to restore: copies of a
                // schema with sequences are dropped after each test instead.
                return Ok(None);
            }
            let raw = names(
                conn,
                "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.TABLES \
                 WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
            )?;
            let tables: Vec<String> = raw.iter().map(|t| quote(t)).collect();
            let concat = "CAST(GROUP_CONCAT(i) AS CHAR)";
            let probe: Probe = diesel::sql_query(format!(
                "SELECT ({}) AS found",
                probe_sql(&tables, " FROM DUAL", concat)
            ))
            .get_result(conn)
            .map_err(db_err("finding the tables with rows at head"))?;
            let (seeded, empty) = split_seeded(tables, &probe.found);
            let mut hashes = Vec::new();
            for t in &seeded {
                let bare = t[1..t.len() - 1].replace("``", "`").replace('\'', "''");
                let columns = names(
                    conn,
                    &format!(
                        "SELECT CAST(GROUP_CONCAT(CONCAT('QUOTE(`', REPLACE(COLUMN_NAME, '`', '``'), '`)') \
                         ORDER BY ORDINAL_POSITION SEPARATOR ', ') AS CHAR) AS name \
                         FROM information_schema.COLUMNS \
                         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{bare}'"
                    ),
                )?;
                let columns = columns.into_iter().next().unwrap_or_default();
                hashes.push(format!(
                    "(SELECT IFNULL(SHA2(GROUP_CONCAT(r ORDER BY r SEPARATOR 0x1e), 256), '-') \
                     FROM (SELECT CONCAT_WS(0x1f, {columns}) AS r FROM {t}) AS x)"
                ));
            }
            let seeded_sql = if hashes.is_empty() {
                "SELECT ''".to_string()
            } else {
                format!(
                    "SELECT CAST(SHA2(CONCAT_WS(',', {}), 256) AS CHAR)",
                    hashes.join(", ")
                )
            };
            #[derive(QueryableByName)]
            struct Increment {
                #[diesel(sql_type = Text)]
                name: String,
                #[diesel(sql_type = Text)]
                value: String,
            }
            let increments: Vec<Increment> = diesel::sql_query(
                "SELECT CAST(TABLE_NAME AS CHAR) AS name, CAST(AUTO_INCREMENT AS CHAR) AS value \
                 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
                 AND TABLE_TYPE = 'BASE TABLE' AND AUTO_INCREMENT IS NOT NULL ORDER BY TABLE_NAME",
            )
            .load(conn)
            .map_err(db_err("reading AUTO_INCREMENT"))?;
            let counters_sql = if increments.is_empty() {
                "SELECT ''".to_string()
            } else {
                let names: Vec<String> = increments
                    .iter()
                    .map(|i| format!("'{}'", i.name.replace('\'', "''")))
                    .collect();
                let field = format!("FIELD(TABLE_NAME, {})", names.join(", "));
                format!(
                    "SELECT CAST(GROUP_CONCAT(CONCAT({field} - 1, ':', AUTO_INCREMENT)) AS CHAR) \
                     FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
                     AND AUTO_INCREMENT IS NOT NULL AND {field} > 0"
                )
            };
            let state_sql = format!(
                "SELECT ({FINGERPRINT}) AS fingerprint, ({seeded_sql}) AS seeded, ({}) AS dirty, \
                 ({counters_sql}) AS counters",
                probe_sql(&empty, " FROM DUAL", concat),
            );
            let mut baseline = Baseline {
                state_sql,
                empty,
                seeded: None,
                counters: increments
                    .into_iter()
                    .map(|i| (quote(&i.name), i.value))
                    .collect(),
                // Deleted with foreign key checks off: the order does not matter.
                references: Vec::new(),
            };
            baseline.seeded = state_of(conn, Backend::Mysql, &baseline)?.seeded;
            Ok(Some(baseline))
        }
        /// The statements that rebuild the template in another database, read once per process.
        pub(crate) struct Copy {
            /// `CREATE TABLE` and `CREATE VIEW` statements, unqualified, in an order that works
            /// with foreign key checks off (tables, then views in dependency-free order).
            ddl: Vec<String>,
            /// `INSERT ... SELECT` of the rows the migrations left (the history, data steps),
            /// with `{db}` for the new database.
            rows: Vec<String>,
        }

        #[derive(QueryableByName)]
        struct TableRow {
            #[diesel(sql_type = Text)]
            name: String,
            #[diesel(sql_type = Text)]
            kind: String,
        }

        #[derive(QueryableByName)]
        struct CreateTable {
            #[diesel(sql_type = Text, column_name = "Create Table")]
            create: String,
        }

        #[derive(QueryableByName)]
        struct CreateView {
            #[diesel(sql_type = Text, column_name = "Create View")]
            create: String,
        }

        pub(super) fn prepare(
            migrations: &[EmbeddedMigration],
            url: &str,
            sum: &str,
        ) -> Result<Copy> {
            let mut conn: MysqlConnection = connect(url)?;
            let stale: Vec<Name> = diesel::sql_query(format!(
                "SELECT CAST(SCHEMA_NAME AS CHAR) AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '{FRESH}%'"
            ))
            .load(&mut conn)
            .map_err(db_err("listing databases"))?;
            for db in stale {
                if dead_owner(&db.name).is_some() {
                    let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{}`", db.name));
                }
            }
            let template = format!("{TEMPLATE}{sum}");
            let lock = format!("SELECT GET_LOCK('{template}', 600)");
            conn.batch_execute(&lock).map_err(db_err(lock))?;
            let result = (|| {
                // The runner applies only what is pending: a no-op on a finished template. One
                // left half-done by a killed process is rebuilt.
                let sql = format!("CREATE DATABASE IF NOT EXISTS `{template}`");
                conn.batch_execute(&sql).map_err(db_err(sql))?;
                let tpl_url = with_database(url, &template);
                if crate::runner::upgrade_embedded(&tpl_url, migrations).is_err() {
                    let sql = format!(
                        "DROP DATABASE IF EXISTS `{template}`; CREATE DATABASE `{template}`"
                    );
                    conn.batch_execute(&sql).map_err(db_err(sql))?;
                    crate::runner::upgrade_embedded(&tpl_url, migrations)?;
                }
                read_copy(&mut conn, &template)
            })();
            let _ = conn.batch_execute(&format!("SELECT RELEASE_LOCK('{template}')"));
            result
        }

        fn read_copy(conn: &mut MysqlConnection, template: &str) -> Result<Copy> {
            let others: Count = diesel::sql_query(format!(
                "SELECT (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '{template}') \
                 + (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '{template}') \
                 + (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '{template}') AS n"
            ))
            .get_result(conn)
            .map_err(db_err("counting routines, triggers and events"))?;
            if others.n > 0 {
                // Refused rather than copied partly: a test would run without them.
                return Err(Error::Database {
                    context: format!("copying the template {template}"),
                    message: "fresh databases on MySQL copy tables and views; this schema has routines, triggers or events".into(),
                });
            }
            let tables: Vec<TableRow> = diesel::sql_query(format!(
                "SELECT CAST(TABLE_NAME AS CHAR) AS name, CAST(TABLE_TYPE AS CHAR) AS kind FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{template}' ORDER BY TABLE_NAME"
            ))
            .load(conn)
            .map_err(db_err("listing the template's tables"))?;
            let mut ddl = Vec::new();
            let mut views = Vec::new();
            let mut rows = Vec::new();
            for t in &tables {
                let qualified = format!("`{template}`.`{}`", t.name);
                if t.kind == "VIEW" {
                    let v: CreateView = diesel::sql_query(format!("SHOW CREATE VIEW {qualified}"))
                        .get_result(conn)
                        .map_err(db_err(format!("SHOW CREATE VIEW {qualified}")))?;
                    views.push(v.create.replace(&format!("`{template}`."), ""));
                    continue;
                }
                let c: CreateTable = diesel::sql_query(format!("SHOW CREATE TABLE {qualified}"))
                    .get_result(conn)
                    .map_err(db_err(format!("SHOW CREATE TABLE {qualified}")))?;
                ddl.push(c.create);
                let has_rows: Count = diesel::sql_query(format!(
                    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {qualified} LIMIT 1) AS x"
                ))
                .get_result(conn)
                .map_err(db_err(format!("reading {qualified}")))?;
                if has_rows.n > 0 {
                    let columns: Vec<Name> = diesel::sql_query(format!(
                        "SELECT CAST(COLUMN_NAME AS CHAR) AS name FROM information_schema.COLUMNS \
                         WHERE TABLE_SCHEMA = '{template}' AND TABLE_NAME = '{}' \
                         AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
                        t.name
                    ))
                    .load(conn)
                    .map_err(db_err(format!("reading the columns of {qualified}")))?;
                    let list = columns
                        .iter()
                        .map(|c| format!("`{}`", c.name))
                        .collect::<Vec<_>>()
                        .join(", ");
                    rows.push(format!(
                        "INSERT INTO `{{db}}`.`{}` ({list}) SELECT {list} FROM {qualified}",
                        t.name
                    ));
                }
            }
            // Views on views: the order of creation matters; a view is created after the ones
            // it names (a simple fixed point over the texts).
            let mut remaining = views;
            while !remaining.is_empty() {
                let before = remaining.len();
                let names: Vec<String> = remaining.iter().filter_map(|v| view_name(v)).collect();
                let (ready, wait): (Vec<String>, Vec<String>) =
                    remaining.into_iter().partition(|v| {
                        let own = view_name(v).unwrap_or_default();
                        !names
                            .iter()
                            .any(|n| *n != own && v.contains(&format!("`{n}`")))
                    });
                ddl.extend(ready);
                remaining = wait;
                if remaining.len() == before {
                    ddl.append(&mut remaining);
                }
            }
            Ok(Copy { ddl, rows })
        }

        /// The name a `CREATE ... VIEW `name` AS` statement creates.
        fn view_name(create: &str) -> Option<String> {
            let at = create.find(" VIEW `")? + " VIEW `".len();
            let rest = &create[at..];
            Some(rest[..rest.find('`')?].to_string())
        }

        pub(super) fn create(url: &str, copy: &Copy, name: &str) -> Result<()> {
            let mut conn: MysqlConnection = connect(url)?;
            // One round trip: the statements as one batch, foreign key checks off so tables
            // may reference tables created after them.
            let mut batch =
                format!("CREATE DATABASE `{name}`; USE `{name}`; SET FOREIGN_KEY_CHECKS = 0;\n");
            for statement in &copy.ddl {
                batch.push_str(statement);
                batch.push_str(";\n");
            }
            for statement in &copy.rows {
                batch.push_str(&statement.replace("{db}", name));
                batch.push_str(";\n");
            }
            batch.push_str("SET FOREIGN_KEY_CHECKS = 1");
            let result = conn
                .batch_execute(&batch)
                .map_err(db_err(format!("copying the template into {name}")));
            if result.is_err() {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS `{name}`"));
            }
            result
        }
    }
}

#[cfg(not(any(feature = "postgres", feature = "mysql")))]
mod server {
    use super::*;

    /// Never made: a build without the server backends refuses their URLs.
    pub(super) struct Lease {
        pub(super) name: String,
    }

    pub(super) fn lease(
        backend: Backend,
        _: &[EmbeddedMigration],
        _: &str,
        _: &str,
    ) -> Result<Lease> {
        Err(Error::DatabaseUrl(format!(
            "this build has no {backend} support; enable the `{}` feature",
            backend.feature()
        )))
    }

    pub(super) fn give_back(_: &Lease) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("mysql://root@h", "x"), "mysql://root@h/x");
    }

    #[test]
    fn names_of_this_process_are_never_stale() {
        assert_eq!(dead_owner(&fresh_name()), None);
        assert_eq!(dead_owner("somebody_else"), None);
    }
}
