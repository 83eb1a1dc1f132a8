//! `#[derive(ModelEnum)]`: a fieldless enum as a column type, parsed, checked and expanded.
//!
//! The container says `#[model(rename_all = "...", type_name = "...")]`, each variant
//! `#[model(rename = "...", renamed_from = "...")]`. Values default to the variant names in
//! snake case and the type name to the enum's name in snake case, as diesel-derive-enum does.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::ctxt::Ctxt;

/// The casing rules of `rename_all`, serde's set.
const CASES: &[&str] = &[
    "lowercase",
    "UPPERCASE",
    "PascalCase",
    "camelCase",
    "snake_case",
    "SCREAMING_SNAKE_CASE",
    "kebab-case",
    "SCREAMING-KEBAB-CASE",
];

/// One `#[derive(ModelEnum)]` enum, as understood.
#[derive(Debug, Clone)]
pub struct EnumDef {
    /// The enum's name.
    pub ident: syn::Ident,
    /// The database type's name.
    pub type_name: String,
    /// Variants in declaration order.
    pub variants: Vec<VariantDef>,
}

/// One variant and the value it is stored as.
#[derive(Debug, Clone)]
pub struct VariantDef {
    /// The variant.
    pub ident: syn::Ident,
    /// The stored value.
    pub value: String,
    /// `renamed_from`: the value it was stored as before.
    pub renamed_from: Option<String>,
}

/// Parses and checks one enum; every error of it is combined into one [`syn::Error`].
pub fn parse_model_enum(input: &syn::DeriveInput) -> Result<EnumDef, syn::Error> {
    let cx = Ctxt::new();
    let def = from_ast(&cx, input);
    cx.check()?;
    Ok(def.expect("an enum that is not parsed is reported as an error"))
}

/// Whether these attributes contain `#[derive(..., ModelEnum, ...)]`.
pub fn derives_model_enum(attrs: &[syn::Attribute]) -> bool {
    crate::attr::derives(attrs, "ModelEnum")
}

/// The full output of `#[derive(ModelEnum)]`, or the errors.
pub fn expand_model_enum(input: syn::DeriveInput) -> TokenStream {
    match parse_model_enum(&input) {
        Ok(def) => expand(&def),
        Err(err) => err.to_compile_error(),
    }
}

