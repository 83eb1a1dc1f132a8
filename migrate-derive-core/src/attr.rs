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
use crate::elements::{exclusion_definition, parse_index_elements, IndexElement};

/// A `#[model(check(name = "...", expr = "..."))]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDef {
    /// The constraint's name.
    pub name: String,
    /// The SQL boolean expression.
    pub expr: String,
    /// `not_valid`: PostgreSQL `NOT VALID`, existing rows were not checked.
    pub not_valid: bool,
    /// `no_inherit`: PostgreSQL `NO INHERIT`.
    pub no_inherit: bool,
}

/// A `#[model(exclude(...))]`: a PostgreSQL exclusion constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionDef {
    /// The constraint's name.
    pub name: String,
    /// Everything after `EXCLUDE`, as PostgreSQL prints it: `USING gist (room WITH =)`.
    pub definition: String,
    /// `deferrable = "deferred"` or `"immediate"`.
    pub deferrable: Option<String>,
}

/// How a field's values are generated: `identity = "..."`, `serial`, `autoincrement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityDef {
    /// `identity = "always"`.
    Always,
    /// `identity = "by_default"`.
    ByDefault,
    /// `serial`, or `serial = "sequence_name"`.
    Serial(Option<String>),
    /// `autoincrement` (SQLite `AUTOINCREMENT`).
    Autoincrement,
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
    "no_primary_key",
    "index",
    "unique",
    "foreign_key",
    "check",
    "exclude",
    "comment",
    "engine",
    "charset",
    "collation",
    "without_rowid",
    "strict",
    "partition_by",
    "partition_of",
    "inherits",
    "unlogged",
    "with",
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
    "fk_name",
    "deferrable",
    "match_full",
    "not_valid",
    "identity",
    "serial",
    "autoincrement",
    "on_update_sql",
    "generated",
    "collation",
    "charset",
    "comment",
    "renamed_from",
    "skip",
];

/// The index methods `method = "..."` accepts, lower case.
pub(crate) const INDEX_METHODS: &[&str] = &[
    "btree", "hash", "gin", "gist", "brin", "spgist", "fulltext", "spatial",
];

/// The values `deferrable = "..."` accepts.
pub(crate) const DEFERRABLE: &[&str] = &["deferred", "immediate"];

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
    /// `on = "..."`: its tokens and its elements.
    pub(crate) on: Option<(TokenStream, Vec<IndexElement>)>,
    pub(crate) unique: bool,
    pub(crate) method: Option<String>,
    pub(crate) predicate: Option<String>,
    pub(crate) include: Vec<Ident>,
    pub(crate) with: Option<String>,
    pub(crate) nulls_not_distinct: bool,
    pub(crate) comment: Option<String>,
}

/// `#[model(unique(...))]` on the struct.
pub(crate) struct UniqueAttr {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<Ident>,
    pub(crate) deferrable: Option<String>,
    pub(crate) nulls_not_distinct: bool,
}

/// `#[model(foreign_key(...))]` on the struct.
pub(crate) struct ForeignKeyAttr {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<Ident>,
    pub(crate) ref_table: String,
    pub(crate) ref_columns: Vec<String>,
    pub(crate) on_delete: Option<String>,
    pub(crate) on_update: Option<String>,
    pub(crate) deferrable: Option<String>,
    pub(crate) match_full: bool,
    pub(crate) not_valid: bool,
}

/// The options of a field's `unique(...)` or `index(...)`.
#[derive(Default)]
pub(crate) struct FieldIndexOpts {
    pub(crate) name: Option<String>,
    pub(crate) method: Option<String>,
    pub(crate) unique: bool,
    pub(crate) deferrable: Option<String>,
    pub(crate) nulls_not_distinct: bool,
}

/// Everything the struct's own attributes say.
pub(crate) struct ContainerAttrs {
    pub(crate) table: Attr<String>,
    pub(crate) primary_key: Attr<Vec<Ident>>,
    pub(crate) primary_key_name: Option<String>,
    pub(crate) no_primary_key: Attr<()>,
    pub(crate) indexes: Vec<IndexAttr>,
    pub(crate) uniques: Vec<UniqueAttr>,
    pub(crate) foreign_keys: Vec<ForeignKeyAttr>,
    pub(crate) checks: Vec<CheckDef>,
    pub(crate) exclusions: Vec<ExclusionDef>,
    pub(crate) comment: Attr<String>,
    /// The `///` doc comment, the comment when `comment = "..."` is not given.
    pub(crate) doc: Option<String>,
    pub(crate) engine: Attr<String>,
    pub(crate) charset: Attr<String>,
    pub(crate) collation: Attr<String>,
    pub(crate) without_rowid: Attr<()>,
    pub(crate) strict: Attr<()>,
    pub(crate) partition_by: Attr<String>,
    pub(crate) partition_of: Attr<(String, String)>,
    pub(crate) inherits: Attr<Vec<String>>,
    pub(crate) unlogged: Attr<()>,
    pub(crate) with: Attr<String>,
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
    pub(crate) fk_name: Attr<String>,
    pub(crate) deferrable: Attr<String>,
    pub(crate) match_full: Attr<()>,
    pub(crate) not_valid: Attr<()>,
    pub(crate) identity: Attr<String>,
    pub(crate) serial: Attr<Option<String>>,
    pub(crate) autoincrement: Attr<()>,
    pub(crate) on_update_sql: Attr<String>,
    pub(crate) generated: Attr<(String, bool)>,
    pub(crate) collation: Attr<String>,
    pub(crate) charset: Attr<String>,
    pub(crate) comment: Attr<String>,
    /// The `///` doc comment, the comment when `comment = "..."` is not given.
    pub(crate) doc: Option<String>,
    /// The options of `unique(...)` and `index(...)`.
    pub(crate) unique_opts: FieldIndexOpts,
    pub(crate) index_opts: FieldIndexOpts,
    pub(crate) renamed_from: Attr<String>,
    pub(crate) skip: Attr<()>,
    pub(crate) diesel_column_name: Option<String>,
}

