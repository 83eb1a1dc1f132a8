//! Rows on PostgreSQL and MySQL for the server round trips: a few rows per table, every value
//! derived from its column's type, then counted after each step so that a lost row fails.
//!
//! Row `i` (1-based) holds values distinct per row (unique constraints hold) and equal across
//! columns of one type (a foreign key to `id` finds its row). Generated columns and `GENERATED
//! ALWAYS` identity columns take no explicit value; the server computes them.

use migrate_core::dialect::Backend;
use migrate_core::schema::{Column, Identity, Schema, SqlType};

use crate::ServerDb;

fn quote(backend: Backend, name: &str) -> String {
    backend.dialect().quote(name)
}

/// `text` cut to `n` characters from the right (`v12` in `char(2)` is `12`), so that it fits.
fn fit(text: &str, n: u32) -> String {
    let skip = text.chars().count().saturating_sub(n as usize);
    text.chars().skip(skip).collect()
}

/// `i` in binary, exactly `n` bits (wrapping), as `BIT(n)` takes it.
fn bits(i: usize, n: u32) -> String {
    let n = n.clamp(1, 64) as usize;
    let value = if n >= 64 { i } else { i % (1 << n) };
    format!("{value:0n$b}")
}

/// The value of a column of `ty` in row `i`, as a SQL literal of `backend`.
///
/// Panics on a type no rule covers, naming it: a round trip never skips a table silently.
pub fn literal(backend: Backend, schema: &Schema, ty: &SqlType, i: usize) -> String {
    let pg = backend == Backend::Postgres;
    match ty {
        // Every row holds the first value, which the enum scenarios keep (or rename).
        SqlType::Enum(name) => format!("'{}'", schema.enum_values(name)[0]),
        SqlType::Set(values) => format!("'{}'", values[0]),
        SqlType::SmallInt
        | SqlType::Integer
        | SqlType::BigInt
        | SqlType::TinyInt
        | SqlType::MediumInt => i.to_string(),
        SqlType::Unsigned(inner) => literal(backend, schema, inner, i),
        SqlType::Real | SqlType::Double => format!("{i}.5"),
        SqlType::Numeric(_) | SqlType::Money => format!("{i}.25"),
        SqlType::Boolean if pg => (if i % 2 == 1 { "TRUE" } else { "FALSE" }).to_string(),
        SqlType::Boolean => (i % 2).to_string(),
        SqlType::Text
        | SqlType::VarcharUnbounded
        | SqlType::TinyText
        | SqlType::MediumText
        | SqlType::LongText => format!("'v{i}'"),
        SqlType::Varchar(n) | SqlType::Char(n) => format!("'{}'", fit(&format!("v{i}"), *n)),
        SqlType::Binary if pg => format!("decode('{i:02x}', 'hex')"),
        SqlType::Binary
        | SqlType::FixedBinary(_)
        | SqlType::VarBinary(_)
        | SqlType::TinyBlob
        | SqlType::MediumBlob
        | SqlType::LongBlob => format!("X'{i:02x}'"),
        SqlType::Bit(n) if pg => format!("B'{}'", bits(i, *n)),
        SqlType::Bit(n) => format!("b'{}'", bits(i, *n)),
        SqlType::VarBit(n) => format!("B'{}'", bits(i, n.unwrap_or(8).min(8))),
        SqlType::Date => format!("'2026-01-{i:02}'"),
        SqlType::Time | SqlType::TimePrecision(_) => format!("'10:00:{i:02}'"),
        SqlType::TimeTz | SqlType::TimeTzPrecision(_) => format!("'10:00:{i:02}+00'"),
        SqlType::Timestamp
        | SqlType::TimestampPrecision(_)
        | SqlType::TimestampTz
        | SqlType::TimestampTzPrecision(_) => format!("'2026-01-{i:02} 10:00:00'"),
        SqlType::Interval => format!("'{i} days'"),
        SqlType::Year => (2000 + i).to_string(),
        SqlType::Uuid => format!("'00000000-0000-0000-0000-{i:012}'"),
        SqlType::Json | SqlType::Jsonb => format!("'{{\"n\": {i}}}'"),
        SqlType::Inet => format!("'10.0.0.{i}'"),
        SqlType::Cidr => format!("'10.0.{i}.0/24'"),
        SqlType::MacAddr => format!("'08:00:2b:01:02:{i:02x}'"),
        SqlType::MacAddr8 => format!("'08:00:2b:01:02:03:04:{i:02x}'"),
        SqlType::Array(_) if pg => format!("'{}'", array_text(backend, schema, ty, i)),
        SqlType::Custom(name) => custom_literal(name, i),
        other => panic!("no {backend} literal of {other}: add one to server_rows::literal"),
    }
}

