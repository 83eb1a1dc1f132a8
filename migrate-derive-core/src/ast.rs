//! The struct as the derive understands it.
//!
//! [`ModelDef`] is the public result, the one the expansion and migrate-cli's source reader
//! consume. [`Container`] is the working form during checking: it keeps the original syn nodes
//! and the attribute tokens, so that every error can point at its token.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident};

use crate::attr::{CheckDef, ContainerAttrs, DefaultLit, ExclusionDef, FieldAttrs, IdentityDef};
use crate::ctxt::Ctxt;
use crate::elements::IndexElement;

/// One `#[derive(Model)]` struct, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelDef {
    /// The struct's name.
    pub ident: Ident,
    /// `#[model(table = "...")]`.
    pub table: Option<String>,
    /// The last path segment of `#[diesel(table_name = a::b::posts)]`.
    pub diesel_table_name: Option<String>,
    /// `#[model(primary_key(a, b))]`: field or column names.
    pub primary_key: Vec<String>,
    /// `#[model(primary_key(..., name = "..."))]`.
    pub primary_key_name: Option<String>,
    /// `#[model(no_primary_key)]`: the table has no key, not even a field named `id`.
    pub no_primary_key: bool,
    /// `#[diesel(primary_key(a, b))]`.
    pub diesel_primary_key: Vec<String>,
    /// `#[model(index(...))]` on the struct.
    pub indexes: Vec<IndexDef>,
    /// `#[model(unique(...))]` on the struct.
    pub uniques: Vec<UniqueDef>,
    /// `#[model(foreign_key(...))]` on the struct.
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// `#[model(check(name = "...", expr = "..."))]`.
    pub checks: Vec<CheckDef>,
    /// `#[model(exclude(...))]`.
    pub exclusions: Vec<ExclusionDef>,
    /// The table's options: comment, storage, partitioning, inheritance.
    pub options: TableOptionsDef,
    /// `#[model(renamed_from = "...")]` on the struct.
    pub renamed_from: Option<String>,
    /// The fields that are columns (those with `#[model(skip)]` left out), in order.
    pub fields: Vec<FieldDef>,
}

/// A struct-level `#[model(index(...))]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexDef {
    /// `name = "..."`.
    pub name: Option<String>,
    /// Field or column names, in order (empty with `on`).
    pub columns: Vec<String>,
    /// `on = "..."`: columns and expressions in SQL spelling.
    pub on: Vec<IndexElement>,
    /// `unique`.
    pub unique: bool,
    /// `method = "..."`, lower case.
    pub method: Option<String>,
    /// `where = "..."`.
    pub predicate: Option<String>,
    /// `include(a, b)`: field or column names.
    pub include: Vec<String>,
    /// `with = "..."`.
    pub with: Option<String>,
    /// `nulls_not_distinct`.
    pub nulls_not_distinct: bool,
    /// `comment = "..."`.
    pub comment: Option<String>,
}

/// A struct-level `#[model(unique(...))]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UniqueDef {
    /// `name = "..."`.
    pub name: Option<String>,
    /// Field or column names, in order.
    pub columns: Vec<String>,
    /// `deferrable = "deferred"` or `"immediate"`.
    pub deferrable: Option<String>,
    /// `nulls_not_distinct`.
    pub nulls_not_distinct: bool,
}

/// A struct-level `#[model(foreign_key(...))]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForeignKeyDef {
    /// `name = "..."`.
    pub name: Option<String>,
    /// Field or column names of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub ref_table: String,
    /// The referenced columns; empty for the table's key.
    pub ref_columns: Vec<String>,
    /// `on_delete`, normalised (`"set null"`).
    pub on_delete: Option<String>,
    /// `on_update`, normalised.
    pub on_update: Option<String>,
    /// `deferrable = "deferred"` or `"immediate"`.
    pub deferrable: Option<String>,
    /// `match_full`.
    pub match_full: bool,
    /// `not_valid`.
    pub not_valid: bool,
}

