//! `adopt` of a database that holds every kind of object its backend has, written here in plain
//! SQL: the objects are captured into `sql/`, `verify` and `check` pass right after, and the
//! baseline applied to an empty database gives the same catalogue, compared catalogue by
//! catalogue with the server's own views of it.

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

/// A project with no models yet, as `adopt` finds a Diesel project.
fn bare_project(name: &str) -> Project {
    let project = Project::new(name, "");
    std::fs::remove_file(project.file("src/models.rs")).unwrap();
    project.write("src/lib.rs", "pub mod schema;\n");
    project
}

/// The `left alone:` lines of adopt's output.
fn left_alone(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.trim().strip_prefix("left alone: "))
        .map(str::to_string)
        .collect()
}

/// The catalogue queries whose answers must be the same on the adopted database and on the one
/// the baseline builds; `skip` names what adopt left alone (an index the table vocabulary does
/// not hold yet).
fn postgres_catalogue(skip: &[&str]) -> Vec<(&'static str, String)> {
    let own =
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = {o} AND e.deptype IN ('e', 'i'))";
    let skipped = if skip.is_empty() {
        "''".to_string()
    } else {
        skip.iter()
            .map(|s| format!("'{s}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    vec![
        ("extensions", "SELECT extname, extversion, extnamespace::regnamespace FROM pg_extension ORDER BY 1".to_string()),
        (
            "columns",
            "SELECT c.relname, c.relkind, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
             pg_get_expr(d.adbin, d.adrelid), a.attidentity, col_description(c.oid, a.attnum) \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'c') AND a.attnum > 0 AND NOT a.attisdropped \
             AND c.relname NOT IN ('__migrate_history', '__diesel_schema_migrations') ORDER BY 1, 3"
                .to_string(),
        ),
        (
            "constraints",
            "SELECT conrelid::regclass::text, contypid::regtype::text, conname, pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT IN ('__migrate_history', '__diesel_schema_migrations') ORDER BY 1, 2, 3"
                .to_string(),
        ),
        (
            "indexes",
            format!(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' \
                 AND tablename NOT IN ('__migrate_history', '__diesel_schema_migrations') AND indexname NOT IN ({skipped}) ORDER BY 1, 2"
            ),
        ),
        (
            "functions",
            format!(
                "SELECT p.proname, p.prokind, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid), obj_description(p.oid, 'pg_proc') \
                 FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p') AND {} ORDER BY 1, 3",
                own.replace("{o}", "p.oid")
            ),
        ),
        (
            "aggregates",
            "SELECT p.proname, pg_get_function_identity_arguments(p.oid), a.aggtransfn, a.aggtranstype::regtype, a.aggfinalfn, \
             a.agginitval, obj_description(p.oid, 'pg_proc') FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid \
             WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1, 2"
                .to_string(),
        ),
        (
            "rules",
            "SELECT r.rulename, pg_get_ruledef(r.oid), obj_description(r.oid, 'pg_rewrite') FROM pg_rewrite r \
             JOIN pg_class c ON c.oid = r.ev_class WHERE c.relnamespace = 'public'::regnamespace AND r.rulename <> '_RETURN' ORDER BY 1"
                .to_string(),
        ),
        (
            "views",
            "SELECT relname, relkind, pg_get_viewdef(oid), obj_description(oid, 'pg_class'), reloptions FROM pg_class \
             WHERE relnamespace = 'public'::regnamespace AND relkind IN ('v', 'm') ORDER BY 1"
                .to_string(),
        ),
        ("matviews", "SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = 'public' ORDER BY 1".to_string()),
        (
            "triggers",
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid), tgenabled, obj_description(oid, 'pg_trigger') \
             FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2"
                .to_string(),
        ),
        (
            "sequences",
            "SELECT sequencename, data_type, start_value, increment_by, min_value, max_value, cache_size, cycle \
             FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
                .to_string(),
        ),
        (
            "types",
            format!(
                "SELECT t.typname, t.typtype, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault, obj_description(t.oid, 'pg_type') \
                 FROM pg_type t LEFT JOIN pg_class c ON c.oid = t.typrelid WHERE t.typnamespace = 'public'::regnamespace \
                 AND t.typtype IN ('d', 'c', 'r', 'm', 'e') AND (t.typtype <> 'c' OR c.relkind = 'c') AND {} ORDER BY 1",
                own.replace("{o}", "t.oid")
            ),
        ),
        (
            "ranges",
            "SELECT r.rngtypid::regtype, r.rngsubtype::regtype, r.rngsubdiff FROM pg_range r JOIN pg_type t ON t.oid = r.rngtypid \
             WHERE t.typnamespace = 'public'::regnamespace ORDER BY 1"
                .to_string(),
        ),
        (
            "policies",
            "SELECT tablename, policyname, permissive, roles, cmd, qual, with_check FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2"
                .to_string(),
        ),
        (
            "index comments",
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c \
             WHERE c.relkind = 'i' AND c.relnamespace = 'public'::regnamespace \
             AND obj_description(c.oid, 'pg_class') IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) ORDER BY 1"
                .to_string(),
        ),
        (
            "row security",
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace \
             AND relkind = 'r' AND relname NOT IN ('__migrate_history', '__diesel_schema_migrations') ORDER BY 1"
                .to_string(),
        ),
    ]
}