/// A PostgreSQL array literal's text (`{"v1"}`, `{{"1.5"}}`): one element per dimension, each
/// the element type's literal as a quoted element.
fn array_text(backend: Backend, schema: &Schema, ty: &SqlType, i: usize) -> String {
    match ty {
        SqlType::Array(inner) => format!("{{{}}}", array_text(backend, schema, inner, i)),
        element => {
            let literal = literal(backend, schema, element, i);
            let bare = literal
                .strip_prefix('\'')
                .and_then(|l| l.strip_suffix('\''))
                .unwrap_or(&literal);
            format!("\"{}\"", bare.replace('"', "\\\""))
        }
    }
}

/// Types named by their spelling: PostgreSQL ranges take a range, the text-like rest (`citext`,
/// `ltree`, `tsvector`, `tsquery`) a word.
fn custom_literal(name: &str, i: usize) -> String {
    let name = name.to_ascii_lowercase();
    if name.starts_with("daterange") {
        format!("'[2026-01-{i:02},2026-02-01)'")
    } else if name.starts_with("tsrange") || name.starts_with("tstzrange") {
        format!("'[2026-01-{i:02} 10:00,2026-01-{i:02} 11:00)'")
    } else if name.ends_with("range") {
        format!("'[{i},{})'", i + 1)
    } else {
        format!("'v{i}'")
    }
}

/// Whether the server fills the column itself and refuses (or overrides) a value for it.
fn computed(column: &Column) -> bool {
    column.generated.is_some() || column.identity == Some(Identity::Always)
}

/// Foreign-key checks off for one script: the seeds go in table order, not dependency order.
fn without_fk_checks(backend: Backend, script: &str) -> String {
    match backend {
        Backend::Postgres => format!(
            "SET session_replication_role = replica;\n{script}SET session_replication_role = DEFAULT;\n"
        ),
        _ => format!("SET FOREIGN_KEY_CHECKS = 0;\n{script}SET FOREIGN_KEY_CHECKS = 1;\n"),
    }
}

/// Inserts `rows` rows in every table with a column to set, the last with NULLs where allowed
/// (when `nulls`), and checks that each such table holds them.
pub fn seed(db: &ServerDb, backend: Backend, schema: &Schema, rows: usize, nulls: bool) {
    let mut script = String::new();
    let mut seeded = Vec::new();
    for table in &schema.tables {
        let columns: Vec<&Column> = table.columns.iter().filter(|c| !computed(c)).collect();
        if columns.is_empty() {
            continue;
        }
        seeded.push((table.name.clone(), rows));
        let names: Vec<String> = columns.iter().map(|c| quote(backend, &c.name)).collect();
        for i in 1..=rows {
            let values: Vec<String> = columns
                .iter()
                .map(|c| {
                    if c.nullable && nulls && i == rows {
                        "NULL".into()
                    } else {
                        literal(backend, schema, &c.ty, i)
                    }
                })
                .collect();
            script.push_str(&format!(
                "INSERT INTO {} ({}) VALUES ({});\n",
                quote(backend, &table.name),
                names.join(", "),
                values.join(", ")
            ));
        }
    }
    if !script.is_empty() {
        db.sql(&without_fk_checks(backend, &script));
    }
    let counts: Vec<(String, usize)> = row_counts(db, backend, schema, schema)
        .into_iter()
        .filter(|(name, _)| seeded.iter().any(|(t, _)| t == name))
        .collect();
    assert_eq!(counts, seeded, "rows seeded");
}

/// The rows of each table of `schema` that `kept` still has, by name: what must survive a
/// change from `schema` to `kept` and back.
pub fn row_counts(
    db: &ServerDb,
    backend: Backend,
    schema: &Schema,
    kept: &Schema,
) -> Vec<(String, usize)> {
    schema
        .tables
        .iter()
        .filter(|t| kept.table(&t.name).is_some())
        .map(|t| {
            let count = db.sql(&format!("SELECT COUNT(*) FROM {}", quote(backend, &t.name)));
            let n = count
                .trim()
                .parse::<usize>()
                .unwrap_or_else(|e| panic!("count of {}: {count:?}: {e}", t.name));
            (t.name.clone(), n)
        })
        .collect()
}

/// Every row of every table of `schema`.
pub fn total_rows(db: &ServerDb, backend: Backend, schema: &Schema) -> usize {
    row_counts(db, backend, schema, schema)
        .into_iter()
        .map(|(_, n)| n)
        .sum()
}

/// Empties every table, before a `down` that cannot invent the values it restores.
pub fn empty(db: &ServerDb, backend: Backend, schema: &Schema) {
    let script: String = schema
        .tables
        .iter()
        .map(|t| format!("DELETE FROM {};\n", quote(backend, &t.name)))
        .collect();
    if !script.is_empty() {
        db.sql(&without_fk_checks(backend, &script));
    }
}
