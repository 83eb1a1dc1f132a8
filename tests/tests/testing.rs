//! `migrate_core::testing`: a fresh database at head per test on the three backends, isolated
//! under parallel threads, gone after the guard drops (a panic included), and the DDL helper.

#[cfg(feature = "servers")]
use diesel::mysql::MysqlConnection;
#[cfg(feature = "servers")]
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;
use migrate_core::dialect::Backend;
#[cfg(feature = "servers")]
use migrate_core::testing::database_name_of_process;
use migrate_core::testing::{ddl_at_head, fresh_database, FreshConnection, TestDatabase};
#[cfg(feature = "servers")]
use migrate_tests::{MYSQL_URL, POSTGRES_URL, REQUIRE_SERVERS};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[cfg(feature = "servers")]
fn count<C: Connection<Backend = B>, B>(conn: &mut C, sql: &str) -> i64
where
    B: diesel::backend::Backend,
    Count: QueryableByName<B>,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Count>,
{
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[cfg(feature = "servers")]
/// The admin URL of a server, or None (skipping) when it is not configured.
fn server(variable: &str, test: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) => Some(url),
        Err(_) => {
            assert!(
                std::env::var_os(REQUIRE_SERVERS).is_none(),
                "{variable} is not set but {REQUIRE_SERVERS} is"
            );
            eprintln!("skipped {test}: set {variable}");
            None
        }
    }
}

