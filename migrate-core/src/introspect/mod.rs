//! Introspection: a live database read back into the schema types, normalised so that after
//! `up` the diff between the database and the target snapshot plans nothing.

use crate::schema::{DefaultValue, EnumType, Schema, SqlType};

#[cfg(feature = "mysql")]
mod mysql;
pub mod objects;
#[cfg(feature = "mysql")]
pub mod objects_mysql;
#[cfg(feature = "postgres")]
pub mod objects_postgres;
#[cfg(feature = "sqlite")]
pub mod objects_sqlite;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
mod sqlite_ddl;
#[cfg(feature = "mysql")]
pub use mysql::introspect_mysql;
#[cfg(feature = "postgres")]
pub use postgres::introspect_postgres;
#[cfg(feature = "sqlite")]
pub use sqlite::introspect_sqlite;

/// The vocabulary type of a SQLite declared type: the type the SQLite dialect writes with
/// exactly this spelling, or the spelling itself (`INT`, `DECIMAL(5,2)`, `datetime`), which
/// the dialect writes back verbatim and Diesel maps by its affinity.
pub fn sqlite_type(declared: &str) -> SqlType {
    use SqlType::*;
    let declared = declared.trim();
    let known = if declared == "BLOB" {
        Some(Binary)
    } else {
        declared.parse::<SqlType>().ok()
    };
    match known {
        Some(
            ty @ (SmallInt | Integer | BigInt | Real | Double | Numeric(_) | Boolean | Text
            | Varchar(_) | Char(_) | Binary | Date | Time | Timestamp | TimestampTz | Uuid
            | Json),
        ) if crate::dialect::SqliteDialect::type_name(&ty) == declared => ty,
        _ => Custom(declared.to_string()),
    }
}

/// Whether a declared type makes an only `PRIMARY KEY` column the rowid's alias.
pub fn is_rowid_type(ty: &SqlType) -> bool {
    match ty {
        SqlType::Integer => true,
        SqlType::Custom(name) => name.eq_ignore_ascii_case("INTEGER"),
        _ => false,
    }
}

/// A SQLite `dflt_value` read back as the default the column was created with.
pub fn sqlite_default(raw: &str, ty: &SqlType) -> DefaultValue {
    let raw = raw.trim();
    if raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\'') {
        return DefaultValue::Text(raw[1..raw.len() - 1].replace("''", "'"));
    }
    if *ty == SqlType::Boolean {
        match raw {
            "0" | "FALSE" | "false" => return DefaultValue::Bool(false),
            "1" | "TRUE" | "true" => return DefaultValue::Bool(true),
            _ => {}
        }
    }
    if let Ok(i) = raw.parse::<i64>() {
        return DefaultValue::Int(i);
    }
    if raw.parse::<f64>().is_ok() && raw.contains(['.', 'e', 'E']) {
        return DefaultValue::Float(raw.to_string());
    }
    let expr = raw
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(raw);
    DefaultValue::Sql(expr.to_string())
}

/// Aligns what SQLite cannot tell apart: an auto-increment key must be declared `INTEGER` to be
/// the rowid, so a `bigint` or `smallint` key reads back as `integer`. Where `expected` has such
/// a key and `live` has the `integer` one, `live` takes the expected type.
pub fn align_sqlite_keys(live: &mut crate::schema::Schema, expected: &crate::schema::Schema) {
    for table in &mut live.tables {
        let Some(want) = expected.table(&table.name) else {
            continue;
        };
        for column in &mut table.columns {
            let Some(w) = want.column(&column.name) else {
                continue;
            };
            if column.auto_increment
                && w.auto_increment
                && column.ty == SqlType::Integer
                && w.ty.is_integer()
            {
                column.ty = w.ty.clone();
            }
        }
    }
}

/// The name introspection gives the enum of a column on the backends that keep an enum's values
/// in its columns (MySQL, SQLite): [`align_enums`] puts the snapshot's name in its place.
pub fn column_enum_name(table: &str, column: &str) -> String {
    format!("{table}_{column}")
}