/// The table options of a struct.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableOptionsDef {
    /// `comment = "..."`, else the `///` doc comment.
    pub comment: Option<String>,
    /// `engine = "..."`.
    pub engine: Option<String>,
    /// `charset = "..."`.
    pub charset: Option<String>,
    /// `collation = "..."`.
    pub collation: Option<String>,
    /// `without_rowid`.
    pub without_rowid: bool,
    /// `strict`.
    pub strict: bool,
    /// `partition_by = "..."`.
    pub partition_by: Option<String>,
    /// `partition_of(parent = "...", bound = "...")`.
    pub partition_of: Option<(String, String)>,
    /// `inherits("a", "b")`.
    pub inherits: Vec<String>,
    /// `unlogged`.
    pub unlogged: bool,
    /// `with = "..."`.
    pub with: Option<String>,
}

/// One field that is a column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// The field's name.
    pub ident: Ident,
    /// The field's type as written.
    pub ty: syn::Type,
    /// `#[model(column = "...")]`.
    pub column: Option<String>,
    /// `#[diesel(column_name = ...)]`.
    pub diesel_column_name: Option<String>,
    /// `#[model(primary_key)]`.
    pub primary_key: bool,
    /// `#[model(auto_increment = ...)]`.
    pub auto_increment: Option<bool>,
    /// `#[model(max_length = N)]`, at least 1.
    pub max_length: Option<u32>,
    /// `#[model(numeric(precision = P, scale = S))]`.
    pub numeric: Option<(u32, u32)>,
    /// `#[model(sql_type = "...")]`, a spelling of migrate-core's `SqlType`.
    pub sql_type: Option<String>,
    /// `#[model(default = ...)]`.
    pub default: Option<DefaultLit>,
    /// `#[model(default_sql = "...")]`.
    pub default_sql: Option<String>,
    /// `#[model(unique)]`.
    pub unique: bool,
    /// `#[model(index)]`.
    pub index: bool,
    /// `#[model(references = "table.column")]` or `"table"`.
    pub references: Option<String>,
    /// `on_delete`: `"cascade"`, `"set null"`, `"restrict"`, `"no action"` or `"set default"`.
    pub on_delete: Option<String>,
    /// `on_update`, spelled as `on_delete`.
    pub on_update: Option<String>,
    /// `fk_name = "..."`: the foreign key's name.
    pub fk_name: Option<String>,
    /// `deferrable = "deferred"` or `"immediate"`, of the foreign key.
    pub fk_deferrable: Option<String>,
    /// `match_full`, of the foreign key.
    pub fk_match_full: bool,
    /// `not_valid`, of the foreign key.
    pub fk_not_valid: bool,
    /// `unique(name = "...")`.
    pub unique_name: Option<String>,
    /// `unique(deferrable = "...")`.
    pub unique_deferrable: Option<String>,
    /// `unique(nulls_not_distinct)`.
    pub unique_nulls_not_distinct: bool,
    /// `index(name = "...")`.
    pub index_name: Option<String>,
    /// `index(method = "...")`.
    pub index_method: Option<String>,
    /// `index(unique)`.
    pub index_unique: bool,
    /// `identity = "..."`, `serial`, `autoincrement`.
    pub identity: Option<IdentityDef>,
    /// `on_update_sql = "..."`.
    pub on_update_sql: Option<String>,
    /// `generated(expr = "...", stored)`: the expression and whether it is stored.
    pub generated: Option<(String, bool)>,
    /// `collation = "..."`.
    pub collation: Option<String>,
    /// `charset = "..."`.
    pub charset: Option<String>,
    /// `comment = "..."`, else the `///` doc comment.
    pub comment: Option<String>,
    /// `#[model(renamed_from = "...")]`.
    pub renamed_from: Option<String>,
}

/// The struct while it is checked: attributes with their tokens, and the syn nodes.
pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) attrs: ContainerAttrs,
    /// Every named field, `skip` ones included (so rules can say "that field is skipped").
    pub(crate) fields: Vec<Field<'a>>,
}

