//! Parsing of `#[model(...)]` and the few `#[diesel(...)]` keys the derive reads.
//!
//! Each value keeps the tokens it came from, so that [`crate::check`] can point its errors at
//! the offending token. Errors of one attribute do not stop the parsing of the others: the user
//! sees every mistake at once.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::meta::ParseNestedMeta;
use syn::parse::{ParseStream, Parser};
use syn::{token, Expr, Ident, Lit, Token, UnOp};

use crate::ctxt::Ctxt;

/// A `#[model(check(name = "...", expr = "..."))]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDef {
    /// The constraint's name.
    pub name: String,
    /// The SQL boolean expression.
    pub expr: String,
}

/// The literal of `#[model(default = ...)]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultLit {
    /// `true` / `false`.
    Bool(bool),
    /// An integer, possibly negative.
    Int(i64),
    /// A float, as written without suffix or underscores (`-1.5`, `1e10`).
    Float(String),
    /// A string.
    Str(String),
}

/// Whether these attributes derive a macro whose path ends in `name` (`Model`,
/// `migrate_core::Model`).
pub(crate) fn derives(attrs: &[syn::Attribute], name: &str) -> bool {
    attrs
        .iter()
        .filter(|attr| attr.path().is_ident("derive"))
        .filter_map(|attr| {
            attr.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .ok()
        })
        .flatten()
        .any(|path| path.segments.last().is_some_and(|s| s.ident == name))
}

/// Keys of `#[model(...)]` on the struct.
pub(crate) const CONTAINER_KEYS: &[&str] = &[
    "table",
    "primary_key",
    "index",
    "unique",
    "check",
    "renamed_from",
];

/// Keys of `#[model(...)]` on a field.
pub(crate) const FIELD_KEYS: &[&str] = &[
    "primary_key",
    "auto_increment",
    "column",
    "max_length",
    "numeric",
    "sql_type",
    "default",
    "default_sql",
    "unique",
    "index",
    "references",
    "on_delete",
    "on_update",
    "renamed_from",
    "skip",
];

/// The referential actions `on_delete` and `on_update` accept, in their normalised spelling.
pub(crate) const FK_ACTIONS: &[&str] = &[
    "cascade",
    "set null",
    "restrict",
    "no action",
    "set default",
];

/// The spellings `sql_type` accepts, for error messages.
const SQL_TYPES: &str = crate::spelling::EXPECTED;

/// One attribute key that may be given once: where it was written and what it said.
pub(crate) struct Attr<T> {
    name: &'static str,
    /// The list this key sits in (`check`, `numeric`), for messages.
    within: Option<&'static str>,
    key: Option<TokenStream>,
    tokens: TokenStream,
    value: Option<T>,
}

impl<T> Attr<T> {
    fn none(name: &'static str) -> Self {
        Attr {
            name,
            within: None,
            key: None,
            tokens: TokenStream::new(),
            value: None,
        }
    }

    fn nested(name: &'static str, within: &'static str) -> Self {
        Attr {
            within: Some(within),
            ..Attr::none(name)
        }
    }

    /// Records the key; `value` is `None` when the value was malformed (already reported), so
    /// that later rules know the key was written without reporting it twice.
    fn set(&mut self, cx: &Ctxt, key: &syn::Path, tokens: TokenStream, value: Option<T>) {
        if self.key.is_some() {
            let msg = match self.within {
                Some(within) => format!("duplicate `{}` in `{within}`", self.name),
                None => format!("duplicate model attribute `{}`", self.name),
            };
            cx.error_spanned_by(key, msg);
            return;
        }
        self.key = Some(key.to_token_stream());
        self.tokens = tokens;
        self.value = value;
    }

    /// The value, when the key was given and well formed.
    pub(crate) fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// The key as written, when given.
    pub(crate) fn key(&self) -> Option<&TokenStream> {
        self.key.as_ref()
    }

    /// Whether the key was given (even with a malformed value).
    pub(crate) fn is_set(&self) -> bool {
        self.key.is_some()
    }