/// The quoted values of a list such as `('a', 'b''c')`, `''` and (`backslash`) backslash
/// escapes undone; `None` when something other than string literals and commas is in it.
pub fn quoted_list(text: &str, backslash: bool) -> Option<Vec<String>> {
    let mut values = Vec::new();
    let mut chars = text.trim().chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.next() {
            None => return Some(values),
            Some('\'') => {}
            Some(_) => return None,
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                '\'' => break,
                '\\' if backslash => value.push(chars.next()?),
                c => value.push(c),
            }
        }
        values.push(value);
    }
}

/// The values of MySQL's `enum('a','b')` column type.
pub fn mysql_enum_values(spelling: &str) -> Option<Vec<String>> {
    let s = spelling.trim();
    let inner = s
        .get(..5)
        .filter(|head| head.eq_ignore_ascii_case("enum("))
        .and_then(|_| s[5..].strip_suffix(')'))?;
    quoted_list(inner, true)
}

/// A SQLite column definition's `CHECK ("col" IN ('a', 'b'))`, as the SQLite dialect writes an
/// enum column: the column it names and the values.
pub fn sqlite_enum_check(part: &str) -> Option<(String, Vec<String>)> {
    let upper = part.to_ascii_uppercase();
    let start = upper.find("CHECK")?;
    let rest = part[start + 5..].trim_start().strip_prefix('(')?;
    // The balanced body of the CHECK.
    let mut depth = 1usize;
    let mut quote: Option<char> = None;
    let mut end = None;
    for (i, ch) in rest.char_indices() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => {}
            None => match ch {
                '\'' | '"' | '`' => quote = Some(ch),
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            },
        }
    }
    let body = rest[..end?].trim();
    let in_at = body.to_ascii_uppercase().rfind(" IN ")?;
    let column = unquote(&body[..in_at]);
    let list = body[in_at + 4..]
        .trim()
        .strip_prefix('(')?
        .strip_suffix(')')?;
    Some((column, quoted_list(list, false)?))
}

/// Where introspection found an enum column under its column name ([`column_enum_name`]) and
/// `expected` has the same values under a name of its own, `live` takes that name; the enum
/// types of `live` are then those its columns use. Left alone, a column whose values differ
/// shows as the drift it is.
pub fn align_enums(live: &mut Schema, expected: &Schema) {
    let mut found: Vec<EnumType> = std::mem::take(&mut live.enums);
    for table in &mut live.tables {
        for column in &mut table.columns {
            let Some(name) = column.ty.enum_name().map(str::to_string) else {
                continue;
            };
            let Some(want) = expected
                .table(&table.name)
                .and_then(|t| t.column(&column.name))
                .and_then(|c| c.ty.enum_name())
            else {
                continue;
            };
            let values = found
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.values.clone());
            if want != name && values.as_deref() == Some(expected.enum_values(want)) {
                column.ty = SqlType::Enum(want.to_string());
                if !found.iter().any(|e| e.name == want) {
                    found.push(EnumType {
                        name: want.to_string(),
                        values: values.unwrap_or_default(),
                    });
                }
            }
        }
    }
    // Column-kept enums exist while a column uses them; a server's named types stay as read.
    let used: std::collections::BTreeSet<String> = live
        .tables
        .iter()
        .flat_map(|t| &t.columns)
        .filter_map(|c| c.ty.enum_name().map(str::to_string))
        .collect();
    let named = |e: &EnumType| {
        !live.tables.iter().any(|t| {
            t.columns
                .iter()
                .any(|c| column_enum_name(&t.name, &c.name) == e.name)
        })
    };
    found.retain(|e| used.contains(&e.name) || named(e));
    found.dedup_by(|a, b| a.name == b.name);
    live.enums = found;
    live.normalize();
}

