//! The dev-loop reader: models read from the models crate's source with the derive's own parser,
//! following the module tree from the crate root, without compiling anything.
//!
//! Field types are resolved by their spelling for the built-in [`ColumnType`](crate::ColumnType)
//! impls (any path ending in a known name); anything else needs `#[model(sql_type = "...")]`, or
//! the compiled reader.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use migrate_derive_core::elements::{ElementTarget, IndexElement};
use migrate_derive_core::{DefaultLit, EnumDef, FieldDef, IdentityDef, ModelDef};

use crate::model::{
    builtin_type, EnumSpec, FieldSpec, ForeignKeySpec, IndexSpec, ModelSpec, UniqueSpec,
};
use crate::schema::{
    Check, DefaultValue, Deferrable, Exclusion, FkAction, Generated, Identity, IndexColumn,
    IndexTarget, Nulls, PartitionOf, SqlType, TableOptions,
};

/// Everything wrong with the models' source, each message starting `file:line:column:`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .messages.join("\n"))]
pub struct SourceError {
    /// One line per problem.
    pub messages: Vec<String>,
}

/// Reads every `#[derive(Model)]` struct of the crate in `crate_dir`.
pub fn read_models(crate_dir: &Path) -> Result<Vec<ModelSpec>, SourceError> {
    let src = crate_dir.join("src");
    let root = [src.join("lib.rs"), src.join("main.rs")]
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| SourceError {
            messages: vec![format!(
                "{}: no src/lib.rs or src/main.rs: `models` in migrate.toml must point at a crate",
                crate_dir.display()
            )],
        })?;
    let mut reader = Reader::default();
    reader.read_file(&root, &src);
    // Types are resolved once every file is read: an enum may be declared after its users.
    let enums = EnumTable::new(&reader.enums);
    let mut models = Vec::with_capacity(reader.models.len());
    for (file, def) in &reader.models {
        match model_spec_with(def, &enums) {
            Ok(spec) => models.push(spec),
            Err(errors) => {
                for (span, message) in errors {
                    reader.errors.push(located(file, span, &message));
                }
            }
        }
    }
    if reader.errors.is_empty() {
        Ok(models)
    } else {
        Err(SourceError {
            messages: reader.errors,
        })
    }
}

#[derive(Default)]
struct Reader {
    models: Vec<(PathBuf, ModelDef)>,
    enums: Vec<EnumDef>,
    errors: Vec<String>,
    files: Vec<PathBuf>,
}

