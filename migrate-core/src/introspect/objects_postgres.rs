//! PostgreSQL's objects that are not tables, printed by the server: extensions (database-wide,
//! their members never listed one by one), and in a schema its functions and procedures, views,
//! materialized views with their indexes, triggers, sequences no column owns, domains,
//! composite and range types, and row-level security policies with their tables'
//! `ENABLE ROW LEVEL SECURITY`; comments on them. What it cannot print (aggregates, operators,
//! rules, base types, ...) is named with the reason.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use super::objects::{read_printed, run_all, Capture, Printed, Unrepresented};
use crate::dialect::{Backend, HISTORY_TABLE};
use crate::error::{Error, Result};
use crate::objects::sql::{strip_qualifier, Flavor};
use crate::objects::{DbObject, ObjectKind};
use crate::schema::Schema;

fn load<T: diesel::deserialize::QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
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
    format!("'{}'", text.replace('\'', "''"))
}

fn split(list: &str) -> std::collections::BTreeSet<String> {
    list.split('\u{1f}')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    value: String,
}

/// A printed object as a row: its SQL pieces come from each query.
#[derive(QueryableByName)]
struct Row {
    /// The object's name, quoted as it must be in SQL.
    #[diesel(sql_type = Text)]
    qname: String,
    /// The main text (a definition, a list) the query gives.
    #[diesel(sql_type = Nullable<Text>)]
    def: Option<String>,
    /// A second text (a table, options, a base type).
    #[diesel(sql_type = Nullable<Text>)]
    extra: Option<String>,
    /// A third text.
    #[diesel(sql_type = Nullable<Text>)]
    more: Option<String>,
    #[diesel(sql_type = Bool)]
    flag: bool,
    /// `COMMENT ON ...` statements, unit-separated.
    #[diesel(sql_type = Text)]
    comments: String,
    /// Dependency keys, unit-separated.
    #[diesel(sql_type = Text)]
    deps: String,
}

/// The key of the object a `pg_depend` row refers to (`r.cls`, `r.obj`, the array types
/// resolved to their element), as the objects folder names it: a table, view, sequence,
/// function, type or domain of `schema`, the extension a member belongs to, or something this
/// tool does not represent (`aggregate ...`, `base type ...`, `operator ...`). NULL for the
/// rest (built-ins, other schemas, enum types, which tables manage).
fn key_expr(schema: &str) -> String {
    let s = lit(schema);
    format!(
        "CASE \
         WHEN ext.extname = 'plpgsql' THEN NULL \
         WHEN ext.extname IS NOT NULL THEN 'extension ' || ext.extname \
         WHEN r.cls = 'pg_extension'::regclass THEN (SELECT 'extension ' || x.extname FROM pg_extension x WHERE x.oid = r.obj) \
         WHEN r.cls = 'pg_class'::regclass THEN (SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'p' THEN 'table ' WHEN 'v' THEN 'view ' \
           WHEN 'm' THEN 'materialized view ' WHEN 'S' THEN 'sequence ' WHEN 'c' THEN 'type ' WHEN 'f' THEN 'foreign table ' END || c.relname \
           FROM pg_class c JOIN pg_namespace cn ON cn.oid = c.relnamespace WHERE c.oid = r.obj AND cn.nspname = {s}) \
         WHEN r.cls = 'pg_proc'::regclass THEN (SELECT CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'f' THEN 'function ' ELSE 'aggregate ' END \
           || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' \
           FROM pg_proc p JOIN pg_namespace pn ON pn.oid = p.pronamespace WHERE p.oid = r.obj AND pn.nspname = {s}) \
         WHEN r.cls = 'pg_type'::regclass THEN (SELECT CASE WHEN t.typtype = 'd' THEN 'domain ' || t.typname \
           WHEN t.typtype = 'r' THEN 'type ' || t.typname WHEN t.typtype = 'c' AND tc.relkind = 'c' THEN 'type ' || t.typname \
           WHEN t.typtype = 'c' THEN 'table ' || tc.relname WHEN t.typtype IN ('b', 'p') THEN 'base type ' || t.typname END \
           FROM pg_type t JOIN pg_namespace tn ON tn.oid = t.typnamespace LEFT JOIN pg_class tc ON tc.oid = t.typrelid \
           WHERE t.oid = r.obj AND tn.nspname = {s}) \
         WHEN r.cls = 'pg_operator'::regclass THEN (SELECT 'operator ' || o.oprname FROM pg_operator o \
           JOIN pg_namespace onn ON onn.oid = o.oprnamespace WHERE o.oid = r.obj AND onn.nspname = {s}) \
         WHEN r.cls = 'pg_collation'::regclass THEN (SELECT 'collation ' || co.collname FROM pg_collation co \
           JOIN pg_namespace con ON con.oid = co.collnamespace WHERE co.oid = r.obj AND con.nspname = {s}) \
         END"
    )
}

