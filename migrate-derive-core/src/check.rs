//! Rules that span several keys or fields, each its own function.

use syn::Ident;

use crate::ast::{name_of, Container, Field};
use crate::attr::{list, DefaultLit};
use crate::ctxt::Ctxt;

/// Runs every rule; each reports into `cx`, so the user sees all mistakes at once.
pub(crate) fn check(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        skip_stands_alone(cx, field);
        default_or_default_sql(cx, field);
        fk_actions_need_references(cx, field);
        default_fits_field_type(cx, field);
        default_fits_column(cx, field);
        one_way_to_generate(cx, field);
    }
    one_primary_key_declaration(cx, cont);
    auto_increment_only_on_key(cx, cont);
    listed_names_are_columns(cx, cont);
    columns_are_distinct(cx, cont);
}

/// A skipped field is not a column, so any column attribute on it would be silently ignored;
/// that is a mistake the user wants to hear about.
fn skip_stands_alone(cx: &Ctxt, field: &Field<'_>) {
    if !field.is_skipped() {
        return;
    }
    for key in field.attrs.keys_other_than_skip() {
        let key_name = quote::ToTokens::to_token_stream(key).to_string();
        cx.error_spanned_by(
            key,
            format!(
                "`skip` cannot be combined with `{key_name}`: field `{}` is not a column",
                name_of(field.ident)
            ),
        );
    }
}

/// A column has one default; with both, which one wins would be a guess.
fn default_or_default_sql(cx: &Ctxt, field: &Field<'_>) {
    if let (true, Some(key)) = (field.attrs.default.is_set(), field.attrs.default_sql.key()) {
        cx.error_spanned_by(
            key,
            format!(
                "`default` and `default_sql` cannot both be given: field `{}` has one default, either a literal or a SQL expression",
                name_of(field.ident)
            ),
        );
    }
}

/// A referential action belongs to a foreign key; without `references` there is none, and the
/// action would be dropped without a word.
fn fk_actions_need_references(cx: &Ctxt, field: &Field<'_>) {
    if field.attrs.references.is_set() {
        return;
    }
    for action in [&field.attrs.on_delete, &field.attrs.on_update] {
        if let Some(key) = action.key() {
            cx.error_spanned_by(
                key,
                format!(
                    "`{}` needs `references`, e.g. `#[model(references = \"users.id\", {} = \"cascade\")]`",
                    action.name(),
                    action.name()
                ),
            );
        }
    }
    let attrs = &field.attrs;
    for (name, key) in [
        ("fk_name", attrs.fk_name.key()),
        ("deferrable", attrs.deferrable.key()),
        ("match_full", attrs.match_full.key()),
        ("not_valid", attrs.not_valid.key()),
    ] {
        if let Some(key) = key {
            cx.error_spanned_by(
                key,
                format!(
                    "`{name}` is an option of the field's foreign key and needs `references`, e.g. `#[model(references = \"users.id\", {name} ...)]`"
                ),
            );
        }
    }
}

/// A column is generated one way: `identity`, `serial` and `autoincrement` exclude each other
/// and `auto_increment = false`; a generated column (`generated(...)`) has neither a default
/// nor a sequence.
fn one_way_to_generate(cx: &Ctxt, field: &Field<'_>) {
    let attrs = &field.attrs;
    let name = name_of(field.ident);
    let ways = [
        ("identity", attrs.identity.key()),
        ("serial", attrs.serial.key()),
        ("autoincrement", attrs.autoincrement.key()),
    ];
    let mut first: Option<&str> = None;
    for (way, key) in ways {
        let Some(key) = key else { continue };
        if let Some(first) = first {
            cx.error_spanned_by(
                key,
                format!("`{way}` cannot be combined with `{first}`: field `{name}` is generated one way"),
            );
            continue;
        }
        first = Some(way);
        if attrs.auto_increment.get() == Some(&false) {
            cx.error_spanned_by(
                key,
                format!("`{way}` cannot be combined with `auto_increment = false`: field `{name}` would be generated and not"),
            );
        }
    }
    if let Some(key) = attrs.generated.key() {
        for (other, set) in [
            ("default", attrs.default.is_set()),
            ("default_sql", attrs.default_sql.is_set()),
            ("on_update_sql", attrs.on_update_sql.is_set()),
            ("auto_increment", attrs.auto_increment.get() == Some(&true)),
            ("identity, serial or autoincrement", first.is_some()),
        ] {
            if set {
                cx.error_spanned_by(
                    key,
                    format!("`generated` cannot be combined with `{other}`: the value of field `{name}` is computed from its expression"),
                );
            }
        }
    }
}