    /// The tokens of the value (or of the key, for a flag).
    pub(crate) fn tokens(&self) -> &TokenStream {
        &self.tokens
    }

    /// The attribute's name.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }
}

/// `#[model(index(...))]` on the struct.
pub(crate) struct IndexAttr {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<Ident>,
    pub(crate) unique: bool,
}

/// Everything the struct's own attributes say.
pub(crate) struct ContainerAttrs {
    pub(crate) table: Attr<String>,
    pub(crate) primary_key: Attr<Vec<Ident>>,
    pub(crate) indexes: Vec<IndexAttr>,
    pub(crate) uniques: Vec<Vec<Ident>>,
    pub(crate) checks: Vec<CheckDef>,
    pub(crate) renamed_from: Attr<String>,
    pub(crate) diesel_table_name: Option<String>,
    pub(crate) diesel_primary_key: Vec<Ident>,
}

/// Everything a field's attributes say.
pub(crate) struct FieldAttrs {
    pub(crate) primary_key: Attr<()>,
    pub(crate) auto_increment: Attr<bool>,
    pub(crate) column: Attr<String>,
    pub(crate) max_length: Attr<u32>,
    pub(crate) numeric: Attr<(u32, u32)>,
    pub(crate) sql_type: Attr<String>,
    pub(crate) default: Attr<DefaultLit>,
    pub(crate) default_sql: Attr<String>,
    pub(crate) unique: Attr<()>,
    pub(crate) index: Attr<()>,
    pub(crate) references: Attr<String>,
    pub(crate) on_delete: Attr<String>,
    pub(crate) on_update: Attr<String>,
    pub(crate) renamed_from: Attr<String>,
    pub(crate) skip: Attr<()>,
    pub(crate) diesel_column_name: Option<String>,
}

impl ContainerAttrs {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut out = ContainerAttrs {
            table: Attr::none("table"),
            primary_key: Attr::none("primary_key"),
            indexes: Vec::new(),
            uniques: Vec::new(),
            checks: Vec::new(),
            renamed_from: Attr::none("renamed_from"),
            diesel_table_name: None,
            diesel_primary_key: Vec::new(),
        };
        for attr in attrs {
            if attr.path().is_ident("model") {
                if let Err(err) = attr.parse_nested_meta(|meta| out.parse_key(cx, &meta)) {
                    cx.syn_error(err);
                }
            } else if attr.path().is_ident("diesel") {
                // Diesel reports its own syntax errors; a malformed diesel attribute is not ours
                // to report twice.
                let _ = attr.parse_nested_meta(|meta| out.parse_diesel_key(&meta));
            }
        }
        out
    }

    fn parse_key(&mut self, cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let path = &meta.path;
        let key = path_name(path);
        match key.as_str() {
            "table" => {
                let (tokens, value) = string_value(cx, meta, "table", "table = \"posts\"")?;
                let value = value.and_then(|v| non_empty(cx, &tokens, "table", v));
                self.table.set(cx, path, tokens, value);
            }
            "primary_key" => {
                let (tokens, value) =
                    field_list(cx, meta, "primary_key", "primary_key(tenant_id, id)")?;
                self.primary_key.set(cx, path, tokens, value);
            }
            "index" => {
                if let Some(index) = index_value(cx, meta)? {
                    self.indexes.push(index);
                }
            }
            "unique" => {
                if let (_, Some(columns)) =
                    field_list(cx, meta, "unique", "unique(email, tenant_id)")?
                {
                    self.uniques.push(columns);
                }
            }
            "check" => {
                if let Some(check) = check_value(cx, meta)? {
                    self.checks.push(check);
                }
            }
            "renamed_from" => {
                let (tokens, value) =
                    string_value(cx, meta, "renamed_from", "renamed_from = \"old_table\"")?;
                let value = value.and_then(|v| non_empty(cx, &tokens, "renamed_from", v));
                self.renamed_from.set(cx, path, tokens, value);
            }
            _ => {
                if FIELD_KEYS.contains(&key.as_str()) {
                    cx.error_spanned_by(
                        path,
                        format!(
                            "`{key}` is a field attribute, put it on a field, not on the struct"
                        ),
                    );
                } else {
                    cx.error_spanned_by(
                        path,
                        format!(
                            "unknown model attribute `{key}`, expected one of {}",
                            list(CONTAINER_KEYS)
                        ),
                    );
                }
                skip_value(meta.input)?;
            }
        }
        Ok(())
    }

    fn parse_diesel_key(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        if meta.path.is_ident("table_name") {
            self.diesel_table_name = Some(diesel_name(meta)?);
        } else if meta.path.is_ident("primary_key") && meta.input.peek(token::Paren) {
            let mut keys = Vec::new();
            meta.parse_nested_meta(|inner| {
                if let Some(ident) = inner.path.get_ident() {
                    keys.push(ident.clone());
                }
                skip_value(inner.input)
            })?;
            self.diesel_primary_key = keys;
        } else {
            // Every other diesel key is Diesel's business.
            skip_value(meta.input)?;
        }
        Ok(())
    }
}