/// Two threads each get a database at head; what one writes the other does not see.
fn isolated<C>(url: &str)
where
    C: FreshConnection + Send,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Count>,
{
    let names: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|i| {
                s.spawn(move || {
                    let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
                    let applied = diesel::sql_query("SELECT COUNT(*) AS n FROM __migrate_history")
                        .get_result::<Count>(&mut *db)
                        .unwrap()
                        .n;
                    assert_eq!(applied as usize, blog::MIGRATIONS.len(), "at head");
                    for k in 0..=i {
                        db.batch_execute(&format!(
                            "INSERT INTO users (name, email) VALUES ('u{i}', 'u{i}_{k}@example.com')"
                        ))
                        .unwrap();
                    }
                    // Both threads wrote before either reads.
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    let users = diesel::sql_query("SELECT COUNT(*) AS n FROM users")
                        .get_result::<Count>(&mut *db)
                        .unwrap()
                        .n;
                    assert_eq!(users, i + 1, "only its own rows");
                    db.name()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_ne!(names[0], names[1]);
}

fn panicking<C: FreshConnection>(url: &str) -> String {
    let name = std::sync::Mutex::new(String::new());
    let result = std::panic::catch_unwind(|| {
        let db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        *name.lock().unwrap() = db.name();
        panic!("the test fails");
    });
    assert!(result.is_err());
    name.into_inner().unwrap()
}

#[test]
fn sqlite_fresh_databases_are_isolated_and_removed() {
    isolated::<SqliteConnection>("sqlite::memory:");
    let db: TestDatabase<SqliteConnection> =
        fresh_database(blog::MIGRATIONS, "sqlite::memory:").unwrap();
    let path = db.name();
    assert!(std::path::Path::new(&path).exists());
    drop(db);
    assert!(!std::path::Path::new(&path).exists());
    let path = panicking::<SqliteConnection>("sqlite::memory:");
    assert!(!path.is_empty() && !std::path::Path::new(&path).exists());
}

#[cfg(feature = "servers")]
fn pg_exists(admin: &str, name: &str) -> bool {
    let mut conn = PgConnection::establish(admin).unwrap();
    count(
        &mut conn,
        &format!("SELECT COUNT(*) AS n FROM pg_database WHERE datname = '{name}'"),
    ) > 0
}

#[cfg(feature = "servers")]
#[test]
fn postgres_fresh_databases_are_isolated_and_reset() {
    let Some(url) = server(POSTGRES_URL, "postgres fresh databases") else {
        return;
    };
    isolated::<PgConnection>(&url);
    // A URL of its own: the copies it gets back are the ones it gave back.
    let own = format!("{url}?application_name=migrate_reuse_test");
    reused_only_when_back_at_head::<PgConnection>(&own, &|name| pg_exists(&url, name));
}

#[cfg(feature = "servers")]
fn mysql_exists(admin: &str, name: &str) -> bool {
    let mut conn = MysqlConnection::establish(admin).unwrap();
    count(
        &mut conn,
        &format!(
            "SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '{name}'"
        ),
    ) > 0
}

#[cfg(feature = "servers")]
#[test]
fn mysql_fresh_databases_are_isolated_and_reset() {
    let Some(url) = server(MYSQL_URL, "mysql fresh databases") else {
        return;
    };
    isolated::<MysqlConnection>(&url);
    // A URL of its own (another landing database): the copies it gets back are the ones it
    // gave back.
    let own = format!("{}/performance_schema", url.rsplit_once('/').unwrap().0);
    reused_only_when_back_at_head::<MysqlConnection>(&own, &|name| mysql_exists(&url, name));
}

#[cfg(feature = "servers")]
/// The greatest `users.id`, as a BIGINT on either server.
fn last_user_id<C>(db: &mut TestDatabase<C>) -> i64
where
    C: FreshConnection,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Count>,
{
    let sql = match C::BACKEND {
        Backend::Mysql => "SELECT CAST(COALESCE(MAX(id), 0) AS SIGNED) AS n FROM users",
        _ => "SELECT COALESCE(MAX(id), 0)::bigint AS n FROM users",
    };
    diesel::sql_query(sql)
        .get_result::<Count>(&mut **db)
        .unwrap()
        .n
}

#[cfg(feature = "servers")]
fn counted<C>(db: &mut TestDatabase<C>, sql: &str) -> i64
where
    C: FreshConnection,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Count>,
{
    diesel::sql_query(sql)
        .get_result::<Count>(&mut **db)
        .unwrap()
        .n
}

#[cfg(feature = "servers")]
/// A copy a test gave back is handed to the next test only when it is exactly at head again:
/// rows (its own and another session's, committed or not) gone, ids from 1 again, the history
/// as the migrations left it. A copy whose schema or seeded rows the test changed is dropped.
fn reused_only_when_back_at_head<C>(url: &str, exists: &dyn Fn(&str) -> bool)
where
    C: FreshConnection,
    diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Count>,
{
    let user =
        |n: usize| format!("INSERT INTO users (name, email) VALUES ('u', 'u{n}@example.com')");
    let heads = blog::MIGRATIONS.len() as i64;
    let first = {
        // Declared first, dropped last: a session of the test still open (inside a
        // transaction holding rows) when the guard gives the database back.
        let other: C;
        let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        for n in 0..3 {
            db.batch_execute(&user(n)).unwrap();
        }
        let author = last_user_id(&mut db);
        db.batch_execute(&format!(
            "INSERT INTO posts (title, author_id) VALUES ('p', {author})"
        ))
        .unwrap();
        let mut session = C::establish(db.url()).unwrap();
        session.batch_execute(&user(10)).unwrap();
        session.batch_execute("BEGIN").unwrap();
        session.batch_execute(&user(11)).unwrap();
        other = session;
        let _ = &other;
        db.name()
    };
    assert!(
        exists(&first),
        "a copy at head again is kept for the next test"
    );

    {
        let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        assert_eq!(db.name(), first, "the copy given back is reused");
        assert_eq!(counted(&mut db, "SELECT COUNT(*) AS n FROM users"), 0);
        assert_eq!(counted(&mut db, "SELECT COUNT(*) AS n FROM posts"), 0);
        let history = "SELECT COUNT(*) AS n FROM __migrate_history";
        assert_eq!(counted(&mut db, history), heads);
        // Rolled back: no rows left, but the counter moved.
        db.batch_execute("BEGIN").unwrap();
        db.batch_execute(&user(0)).unwrap();
        db.batch_execute("ROLLBACK").unwrap();
    }

    {
        let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        assert_eq!(db.name(), first);
        db.batch_execute(&user(0)).unwrap();
        assert_eq!(last_user_id(&mut db), 1, "ids start from 1 again");
        db.batch_execute("ALTER TABLE users ADD COLUMN nickname VARCHAR(20)")
            .unwrap();
    }
    assert!(!exists(&first), "a copy whose schema changed is dropped");

    let second = {
        let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        assert_ne!(db.name(), first);
        assert!(
            db.batch_execute("SELECT nickname FROM users").is_err(),
            "the column another test added is not there"
        );
        db.batch_execute("DELETE FROM __migrate_history").unwrap();
        db.name()
    };
    assert!(
        !exists(&second),
        "a copy whose seeded rows changed is dropped"
    );

    // An index alone is a schema change too; made by another session of the test.
    let fourth = {
        let db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        let mut session = C::establish(db.url()).unwrap();
        session
            .batch_execute("CREATE INDEX ix_users_name ON users (name)")
            .unwrap();
        db.name()
    };
    assert!(!exists(&fourth), "a copy given an index is dropped");

    // A test that panics gives its copy back too.
    let third = std::sync::Mutex::new(String::new());
    let result = std::panic::catch_unwind(|| {
        let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
        *third.lock().unwrap() = db.name();
        db.batch_execute(&user(0)).unwrap();
        panic!("the test fails");
    });
    assert!(result.is_err());
    let third = third.into_inner().unwrap();
    let mut db: TestDatabase<C> = fresh_database(blog::MIGRATIONS, url).unwrap();
    assert_eq!(db.name(), third);
    assert_eq!(counted(&mut db, "SELECT COUNT(*) AS n FROM users"), 0);
}

#[cfg(feature = "servers")]
#[test]
fn a_fresh_database_is_refused_for_the_wrong_connection_type() {
    let err = fresh_database::<PgConnection>(blog::MIGRATIONS, "sqlite::memory:")
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("asked for a PostgreSQL connection"),
        "{err}"
    );
}

#[test]
fn the_blog_schema_at_head_as_ddl() {
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::Mysql] {
        let ddl = ddl_at_head(blog::MIGRATIONS, backend).unwrap();
        insta::assert_snapshot!(format!("blog_ddl_{backend}"), ddl);
    }
}

#[cfg(feature = "servers")]
/// The id of a process that has just exited.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[cfg(feature = "servers")]
/// A database left by a killed run is dropped by the next process's first fresh database. (Its
/// own URL spelling: the cleanup runs once per process and server URL.)
#[test]
fn stale_databases_of_dead_processes_are_dropped() {
    if let Some(url) = server(POSTGRES_URL, "postgres stale cleanup") {
        let stale = database_name_of_process(dead_pid(), 0);
        let mut admin = PgConnection::establish(&url).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {stale}"))
            .execute(&mut admin)
            .unwrap();
        let other = url.replacen("postgres://", "postgresql://", 1);
        drop(fresh_database::<PgConnection>(blog::MIGRATIONS, &other).unwrap());
        assert!(!pg_exists(&url, &stale), "{stale} is left");
    }
    if let Some(url) = server(MYSQL_URL, "mysql stale cleanup") {
        let stale = database_name_of_process(dead_pid(), 0);
        let mut admin = MysqlConnection::establish(&url).unwrap();
        diesel::sql_query(format!("CREATE DATABASE {stale}"))
            .execute(&mut admin)
            .unwrap();
        let other = url.replacen("mysql://", "mariadb://", 1);
        let other = if MysqlConnection::establish(&other).is_ok() {
            other
        } else {
            format!("{}/information_schema", url.rsplit_once('/').unwrap().0)
        };
        drop(fresh_database::<MysqlConnection>(blog::MIGRATIONS, &other).unwrap());
        assert!(!mysql_exists(&url, &stale), "{stale} is left");
    }
}
