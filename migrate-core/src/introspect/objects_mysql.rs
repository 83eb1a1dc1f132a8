//! MySQL's and MariaDB's objects that are not tables, printed from `information_schema` as the
//! statements that create them: views, triggers (in their order), stored functions and
//! procedures, events. The definer is left out (the user who applies a migration is it) and
//! so are the options at their defaults.

use diesel::connection::SimpleConnection;
use diesel::mysql::MysqlConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::objects::{read_printed, run_all, Capture, Printed, Unrepresented};
use crate::dialect::{Backend, HISTORY_TABLE};
use crate::error::{Error, Result};
use crate::objects::sql::{strip_qualifier, Flavor};
use crate::schema::Schema;

fn load<T: diesel::deserialize::QueryableByName<diesel::mysql::Mysql> + 'static>(
    conn: &mut MysqlConnection,
    sql: String,
) -> Result<Vec<T>> {
    diesel::sql_query(&sql)
        .load(conn)
        .map_err(|e| Error::Database {
            context: sql,
            message: e.to_string(),
        })
}

fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

fn q(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(QueryableByName)]
struct ViewRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Text)]
    check_option: String,
    #[diesel(sql_type = Text)]
    security: String,
    #[diesel(sql_type = Text)]
    algorithm: String,
}

#[derive(QueryableByName)]
struct TriggerRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    tbl: String,
    #[diesel(sql_type = Text)]
    timing: String,
    #[diesel(sql_type = Text)]
    event: String,
    #[diesel(sql_type = BigInt)]
    position: i64,
    #[diesel(sql_type = Text)]
    body: String,
}

#[derive(QueryableByName)]
struct RoutineRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Nullable<Text>)]
    returns: Option<String>,
    #[diesel(sql_type = Text)]
    deterministic: String,
    #[diesel(sql_type = Text)]
    data_access: String,
    #[diesel(sql_type = Text)]
    security: String,
    #[diesel(sql_type = Text)]
    comment: String,
}

#[derive(QueryableByName)]
struct ParameterRow {
    #[diesel(sql_type = Text)]
    routine: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    mode: Option<String>,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    body: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    at: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    every: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    field: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    starts: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    ends: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Text)]
    completion: String,
    #[diesel(sql_type = Text)]
    comment: String,
}