impl FieldAttrs {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut out = FieldAttrs {
            primary_key: Attr::none("primary_key"),
            auto_increment: Attr::none("auto_increment"),
            column: Attr::none("column"),
            max_length: Attr::none("max_length"),
            numeric: Attr::none("numeric"),
            sql_type: Attr::none("sql_type"),
            default: Attr::none("default"),
            default_sql: Attr::none("default_sql"),
            unique: Attr::none("unique"),
            index: Attr::none("index"),
            references: Attr::none("references"),
            on_delete: Attr::none("on_delete"),
            on_update: Attr::none("on_update"),
            renamed_from: Attr::none("renamed_from"),
            skip: Attr::none("skip"),
            diesel_column_name: None,
        };
        for attr in attrs {
            if attr.path().is_ident("model") {
                if let Err(err) = attr.parse_nested_meta(|meta| out.parse_key(cx, &meta)) {
                    cx.syn_error(err);
                }
            } else if attr.path().is_ident("diesel") {
                // As on the struct: Diesel reports its own syntax errors.
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("column_name") {
                        out.diesel_column_name = Some(diesel_name(&meta)?);
                        Ok(())
                    } else {
                        skip_value(meta.input)
                    }
                });
            }
        }
        out
    }

    /// The keys given besides `skip`, for the rule that `skip` stands alone.
    pub(crate) fn keys_other_than_skip(&self) -> Vec<&TokenStream> {
        [
            self.primary_key.key(),
            self.auto_increment.key(),
            self.column.key(),
            self.max_length.key(),
            self.numeric.key(),
            self.sql_type.key(),
            self.default.key(),
            self.default_sql.key(),
            self.unique.key(),
            self.index.key(),
            self.references.key(),
            self.on_delete.key(),
            self.on_update.key(),
            self.renamed_from.key(),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn parse_key(&mut self, cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
        let path = &meta.path;
        let key = path_name(path);
        match key.as_str() {
            "primary_key" => {
                let ok = flag(cx, meta, "primary_key")?;
                self.primary_key
                    .set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "unique" => {
                let ok = flag(cx, meta, "unique")?;
                self.unique
                    .set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "index" => {
                let ok = flag(cx, meta, "index")?;
                self.index
                    .set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "skip" => {
                let ok = flag(cx, meta, "skip")?;
                self.skip
                    .set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "auto_increment" => {
                let (tokens, value) =
                    bool_value(cx, meta, "auto_increment", "auto_increment = false")?;
                self.auto_increment.set(cx, path, tokens, value);
            }
            "column" => {
                let (tokens, value) = string_value(cx, meta, "column", "column = \"name\"")?;
                let value = value.and_then(|v| non_empty(cx, &tokens, "column", v));
                self.column.set(cx, path, tokens, value);
            }
            "max_length" => {
                let (tokens, value) = int_value(cx, meta, "max_length", "max_length = 200")?;
                let value = value.filter(|&n| {
                    if n == 0 {
                        cx.error_spanned_by(&tokens, "`max_length` must be at least 1");
                    }
                    n > 0
                });
                self.max_length.set(cx, path, tokens, value);
            }
            "numeric" => {
                let (tokens, value) = numeric_value(cx, meta)?;
                self.numeric.set(cx, path, tokens, value);
            }
            "sql_type" => {
                let (tokens, value) = string_value(cx, meta, "sql_type", "sql_type = \"text\"")?;
                let value = value.filter(|v| {
                    let known = is_sql_type(v);
                    if !known {
                        cx.error_spanned_by(
                            &tokens,
                            format!("unknown `sql_type` \"{v}\", expected one of {SQL_TYPES}"),
                        );
                    }
                    known
                });
                self.sql_type.set(cx, path, tokens, value);
            }
            "default" => {
                let (tokens, value) = default_value(cx, meta)?;
                self.default.set(cx, path, tokens, value);
            }
            "default_sql" => {
                let (tokens, value) = string_value(
                    cx,
                    meta,
                    "default_sql",
                    "default_sql = \"CURRENT_TIMESTAMP\"",
                )?;
                let value = value.and_then(|v| non_empty(cx, &tokens, "default_sql", v));
                self.default_sql.set(cx, path, tokens, value);
            }
            "references" => {
                let (tokens, value) =
                    string_value(cx, meta, "references", "references = \"users.id\"")?;
                let value = value.filter(|v| {
                    let ok = is_reference(v);
                    if !ok {
                        cx.error_spanned_by(
                            &tokens,
                            format!(
                                "malformed `references` target \"{v}\", expected \"table.column\" or \"table\""
                            ),
                        );
                    }
                    ok
                });
                self.references.set(cx, path, tokens, value);
            }
            "on_delete" | "on_update" => {
                let name = if key == "on_delete" {
                    "on_delete"
                } else {
                    "on_update"
                };
                let example = format!("{name} = \"cascade\"");
                let (tokens, value) = string_value(cx, meta, name, &example)?;
                let value = value.and_then(|v| {
                    let action = fk_action(&v);
                    if action.is_none() {
                        cx.error_spanned_by(
                            &tokens,
                            format!(
                                "unknown `{name}` action \"{v}\", expected one of {}",
                                quoted_list(FK_ACTIONS)
                            ),
                        );
                    }
                    action
                });
                let target = if key == "on_delete" {
                    &mut self.on_delete
                } else {
                    &mut self.on_update
                };
                target.set(cx, path, tokens, value);
            }
            "renamed_from" => {
                let (tokens, value) =
                    string_value(cx, meta, "renamed_from", "renamed_from = \"old_name\"")?;
                let value = value.and_then(|v| non_empty(cx, &tokens, "renamed_from", v));
                self.renamed_from.set(cx, path, tokens, value);
            }
            _ => {
                if CONTAINER_KEYS.contains(&key.as_str()) {
                    cx.error_spanned_by(
                        path,
                        format!(
                            "`{key}` is a struct attribute, put it on the struct, not on a field"
                        ),
                    );
                } else {
                    cx.error_spanned_by(
                        path,
                        format!(
                            "unknown model attribute `{key}`, expected one of {}",
                            list(FIELD_KEYS)
                        ),
                    );
                }
                skip_value(meta.input)?;
            }
        }
        Ok(())
    }
}

/// `a, b` → "`a`, `b`".
pub(crate) fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("\"{item}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn path_name(path: &syn::Path) -> String {
    // Keys are single words; printing a token stream for each cost a tenth of reading models.
    match path.get_ident() {
        Some(ident) => ident.to_string(),
        None => path.to_token_stream().to_string().replace(' ', ""),
    }
}

/// Skips whatever follows a key up to the next comma, so that parsing goes on after an error
/// (and over Diesel's keys, whose values can be types or expressions).
fn skip_value(input: ParseStream<'_>) -> syn::Result<()> {
    if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        let at_end = |fork: ParseStream<'_>| fork.is_empty() || fork.peek(Token![,]);
        let fork = input.fork();
        if fork.parse::<syn::Type>().is_ok() && at_end(&fork) {
            input.parse::<syn::Type>()?;
            return Ok(());
        }
        let fork = input.fork();
        if fork.parse::<Expr>().is_ok() && at_end(&fork) {
            input.parse::<Expr>()?;
            return Ok(());
        }
        while !at_end(input) {
            input.parse::<TokenTree>()?;
        }
    } else if input.peek(token::Paren) || input.peek(token::Bracket) || input.peek(token::Brace) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// The items of `key(...)`. Unlike `ParseNestedMeta::parse_nested_meta`, an empty list is not a
/// syntax error, so the caller can say what the list needs.
fn parse_list(
    meta: &ParseNestedMeta<'_>,
    logic: impl FnMut(ParseNestedMeta<'_>) -> syn::Result<()>,
) -> syn::Result<()> {
    let content;
    syn::parenthesized!(content in meta.input);
    let tokens: TokenStream = content.parse()?;
    syn::meta::parser(logic).parse2(tokens)
}

/// The value after `key =`, or an error at the key when there is none.
fn value_expr(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
) -> syn::Result<Option<Expr>> {
    if meta.input.peek(Token![=]) {
        let expr: Expr = meta.value()?.parse()?;
        Ok(Some(unwrap_group(expr)))
    } else {
        cx.error_spanned_by(
            &meta.path,
            format!("`{name}` expects a value, e.g. `{example}`"),
        );
        skip_value(meta.input)?;
        Ok(None)
    }
}

/// Literals that come through `macro_rules!` arrive wrapped in an invisible group.
fn unwrap_group(expr: Expr) -> Expr {
    match expr {
        Expr::Group(group) => unwrap_group(*group.expr),
        expr => expr,
    }
}

fn lit_of(expr: &Expr) -> Option<&Lit> {
    match expr {
        Expr::Lit(lit) => Some(&lit.lit),
        Expr::Group(group) => lit_of(&group.expr),
        _ => None,
    }
}

fn string_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
) -> syn::Result<(TokenStream, Option<String>)> {
    let Some(expr) = value_expr(cx, meta, name, example)? else {
        return Ok((meta.path.to_token_stream(), None));
    };
    let value = match lit_of(&expr) {
        Some(Lit::Str(s)) => Some(s.value()),
        _ => {
            cx.error_spanned_by(
                &expr,
                format!("`{name}` expects a string literal, e.g. `{example}`"),
            );
            None
        }
    };
    Ok((expr.into_token_stream(), value))
}

fn int_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
) -> syn::Result<(TokenStream, Option<u32>)> {
    let Some(expr) = value_expr(cx, meta, name, example)? else {
        return Ok((meta.path.to_token_stream(), None));
    };
    Ok((expr.to_token_stream(), u32_of(cx, &expr, name, example)))
}

fn u32_of(cx: &Ctxt, expr: &Expr, name: &str, example: &str) -> Option<u32> {
    match lit_of(expr) {
        Some(Lit::Int(int)) => match int.base10_parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                cx.error_spanned_by(expr, format!("`{name}` must fit in a u32"));
                None
            }
        },
        _ => {
            cx.error_spanned_by(
                expr,
                format!("`{name}` expects a positive integer literal, e.g. `{example}`"),
            );
            None
        }
    }
}

fn bool_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
) -> syn::Result<(TokenStream, Option<bool>)> {
    let Some(expr) = value_expr(cx, meta, name, example)? else {
        return Ok((meta.path.to_token_stream(), None));
    };
    let value = match lit_of(&expr) {
        Some(Lit::Bool(b)) => Some(b.value),
        _ => {
            cx.error_spanned_by(
                &expr,
                format!("`{name}` expects `true` or `false`, e.g. `{example}`"),
            );
            None
        }
    };
    Ok((expr.into_token_stream(), value))
}

/// A key without a value. Returns whether it was well formed.
fn flag(cx: &Ctxt, meta: &ParseNestedMeta<'_>, name: &str) -> syn::Result<bool> {
    if meta.input.is_empty() || meta.input.peek(Token![,]) {
        return Ok(true);
    }
    cx.error_spanned_by(
        &meta.path,
        format!("`{name}` takes no value, write `#[model({name})]`"),
    );
    skip_value(meta.input)?;
    Ok(false)
}

/// `key(a, b)`: names of fields (or columns).
fn field_list(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
) -> syn::Result<(TokenStream, Option<Vec<Ident>>)> {
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{name}` on the struct expects a list of fields, e.g. `{example}`"),
        );
        skip_value(meta.input)?;
        return Ok((meta.path.to_token_stream(), None));
    }
    let mut names = Vec::new();
    let mut ok = true;
    parse_list(meta, |inner| {
        ok &= list_item(cx, &inner, name, &mut names)?;
        Ok(())
    })?;
    if names.is_empty() && ok {
        cx.error_spanned_by(
            &meta.path,
            format!("`{name}` needs at least one field, e.g. `{example}`"),
        );
        return Ok((meta.path.to_token_stream(), None));
    }
    let tokens = meta.path.to_token_stream();
    Ok((tokens, ok.then_some(names)))
}

/// One name inside a list: a bare identifier.
fn list_item(
    cx: &Ctxt,
    inner: &ParseNestedMeta<'_>,
    name: &str,
    names: &mut Vec<Ident>,
) -> syn::Result<bool> {
    let ident = inner.path.get_ident();
    let bare = inner.input.is_empty() || inner.input.peek(Token![,]);
    match ident {
        Some(ident) if bare => {
            names.push(ident.clone());
            Ok(true)
        }
        _ => {
            cx.error_spanned_by(
                &inner.path,
                format!("expected a field name in `{name}(...)`"),
            );
            skip_value(inner.input)?;
            Ok(false)
        }
    }
}

/// `index(a, b)`, `index(a, b, unique)`, `index(name = "...", columns(a, b), unique)`.
fn index_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<IndexAttr>> {
    const EXAMPLE: &str = "index(author_id, published_at)";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`index` on the struct expects a list of fields, e.g. `{EXAMPLE}`; on a field write `#[model(index)]`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut index = IndexAttr {
        name: None,
        columns: Vec::new(),
        unique: false,
    };
    let mut ok = true;
    let mut bare_columns = false;
    let mut listed_columns: Option<TokenStream> = None;
    let mut name_key: Option<TokenStream> = None;
    let mut unique_key: Option<TokenStream> = None;
    parse_list(meta, |inner| {
        let bare = inner.input.is_empty() || inner.input.peek(Token![,]);
        if inner.path.is_ident("unique") && bare {
            if unique_key.replace(inner.path.to_token_stream()).is_some() {
                cx.error_spanned_by(&inner.path, "duplicate `unique` in `index`");
            }
            index.unique = true;
        } else if inner.path.is_ident("name") && inner.input.peek(Token![=]) {
            let (tokens, value) = string_value(cx, &inner, "name", "name = \"ix_posts_author\"")?;
            if name_key.replace(inner.path.to_token_stream()).is_some() {
                cx.error_spanned_by(&inner.path, "duplicate `name` in `index`");
            }
            match value.and_then(|v| non_empty(cx, &tokens, "name", v)) {
                Some(v) => index.name = Some(v),
                None => ok = false,
            }
        } else if inner.path.is_ident("columns") && inner.input.peek(token::Paren) {
            if listed_columns
                .replace(inner.path.to_token_stream())
                .is_some()
            {
                cx.error_spanned_by(&inner.path, "duplicate `columns` in `index`");
            }
            match field_list(cx, &inner, "columns", "columns(author_id, published_at)")? {
                (_, Some(columns)) => index.columns.extend(columns),
                (_, None) => ok = false,
            }
        } else if inner.path.get_ident().is_some() && bare {
            bare_columns = true;
            index
                .columns
                .push(inner.path.get_ident().cloned().expect("checked above"));
        } else {
            ok = false;
            cx.error_spanned_by(
                &inner.path,
                "unexpected key in `index`, expected field names, `name = \"...\"`, `columns(...)` or `unique`",
            );
            skip_value(inner.input)?;
        }
        Ok(())
    })?;
    if let (true, Some(columns)) = (bare_columns, &listed_columns) {
        cx.error_spanned_by(
            columns,
            "`index` takes either `columns(...)` or bare field names, not both",
        );
        ok = false;
    }
    if ok && index.columns.is_empty() {
        cx.error_spanned_by(
            &meta.path,
            format!("`index` needs at least one field, e.g. `{EXAMPLE}`"),
        );
        ok = false;
    }
    Ok(ok.then_some(index))
}