/// The dependency keys of the objects `cls`/`objids` (a SQL list), unit-separated.
fn deps(schema: &str, sources: &[(&str, &str)]) -> String {
    let filter = sources
        .iter()
        .map(|(cls, objids)| format!("(d.classid = '{cls}'::regclass AND d.objid IN ({objids}))"))
        .collect::<Vec<_>>()
        .join(" OR ");
    format!(
        "COALESCE((SELECT string_agg(DISTINCT k.key, chr(31)) FROM (SELECT {key} AS key FROM pg_depend d \
         CROSS JOIN LATERAL (SELECT d.refclassid AS cls, COALESCE((SELECT t.typelem FROM pg_type t WHERE d.refclassid = 'pg_type'::regclass \
           AND t.oid = d.refobjid AND t.typcategory = 'A' AND t.typelem <> 0), d.refobjid) AS obj) r \
         LEFT JOIN LATERAL (SELECT x.extname FROM pg_depend m JOIN pg_extension x ON x.oid = m.refobjid \
           WHERE m.classid = r.cls AND m.objid = r.obj AND m.deptype = 'e' LIMIT 1) ext ON true \
         WHERE ({filter}) AND d.deptype IN ('n', 'a')) k WHERE k.key IS NOT NULL), '')",
        key = key_expr(schema)
    )
}

/// `COMMENT ON` statements for a comment query `(kind target, comment)`, unit-separated.
fn comments(rows: &str) -> String {
    format!(
        "COALESCE((SELECT string_agg(format('COMMENT ON %s IS %L;', c.target, c.text), chr(31) ORDER BY c.target) \
         FROM ({rows}) c(target, text) WHERE c.text IS NOT NULL), '')"
    )
}

/// Not a member of an extension, nor made by the server for another object.
fn own(cls: &str, obj: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{cls}'::regclass AND e.objid = {obj} AND e.deptype IN ('e', 'i'))"
    )
}

