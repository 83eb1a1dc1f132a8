//! Models written from a schema: the source of one `#[derive(Model)]` struct per table, for
//! `migrate-cli adopt --models FILE`.
//!
//! Pure: no I/O. [`expressible`] first brings a live schema to what the model attributes can
//! say (constraint names are the deterministic ones, a composite foreign key or an expression
//! index has no attribute), listing what it changed or left out; [`render_models`] then writes
//! structs that the source reader and the derive read back to exactly that schema. The output is
//! deterministic and laid out as rustfmt lays it out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::schema::{constraint_name, Column, DefaultValue, FkAction, Schema, SqlType, Table};

/// The widest line rustfmt allows by default.
const MAX_WIDTH: usize = 100;

/// `schema` as the model attributes can express it, and one line per change made on the way
/// (a constraint recorded under its deterministic name, an object left out).
pub fn expressible(schema: &Schema) -> (Schema, Vec<String>) {
    let mut notes = Vec::new();
    let names: BTreeSet<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
    let mut out = schema.clone();
    for table in &mut out.tables {
        let t = table.name.clone();

        if table.primary_key.is_empty() && table.column("id").is_some() {
            notes.push(format!(
                "table {t} has no primary key, but a model makes its `id` the key: `migrate` will report the difference"
            ));
        }

        // A single integer key may be generated; nothing else is.
        let single_key = match table.primary_key.as_slice() {
            [key] => Some(key.clone()),
            _ => None,
        };
        for column in &mut table.columns {
            if column.auto_increment
                && (single_key.as_deref() != Some(column.name.as_str()) || !column.ty.is_integer())
            {
                column.auto_increment = false;
            }
        }

        // Unique constraints: `uq_<table>_<columns>`, one per column list.
        let mut seen = BTreeSet::new();
        let mut uniques = Vec::new();
        for mut unique in std::mem::take(&mut table.uniques) {
            if !seen.insert(unique.columns.clone()) {
                notes.push(format!(
                    "unique constraint {} on {t}({}) repeats another one: left out",
                    unique.name,
                    unique.columns.join(", ")
                ));
                continue;
            }
            let name = constraint_name("uq", &t, &unique.columns, None);
            if unique.name != name && !unique.name.starts_with("sqlite_autoindex_") {
                notes.push(format!(
                    "unique constraint {} on {t} is recorded as {name}",
                    unique.name
                ));
            }
            unique.name = name;
            uniques.push(unique);
        }
        table.uniques = uniques;

        // Foreign keys: one column each, `fk_<table>_<column>_<ref>`.
        let mut fk_columns = BTreeSet::new();
        let mut fks = Vec::new();
        for mut fk in std::mem::take(&mut table.foreign_keys) {
            if fk.columns.len() != 1 || fk.ref_columns.len() != 1 {
                notes.push(format!(
                    "foreign key {} on {t}({}) has several columns, which a model cannot declare: left out",
                    fk.name,
                    fk.columns.join(", ")
                ));
                continue;
            }
            if !names.contains(&fk.ref_table) {
                notes.push(format!(
                    "foreign key {} on {t} refers to {}, which is not adopted: left out",
                    fk.name, fk.ref_table
                ));
                continue;
            }
            if !fk_columns.insert(fk.columns[0].clone()) {
                notes.push(format!(
                    "foreign key {} on {t}.{} is the column's second one: left out",
                    fk.name, fk.columns[0]
                ));
                continue;
            }
            let name = constraint_name("fk", &t, &fk.columns, Some(&fk.ref_table));
            if fk.name != name {
                notes.push(format!(
                    "foreign key {} on {t} is recorded as {name}",
                    fk.name
                ));
            }
            fk.name = name;
            fks.push(fk);
        }
        table.foreign_keys = fks;

        // Float defaults as Rust spells them, so that `default = <literal>` reads back equal.
        for column in &mut table.columns {
            if let Some(DefaultValue::Float(x)) = &column.default {
                if !float_literal(x) {
                    if let Ok(value) = x.parse::<f64>() {
                        let spelled = format!("{value:?}");
                        if float_literal(&spelled) {
                            notes.push(format!(
                                "default {x} of {t}.{} is recorded as {spelled}",
                                column.name
                            ));
                            column.default = Some(DefaultValue::Float(spelled));
                        }
                    }
                }
            }
        }

        // Indexes over plain columns only.
        let columns: BTreeSet<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let mut indexes = Vec::new();
        for index in std::mem::take(&mut table.indexes) {
            // The attributes for the other forms of an index come with the derive's.
            if index.columns.is_empty()
                || !index.is_simple()
                || index.column_names().any(|c| !columns.contains(c))
            {
                notes.push(format!(
                    "index {} on {t} is not over plain columns: left alone",
                    index.name
                ));
                continue;
            }
            indexes.push(index);
        }
        table.indexes = indexes;
        table.normalize();
    }
    (out, notes)
}