/// `check(name = "...", expr = "...")`.
fn check_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<CheckDef>> {
    const EXAMPLE: &str = "check(name = \"ck_posts_title_len\", expr = \"length(title) > 0\")";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`check` expects a name and an expression, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut name: Attr<String> = Attr::nested("name", "check");
    let mut expr: Attr<String> = Attr::nested("expr", "check");
    parse_list(meta, |inner| {
        let key = path_name(&inner.path);
        let target = match key.as_str() {
            "name" => &mut name,
            "expr" => &mut expr,
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    format!("unknown key `{key}` in `check`, expected `name` or `expr`"),
                );
                return skip_value(inner.input);
            }
        };
        let example = if key == "name" {
            "name = \"ck_posts_title_len\""
        } else {
            "expr = \"length(title) > 0\""
        };
        let (tokens, value) = string_value(cx, &inner, target.name(), example)?;
        let value = value.and_then(|v| non_empty(cx, &tokens, target.name(), v));
        target.set(cx, &inner.path, tokens, value);
        Ok(())
    })?;
    for part in [&name, &expr] {
        if !part.is_set() {
            cx.error_spanned_by(
                &meta.path,
                format!("`check` needs `{}`, e.g. `{EXAMPLE}`", part.name()),
            );
        }
    }
    Ok(match (name.value, expr.value) {
        (Some(name), Some(expr)) => Some(CheckDef { name, expr }),
        _ => None,
    })
}

