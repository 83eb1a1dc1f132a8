//! Models written from a schema: the source of one `#[derive(Model)]` struct per table, for
//! `migrate-cli adopt --models FILE`.
//!
//! Pure: no I/O. [`expressible`] first brings a live schema to what the model attributes can
//! say, which is nearly all of it (names as found, keys, every index form, constraint options,
//! comments, table options), listing what it changed or left out; [`render_models`] then writes
//! structs that the source reader and the derive read back to exactly that schema. The output is
//! deterministic and laid out as rustfmt lays it out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use migrate_derive_core::doc_comment::doc_lines_for_comment;
use migrate_derive_core::elements::{
    exclusion_parts, write_index_elements, ElementTarget, IndexElement,
};

use crate::dialect::Backend;
use crate::schema::{
    constraint_name, Column, DefaultValue, Deferrable, FkAction, ForeignKey, Identity, Index,
    IndexColumn, IndexTarget, Nulls, Schema, SqlType, Table, Unique,
};

/// The widest line rustfmt allows by default.
const MAX_WIDTH: usize = 100;

/// rustfmt's `attr_fn_like_width`: the widest the items of an attribute list may be on one line.
const ATTR_FN_LIKE_WIDTH: usize = 70;

/// `schema` as the model attributes can express it, and one line per change made on the way.
///
/// The attributes say every name, key, index form, constraint option, comment and table option
/// of the vocabulary, so little changes: what a model cannot declare (a foreign key to a table
/// that is not adopted, an index with no element, a generated column of a type that is not an
/// integer) is named here with the reason.
pub fn expressible(schema: &Schema) -> (Schema, Vec<String>) {
    let mut notes = Vec::new();
    let names: BTreeSet<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
    let mut out = schema.clone();
    for table in &mut out.tables {
        let t = table.name.clone();
        let columns: BTreeSet<String> = table.columns.iter().map(|c| c.name.clone()).collect();

        for column in &mut table.columns {
            // Only an integer column is generated, and how only while it is.
            if column.auto_increment && !column.ty.is_integer() {
                notes.push(format!(
                    "{t}.{} is generated but of type {}, which a model cannot generate: recorded as not generated",
                    column.name, column.ty
                ));
                column.auto_increment = false;
            }
            if !column.auto_increment {
                column.identity = None;
            }
            if let (Some(_), Some(default)) = (&column.generated, &column.default) {
                notes.push(format!(
                    "{t}.{} is a generated column with a default ({default}), which a model cannot declare: default left out",
                    column.name
                ));
                column.default = None;
            }
        }

        // A unique constraint SQLite named itself (`sqlite_autoindex_...`) cannot be named
        // in SQL: it keeps the deterministic name.
        for unique in &mut table.uniques {
            if unique.name.starts_with("sqlite_autoindex_") {
                unique.name = constraint_name("uq", &t, &unique.columns, None);
            }
        }

        let mut fks = Vec::new();
        for fk in std::mem::take(&mut table.foreign_keys) {
            if !names.contains(&fk.ref_table) {
                notes.push(format!(
                    "foreign key {} on {t} refers to {}, which is not adopted: left out",
                    fk.name, fk.ref_table
                ));
                continue;
            }
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

        let mut indexes = Vec::new();
        for index in std::mem::take(&mut table.indexes) {
            if index.columns.is_empty() {
                notes.push(format!(
                    "index {} on {t} has no column or expression, which a model cannot declare: left out",
                    index.name
                ));
                continue;
            }
            if let Some(missing) = index
                .column_names()
                .chain(index.include.iter().map(String::as_str))
                .find(|c| !columns.contains(*c))
            {
                notes.push(format!(
                    "index {} on {t} names {missing}, which is not a column of the table: left out",
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
    render_models_for(schema, None)
}

/// [`render_models`] for a database of `backend`, whose field types are the ones Diesel loads
/// that backend's columns into (MySQL's `TIMESTAMP` is a `NaiveDateTime`, SQLite's `DECIMAL` an
/// `f64` ...).
pub fn render_models_for(schema: &Schema, backend: Option<Backend>) -> String {
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
        render_struct(&mut out, table, &structs[&table.name], backend);
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

/// The Rust name `diesel print-schema` gives a table in `table!` (a keyword gets a trailing
/// `_`, characters that are not identifier characters become `_`).
pub fn field_name(column: &str) -> String {
    crate::diesel_schema::rust_name(column, None)
}

/// The field name of a column of `table`: the name the column has in the `table!` that
/// `schema` writes (`address_` for a column `address` of table `address`, `type_` for `type`),
/// so that Diesel's derives find it without `#[diesel(column_name)]`.
pub fn column_field_name(column: &str, table: &str) -> String {
    let table_ident = crate::diesel_schema::rust_name(table, None);
    crate::diesel_schema::rust_name(column, Some(&table_ident))
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

/// The Rust type of a column type (without `Option`), on the backend the type belongs to
/// (PostgreSQL for the types several backends share): see [`rust_field_type_for`].
pub fn rust_field_type(ty: &SqlType) -> String {
    rust_field_type_for(ty, None)
}

/// The Rust type Diesel loads a column of `ty` into on `backend`, the one that compiles against
/// the `table!` that `schema` writes: Diesel's own where it has one, the schema's enum, else
/// [`crate::diesel_types::Raw`] for the type print-schema declares in `sql_types`.
pub fn rust_field_type_for(ty: &SqlType, backend: Option<Backend>) -> String {
    match ty {
        SqlType::Enum(name) => return camel_case(name),
        SqlType::Array(element) if matches!(element.as_ref(), SqlType::Enum(_)) => {
            return format!("Vec<Option<{}>>", rust_field_type_for(element, backend));
        }
        _ => {}
    }
    let backend = backend.unwrap_or_else(|| natural_backend(ty));
    crate::diesel_schema::rust_type(ty, backend).unwrap_or_else(|| custom_rust_type(ty))
}

/// The backend a type without a known database belongs to: MySQL's own types on MySQL,
/// everything else on PostgreSQL.
fn natural_backend(ty: &SqlType) -> Backend {
    match ty {
        SqlType::TinyInt
        | SqlType::MediumInt
        | SqlType::Unsigned(_)
        | SqlType::TinyText
        | SqlType::MediumText
        | SqlType::LongText
        | SqlType::FixedBinary(_)
        | SqlType::VarBinary(_)
        | SqlType::TinyBlob
        | SqlType::MediumBlob
        | SqlType::LongBlob
        | SqlType::Year
        | SqlType::Set(_)
        | SqlType::TimestampPrecision(_) => Backend::Mysql,
        _ => Backend::Postgres,
    }
}

/// The field type of a type Diesel has no Rust type for.
fn custom_rust_type(_ty: &SqlType) -> String {
    crate::diesel_schema::RAW_FIELD_TYPE.to_string()
}

/// Whether a field of Rust type `rust` reads back (the source reader's [`builtin_type`] of its
/// last path segment) as a column of `ty`, so that no `sql_type` is needed.
///
/// [`builtin_type`]: crate::model::builtin_type
fn field_type_reads_back(rust: &str, ty: &SqlType) -> bool {
    if matches!(ty, SqlType::Enum(_)) {
        return true;
    }
    // `Vec<Option<E>>` of an enum reads back as an array of its type.
    if let SqlType::Array(element) = ty {
        if matches!(element.as_ref(), SqlType::Enum(_)) {
            return rust.starts_with("Vec<Option<");
        }
    }
    // The path's last segment, without generic arguments (`chrono::DateTime<chrono::Utc>` is
    // `DateTime`), `Vec<u8>` whole.
    let last = if rust == "Vec<u8>" {
        rust
    } else {
        let path = rust.split('<').next().unwrap_or(rust);
        path.rsplit("::").next().unwrap_or(path)
    };
    let Some(read) = crate::model::builtin_type(last) else {
        return false;
    };
    // The length and precision attributes say the rest.
    match (ty, &read) {
        (SqlType::Varchar(_), SqlType::Text) => true,
        (SqlType::Numeric(_), SqlType::Numeric(None)) => true,
        _ => read == *ty,
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

/// Whether `name` is the deterministic name of that constraint, so the attribute may leave it
/// out.
fn is_default_name(
    name: &str,
    prefix: &str,
    table: &str,
    columns: &[String],
    suffix: Option<&str>,
) -> bool {
    name == constraint_name(prefix, table, columns, suffix)
}

/// Where each single-column index, unique constraint and foreign key is written: on its field
/// when it fits a field's attributes (the first of its kind per column), else on the struct.
#[derive(Default)]
struct FieldLevel<'t> {
    indexes: BTreeMap<String, &'t Index>,
    uniques: BTreeMap<String, &'t Unique>,
    fks: BTreeMap<String, &'t ForeignKey>,
}

impl<'t> FieldLevel<'t> {
    fn of(table: &'t Table) -> Self {
        let mut level = FieldLevel::default();
        for index in &table.indexes {
            let fits = index.predicate.is_none()
                && index.include.is_empty()
                && index.with.is_none()
                && !index.nulls_not_distinct
                && index.comment.is_none();
            if let ([element], true) = (index.columns.as_slice(), fits) {
                if let (true, Some(column)) = (element.is_bare(), element.column_name()) {
                    level.indexes.entry(column.to_string()).or_insert(index);
                }
            }
        }
        for unique in &table.uniques {
            if let [column] = unique.columns.as_slice() {
                level.uniques.entry(column.clone()).or_insert(unique);
            }
        }
        for fk in &table.foreign_keys {
            if let ([column], [_]) = (fk.columns.as_slice(), fk.ref_columns.as_slice()) {
                level.fks.entry(column.clone()).or_insert(fk);
            }
        }
        level
    }
}

fn render_struct(out: &mut String, table: &Table, name: &str, backend: Option<Backend>) {
    let t = &table.name;
    let fields: BTreeMap<&str, String> = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), column_field_name(&c.name, t)))
        .collect();
    let field_of = |column: &str| {
        fields
            .get(column)
            .cloned()
            .unwrap_or_else(|| column_field_name(column, t))
    };
    let list = |columns: &[String]| {
        columns
            .iter()
            .map(|c| field_of(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Field names that a bare list would read as one of its own keys.
    let reserved = |columns: &[String]| {
        columns.iter().any(|c| {
            matches!(
                field_of(c).as_str(),
                "name" | "columns" | "unique" | "nulls_not_distinct" | "match_full" | "not_valid"
            )
        })
    };
    let level = FieldLevel::of(table);

    // Struct-level attributes.
    let mut container: Vec<String> = Vec::new();
    let key_is_default = table.primary_key == ["id"] && table.column("id").is_some();
    let field_key = match table.primary_key.as_slice() {
        [key] if !key_is_default && table.primary_key_name.is_none() => Some(key.clone()),
        _ => None,
    };
    if table.primary_key.is_empty() && table.column("id").is_some() {
        // Else the field `id` would be the key.
        container.push("no_primary_key".into());
    }
    if table.primary_key.len() > 1
        || (!table.primary_key.is_empty() && table.primary_key_name.is_some())
    {
        let mut parts = vec![list(&table.primary_key)];
        if let Some(pk) = &table.primary_key_name {
            parts.push(format!("name = {}", string_literal(pk)));
        }
        container.push(format!("primary_key({})", parts.join(", ")));
    }
    for index in &table.indexes {
        let column_names: Vec<String> = index.column_names().map(str::to_string).collect();
        let bare = index.columns.iter().all(IndexColumn::is_bare);
        if let [column] = column_names.as_slice() {
            if level
                .indexes
                .get(column)
                .is_some_and(|i| std::ptr::eq(*i, index))
            {
                continue;
            }
        }
        let mut parts = Vec::new();
        if !bare || !is_default_name(&index.name, "ix", t, &column_names, None) {
            parts.push(format!("name = {}", string_literal(&index.name)));
        }
        if !bare {
            let elements: Vec<IndexElement> = index.columns.iter().map(index_element).collect();
            parts.push(format!(
                "on = {}",
                string_literal(&write_index_elements(&elements))
            ));
        } else if parts.is_empty() && !reserved(&column_names) {
            parts.push(list(&column_names));
        } else {
            parts.push(format!("columns({})", list(&column_names)));
        }
        if index.unique {
            parts.push("unique".into());
        }
        if let Some(method) = &index.method {
            parts.push(format!("method = {}", string_literal(method)));
        }
        if let Some(predicate) = &index.predicate {
            parts.push(format!("where = {}", string_literal(predicate)));
        }
        if !index.include.is_empty() {
            parts.push(format!("include({})", list(&index.include)));
        }
        if let Some(with) = &index.with {
            parts.push(format!("with = {}", string_literal(with)));
        }
        if index.nulls_not_distinct {
            parts.push("nulls_not_distinct".into());
        }
        if let Some(comment) = &index.comment {
            parts.push(format!("comment = {}", string_literal(comment)));
        }
        container.push(format!("index({})", parts.join(", ")));
    }
    for unique in &table.uniques {
        if let [column] = unique.columns.as_slice() {
            if level
                .uniques
                .get(column)
                .is_some_and(|u| std::ptr::eq(*u, unique))
            {
                continue;
            }
        }
        let mut parts = Vec::new();
        if !is_default_name(&unique.name, "uq", t, &unique.columns, None) {
            parts.push(format!("name = {}", string_literal(&unique.name)));
        }
        let options = unique.deferrable.is_some() || unique.nulls_not_distinct;
        if parts.is_empty() && !options && !reserved(&unique.columns) {
            parts.push(list(&unique.columns));
        } else {
            parts.push(format!("columns({})", list(&unique.columns)));
        }
        if let Some(d) = unique.deferrable {
            parts.push(format!("deferrable = {:?}", deferrable(d)));
        }
        if unique.nulls_not_distinct {
            parts.push("nulls_not_distinct".into());
        }
        container.push(format!("unique({})", parts.join(", ")));
    }
    for fk in &table.foreign_keys {
        if let [column] = fk.columns.as_slice() {
            if level.fks.get(column).is_some_and(|f| std::ptr::eq(*f, fk)) {
                continue;
            }
        }
        let mut parts = Vec::new();
        if !is_default_name(&fk.name, "fk", t, &fk.columns, Some(&fk.ref_table)) {
            parts.push(format!("name = {}", string_literal(&fk.name)));
        }
        parts.push(format!("columns({})", list(&fk.columns)));
        parts.push(format!(
            "references = {}",
            string_literal(&format!("{}({})", fk.ref_table, fk.ref_columns.join(", ")))
        ));
        parts.extend(fk_options(fk, "deferrable"));
        container.push(format!("foreign_key({})", parts.join(", ")));
    }
    for check in &table.checks {
        let mut parts = vec![
            format!("name = {}", string_literal(&check.name)),
            format!("expr = {}", string_literal(&check.expr)),
        ];
        if check.not_valid {
            parts.push("not_valid".into());
        }
        if check.no_inherit {
            parts.push("no_inherit".into());
        }
        container.push(format!("check({})", parts.join(", ")));
    }
    for exclusion in &table.exclusions {
        let mut parts = vec![format!("name = {}", string_literal(&exclusion.name))];
        match exclusion_parts(&exclusion.definition) {
            Some((using, elements, predicate)) => {
                parts.push(format!("using = {}", string_literal(&using)));
                parts.push(format!("elements = {}", string_literal(&elements)));
                if let Some(predicate) = predicate {
                    parts.push(format!("where = {}", string_literal(&predicate)));
                }
            }
            None => parts.push(format!(
                "definition = {}",
                string_literal(&exclusion.definition)
            )),
        }
        if let Some(d) = exclusion.deferrable {
            parts.push(format!("deferrable = {:?}", deferrable(d)));
        }
        container.push(format!("exclude({})", parts.join(", ")));
    }
    let o = &table.options;
    // A comment that reads back exactly as doc lines is written as the struct's `///` doc
    // comment (the derive's rule); any other stays `comment = "..."`.
    let table_doc = o.comment.as_deref().and_then(doc_lines_for_comment);
    let comment_attr = if table_doc.is_some() {
        &None
    } else {
        &o.comment
    };
    for (key, value) in [
        ("comment", comment_attr),
        ("engine", &o.engine),
        ("charset", &o.charset),
        ("collation", &o.collation),
        ("partition_by", &o.partition_by),
        ("with", &o.with),
    ] {
        if let Some(value) = value {
            container.push(format!("{key} = {}", string_literal(value)));
        }
    }
    if o.without_rowid {
        container.push("without_rowid".into());
    }
    if o.unlogged {
        container.push("unlogged".into());
    }
    if o.strict {
        container.push("strict".into());
    }
    if let Some(p) = &o.partition_of {
        container.push(format!(
            "partition_of(parent = {}, bound = {})",
            string_literal(&p.parent),
            string_literal(&p.bound)
        ));
    }
    if !o.inherits.is_empty() {
        let parents: Vec<String> = o.inherits.iter().map(|p| string_literal(p)).collect();
        container.push(format!("inherits({})", parents.join(", ")));
    }

    // Diesel's `table!` needs a primary key on the servers (`schema` leaves such a table out,
    // as print-schema does), so a keyless table's struct is a model only.
    let keyless =
        table.primary_key.is_empty() && matches!(backend, Some(Backend::Postgres | Backend::Mysql));
    write_doc(out, "", table_doc.as_deref());
    if keyless {
        let _ = writeln!(
            out,
            "// No primary key: Diesel's `table!` needs one, so this struct is a model only."
        );
        let _ = writeln!(out, "#[derive(Debug, Model)]");
        container.insert(0, format!("table = {}", string_literal(t)));
    } else {
        let _ = writeln!(
            out,
            "#[derive(Debug, Model, Queryable, Selectable, Insertable)]"
        );
        let table_path = format!("crate::schema::{}", diesel_table_ident(t));
        let _ = writeln!(out, "#[diesel(table_name = {table_path})]");
        if diesel_table_ident(t) != *t {
            container.insert(0, format!("table = {}", string_literal(t)));
        }
    }
    write_attribute(out, "", "model", &container);
    let _ = writeln!(out, "pub struct {name} {{");
    for column in &table.columns {
        let field = field_of(&column.name);
        let ty = rust_field_type_for(&column.ty, backend);
        let attrs = field_attributes(table, column, &field, &field_key, &level, &ty);
        let doc = column.comment.as_deref().and_then(doc_lines_for_comment);
        write_doc(out, "    ", doc.as_deref());
        write_attribute(out, "    ", "model", &attrs);
        if column.generated.is_some() && !keyless {
            // The database computes it: Diesel's `Insertable` must leave it out of an INSERT.
            let _ = writeln!(out, "    #[diesel(skip_insertion)]");
        }
        let mut ty = ty;
        if column.nullable {
            ty = format!("Option<{ty}>");
        }
        let _ = writeln!(out, "    pub {field}: {ty},");
    }
    out.push_str("}\n");
}

/// The options of a foreign key after its target: actions, deferrability, `match_full`,
/// `not_valid`. `deferrable_key` is `deferrable` (the same word on a field and in a list).
fn fk_options(fk: &ForeignKey, deferrable_key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    if fk.on_delete != FkAction::NoAction {
        parts.push(format!("on_delete = {:?}", action(fk.on_delete)));
    }
    if fk.on_update != FkAction::NoAction {
        parts.push(format!("on_update = {:?}", action(fk.on_update)));
    }
    if let Some(d) = fk.deferrable {
        parts.push(format!("{deferrable_key} = {:?}", deferrable(d)));
    }
    if fk.match_full {
        parts.push("match_full".into());
    }
    if fk.not_valid {
        parts.push("not_valid".into());
    }
    parts
}

fn deferrable(d: Deferrable) -> &'static str {
    match d {
        Deferrable::Deferred => "deferred",
        Deferrable::Immediate => "immediate",
    }
}

/// An index element in the spelling of `on = "..."`.
fn index_element(column: &IndexColumn) -> IndexElement {
    IndexElement {
        target: match &column.target {
            IndexTarget::Column(name) => ElementTarget::Column(name.clone()),
            IndexTarget::Expression(expr) => ElementTarget::Expression(expr.clone()),
        },
        descending: column.descending,
        nulls_first: column.nulls.map(|n| n == Nulls::First),
        opclass: column.opclass.clone(),
        collation: column.collation.clone(),
        length: column.length,
    }
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
    level: &FieldLevel<'_>,
    rust_type: &str,
) -> Vec<String> {
    let t = &table.name;
    let mut attrs = Vec::new();
    if *field != column.name {
        attrs.push(format!("column = {}", string_literal(&column.name)));
    }
    if field_key.as_deref() == Some(column.name.as_str()) {
        attrs.push("primary_key".into());
    }
    let single_key = table.primary_key.len() == 1 && table.primary_key[0] == column.name;
    match (&column.identity, column.auto_increment) {
        (Some(Identity::Always), true) => attrs.push("identity = \"always\"".into()),
        (Some(Identity::ByDefault), true) => attrs.push("identity = \"by_default\"".into()),
        (Some(Identity::Serial { sequence: None }), true) => attrs.push("serial".into()),
        (Some(Identity::Serial { sequence: Some(s) }), true) => {
            attrs.push(format!("serial = {}", string_literal(s)))
        }
        (Some(Identity::Autoincrement), true) => attrs.push("autoincrement".into()),
        (None, true) if !single_key => attrs.push("auto_increment = true".into()),
        (_, false) if single_key && column.ty.is_integer() => {
            attrs.push("auto_increment = false".into())
        }
        _ => {}
    }
    let literal_ok = column
        .default
        .as_ref()
        .is_none_or(|d| literal_fits(&column.ty, d));
    let explicit_type = !field_type_reads_back(rust_type, &column.ty) || !literal_ok;
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
    if let Some(on_update) = &column.on_update {
        attrs.push(format!("on_update_sql = {}", string_literal(on_update)));
    }
    if let Some(generated) = &column.generated {
        let stored = if generated.stored { ", stored" } else { "" };
        attrs.push(format!(
            "generated(expr = {}{stored})",
            string_literal(&generated.expr)
        ));
    }
    let comment = column
        .comment
        .clone()
        .filter(|c| doc_lines_for_comment(c).is_none());
    for (key, value) in [
        ("collation", &column.collation),
        ("charset", &column.charset),
        ("comment", &comment),
    ] {
        if let Some(value) = value {
            attrs.push(format!("{key} = {}", string_literal(value)));
        }
    }
    let own = std::slice::from_ref(&column.name);
    if let Some(unique) = level.uniques.get(&column.name) {
        let mut parts = Vec::new();
        if !is_default_name(&unique.name, "uq", t, own, None) {
            parts.push(format!("name = {}", string_literal(&unique.name)));
        }
        if let Some(d) = unique.deferrable {
            parts.push(format!("deferrable = {:?}", deferrable(d)));
        }
        if unique.nulls_not_distinct {
            parts.push("nulls_not_distinct".into());
        }
        attrs.push(with_options("unique", &parts));
    }
    if let Some(index) = level.indexes.get(&column.name) {
        let mut parts = Vec::new();
        if !is_default_name(&index.name, "ix", t, own, None) {
            parts.push(format!("name = {}", string_literal(&index.name)));
        }
        if let Some(method) = &index.method {
            parts.push(format!("method = {}", string_literal(method)));
        }
        if index.unique {
            parts.push("unique".into());
        }
        attrs.push(with_options("index", &parts));
    }
    if let Some(fk) = level.fks.get(&column.name) {
        attrs.push(format!(
            "references = {}",
            string_literal(&format!("{}.{}", fk.ref_table, fk.ref_columns[0]))
        ));
        if !is_default_name(&fk.name, "fk", t, own, Some(&fk.ref_table)) {
            attrs.push(format!("fk_name = {}", string_literal(&fk.name)));
        }
        attrs.extend(fk_options(fk, "deferrable"));
    }
    attrs
}

/// Doc lines as `///` comments (a blank one as a bare `///`).
fn write_doc(out: &mut String, indent: &str, lines: Option<&[String]>) {
    for line in lines.unwrap_or_default() {
        let _ = writeln!(out, "{indent}///{line}");
    }
}

/// `key` alone, or `key(a, b)` with its options.
fn with_options(key: &str, parts: &[String]) -> String {
    if parts.is_empty() {
        key.to_string()
    } else {
        format!("{key}({})", parts.join(", "))
    }
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

/// `#[name(a, b)]` laid out as rustfmt lays it out: on one line when it fits; else a single
/// list item overflows (`#[model(index(` ... `))]`); else one item a line, each broken the same
/// way when it does not fit.
fn write_attribute(out: &mut String, indent: &str, name: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let items: Vec<Meta> = items.iter().map(|i| Meta::parse(i)).collect();
    out.push_str(&layout_list(indent, &format!("#[{name}("), &items, ")]"));
    out.push('\n');
}

/// An attribute item: a word (`unique`, `name = "x"`) or a list (`columns(a, b)`).
enum Meta {
    Word(String),
    List(String, Vec<Meta>),
}

impl Meta {
    fn parse(item: &str) -> Meta {
        let item = item.trim();
        let open = item.find('(');
        let is_list = open.is_some_and(|at| {
            item.ends_with(')')
                && item[..at]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && split_items(&item[at + 1..item.len() - 1]).is_some()
        });
        match (open, is_list) {
            (Some(at), true) => Meta::List(
                item[..at].to_string(),
                split_items(&item[at + 1..item.len() - 1])
                    .unwrap_or_default()
                    .into_iter()
                    .map(Meta::parse)
                    .collect(),
            ),
            _ => Meta::Word(item.to_string()),
        }
    }

    fn one_line(&self) -> String {
        match self {
            Meta::Word(word) => word.clone(),
            Meta::List(key, items) => format!("{key}({})", joined(items)),
        }
    }
}

fn joined(items: &[Meta]) -> String {
    items
        .iter()
        .map(Meta::one_line)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The items of a list, split at the commas outside string literals and parentheses; `None`
/// when the parentheses do not balance (the text is then no list).
fn split_items(text: &str) -> Option<Vec<&str>> {
    let mut items = Vec::new();
    let (mut depth, mut start, mut in_string, mut escaped) = (0usize, 0, false, false);
    for (i, c) in text.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => {
                items.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 || in_string {
        return None;
    }
    let last = text[start..].trim();
    if !last.is_empty() {
        items.push(last);
    }
    Some(items)
}

/// `open` + items + `close` at `indent`, rustfmt's way (see [`write_attribute`]).
fn layout_list(indent: &str, open: &str, items: &[Meta], close: &str) -> String {
    let args = joined(items);
    let line = format!("{indent}{open}{args}{close}");
    if line.len() <= MAX_WIDTH && args.len() <= ATTR_FN_LIKE_WIDTH {
        return line;
    }
    if let [Meta::List(key, inner)] = items {
        return layout_list(
            indent,
            &format!("{open}{key}("),
            inner,
            &format!("){close}"),
        );
    }
    let inner_indent = format!("{indent}    ");
    let mut out = format!("{indent}{open}\n");
    for (i, item) in items.iter().enumerate() {
        let comma = if i + 1 < items.len() { "," } else { "" };
        match item {
            Meta::Word(word) => out.push_str(&format!("{inner_indent}{word}{comma}")),
            Meta::List(key, inner) => out.push_str(&layout_list(
                &inner_indent,
                &format!("{key}("),
                inner,
                &format!("){comma}"),
            )),
        }
        out.push('\n');
    }
    out.push_str(&format!("{indent}{close}"));
    out
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
        let mut email = Column::new("email", SqlType::Varchar(200));
        email.comment = Some("Where receipts go.".into());
        users.columns.push(email);
        users.options.comment = Some("Registered users.\n\nOne row per account.".into());
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
        // Neither reads back from doc lines: both stay `comment = "..."`.
        score.comment = Some("points ".into());
        memberships.options.comment = Some("\nwho is in which group".into());
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
            comment: Some("Leaders first".into()),
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
    fn expressible_keeps_names_and_names_what_it_leaves_out() {
        let (schema, notes) = expressible(&sample());
        let users = schema.table("users").unwrap();
        assert_eq!(users.uniques[0].name, "users_email_key");
        let memberships = schema.table("memberships").unwrap();
        assert_eq!(memberships.foreign_keys[0].name, "memberships_user_id_fkey");
        assert_eq!(memberships.indexes.len(), 2);
        assert_eq!(
            notes,
            ["index memberships_lower on memberships has no column or expression, which a model cannot declare: left out"]
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
    index(
        name = "memberships_by_score",
        columns(score, user_id),
        unique,
        comment = "Leaders first"
    ),
    comment = "\nwho is in which group"
)]
pub struct Membership {
    #[model(
        references = "users.id",
        fk_name = "memberships_user_id_fkey",
        on_delete = "cascade"
    )]
    pub user_id: i32,
    #[model(max_length = 50, index)]
    pub group_name: String,
    #[model(numeric(precision = 10, scale = 2), comment = "points ")]
    pub score: Option<bigdecimal::BigDecimal>,
    #[model(default_sql = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::NaiveDateTime,
    #[model(sql_type = "custom(text[])")]
    pub tags: Vec<Option<String>>,
}

/// Registered users.
///
/// One row per account.
#[derive(Debug, Model, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::users)]
#[model(check(name = "ck_users_email", expr = "length(email) > 3"))]
pub struct User {
    pub id: i32,
    /// Where receipts go.
    #[model(max_length = 200, unique(name = "users_email_key"))]
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
    fn field_types_read_back_or_say_their_sql_type() {
        assert!(field_type_reads_back(
            "chrono::DateTime<chrono::Utc>",
            &SqlType::TimestampTz
        ));
        assert!(field_type_reads_back("Vec<u8>", &SqlType::Binary));
        assert!(field_type_reads_back(
            "u32",
            &SqlType::unsigned(SqlType::Integer)
        ));
        assert!(field_type_reads_back("String", &SqlType::Varchar(20)));
        // MySQL TIMESTAMP loads into a NaiveDateTime, which alone reads back as DATETIME.
        assert_eq!(
            rust_field_type_for(&SqlType::TimestampTz, Some(Backend::Mysql)),
            "chrono::NaiveDateTime"
        );
        assert!(!field_type_reads_back(
            "chrono::NaiveDateTime",
            &SqlType::TimestampTz
        ));
        assert!(!field_type_reads_back("String", &SqlType::VarcharUnbounded));
        assert!(!field_type_reads_back(
            "Vec<Option<i32>>",
            &SqlType::array(SqlType::Integer)
        ));
    }

    #[test]
    fn names_and_literals() {
        assert_eq!(struct_name("categories"), "Category");
        assert_eq!(struct_name("blog_posts"), "BlogPost");
        assert_eq!(struct_name("address"), "Address");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("Weird Name"), "Weird_Name");
        assert_eq!(column_field_name("address", "address"), "address_");
        assert_eq!(column_field_name("type", "posts"), "type_");
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

    #[cfg(feature = "source")]
    #[test]
    fn keyless_tables_and_enum_arrays_read_back_on_postgres() {
        let mut log = Table::new("audit_log");
        log.columns.push(Column::new("message", SqlType::Text));
        let mut moods = Column::new("moods", SqlType::array(SqlType::Enum("mood".into())));
        moods.nullable = true;
        log.columns.push(moods);
        let schema = Schema::with_enums(
            vec![log],
            vec![crate::schema::EnumType {
                name: "mood".into(),
                values: vec!["happy".into(), "sad".into()],
            }],
        );
        let source = render_models_for(&schema, Some(Backend::Postgres));
        // Diesel's `table!` needs a key: the struct is a model only, named by its table.
        assert!(
            source.contains("#[derive(Debug, Model)]\n#[model(table = \"audit_log\")]"),
            "{source}"
        );
        assert!(
            source.contains("pub moods: Option<Vec<Option<Mood>>>,"),
            "{source}"
        );
        let dir = std::env::temp_dir().join(format!("migrate-keyless-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "pub mod models;\n").unwrap();
        std::fs::write(dir.join("src/models.rs"), &source).unwrap();
        let models = crate::source::read_models(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(crate::model::schema_from_models(&models).unwrap(), schema);
    }

    /// A generated column is left out of Diesel's INSERT; a keyless table's struct, which does
    /// not derive `Insertable`, has no Diesel attribute.
    #[test]
    fn generated_columns_skip_insertion() {
        let generated = |name: &str| Column {
            nullable: true,
            generated: Some(crate::schema::Generated {
                expr: "price * 2".into(),
                stored: true,
            }),
            ..Column::new(name, SqlType::Integer)
        };
        let mut item = Table::new("item");
        item.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        item.columns.push(Column::new("price", SqlType::Integer));
        item.columns.push(generated("total"));
        item.primary_key = vec!["id".into()];
        let mut log = Table::new("log");
        log.columns.push(Column::new("price", SqlType::Integer));
        log.columns.push(generated("total"));
        let source = render_models_for(&Schema::new(vec![item, log]), Some(Backend::Postgres));
        assert!(
            source.contains(
                "    #[model(generated(expr = \"price * 2\", stored))]\n    #[diesel(skip_insertion)]\n    pub total: Option<i32>,\n}\n\n// No primary key"
            ),
            "{source}"
        );
        assert_eq!(source.matches("skip_insertion").count(), 1, "{source}");
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