/// Every object of `schema` (extensions: every extension of the database), printed, read as
/// declarations among `tables`.
pub fn capture(conn: &mut PgConnection, schema: &str, tables: &[String]) -> Result<Capture> {
    let current: Vec<One> = load(conn, "SELECT current_schema()::text AS value".into())?;
    let current = current.first().map(|c| c.value.clone()).unwrap_or_default();
    let s = lit(schema);
    let mut printed: Vec<Printed> = Vec::new();
    let mut unrepresented: Vec<Unrepresented> = Vec::new();
    let strip = |sql: &str| strip_qualifier(sql, schema, Flavor(Backend::Postgres));
    let split_comments = |c: &str| -> String {
        c.split('\u{1f}')
            .filter(|s| !s.is_empty())
            .map(|s| format!("\n{}", strip(s)))
            .collect()
    };
    // An object the server prints as one statement, followed by its comments.
    let one_statement = |def: &str, row: &Row| Printed {
        sql: format!(
            "{};{}",
            strip(def.trim_end()),
            split_comments(&row.comments)
        ),
        depends_on: split(&row.deps),
    };

    // Extensions: database-wide, with the schema they live in and their version.
    let rows: Vec<Row> = load(
        conn,
        "SELECT quote_ident(e.extname) AS qname, quote_ident(n.nspname) AS def, e.extversion AS extra, n.nspname::text AS more, false AS flag, '' AS comments, \
         COALESCE((SELECT string_agg('extension ' || r.extname, chr(31)) FROM pg_depend d JOIN pg_extension r ON r.oid = d.refobjid \
           WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid AND d.refclassid = 'pg_extension'::regclass), '') AS deps \
         FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql' ORDER BY e.extname"
            .into(),
    )?;
    for row in rows {
        printed.push(Printed {
            sql: extension_sql(
                &row.qname,
                row.def.as_deref().unwrap_or_default(),
                row.extra.as_deref().unwrap_or_default(),
                row.more.as_deref() != Some(current.as_str()),
            ),
            depends_on: split(&row.deps),
        });
    }

    // Functions and procedures, as pg_get_functiondef prints them.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(p.proname) AS qname, pg_get_functiondef(p.oid) AS def, NULL::text AS extra, NULL::text AS more, false AS flag, \
             {comments} AS comments, {deps} AS deps \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = {s} AND p.prokind IN ('f', 'p') AND {own} ORDER BY p.proname, oidvectortypes(p.proargtypes)",
            comments = comments(
                "SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')', obj_description(p.oid, 'pg_proc')"
            ),
            deps = deps(schema, &[("pg_proc", "p.oid")]),
            own = own("pg_proc", "p.oid"),
        ),
    )?;
    for row in rows {
        printed.push(one_statement(row.def.as_deref().unwrap_or_default(), &row));
    }

    // Views and materialized views (with their indexes), as pg_get_viewdef prints them.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(c.relname) AS qname, pg_get_viewdef(c.oid) AS def, array_to_string(c.reloptions, ', ') AS extra, \
             COALESCE((SELECT string_agg(pg_get_indexdef(i.indexrelid) || ';', chr(31) ORDER BY ic.relname) FROM pg_index i \
               JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), '') AS more, \
             (c.relkind = 'm') AS flag, {comments} AS comments, {deps} AS deps \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {s} AND c.relkind IN ('v', 'm') AND {own} ORDER BY c.relname",
            comments = comments(
                "SELECT CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW ' ELSE 'VIEW ' END || quote_ident(c.relname), obj_description(c.oid, 'pg_class') \
                 UNION ALL SELECT 'COLUMN ' || quote_ident(c.relname) || '.' || quote_ident(a.attname), col_description(c.oid, a.attnum) \
                 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            ),
            deps = deps(schema, &[("pg_rewrite", "SELECT rw.oid FROM pg_rewrite rw WHERE rw.ev_class = c.oid")]),
            own = own("pg_class", "c.oid"),
        ),
    )?;
    let populated: Vec<One> = load(
        conn,
        format!(
            "SELECT matviewname::text AS value FROM pg_matviews WHERE schemaname = {s} AND NOT ispopulated"
        ),
    )?;
    for row in rows {
        let body = row.def.as_deref().unwrap_or_default().trim();
        let body = strip(body.trim_end_matches(';'));
        let with = match row.extra.as_deref() {
            Some(options) if !options.is_empty() => format!(" WITH ({options})"),
            _ => String::new(),
        };
        let sql = if row.flag {
            let data = if populated.iter().any(|p| p.value == unquote(&row.qname)) {
                "WITH NO DATA"
            } else {
                "WITH DATA"
            };
            let indexes: String = row
                .more
                .as_deref()
                .unwrap_or_default()
                .split('\u{1f}')
                .filter(|s| !s.is_empty())
                .map(|s| format!("\n{}", strip(s)))
                .collect();
            format!(
                "CREATE MATERIALIZED VIEW {}{with} AS\n{body}\n{data};{indexes}{}",
                row.qname,
                split_comments(&row.comments)
            )
        } else {
            format!(
                "CREATE VIEW {}{with} AS\n{body};{}",
                row.qname,
                split_comments(&row.comments)
            )
        };
        printed.push(Printed {
            sql,
            depends_on: split(&row.deps),
        });
    }

    // Triggers, as pg_get_triggerdef prints them, disabled ones with the statement that says so.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(t.tgname) AS qname, pg_get_triggerdef(t.oid) AS def, quote_ident(c.relname) AS extra, t.tgenabled::text AS more, false AS flag, \
             {comments} AS comments, {deps} AS deps \
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {s} AND NOT t.tgisinternal AND c.relname NOT IN ('{HISTORY_TABLE}', '__diesel_schema_migrations') \
             AND {own} ORDER BY c.relname, t.tgname",
            comments = comments(
                "SELECT 'TRIGGER ' || quote_ident(t.tgname) || ' ON ' || quote_ident(c.relname), obj_description(t.oid, 'pg_trigger')"
            ),
            deps = deps(schema, &[("pg_trigger", "t.oid")]),
            own = own("pg_class", "c.oid"),
        ),
    )?;
    for row in rows {
        let table = row.extra.as_deref().unwrap_or_default();
        let state = match row.more.as_deref() {
            Some("D") => format!("\nALTER TABLE {table} DISABLE TRIGGER {};", row.qname),
            Some("R") => format!(
                "\nALTER TABLE {table} ENABLE REPLICA TRIGGER {};",
                row.qname
            ),
            Some("A") => format!("\nALTER TABLE {table} ENABLE ALWAYS TRIGGER {};", row.qname),
            _ => String::new(),
        };
        printed.push(Printed {
            sql: format!(
                "{};{state}{}",
                strip(row.def.as_deref().unwrap_or_default()),
                split_comments(&row.comments)
            ),
            depends_on: split(&row.deps),
        });
    }

    // Aggregates: PostgreSQL prints no definition of one, so it is written from pg_aggregate,
    // every option that differs from CREATE AGGREGATE's default spelled out.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(p.proname) AS qname, \
             'CREATE AGGREGATE ' || quote_ident(p.proname) || '(' || CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_get_function_arguments(p.oid) END || ') (' \
             || concat_ws(', ', 'SFUNC = ' || a.aggtransfn::regproc::text, 'STYPE = ' || format_type(a.aggtranstype, NULL), \
               CASE WHEN a.aggtransspace <> 0 THEN 'SSPACE = ' || a.aggtransspace END, \
               CASE WHEN a.aggfinalfn <> 0 THEN 'FINALFUNC = ' || a.aggfinalfn::regproc::text END, \
               CASE WHEN a.aggfinalextra THEN 'FINALFUNC_EXTRA' END, \
               CASE WHEN a.aggfinalfn <> 0 AND a.aggfinalmodify = 's' THEN 'FINALFUNC_MODIFY = SHAREABLE' \
                 WHEN a.aggfinalfn <> 0 AND a.aggfinalmodify = 'w' THEN 'FINALFUNC_MODIFY = READ_WRITE' END, \
               CASE WHEN a.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || a.aggcombinefn::regproc::text END, \
               CASE WHEN a.aggserialfn <> 0 THEN 'SERIALFUNC = ' || a.aggserialfn::regproc::text END, \
               CASE WHEN a.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || a.aggdeserialfn::regproc::text END, \
               CASE WHEN a.agginitval IS NOT NULL THEN 'INITCOND = ' || quote_literal(a.agginitval) END, \
               CASE WHEN a.aggmtransfn <> 0 THEN 'MSFUNC = ' || a.aggmtransfn::regproc::text END, \
               CASE WHEN a.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || a.aggminvtransfn::regproc::text END, \
               CASE WHEN a.aggmtranstype <> 0 THEN 'MSTYPE = ' || format_type(a.aggmtranstype, NULL) END, \
               CASE WHEN a.aggmtransspace <> 0 THEN 'MSSPACE = ' || a.aggmtransspace END, \
               CASE WHEN a.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || a.aggmfinalfn::regproc::text END, \
               CASE WHEN a.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END, \
               CASE WHEN a.aggminitval IS NOT NULL THEN 'MINITCOND = ' || quote_literal(a.aggminitval) END, \
               CASE WHEN a.aggsortop <> 0 THEN 'SORTOP = ' || (SELECT o.oprname FROM pg_operator o WHERE o.oid = a.aggsortop) END, \
               CASE p.proparallel WHEN 's' THEN 'PARALLEL = SAFE' WHEN 'r' THEN 'PARALLEL = RESTRICTED' END) \
             || ')' AS def, NULL::text AS extra, NULL::text AS more, false AS flag, \
             {comments} AS comments, {deps} AS deps \
             FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = {s} AND p.prokind = 'a' AND a.aggkind = 'n' AND {own} ORDER BY p.proname, oidvectortypes(p.proargtypes)",
            comments = comments(
                "SELECT 'AGGREGATE ' || quote_ident(p.proname) || '(' || CASE WHEN p.pronargs = 0 THEN '*' ELSE pg_get_function_identity_arguments(p.oid) END || ')', obj_description(p.oid, 'pg_proc')"
            ),
            deps = deps(schema, &[("pg_proc", "p.oid")]),
            own = own("pg_proc", "p.oid"),
        ),
    )?;
    for row in rows {
        printed.push(one_statement(row.def.as_deref().unwrap_or_default(), &row));
    }

    // Rules, as pg_get_ruledef prints them (a view's own `_RETURN` rule is the view).
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(rw.rulename) AS qname, pg_get_ruledef(rw.oid) AS def, quote_ident(c.relname) AS extra, NULL::text AS more, false AS flag, \
             {comments} AS comments, {deps} AS deps \
             FROM pg_rewrite rw JOIN pg_class c ON c.oid = rw.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {s} AND rw.rulename <> '_RETURN' AND {own} ORDER BY c.relname, rw.rulename",
            comments = comments(
                "SELECT 'RULE ' || quote_ident(rw.rulename) || ' ON ' || quote_ident(c.relname), obj_description(rw.oid, 'pg_rewrite')"
            ),
            deps = deps(schema, &[("pg_rewrite", "rw.oid")]),
            own = own("pg_class", "c.oid"),
        ),
    )?;
    for row in rows {
        let def = row.def.as_deref().unwrap_or_default().trim_end();
        printed.push(one_statement(def.trim_end_matches(';'), &row));
    }

    // Sequences no column owns, their options at their defaults left out.
    let rows: Vec<SequenceRow> = load(
        conn,
        format!(
            "SELECT quote_ident(c.relname) AS qname, format_type(q.seqtypid, NULL) AS ty, q.seqstart::text AS start, q.seqincrement::text AS increment, \
             q.seqmin::text AS min, q.seqmax::text AS max, q.seqcache::text AS cache, q.seqcycle AS cycle, {comments} AS comments \
             FROM pg_sequence q JOIN pg_class c ON c.oid = q.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {s} AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid \
               AND d.deptype IN ('a', 'i', 'e')) ORDER BY c.relname",
            comments = comments(
                "SELECT 'SEQUENCE ' || quote_ident(c.relname), obj_description(c.oid, 'pg_class')"
            ),
        ),
    )?;
    for row in rows {
        printed.push(Printed {
            sql: format!("{}{}", row.sql(), split_comments(&row.comments)),
            depends_on: Default::default(),
        });
    }

    // Domains.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(t.typname) AS qname, format_type(t.typbasetype, t.typtypmod) AS def, \
             (SELECT ' COLLATE ' || quote_ident(co.collname) FROM pg_collation co JOIN pg_type b ON b.oid = t.typbasetype \
               WHERE co.oid = t.typcollation AND t.typcollation <> b.typcollation) AS extra, \
             concat_ws(' ', CASE WHEN t.typdefault IS NOT NULL THEN 'DEFAULT ' || t.typdefault END, \
               CASE WHEN t.typnotnull THEN 'NOT NULL' END, \
               (SELECT string_agg('CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid), ' ' ORDER BY k.conname) \
                FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c')) AS more, false AS flag, \
             {comments} AS comments, {deps} AS deps \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
             WHERE n.nspname = {s} AND t.typtype = 'd' AND {own} ORDER BY t.typname",
            comments = comments(
                "SELECT 'DOMAIN ' || quote_ident(t.typname), obj_description(t.oid, 'pg_type')"
            ),
            deps = deps(
                schema,
                &[
                    ("pg_type", "t.oid"),
                    ("pg_constraint", "SELECT k.oid FROM pg_constraint k WHERE k.contypid = t.oid"),
                ]
            ),
            own = own("pg_type", "t.oid"),
        ),
    )?;
    for row in rows {
        let tail = row
            .more
            .as_deref()
            .filter(|m| !m.is_empty())
            .map(|m| format!(" {m}"))
            .unwrap_or_default();
        printed.push(Printed {
            sql: format!(
                "CREATE DOMAIN {} AS {}{}{tail};{}",
                row.qname,
                strip(row.def.as_deref().unwrap_or_default()),
                row.extra.as_deref().unwrap_or_default(),
                split_comments(&row.comments)
            ),
            depends_on: split(&row.deps),
        });
    }

    // Composite types, and range types with no more than a subtype and its difference.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(t.typname) AS qname, \
             CASE WHEN t.typtype = 'c' THEN (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod) \
               || CASE WHEN a.attcollation <> at.typcollation THEN ' COLLATE ' || quote_ident(co.collname) ELSE '' END, ', ' ORDER BY a.attnum) \
               FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation \
               WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) \
             ELSE (SELECT 'SUBTYPE = ' || format_type(rg.rngsubtype, NULL) || CASE WHEN rg.rngsubdiff <> 0 THEN ', SUBTYPE_DIFF = ' || rg.rngsubdiff::regproc::text ELSE '' END \
               FROM pg_range rg WHERE rg.rngtypid = t.oid) END AS def, \
             t.typtype::text AS extra, \
             (SELECT CASE WHEN rg.rngcanonical <> 0 OR rg.rngcollation <> (SELECT st.typcollation FROM pg_type st WHERE st.oid = rg.rngsubtype) \
               OR NOT (SELECT oc.opcdefault FROM pg_opclass oc WHERE oc.oid = rg.rngsubopc) THEN 'unsupported' END FROM pg_range rg WHERE rg.rngtypid = t.oid) AS more, \
             false AS flag, {comments} AS comments, {deps} AS deps \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class c ON c.oid = t.typrelid \
             WHERE n.nspname = {s} AND ((t.typtype = 'c' AND c.relkind = 'c') OR t.typtype = 'r') AND {own} ORDER BY t.typname",
            comments = comments(
                "SELECT 'TYPE ' || quote_ident(t.typname), obj_description(t.oid, 'pg_type')"
            ),
            deps = deps(
                schema,
                &[("pg_class", "t.typrelid"), ("pg_type", "t.oid")]
            ),
            own = own("pg_type", "t.oid"),
        ),
    )?;
    for row in rows {
        if row.more.as_deref() == Some("unsupported") {
            unrepresented.push(Unrepresented {
                object: format!("type {}", unquote(&row.qname)),
                reason: "a range type with a canonical function, a collation or an operator class of its own is not captured; create it with m.sql in a migration".into(),
            });
            continue;
        }
        let body = strip(row.def.as_deref().unwrap_or_default());
        let sql = if row.extra.as_deref() == Some("r") {
            format!("CREATE TYPE {} AS RANGE ({body});", row.qname)
        } else {
            format!("CREATE TYPE {} AS ({body});", row.qname)
        };
        printed.push(Printed {
            sql: format!("{sql}{}", split_comments(&row.comments)),
            depends_on: split(&row.deps),
        });
    }

    // Row-level security policies, each with its table's ENABLE (and FORCE) ROW LEVEL SECURITY.
    let rows: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident(p.polname) AS qname, quote_ident(c.relname) AS extra, \
             concat_ws(' ', CASE WHEN NOT p.polpermissive THEN 'AS RESTRICTIVE' END, \
               CASE p.polcmd WHEN 'r' THEN 'FOR SELECT' WHEN 'a' THEN 'FOR INSERT' WHEN 'w' THEN 'FOR UPDATE' WHEN 'd' THEN 'FOR DELETE' END, \
               CASE WHEN NOT (0::oid = ANY (p.polroles)) THEN 'TO ' || (SELECT string_agg(quote_ident(ro.rolname), ', ' ORDER BY ro.rolname) \
                 FROM pg_roles ro WHERE ro.oid = ANY (p.polroles)) END, \
               'USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', \
               'WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')') AS def, \
             concat_ws(' ', CASE WHEN c.relrowsecurity THEN 'ENABLE' END, CASE WHEN c.relforcerowsecurity THEN 'FORCE' END) AS more, false AS flag, \
             {comments} AS comments, {deps} AS deps \
             FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = {s} ORDER BY c.relname, p.polname",
            comments = comments(
                "SELECT 'POLICY ' || quote_ident(p.polname) || ' ON ' || quote_ident(c.relname), obj_description(p.oid, 'pg_policy')"
            ),
            deps = deps(schema, &[("pg_policy", "p.oid")]),
        ),
    )?;
    for row in rows {
        let table = row.extra.as_deref().unwrap_or_default();
        let mut sql = String::new();
        let flags = row.more.as_deref().unwrap_or_default();
        if flags.contains("ENABLE") {
            sql.push_str(&format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;\n"));
        }
        if flags.contains("FORCE") {
            sql.push_str(&format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY;\n"));
        }
        let clauses = row
            .def
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!(" {d}"))
            .unwrap_or_default();
        sql.push_str(&format!(
            "CREATE POLICY {} ON {table}{};",
            row.qname,
            strip(&clauses)
        ));
        sql.push_str(&split_comments(&row.comments));
        printed.push(Printed {
            sql,
            depends_on: split(&row.deps),
        });
    }

    // What is left out, each once, with the reason.
    let left: Vec<Unrepresented> = load(
        conn,
        format!(
            "SELECT CASE WHEN p.prokind = 'w' THEN 'window function ' ELSE 'aggregate ' END || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' AS object, \
               CASE WHEN p.prokind = 'w' THEN 'a window function needs C code; create it with m.sql in a migration' \
               ELSE 'ordered-set and hypothetical-set aggregates are not captured; create it with m.sql in a migration' END AS reason \
             FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid \
             WHERE n.nspname = {s} AND (p.prokind = 'w' OR (p.prokind = 'a' AND a.aggkind <> 'n')) AND {own_proc} \
             UNION ALL SELECT 'operator ' || o.oprname, 'CREATE OPERATOR is not captured; create it with m.sql in a migration' \
             FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE n.nspname = {s} AND {own_op} \
             UNION ALL SELECT 'base type ' || t.typname, 'a base type needs C functions; create it with m.sql in a migration' \
             FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = {s} AND t.typtype IN ('b', 'p') \
               AND NOT (t.typcategory = 'A' AND t.typelem <> 0) AND {own_type} \
             UNION ALL SELECT 'collation ' || co.collname, 'CREATE COLLATION is not captured; create it with m.sql in a migration' \
             FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace WHERE n.nspname = {s} AND {own_coll} \
             UNION ALL SELECT 'comment on constraint ' || co.conname || ' on ' || c.relname, 'comments on constraints are not kept; add it with m.sql in a migration' \
             FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_description d ON d.classoid = 'pg_constraint'::regclass AND d.objoid = co.oid WHERE n.nspname = {s} \
             UNION ALL SELECT 'comment on index ' || ic.relname, 'comments on the indexes of constraints and partitions are not kept; add it with m.sql in a migration' \
             FROM pg_index ix JOIN pg_class ic ON ic.oid = ix.indexrelid JOIN pg_class tc ON tc.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = tc.relnamespace JOIN pg_description d ON d.classoid = 'pg_class'::regclass AND d.objoid = ic.oid AND d.objsubid = 0 \
             WHERE n.nspname = {s} AND tc.relkind IN ('r', 'p') AND (ix.indisprimary \
               OR EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('u', 'p', 'x')) \
               OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = ix.indexrelid)) \
             UNION ALL SELECT 'storage of column ' || c.relname || '.' || a.attname, 'a column''s STORAGE and COMPRESSION are not kept; set them with m.sql in a migration' \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid \
             WHERE n.nspname = {s} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND (a.attstorage <> t.typstorage OR a.attcompression <> '') \
             UNION ALL SELECT 'options of sequence ' || sc.relname, 'the START, INCREMENT, MINVALUE, MAXVALUE, CACHE and CYCLE of a sequence a column owns are not kept; set them with m.sql in a migration' \
             FROM pg_sequence q JOIN pg_class sc ON sc.oid = q.seqrelid JOIN pg_namespace n ON n.oid = sc.relnamespace \
             WHERE n.nspname = {s} AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = sc.oid \
               AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')) \
             AND NOT (q.seqstart = 1 AND q.seqincrement = 1 AND q.seqmin = 1 AND q.seqcache = 1 AND NOT q.seqcycle \
               AND q.seqmax = CASE q.seqtypid WHEN 'int2'::regtype THEN 32767 WHEN 'int4'::regtype THEN 2147483647 ELSE 9223372036854775807 END) \
             UNION ALL SELECT 'schema ' || n.nspname, 'only the current schema is adopted, so its ' || \
               (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {own_class}) || \
               ' table(s) and view(s) are left out; to manage them, connect with options=-csearch_path%3D' || n.nspname \
             FROM pg_namespace n WHERE n.nspname <> {s} AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
               AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%' AND {own_schema} \
               AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {own_class}) \
             UNION ALL SELECT 'foreign table ' || c.relname, 'foreign tables are not captured' \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {s} AND c.relkind = 'f' \
             UNION ALL SELECT 'statistics ' || st.stxname, 'CREATE STATISTICS is not captured; create it with m.sql in a migration' \
             FROM pg_statistic_ext st JOIN pg_namespace n ON n.oid = st.stxnamespace WHERE n.nspname = {s} \
             UNION ALL SELECT 'event trigger ' || et.evtname, 'event triggers belong to the database, not to a schema, and are not captured' \
             FROM pg_event_trigger et WHERE NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_event_trigger'::regclass AND e.objid = et.oid AND e.deptype = 'e') \
             UNION ALL SELECT 'row-level security on ' || c.relname, 'the table has row-level security enabled and no policy; declare a policy, whose file enables it' \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {s} AND c.relkind IN ('r', 'p') AND c.relrowsecurity \
               AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) \
             ORDER BY 1",
            own_proc = own("pg_proc", "p.oid"),
            own_op = own("pg_operator", "o.oid"),
            own_type = own("pg_type", "t.oid"),
            own_coll = own("pg_collation", "co.oid"),
            own_class = own("pg_class", "c.oid"),
            own_schema = own("pg_namespace", "n.oid"),
        ),
    )?;
    unrepresented.extend(left);

    // Tables that need something left out: a baseline could not create them.
    let table_needs: Vec<Unrepresented> = load(
        conn,
        format!(
            "SELECT object, reason FROM (SELECT DISTINCT 'table ' || c.relname AS object, {key} AS reason FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'n' \
             CROSS JOIN LATERAL (SELECT d.refclassid AS cls, COALESCE((SELECT t.typelem FROM pg_type t WHERE d.refclassid = 'pg_type'::regclass \
               AND t.oid = d.refobjid AND t.typcategory = 'A' AND t.typelem <> 0), d.refobjid) AS obj) r \
             LEFT JOIN LATERAL (SELECT x.extname FROM pg_depend m JOIN pg_extension x ON x.oid = m.refobjid \
               WHERE m.classid = r.cls AND m.objid = r.obj AND m.deptype = 'e' LIMIT 1) ext ON true \
             WHERE n.nspname = {s} AND c.relkind IN ('r', 'p')) x WHERE reason IS NOT NULL ORDER BY 1, 2",
            key = key_expr(schema),
        ),
    )?;

    let (objects, mut blocked) = read_printed(printed, tables, Backend::Postgres)?;
    let captured: std::collections::BTreeSet<String> = objects
        .iter()
        .map(|o| o.key().to_string())
        .chain(tables.iter().map(|t| format!("table {t}")))
        .collect();
    for need in table_needs {
        if !captured.contains(&need.reason) && need.object != format!("table {HISTORY_TABLE}") {
            blocked.push(format!("{} uses {}", need.object, need.reason));
        }
    }
    Ok(Capture {
        objects,
        unrepresented,
        blocked,
    })
}