/// A literal default is written into the migration typed for the column; a mismatch with a
/// built-in field type (`default = 1` on a `bool`) would only fail at the database, so it is
/// caught here for the types whose spelling is unambiguous. Other types (chrono, uuid, a user's
/// own) are resolved through a trait the derive cannot see, and their defaults are taken as given.
fn default_fits_field_type(cx: &Ctxt, field: &Field<'_>) {
    let Some(default) = field.attrs.default.get() else {
        return;
    };
    if field.attrs.sql_type.is_set() {
        return;
    }
    let Some(ty) = primitive_name(field.ty) else {
        return;
    };
    let int_range = |lo: i64, hi: i64, n: &i64| (lo..=hi).contains(n);
    let (fits, expected) = match (ty.as_str(), default) {
        ("bool", DefaultLit::Bool(_)) => (true, ""),
        ("bool", _) => (false, "`true` or `false`"),
        ("i16", DefaultLit::Int(n)) => (
            int_range(i16::MIN.into(), i16::MAX.into(), n),
            "an integer in the range of i16",
        ),
        ("i32", DefaultLit::Int(n)) => (
            int_range(i32::MIN.into(), i32::MAX.into(), n),
            "an integer in the range of i32",
        ),
        ("i64", DefaultLit::Int(_)) => (true, ""),
        ("i16" | "i32" | "i64", _) => (false, "an integer literal"),
        ("f32" | "f64", DefaultLit::Int(_) | DefaultLit::Float(_)) => (true, ""),
        ("f32" | "f64", _) => (false, "a number literal"),
        ("String", DefaultLit::Str(_)) => (true, ""),
        ("String", _) => (false, "a string literal"),
        _ => (true, ""),
    };
    if !fits {
        cx.error_spanned_by(
            field.attrs.default.tokens(),
            format!(
                "`default` does not fit field `{}` of type `{ty}`, expected {expected}",
                name_of(field.ident)
            ),
        );
    }
}

/// A literal default must fit the column it is written into, not only the field type: a string
/// longer than the column's length, or an integer outside the column type's range, makes
/// PostgreSQL fail every insert that relies on the default and MySQL refuse the table.
fn default_fits_column(cx: &Ctxt, field: &Field<'_>) {
    use crate::spelling::TypeSpelling as T;
    let Some(default) = field.attrs.default.get() else {
        return;
    };
    let spelled = field
        .attrs
        .sql_type
        .get()
        .and_then(|s| crate::spelling::parse(s).ok());
    let length = match &spelled {
        Some(T::Varchar(n) | T::Char(n)) => Some(*n),
        Some(_) => None,
        None => field.attrs.max_length.get().copied(),
    };
    let range: Option<(i128, i128, &str)> = match &spelled {
        Some(T::TinyInt) => Some((i8::MIN.into(), i8::MAX.into(), "tinyint")),
        Some(T::SmallInt) => Some((i16::MIN.into(), i16::MAX.into(), "smallint")),
        Some(T::MediumInt) => Some((-(1 << 23), (1 << 23) - 1, "mediumint")),
        Some(T::Integer) => Some((i32::MIN.into(), i32::MAX.into(), "integer")),
        Some(T::Unsigned(base)) => match base.as_ref() {
            T::TinyInt => Some((0, u8::MAX.into(), "tinyint unsigned")),
            T::SmallInt => Some((0, u16::MAX.into(), "smallint unsigned")),
            T::MediumInt => Some((0, (1 << 24) - 1, "mediumint unsigned")),
            T::Integer => Some((0, u32::MAX.into(), "integer unsigned")),
            _ => Some((0, u64::MAX.into(), "bigint unsigned")),
        },
        _ => None,
    };
    let problem = match default {
        DefaultLit::Str(text) => length
            .filter(|n| text.chars().count() > *n as usize)
            .map(|n| {
                format!(
                    "is {} characters long, longer than the column's {n}",
                    text.chars().count()
                )
            }),
        DefaultLit::Int(value) => range
            .filter(|(lo, hi, _)| !(*lo..=*hi).contains(&i128::from(*value)))
            .map(|(lo, hi, ty)| format!("is outside the range of {ty} ({lo} to {hi})")),
        _ => None,
    };
    if let Some(problem) = problem {
        cx.error_spanned_by(
            field.attrs.default.tokens(),
            format!(
                "the `default` of field `{}` does not fit its column: it {problem}",
                name_of(field.ident)
            ),
        );
    }
}