/// Every object of the database `db`, printed, read as declarations among `tables`.
pub fn capture(conn: &mut MysqlConnection, db: &str, tables: &[String]) -> Result<Capture> {
    let d = lit(db);
    let strip = |sql: &str| strip_qualifier(sql, db, Flavor(Backend::Mysql));
    let mariadb = load::<One>(conn, "SELECT CAST(VERSION() AS CHAR) AS value".into())?
        .first()
        .is_some_and(|v| v.value.contains("MariaDB"));
    let mut printed = Vec::new();

    let views: Vec<ViewRow> = load(
        conn,
        format!(
            "SELECT CAST(TABLE_NAME AS CHAR) AS `name`, CAST(VIEW_DEFINITION AS CHAR) AS `body`, CAST(CHECK_OPTION AS CHAR) AS `check_option`, \
             CAST(SECURITY_TYPE AS CHAR) AS `security`, {algorithm} AS `algorithm` \
             FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {d} ORDER BY TABLE_NAME",
            algorithm = if mariadb {
                "CAST(ALGORITHM AS CHAR)"
            } else {
                "'UNDEFINED'"
            }
        ),
    )?;
    for v in views {
        let mut sql = String::from("CREATE ");
        if v.algorithm != "UNDEFINED" {
            sql.push_str(&format!("ALGORITHM={} ", v.algorithm));
        }
        if v.security == "INVOKER" {
            sql.push_str("SQL SECURITY INVOKER ");
        }
        sql.push_str(&format!("VIEW {} AS {}", q(&v.name), strip(&v.body)));
        if v.check_option != "NONE" {
            sql.push_str(&format!(" WITH {} CHECK OPTION", v.check_option));
        }
        sql.push(';');
        printed.push(Printed {
            sql,
            depends_on: Default::default(),
        });
    }

    let triggers: Vec<TriggerRow> = load(
        conn,
        format!(
            "SELECT CAST(TRIGGER_NAME AS CHAR) AS `name`, CAST(EVENT_OBJECT_TABLE AS CHAR) AS `tbl`, CAST(ACTION_TIMING AS CHAR) AS `timing`, \
             CAST(EVENT_MANIPULATION AS CHAR) AS `event`, CAST(ACTION_ORDER AS SIGNED) AS `position`, CAST(ACTION_STATEMENT AS CHAR) AS `body` \
             FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {d} AND EVENT_OBJECT_TABLE NOT IN ('{HISTORY_TABLE}', '__diesel_schema_migrations') \
             ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER"
        ),
    )?;
    for t in &triggers {
        // A trigger that fires after another of the same table, timing and event says so.
        let previous = triggers.iter().find(|p| {
            p.tbl == t.tbl
                && p.timing == t.timing
                && p.event == t.event
                && p.position + 1 == t.position
        });
        let mut depends_on = std::collections::BTreeSet::new();
        let follows = match previous {
            Some(p) => {
                depends_on.insert(format!("trigger {} on {}", p.name, p.tbl));
                format!(" FOLLOWS {}", q(&p.name))
            }
            None => String::new(),
        };
        printed.push(Printed {
            sql: format!(
                "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW{follows} {};",
                q(&t.name),
                t.timing,
                t.event,
                q(&t.tbl),
                strip(&t.body)
            ),
            depends_on,
        });
    }

    let parameters: Vec<ParameterRow> = load(
        conn,
        format!(
            "SELECT CAST(SPECIFIC_NAME AS CHAR) AS `routine`, CAST(ROUTINE_TYPE AS CHAR) AS `kind`, CAST(PARAMETER_MODE AS CHAR) AS `mode`, \
             CAST(PARAMETER_NAME AS CHAR) AS `name`, CAST(DTD_IDENTIFIER AS CHAR) AS `ty` \
             FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = {d} AND ORDINAL_POSITION > 0 \
             ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION"
        ),
    )?;
    let routines: Vec<RoutineRow> = load(
        conn,
        format!(
            "SELECT CAST(ROUTINE_NAME AS CHAR) AS `name`, CAST(ROUTINE_TYPE AS CHAR) AS `kind`, CAST(ROUTINE_DEFINITION AS CHAR) AS `body`, \
             CAST(DTD_IDENTIFIER AS CHAR) AS `returns`, CAST(IS_DETERMINISTIC AS CHAR) AS `deterministic`, CAST(SQL_DATA_ACCESS AS CHAR) AS `data_access`, \
             CAST(SECURITY_TYPE AS CHAR) AS `security`, CAST(ROUTINE_COMMENT AS CHAR) AS `comment` \
             FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {d} ORDER BY ROUTINE_TYPE, ROUTINE_NAME"
        ),
    )?;
    for r in routines {
        let params: Vec<String> = parameters
            .iter()
            .filter(|p| p.routine == r.name && p.kind == r.kind)
            .map(|p| match &p.mode {
                Some(mode) if r.kind == "PROCEDURE" => format!("{mode} {} {}", q(&p.name), p.ty),
                _ => format!("{} {}", q(&p.name), p.ty),
            })
            .collect();
        let mut sql = format!("CREATE {} {}({})", r.kind, q(&r.name), params.join(", "));
        if let (Some(returns), "FUNCTION") = (&r.returns, r.kind.as_str()) {
            sql.push_str(&format!(" RETURNS {returns}"));
        }
        if r.deterministic == "YES" {
            sql.push_str("\n    DETERMINISTIC");
        }
        if r.data_access != "CONTAINS SQL" {
            sql.push_str(&format!("\n    {}", r.data_access));
        }
        if r.security == "INVOKER" {
            sql.push_str("\n    SQL SECURITY INVOKER");
        }
        if !r.comment.is_empty() {
            sql.push_str(&format!("\n    COMMENT {}", lit(&r.comment)));
        }
        sql.push_str(&format!("\n{};", strip(&r.body)));
        printed.push(Printed {
            sql,
            depends_on: Default::default(),
        });
    }

    // An event declared without `STARTS` starts when it was created: that start is left out, so
    // that the event reads back as declared whenever it was made.
    let events: Vec<EventRow> = load(
        conn,
        format!(
            "SELECT CAST(EVENT_NAME AS CHAR) AS `name`, CAST(EVENT_DEFINITION AS CHAR) AS `body`, CAST(EVENT_TYPE AS CHAR) AS `kind`, \
             DATE_FORMAT(EXECUTE_AT, '%Y-%m-%d %H:%i:%s') AS `at`, CAST(INTERVAL_VALUE AS CHAR) AS `every`, CAST(INTERVAL_FIELD AS CHAR) AS `field`, \
             IF(ABS(TIMESTAMPDIFF(SECOND, STARTS, CREATED)) <= 1, NULL, DATE_FORMAT(STARTS, '%Y-%m-%d %H:%i:%s')) AS `starts`, DATE_FORMAT(ENDS, '%Y-%m-%d %H:%i:%s') AS `ends`, \
             CAST(STATUS AS CHAR) AS `status`, CAST(ON_COMPLETION AS CHAR) AS `completion`, CAST(EVENT_COMMENT AS CHAR) AS `comment` \
             FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {d} ORDER BY EVENT_NAME"
        ),
    )?;
    for e in events {
        let schedule = if e.kind == "ONE TIME" {
            format!("AT {}", lit(e.at.as_deref().unwrap_or_default()))
        } else {
            let every = e.every.clone().unwrap_or_default();
            let every = if every.chars().all(|c| c.is_ascii_digit()) {
                every
            } else {
                lit(&every)
            };
            let mut s = format!("EVERY {every} {}", e.field.as_deref().unwrap_or_default());
            if let Some(starts) = &e.starts {
                s.push_str(&format!(" STARTS {}", lit(starts)));
            }
            if let Some(ends) = &e.ends {
                s.push_str(&format!(" ENDS {}", lit(ends)));
            }
            s
        };
        let mut sql = format!("CREATE EVENT {} ON SCHEDULE {schedule}", q(&e.name));
        if e.completion == "PRESERVE" {
            sql.push_str(" ON COMPLETION PRESERVE");
        }
        match e.status.as_str() {
            "DISABLED" => sql.push_str(" DISABLE"),
            "SLAVESIDE_DISABLED" => sql.push_str(" DISABLE ON SLAVE"),
            _ => {}
        }
        if !e.comment.is_empty() {
            sql.push_str(&format!(" COMMENT {}", lit(&e.comment)));
        }
        sql.push_str(&format!(" DO {};", strip(&e.body)));
        printed.push(Printed {
            sql,
            depends_on: Default::default(),
        });
    }

    // What is left out, each once, with the reason. A key's index is not an index of the
    // model, so its comment has nowhere to go.
    let mut left: Vec<Unrepresented> = load(
        conn,
        format!(
            "SELECT DISTINCT CAST(CONCAT('comment on index ', s.INDEX_NAME, ' on ', s.TABLE_NAME) AS CHAR) AS object, \
             CAST('comments on the indexes of primary and foreign keys are not kept; add it with m.sql in a migration' AS CHAR) AS reason \
             FROM information_schema.STATISTICS s WHERE s.TABLE_SCHEMA = {d} AND s.INDEX_COMMENT <> '' \
             AND (s.INDEX_NAME = 'PRIMARY' OR EXISTS (SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS r \
               WHERE r.CONSTRAINT_SCHEMA = s.TABLE_SCHEMA AND r.TABLE_NAME = s.TABLE_NAME AND r.CONSTRAINT_NAME = s.INDEX_NAME)) \
             UNION ALL SELECT CAST(CONCAT('options of table ', TABLE_NAME, ' (', CREATE_OPTIONS, ')') AS CHAR), \
               CAST('table options other than ENGINE, CHARSET, COLLATE and COMMENT are not kept; set them with m.sql in a migration' AS CHAR) \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = {d} AND TABLE_TYPE = 'BASE TABLE' \
               AND TRIM(REPLACE(CREATE_OPTIONS, 'partitioned', '')) <> '' \
             UNION ALL SELECT DISTINCT CAST(CONCAT('partitioning of table ', TABLE_NAME) AS CHAR), \
               CAST('partitioning is not kept: the baseline creates the table whole; partition it with m.sql in a migration' AS CHAR) \
             FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = {d} AND PARTITION_NAME IS NOT NULL \
             UNION ALL SELECT CAST(CONCAT(CASE TABLE_TYPE WHEN 'SEQUENCE' THEN 'sequence ' ELSE 'system-versioned table ' END, TABLE_NAME) AS CHAR), \
               CAST(CONCAT(CASE TABLE_TYPE WHEN 'SEQUENCE' THEN 'sequences' ELSE 'system-versioned tables' END, ' are not captured; create it with m.sql in a migration') AS CHAR) \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = {d} AND TABLE_TYPE IN ('SEQUENCE', 'SYSTEM VERSIONED') \
             UNION ALL SELECT CAST(CONCAT('invisible column ', TABLE_NAME, '.', COLUMN_NAME) AS CHAR), \
               CAST('INVISIBLE is not kept: the baseline creates the column visible; hide it with m.sql in a migration' AS CHAR) \
             FROM information_schema.COLUMNS c WHERE TABLE_SCHEMA = {d} AND EXTRA LIKE '%INVISIBLE%' \
               AND EXISTS (SELECT 1 FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE') \
             ORDER BY 1"
        ),
    )?;
    // MariaDB's IGNORED indexes and MySQL's INVISIBLE ones: each server has only its column.
    let hidden = |keyword: &str, column: &str, value: &str| {
        format!(
            "SELECT DISTINCT CAST(CONCAT('{} index ', INDEX_NAME, ' on ', TABLE_NAME) AS CHAR) AS object, \
             CAST('{keyword} is not kept: the baseline creates the index in use; set it with m.sql in a migration' AS CHAR) AS reason \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {d} AND {column} = '{value}' ORDER BY 1",
            keyword.to_lowercase()
        )
    };
    let hidden: Vec<Unrepresented> = load(conn, hidden("IGNORED", "IGNORED", "YES"))
        .or_else(|_| load(conn, hidden("INVISIBLE", "IS_VISIBLE", "NO")))
        .unwrap_or_default();
    left.extend(hidden);
    left.sort_by(|a, b| a.object.cmp(&b.object));

    let (objects, blocked) = read_printed(printed, tables, Backend::Mysql)?;
    Ok(Capture {
        objects,
        unrepresented: left,
        blocked,
    })
}