const PG_FIXTURE: &str = r#"
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE EXTENSION IF NOT EXISTS citext;
CREATE DOMAIN email AS citext CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%');
COMMENT ON DOMAIN email IS 'an address with an at sign';
CREATE TYPE address AS (street text, city text, zip varchar(10));
CREATE TYPE price_range AS RANGE (subtype = numeric);
CREATE SEQUENCE ticket_seq AS integer START 1000 INCREMENT BY 5;
CREATE FUNCTION next_ticket() RETURNS text LANGUAGE sql AS $$ SELECT 'T' || nextval('ticket_seq') $$;
CREATE FUNCTION is_live(active boolean, deleted_at timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE
  AS $$ SELECT active AND deleted_at IS NULL $$;
CREATE TABLE users (
  id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  mail email NOT NULL,
  path ltree NOT NULL,
  home address,
  ticket TEXT NOT NULL DEFAULT next_ticket(),
  active BOOLEAN NOT NULL DEFAULT TRUE,
  deleted_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ
);
CREATE INDEX users_live_path ON users (path) WHERE is_live(active, deleted_at);
COMMENT ON INDEX users_live_path IS 'live users, by path';
COMMENT ON INDEX users_pkey IS 'the key';
CREATE TABLE posts (
  id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  author_id INTEGER NOT NULL,
  title TEXT NOT NULL,
  views INTEGER NOT NULL DEFAULT 0,
  price price_range,
  CONSTRAINT fk_posts_author_id_users FOREIGN KEY (author_id) REFERENCES users (id)
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION touch();
COMMENT ON TRIGGER users_touch ON users IS 'keeps updated_at current';
CREATE TRIGGER posts_quiet AFTER INSERT ON posts FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE posts DISABLE TRIGGER posts_quiet;
CREATE FUNCTION slug(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
CREATE FUNCTION slug(t text, n integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT left(lower(t), n) $$;
COMMENT ON FUNCTION slug(text, integer) IS 'the first n characters';
CREATE PROCEDURE archive_user(uid integer) LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users SET deleted_at = now() WHERE id = uid;
END
$$;
CREATE VIEW live_users AS SELECT id, mail, path FROM users WHERE is_live(active, deleted_at);
COMMENT ON VIEW live_users IS 'users who are live';
COMMENT ON COLUMN live_users.mail IS 'their address';
CREATE VIEW live_user_posts WITH (security_barrier = true) AS
  SELECT p.id, p.title, u.mail FROM posts p JOIN live_users u ON u.id = p.author_id;
CREATE MATERIALIZED VIEW post_counts AS SELECT author_id, count(*) AS n FROM posts GROUP BY author_id;
CREATE UNIQUE INDEX post_counts_author ON post_counts (author_id);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY posts_readable ON posts FOR SELECT USING (views >= 0);
CREATE POLICY posts_writable ON posts AS RESTRICTIVE FOR UPDATE TO postgres USING (true) WITH CHECK (views >= 0);
CREATE AGGREGATE text_concat(text) (sfunc = textcat, stype = text, initcond = '');
COMMENT ON AGGREGATE text_concat(text) IS 'the texts one after another';
CREATE VIEW post_titles AS SELECT text_concat(title) AS titles FROM posts;
CREATE RULE posts_keep_popular AS ON DELETE TO posts WHERE OLD.views > 1000 DO INSTEAD NOTHING;
COMMENT ON CONSTRAINT fk_posts_author_id_users ON posts IS 'the author';
COMMENT ON RULE posts_keep_popular ON posts IS 'popular posts stay';
INSERT INTO users (mail, path) VALUES ('ada@example.com', 'top.ada'), ('bob@example.com', 'top.bob');
INSERT INTO posts (author_id, title) VALUES (1, 'Engines'), (2, 'Looms');
REFRESH MATERIALIZED VIEW post_counts;
"#;

#[test]
fn postgres_database_with_every_object_is_adopted_and_rebuilt() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "postgres_objects_adopted") else {
        return;
    };
    db.sql(PG_FIXTURE);
    let project = bare_project("objects_adopted_postgres");
    let out = project.ok(&[
        "adopt",
        "--models",
        "src/models.rs",
        "--database-url",
        &db.url,
    ]);
    assert!(
        out.contains(
            "Adopted 22 object(s): extension citext, extension ltree, sequence ticket_seq, type address, type price_range, \
             domain email, function is_live(boolean, timestamp with time zone), function next_ticket(), function slug(text), \
             function slug(text, integer), function touch(), procedure archive_user(integer), aggregate text_concat(text), \
             view live_user_posts, view live_users, view post_titles, \
             materialized view post_counts, trigger posts_quiet on posts, trigger users_touch on users, \
             rule posts_keep_popular on posts, policy posts_readable on posts, policy posts_writable on posts"
        ),
        "{out}"
    );
    assert!(out.contains("Created sql/ (22 file(s)"), "{out}");
    // Named once, with the reason: the partial index over a function is the table's.
    assert_eq!(
        left_alone(&out),
        [
            "comment on constraint fk_posts_author_id_users on posts (comments on constraints are not kept; add it with m.sql in a migration)",
            "comment on index users_pkey (comments on the indexes of constraints and partitions are not kept; add it with m.sql in a migration)",
        ]
    );
    // An index's own comment is the model's.
    assert!(
        project
            .read("src/models.rs")
            .contains("comment = \"live users, by path\""),
        "{}",
        project.read("src/models.rs")
    );
    assert_eq!(
        project.read("sql/aggregates/text_concat.sql"),
        "CREATE AGGREGATE text_concat(text) (SFUNC = textcat, STYPE = text, INITCOND = '');\nCOMMENT ON AGGREGATE text_concat(text) IS 'the texts one after another';\n"
    );
    assert!(project.read("sql/rules/posts_keep_popular.sql").contains(
        "DO INSTEAD NOTHING;\nCOMMENT ON RULE posts_keep_popular ON posts IS 'popular posts stay';"
    ));
    let domain = project.read("sql/domains/email.sql");
    assert_eq!(
        domain,
        "-- depends on: extension citext\nCREATE DOMAIN email AS citext CONSTRAINT email_has_at CHECK ((VALUE ~~ '%@%'::citext));\nCOMMENT ON DOMAIN email IS 'an address with an at sign';\n"
    );
    assert!(project
        .read("sql/triggers/posts_quiet.sql")
        .contains("ALTER TABLE posts DISABLE TRIGGER posts_quiet;"));

    // Right after adopt: verify and check pass, and the models and files migrate to nothing.
    assert!(project
        .ok(&["--database-url", &db.url, "verify"])
        .contains("matches"));
    assert!(project
        .ok(&["--database-url", &db.url, "check"])
        .contains("agree"));
    assert!(project
        .ok(&["--database-url", &db.url, "migrate", "-m", "x"])
        .contains("No changes detected"));

    // The baseline on an empty database, with nothing created by hand, gives the same catalogue.
    let fresh = ServerDb::create("postgres", POSTGRES_URL, "postgres_objects_adopted").unwrap();
    let out = project.ok(&["--database-url", &fresh.url, "upgrade"]);
    assert!(out.contains("Applied"), "{out}");
    assert!(project
        .ok(&["--database-url", &fresh.url, "verify"])
        .contains("matches"));
    for (what, query) in postgres_catalogue(&[]) {
        assert_eq!(fresh.sql(&query), db.sql(&query), "{what} differ");
    }
    // The triggers fire and the default draws from the sequence on the rebuilt database.
    fresh.sql("INSERT INTO users (mail, path) VALUES ('cy@example.com', 'top.cy')");
    assert_eq!(fresh.sql("SELECT ticket FROM users").trim(), "T1000");
    fresh.sql("UPDATE users SET active = false");
    assert_eq!(fresh.sql("SELECT count(updated_at) FROM users").trim(), "1");
    // The aggregate and the rule work there too.
    fresh.sql("INSERT INTO posts (author_id, title, views) VALUES (1, 'A', 5000), (1, 'B', 0)");
    assert_eq!(fresh.sql("SELECT titles FROM post_titles").trim(), "AB");
    fresh.sql("DELETE FROM posts");
    assert_eq!(fresh.sql("SELECT count(*) FROM posts").trim(), "1");

    // Down to nothing and up again.
    project.ok(&["--database-url", &fresh.url, "downgrade", "base"]);
    assert_eq!(
        fresh
            .sql("SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
            .trim(),
        "0"
    );
    project.ok(&["--database-url", &fresh.url, "upgrade"]);
    assert!(project
        .ok(&["--database-url", &fresh.url, "verify"])
        .contains("matches"));
}

#[test]
fn postgres_adopt_refuses_what_a_baseline_could_not_build() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "postgres_objects_refused") else {
        return;
    };
    db.sql(
        "CREATE OPERATOR === (LEFTARG = text, RIGHTARG = text, FUNCTION = texteq); \
         CREATE TABLE notes (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body TEXT NOT NULL); \
         CREATE VIEW all_notes AS SELECT body === 'x' AS marked FROM notes;",
    );
    let project = bare_project("objects_refused_postgres");
    let out = project.cli(&["adopt", "--database-url", &db.url]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("adopt cannot write a baseline that builds this database from nothing: view all_notes uses operator ==="),
        "{err}"
    );
    assert!(err.contains("Nothing was changed"), "{err}");
    assert!(!project.file("migrate.toml").exists());
    assert!(!project.file("sql").exists());
}

/// What a table holds beyond what the snapshot keeps is named, never dropped silently; the
/// adopted project still verifies and checks, and its baseline builds the tables as they were
/// where the snapshot keeps it.
#[test]
fn postgres_adopt_names_what_tables_hold_beyond_the_snapshot() {
    let Some(db) = ServerDb::create("postgres", POSTGRES_URL, "postgres_table_extras") else {
        return;
    };
    db.sql(
        "CREATE TABLE jobs (id INTEGER GENERATED BY DEFAULT AS IDENTITY (START WITH 100) PRIMARY KEY, \
           body TEXT NOT NULL, n SERIAL NOT NULL) WITH (fillfactor = 70, autovacuum_enabled = false); \
         ALTER TABLE jobs ALTER COLUMN body SET STORAGE EXTERNAL; \
         CREATE UNLOGGED TABLE scratch (id INTEGER PRIMARY KEY); \
         CREATE SCHEMA archive; CREATE TABLE archive.old_jobs (id INTEGER PRIMARY KEY);",
    );
    let project = bare_project("table_extras_postgres");
    let out = project.ok(&[
        "adopt",
        "--models",
        "src/models.rs",
        "--database-url",
        &db.url,
    ]);
    assert_eq!(
        left_alone(&out),
        [
            "options of sequence jobs_id_seq (the START, INCREMENT, MINVALUE, MAXVALUE, CACHE and CYCLE of a sequence a column owns are not kept; set them with m.sql in a migration)",
            "schema archive (only the current schema is adopted, so its 1 table(s) and view(s) are left out; to manage them, connect with options=-csearch_path%3Darchive)",
            "storage of column jobs.body (a column's STORAGE and COMPRESSION are not kept; set them with m.sql in a migration)",
        ],
        "{out}"
    );
    // Storage parameters and UNLOGGED are the models'.
    let models = project.read("src/models.rs");
    assert!(
        models.contains("with = \"fillfactor=70, autovacuum_enabled=false\"")
            && models.contains("unlogged"),
        "{models}"
    );
    let fresh = verified_and_rebuilt(&project, &db, POSTGRES_URL);
    let kinds = "SELECT relname, relpersistence, reloptions FROM pg_class \
                 WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname IN ('jobs', 'scratch') ORDER BY 1";
    assert_eq!(fresh.sql(kinds), db.sql(kinds));
}

#[test]
fn mysql_adopt_names_what_tables_hold_beyond_the_snapshot() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "mysql_table_extras") else {
        return;
    };
    db.sql(
        "CREATE TABLE jobs (id INT PRIMARY KEY, secret INT INVISIBLE, n INT NOT NULL, KEY ix_jobs_n (n) IGNORED) \
           ROW_FORMAT=COMPRESSED STATS_PERSISTENT=1; \
         CREATE TABLE events (id INT PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2; \
         CREATE TABLE prices (id INT PRIMARY KEY, amount INT NOT NULL) WITH SYSTEM VERSIONING; \
         CREATE SEQUENCE tickets;",
    );
    let project = bare_project("table_extras_mysql");
    let out = project.ok(&[
        "adopt",
        "--models",
        "src/models.rs",
        "--database-url",
        &db.url,
    ]);
    assert_eq!(
        left_alone(&out),
        [
            "ignored index ix_jobs_n on jobs (IGNORED is not kept: the baseline creates the index in use; set it with m.sql in a migration)",
            "invisible column jobs.secret (INVISIBLE is not kept: the baseline creates the column visible; hide it with m.sql in a migration)",
            "options of table jobs (stats_persistent=1 row_format=COMPRESSED) (table options other than ENGINE, CHARSET, COLLATE and COMMENT are not kept; set them with m.sql in a migration)",
            "partitioning of table events (partitioning is not kept: the baseline creates the table whole; partition it with m.sql in a migration)",
            "sequence tickets (sequences are not captured; create it with m.sql in a migration)",
            "system-versioned table prices (system-versioned tables are not captured; create it with m.sql in a migration)",
        ],
        "{out}"
    );
    verified_and_rebuilt(&project, &db, MYSQL_URL);
}

