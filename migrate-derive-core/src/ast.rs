//! The struct as the derive understands it.
//!
//! [`ModelDef`] is the public result, the one the expansion and migrate-cli's source reader
//! consume. [`Container`] is the working form during checking: it keeps the original syn nodes
//! and the attribute tokens, so that every error can point at its token.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident};

use crate::attr::{CheckDef, ContainerAttrs, DefaultLit, FieldAttrs};
use crate::ctxt::Ctxt;

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
    /// `#[diesel(primary_key(a, b))]`.
    pub diesel_primary_key: Vec<String>,
    /// `#[model(index(...))]` on the struct.
    pub indexes: Vec<IndexDef>,
    /// `#[model(unique(a, b))]` on the struct.
    pub uniques: Vec<Vec<String>>,
    /// `#[model(check(name = "...", expr = "..."))]`.
    pub checks: Vec<CheckDef>,
    /// `#[model(renamed_from = "...")]` on the struct.
    pub renamed_from: Option<String>,
    /// The fields that are columns (those with `#[model(skip)]` left out), in order.
    pub fields: Vec<FieldDef>,
}

/// A struct-level `#[model(index(...))]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    /// `name = "..."`.
    pub name: Option<String>,
    /// Field or column names, in order.
    pub columns: Vec<String>,
    /// `unique`.
    pub unique: bool,
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
            diesel_primary_key: names(&attrs.diesel_primary_key),
            indexes: attrs
                .indexes
                .iter()
                .map(|index| IndexDef {
                    name: index.name.clone(),
                    columns: names(&index.columns),
                    unique: index.unique,
                })
                .collect(),
            uniques: attrs.uniques.iter().map(|u| names(u)).collect(),
            checks: attrs.checks.clone(),
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
            renamed_from: attrs.renamed_from.get().cloned(),
        }
    }
}

/// An identifier as a name: `r#type` is `type`.
pub(crate) fn name_of(ident: &Ident) -> String {
    ident.unraw().to_string()
}