#[derive(QueryableByName)]
struct SequenceRow {
    #[diesel(sql_type = Text)]
    qname: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Text)]
    start: String,
    #[diesel(sql_type = Text)]
    increment: String,
    #[diesel(sql_type = Text)]
    min: String,
    #[diesel(sql_type = Text)]
    max: String,
    #[diesel(sql_type = Text)]
    cache: String,
    #[diesel(sql_type = Bool)]
    cycle: bool,
    #[diesel(sql_type = Text)]
    comments: String,
}

impl SequenceRow {
    /// `CREATE SEQUENCE` with the options that differ from what PostgreSQL would choose.
    fn sql(&self) -> String {
        let (type_min, type_max) = match self.ty.as_str() {
            "smallint" => ("-32768", "32767"),
            "integer" => ("-2147483648", "2147483647"),
            _ => ("-9223372036854775808", "9223372036854775807"),
        };
        let descending = self.increment.starts_with('-');
        let (default_min, default_max) = if descending {
            (type_min, "-1")
        } else {
            ("1", type_max)
        };
        let default_start = if descending { &self.max } else { &self.min };
        let mut sql = format!("CREATE SEQUENCE {}", self.qname);
        if self.ty != "bigint" {
            sql.push_str(&format!(" AS {}", self.ty));
        }
        if self.increment != "1" {
            sql.push_str(&format!(" INCREMENT BY {}", self.increment));
        }
        if self.min != default_min {
            sql.push_str(&format!(" MINVALUE {}", self.min));
        }
        if self.max != default_max {
            sql.push_str(&format!(" MAXVALUE {}", self.max));
        }
        if self.start != *default_start {
            sql.push_str(&format!(" START WITH {}", self.start));
        }
        if self.cache != "1" {
            sql.push_str(&format!(" CACHE {}", self.cache));
        }
        if self.cycle {
            sql.push_str(" CYCLE");
        }
        sql.push(';');
        sql
    }
}

