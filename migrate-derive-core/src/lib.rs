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
//! `doc_comment` is the rule by which a `///` doc comment is a table or column comment.
//! `spelling` parses the spellings of column types; it is pure std and the only part built
//! without the `parser` feature, so that migrate-core shares it without compiling syn.

pub mod doc_comment;
pub mod elements;
pub mod spelling;

#[cfg(feature = "parser")]
mod ast;
#[cfg(feature = "parser")]
mod attr;
#[cfg(feature = "parser")]
mod check;
#[cfg(feature = "parser")]
mod ctxt;
#[cfg(feature = "parser")]
pub mod embed;
#[cfg(feature = "parser")]
mod enums;
#[cfg(feature = "parser")]
mod expand;

#[cfg(feature = "parser")]
use proc_macro2::TokenStream;

#[cfg(feature = "parser")]
pub use ast::{FieldDef, ForeignKeyDef, IndexDef, ModelDef, TableOptionsDef, UniqueDef};
#[cfg(feature = "parser")]
pub use attr::{CheckDef, DefaultLit, ExclusionDef, IdentityDef};
#[cfg(feature = "parser")]
pub use enums::{
    apply_case, derives_model_enum, expand_model_enum, parse_model_enum, EnumDef, VariantDef,
};

/// Parses and checks one struct; every error of it is combined into one [`syn::Error`].
#[cfg(feature = "parser")]
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
#[cfg(feature = "parser")]
pub fn derives_model(attrs: &[syn::Attribute]) -> bool {
    attr::derives(attrs, "Model")
}

/// The full output of `#[derive(Model)]`: the impl and its registration, or, on error, the
/// `compile_error!`s plus a stub impl so that one typo does not cascade into "trait not
/// implemented" errors elsewhere.
#[cfg(feature = "parser")]
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

#[cfg(all(test, feature = "parser"))]
mod tests;