/// A named field while it is checked.
pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) ty: &'a syn::Type,
    pub(crate) attrs: FieldAttrs,
}

impl<'a> Container<'a> {
    /// Parses the attributes of a struct with named fields; every other shape is reported (its
    /// attributes are still parsed, so their mistakes are reported too) and gives `None`.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = ContainerAttrs::from_ast(cx, &input.attrs);
        // A model is one table: a type parameter or lifetime would make it a family of them,
        // and the registry needs one concrete `model_spec` function to call.
        if !input.generics.params.is_empty() {
            cx.error_spanned_by(
                &input.generics,
                "`#[derive(Model)]` does not support generic structs: a model maps to exactly one table",
            );
        }
        let named = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => Some(named),
                Fields::Unnamed(fields) => {
                    cx.error_spanned_by(
                        fields,
                        "`#[derive(Model)]` needs a struct with named fields, found a tuple struct: columns are named after fields",
                    );
                    None
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "`#[derive(Model)]` needs a struct with named fields, found a unit struct: a table needs at least one column",
                    );
                    None
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "`#[derive(Model)]` applies to structs with named fields, not enums",
                );
                None
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    "`#[derive(Model)]` applies to structs with named fields, not unions",
                );
                None
            }
        };
        let fields = named?
            .named
            .iter()
            .map(|field| Field {
                ident: field.ident.as_ref().expect("named field"),
                ty: &field.ty,
                attrs: FieldAttrs::from_ast(cx, &field.attrs),
            })
            .collect();
        Some(Container {
            ident: &input.ident,
            attrs,
            fields,
        })
    }

    /// The public form, once the checks have passed.
    pub(crate) fn to_def(&self) -> ModelDef {
        let names = |idents: &[Ident]| idents.iter().map(name_of).collect::<Vec<_>>();
        let attrs = &self.attrs;
        ModelDef {
            ident: self.ident.clone(),
            table: attrs.table.get().cloned(),
            diesel_table_name: attrs.diesel_table_name.clone(),
            primary_key: attrs
                .primary_key
                .get()
                .map(|k| names(k))
                .unwrap_or_default(),
            primary_key_name: attrs.primary_key_name.clone(),
            no_primary_key: attrs.no_primary_key.is_set(),
            diesel_primary_key: names(&attrs.diesel_primary_key),
            indexes: attrs
                .indexes
                .iter()
                .map(|index| IndexDef {
                    name: index.name.clone(),
                    columns: names(&index.columns),
                    on: index
                        .on
                        .as_ref()
                        .map(|(_, e)| e.clone())
                        .unwrap_or_default(),
                    unique: index.unique,
                    method: index.method.clone(),
                    predicate: index.predicate.clone(),
                    include: names(&index.include),
                    with: index.with.clone(),
                    nulls_not_distinct: index.nulls_not_distinct,
                    comment: index.comment.clone(),
                })
                .collect(),
            uniques: attrs
                .uniques
                .iter()
                .map(|u| UniqueDef {
                    name: u.name.clone(),
                    columns: names(&u.columns),
                    deferrable: u.deferrable.clone(),
                    nulls_not_distinct: u.nulls_not_distinct,
                })
                .collect(),
            foreign_keys: attrs
                .foreign_keys
                .iter()
                .map(|fk| ForeignKeyDef {
                    name: fk.name.clone(),
                    columns: names(&fk.columns),
                    ref_table: fk.ref_table.clone(),
                    ref_columns: fk.ref_columns.clone(),
                    on_delete: fk.on_delete.clone(),
                    on_update: fk.on_update.clone(),
                    deferrable: fk.deferrable.clone(),
                    match_full: fk.match_full,
                    not_valid: fk.not_valid,
                })
                .collect(),
            checks: attrs.checks.clone(),
            exclusions: attrs.exclusions.clone(),
            options: TableOptionsDef {
                comment: attrs.comment.get().or(attrs.doc.as_ref()).cloned(),
                engine: attrs.engine.get().cloned(),
                charset: attrs.charset.get().cloned(),
                collation: attrs.collation.get().cloned(),
                without_rowid: attrs.without_rowid.is_set(),
                strict: attrs.strict.is_set(),
                partition_by: attrs.partition_by.get().cloned(),
                partition_of: attrs.partition_of.get().cloned(),
                inherits: attrs.inherits.get().cloned().unwrap_or_default(),
                unlogged: attrs.unlogged.is_set(),
                with: attrs.with.get().cloned(),
            },
            renamed_from: attrs.renamed_from.get().cloned(),
            fields: self
                .fields
                .iter()
                .filter(|f| !f.is_skipped())
                .map(Field::to_def)
                .collect(),
        }
    }
}