impl ContainerAttrs {
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[syn::Attribute]) -> Self {
        let mut out = ContainerAttrs {
            table: Attr::none("table"),
            primary_key: Attr::none("primary_key"),
            primary_key_name: None,
            no_primary_key: Attr::none("no_primary_key"),
            indexes: Vec::new(),
            uniques: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            exclusions: Vec::new(),
            comment: Attr::none("comment"),
            doc: None,
            engine: Attr::none("engine"),
            charset: Attr::none("charset"),
            collation: Attr::none("collation"),
            without_rowid: Attr::none("without_rowid"),
            strict: Attr::none("strict"),
            partition_by: Attr::none("partition_by"),
            partition_of: Attr::none("partition_of"),
            inherits: Attr::none("inherits"),
            unlogged: Attr::none("unlogged"),
            with: Attr::none("with"),
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
        out.doc = doc_comment(cx, attrs, out.comment.is_set());
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
                let (tokens, value, name) = primary_key_value(cx, meta)?;
                if !self.primary_key.is_set() {
                    self.primary_key_name = name;
                }
                self.primary_key.set(cx, path, tokens, value);
            }
            "index" => {
                if let Some(index) = index_value(cx, meta)? {
                    self.indexes.push(index);
                }
            }
            "unique" => {
                if let Some(unique) = unique_value(cx, meta)? {
                    self.uniques.push(unique);
                }
            }
            "foreign_key" => {
                if let Some(fk) = foreign_key_value(cx, meta)? {
                    self.foreign_keys.push(fk);
                }
            }
            "check" => {
                if let Some(check) = check_value(cx, meta)? {
                    self.checks.push(check);
                }
            }
            "exclude" => {
                if let Some(exclusion) = exclude_value(cx, meta)? {
                    self.exclusions.push(exclusion);
                }
            }
            "comment" | "engine" | "charset" | "collation" | "partition_by" | "with" => {
                let (target, example) = match key.as_str() {
                    "comment" => (&mut self.comment, "comment = \"Posts by users\""),
                    "engine" => (&mut self.engine, "engine = \"InnoDB\""),
                    "charset" => (&mut self.charset, "charset = \"utf8mb4\""),
                    "collation" => (&mut self.collation, "collation = \"utf8mb4_bin\""),
                    "with" => (&mut self.with, "with = \"fillfactor=70\""),
                    _ => (
                        &mut self.partition_by,
                        "partition_by = \"RANGE (created_at)\"",
                    ),
                };
                let name = target.name();
                let (tokens, value) = string_value(cx, meta, name, example)?;
                let value = value.and_then(|v| non_empty(cx, &tokens, name, v));
                target.set(cx, path, tokens, value);
            }
            "without_rowid" | "strict" | "unlogged" | "no_primary_key" => {
                let target = match key.as_str() {
                    "strict" => &mut self.strict,
                    "without_rowid" => &mut self.without_rowid,
                    "unlogged" => &mut self.unlogged,
                    _ => &mut self.no_primary_key,
                };
                let ok = flag(cx, meta, target.name())?;
                target.set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "partition_of" => {
                let value = partition_of_value(cx, meta)?;
                self.partition_of
                    .set(cx, path, path.to_token_stream(), value);
            }
            "inherits" => {
                let value = string_list(cx, meta, "inherits", "inherits(\"parents\")")?;
                self.inherits.set(cx, path, path.to_token_stream(), value);
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
            fk_name: Attr::none("fk_name"),
            deferrable: Attr::none("deferrable"),
            match_full: Attr::none("match_full"),
            not_valid: Attr::none("not_valid"),
            identity: Attr::none("identity"),
            serial: Attr::none("serial"),
            autoincrement: Attr::none("autoincrement"),
            on_update_sql: Attr::none("on_update_sql"),
            generated: Attr::none("generated"),
            collation: Attr::none("collation"),
            charset: Attr::none("charset"),
            comment: Attr::none("comment"),
            doc: None,
            unique_opts: FieldIndexOpts::default(),
            index_opts: FieldIndexOpts::default(),
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
        // A skipped field is no column: its documentation is its own.
        out.doc = doc_comment(cx, attrs, out.comment.is_set() || out.skip.is_set());
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
            self.fk_name.key(),
            self.deferrable.key(),
            self.match_full.key(),
            self.not_valid.key(),
            self.identity.key(),
            self.serial.key(),
            self.autoincrement.key(),
            self.on_update_sql.key(),
            self.generated.key(),
            self.collation.key(),
            self.charset.key(),
            self.comment.key(),
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
            "unique" | "index" => {
                let is_index = key == "index";
                let (ok, opts) = if meta.input.peek(token::Paren) {
                    match field_index_opts(cx, meta, is_index)? {
                        Some(opts) => (true, opts),
                        None => (false, FieldIndexOpts::default()),
                    }
                } else {
                    (flag(cx, meta, &key)?, FieldIndexOpts::default())
                };
                let first = if is_index {
                    !self.index.is_set()
                } else {
                    !self.unique.is_set()
                };
                if first {
                    if is_index {
                        self.index_opts = opts;
                    } else {
                        self.unique_opts = opts;
                    }
                }
                let target = if is_index {
                    &mut self.index
                } else {
                    &mut self.unique
                };
                target.set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "match_full" | "not_valid" | "autoincrement" => {
                let target = match key.as_str() {
                    "match_full" => &mut self.match_full,
                    "not_valid" => &mut self.not_valid,
                    _ => &mut self.autoincrement,
                };
                let ok = flag(cx, meta, target.name())?;
                target.set(cx, path, path.to_token_stream(), ok.then_some(()));
            }
            "fk_name" | "on_update_sql" | "collation" | "charset" | "comment" => {
                let (target, example) = match key.as_str() {
                    "fk_name" => (&mut self.fk_name, "fk_name = \"posts_author_id_fkey\""),
                    "on_update_sql" => (
                        &mut self.on_update_sql,
                        "on_update_sql = \"CURRENT_TIMESTAMP\"",
                    ),
                    "collation" => (&mut self.collation, "collation = \"C\""),
                    "charset" => (&mut self.charset, "charset = \"utf8mb4\""),
                    _ => (&mut self.comment, "comment = \"Shown to users\""),
                };
                let name = target.name();
                let (tokens, value) = string_value(cx, meta, name, example)?;
                let value = value.and_then(|v| non_empty(cx, &tokens, name, v));
                target.set(cx, path, tokens, value);
            }
            "deferrable" => {
                let (tokens, value) =
                    string_value(cx, meta, "deferrable", "deferrable = \"deferred\"")?;
                let value = value.and_then(|v| one_of(cx, &tokens, "deferrable", v, DEFERRABLE));
                self.deferrable.set(cx, path, tokens, value);
            }
            "identity" => {
                let (tokens, value) = string_value(cx, meta, "identity", "identity = \"always\"")?;
                let value = value
                    .and_then(|v| one_of(cx, &tokens, "identity", v, &["always", "by_default"]));
                self.identity.set(cx, path, tokens, value);
            }
            "serial" => {
                if meta.input.peek(Token![=]) {
                    let (tokens, value) =
                        string_value(cx, meta, "serial", "serial = \"posts_id_seq\"")?;
                    let value = value.and_then(|v| non_empty(cx, &tokens, "serial", v));
                    self.serial.set(cx, path, tokens, value.map(Some));
                } else {
                    let ok = flag(cx, meta, "serial")?;
                    self.serial
                        .set(cx, path, path.to_token_stream(), ok.then_some(None));
                }
            }
            "generated" => {
                let value = generated_value(cx, meta)?;
                self.generated.set(cx, path, path.to_token_stream(), value);
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

/// `key = "text"` inside a list, into `target` (non-empty).
fn nested_string(
    cx: &Ctxt,
    inner: &ParseNestedMeta<'_>,
    target: &mut Attr<String>,
    example: &str,
) -> syn::Result<()> {
    let name = target.name();
    let (tokens, value) = string_value(cx, inner, name, example)?;
    let value = value.and_then(|v| non_empty(cx, &tokens, name, v));
    target.set(cx, &inner.path, tokens, value);
    Ok(())
}

/// A flag inside a list, into `target`.
fn nested_flag(cx: &Ctxt, inner: &ParseNestedMeta<'_>, target: &mut Attr<()>) -> syn::Result<()> {
    let ok = flag(cx, inner, target.name())?;
    target.set(
        cx,
        &inner.path,
        inner.path.to_token_stream(),
        ok.then_some(()),
    );
    Ok(())
}

/// `value` when it is one of `allowed` (case aside), lower-cased; else an error at `tokens`.
fn one_of(
    cx: &Ctxt,
    tokens: &TokenStream,
    name: &str,
    value: String,
    allowed: &[&str],
) -> Option<String> {
    let lower = value.trim().to_ascii_lowercase();
    if allowed.contains(&lower.as_str()) {
        Some(lower)
    } else {
        cx.error_spanned_by(
            tokens,
            format!(
                "unknown `{name}` \"{value}\", expected one of {}",
                quoted_list(allowed)
            ),
        );
        None
    }
}

/// The columns of a struct-level `index`, `unique` or `foreign_key`: bare field names or
/// `columns(a, b)`, not both.
#[derive(Default)]
struct ColumnSet {
    columns: Vec<Ident>,
    bare: bool,
    listed: Option<TokenStream>,
    ok: bool,
}

impl ColumnSet {
    fn new() -> Self {
        ColumnSet {
            ok: true,
            ..ColumnSet::default()
        }
    }

    /// Takes `inner` when it is a column; returns whether it did.
    fn take(&mut self, cx: &Ctxt, inner: &ParseNestedMeta<'_>, what: &str) -> syn::Result<bool> {
        let bare = inner.input.is_empty() || inner.input.peek(Token![,]);
        if inner.path.is_ident("columns") && inner.input.peek(token::Paren) {
            if self.listed.replace(inner.path.to_token_stream()).is_some() {
                cx.error_spanned_by(&inner.path, format!("duplicate `columns` in `{what}`"));
            }
            match field_list(cx, inner, "columns", "columns(author_id, published_at)")? {
                (_, Some(columns)) => self.columns.extend(columns),
                (_, None) => self.ok = false,
            }
            return Ok(true);
        }
        if let (Some(ident), true) = (inner.path.get_ident(), bare) {
            self.bare = true;
            self.columns.push(ident.clone());
            return Ok(true);
        }
        Ok(false)
    }

    /// Reports the mix of both forms and an empty set; whether the set is usable.
    fn finish(&mut self, cx: &Ctxt, meta: &ParseNestedMeta<'_>, what: &str, example: &str) -> bool {
        if let (true, Some(columns)) = (self.bare, &self.listed) {
            cx.error_spanned_by(
                columns,
                format!("`{what}` takes either `columns(...)` or bare field names, not both"),
            );
            self.ok = false;
        }
        if self.ok && self.columns.is_empty() {
            cx.error_spanned_by(
                &meta.path,
                format!("`{what}` needs at least one field, e.g. `{example}`"),
            );
            self.ok = false;
        }
        self.ok
    }
}

/// Reports a key a list does not take.
fn unexpected(
    cx: &Ctxt,
    inner: &ParseNestedMeta<'_>,
    what: &str,
    expected: &str,
) -> syn::Result<()> {
    cx.error_spanned_by(
        &inner.path,
        format!(
            "unexpected key `{}` in `{what}`, expected {expected}",
            path_name(&inner.path)
        ),
    );
    skip_value(inner.input)
}

/// `primary_key(a, b)`, `primary_key(a, b, name = "pk_x")`.
fn primary_key_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
) -> syn::Result<(TokenStream, Option<Vec<Ident>>, Option<String>)> {
    const EXAMPLE: &str = "primary_key(tenant_id, id)";
    let tokens = meta.path.to_token_stream();
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`primary_key` on the struct expects a list of fields, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok((tokens, None, None));
    }
    let mut name: Attr<String> = Attr::nested("name", "primary_key");
    let mut names = Vec::new();
    let mut ok = true;
    parse_list(meta, |inner| {
        if inner.path.is_ident("name") && inner.input.peek(Token![=]) {
            return nested_string(cx, &inner, &mut name, "name = \"users_pkey\"");
        }
        ok &= list_item(cx, &inner, "primary_key", &mut names)?;
        Ok(())
    })?;
    if names.is_empty() && ok {
        cx.error_spanned_by(
            &meta.path,
            format!("`primary_key` needs at least one field, e.g. `{EXAMPLE}`"),
        );
        ok = false;
    }
    Ok((tokens, ok.then_some(names), name.value))
}

/// `index(a, b)`, `index(a, b, unique)`, `index(name = "...", columns(a, b), unique)`, and the
/// other forms: `on = "..."` elements, `method`, `where`, `include(...)`, `with`,
/// `nulls_not_distinct`, `comment`.
fn index_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<IndexAttr>> {
    const EXAMPLE: &str = "index(author_id, published_at)";
    const EXPECTED: &str = "field names, `columns(...)`, `on = \"...\"`, `name = \"...\"`, `unique`, `method = \"...\"`, `where = \"...\"`, `include(...)`, `with = \"...\"`, `nulls_not_distinct` or `comment = \"...\"`";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`index` on the struct expects a list of fields, e.g. `{EXAMPLE}`; on a field write `#[model(index)]`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut set = ColumnSet::new();
    let mut name: Attr<String> = Attr::nested("name", "index");
    let mut on: Attr<String> = Attr::nested("on", "index");
    let mut method: Attr<String> = Attr::nested("method", "index");
    let mut predicate: Attr<String> = Attr::nested("where", "index");
    let mut with: Attr<String> = Attr::nested("with", "index");
    let mut comment: Attr<String> = Attr::nested("comment", "index");
    let mut unique: Attr<()> = Attr::nested("unique", "index");
    let mut nnd: Attr<()> = Attr::nested("nulls_not_distinct", "index");
    let mut include: Option<Vec<Ident>> = None;
    let mut ok = true;
    parse_list(meta, |inner| {
        let key = path_name(&inner.path);
        let has_value = inner.input.peek(Token![=]);
        match key.as_str() {
            "unique" if !has_value => nested_flag(cx, &inner, &mut unique),
            "nulls_not_distinct" => nested_flag(cx, &inner, &mut nnd),
            "name" if has_value => {
                nested_string(cx, &inner, &mut name, "name = \"ix_posts_author\"")
            }
            "on" if has_value => nested_string(
                cx,
                &inner,
                &mut on,
                "on = \"lower(email), created_at DESC\"",
            ),
            "method" if has_value => nested_string(cx, &inner, &mut method, "method = \"gin\""),
            "where" => nested_string(cx, &inner, &mut predicate, "where = \"deleted_at IS NULL\""),
            "with" if has_value => nested_string(cx, &inner, &mut with, "with = \"fillfactor=70\""),
            "comment" if has_value => nested_string(
                cx,
                &inner,
                &mut comment,
                "comment = \"Finds posts by author\"",
            ),
            "include" if inner.input.peek(token::Paren) => {
                if include.is_some() {
                    cx.error_spanned_by(&inner.path, "duplicate `include` in `index`");
                }
                match field_list(cx, &inner, "include", "include(title, body)")? {
                    (_, Some(columns)) => include = Some(columns),
                    (_, None) => ok = false,
                }
                Ok(())
            }
            _ => {
                if !set.take(cx, &inner, "index")? {
                    ok = false;
                    unexpected(cx, &inner, "index", EXPECTED)?;
                }
                Ok(())
            }
        }
    })?;
    let elements = match (on.get(), on.key()) {
        (Some(text), _) => match parse_index_elements(text) {
            Ok(elements) => Some((on.tokens().clone(), elements)),
            Err(e) => {
                cx.error_spanned_by(on.tokens(), format!("`on` does not parse: {e}"));
                ok = false;
                None
            }
        },
        (None, Some(_)) => {
            ok = false;
            None
        }
        (None, None) => None,
    };
    if let Some((tokens, elements)) = &elements {
        if !set.columns.is_empty() || set.listed.is_some() {
            cx.error_spanned_by(
                tokens,
                "`index` takes either `on = \"...\"` or field names, not both",
            );
            ok = false;
        } else if name.key().is_none()
            && elements
                .iter()
                .any(|e| matches!(e.target, crate::elements::ElementTarget::Expression(_)))
        {
            cx.error_spanned_by(
                tokens,
                "an index over an expression needs `name = \"...\"`: no name can be derived from an expression",
            );
            ok = false;
        }
    } else if on.key().is_none() {
        ok &= set.finish(cx, meta, "index", EXAMPLE);
    }
    ok &= set.ok;
    let method = match method.get() {
        Some(m) => match one_of(cx, method.tokens(), "method", m.clone(), INDEX_METHODS) {
            Some(m) => Some(m),
            None => {
                ok = false;
                None
            }
        },
        None => None,
    };
    ok &= [&name, &predicate, &with, &on, &comment]
        .iter()
        .all(|a| a.key().is_none() || a.get().is_some());
    Ok(ok.then(|| IndexAttr {
        name: name.value,
        columns: set.columns,
        on: elements,
        unique: unique.is_set(),
        method,
        predicate: predicate.value,
        include: include.unwrap_or_default(),
        with: with.value,
        nulls_not_distinct: nnd.is_set(),
        comment: comment.value,
    }))
}

/// `unique(a, b)`, `unique(name = "...", columns(a, b), deferrable = "...", nulls_not_distinct)`.
fn unique_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<UniqueAttr>> {
    const EXAMPLE: &str = "unique(email, tenant_id)";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`unique` on the struct expects a list of fields, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut set = ColumnSet::new();
    let mut name: Attr<String> = Attr::nested("name", "unique");
    let mut deferrable: Attr<String> = Attr::nested("deferrable", "unique");
    let mut nnd: Attr<()> = Attr::nested("nulls_not_distinct", "unique");
    let mut ok = true;
    parse_list(meta, |inner| {
        let has_value = inner.input.peek(Token![=]);
        match path_name(&inner.path).as_str() {
            "name" if has_value => {
                nested_string(cx, &inner, &mut name, "name = \"users_email_key\"")
            }
            "deferrable" if has_value => {
                nested_string(cx, &inner, &mut deferrable, "deferrable = \"deferred\"")
            }
            "nulls_not_distinct" => nested_flag(cx, &inner, &mut nnd),
            _ => {
                if !set.take(cx, &inner, "unique")? {
                    ok = false;
                    unexpected(
                        cx,
                        &inner,
                        "unique",
                        "field names, `columns(...)`, `name = \"...\"`, `deferrable = \"...\"` or `nulls_not_distinct`",
                    )?;
                }
                Ok(())
            }
        }
    })?;
    ok &= set.finish(cx, meta, "unique", EXAMPLE);
    let deferrable_value = deferrable
        .get()
        .cloned()
        .and_then(|v| one_of(cx, deferrable.tokens(), "deferrable", v, DEFERRABLE));
    ok &= deferrable.key().is_none() || deferrable_value.is_some();
    ok &= name.key().is_none() || name.get().is_some();
    Ok(ok.then(|| UniqueAttr {
        name: name.value,
        columns: set.columns,
        deferrable: deferrable_value,
        nulls_not_distinct: nnd.is_set(),
    }))
}

/// `foreign_key(name = "...", columns(a, b), references = "t(x, y)", on_delete = "...", ...)`.
fn foreign_key_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<ForeignKeyAttr>> {
    const EXAMPLE: &str =
        "foreign_key(columns(tenant_id, author_id), references = \"users(tenant_id, id)\")";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`foreign_key` expects its columns and target, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut set = ColumnSet::new();
    let mut name: Attr<String> = Attr::nested("name", "foreign_key");
    let mut references: Attr<String> = Attr::nested("references", "foreign_key");
    let mut on_delete: Attr<String> = Attr::nested("on_delete", "foreign_key");
    let mut on_update: Attr<String> = Attr::nested("on_update", "foreign_key");
    let mut deferrable: Attr<String> = Attr::nested("deferrable", "foreign_key");
    let mut match_full: Attr<()> = Attr::nested("match_full", "foreign_key");
    let mut not_valid: Attr<()> = Attr::nested("not_valid", "foreign_key");
    let mut ok = true;
    parse_list(meta, |inner| {
        let has_value = inner.input.peek(Token![=]);
        match path_name(&inner.path).as_str() {
            "name" if has_value => {
                nested_string(cx, &inner, &mut name, "name = \"posts_author_fkey\"")
            }
            "references" if has_value => nested_string(
                cx,
                &inner,
                &mut references,
                "references = \"users(tenant_id, id)\"",
            ),
            "on_delete" if has_value => {
                nested_string(cx, &inner, &mut on_delete, "on_delete = \"cascade\"")
            }
            "on_update" if has_value => {
                nested_string(cx, &inner, &mut on_update, "on_update = \"cascade\"")
            }
            "deferrable" if has_value => {
                nested_string(cx, &inner, &mut deferrable, "deferrable = \"deferred\"")
            }
            "match_full" => nested_flag(cx, &inner, &mut match_full),
            "not_valid" => nested_flag(cx, &inner, &mut not_valid),
            _ => {
                if !set.take(cx, &inner, "foreign_key")? {
                    ok = false;
                    unexpected(
                        cx,
                        &inner,
                        "foreign_key",
                        "field names, `columns(...)`, `references = \"...\"`, `name`, `on_delete`, `on_update`, `deferrable`, `match_full` or `not_valid`",
                    )?;
                }
                Ok(())
            }
        }
    })?;
    ok &= set.finish(cx, meta, "foreign_key", EXAMPLE);
    let target = match (references.get(), references.key()) {
        (Some(text), _) => match table_reference(text) {
            Some((table, columns)) => {
                if !columns.is_empty() && columns.len() != set.columns.len() && ok {
                    cx.error_spanned_by(
                        references.tokens(),
                        format!(
                            "`references` names {} column(s) for {} foreign key column(s)",
                            columns.len(),
                            set.columns.len()
                        ),
                    );
                    None
                } else {
                    Some((table, columns))
                }
            }
            None => {
                cx.error_spanned_by(
                    references.tokens(),
                    format!("malformed `references` target \"{text}\", expected \"table(column, ...)\" or \"table\""),
                );
                None
            }
        },
        (None, Some(_)) => None,
        (None, None) => {
            cx.error_spanned_by(
                &meta.path,
                format!("`foreign_key` needs `references`, e.g. `{EXAMPLE}`"),
            );
            None
        }
    };
    let action = |attr: &Attr<String>| -> Result<Option<String>, ()> {
        match attr.get() {
            None => Ok(None),
            Some(v) => match fk_action(v) {
                Some(a) => Ok(Some(a)),
                None => {
                    cx.error_spanned_by(
                        attr.tokens(),
                        format!(
                            "unknown `{}` action \"{v}\", expected one of {}",
                            attr.name(),
                            quoted_list(FK_ACTIONS)
                        ),
                    );
                    Err(())
                }
            },
        }
    };
    let (on_delete, on_update) = (action(&on_delete), action(&on_update));
    let deferrable_value = deferrable
        .get()
        .cloned()
        .and_then(|v| one_of(cx, deferrable.tokens(), "deferrable", v, DEFERRABLE));
    ok &= deferrable.key().is_none() || deferrable_value.is_some();
    ok &= name.key().is_none() || name.get().is_some();
    match (ok, target, on_delete, on_update) {
        (true, Some((ref_table, ref_columns)), Ok(on_delete), Ok(on_update)) => {
            Ok(Some(ForeignKeyAttr {
                name: name.value,
                columns: set.columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
                deferrable: deferrable_value,
                match_full: match_full.is_set(),
                not_valid: not_valid.is_set(),
            }))
        }
        _ => Ok(None),
    }
}

/// `"t(x, y)"`, `"t"` or `"t.x"`: the table and its columns (empty: the table's key).
fn table_reference(text: &str) -> Option<(String, Vec<String>)> {
    let text = text.trim();
    let plain = |part: &str| {
        !part.is_empty()
            && part.chars().all(|c| {
                !c.is_whitespace() && !matches!(c, '"' | '\'' | '`' | '(' | ')' | ',' | '.')
            })
    };
    if let Some((table, rest)) = text.split_once('(') {
        let inner = rest.strip_suffix(')')?;
        let columns: Vec<String> = inner.split(',').map(|c| c.trim().to_string()).collect();
        let table = table.trim();
        return (plain(table) && columns.iter().all(|c| plain(c)))
            .then(|| (table.to_string(), columns));
    }
    if is_reference(text) {
        let mut parts = text.split('.');
        let table = parts.next()?.to_string();
        return Some((table, parts.map(str::to_string).collect()));
    }
    None
}

/// `check(name = "...", expr = "...", not_valid, no_inherit)`.
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
    let mut not_valid: Attr<()> = Attr::nested("not_valid", "check");
    let mut no_inherit: Attr<()> = Attr::nested("no_inherit", "check");
    parse_list(meta, |inner| {
        let key = path_name(&inner.path);
        match key.as_str() {
            "name" => nested_string(cx, &inner, &mut name, "name = \"ck_posts_title_len\""),
            "expr" => nested_string(cx, &inner, &mut expr, "expr = \"length(title) > 0\""),
            "not_valid" => nested_flag(cx, &inner, &mut not_valid),
            "no_inherit" => nested_flag(cx, &inner, &mut no_inherit),
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    format!("unknown key `{key}` in `check`, expected `name`, `expr`, `not_valid` or `no_inherit`"),
                );
                skip_value(inner.input)
            }
        }
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
        (Some(name), Some(expr)) => Some(CheckDef {
            name,
            expr,
            not_valid: not_valid.is_set(),
            no_inherit: no_inherit.is_set(),
        }),
        _ => None,
    })
}

