//! Time to hand a test a database at head with `testing::fresh_database`, against applying the
//! migrations in each test, on a schema of 200 tables (10 migrations of 20 tables, each with an
//! index and a foreign key to the table before it).
//!
//! cargo run -p migrate-core --example fresh_database_bench --features testing,postgres,mysql -- \
//!     [sqlite::memory:] [postgres://...] [mysql://...]

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::Connection;
use migrate_core::migration::{Migration, Operation};
use migrate_core::runner::InterpretedModule;
use migrate_core::runner::{upgrade_embedded, EmbeddedMigration};
use migrate_core::testing::{fresh_database, FreshConnection};
use migrate_core::SqlType;

const MIGRATIONS: usize = 10;
const TABLES_EACH: usize = 20;
const RUNS: u32 = 5;

fn operations(step: usize) -> Vec<Operation> {
    let mut m = Migration::new();
    for i in step * TABLES_EACH..(step + 1) * TABLES_EACH {
        let name = format!("t{i:03}");
        m.create_table(&name, |t| {
            t.column("id", SqlType::Integer);
            t.column("name", SqlType::Varchar(100));
            t.column("amount", SqlType::BigInt).nullable();
            t.column("parent_id", SqlType::Integer).nullable();
            t.primary_key(&["id"]);
            t.index(&format!("ix_{name}_name"), &["name"]);
        });
        if i > 0 {
            let parent = format!("t{:03}", i - 1);
            m.add_foreign_key(
                &name,
                &format!("fk_{name}_parent"),
                &["parent_id"],
                &parent,
                &["id"],
            );
        }
    }
    m.into_operations()
}

fn migrations() -> Vec<EmbeddedMigration> {
    (0..MIGRATIONS)
        .map(|step| {
            let up = operations(step);
            let down = up
                .iter()
                .filter_map(|op| match op {
                    Operation::CreateTable(t) => Some(Operation::DropTable(t.name.clone())),
                    _ => None,
                })
                .rev()
                .collect();
            let source = format!("// bench migration {step}");
            let checksum = migrate_core::runner::checksum(&source);
            EmbeddedMigration::interpreted(
                InterpretedModule {
                    revision: format!("bench{step:02}"),
                    revises: if step == 0 {
                        vec![]
                    } else {
                        vec![format!("bench{:02}", step - 1)]
                    },
                    message: format!("tables {step}"),
                    safe_ddl: None,
                    replaces: None,
                    up,
                    down,
                },
                format!("bench{step:02}.rs"),
                source,
                checksum,
            )
        })
        .collect()
}

fn mean(runs: &[Duration]) -> Duration {
    runs.iter().sum::<Duration>() / runs.len() as u32
}

fn bench<C: FreshConnection>(migrations: &[EmbeddedMigration], url: &str) {
    // The first call migrates the template (once per test process).
    let start = Instant::now();
    drop(fresh_database::<C>(migrations, url).expect("fresh database"));
    let first = start.elapsed();
    let fresh: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            drop(fresh_database::<C>(migrations, url).expect("fresh database"));
            start.elapsed()
        })
        .collect();
    let applied: Vec<Duration> = (0..RUNS)
        .map(|n| apply_each_time(migrations, url, n))
        .collect();
    let (f, a) = (mean(&fresh), mean(&applied));
    println!(
        "{}: first call (template) {:.0} ms; fresh_database + drop {:.1} ms; create + apply + drop {:.1} ms; {:.1}x",
        C::BACKEND,
        first.as_secs_f64() * 1e3,
        f.as_secs_f64() * 1e3,
        a.as_secs_f64() * 1e3,
        a.as_secs_f64() / f.as_secs_f64()
    );
}

/// What a test does without the helper: an empty database, every migration applied, dropped.
fn apply_each_time(migrations: &[EmbeddedMigration], url: &str, n: u32) -> Duration {
    let name = format!("bench_apply_{}_{n}", std::process::id());
    let start = Instant::now();
    match migrate_core::dialect::Backend::from_url(url).unwrap() {
        migrate_core::dialect::Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.sqlite3"));
            upgrade_embedded(&path.display().to_string(), migrations).unwrap();
            std::fs::remove_file(path).unwrap();
        }
        migrate_core::dialect::Backend::Postgres => {
            let mut admin = diesel::pg::PgConnection::establish(url).unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            upgrade_embedded(&replace_db(url, &name), migrations).unwrap();
            admin
                .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .unwrap();
        }
        migrate_core::dialect::Backend::Mysql => {
            let mut admin = diesel::mysql::MysqlConnection::establish(url).unwrap();
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            upgrade_embedded(&replace_db(url, &name), migrations).unwrap();
            admin
                .batch_execute(&format!("DROP DATABASE {name}"))
                .unwrap();
        }
    }
    start.elapsed()
}

fn replace_db(url: &str, name: &str) -> String {
    format!("{}/{name}", url.rsplit_once('/').unwrap().0)
}

fn main() {
    let migrations = migrations();
    for url in std::env::args().skip(1) {
        match migrate_core::dialect::Backend::from_url(&url).unwrap() {
            migrate_core::dialect::Backend::Sqlite => {
                bench::<diesel::sqlite::SqliteConnection>(&migrations, &url)
            }
            migrate_core::dialect::Backend::Postgres => {
                bench::<diesel::pg::PgConnection>(&migrations, &url)
            }
            migrate_core::dialect::Backend::Mysql => {
                bench::<diesel::mysql::MysqlConnection>(&migrations, &url)
            }
        }
    }
}