/// Aligns a live schema with the one it is compared with, for what the backend cannot tell:
/// SQLite's key types ([`align_sqlite_keys`]) and enum names ([`align_enums`]).
pub fn align(live: &mut Schema, expected: &Schema, backend: crate::dialect::Backend) {
    if backend == crate::dialect::Backend::Sqlite {
        align_sqlite_keys(live, expected);
    }
    if backend == crate::dialect::Backend::Mysql {
        align_mysql_uniques(live, expected);
        align_mysql_types(live, expected);
    }
    align_enums(live, expected);
}

/// Where two types are one type on MySQL (`timestamptz` and `timestamptz(6)` are both
/// `TIMESTAMP(6)`), `live` takes the spelling `expected` uses.
pub fn align_mysql_types(live: &mut Schema, expected: &Schema) {
    use crate::dialect::MysqlDialect;
    for table in &mut live.tables {
        let Some(want) = expected.table(&table.name) else {
            continue;
        };
        for column in &mut table.columns {
            if let Some(other) = want.column(&column.name) {
                if other.ty != column.ty
                    && other.ty.enum_name().is_none()
                    && MysqlDialect::type_name(&other.ty) == MysqlDialect::type_name(&column.ty)
                {
                    column.ty = other.ty.clone();
                }
            }
        }
    }
}

/// MySQL keeps no difference between a unique constraint and a plain unique index on the same
/// columns: where `expected` has the other form under the same name and columns, `live` takes
/// it.
pub fn align_mysql_uniques(live: &mut Schema, expected: &Schema) {
    for table in &mut live.tables {
        let Some(want) = expected.table(&table.name) else {
            continue;
        };
        let indexes = std::mem::take(&mut table.indexes);
        for index in indexes {
            let as_unique = want.uniques.iter().find(|u| u.name == index.name);
            match as_unique {
                Some(unique) if index.is_unique_on(&unique.columns) && index.comment.is_none() => {
                    table.uniques.push(unique.clone())
                }
                _ => table.indexes.push(index),
            }
        }
        let uniques = std::mem::take(&mut table.uniques);
        for unique in uniques {
            match want.indexes.iter().find(|i| i.name == unique.name) {
                Some(index) if index.is_unique_on(&unique.columns) && index.comment.is_none() => {
                    table.indexes.push(index.clone())
                }
                _ => table.uniques.push(unique),
            }
        }
        table.normalize();
    }
}

/// The top-level parts of a `CREATE TABLE` body (columns and table constraints), split at the
/// commas that are outside parentheses and quotes.
pub fn split_table_body(sql: &str) -> Vec<String> {
    let Some(open) = sql.find('(') else {
        return Vec::new();
    };
    let body = &sql[open + 1..];
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for ch in body.chars() {
        match quote {
            Some(q) => {
                current.push(ch);
                if ch == q {
                    quote = None;
                }
                continue;
            }
            None if matches!(ch, '\'' | '"' | '`' | '[') => {
                quote = Some(if ch == '[' { ']' } else { ch });
                current.push(ch);
                continue;
            }
            None => {}
        }
        match ch {
            '(' => {
                depth += 1;
                current.push(ch);
            }
            ')' if depth == 0 => {
                parts.push(current.trim().to_string());
                return parts;
            }
            ')' => {
                depth -= 1;
                current.push(ch);
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut current).trim().to_string()),
            _ => current.push(ch),
        }
    }
    parts
}

/// Strips one level of identifier quoting.
pub fn unquote(ident: &str) -> String {
    let ident = ident.trim();
    for (open, close) in [('"', '"'), ('`', '`'), ('[', ']')] {
        if ident.len() >= 2 && ident.starts_with(open) && ident.ends_with(close) {
            let inner = &ident[1..ident.len() - 1];
            return if open == '"' {
                inner.replace("\"\"", "\"")
            } else {
                inner.to_string()
            };
        }
    }
    ident.to_string()
}