/// The Rust source of one `#[derive(Model, Queryable, Selectable, Insertable)]` struct per table
/// of `schema` (as [`expressible`] leaves it), in table order, rustfmt-clean.
pub fn render_models(schema: &Schema) -> String {
    let mut out = String::new();
    out.push_str(
        "//! Models adopted from the database by `migrate-cli adopt`: one struct per table.\n",
    );
    out.push_str("//!\n");
    out.push_str("//! Yours from now on: edit them, then `migrate-cli migrate -m \"...\"`.\n\n");
    out.push_str("use diesel::prelude::*;\n");
    if schema.enums.is_empty() {
        out.push_str("use migrate_core::Model;\n");
    } else {
        out.push_str("use migrate_core::{Model, ModelEnum};\n");
    }
    for e in &schema.enums {
        out.push('\n');
        render_enum(&mut out, e);
    }
    let structs = struct_names(schema);
    for table in &schema.tables {
        out.push('\n');
        render_struct(&mut out, table, &structs[&table.name]);
    }
    out
}

/// A `#[derive(ModelEnum)]` enum of the type's values, each variant naming its value.
fn render_enum(out: &mut String, e: &crate::schema::EnumType) {
    let _ = writeln!(
        out,
        "#[derive(ModelEnum, Debug, Clone, Copy, PartialEq, Eq)]\n#[model(type_name = {})]\npub enum {} {{",
        string_literal(&e.name),
        camel_case(&e.name)
    );
    let mut taken = BTreeSet::new();
    for value in &e.values {
        let base = camel_case(value);
        let mut variant = base.clone();
        let mut n = 2;
        while !taken.insert(variant.clone()) {
            variant = format!("{base}{n}");
            n += 1;
        }
        let _ = writeln!(
            out,
            "    #[model(rename = {})]\n    {variant},",
            string_literal(value)
        );
    }
    out.push_str("}\n");
}

/// `post_status` -> `PostStatus`; a name that is no identifier gets a leading `T`.
fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    if is_keyword(&out) {
        out.push('_');
    }
    out
}

/// The struct name of each table: CamelCase, singular (`blog_posts` -> `BlogPost`), unique.
pub fn struct_names(schema: &Schema) -> BTreeMap<String, String> {
    let mut taken = BTreeSet::new();
    let mut names = BTreeMap::new();
    for table in &schema.tables {
        let base = struct_name(&table.name);
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}{n}");
            n += 1;
        }
        names.insert(table.name.clone(), name);
    }
    names
}

fn struct_name(table: &str) -> String {
    let singular = if table.ends_with("ies") && table.len() > 3 {
        format!("{}y", &table[..table.len() - 3])
    } else if table.ends_with('s') && !table.ends_with("ss") && table.len() > 1 {
        table[..table.len() - 1].to_string()
    } else {
        table.to_string()
    };
    let mut name = String::new();
    for word in singular.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'T');
    }
    if is_keyword(&name) {
        name.push('_');
    }
    name
}