/// `verify` and `check` pass on the adopted database `db`, and the baseline builds a new one
/// (returned) that `verify` accepts.
fn verified_and_rebuilt(project: &Project, db: &ServerDb, server: &str) -> ServerDb {
    assert!(project
        .ok(&["--database-url", &db.url, "verify"])
        .contains("matches"));
    assert!(project
        .ok(&["--database-url", &db.url, "check"])
        .contains("agree"));
    let fresh = ServerDb::create(db.kind, server, "rebuilt").unwrap();
    project.ok(&["--database-url", &fresh.url, "upgrade"]);
    assert!(project
        .ok(&["--database-url", &fresh.url, "verify"])
        .contains("matches"));
    fresh
}

const MYSQL_FIXTURE: &str = r#"
CREATE TABLE users (id INT AUTO_INCREMENT, name VARCHAR(100) NOT NULL, email VARCHAR(200) NOT NULL, PRIMARY KEY (id) COMMENT 'the key');
CREATE TABLE posts (
  id INT AUTO_INCREMENT PRIMARY KEY,
  author_id INT NOT NULL,
  title VARCHAR(200) NOT NULL,
  views INT NOT NULL DEFAULT 0,
  KEY ix_posts_author_id (author_id) COMMENT 'by author',
  CONSTRAINT fk_posts_author_id_users FOREIGN KEY (author_id) REFERENCES users (id)
);
CREATE TABLE audit_logs (id INT AUTO_INCREMENT PRIMARY KEY, message VARCHAR(250) NOT NULL);
CREATE FUNCTION slugify(s VARCHAR(200)) RETURNS VARCHAR(200) DETERMINISTIC COMMENT 'lower case, dashes' RETURN lower(replace(s, ' ', '-'));
DELIMITER //
CREATE PROCEDURE bump_views(IN pid INT, OUT total INT)
BEGIN
  UPDATE posts SET views = views + 1 WHERE id = pid;
  SELECT views INTO total FROM posts WHERE id = pid;