/// The built-in type a field is spelled as, seen through `Option<...>`: `bool`, `i32`,
/// `String`, ... (the last path segment, without generic arguments).
fn primitive_name(ty: &syn::Type) -> Option<String> {
    const PRIMITIVES: &[&str] = &["bool", "i16", "i32", "i64", "f32", "f64", "String"];
    let ty = crate::expand::option_inner(ty).unwrap_or(ty);
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    let name = last.ident.to_string();
    (last.arguments.is_none() && PRIMITIVES.contains(&name.as_str())).then_some(name)
}

/// The key is declared once: two `primary_key` fields would read as two keys (a composite key
/// is the struct's `primary_key(a, b)`), and a field key next to the struct's list leaves which
/// one wins to chance.
fn one_primary_key_declaration(cx: &Ctxt, cont: &Container<'_>) {
    let struct_key = cont.attrs.primary_key.is_set();
    if let Some(key) = cont.attrs.no_primary_key.key() {
        let field_key = cont
            .fields
            .iter()
            .any(|f| !f.is_skipped() && f.attrs.primary_key.is_set());
        if struct_key || field_key {
            cx.error_spanned_by(
                key,
                "`no_primary_key` contradicts the primary key declared on this struct; keep one",
            );
        }
    }
    let mut first: Option<&Field<'_>> = None;
    for field in &cont.fields {
        let Some(key) = field.attrs.primary_key.key() else {
            continue;
        };
        if field.is_skipped() {
            continue;
        }
        let name = name_of(field.ident);
        if struct_key {
            cx.error_spanned_by(
                key,
                format!(
                    "the primary key is declared twice: field `{name}` is marked `primary_key` and the struct has `#[model(primary_key(...))]`; keep one"
                ),
            );
        } else if let Some(first) = first {
            cx.error_spanned_by(
                key,
                format!(
                    "the primary key is declared twice: fields `{}` and `{name}` are both marked `primary_key`; for a composite key write `#[model(primary_key({}, {name}))]` on the struct",
                    name_of(first.ident),
                    name_of(first.ident)
                ),
            );
        } else {
            first = Some(field);
        }
    }
}

/// Only a key is generated by the database; `auto_increment` elsewhere would be ignored.
/// The key is found as migrate-core finds it: the struct's `primary_key(...)`, else the
/// `primary_key` fields, else Diesel's `primary_key(...)`, else the field or column `id`.
fn auto_increment_only_on_key(cx: &Ctxt, cont: &Container<'_>) {
    let listed =
        |names: &[Ident], field: &Field<'_>| names.iter().any(|n| field.is_named(&name_of(n)));
    let columns: Vec<&Field<'_>> = cont.fields.iter().filter(|f| !f.is_skipped()).collect();
    let is_key = |field: &Field<'_>| -> bool {
        if cont.attrs.no_primary_key.is_set() {
            false
        } else if let Some(names) = cont.attrs.primary_key.get() {
            listed(names, field)
        } else if cont.attrs.primary_key.is_set() {
            // A malformed list was reported already; do not add noise.
            true
        } else if columns.iter().any(|f| f.attrs.primary_key.is_set()) {
            field.attrs.primary_key.is_set()
        } else if !cont.attrs.diesel_primary_key.is_empty() {
            listed(&cont.attrs.diesel_primary_key, field)
        } else {
            field.is_named("id")
        }
    };
    for field in &columns {
        // A generated column elsewhere (`auto_increment = true`, `identity`, `serial`) exists on
        // PostgreSQL and MySQL; turning generation off, or SQLite's AUTOINCREMENT, means a key.
        let keyed = [
            (
                "auto_increment",
                field
                    .attrs
                    .auto_increment
                    .key()
                    .filter(|_| field.attrs.auto_increment.get() != Some(&true)),
            ),
            ("autoincrement", field.attrs.autoincrement.key()),
        ];
        for (name, key) in keyed {
            if let Some(key) = key {
                if !is_key(field) {
                    cx.error_spanned_by(
                        key,
                        format!(
                            "`{name}` applies only to the primary key, and field `{}` is not part of it",
                            name_of(field.ident)
                        ),
                    );
                }
            }
        }
    }
}

