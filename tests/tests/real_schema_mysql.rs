//! The real-schema scenarios (`real_schema_scenarios`) on MariaDB, and a database written in
//! plain SQL the way real MySQL schemas are, read back and created again exactly.
//!
//! Each scenario's `before` is created in a database of its own, `up` applied, and the server
//! read back: it must be `after` exactly (names, kinds, orders, keys, `ON UPDATE`, character
//! sets, collations, comments, types), a second diff plans nothing, `down` gives `before`
//! back and `up` runs again; rows seeded in `before` are all there after each step. The texts the server rewrites (check and generated expressions) are compared through
//! the server: `after` is created in a second database and read back, and both must agree.

use migrate_core::dialect::{render_placed, Backend, Placement};
use migrate_core::diff::diff;
use migrate_core::migration::Operation;
use migrate_core::schema::{
    DefaultValue, FkAction, ForeignKey, Index, IndexColumn, Schema, SqlType, Table, TableOptions,
};
use migrate_tests::catalogue::real_schema_scenarios;
use migrate_tests::scenario::{by_column_name, Data, Scenario};
use migrate_tests::server_rows::{empty, row_counts, seed};
use migrate_tests::{ServerDb, MYSQL_URL};

fn live(db: &ServerDb) -> Schema {
    let mut schema = db.inspect();
    schema.objects.clear();
    schema
}

/// `live` with the enum names and unique forms of `expected` where MySQL cannot tell them.
fn aligned(mut live: Schema, expected: &Schema) -> Schema {
    migrate_core::introspect::align(&mut live, expected, Backend::Mysql);
    live
}

/// Without the texts the server rewrites: check and generated expressions, which are compared
/// through the server instead. MySQL reads `RESTRICT` as the `NO ACTION` it is there.
fn without_server_texts(mut schema: Schema) -> Schema {
    for table in &mut schema.tables {
        for check in &mut table.checks {
            check.expr.clear();
        }
        for column in &mut table.columns {
            if let Some(generated) = &mut column.generated {
                generated.expr.clear();
            }
        }
        for fk in &mut table.foreign_keys {
            for action in [&mut fk.on_delete, &mut fk.on_update] {
                if *action == FkAction::Restrict {
                    *action = FkAction::NoAction;
                }
            }
        }
    }
    by_column_name(schema)
}

fn apply(db: &ServerDb, start: &Schema, ops: &[Operation], what: &str) -> Result<Schema, String> {
    let dialect = Backend::Mysql.dialect();
    let (statements, end) =
        render_placed(dialect.as_ref(), start, ops, true).map_err(|e| format!("{what}: {e}"))?;
    for placement in [
        Placement::BeforeTransaction,
        Placement::InTransaction,
        Placement::AfterTransaction,
    ] {
        let script: String = statements
            .iter()
            .filter(|s| s.placement == placement)
            .map(|s| format!("{};\n", s.sql))
            .collect();
        if !script.is_empty() {
            run_sql(db, &script).map_err(|e| format!("{what}: {e}"))?;
        }
    }
    Ok(end)
}

/// Runs a script, the client's failure as an error instead of a panic.
fn run_sql(db: &ServerDb, script: &str) -> Result<String, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| db.sql(script))).map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "the client failed".into())
    })
}

/// A fresh database holding `schema`, created by the tool, and how the server reads it back.
fn created(schema: &Schema, what: &str) -> Result<(ServerDb, Schema), String> {
    let db = ServerDb::create("mysql", MYSQL_URL, what).unwrap();
    let create = diff(&Schema::default(), schema).map_err(|e| format!("{what}: {e}"))?;
    apply(&db, &Schema::default(), &create.up, what)?;
    let read = live(&db);
    Ok((db, read))
}