END//
DELIMITER ;
CREATE VIEW post_views AS SELECT p.id, slugify(p.title) AS slug, p.views, u.name AS author FROM posts p JOIN users u ON u.id = p.author_id;
CREATE SQL SECURITY INVOKER VIEW popular_posts AS SELECT id, slug FROM post_views WHERE views > 10 WITH CHECK OPTION;
CREATE TRIGGER posts_audit AFTER INSERT ON posts FOR EACH ROW INSERT INTO audit_logs (message) VALUES (concat('new ', slugify(NEW.title)));
CREATE TRIGGER posts_audit_again AFTER INSERT ON posts FOR EACH ROW FOLLOWS posts_audit INSERT INTO audit_logs (message) VALUES ('again');
CREATE TRIGGER users_email BEFORE INSERT ON users FOR EACH ROW SET NEW.email = lower(NEW.email);
CREATE EVENT purge_audit ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00' ON COMPLETION PRESERVE DISABLE COMMENT 'nightly' DO DELETE FROM audit_logs WHERE id < 0;
CREATE EVENT one_off ON SCHEDULE AT '2031-06-01 00:00:00' DO DELETE FROM audit_logs WHERE id < 0;
INSERT INTO users (name, email) VALUES ('Ada', 'ADA@example.com');
INSERT INTO posts (author_id, title) VALUES (1, 'Analytical Engine');
"#;