/// `CREATE EXTENSION` as the capture prints it, with `CREATE SCHEMA` first when the extension
/// lives outside the current schema (a baseline then finds its schema).
fn extension_sql(qname: &str, qschema: &str, version: &str, elsewhere: bool) -> String {
    let mut sql = String::new();
    if elsewhere {
        sql.push_str(&format!("CREATE SCHEMA IF NOT EXISTS {qschema};\n"));
    }
    sql.push_str(&format!(
        "CREATE EXTENSION IF NOT EXISTS {qname} WITH SCHEMA {qschema} VERSION {};",
        lit(version)
    ));
    sql
}

fn unquote(qname: &str) -> String {
    crate::introspect::unquote(qname)
}

/// `expected` created in a scratch schema of this database inside a transaction that is rolled
/// back, and read back as the live schema is: its tables by introspection, its objects as
/// [`capture`] prints them. Extensions belong to the database: the declared ones are printed
/// from their declarations, with the schema and version the server would choose.
pub fn shadow(conn: &mut PgConnection, expected: &Schema) -> Result<Schema> {
    // Unique to this process and call: another comparison may run beside it.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch = format!("__migrate_shadow_{}_{call}", std::process::id());
    let path: Vec<One> = load(
        conn,
        "SELECT current_setting('search_path') AS value".into(),
    )?;
    let path = path.first().map(|p| p.value.clone()).unwrap_or_default();
    let current: Vec<One> = load(conn, "SELECT current_schema()::text AS value".into())?;
    let current = current.first().map(|c| c.value.clone()).unwrap_or_default();
    // An extension belongs to the database: one installed stays as it is, one declared but not
    // installed is installed for the comparison, and rolled back.
    let mut building = expected.clone();
    for o in &mut building.objects {
        if o.kind == ObjectKind::Extension {
            o.definition = format!(
                "CREATE EXTENSION IF NOT EXISTS \"{}\" CASCADE",
                o.name.replace('"', "\"\"")
            );
        }
    }
    let statements = super::objects::build_statements(&building, Backend::Postgres)?;
    let tables: Vec<String> = expected.tables.iter().map(|t| t.name.clone()).collect();
    let extensions: Vec<&DbObject> = expected
        .objects
        .iter()
        .filter(|o| o.kind == ObjectKind::Extension)
        .collect();

    let exec = |conn: &mut PgConnection, sql: &str| {
        conn.batch_execute(sql).map_err(|e| Error::Database {
            context: sql.to_string(),
            message: e.to_string(),
        })
    };
    exec(conn, "BEGIN")?;
    let result = (|| -> Result<Schema> {
        exec(conn, &format!("CREATE SCHEMA \"{scratch}\""))?;
        exec(
            conn,
            &format!("SET LOCAL search_path TO \"{scratch}\", {path}"),
        )?;
        run_all(&statements, |sql| exec(conn, sql))?;
        let mut printed = crate::introspect::introspect_postgres(conn)?;
        let mut captured = capture(conn, &scratch, &tables)?.objects;
        captured.retain(|o| o.kind != ObjectKind::Extension);
        for e in &extensions {
            captured.push(declared_extension(conn, e, &current)?);
        }
        captured.sort_by_key(DbObject::key);
        printed.objects = captured;
        Ok(printed)
    })();
    let _ = exec(conn, "ROLLBACK");
    result
}