/// `numeric(precision = P, scale = S)`.
fn numeric_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
) -> syn::Result<(TokenStream, Option<(u32, u32)>)> {
    const EXAMPLE: &str = "numeric(precision = 10, scale = 2)";
    let tokens = meta.path.to_token_stream();
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`numeric` expects a precision and a scale, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok((tokens, None));
    }
    let mut precision: Attr<u32> = Attr::nested("precision", "numeric");
    let mut scale: Attr<u32> = Attr::nested("scale", "numeric");
    parse_list(meta, |inner| {
        let key = path_name(&inner.path);
        let target = match key.as_str() {
            "precision" => &mut precision,
            "scale" => &mut scale,
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    format!("unknown key `{key}` in `numeric`, expected `precision` or `scale`"),
                );
                return skip_value(inner.input);
            }
        };
        let example = format!(
            "{} = {}",
            target.name(),
            if key == "scale" { 2 } else { 10 }
        );
        let (value_tokens, value) = int_value(cx, &inner, target.name(), &example)?;
        target.set(cx, &inner.path, value_tokens, value);
        Ok(())
    })?;
    for part in [&precision, &scale] {
        if !part.is_set() {
            cx.error_spanned_by(
                &meta.path,
                format!("`numeric` needs `{}`, e.g. `{EXAMPLE}`", part.name()),
            );
        }
    }
    let value = match (precision.get(), scale.get()) {
        (Some(&0), _) => {
            cx.error_spanned_by(precision.tokens(), "`precision` must be at least 1");
            None
        }
        (Some(&p), Some(&s)) if s > p => {
            cx.error_spanned_by(
                scale.tokens(),
                format!("`scale` ({s}) must not exceed `precision` ({p})"),
            );
            None
        }
        (Some(&p), Some(&s)) => Some((p, s)),
        _ => None,
    };
    Ok((tokens, value))
}