impl Reader {
    /// Reads one module file; `dir` is where its child modules live.
    fn read_file(&mut self, path: &Path, dir: &Path) {
        if self.files.iter().any(|f| f == path) {
            return;
        }
        self.files.push(path.to_path_buf());
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                self.errors.push(format!("{}: {e}", path.display()));
                return;
            }
        };
        // Cheap filter: a file that never says `Model` and declares no module holds no model.
        if !text.contains("Model") && !text.contains("mod ") {
            return;
        }
        match syn::parse_file(&text) {
            Ok(file) => self.read_items(file.items, path, dir),
            Err(e) => self.push_syn_error(path, e),
        }
    }

    /// Takes the items by value: the struct moves into the derive's input instead of being
    /// copied (the copies cost a tenth of a no-change `migrate`).
    fn read_items(&mut self, items: Vec<syn::Item>, file: &Path, dir: &Path) {
        for item in items {
            match item {
                syn::Item::Struct(s) if migrate_derive_core::derives_model(&s.attrs) => {
                    // syn's own conversion moves the item, fields and all, into the derive's input.
                    let input = syn::DeriveInput::from(s);
                    match migrate_derive_core::parse_model(&input) {
                        Ok(def) => self.models.push((file.to_path_buf(), def)),
                        Err(e) => self.push_syn_error(file, e),
                    }
                }
                syn::Item::Enum(e) if migrate_derive_core::derives_model_enum(&e.attrs) => {
                    let input = syn::DeriveInput::from(e);
                    match migrate_derive_core::parse_model_enum(&input) {
                        Ok(def) => self.enums.push(def),
                        Err(e) => self.push_syn_error(file, e),
                    }
                }
                syn::Item::Mod(m) if !is_cfg_test(&m.attrs) => {
                    let name = m.ident.to_string();
                    let explicit = path_attr(&m.attrs);
                    match m.content {
                        Some((_, items)) => {
                            let child_dir = match &explicit {
                                Some(p) => dir.join(p),
                                None => dir.join(&name),
                            };
                            self.read_items(items, file, &child_dir);
                        }
                        None => {
                            let candidates = match &explicit {
                                Some(p) => vec![dir.join(p)],
                                None => vec![
                                    dir.join(format!("{name}.rs")),
                                    dir.join(&name).join("mod.rs"),
                                ],
                            };
                            match candidates.iter().find(|p| p.is_file()) {
                                Some(found) => {
                                    let child_dir =
                                        if found.file_name().is_some_and(|f| f == "mod.rs")
                                            || explicit.is_some()
                                        {
                                            found.parent().unwrap_or(dir).to_path_buf()
                                        } else {
                                            dir.join(&name)
                                        };
                                    let found = found.clone();
                                    self.read_file(&found, &child_dir);
                                }
                                None => self.errors.push(located(
                                    file,
                                    m.ident.span(),
                                    &format!(
                                        "module `{name}` not found: looked for {}",
                                        candidates
                                            .iter()
                                            .map(|p| p.display().to_string())
                                            .collect::<Vec<_>>()
                                            .join(" and ")
                                    ),
                                )),
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn push_syn_error(&mut self, file: &Path, error: syn::Error) {
        for e in error {
            self.errors.push(located(file, e.span(), &e.to_string()));
        }
    }
}

fn located(file: &Path, span: proc_macro2::Span, message: &str) -> String {
    let start = span.start();
    format!(
        "{}:{}:{}: {message}",
        file.display(),
        start.line,
        start.column + 1
    )
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("path"))
        .and_then(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
}

type SpannedErrors = Vec<(proc_macro2::Span, String)>;

/// The `#[derive(ModelEnum)]` enums of the crate, by name; a name two enums share resolves to
/// neither.
struct EnumTable {
    by_name: BTreeMap<String, Option<EnumSpec>>,
}

impl EnumTable {
    fn new(defs: &[EnumDef]) -> Self {
        let mut by_name = BTreeMap::new();
        for def in defs {
            let spec = EnumSpec {
                enum_name: def.ident.to_string(),
                type_name: def.type_name.clone(),
                values: def.variants.iter().map(|v| v.value.clone()).collect(),
                renames: def
                    .variants
                    .iter()
                    .filter_map(|v| Some((v.renamed_from.clone()?, v.value.clone())))
                    .collect(),
            };
            by_name
                .entry(def.ident.to_string())
                .and_modify(|e| *e = None)
                .or_insert(Some(spec));
        }
        EnumTable { by_name }
    }
}

/// The same [`ModelSpec`] the derive builds, with types resolved by spelling.
pub fn model_spec(def: &ModelDef) -> Result<ModelSpec, SpannedErrors> {
    model_spec_with(
        def,
        &EnumTable {
            by_name: BTreeMap::new(),
        },
    )
}

fn model_spec_with(def: &ModelDef, enums: &EnumTable) -> Result<ModelSpec, SpannedErrors> {
    let struct_name = def.ident.to_string();
    let mut errors = Vec::new();
    let mut fields = Vec::new();
    for field in &def.fields {
        match field_spec(&struct_name, field, enums) {
            Ok(spec) => fields.push(spec),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ModelSpec {
        struct_name,
        table: def.table.clone(),
        diesel_table_name: def.diesel_table_name.clone(),
        primary_key: def.primary_key.clone(),
        primary_key_name: def.primary_key_name.clone(),
        no_primary_key: def.no_primary_key,
        diesel_primary_key: def.diesel_primary_key.clone(),
        indexes: def
            .indexes
            .iter()
            .map(|i| IndexSpec {
                name: i.name.clone(),
                columns: i.columns.clone(),
                elements: i.on.iter().map(index_column).collect(),
                unique: i.unique,
                method: i.method.clone(),
                predicate: i.predicate.clone(),
                include: i.include.clone(),
                with: i.with.clone(),
                nulls_not_distinct: i.nulls_not_distinct,
                comment: i.comment.clone(),
            })
            .collect(),
        uniques: def
            .uniques
            .iter()
            .map(|u| UniqueSpec {
                name: u.name.clone(),
                columns: u.columns.clone(),
                deferrable: deferrable(u.deferrable.as_deref()),
                nulls_not_distinct: u.nulls_not_distinct,
            })
            .collect(),
        foreign_keys: def
            .foreign_keys
            .iter()
            .map(|fk| ForeignKeySpec {
                name: fk.name.clone(),
                columns: fk.columns.clone(),
                ref_table: fk.ref_table.clone(),
                ref_columns: fk.ref_columns.clone(),
                on_delete: action(&fk.on_delete).unwrap_or_default(),
                on_update: action(&fk.on_update).unwrap_or_default(),
                deferrable: deferrable(fk.deferrable.as_deref()),
                match_full: fk.match_full,
                not_valid: fk.not_valid,
            })
            .collect(),
        checks: def
            .checks
            .iter()
            .map(|c| Check {
                name: c.name.clone(),
                expr: c.expr.clone(),
                not_valid: c.not_valid,
                no_inherit: c.no_inherit,
            })
            .collect(),
        exclusions: def
            .exclusions
            .iter()
            .map(|e| Exclusion {
                name: e.name.clone(),
                definition: e.definition.clone(),
                deferrable: deferrable(e.deferrable.as_deref()),
            })
            .collect(),
        options: TableOptions {
            comment: def.options.comment.clone(),
            engine: def.options.engine.clone(),
            charset: def.options.charset.clone(),
            collation: def.options.collation.clone(),
            without_rowid: def.options.without_rowid,
            strict: def.options.strict,
            partition_by: def.options.partition_by.clone(),
            unlogged: def.options.unlogged,
            with: def.options.with.clone(),
            partition_of: def
                .options
                .partition_of
                .as_ref()
                .map(|(parent, bound)| PartitionOf {
                    parent: parent.clone(),
                    bound: bound.clone(),
                }),
            inherits: def.options.inherits.clone(),
        },
        renamed_from: def.renamed_from.clone(),
        fields,
    })
}

fn field_spec(
    struct_name: &str,
    field: &FieldDef,
    enums: &EnumTable,
) -> Result<FieldSpec, (proc_macro2::Span, String)> {
    let (inner, nullable) = match option_inner(&field.ty) {
        Some(inner) => (inner, true),
        None => (&field.ty, false),
    };
    // `Vec<Option<E>>` of a `#[derive(ModelEnum)]` enum is an array of its type (PostgreSQL).
    let (inner, array) = match vec_option_inner(inner) {
        Some(element) if field.sql_type.is_none() => (element, true),
        _ => (inner, false),
    };
    let spelled = type_name(inner);
    let enum_spec = match (&field.sql_type, &spelled) {
        (None, Some(name)) if builtin_type(name).is_none() => match enums.by_name.get(name) {
            Some(Some(spec)) => Some(spec.clone()),
            Some(None) => {
                return Err((
                    span_of(&field.ty),
                    format!(
                        "the type of `{struct_name}.{}` is ambiguous: several `#[derive(ModelEnum)]` enums are named `{name}`; rename one, or run with `--compiled`",
                        field.ident
                    ),
                ))
            }
            None => None,
        },
        _ => None,
    };
    let ty = match (&field.sql_type, &enum_spec) {
        (Some(spelling), _) => spelling
            .parse::<SqlType>()
            .map_err(|e| (field.ident.span(), e.to_string()))?,
        (None, Some(spec)) if array => SqlType::array(SqlType::Enum(spec.type_name.clone())),
        (None, Some(spec)) => SqlType::Enum(spec.type_name.clone()),
        (None, None) if array => {
            let spelled = quote::ToTokens::to_token_stream(&field.ty).to_string().replace(' ', "");
            return Err((
                span_of(&field.ty),
                format!(
                    "the array type of `{struct_name}.{}` (`{spelled}`) is read from its spelling only for an enum's; give the field `#[model(sql_type = \"...[]\")]`, or run with `--compiled`",
                    field.ident
                ),
            ));
        }
        (None, None) => spelled.and_then(|n| builtin_type(&n)).ok_or_else(|| {
            let spelled = quote::ToTokens::to_token_stream(&field.ty).to_string().replace(' ', "");
            (
                span_of(&field.ty),
                format!(
                    "cannot resolve the column type of `{struct_name}.{}` (`{spelled}`) from its spelling; give the field `#[model(sql_type = \"...\")]`, or run with `--compiled`",
                    field.ident
                ),
            )
        })?,
    };
    let default = match (&field.default, &field.default_sql) {
        (Some(DefaultLit::Bool(b)), _) => Some(DefaultValue::Bool(*b)),
        (Some(DefaultLit::Int(i)), _) => Some(DefaultValue::Int(*i)),
        (Some(DefaultLit::Float(f)), _) => Some(DefaultValue::Float(f.clone())),
        (Some(DefaultLit::Str(s)), _) => Some(DefaultValue::Text(s.clone())),
        (None, Some(sql)) => Some(DefaultValue::Sql(sql.clone())),
        (None, None) => None,
    };
    Ok(FieldSpec {
        field: field.ident.to_string(),
        column: field.column.clone(),
        diesel_column_name: field.diesel_column_name.clone(),
        ty,
        nullable,
        primary_key: field.primary_key,
        auto_increment: field.auto_increment,
        max_length: field.max_length,
        numeric: field.numeric,
        explicit_sql_type: field.sql_type.is_some(),
        default,
        unique: field.unique,
        index: field.index,
        references: field.references.clone(),
        on_delete: action(&field.on_delete),
        on_update: action(&field.on_update),
        fk_name: field.fk_name.clone(),
        fk_deferrable: deferrable(field.fk_deferrable.as_deref()),
        fk_match_full: field.fk_match_full,
        fk_not_valid: field.fk_not_valid,
        unique_name: field.unique_name.clone(),
        unique_deferrable: deferrable(field.unique_deferrable.as_deref()),
        unique_nulls_not_distinct: field.unique_nulls_not_distinct,
        index_name: field.index_name.clone(),
        index_method: field.index_method.clone(),
        index_unique: field.index_unique,
        identity: field.identity.as_ref().map(|identity| match identity {
            IdentityDef::Always => Identity::Always,
            IdentityDef::ByDefault => Identity::ByDefault,
            IdentityDef::Autoincrement => Identity::Autoincrement,
            IdentityDef::Serial(sequence) => Identity::Serial {
                sequence: sequence.clone(),
            },
        }),
        on_update_sql: field.on_update_sql.clone(),
        generated: field.generated.as_ref().map(|(expr, stored)| Generated {
            expr: expr.clone(),
            stored: *stored,
        }),
        collation: field.collation.clone(),
        charset: field.charset.clone(),
        comment: field.comment.clone(),
        renamed_from: field.renamed_from.clone(),
        enum_spec,
    })
}

/// A referential action as the parser normalised it.
fn action(text: &Option<String>) -> Option<FkAction> {
    text.as_deref().and_then(FkAction::parse)
}

/// `"deferred"` / `"immediate"`, as the parser lets them through.
fn deferrable(text: Option<&str>) -> Option<Deferrable> {
    text.map(|t| match t {
        "deferred" => Deferrable::Deferred,
        _ => Deferrable::Immediate,
    })
}

/// An `on = "..."` element as the schema holds it.
fn index_column(element: &IndexElement) -> IndexColumn {
    IndexColumn {
        target: match &element.target {
            ElementTarget::Column(name) => IndexTarget::Column(name.clone()),
            ElementTarget::Expression(expr) => IndexTarget::Expression(expr.clone()),
        },
        descending: element.descending,
        nulls: element
            .nulls_first
            .map(|first| if first { Nulls::First } else { Nulls::Last }),
        opclass: element.opclass.clone(),
        collation: element.collation.clone(),
        length: element.length,
    }
}

fn span_of(ty: &syn::Type) -> proc_macro2::Span {
    syn::spanned::Spanned::span(ty)
}

/// `T` of `Option<T>` (any path ending in `Option`).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}

/// `T` of `Vec<Option<T>>`.
fn vec_option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Vec" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => option_inner(inner),
            _ => None,
        },
        _ => None,
    }
}

/// The spelling the built-in table knows: the last path segment, with `Vec<u8>` kept whole.
fn type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let name = last.ident.to_string();
    if name == "Vec" {
        if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
            if let Some(syn::GenericArgument::Type(syn::Type::Path(inner))) = args.args.first() {
                if inner.path.is_ident("u8") {
                    return Some("Vec<u8>".into());
                }
            }
        }
        return None;
    }
    Some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_modules_and_resolves_by_spelling() {
        let dir = std::env::temp_dir().join(format!("migrate-source-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src/models")).unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "pub mod models;\n#[cfg(test)] mod tests;\n",
        )
        .unwrap();
        std::fs::write(dir.join("src/models.rs"), "mod users;\npub mod inline { use migrate_core::Model; #[derive(Model)] pub struct Tag { pub id: i64, pub name: Option<std::string::String> } }\n").unwrap();
        std::fs::write(
            dir.join("src/models/users.rs"),
            "#[derive(Debug, migrate_core::Model)]\n#[diesel(table_name = crate::schema::people)]\npub struct User { pub id: i32, #[model(max_length = 80)] pub email: String, pub seen: Option<chrono::NaiveDateTime> }\n",
        )
        .unwrap();
        let mut models = read_models(&dir).unwrap();
        models.sort_by(|a, b| a.struct_name.cmp(&b.struct_name));
        assert_eq!(models.len(), 2);
        assert_eq!(models[0].struct_name, "Tag");
        assert!(models[0].fields[1].nullable);
        assert_eq!(models[1].table_name(), "people");
        assert_eq!(models[1].fields[2].ty, SqlType::Timestamp);

        std::fs::write(
            dir.join("src/models.rs"),
            "mod users;\n#[derive(Model)] pub struct Bad { pub id: i32, pub rating: Rating }\n",
        )
        .unwrap();
        let err = read_models(&dir).unwrap_err().to_string();
        assert!(err.contains("models.rs:2:"), "{err}");
        assert!(
            err.contains("cannot resolve the column type of `Bad.rating` (`Rating`)"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