fn mysql_catalogue() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "columns",
            "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT IN ('__migrate_history', '__diesel_schema_migrations') ORDER BY 1, 3",
        ),
        (
            "views",
            "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE, ALGORITHM FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
        ),
        (
            "triggers",
            "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, ACTION_TIMING FROM information_schema.TRIGGERS \
             WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY 1",
        ),
        (
            "routines",
            "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, ROUTINE_COMMENT \
             FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1",
        ),
        (
            "parameters",
            "SELECT SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER FROM information_schema.PARAMETERS \
             WHERE SPECIFIC_SCHEMA = DATABASE() ORDER BY 1, 2",
        ),
        (
            "events",
            "SELECT EVENT_NAME, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, INTERVAL_FIELD, STARTS, ENDS, STATUS, ON_COMPLETION, EVENT_COMMENT \
             FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY 1",
        ),
        (
            "keys",
            "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT IN ('__migrate_history', '__diesel_schema_migrations') ORDER BY 1, 2, 3",
        ),
        (
            "index comments",
            "SELECT TABLE_NAME, INDEX_NAME, INDEX_COMMENT FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY' AND SEQ_IN_INDEX = 1 ORDER BY 1, 2",
        ),
    ]
}

#[test]
fn mysql_database_with_every_object_is_adopted_and_rebuilt() {
    let Some(db) = ServerDb::create("mysql", MYSQL_URL, "mysql_objects_adopted") else {
        return;
    };
    db.sql(MYSQL_FIXTURE);
    let project = bare_project("objects_adopted_mysql");
    let out = project.ok(&[
        "adopt",
        "--models",
        "src/models.rs",
        "--database-url",
        &db.url,
    ]);
    assert!(
        out.contains(
            "Adopted 9 object(s): function slugify, procedure bump_views, view popular_posts, view post_views, \
             trigger posts_audit on posts, trigger posts_audit_again on posts, trigger users_email on users, event one_off, event purge_audit"
        ),
        "{out}"
    );
    assert_eq!(
        left_alone(&out),
        ["comment on index PRIMARY on users (comments on the indexes of primary and foreign keys are not kept; add it with m.sql in a migration)"]
    );
    assert!(project
        .read("src/models.rs")
        .contains("comment = \"by author\""));
    assert!(project
        .ok(&["--database-url", &db.url, "verify"])
        .contains("matches"));
    assert!(project
        .ok(&["--database-url", &db.url, "check"])
        .contains("agree"));
    assert!(project
        .ok(&["--database-url", &db.url, "migrate", "-m", "x"])
        .contains("No changes detected"));

    let fresh = ServerDb::create("mysql", MYSQL_URL, "mysql_objects_adopted").unwrap();
    let out = project.ok(&["--database-url", &fresh.url, "upgrade"]);
    assert!(out.contains("Applied"), "{out}");
    assert!(project
        .ok(&["--database-url", &fresh.url, "verify"])
        .contains("matches"));
    // information_schema names the database inside view definitions.
    let answer = |db: &ServerDb, query: &str| {
        let name = db.url.rsplit('/').next().unwrap().to_string();
        db.sql(query).replace(&name, "<database>")
    };
    for (what, query) in mysql_catalogue() {
        assert_eq!(answer(&fresh, query), answer(&db, query), "{what} differ");
    }
    // The triggers fire in their order on the rebuilt database.
    fresh.sql("INSERT INTO users (name, email) VALUES ('Bob', 'BOB@example.com')");
    fresh.sql("INSERT INTO posts (author_id, title) VALUES (1, 'Difference Engine')");
    assert_eq!(
        fresh.sql("SELECT email FROM users").trim(),
        "bob@example.com"
    );
    assert_eq!(
        fresh
            .sql("SELECT message FROM audit_logs ORDER BY id")
            .lines()
            .collect::<Vec<_>>(),
        ["new difference-engine", "again"]
    );
    project.ok(&["--database-url", &fresh.url, "downgrade", "base"]);
    assert_eq!(fresh.sql("SELECT count(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()").trim(), "0");
    project.ok(&["--database-url", &fresh.url, "upgrade"]);
    assert!(project
        .ok(&["--database-url", &fresh.url, "verify"])
        .contains("matches"));
}