/// `default = <literal>`: a bool, an integer (possibly negative), a float or a string.
fn default_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
) -> syn::Result<(TokenStream, Option<DefaultLit>)> {
    let Some(expr) = value_expr(cx, meta, "default", "default = 0")? else {
        return Ok((meta.path.to_token_stream(), None));
    };
    let tokens = expr.to_token_stream();
    let (negative, lit) = match &expr {
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => (true, lit_of(&unary.expr)),
        expr => (false, lit_of(expr)),
    };
    let sign = if negative { "-" } else { "" };
    let value = match lit {
        Some(Lit::Bool(b)) if !negative => Some(DefaultLit::Bool(b.value)),
        Some(Lit::Str(s)) if !negative => Some(DefaultLit::Str(s.value())),
        Some(Lit::Int(int)) => match format!("{sign}{}", int.base10_digits()).parse::<i64>() {
            Ok(n) => Some(DefaultLit::Int(n)),
            Err(_) => {
                cx.error_spanned_by(&tokens, "`default` integer does not fit in an i64");
                None
            }
        },
        Some(Lit::Float(float)) => Some(DefaultLit::Float(format!(
            "{sign}{}",
            float.base10_digits()
        ))),
        _ => {
            cx.error_spanned_by(
                &tokens,
                "`default` expects a bool, integer, float or string literal, e.g. `default = 0`; for a SQL expression write `default_sql = \"...\"`",
            );
            None
        }
    };
    Ok((tokens, value))
}