/// `CONSTRAINT "name" REST` split into the name and the rest.
pub fn named_constraint(part: &str) -> Option<(String, &str)> {
    let rest = part
        .strip_prefix("CONSTRAINT ")
        .or_else(|| part.strip_prefix("constraint "))?;
    let rest = rest.trim_start();
    let end = if let Some(stripped) = rest.strip_prefix('"') {
        let mut i = 0;
        let bytes = stripped.as_bytes();
        loop {
            if i >= bytes.len() {
                return None;
            }
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                break i + 2;
            }
            i += 1;
        }
    } else {
        rest.find(char::is_whitespace)?
    };
    Some((unquote(&rest[..end]), rest[end..].trim_start()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_body_splits_at_top_level_commas() {
        let parts = split_table_body(
            "CREATE TABLE \"t\" (\n \"a\" NUMERIC(10,2) NOT NULL DEFAULT 'x,y',\n CONSTRAINT \"ck\" CHECK (a > 0 AND (b, c) IS NOT NULL)\n)",
        );
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], "\"a\" NUMERIC(10,2) NOT NULL DEFAULT 'x,y'");
        let (name, rest) = named_constraint(&parts[1]).unwrap();
        assert_eq!(name, "ck");
        assert_eq!(rest, "CHECK (a > 0 AND (b, c) IS NOT NULL)");
    }

    #[test]
    fn defaults_read_back_typed() {
        assert_eq!(
            sqlite_default("'it''s'", &SqlType::Text),
            DefaultValue::Text("it's".into())
        );
        assert_eq!(
            sqlite_default("0", &SqlType::Boolean),
            DefaultValue::Bool(false)
        );
        assert_eq!(
            sqlite_default("-3", &SqlType::Integer),
            DefaultValue::Int(-3)
        );
        assert_eq!(
            sqlite_default("1.5", &SqlType::Double),
            DefaultValue::Float("1.5".into())
        );
        assert_eq!(
            sqlite_default("CURRENT_TIMESTAMP", &SqlType::Timestamp),
            DefaultValue::Sql("CURRENT_TIMESTAMP".into())
        );
        assert_eq!(
            sqlite_default("(lower('A'))", &SqlType::Text),
            DefaultValue::Sql("lower('A')".into())
        );
    }

    #[test]
    fn enum_values_read_back() {
        assert_eq!(
            mysql_enum_values("enum('a','it''s','b\\\\c')"),
            Some(vec![
                "a".to_string(),
                "it's".to_string(),
                "b\\c".to_string()
            ])
        );
        assert_eq!(mysql_enum_values("varchar(3)"), None);
        assert_eq!(
            sqlite_enum_check(
                "\"status\" TEXT CHECK (\"status\" IN ('draft', 'it''s')) NOT NULL DEFAULT 'draft'"
            ),
            Some((
                "status".to_string(),
                vec!["draft".to_string(), "it's".to_string()]
            ))
        );
        assert_eq!(sqlite_enum_check("\"n\" INTEGER CHECK (n > 0)"), None);
    }

    #[test]
    fn declared_types_map_back() {
        assert_eq!(sqlite_type("VARCHAR(200)"), SqlType::Varchar(200));
        assert_eq!(sqlite_type("BLOB"), SqlType::Binary);
        assert_eq!(
            sqlite_type("NUMERIC(10,2)"),
            SqlType::Numeric(Some((10, 2)))
        );
        assert_eq!(sqlite_type("BOOLEAN"), SqlType::Boolean);
        assert_eq!(sqlite_type("geometry"), SqlType::Custom("geometry".into()));
        // Kept as written: the dialect writes these back verbatim.
        for declared in [
            "INT",
            "DECIMAL(5,2)",
            "DATETIME",
            "varchar(45)",
            "VARCHAR( 45 )",
            "",
            "VARCHAR(10, 5)",
            "UNSIGNED BIG INT",
            "NATIVE CHARACTER(70)",
            "DOUBLE PRECISION",
            "weird type",
        ] {
            assert_eq!(sqlite_type(declared), SqlType::Custom(declared.into()));
            // The snapshot's spelling reads back.
            let spelled = sqlite_type(declared).to_string();
            assert_eq!(spelled.parse::<SqlType>(), Ok(sqlite_type(declared)));
            assert_eq!(
                crate::dialect::SqliteDialect::type_name(&sqlite_type(declared)),
                declared
            );
        }
        // Types SQLite does not have stay names too.
        assert_eq!(sqlite_type("JSONB"), SqlType::Custom("JSONB".into()));
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod round_trip {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;

    use crate::dialect::{render_all, SqliteDialect};
    use crate::diff::diff;
    use crate::schema::Schema;

    #[test]
    fn created_schema_reads_back_equal() {
        let target = crate::codegen::tests::blog_schema();
        let plan = diff(&Schema::default(), &target).unwrap();
        let (statements, _) = render_all(&SqliteDialect, &Schema::default(), &plan.up).unwrap();
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute(&statements.join(";\n")).unwrap();
        let live = super::introspect_sqlite(&mut conn).unwrap();
        assert_eq!(live, target);
        assert!(diff(&live, &target).unwrap().is_empty());
    }

    /// Names, AUTOINCREMENT, declared types, collations, generated columns, deferrable keys,
    /// options and index forms read back as the dialect wrote them.
    #[test]
    fn every_sqlite_property_reads_back_equal() {
        use crate::schema::{
            Column, Deferrable, ForeignKey, Generated, Identity, Index, IndexColumn, SqlType, Table,
        };
        let mut t = Table::new("film");
        t.columns.push(Column {
            auto_increment: true,
            identity: Some(Identity::Autoincrement),
            ..Column::new("id", SqlType::Integer)
        });
        t.columns.push(Column {
            collation: Some("NOCASE".into()),
            ..Column::new("title", SqlType::Custom("VARCHAR( 45 )".into()))
        });
        t.columns.push(Column {
            nullable: true,
            generated: Some(Generated {
                expr: "length(title)".into(),
                stored: true,
            }),
            ..Column::new("len", SqlType::Custom("INT".into()))
        });
        t.primary_key = vec!["id".into()];
        t.primary_key_name = Some("film_pk".into());
        t.foreign_keys.push(ForeignKey {
            name: "fk_film_self".into(),
            columns: vec!["len".into()],
            ref_table: "film".into(),
            ref_columns: vec!["id".into()],
            deferrable: Some(Deferrable::Deferred),
            ..ForeignKey::default()
        });
        t.indexes.push(Index {
            unique: true,
            predicate: Some("len > 0".into()),
            ..Index::new(
                "ix_film",
                [
                    IndexColumn::expression("lower(title)").desc(),
                    IndexColumn::column("title").collation("NOCASE"),
                ],
            )
        });
        let mut settings = Table::new("settings");
        settings.columns.push(Column::new("key", SqlType::Text));
        settings
            .columns
            .push(Column::new("value", SqlType::Custom("ANY".into())));
        settings.primary_key = vec!["key".into()];
        settings.primary_key_name = Some("settings_pk".into());
        settings.options.without_rowid = true;
        settings.options.strict = true;
        // Declared types only SQLite's affinity rules read, and no type at all (a generated
        // column among them), created and read back as written.
        let mut odd = Table::new("odd");
        odd.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        for (name, declared) in [
            ("a", ""),
            ("b", "VARCHAR(10, 5)"),
            ("c", "UNSIGNED BIG INT"),
            ("d", "NATIVE CHARACTER(70)"),
            ("e", "DOUBLE PRECISION"),
            ("f", "weird type"),
        ] {
            odd.columns.push(Column {
                nullable: true,
                ..Column::new(name, SqlType::Custom(declared.into()))
            });
        }
        odd.columns.push(Column {
            nullable: true,
            generated: Some(Generated {
                expr: "id * 2".into(),
                stored: false,
            }),
            ..Column::new("g", SqlType::Custom(String::new()))
        });
        odd.primary_key = vec!["id".into()];
        let target = Schema::new(vec![t, settings, odd]);
        let plan = diff(&Schema::default(), &target).unwrap();
        let (statements, _) = render_all(&SqliteDialect, &Schema::default(), &plan.up).unwrap();
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        conn.batch_execute(&statements.join(";\n")).unwrap();
        let live = super::introspect_sqlite(&mut conn).unwrap();
        assert_eq!(live, target);
    }
}