/// The current database's name.
pub fn current_database(conn: &mut MysqlConnection) -> Result<String> {
    Ok(
        load::<One>(conn, "SELECT CAST(DATABASE() AS CHAR) AS value".into())?
            .into_iter()
            .next()
            .map(|o| o.value)
            .unwrap_or_default(),
    )
}

/// `expected` created in a scratch database of this server (dropped afterwards) and read back
/// as the live schema is: its tables by introspection, its objects as [`capture`] prints them.
pub fn shadow(conn: &mut MysqlConnection, expected: &Schema) -> Result<Schema> {
    let live = current_database(conn)?;
    let id = load::<One>(conn, "SELECT CAST(CONNECTION_ID() AS CHAR) AS value".into())?
        .into_iter()
        .next()
        .map(|o| o.value)
        .unwrap_or_default();
    let scratch = format!("__migrate_shadow_{id}");
    let statements = super::objects::build_statements(expected, Backend::Mysql)?;
    let tables: Vec<String> = expected.tables.iter().map(|t| t.name.clone()).collect();
    let exec = |conn: &mut MysqlConnection, sql: &str| {
        conn.batch_execute(sql).map_err(|e| Error::Database {
            context: sql.to_string(),
            message: e.to_string(),
        })
    };
    exec(conn, &format!("CREATE DATABASE {}", q(&scratch))).map_err(|e| Error::Database {
        context: format!(
            "creating the scratch database {scratch} to compare the snapshot with the database (the user needs CREATE and DROP on it)"
        ),
        message: e.to_string(),
    })?;
    let result = (|| -> Result<Schema> {
        exec(conn, &format!("USE {}", q(&scratch)))?;
        run_all(&statements, |sql| exec(conn, sql))?;
        let mut printed = crate::introspect::introspect_mysql(conn)?;
        let captured = capture(conn, &scratch, &tables)?;
        // A reference to the live database is printed with its name in both.
        printed.objects = captured
            .objects
            .into_iter()
            .map(|mut o| {
                o.definition = strip_qualifier(&o.definition, &live, Flavor(Backend::Mysql));
                o
            })
            .collect();
        Ok(printed)
    })();
    let _ = exec(conn, &format!("USE {}", q(&live)));
    let _ = exec(conn, &format!("DROP DATABASE IF EXISTS {}", q(&scratch)));
    result
}
