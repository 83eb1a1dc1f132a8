//! Code generation: the `Model` impl and its registration.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{FieldDef, ModelDef};
use crate::attr::{DefaultLit, IdentityDef};
use crate::elements::{ElementTarget, IndexElement};

/// `impl Model` building the spec, and its registration with `inventory`.
pub(crate) fn expand(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let struct_name = ident.to_string();
    let table = opt_string(def.table.as_deref());
    let diesel_table_name = opt_string(def.diesel_table_name.as_deref());
    let primary_key = string_vec(&def.primary_key);
    let primary_key_name = opt_string(def.primary_key_name.as_deref());
    let no_primary_key = def.no_primary_key;
    let diesel_primary_key = string_vec(&def.diesel_primary_key);
    let indexes = def.indexes.iter().map(|index| {
        let name = opt_string(index.name.as_deref());
        let columns = string_vec(&index.columns);
        let elements = index.on.iter().map(index_element);
        let unique = index.unique;
        let method = opt_string(index.method.as_deref());
        let predicate = opt_string(index.predicate.as_deref());
        let include = string_vec(&index.include);
        let with = opt_string(index.with.as_deref());
        let nulls_not_distinct = index.nulls_not_distinct;
        let comment = opt_string(index.comment.as_deref());
        quote! {
            ::migrate_core::model::IndexSpec {
                name: #name,
                columns: #columns,
                elements: ::std::vec![#(#elements),*],
                unique: #unique,
                method: #method,
                predicate: #predicate,
                include: #include,
                with: #with,
                nulls_not_distinct: #nulls_not_distinct,
                comment: #comment,
            }
        }
    });
    let uniques = def.uniques.iter().map(|u| {
        let name = opt_string(u.name.as_deref());
        let columns = string_vec(&u.columns);
        let deferrable = deferrable(u.deferrable.as_deref());
        let nulls_not_distinct = u.nulls_not_distinct;
        quote! {
            ::migrate_core::model::UniqueSpec {
                name: #name,
                columns: #columns,
                deferrable: #deferrable,
                nulls_not_distinct: #nulls_not_distinct,
            }
        }
    });
    let foreign_keys = def.foreign_keys.iter().map(|fk| {
        let name = opt_string(fk.name.as_deref());
        let columns = string_vec(&fk.columns);
        let ref_table = string(&fk.ref_table);
        let ref_columns = string_vec(&fk.ref_columns);
        let on_delete = fk_action(fk.on_delete.as_deref().unwrap_or("no action"));
        let on_update = fk_action(fk.on_update.as_deref().unwrap_or("no action"));
        let deferrable = deferrable(fk.deferrable.as_deref());
        let match_full = fk.match_full;
        let not_valid = fk.not_valid;
        quote! {
            ::migrate_core::model::ForeignKeySpec {
                name: #name,
                columns: #columns,
                ref_table: #ref_table,
                ref_columns: #ref_columns,
                on_delete: #on_delete,
                on_update: #on_update,
                deferrable: #deferrable,
                match_full: #match_full,
                not_valid: #not_valid,
            }
        }
    });
    let checks = def.checks.iter().map(|check| {
        let name = string(&check.name);
        let expr = string(&check.expr);
        let not_valid = check.not_valid;
        let no_inherit = check.no_inherit;
        quote! {
            ::migrate_core::schema::Check {
                name: #name,
                expr: #expr,
                not_valid: #not_valid,
                no_inherit: #no_inherit,
            }
        }
    });
    let exclusions = def.exclusions.iter().map(|e| {
        let name = string(&e.name);
        let definition = string(&e.definition);
        let deferrable = deferrable(e.deferrable.as_deref());
        quote! {
            ::migrate_core::schema::Exclusion {
                name: #name,
                definition: #definition,
                deferrable: #deferrable,
            }
        }
    });
    let options = {
        let o = &def.options;
        let comment = opt_string(o.comment.as_deref());
        let engine = opt_string(o.engine.as_deref());
        let charset = opt_string(o.charset.as_deref());
        let collation = opt_string(o.collation.as_deref());
        let without_rowid = o.without_rowid;
        let strict = o.strict;
        let partition_by = opt_string(o.partition_by.as_deref());
        let partition_of = option(o.partition_of.as_ref().map(|(parent, bound)| {
            let parent = string(parent);
            let bound = string(bound);
            quote!(::migrate_core::schema::PartitionOf { parent: #parent, bound: #bound })
        }));
        let inherits = string_vec(&o.inherits);
        let unlogged = o.unlogged;
        let with = opt_string(o.with.as_deref());
        quote! {
            ::migrate_core::schema::TableOptions {
                comment: #comment,
                engine: #engine,
                charset: #charset,
                collation: #collation,
                without_rowid: #without_rowid,
                strict: #strict,
                partition_by: #partition_by,
                partition_of: #partition_of,
                inherits: #inherits,
                unlogged: #unlogged,
                with: #with,
            }
        }
    };
    let renamed_from = opt_string(def.renamed_from.as_deref());
    let fields = def.fields.iter().map(field_spec);

    quote! {
        const _: () = {
            #[automatically_derived]
            impl ::migrate_core::model::Model for #ident {
                fn model_spec() -> ::migrate_core::model::ModelSpec {
                    ::migrate_core::model::ModelSpec {
                        struct_name: ::std::string::String::from(#struct_name),
                        table: #table,
                        diesel_table_name: #diesel_table_name,
                        primary_key: #primary_key,
                        primary_key_name: #primary_key_name,
                        no_primary_key: #no_primary_key,
                        diesel_primary_key: #diesel_primary_key,
                        indexes: ::std::vec![#(#indexes),*],
                        uniques: ::std::vec![#(#uniques),*],
                        foreign_keys: ::std::vec![#(#foreign_keys),*],
                        checks: ::std::vec![#(#checks),*],
                        exclusions: ::std::vec![#(#exclusions),*],
                        options: #options,
                        renamed_from: #renamed_from,
                        fields: ::std::vec![#(#fields),*],
                    }
                }
            }

            ::migrate_core::__private::inventory::submit! {
                ::migrate_core::model::RegisteredModel {
                    spec: <#ident as ::migrate_core::model::Model>::model_spec,
                }
            }
        };
    }
}

fn field_spec(field: &FieldDef) -> TokenStream {
    let name = string(&field.ident.to_string());
    let ty = &field.ty;
    let (sql_type, nullable, enum_spec) = match &field.sql_type {
        Some(spelling) => {
            // Validated against the same vocabulary by the parser, so this cannot fail.
            let nullable = option_inner(ty).is_some();
            (
                quote! {
                    <::migrate_core::schema::SqlType as ::core::str::FromStr>::from_str(#spelling)
                        .expect("sql_type validated by #[derive(Model)]")
                },
                quote!(#nullable),
                quote!(::core::option::Option::None),
            )
        }
        None => {
            // Spanned at the field's type, so a type without an impl is an error right there.
            let span = ty.span();
            (
                quote_spanned! {span=> <#ty as ::migrate_core::model::ColumnType>::sql_type() },
                quote_spanned! {span=> <#ty as ::migrate_core::model::ColumnType>::NULLABLE },
                quote_spanned! {span=> <#ty as ::migrate_core::model::ColumnType>::enum_spec() },
            )
        }
    };
    let column = opt_string(field.column.as_deref());
    let diesel_column_name = opt_string(field.diesel_column_name.as_deref());
    let primary_key = field.primary_key;
    let auto_increment = option(field.auto_increment.map(|b| quote!(#b)));
    let max_length = option(field.max_length.map(|n| quote!(#n)));
    let numeric = option(field.numeric.map(|(p, s)| quote!((#p, #s))));
    let explicit_sql_type = field.sql_type.is_some();
    let default = option(field.default.as_ref().map(default_value).or_else(|| {
        field.default_sql.as_ref().map(|sql| {
            let sql = string(sql);
            quote!(::migrate_core::schema::DefaultValue::Sql(#sql))
        })
    }));
    let unique = field.unique;
    let index = field.index;
    let references = opt_string(field.references.as_deref());
    let on_delete = option(field.on_delete.as_deref().map(fk_action));
    let on_update = option(field.on_update.as_deref().map(fk_action));
    let fk_name = opt_string(field.fk_name.as_deref());
    let fk_deferrable = deferrable(field.fk_deferrable.as_deref());
    let fk_match_full = field.fk_match_full;
    let fk_not_valid = field.fk_not_valid;
    let unique_name = opt_string(field.unique_name.as_deref());
    let unique_deferrable = deferrable(field.unique_deferrable.as_deref());
    let unique_nulls_not_distinct = field.unique_nulls_not_distinct;
    let index_name = opt_string(field.index_name.as_deref());
    let index_method = opt_string(field.index_method.as_deref());
    let index_unique = field.index_unique;
    let identity = option(field.identity.as_ref().map(identity));
    let on_update_sql = opt_string(field.on_update_sql.as_deref());
    let generated = option(field.generated.as_ref().map(|(expr, stored)| {
        let expr = string(expr);
        quote!(::migrate_core::schema::Generated { expr: #expr, stored: #stored })
    }));
    let collation = opt_string(field.collation.as_deref());
    let charset = opt_string(field.charset.as_deref());
    let comment = opt_string(field.comment.as_deref());
    let renamed_from = opt_string(field.renamed_from.as_deref());
    quote! {
        ::migrate_core::model::FieldSpec {
            field: #name,
            column: #column,
            diesel_column_name: #diesel_column_name,
            ty: #sql_type,
            nullable: #nullable,
            primary_key: #primary_key,
            auto_increment: #auto_increment,
            max_length: #max_length,
            numeric: #numeric,
            explicit_sql_type: #explicit_sql_type,
            default: #default,
            unique: #unique,
            index: #index,
            references: #references,
            on_delete: #on_delete,
            on_update: #on_update,
            fk_name: #fk_name,
            fk_deferrable: #fk_deferrable,
            fk_match_full: #fk_match_full,
            fk_not_valid: #fk_not_valid,
            unique_name: #unique_name,
            unique_deferrable: #unique_deferrable,
            unique_nulls_not_distinct: #unique_nulls_not_distinct,
            index_name: #index_name,
            index_method: #index_method,
            index_unique: #index_unique,
            identity: #identity,
            on_update_sql: #on_update_sql,
            generated: #generated,
            collation: #collation,
            charset: #charset,
            comment: #comment,
            renamed_from: #renamed_from,
            enum_spec: #enum_spec,
        }
    }
}

fn default_value(default: &DefaultLit) -> TokenStream {
    match default {
        DefaultLit::Bool(b) => quote!(::migrate_core::schema::DefaultValue::Bool(#b)),
        DefaultLit::Int(n) => quote!(::migrate_core::schema::DefaultValue::Int(#n)),
        DefaultLit::Float(x) => {
            let x = string(x);
            quote!(::migrate_core::schema::DefaultValue::Float(#x))
        }
        DefaultLit::Str(s) => {
            let s = string(s);
            quote!(::migrate_core::schema::DefaultValue::Text(#s))
        }
    }
}

fn fk_action(action: &str) -> TokenStream {
    let variant = match action {
        "cascade" => quote!(Cascade),
        "set null" => quote!(SetNull),
        "restrict" => quote!(Restrict),
        "set default" => quote!(SetDefault),
        // "no action", the only other spelling the parser lets through.
        _ => quote!(NoAction),
    };
    quote!(::migrate_core::schema::FkAction::#variant)
}

fn deferrable(value: Option<&str>) -> TokenStream {
    option(value.map(|v| match v {
        "deferred" => quote!(::migrate_core::schema::Deferrable::Deferred),
        // "immediate", the only other spelling the parser lets through.
        _ => quote!(::migrate_core::schema::Deferrable::Immediate),
    }))
}

fn identity(identity: &IdentityDef) -> TokenStream {
    match identity {
        IdentityDef::Always => quote!(::migrate_core::schema::Identity::Always),
        IdentityDef::ByDefault => quote!(::migrate_core::schema::Identity::ByDefault),
        IdentityDef::Autoincrement => quote!(::migrate_core::schema::Identity::Autoincrement),
        IdentityDef::Serial(sequence) => {
            let sequence = opt_string(sequence.as_deref());
            quote!(::migrate_core::schema::Identity::Serial { sequence: #sequence })
        }
    }
}

fn index_element(element: &IndexElement) -> TokenStream {
    let target = match &element.target {
        ElementTarget::Column(name) => {
            let name = string(name);
            quote!(::migrate_core::schema::IndexTarget::Column(#name))
        }
        ElementTarget::Expression(expr) => {
            let expr = string(expr);
            quote!(::migrate_core::schema::IndexTarget::Expression(#expr))
        }
    };
    let descending = element.descending;
    let nulls = option(element.nulls_first.map(|first| {
        if first {
            quote!(::migrate_core::schema::Nulls::First)
        } else {
            quote!(::migrate_core::schema::Nulls::Last)
        }
    }));
    let opclass = opt_string(element.opclass.as_deref());
    let collation = opt_string(element.collation.as_deref());
    let length = option(element.length.map(|n| quote!(#n)));
    quote! {
        ::migrate_core::schema::IndexColumn {
            target: #target,
            descending: #descending,
            nulls: #nulls,
            opclass: #opclass,
            collation: #collation,
            length: #length,
        }
    }
}

/// The stub emitted next to the errors, so that uses of `T::model_spec()` elsewhere do not add
/// "trait not implemented" errors to the real ones.
pub(crate) fn stub(input: &syn::DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        const _: () = {
            #[automatically_derived]
            impl #impl_generics ::migrate_core::model::Model for #ident #ty_generics #where_clause {
                fn model_spec() -> ::migrate_core::model::ModelSpec {
                    ::core::unreachable!("#[derive(Model)] failed to compile")
                }
            }
        };
    }
}

/// `T` when `ty` is spelled `Option<T>` (any path whose last segment is `Option`).
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Group(group) => option_inner(&group.elem),
        syn::Type::Paren(paren) => option_inner(&paren.elem),
        syn::Type::Path(path) if path.qself.is_none() => {
            let last = path.path.segments.last()?;
            if last.ident != "Option" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) if args.args.len() == 1 => Some(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

fn string(value: &str) -> TokenStream {
    let lit = syn::LitStr::new(value, Span::call_site());
    quote!(::std::string::String::from(#lit))
}

fn opt_string(value: Option<&str>) -> TokenStream {
    option(value.map(string))
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(value) => quote!(::std::option::Option::Some(#value)),
        None => quote!(::std::option::Option::None),
    }
}

fn string_vec(values: &[String]) -> TokenStream {
    let values = values.iter().map(|v| string(v));
    quote!(::std::vec![#(#values),*])
}