/// `#[diesel(table_name = a::b::posts)]`, `#[diesel(column_name = title)]`: the last segment,
/// without `r#`. A string literal is accepted too, as Diesel does for names that are not
/// identifiers.
fn diesel_name(meta: &ParseNestedMeta<'_>) -> syn::Result<String> {
    let input = meta.value()?;
    if input.peek(syn::LitStr) {
        let lit: syn::LitStr = input.parse()?;
        let value = lit.value();
        return Ok(value.rsplit("::").next().unwrap_or_default().to_string());
    }
    let path = input.call(syn::Path::parse_mod_style)?;
    let last = path
        .segments
        .last()
        .ok_or_else(|| syn::Error::new_spanned(&path, "expected a name"))?;
    Ok(last.ident.unraw().to_string())
}

fn non_empty(cx: &Ctxt, tokens: &TokenStream, name: &str, value: String) -> Option<String> {
    if value.trim().is_empty() {
        cx.error_spanned_by(tokens, format!("`{name}` must not be empty"));
        None
    } else {
        Some(value)
    }
}

/// `"table.column"` or `"table"`: non-empty parts, at most one dot, no whitespace or quotes.
fn is_reference(target: &str) -> bool {
    let parts: Vec<&str> = target.split('.').collect();
    parts.len() <= 2
        && parts.iter().all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '`' | '(' | ')' | ','))
        })
}

/// The normalised spelling of a referential action (`"SET_NULL"` → `"set null"`).
pub(crate) fn fk_action(text: &str) -> Option<String> {
    let normalised = text.trim().to_ascii_lowercase().replace('_', " ");
    FK_ACTIONS
        .contains(&normalised.as_str())
        .then_some(normalised)
}

/// Whether `text` spells a column type: the parser is the one migrate-core's `SqlType::from_str`
/// delegates to, so what passes here cannot fail when the expansion parses it again. Enum types
/// are declared with `#[derive(ModelEnum)]` on the field's type instead, which knows the values.
pub(crate) fn is_sql_type(text: &str) -> bool {
    crate::spelling::parse(text).is_ok_and(|ty| !ty.names_enum())
}