/// The field name of a column: the column name when it is a plain identifier, else a cleaned
/// one with `_` appended (as `diesel print-schema` names `type` as `type_`).
pub fn field_name(column: &str) -> String {
    let plain = !column.is_empty()
        && column
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !column.starts_with(|c: char| c.is_ascii_digit());
    if plain && !is_keyword(column) {
        return column.to_string();
    }
    let mut name: String = column
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name.push('_');
    name
}

fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
        "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
        "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self",
        "Self", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe",
        "unsized", "use", "virtual", "where", "while", "yield", "abstract", "become",
    ];
    KEYWORDS.contains(&word)
}

/// The Rust type `diesel print-schema` maps a column type to (without `Option`).
pub fn rust_field_type(ty: &SqlType) -> String {
    match ty {
        SqlType::SmallInt => "i16".into(),
        SqlType::Integer => "i32".into(),
        SqlType::BigInt => "i64".into(),
        SqlType::Real => "f32".into(),
        SqlType::Double => "f64".into(),
        SqlType::Numeric(_) => "bigdecimal::BigDecimal".into(),
        SqlType::Boolean => "bool".into(),
        SqlType::Text | SqlType::Varchar(_) => "String".into(),
        SqlType::Binary => "Vec<u8>".into(),
        SqlType::Date => "chrono::NaiveDate".into(),
        SqlType::Time => "chrono::NaiveTime".into(),
        SqlType::Timestamp => "chrono::NaiveDateTime".into(),
        SqlType::TimestampTz => "chrono::DateTime<chrono::Utc>".into(),
        SqlType::Uuid => "uuid::Uuid".into(),
        SqlType::Json => "serde_json::Value".into(),
        SqlType::Enum(name) => camel_case(name),
        SqlType::Custom(name) => custom_rust_type(name),
        SqlType::TinyInt => "i8".into(),
        SqlType::MediumInt => "i32".into(),
        SqlType::Unsigned(base) => match base.as_ref() {
            SqlType::TinyInt => "u8".into(),
            SqlType::SmallInt => "u16".into(),
            SqlType::BigInt => "u64".into(),
            _ => "u32".into(),
        },
        SqlType::Jsonb => "serde_json::Value".into(),
        SqlType::VarcharUnbounded
        | SqlType::Char(_)
        | SqlType::TinyText
        | SqlType::MediumText
        | SqlType::LongText => "String".into(),
        SqlType::FixedBinary(_)
        | SqlType::VarBinary(_)
        | SqlType::TinyBlob
        | SqlType::MediumBlob
        | SqlType::LongBlob => "Vec<u8>".into(),
        SqlType::TimePrecision(_) => "chrono::NaiveTime".into(),
        SqlType::TimestampPrecision(_) => "chrono::NaiveDateTime".into(),
        SqlType::TimestampTzPrecision(_) => "chrono::DateTime<chrono::Utc>".into(),
        SqlType::Array(element) => format!("Vec<Option<{}>>", rust_field_type(element)),
        // The Rust types of the rest come with the models of issue 16 (the Diesel side).
        SqlType::Money
        | SqlType::Interval
        | SqlType::Inet
        | SqlType::Cidr
        | SqlType::MacAddr
        | SqlType::MacAddr8
        | SqlType::Bit(_)
        | SqlType::VarBit(_)
        | SqlType::TimeTz
        | SqlType::TimeTzPrecision(_)
        | SqlType::Year
        | SqlType::Set(_) => custom_rust_type(&ty.to_string()),
    }
}