const SQLITE_FIXTURE: &str = r#"
CREATE TABLE users (id INTEGER PRIMARY KEY NOT NULL, name VARCHAR(100) NOT NULL, email TEXT NOT NULL, active BOOLEAN NOT NULL DEFAULT 1);
CREATE TABLE posts (
  id INTEGER PRIMARY KEY NOT NULL,
  author_id INTEGER NOT NULL REFERENCES users (id),
  title TEXT NOT NULL,
  views INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE audit_logs (id INTEGER PRIMARY KEY NOT NULL, message TEXT NOT NULL);
CREATE INDEX posts_lower_title ON posts (lower(title));
CREATE VIEW active_users AS SELECT id, name FROM users WHERE active;
CREATE VIEW "post titles" AS
  SELECT p.id, p.title, u.name AS author -- the author's name
  FROM posts p JOIN active_users u ON u.id = p.author_id;
CREATE TRIGGER posts_audit AFTER INSERT ON posts WHEN NEW.views = 0
BEGIN
  INSERT INTO audit_logs (message) VALUES ('new ' || NEW.title);
END;
CREATE TRIGGER users_email BEFORE UPDATE OF email ON users
BEGIN
  SELECT CASE WHEN NEW.email NOT LIKE '%@%' THEN RAISE(ABORT, 'no at sign') END;
END;
CREATE TRIGGER active_users_insert INSTEAD OF INSERT ON active_users
BEGIN
  INSERT INTO users (name, email) VALUES (NEW.name, lower(NEW.name) || '@example.com');
END;
INSERT INTO users (name, email) VALUES ('Ada', 'ada@example.com');
INSERT INTO posts (author_id, title) VALUES (1, 'Engines');
"#;

#[test]
fn sqlite_database_with_every_object_is_adopted_and_rebuilt() {
    let project = bare_project("objects_adopted_sqlite");
    let db = project.file("app.db");
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    conn.batch_execute(SQLITE_FIXTURE).unwrap();
    let url = format!("sqlite://{}", db.display());
    let out = project.ok(&["adopt", "--models", "src/models.rs", "--database-url", &url]);
    assert!(
        out.contains(
            "Adopted 5 object(s): view active_users, view post titles, trigger active_users_insert on active_users, \
             trigger posts_audit on posts, trigger users_email on users"
        ),
        "{out}"
    );
    assert!(left_alone(&out).is_empty(), "{out}");
    assert_eq!(
        project.read("sql/views/post_titles.sql"),
        "CREATE VIEW \"post titles\" AS\n  SELECT p.id, p.title, u.name AS author -- the author's name\n  FROM posts p JOIN active_users u ON u.id = p.author_id;\n"
    );
    assert!(project
        .ok(&["--database-url", &url, "verify"])
        .contains("matches"));
    assert!(project
        .ok(&["--database-url", &url, "check"])
        .contains("agree"));
    assert!(project
        .ok(&["--database-url", &url, "migrate", "-m", "x"])
        .contains("No changes detected"));

    let fresh = project.file("fresh.db");
    let fresh_url = format!("sqlite://{}", fresh.display());
    project.ok(&["--database-url", &fresh_url, "upgrade"]);
    assert!(project
        .ok(&["--database-url", &fresh_url, "verify"])
        .contains("matches"));
    let catalogue = |path: &Path| -> Vec<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let mut conn = SqliteConnection::establish(&path.display().to_string()).unwrap();
        let queries = [
            // Views and triggers keep the text they were created with.
            "SELECT type || '|' || name || '|' || tbl_name || '|' || sql AS v FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY type, name",
            "SELECT m.name || '|' || c.cid || '|' || c.name || '|' || c.type || '|' || c.\"notnull\" || '|' || coalesce(c.dflt_value, '') || '|' || c.pk AS v \
             FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
             AND m.name NOT IN ('__migrate_history', '__diesel_schema_migrations') ORDER BY m.name, c.cid",
            "SELECT m.name || '|' || f.\"table\" || '|' || f.\"from\" || '|' || f.\"to\" AS v FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' ORDER BY 1",
        ];
        queries
            .iter()
            .flat_map(|q| {
                diesel::sql_query(*q)
                    .load::<Row>(&mut conn)
                    .unwrap()
                    .into_iter()
                    .map(|r| r.v)
            })
            .collect()
    };
    assert_eq!(catalogue(&fresh), catalogue(&db));
    // The triggers fire on the rebuilt database, through the view too.
    let mut conn = SqliteConnection::establish(&fresh.display().to_string()).unwrap();
    conn.batch_execute("INSERT INTO active_users (name) VALUES ('Cy'); INSERT INTO posts (author_id, title) VALUES (1, 'Looms');")
        .unwrap();
    #[derive(QueryableByName)]
    struct Message {
        #[diesel(sql_type = diesel::sql_types::Text)]
        message: String,
    }
    let messages: Vec<Message> = diesel::sql_query("SELECT message FROM audit_logs")
        .load(&mut conn)
        .unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].message, "new Looms");
    assert!(
        conn.batch_execute("UPDATE users SET email = 'nowhere'")
            .is_err(),
        "the check trigger fires"
    );
}

#[test]
fn sqlite_adopt_names_conflict_clauses() {
    let project = bare_project("conflict_clauses_sqlite");
    let db = project.file("app.db");
    let mut conn = SqliteConnection::establish(&db.display().to_string()).unwrap();
    conn.batch_execute(
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE ON CONFLICT REPLACE); \
         CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'on conflict'); \
         CREATE TABLE \"on conflict\" (id INTEGER PRIMARY KEY);",
    )
    .unwrap();
    let url = format!("sqlite://{}", db.display());
    let out = project.ok(&["adopt", "--database-url", &url]);
    // Only the clause itself counts: not a literal or a name that spells it.
    assert_eq!(
        left_alone(&out),
        ["conflict clauses of table tags (ON CONFLICT clauses are not kept: the baseline creates the table's constraints without them)"],
        "{out}"
    );
    assert!(project
        .ok(&["--database-url", &url, "verify"])
        .contains("matches"));
}
