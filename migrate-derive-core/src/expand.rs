//! Code generation: the `Model` impl and its registration.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{FieldDef, ModelDef};
use crate::attr::DefaultLit;

/// `impl Model` building the spec, and its registration with `inventory`.
pub(crate) fn expand(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let struct_name = ident.to_string();
    let table = opt_string(def.table.as_deref());
    let diesel_table_name = opt_string(def.diesel_table_name.as_deref());
    let primary_key = string_vec(&def.primary_key);
    let diesel_primary_key = string_vec(&def.diesel_primary_key);
    let indexes = def.indexes.iter().map(|index| {
        let name = opt_string(index.name.as_deref());
        let columns = string_vec(&index.columns);
        let unique = index.unique;
        quote! {
            ::migrate_core::model::IndexSpec {
                name: #name,
                columns: #columns,
                unique: #unique,
            }
        }
    });
    let uniques = def.uniques.iter().map(|u| string_vec(u));
    let checks = def.checks.iter().map(|check| {
        let name = string(&check.name);
        let expr = string(&check.expr);
        quote! {
            ::migrate_core::schema::Check::new(#name, #expr)
        }
    });
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
                        diesel_primary_key: #diesel_primary_key,
                        indexes: ::std::vec![#(#indexes),*],
                        uniques: ::std::vec![#(#uniques),*],
                        checks: ::std::vec![#(#checks),*],
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