/// The Rust type of a type outside the vocabulary, as Diesel would load it: arrays as `Vec`,
/// `jsonb` as JSON, network and text search types and the rest as text.
fn custom_rust_type(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    if let Some(element) = lower.strip_suffix("[]") {
        return format!("Vec<Option<{}>>", custom_rust_type(element));
    }
    let known = match lower.as_str() {
        "smallint" | "int2" => Some(SqlType::SmallInt),
        "integer" | "int" | "int4" => Some(SqlType::Integer),
        "bigint" | "int8" => Some(SqlType::BigInt),
        "real" | "float4" => Some(SqlType::Real),
        "double precision" | "float8" => Some(SqlType::Double),
        "boolean" | "bool" => Some(SqlType::Boolean),
        "bytea" | "blob" => Some(SqlType::Binary),
        "date" => Some(SqlType::Date),
        "uuid" => Some(SqlType::Uuid),
        "json" | "jsonb" => Some(SqlType::Json),
        "timestamp with time zone" | "timestamptz" => Some(SqlType::TimestampTz),
        "timestamp without time zone" | "timestamp" => Some(SqlType::Timestamp),
        _ => None,
    };
    match known {
        Some(ty) => rust_field_type(&ty),
        None => "String".into(),
    }
}

/// The type a default literal is checked against, when it is one the derive checks.
fn primitive(ty: &SqlType) -> Option<&'static str> {
    Some(match ty {
        SqlType::SmallInt => "i16",
        SqlType::Integer => "i32",
        SqlType::BigInt => "i64",
        SqlType::Real => "f32",
        SqlType::Double => "f64",
        SqlType::Boolean => "bool",
        SqlType::Text | SqlType::Varchar(_) => "String",
        _ => return None,
    })
}

/// Whether `#[model(default = ...)]` of this value passes the derive's type check for `ty`.
fn literal_fits(ty: &SqlType, default: &DefaultValue) -> bool {
    let in_range = |lo: i64, hi: i64, n: i64| (lo..=hi).contains(&n);
    match (primitive(ty), default) {
        (None, _) => true,
        (Some("bool"), DefaultValue::Bool(_)) => true,
        (Some("i16"), DefaultValue::Int(n)) => in_range(i16::MIN.into(), i16::MAX.into(), *n),
        (Some("i32"), DefaultValue::Int(n)) => in_range(i32::MIN.into(), i32::MAX.into(), *n),
        (Some("i64"), DefaultValue::Int(_)) => true,
        (Some("f32" | "f64"), DefaultValue::Int(_) | DefaultValue::Float(_)) => true,
        (Some("String"), DefaultValue::Text(_)) => true,
        _ => false,
    }
}

/// Whether `text` is a Rust float literal whose digits read back as `text`.
fn float_literal(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(mantissa) && exponent.is_some(),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exponent_ok && !text.contains(['E', '+'])
}

/// A Rust string literal of `text`.
fn string_literal(text: &str) -> String {
    format!("{text:?}")
}

