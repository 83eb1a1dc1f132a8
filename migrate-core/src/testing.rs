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
//! on MySQL. The copy is dropped with the guard, also when the test panics. Names carry a hash of
//! the host name and the process id, so a later run on the same machine drops the copies of
//! processes that were killed.

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
    Server { admin_url: String, name: String },
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
            Place::Server { name, .. } => name.clone(),
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
            Place::Server { admin_url, name } => {
                let _ = drop_server_database(C::BACKEND, admin_url, name);
            }
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
    let name = fresh_name();
    let (db_url, place) = match backend {
        Backend::Sqlite => {
            let template = sqlite_template(migrations, &sum)?;
            let path = std::env::temp_dir().join(format!("{name}.sqlite3"));
            std::fs::copy(&template, &path).map_err(|e| Error::Io {
                path: path.clone(),
                source: e,
            })?;
            (path.display().to_string(), Place::File(path))
        }
        Backend::Postgres | Backend::Mysql => {
            server::create(backend, migrations, url, &sum, &name)?;
            (
                with_database(url, &name),
                Place::Server {
                    admin_url: url.to_string(),
                    name,
                },
            )
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

fn drop_server_database(backend: Backend, admin_url: &str, name: &str) -> Result<()> {
    server::drop_database(backend, admin_url, name)
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
mod server {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{BigInt, Text};
    use diesel::{QueryableByName, RunQueryDsl};

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

    /// Templates this process has made sure of, by server URL and checksum.
    static READY: Mutex<Option<HashMap<String, Ready>>> = Mutex::new(None);

    /// What a process keeps of a template: nothing on PostgreSQL (the server copies), the
    /// statements that rebuild it on MySQL.
    #[derive(Clone)]
    pub(super) enum Ready {
        #[cfg(feature = "postgres")]
        Postgres,
        #[cfg(feature = "mysql")]
        Mysql(std::sync::Arc<mysql::Copy>),
    }

    pub(super) fn create(
        backend: Backend,
        migrations: &[EmbeddedMigration],
        url: &str,
        sum: &str,
        name: &str,
    ) -> Result<()> {
        let key = format!("{url}\n{sum}");
        let ready = {
            let mut all = READY.lock().unwrap_or_else(|e| e.into_inner());
            let all = all.get_or_insert_with(HashMap::new);
            match all.get(&key) {
                Some(ready) => ready.clone(),
                None => {
                    let ready = prepare(backend, migrations, url, sum)?;
                    all.insert(key, ready.clone());
                    ready
                }
            }
        };
        match ready {
            #[cfg(feature = "postgres")]
            Ready::Postgres => postgres::create(url, sum, name),
            #[cfg(feature = "mysql")]
            Ready::Mysql(copy) => mysql::create(url, &copy, name),
        }
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
            Backend::Mysql => mysql::prepare(migrations, url, sum)
                .map(|copy| Ready::Mysql(std::sync::Arc::new(copy))),
            other => Err(Error::DatabaseUrl(format!(
                "this build has no {other} support; enable the `{}` feature",
                other.feature()
            ))),
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
    }

    #[cfg(feature = "mysql")]
    pub(super) mod mysql {
        use super::*;
        use diesel::mysql::MysqlConnection;

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

    pub(super) fn create(
        backend: Backend,
        _: &[EmbeddedMigration],
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<()> {
        Err(Error::DatabaseUrl(format!(
            "this build has no {backend} support; enable the `{}` feature",
            backend.feature()
        )))
    }

    pub(super) fn drop_database(_: Backend, _: &str, _: &str) -> Result<()> {
        Ok(())
    }
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