/// `schema` with its table options written as the server reads them: an engine, character set
/// or collation equal to the default it would have without one is that default (`None`), since
/// MySQL keeps no difference between the two.
fn as_defaults_read(db: &ServerDb, mut schema: Schema) -> Schema {
    let row = db.sql(
        "SELECT @@default_storage_engine, DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME \
         FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()",
    );
    let fields: Vec<&str> = row.trim().split('\t').collect();
    let (engine, charset, collation) = (fields[0], fields[1], fields[2]);
    let collation_of = |cs: &str| {
        db.sql(&format!(
            "SELECT DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS WHERE CHARACTER_SET_NAME = '{cs}'"
        ))
        .trim()
        .to_string()
    };
    for table in &mut schema.tables {
        let o = &mut table.options;
        if o.engine
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case(engine))
        {
            o.engine = None;
        }
        if o.charset.as_deref() == Some(charset) {
            o.charset = None;
        }
        let default_collation = match &o.charset {
            Some(cs) => collation_of(cs),
            None => collation.to_string(),
        };
        if o.collation.as_deref() == Some(default_collation.as_str()) {
            o.collation = None;
        }
    }
    schema
}

/// `live` is `expected`: exactly but for the server's texts, and through the server.
fn check_equal(db: &ServerDb, live: &Schema, expected: &Schema, what: &str) -> Result<(), String> {
    let expected = &as_defaults_read(db, expected.clone());
    let live = aligned(live.clone(), expected);
    let (l, e) = (
        without_server_texts(live.clone()),
        without_server_texts(expected.clone()),
    );
    if l != e {
        return Err(format!(
            "{what}: read back differs\n  live:     {:?}\n  expected: {:?}",
            l.tables, e.tables
        ));
    }
    let (_reference_db, reference) = created(expected, &format!("{what} (reference)"))?;
    let reference = aligned(reference, expected);
    if by_column_name(live.clone()) != by_column_name(reference.clone()) {
        return Err(format!(
            "{what}: differs from the same schema created fresh\n  live:      {:?}\n  reference: {:?}",
            live.tables, reference.tables
        ));
    }
    Ok(())
}

fn round_trip(scenario: &Scenario) -> Result<(), String> {
    let name = scenario.name;
    let plan = scenario.plan();
    let db = ServerDb::create("mysql", MYSQL_URL, name).unwrap();
    let create = diff(&Schema::default(), &scenario.before).map_err(|e| e.to_string())?;
    apply(
        &db,
        &Schema::default(),
        &create.up,
        &format!("{name} before"),
    )?;
    seed_rows(&db, scenario)?;
    let rows = row_counts(&db, Backend::Mysql, &scenario.before, &scenario.after);
    let end = apply(&db, &scenario.before, &plan.up, &format!("{name} up"))?;
    same_rows(&db, scenario, &rows, "after up")?;
    let after = live(&db);
    check_equal(&db, &after, &scenario.after, &format!("{name}: after up"))?;
    let expected = as_defaults_read(&db, scenario.after.clone());
    let again = diff(
        &without_server_texts(aligned(after, &expected)),
        &without_server_texts(expected),
    )
    .map_err(|e| format!("{name}: second diff: {e}"))?;
    if !again.is_empty() {
        return Err(format!("{name}: a second diff plans {:?}", again.up));
    }
    if scenario.data == Data::Lost {
        empty(&db, Backend::Mysql, &scenario.after);
    }
    apply(&db, &end, &plan.down, &format!("{name} down"))?;
    check_equal(
        &db,
        &live(&db),
        &scenario.before,
        &format!("{name}: after down"),
    )?;
    if scenario.data != Data::Lost {
        same_rows(&db, scenario, &rows, "after down")?;
    }
    apply(&db, &scenario.before, &plan.up, &format!("{name} up again"))?;
    check_equal(
        &db,
        &live(&db),
        &scenario.after,
        &format!("{name}: after up again"),
    )?;
    if scenario.data != Data::Lost {
        same_rows(&db, scenario, &rows, "after up again")?;
    }
    Ok(())
}

/// The scenario's rows in its `before` tables, the seeding's failure as an error.
fn seed_rows(db: &ServerDb, scenario: &Scenario) -> Result<(), String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        seed(
            db,
            Backend::Mysql,
            &scenario.before,
            scenario.rows,
            scenario.nulls,
        )
    }))
    .map_err(|e| {
        let message = e
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_else(|| "the client failed".into());
        format!("{}: seeding: {message}", scenario.name)
    })
}

/// Every table `up` keeps still holds the rows seeded in it.
fn same_rows(
    db: &ServerDb,
    scenario: &Scenario,
    seeded: &[(String, usize)],
    when: &str,
) -> Result<(), String> {
    let now = row_counts(db, Backend::Mysql, &scenario.before, &scenario.after);
    if now != seeded {
        return Err(format!(
            "{}: rows {when}: {now:?}, seeded {seeded:?}",
            scenario.name
        ));
    }
    Ok(())
}