fn render_struct(out: &mut String, table: &Table, name: &str) {
    let t = &table.name;
    let fields: BTreeMap<&str, String> = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), field_name(&c.name)))
        .collect();
    let field_of = |column: &str| {
        fields
            .get(column)
            .cloned()
            .unwrap_or_else(|| field_name(column))
    };
    let list = |columns: &[String]| {
        columns
            .iter()
            .map(|c| field_of(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reserved = |columns: &[String]| {
        columns
            .iter()
            .any(|c| matches!(field_of(c).as_str(), "name" | "columns" | "unique"))
    };

    // Struct-level attributes.
    let mut container: Vec<String> = Vec::new();
    let key_is_default = table.primary_key == ["id"] && table.column("id").is_some();
    let field_key = match table.primary_key.as_slice() {
        [key] if !key_is_default => Some(key.clone()),
        _ => None,
    };
    if table.primary_key.len() > 1 {
        container.push(format!("primary_key({})", list(&table.primary_key)));
    }
    let mut field_indexes = BTreeSet::new();
    for index in &table.indexes {
        let index_columns: Vec<String> = index.column_names().map(str::to_string).collect();
        let default_name = constraint_name("ix", t, &index_columns, None);
        if let [column] = index_columns.as_slice() {
            if !index.unique && index.name == default_name && field_indexes.insert(column.clone()) {
                continue;
            }
        }
        let mut parts = Vec::new();
        if index.name != default_name {
            parts.push(format!("name = {}", string_literal(&index.name)));
        }
        if index.name != default_name || reserved(&index_columns) {
            parts.push(format!("columns({})", list(&index_columns)));
        } else {
            parts.push(list(&index_columns));
        }
        if index.unique {
            parts.push("unique".into());
        }
        container.push(format!("index({})", parts.join(", ")));
    }
    let mut field_uniques = BTreeSet::new();
    for unique in &table.uniques {
        if let [column] = unique.columns.as_slice() {
            field_uniques.insert(column.clone());
        } else {
            container.push(format!("unique({})", list(&unique.columns)));
        }
    }
    for check in &table.checks {
        container.push(format!(
            "check(name = {}, expr = {})",
            string_literal(&check.name),
            string_literal(&check.expr)
        ));
    }

    let _ = writeln!(
        out,
        "#[derive(Debug, Model, Queryable, Selectable, Insertable)]"
    );
    let table_path = format!("crate::schema::{}", diesel_table_ident(t));
    let _ = writeln!(out, "#[diesel(table_name = {table_path})]");
    if diesel_table_ident(t) != *t {
        container.insert(0, format!("table = {}", string_literal(t)));
    }
    write_attribute(out, "", "model", &container);
    let _ = writeln!(out, "pub struct {name} {{");
    for column in &table.columns {
        let field = field_of(&column.name);
        let attrs = field_attributes(
            table,
            column,
            &field,
            &field_key,
            &field_indexes,
            &field_uniques,
        );
        write_attribute(out, "    ", "model", &attrs);
        let mut ty = rust_field_type(&column.ty);
        if column.nullable {
            ty = format!("Option<{ty}>");
        }
        let _ = writeln!(out, "    pub {field}: {ty},");
    }
    out.push_str("}\n");
}

/// The name `diesel print-schema` gives a table in `table!`: keywords get a trailing `_`.
fn diesel_table_ident(table: &str) -> String {
    field_name(table)
}

fn field_attributes(
    table: &Table,
    column: &Column,
    field: &str,
    field_key: &Option<String>,
    field_indexes: &BTreeSet<String>,
    field_uniques: &BTreeSet<String>,
) -> Vec<String> {
    let mut attrs = Vec::new();
    if *field != column.name {
        attrs.push(format!("column = {}", string_literal(&column.name)));
    }
    if field_key.as_deref() == Some(column.name.as_str()) {
        attrs.push("primary_key".into());
    }
    let single_key = table.primary_key.len() == 1 && table.primary_key[0] == column.name;
    if single_key && column.ty.is_integer() && !column.auto_increment {
        attrs.push("auto_increment = false".into());
    }
    let literal_ok = column
        .default
        .as_ref()
        .is_none_or(|d| literal_fits(&column.ty, d));
    // A precision (`datetime` without fractions is `timestamp(0)`) is not in the field's type.
    let explicit_type =
        matches!(column.ty, SqlType::Custom(_)) || !literal_ok || column.ty.precision().is_some();
    if explicit_type {
        attrs.push(format!(
            "sql_type = {}",
            string_literal(&column.ty.to_string())
        ));
    } else {
        match &column.ty {
            SqlType::Varchar(n) => attrs.push(format!("max_length = {n}")),
            SqlType::Numeric(Some((p, s))) => {
                attrs.push(format!("numeric(precision = {p}, scale = {s})"))
            }
            _ => {}
        }
    }
    match &column.default {
        None => {}
        Some(DefaultValue::Bool(b)) => attrs.push(format!("default = {b}")),
        Some(DefaultValue::Int(i)) => attrs.push(format!("default = {i}")),
        Some(DefaultValue::Float(x)) => attrs.push(format!("default = {x}")),
        Some(DefaultValue::Text(s)) => attrs.push(format!("default = {}", string_literal(s))),
        Some(DefaultValue::Sql(s)) => attrs.push(format!("default_sql = {}", string_literal(s))),
    }
    if field_uniques.contains(&column.name) {
        attrs.push("unique".into());
    }
    if field_indexes.contains(&column.name) {
        attrs.push("index".into());
    }
    if let Some(fk) = table
        .foreign_keys
        .iter()
        .find(|fk| fk.columns == [column.name.clone()])
    {
        attrs.push(format!(
            "references = {}",
            string_literal(&format!("{}.{}", fk.ref_table, fk.ref_columns[0]))
        ));
        if fk.on_delete != FkAction::NoAction {
            attrs.push(format!("on_delete = {:?}", action(fk.on_delete)));
        }
        if fk.on_update != FkAction::NoAction {
            attrs.push(format!("on_update = {:?}", action(fk.on_update)));
        }
    }
    attrs
}

fn action(action: FkAction) -> &'static str {
    match action {
        FkAction::NoAction => "no action",
        FkAction::Restrict => "restrict",
        FkAction::Cascade => "cascade",
        FkAction::SetNull => "set null",
        FkAction::SetDefault => "set default",
    }
}

/// `#[name(a, b)]` on one line when it fits, else one item a line as rustfmt writes it.
fn write_attribute(out: &mut String, indent: &str, name: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let one_line = format!("{indent}#[{name}({})]", items.join(", "));
    if one_line.len() <= MAX_WIDTH && !one_line.contains('\n') {
        out.push_str(&one_line);
        out.push('\n');
        return;
    }
    let _ = writeln!(out, "{indent}#[{name}(");
    for (i, item) in items.iter().enumerate() {
        let comma = if i + 1 < items.len() { "," } else { "" };
        let _ = writeln!(out, "{indent}    {item}{comma}");
    }
    let _ = writeln!(out, "{indent})]");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Check, ForeignKey, Index, Unique};

    fn sample() -> Schema {
        let mut users = Table::new("users");
        let mut id = Column::new("id", SqlType::Integer);
        id.auto_increment = true;
        users.columns.push(id);
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(200)));
        let mut active = Column::new("active", SqlType::Boolean);
        active.default = Some(DefaultValue::Bool(true));
        users.columns.push(active);
        let mut ty = Column::new("type", SqlType::Text);
        ty.default = Some(DefaultValue::Int(0));
        users.columns.push(ty);
        users.primary_key = vec!["id".into()];
        users.uniques.push(Unique {
            name: "users_email_key".into(),
            columns: vec!["email".into()],
            ..Default::default()
        });
        users.checks.push(Check {
            name: "ck_users_email".into(),
            expr: "length(email) > 3".into(),
            ..Default::default()
        });

        let mut memberships = Table::new("memberships");
        memberships
            .columns
            .push(Column::new("user_id", SqlType::Integer));
        memberships
            .columns
            .push(Column::new("group_name", SqlType::Varchar(50)));
        let mut score = Column::new("score", SqlType::Numeric(Some((10, 2))));
        score.nullable = true;
        memberships.columns.push(score);
        let mut created = Column::new("created_at", SqlType::Timestamp);
        created.default = Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into()));
        memberships.columns.push(created);
        memberships
            .columns
            .push(Column::new("tags", SqlType::Custom("text[]".into())));
        memberships.primary_key = vec!["user_id".into(), "group_name".into()];
        memberships.foreign_keys.push(ForeignKey {
            name: "memberships_user_id_fkey".into(),
            columns: vec!["user_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            ..Default::default()
        });
        memberships.indexes.push(Index {
            name: "ix_memberships_group_name".into(),
            columns: vec!["group_name".into()],
            unique: false,
            ..Default::default()
        });
        memberships.indexes.push(Index {
            name: "memberships_by_score".into(),
            columns: vec!["score".into(), "user_id".into()],
            unique: true,
            ..Default::default()
        });
        memberships.indexes.push(Index {
            name: "memberships_lower".into(),
            columns: vec![],
            unique: false,
            ..Default::default()
        });
        Schema::new(vec![users, memberships])
    }

    #[test]
    fn expressible_names_constraints_and_leaves_out_the_rest() {
        let (schema, notes) = expressible(&sample());
        let users = schema.table("users").unwrap();
        assert_eq!(users.uniques[0].name, "uq_users_email");
        let memberships = schema.table("memberships").unwrap();
        assert_eq!(
            memberships.foreign_keys[0].name,
            "fk_memberships_user_id_users"
        );
        assert_eq!(memberships.indexes.len(), 2);
        assert_eq!(
            notes,
            [
                "foreign key memberships_user_id_fkey on memberships is recorded as fk_memberships_user_id_users",
                "index memberships_lower on memberships is not over plain columns: left alone",
                "unique constraint users_email_key on users is recorded as uq_users_email",
            ]
        );
    }

    #[test]
    fn models_render_every_attribute() {
        let (schema, _) = expressible(&sample());
        let source = render_models(&schema);
        assert_eq!(
            source,
            r#"//! Models adopted from the database by `migrate-cli adopt`: one struct per table.
//!
//! Yours from now on: edit them, then `migrate-cli migrate -m "..."`.

use diesel::prelude::*;
use migrate_core::Model;

#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::memberships)]
#[model(
    primary_key(user_id, group_name),
    index(name = "memberships_by_score", columns(score, user_id), unique)
)]
pub struct Membership {
    #[model(references = "users.id", on_delete = "cascade")]
    pub user_id: i32,
    #[model(max_length = 50, index)]
    pub group_name: String,
    #[model(numeric(precision = 10, scale = 2))]
    pub score: Option<bigdecimal::BigDecimal>,
    #[model(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::NaiveDateTime,
    #[model(sql_type = "custom(text[])")]
    pub tags: Vec<Option<String>>,
}