/// `exclude(name = "...", using = "gist", elements = "room WITH =, during WITH &&", where =
/// "...", deferrable = "...")`, or `exclude(name = "...", definition = "USING gist (...)")`.
fn exclude_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<ExclusionDef>> {
    const EXAMPLE: &str =
        "exclude(name = \"no_overlap\", using = \"gist\", elements = \"room WITH =, during WITH &&\")";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`exclude` expects a name and elements, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut name: Attr<String> = Attr::nested("name", "exclude");
    let mut using: Attr<String> = Attr::nested("using", "exclude");
    let mut elements: Attr<String> = Attr::nested("elements", "exclude");
    let mut predicate: Attr<String> = Attr::nested("where", "exclude");
    let mut definition: Attr<String> = Attr::nested("definition", "exclude");
    let mut deferrable: Attr<String> = Attr::nested("deferrable", "exclude");
    parse_list(meta, |inner| {
        let key = path_name(&inner.path);
        let target = match key.as_str() {
            "name" => &mut name,
            "using" => &mut using,
            "elements" => &mut elements,
            "where" => &mut predicate,
            "definition" => &mut definition,
            "deferrable" => &mut deferrable,
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    format!("unknown key `{key}` in `exclude`, expected `name`, `using`, `elements`, `where`, `definition` or `deferrable`"),
                );
                return skip_value(inner.input);
            }
        };
        nested_string(cx, &inner, target, EXAMPLE)
    })?;
    let mut ok = true;
    if !name.is_set() {
        cx.error_spanned_by(
            &meta.path,
            format!("`exclude` needs `name`, e.g. `{EXAMPLE}`"),
        );
        ok = false;
    }
    if let Some(key) = definition.key() {
        for part in [&using, &elements, &predicate] {
            if let Some(other) = part.key() {
                cx.error_spanned_by(
                    other,
                    format!(
                        "`exclude` takes either `definition` or `{}`, not both",
                        part.name()
                    ),
                );
                ok = false;
            }
        }
        let _ = key;
    } else if !elements.is_set() {
        cx.error_spanned_by(
            &meta.path,
            format!("`exclude` needs `elements`, e.g. `{EXAMPLE}`"),
        );
        ok = false;
    }
    let deferrable_value = deferrable
        .get()
        .cloned()
        .and_then(|v| one_of(cx, deferrable.tokens(), "deferrable", v, DEFERRABLE));
    ok &= deferrable.key().is_none() || deferrable_value.is_some();
    let definition = match definition.value {
        Some(d) => Some(d),
        None => elements.value.map(|e| {
            exclusion_definition(
                using.get().map_or("btree", String::as_str),
                &e,
                predicate.get().map(String::as_str),
            )
        }),
    };
    Ok(match (ok, name.value, definition) {
        (true, Some(name), Some(definition)) => Some(ExclusionDef {
            name,
            definition,
            deferrable: deferrable_value,
        }),
        _ => None,
    })
}

