//! The model parser behind `#[derive(Model)]`, shared with migrate-cli's source reader.
//!
//! A plain library (syn, quote, proc-macro2 only), so that the CLI can read models from source
//! with exactly the rules the derive applies, as sqlx-macros-core is to sqlx-macros.
//!
//! The stages live in their own modules: `attr` parses `#[model(...)]` and the few
//! `#[diesel(...)]` keys it reads, `ast` holds the struct as understood, `check` applies the
//! rules across fields and `expand` generates the code. Errors accumulate in a context so that
//! all mistakes of a struct are reported together, each at its token.
//!
//! `embed` lists a migrations folder and generates the code that compiles it in, for
//! `embed_migrations!` and for the runner program migrate-cli builds.

mod ast;
mod attr;
mod check;
mod ctxt;
pub mod embed;
mod enums;
mod expand;

use proc_macro2::TokenStream;

pub use ast::{FieldDef, IndexDef, ModelDef};
pub use attr::{CheckDef, DefaultLit};
pub use enums::{
    apply_case, derives_model_enum, expand_model_enum, parse_model_enum, EnumDef, VariantDef,
};

/// Parses and checks one struct; every error of it is combined into one [`syn::Error`].
pub fn parse_model(input: &syn::DeriveInput) -> Result<ModelDef, syn::Error> {
    let cx = ctxt::Ctxt::new();
    let def = ast::Container::from_ast(&cx, input).map(|cont| {
        check::check(&cx, &cont);
        cont.to_def()
    });
    cx.check()?;
    Ok(def.expect("a struct that is not a model is reported as an error"))
}

/// Whether these attributes contain `#[derive(..., Model, ...)]`: a derive path whose last
/// segment is `Model` (`Model`, `migrate_core::Model`).
pub fn derives_model(attrs: &[syn::Attribute]) -> bool {
    attr::derives(attrs, "Model")
}

/// The full output of `#[derive(Model)]`: the impl and its registration, or, on error, the
/// `compile_error!`s plus a stub impl so that one typo does not cascade into "trait not
/// implemented" errors elsewhere.
pub fn expand_model(input: syn::DeriveInput) -> TokenStream {
    match parse_model(&input) {
        Ok(def) => expand::expand(&def),
        Err(err) => {
            let mut tokens = err.to_compile_error();
            tokens.extend(expand::stub(&input));
            tokens
        }
    }
}

#[cfg(test)]
mod tests;