#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::users)]
#[model(check(name = "ck_users_email", expr = "length(email) > 3"))]
pub struct User {
    pub id: i32,
    #[model(max_length = 200, unique)]
    pub email: String,
    #[model(default = true)]
    pub active: bool,
    #[model(column = "type", sql_type = "text", default = 0)]
    pub type_: String,
}
"#
        );
    }

    #[test]
    fn names_and_literals() {
        assert_eq!(struct_name("categories"), "Category");
        assert_eq!(struct_name("blog_posts"), "BlogPost");
        assert_eq!(struct_name("address"), "Address");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("Weird Name"), "weird_name_");
        assert!(float_literal("1.5"));
        assert!(float_literal("-0.25"));
        assert!(!float_literal(".5"));
        assert!(!float_literal("1"));
        assert!(float_literal("1e5"));
    }

    #[cfg(feature = "source")]
    #[test]
    fn the_source_reader_reads_the_models_back_to_the_schema() {
        let (schema, _) = expressible(&sample());
        let dir = std::env::temp_dir().join(format!("migrate-model-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "pub mod models;\n").unwrap();
        std::fs::write(dir.join("src/models.rs"), render_models(&schema)).unwrap();
        let models = crate::source::read_models(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let read = crate::model::schema_from_models(&models).unwrap();
        assert_eq!(read, schema);
    }

    #[test]
    fn models_are_rustfmt_clean() {
        use std::io::Write as _;
        let (schema, _) = expressible(&sample());
        let source = render_models(&schema);
        let child = std::process::Command::new("rustfmt")
            .args(["--edition", "2021", "--emit", "stdout"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            eprintln!("skipped: no rustfmt");
            return;
        };
        child
            .stdin
            .take()
            .unwrap()
            .write_all(source.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        assert_eq!(String::from_utf8(out.stdout).unwrap(), source);
    }
}