/// `partition_of(parent = "events", bound = "FOR VALUES FROM (...) TO (...)")`.
fn partition_of_value(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
) -> syn::Result<Option<(String, String)>> {
    const EXAMPLE: &str = "partition_of(parent = \"events\", bound = \"DEFAULT\")";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`partition_of` expects a parent and a bound, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut parent: Attr<String> = Attr::nested("parent", "partition_of");
    let mut bound: Attr<String> = Attr::nested("bound", "partition_of");
    parse_list(meta, |inner| {
        let key = path_name(&inner.path);
        let target = match key.as_str() {
            "parent" => &mut parent,
            "bound" => &mut bound,
            _ => {
                cx.error_spanned_by(
                    &inner.path,
                    format!("unknown key `{key}` in `partition_of`, expected `parent` or `bound`"),
                );
                return skip_value(inner.input);
            }
        };
        nested_string(cx, &inner, target, EXAMPLE)
    })?;
    for part in [&parent, &bound] {
        if !part.is_set() {
            cx.error_spanned_by(
                &meta.path,
                format!("`partition_of` needs `{}`, e.g. `{EXAMPLE}`", part.name()),
            );
        }
    }
    Ok(match (parent.value, bound.value) {
        (Some(p), Some(b)) => Some((p, b)),
        _ => None,
    })
}