#[test]
fn real_schema_scenarios_round_trip_on_mariadb() {
    if ServerDb::create("mysql", MYSQL_URL, "real_schema").is_none() {
        return;
    }
    let only = std::env::var("SCENARIO").ok();
    let scenarios: Vec<Scenario> = real_schema_scenarios()
        .into_iter()
        .filter(|s| s.runs_on(Backend::Mysql))
        .filter(|s| only.as_deref().is_none_or(|o| s.name.contains(o)))
        .collect();
    let failures: Vec<String> = scenarios
        .iter()
        .filter_map(|s| round_trip(s).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n\n")
    );
    eprintln!("{} scenarios round-tripped on MariaDB", scenarios.len());
}

/// Tables in the style of the public sakila sample, written by hand as a real project has them.
const SAKILA_STYLE: &str = r#"
CREATE TABLE language (
  language_id TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,
  name CHAR(20) NOT NULL,
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (language_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE film (
  film_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  title VARCHAR(128) NOT NULL,
  description TEXT DEFAULT NULL COMMENT 'What the film is about',
  release_year YEAR DEFAULT NULL,
  language_id TINYINT UNSIGNED NOT NULL,
  rental_duration TINYINT UNSIGNED NOT NULL DEFAULT 3,
  rental_rate DECIMAL(4,2) NOT NULL DEFAULT 4.99,
  length SMALLINT UNSIGNED DEFAULT NULL,
  rating ENUM('G','PG','PG-13','R','NC-17') DEFAULT 'G',
  special_features SET('Trailers','Commentaries','Deleted Scenes','Behind the Scenes') DEFAULT NULL,
  code VARCHAR(16) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin DEFAULT NULL,
  flags BIT(4) NOT NULL DEFAULT b'0000',
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (film_id),
  KEY idx_title (title),
  KEY idx_fk_language_id (language_id),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Films for rent';

CREATE TABLE film_text (
  film_id SMALLINT UNSIGNED NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  PRIMARY KEY (film_id),
  FULLTEXT KEY idx_title_description (title, description)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE customer (
  customer_id SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  store_id TINYINT UNSIGNED NOT NULL,
  first_name VARCHAR(45) NOT NULL,
  last_name VARCHAR(45) NOT NULL,
  email VARCHAR(50) DEFAULT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  create_date DATETIME NOT NULL,
  last_update TIMESTAMP(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  full_name VARCHAR(91) AS (CONCAT(first_name, ' ', last_name)) VIRTUAL,
  PRIMARY KEY (customer_id),
  UNIQUE KEY uk_email (email),
  KEY idx_last_name (last_name(10), first_name DESC),
  CONSTRAINT chk_store CHECK (store_id > 0)
) ENGINE=InnoDB DEFAULT CHARSET=latin1 COMMENT='People who rent';

CREATE TABLE rental (
  rental_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  rental_date DATETIME NOT NULL,
  customer_id SMALLINT UNSIGNED NOT NULL,
  film_id SMALLINT UNSIGNED NOT NULL,
  amount DECIMAL(5,2) NOT NULL DEFAULT '0.00',
  last_update TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (rental_id),
  UNIQUE KEY rental_date (rental_date, film_id, customer_id),
  CONSTRAINT fk_rental_customer FOREIGN KEY (customer_id) REFERENCES customer (customer_id) ON UPDATE CASCADE,
  CONSTRAINT fk_rental_film FOREIGN KEY (film_id) REFERENCES film (film_id) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE payment_log (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  rental_id INT UNSIGNED NOT NULL,
  note MEDIUMTEXT,
  raw LONGBLOB,
  digest BINARY(16),
  at TIME(3),
  PRIMARY KEY (rental_id, id),
  KEY id (id)
) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
"#;

#[test]
fn sakila_style_database_reads_back_and_reproduces_exactly() {
    let Some(original) = ServerDb::create("mysql", MYSQL_URL, "sakila_style") else {
        return;
    };
    original.sql(SAKILA_STYLE);
    let found = live(&original);

    // What the hand-written SQL holds, read exactly.
    let film = found.table("film").unwrap();
    let col = |t: &Table, c: &str| t.column(c).unwrap().clone();
    assert!(col(film, "film_id").auto_increment);
    assert_eq!(
        col(film, "film_id").ty,
        SqlType::unsigned(SqlType::SmallInt)
    );
    assert_eq!(
        col(film, "last_update").on_update.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    assert_eq!(
        col(film, "last_update").ty,
        SqlType::TimestampTzPrecision(0)
    );
    assert_eq!(
        col(film, "special_features").ty,
        SqlType::set(&[
            "Trailers",
            "Commentaries",
            "Deleted Scenes",
            "Behind the Scenes"
        ])
    );
    assert_eq!(col(film, "code").charset.as_deref(), Some("utf8mb3"));
    assert_eq!(col(film, "code").collation.as_deref(), Some("utf8mb3_bin"));
    assert_eq!(col(film, "title").charset, None);
    assert_eq!(
        col(film, "description").comment.as_deref(),
        Some("What the film is about")
    );
    assert_eq!(col(film, "release_year").ty, SqlType::Year);
    assert_eq!(col(film, "flags").ty, SqlType::Bit(4));
    assert_eq!(
        col(film, "rental_rate").default,
        Some(DefaultValue::Float("4.99".into()))
    );
    assert_eq!(
        col(film, "rental_duration").default,
        Some(DefaultValue::Int(3))
    );
    assert_eq!(film.options.comment.as_deref(), Some("Films for rent"));
    assert_eq!(
        film.foreign_keys,
        vec![ForeignKey {
            name: "fk_film_language".into(),
            columns: vec!["language_id".into()],
            ref_table: "language".into(),
            ref_columns: vec!["language_id".into()],
            on_update: FkAction::Cascade,
            ..ForeignKey::default()
        }]
    );
    assert!(film.index("idx_fk_language_id").is_some());
    let text = found.table("film_text").unwrap();
    assert_eq!(
        text.index("idx_title_description"),
        Some(&Index {
            method: Some("fulltext".into()),
            ..Index::new("idx_title_description", ["title", "description"])
        })
    );
    let customer = found.table("customer").unwrap();
    assert_eq!(
        customer.options,
        TableOptions {
            charset: Some("latin1".into()),
            comment: Some("People who rent".into()),
            ..TableOptions::default()
        }
    );
    assert_eq!(
        customer.index("idx_last_name").unwrap().columns,
        vec![
            IndexColumn::column("last_name").length(10),
            IndexColumn::column("first_name").desc()
        ]
    );
    assert_eq!(col(customer, "active").ty, SqlType::Boolean);
    assert_eq!(
        col(customer, "last_update").ty,
        SqlType::TimestampTzPrecision(3)
    );
    assert_eq!(
        col(customer, "last_update").on_update.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    let generated = col(customer, "full_name").generated.unwrap();
    assert!(!generated.stored && generated.expr.contains("concat"));
    assert_eq!(customer.checks[0].name, "chk_store");
    assert!(customer.index("uk_email").is_some_and(|i| i.unique));
    let rental = found.table("rental").unwrap();
    assert!(col(rental, "rental_id").auto_increment);
    assert_eq!(
        col(rental, "rental_id").ty,
        SqlType::unsigned(SqlType::Integer)
    );
    assert_eq!(
        col(rental, "rental_date").ty,
        SqlType::TimestampPrecision(0)
    );
    assert_eq!(
        col(rental, "amount").default,
        Some(DefaultValue::Float("0.00".into()))
    );
    let log = found.table("payment_log").unwrap();
    assert!(col(log, "id").auto_increment);
    assert_eq!(log.primary_key, ["rental_id", "id"]);
    assert_eq!(log.options.engine.as_deref(), Some("MyISAM"));
    assert_eq!(log.options.collation.as_deref(), Some("utf8mb4_bin"));
    assert_eq!(col(log, "at").ty, SqlType::TimePrecision(3));
    assert_eq!(col(log, "digest").ty, SqlType::FixedBinary(16));
    assert_eq!(
        found
            .tables
            .iter()
            .flat_map(|t| &t.columns)
            .filter(|c| c.auto_increment)
            .count(),
        5
    );

    // Created again from what was read, it reads back the same.
    let (_copy, again) = created(&found, "sakila_style copy").unwrap();
    assert_eq!(
        by_column_name(again),
        by_column_name(found.clone()),
        "the copy differs"
    );
}