impl Field<'_> {
    pub(crate) fn is_skipped(&self) -> bool {
        self.attrs.skip.is_set()
    }

    /// The column this field maps to, by the same rule as migrate-core's `FieldSpec`.
    pub(crate) fn column_name(&self) -> String {
        self.attrs
            .column
            .get()
            .cloned()
            .or_else(|| self.attrs.diesel_column_name.clone())
            .unwrap_or_else(|| name_of(self.ident))
    }

    /// Whether a name in a struct-level list (`index(...)`, `primary_key(...)`) means this
    /// field: its Rust name or its column name.
    pub(crate) fn is_named(&self, name: &str) -> bool {
        name_of(self.ident) == name || self.column_name() == name
    }

    fn to_def(&self) -> FieldDef {
        let attrs = &self.attrs;
        FieldDef {
            ident: self.ident.clone(),
            ty: self.ty.clone(),
            column: attrs.column.get().cloned(),
            diesel_column_name: attrs.diesel_column_name.clone(),
            primary_key: attrs.primary_key.is_set(),
            auto_increment: attrs.auto_increment.get().copied(),
            max_length: attrs.max_length.get().copied(),
            numeric: attrs.numeric.get().copied(),
            sql_type: attrs.sql_type.get().cloned(),
            default: attrs.default.get().cloned(),
            default_sql: attrs.default_sql.get().cloned(),
            unique: attrs.unique.is_set(),
            index: attrs.index.is_set(),
            references: attrs.references.get().cloned(),
            on_delete: attrs.on_delete.get().cloned(),
            on_update: attrs.on_update.get().cloned(),
            fk_name: attrs.fk_name.get().cloned(),
            fk_deferrable: attrs.deferrable.get().cloned(),
            fk_match_full: attrs.match_full.is_set(),
            fk_not_valid: attrs.not_valid.is_set(),
            unique_name: attrs.unique_opts.name.clone(),
            unique_deferrable: attrs.unique_opts.deferrable.clone(),
            unique_nulls_not_distinct: attrs.unique_opts.nulls_not_distinct,
            index_name: attrs.index_opts.name.clone(),
            index_method: attrs.index_opts.method.clone(),
            index_unique: attrs.index_opts.unique,
            identity: self.identity(),
            on_update_sql: attrs.on_update_sql.get().cloned(),
            generated: attrs.generated.get().cloned(),
            collation: attrs.collation.get().cloned(),
            charset: attrs.charset.get().cloned(),
            comment: attrs.comment.get().or(attrs.doc.as_ref()).cloned(),
            renamed_from: attrs.renamed_from.get().cloned(),
        }
    }

    /// How the field's values are generated, from whichever of the keys was given.
    pub(crate) fn identity(&self) -> Option<IdentityDef> {
        let attrs = &self.attrs;
        if let Some(identity) = attrs.identity.get() {
            return Some(if identity == "always" {
                IdentityDef::Always
            } else {
                IdentityDef::ByDefault
            });
        }
        if let Some(sequence) = attrs.serial.get() {
            return Some(IdentityDef::Serial(sequence.clone()));
        }
        attrs
            .autoincrement
            .is_set()
            .then_some(IdentityDef::Autoincrement)
    }
}

/// An identifier as a name: `r#type` is `type`.
pub(crate) fn name_of(ident: &Ident) -> String {
    ident.unraw().to_string()
}