fn from_ast(cx: &Ctxt, input: &syn::DeriveInput) -> Option<EnumDef> {
    let data = match &input.data {
        syn::Data::Enum(data) => data,
        syn::Data::Struct(s) => {
            cx.error_spanned_by(
                s.struct_token,
                "#[derive(ModelEnum)] is for fieldless enums; a struct is a table: #[derive(Model)]",
            );
            return None;
        }
        syn::Data::Union(u) => {
            cx.error_spanned_by(u.union_token, "#[derive(ModelEnum)] is for fieldless enums");
            return None;
        }
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "#[derive(ModelEnum)] does not support generic enums",
        );
    }
    if data.variants.is_empty() {
        cx.error_spanned_by(
            &input.ident,
            "#[derive(ModelEnum)] needs at least one variant: a column of this type could hold no value",
        );
    }

    let mut rename_all: Option<(String, Span)> = None;
    let mut type_name: Option<(String, Span)> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("model")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let slot = match key.as_str() {
                "rename_all" => &mut rename_all,
                "type_name" => &mut type_name,
                _ => {
                    cx.error_spanned_by(
                        &meta.path,
                        format!(
                            "unknown key `{}` on #[derive(ModelEnum)], expected `rename_all` or `type_name`",
                            quote::ToTokens::to_token_stream(&meta.path).to_string().replace(' ', "")
                        ),
                    );
                    skip_value(&meta);
                    return Ok(());
                }
            };
            let value = string_value(cx, &meta, &key)?;
            if let Some((text, span)) = value {
                if slot.is_some() {
                    cx.syn_error(syn::Error::new(span, format!("duplicate key `{key}`")));
                } else {
                    *slot = Some((text, span));
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    if let Some((case, span)) = &rename_all {
        if !CASES.contains(&case.as_str()) {
            cx.syn_error(syn::Error::new(
                *span,
                format!(
                    "unknown `rename_all` rule \"{case}\", expected one of {}",
                    CASES
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    if let Some((name, span)) = &type_name {
        if name.trim().is_empty() {
            cx.syn_error(syn::Error::new(*span, "`type_name` must not be empty"));
        }
    }
    let case = rename_all
        .as_ref()
        .map(|(c, _)| c.as_str())
        .filter(|c| CASES.contains(c))
        .unwrap_or("snake_case");

    let mut variants = Vec::new();
    let mut seen: BTreeMap<String, syn::Ident> = BTreeMap::new();
    for variant in &data.variants {
        if !matches!(variant.fields, syn::Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                format!(
                    "variant `{}` carries data: a ModelEnum's variants must be fieldless, each one a value of the column",
                    variant.ident
                ),
            );
            continue;
        }
        let mut rename: Option<(String, Span)> = None;
        let mut renamed_from: Option<(String, Span)> = None;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("model")) {
            let result = attr.parse_nested_meta(|meta| {
                let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                let slot = match key.as_str() {
                    "rename" => &mut rename,
                    "renamed_from" => &mut renamed_from,
                    _ => {
                        cx.error_spanned_by(
                            &meta.path,
                            format!(
                                "unknown key `{}` on a ModelEnum variant, expected `rename` or `renamed_from`",
                                quote::ToTokens::to_token_stream(&meta.path).to_string().replace(' ', "")
                            ),
                        );
                        skip_value(&meta);
                        return Ok(());
                    }
                };
                if let Some((text, span)) = string_value(cx, &meta, &key)? {
                    if slot.is_some() {
                        cx.syn_error(syn::Error::new(span, format!("duplicate key `{key}`")));
                    } else {
                        if text.is_empty() {
                            cx.syn_error(syn::Error::new(span, format!("`{key}` must not be empty")));
                        }
                        *slot = Some((text, span));
                    }
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        let value = rename
            .as_ref()
            .map(|(v, _)| v.clone())
            .unwrap_or_else(|| apply_case(&variant.ident.to_string(), case));
        let span = rename
            .as_ref()
            .map(|(_, s)| *s)
            .unwrap_or_else(|| variant.ident.span());
        if let Some(first) = seen.get(&value) {
            cx.syn_error(syn::Error::new(
                span,
                format!(
                    "variants `{first}` and `{}` are both stored as \"{value}\": give one `#[model(rename = \"...\")]`",
                    variant.ident
                ),
            ));
        } else {
            seen.insert(value.clone(), variant.ident.clone());
        }
        variants.push(VariantDef {
            ident: variant.ident.clone(),
            value,
            renamed_from: renamed_from.map(|(v, _)| v),
        });
    }
    for v in &variants {
        if let Some(old) = &v.renamed_from {
            if seen.contains_key(old) {
                cx.error_spanned_by(
                    &v.ident,
                    format!(
                        "`renamed_from = \"{old}\"` on `{}` names a value the enum still has",
                        v.ident
                    ),
                );
            }
        }
    }
    Some(EnumDef {
        ident: input.ident.clone(),
        type_name: type_name
            .map(|(n, _)| n)
            .unwrap_or_else(|| apply_case(&input.ident.to_string(), "snake_case")),
        variants,
    })
}

/// A string literal value (`key = "..."`), or an error at the value.
fn string_value(
    cx: &Ctxt,
    meta: &syn::meta::ParseNestedMeta<'_>,
    key: &str,
) -> syn::Result<Option<(String, Span)>> {
    if !meta.input.peek(syn::Token![=]) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{key}` needs a value: `{key} = \"...\"`"),
        );
        return Ok(None);
    }
    let expr: syn::Expr = meta.value()?.parse()?;
    match &expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(Some((s.value(), s.span()))),
        other => {
            cx.error_spanned_by(other, format!("`{key}` takes a string: `{key} = \"...\"`"));
            Ok(None)
        }
    }
}

/// Consumes `= value` or `(...)` after an unknown key, so parsing goes on.
fn skip_value(meta: &syn::meta::ParseNestedMeta<'_>) {
    if meta.input.peek(syn::Token![=]) {
        let _ = meta.value().and_then(|v| v.parse::<syn::Expr>());
    } else if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|inner| {
            skip_value(&inner);
            Ok(())
        });
    }
}

/// The name `ident` takes under a `rename_all` rule (serde's rules).
pub fn apply_case(ident: &str, case: &str) -> String {
    let snake = {
        let mut out = String::new();
        for (i, ch) in ident.char_indices() {
            if ch.is_uppercase() {
                if i > 0 && !out.ends_with('_') {
                    out.push('_');
                }
                out.extend(ch.to_lowercase());
            } else {
                out.push(ch);
            }
        }
        out
    };
    match case {
        "lowercase" => ident.to_lowercase(),
        "UPPERCASE" => ident.to_uppercase(),
        "PascalCase" => ident.to_string(),
        "camelCase" => {
            let mut chars = ident.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
        "SCREAMING_SNAKE_CASE" => snake.to_uppercase(),
        "kebab-case" => snake.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => snake.replace('_', "-").to_uppercase(),
        _ => snake,
    }
}

fn expand(def: &EnumDef) -> TokenStream {
    let ident = &def.ident;
    let enum_name = ident.to_string();
    let type_name = &def.type_name;
    let values: Vec<&String> = def.variants.iter().map(|v| &v.value).collect();
    let idents: Vec<&syn::Ident> = def.variants.iter().map(|v| &v.ident).collect();
    let renames = def.variants.iter().filter_map(|v| {
        let old = v.renamed_from.as_ref()?;
        let new = &v.value;
        Some(quote! {
            (::std::string::String::from(#old), ::std::string::String::from(#new))
        })
    });
    // `diesel` through migrate-core, so the user's crate needs no particular name for it. The
    // impls hold for every SQL type the column may be declared with in `schema.rs` (`Text` on
    // SQLite, the type print-schema defines on PostgreSQL and MySQL): the value travels as its
    // text, which is also each backend's wire format of an enum.
    quote! {
        const _: () = {
            use ::migrate_core::diesel as __diesel;

            #[automatically_derived]
            impl ::migrate_core::model::ModelEnum for #ident {
                const TYPE_NAME: &'static str = #type_name;
                const VALUES: &'static [&'static str] = &[#(#values),*];
                fn as_value(&self) -> &'static str {
                    match self {
                        #(#ident::#idents => #values,)*
                    }
                }
                fn from_value(value: &str) -> ::core::option::Option<Self> {
                    match value {
                        #(#values => ::core::option::Option::Some(#ident::#idents),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            #[automatically_derived]
            impl ::migrate_core::model::ColumnType for #ident {
                fn sql_type() -> ::migrate_core::schema::SqlType {
                    ::migrate_core::schema::SqlType::Enum(::std::string::String::from(#type_name))
                }
                fn enum_spec() -> ::core::option::Option<::migrate_core::model::EnumSpec> {
                    ::core::option::Option::Some(::migrate_core::model::EnumSpec {
                        enum_name: ::std::string::String::from(#enum_name),
                        type_name: ::std::string::String::from(#type_name),
                        values: ::std::vec![#(::std::string::String::from(#values)),*],
                        renames: ::std::vec![#(#renames),*],
                    })
                }
            }

            #[automatically_derived]
            impl<__ST, __DB> __diesel::serialize::ToSql<__ST, __DB> for #ident
            where
                __DB: __diesel::backend::Backend,
                str: __diesel::serialize::ToSql<__diesel::sql_types::Text, __DB>,
            {
                fn to_sql<'__b>(
                    &'__b self,
                    out: &mut __diesel::serialize::Output<'__b, '_, __DB>,
                ) -> __diesel::serialize::Result {
                    <str as __diesel::serialize::ToSql<__diesel::sql_types::Text, __DB>>::to_sql(
                        ::migrate_core::model::ModelEnum::as_value(self),
                        out,
                    )
                }
            }

            #[automatically_derived]
            impl<__ST, __DB> __diesel::deserialize::FromSql<__ST, __DB> for #ident
            where
                __DB: __diesel::backend::Backend,
                ::std::string::String: __diesel::deserialize::FromSql<__diesel::sql_types::Text, __DB>,
            {
                fn from_sql(
                    bytes: <__DB as __diesel::backend::Backend>::RawValue<'_>,
                ) -> __diesel::deserialize::Result<Self> {
                    let text = <::std::string::String as __diesel::deserialize::FromSql<
                        __diesel::sql_types::Text,
                        __DB,
                    >>::from_sql(bytes)?;
                    <Self as ::migrate_core::model::ModelEnum>::from_value(&text).ok_or_else(|| {
                        ::std::boxed::Box::new(::migrate_core::model::UnknownEnumValue {
                            type_name: #type_name,
                            value: text,
                        }) as ::std::boxed::Box<dyn ::std::error::Error + ::core::marker::Send + ::core::marker::Sync>
                    })
                }
            }

            #[automatically_derived]
            impl<__ST, __DB> __diesel::deserialize::Queryable<__ST, __DB> for #ident
            where
                __DB: __diesel::backend::Backend,
                __ST: __diesel::sql_types::SingleValue,
                Self: __diesel::deserialize::FromSql<__ST, __DB>,
            {
                type Row = Self;
                fn build(row: Self) -> __diesel::deserialize::Result<Self> {
                    ::core::result::Result::Ok(row)
                }
            }

            #[automatically_derived]
            impl<__ST> __diesel::expression::AsExpression<__ST> for #ident
            where
                __ST: __diesel::sql_types::SqlType + __diesel::expression::TypedExpressionType,
            {
                type Expression = __diesel::internal::derives::as_expression::Bound<__ST, Self>;
                fn as_expression(self) -> Self::Expression {
                    __diesel::internal::derives::as_expression::Bound::new(self)
                }
            }

            #[automatically_derived]
            impl<'__a, __ST> __diesel::expression::AsExpression<__ST> for &'__a #ident
            where
                __ST: __diesel::sql_types::SqlType + __diesel::expression::TypedExpressionType,
            {
                type Expression = __diesel::internal::derives::as_expression::Bound<__ST, Self>;
                fn as_expression(self) -> Self::Expression {
                    __diesel::internal::derives::as_expression::Bound::new(self)
                }
            }
        };
    }
}