/// A declared extension as [`capture`] would print it once created: the schema it names, or
/// the current one; the version it names, or the default one.
fn declared_extension(
    conn: &mut PgConnection,
    declared: &DbObject,
    current: &str,
) -> Result<DbObject> {
    use crate::objects::sql::{self, Head};
    let flavor = Flavor(Backend::Postgres);
    let (schema, version) = sql::statements(&declared.definition, flavor)
        .ok()
        .and_then(|statements| {
            statements.iter().find_map(|s| match sql::head(s, flavor) {
                Ok(Head::Object(h)) => Some(sql::extension_options(s, &h, flavor)),
                _ => None,
            })
        })
        .unwrap_or((None, None));
    let facts: Vec<Row> = load(
        conn,
        format!(
            "SELECT quote_ident({name}) AS qname, quote_ident(COALESCE({schema}, {current})) AS def, \
             COALESCE({version}, (SELECT default_version FROM pg_available_extensions WHERE name = {name})) AS extra, \
             COALESCE({schema}, {current}) AS more, (COALESCE({schema}, {current}) <> {current}) AS flag, \
             '' AS comments, '' AS deps",
            name = lit(&declared.name),
            current = lit(current),
            schema = schema.as_deref().map_or("NULL::text".to_string(), lit),
            version = version.as_deref().map_or("NULL::text".to_string(), lit),
        ),
    )?;
    let row = facts.into_iter().next().ok_or_else(|| Error::Database {
        context: format!("extension {}", declared.name),
        message: "no row".into(),
    })?;
    let sql = extension_sql(
        &row.qname,
        row.def.as_deref().unwrap_or_default(),
        row.extra.as_deref().unwrap_or_default(),
        row.flag,
    );
    let mut object = crate::objects::parse(&sql, Backend::Postgres)
        .map_err(|e| Error::Database {
            context: sql.clone(),
            message: e.message,
        })?
        .object;
    object.depends_on = declared.depends_on.clone();
    Ok(object)
}