/// `key("a", "b")`: a list of string literals.
fn string_list(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    name: &str,
    example: &str,
) -> syn::Result<Option<Vec<String>>> {
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`{name}` expects a list of names, e.g. `{example}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let items = syn::punctuated::Punctuated::<Expr, Token![,]>::parse_terminated(&content)?;
    let mut out = Vec::new();
    let mut ok = true;
    for item in &items {
        match lit_of(item) {
            Some(Lit::Str(s)) if !s.value().trim().is_empty() => out.push(s.value()),
            _ => {
                cx.error_spanned_by(
                    item,
                    format!("`{name}` expects non-empty string literals, e.g. `{example}`"),
                );
                ok = false;
            }
        }
    }
    if out.is_empty() && ok {
        cx.error_spanned_by(
            &meta.path,
            format!("`{name}` needs at least one name, e.g. `{example}`"),
        );
        ok = false;
    }
    Ok(ok.then_some(out))
}

/// A field's `unique(name = "...", deferrable = "...", nulls_not_distinct)` or `index(name =
/// "...", method = "...", unique)`.
fn field_index_opts(
    cx: &Ctxt,
    meta: &ParseNestedMeta<'_>,
    is_index: bool,
) -> syn::Result<Option<FieldIndexOpts>> {
    let what = if is_index { "index" } else { "unique" };
    let mut name: Attr<String> = Attr::nested("name", what);
    let mut method: Attr<String> = Attr::nested("method", what);
    let mut deferrable: Attr<String> = Attr::nested("deferrable", what);
    let mut unique: Attr<()> = Attr::nested("unique", what);
    let mut nnd: Attr<()> = Attr::nested("nulls_not_distinct", what);
    let mut ok = true;
    parse_list(meta, |inner| {
        let has_value = inner.input.peek(Token![=]);
        match (path_name(&inner.path).as_str(), is_index) {
            ("name", _) if has_value => nested_string(cx, &inner, &mut name, "name = \"...\""),
            ("method", true) if has_value => {
                nested_string(cx, &inner, &mut method, "method = \"hash\"")
            }
            ("unique", true) => nested_flag(cx, &inner, &mut unique),
            ("deferrable", false) if has_value => {
                nested_string(cx, &inner, &mut deferrable, "deferrable = \"deferred\"")
            }
            ("nulls_not_distinct", false) => nested_flag(cx, &inner, &mut nnd),
            _ => {
                ok = false;
                let expected = if is_index {
                    "`name = \"...\"`, `method = \"...\"` or `unique` (for more, declare the index on the struct)"
                } else {
                    "`name = \"...\"`, `deferrable = \"...\"` or `nulls_not_distinct`"
                };
                unexpected(cx, &inner, what, expected)
            }
        }
    })?;
    let method_value = method
        .get()
        .cloned()
        .and_then(|v| one_of(cx, method.tokens(), "method", v, INDEX_METHODS));
    let deferrable_value = deferrable
        .get()
        .cloned()
        .and_then(|v| one_of(cx, deferrable.tokens(), "deferrable", v, DEFERRABLE));
    ok &= method.key().is_none() || method_value.is_some();
    ok &= deferrable.key().is_none() || deferrable_value.is_some();
    ok &= name.key().is_none() || name.get().is_some();
    Ok(ok.then(|| FieldIndexOpts {
        name: name.value,
        method: method_value,
        unique: unique.is_set(),
        deferrable: deferrable_value,
        nulls_not_distinct: nnd.is_set(),
    }))
}

/// `generated(expr = "...", stored)`.
fn generated_value(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<(String, bool)>> {
    const EXAMPLE: &str = "generated(expr = \"price * quantity\", stored)";
    if !meta.input.peek(token::Paren) {
        cx.error_spanned_by(
            &meta.path,
            format!("`generated` expects an expression, e.g. `{EXAMPLE}`"),
        );
        skip_value(meta.input)?;
        return Ok(None);
    }
    let mut expr: Attr<String> = Attr::nested("expr", "generated");
    let mut stored: Attr<()> = Attr::nested("stored", "generated");
    parse_list(meta, |inner| match path_name(&inner.path).as_str() {
        "expr" => nested_string(cx, &inner, &mut expr, EXAMPLE),
        "stored" => nested_flag(cx, &inner, &mut stored),
        _ => unexpected(cx, &inner, "generated", "`expr = \"...\"` or `stored`"),
    })?;
    if !expr.is_set() {
        cx.error_spanned_by(
            &meta.path,
            format!("`generated` needs `expr`, e.g. `{EXAMPLE}`"),
        );
    }
    Ok(expr.value.map(|e| (e, stored.is_set())))
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

/// The comment the `///` doc lines spell (see [`crate::doc_comment`]). `comment = "..."` wins
/// over the doc comment, so that the Rust documentation may say more than the database keeps;
/// only without it is a doc written by a macro (`#[doc = include_str!(...)]`) an error, as its
/// text cannot be read from the tokens. `ignored`: the doc comment is not read at all.
fn doc_comment(cx: &Ctxt, attrs: &[syn::Attribute], ignored: bool) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue; // `#[doc(hidden)]` and the like say nothing about the text
        };
        match lit_of(&nv.value) {
            Some(Lit::Str(s)) => lines.push(s.value()),
            _ if ignored => {}
            _ => cx.error_spanned_by(
                &nv.value,
                "a doc comment written by a macro cannot be read as the comment; write the \
                 text, or give `#[model(comment = \"...\")]`, which wins over the doc comment",
            ),
        }
    }
    if ignored {
        return None;
    }
    crate::doc_comment::comment_from_doc_lines(lines.iter().map(String::as_str))
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