/// Struct-level lists name columns by field or column name; a typo would otherwise only show up
/// when the schema is built, far from the attribute.
fn listed_names_are_columns(cx: &Ctxt, cont: &Container<'_>) {
    let attrs = &cont.attrs;
    let mut lists: Vec<(&str, &[Ident])> = Vec::new();
    if let Some(names) = attrs.primary_key.get() {
        lists.push(("primary_key", names));
    }
    for index in &attrs.indexes {
        lists.push(("index", &index.columns));
        lists.push(("include", &index.include));
    }
    for unique in &attrs.uniques {
        lists.push(("unique", &unique.columns));
    }
    for fk in &attrs.foreign_keys {
        lists.push(("foreign_key", &fk.columns));
    }
    if !attrs.diesel_primary_key.is_empty() {
        lists.push(("diesel(primary_key)", &attrs.diesel_primary_key));
    }
    let columns: Vec<String> = cont
        .fields
        .iter()
        .filter(|f| !f.is_skipped())
        .map(|f| name_of(f.ident))
        .collect();
    let expected: Vec<&str> = columns.iter().map(String::as_str).collect();
    // The columns an index's `on` names, in SQL spelling: column names (field names work too).
    for index in &attrs.indexes {
        let Some((tokens, elements)) = &index.on else {
            continue;
        };
        for element in elements {
            let crate::elements::ElementTarget::Column(name) = &element.target else {
                continue;
            };
            match cont.fields.iter().find(|f| f.is_named(name)) {
                Some(field) if !field.is_skipped() => {}
                _ => cx.error_spanned_by(
                    tokens,
                    format!(
                        "`on` names `{name}`, which is not a column of `{}`, expected one of {}",
                        cont.ident,
                        list(&expected)
                    ),
                ),
            }
        }
    }
    for (what, names) in lists {
        for (i, ident) in names.iter().enumerate() {
            let name = name_of(ident);
            if names[..i].iter().any(|earlier| name_of(earlier) == name) {
                cx.error_spanned_by(ident, format!("`{name}` is listed twice in `{what}`"));
                continue;
            }
            match cont.fields.iter().find(|f| f.is_named(&name)) {
                Some(field) if field.is_skipped() => cx.error_spanned_by(
                    ident,
                    format!("`{what}` names `{name}`, a `skip` field, which is not a column"),
                ),
                Some(_) => {}
                None => cx.error_spanned_by(
                    ident,
                    format!(
                        "`{what}` names `{name}`, which is not a field of `{}`, expected one of {}",
                        cont.ident,
                        list(&expected)
                    ),
                ),
            }
        }
    }
}

/// Two fields mapping to one column would make one table with a column twice.
fn columns_are_distinct(cx: &Ctxt, cont: &Container<'_>) {
    let columns: Vec<&Field<'_>> = cont.fields.iter().filter(|f| !f.is_skipped()).collect();
    for (i, field) in columns.iter().enumerate() {
        let column = field.column_name();
        if let Some(first) = columns[..i].iter().find(|f| f.column_name() == column) {
            let at = match field.attrs.column.key() {
                Some(_) => field.attrs.column.tokens().clone(),
                None => quote::ToTokens::to_token_stream(field.ident),
            };
            cx.error_spanned_by(
                at,
                format!(
                    "column `{column}` is declared twice: fields `{}` and `{}` both map to it",
                    name_of(first.ident),
                    name_of(field.ident)
                ),
            );
        }
    }
}
