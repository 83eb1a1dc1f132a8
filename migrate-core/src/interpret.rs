//! Reads a migration module's `up` and `down` without compiling them.
//!
//! A module whose functions only call the operations API (everything codegen writes) is read
//! with syn and each call is made, in this process, on the very [`Migration`] and builders the
//! compiled functions would call, so both record the same operations by construction: the
//! interpreter chooses which method to call, never what it records. Anything else (a Rust data
//! step, a helper function, a `let`, a loop, an import, a method it does not know, an argument
//! that is not a literal) is refused, never guessed, and the caller compiles that module as
//! before: the compiled program stays the truth.

use syn::punctuated::Punctuated;
use syn::{Expr, Item, Lit, Stmt, UnOp};

use crate::migration::{
    CheckBuilder, ColumnBuilder, ExclusionBuilder, ForeignKeyBuilder, IndexBuilder, Migration,
    ObjectBuilder, ObjectKeyBuilder, Operation, PrimaryKeyBuilder, TableBuilder,
    TableOptionsBuilder, UniqueBuilder,
};
use crate::objects::ObjectKind;
use crate::schema::{Deferrable, FkAction, Identity, IndexColumn, SqlType};

pub use crate::runner::InterpretedModule;

/// A module read, as bytes to keep (the CLI keeps them by the module's checksum, so that it
/// reads each module once); `None` for operations that cannot be kept (a Rust data step,
/// which reading never yields).
pub fn encode(module: &InterpretedModule) -> Option<Vec<u8>> {
    serde_json::to_vec(module).ok()
}

/// What [`encode`] kept; `None` when the bytes are not a module.
pub fn decode(bytes: &[u8]) -> Option<InterpretedModule> {
    serde_json::from_slice(bytes).ok()
}

/// Why a module cannot be read without compiling it (it is then compiled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type R<T> = std::result::Result<T, Refusal>;

/// The calls of a method chain, in order: each method's name and arguments.
type Calls<'a> = Vec<(String, Vec<&'a Expr>)>;

fn refuse<T>(why: impl Into<String>) -> R<T> {
    Err(Refusal(why.into()))
}

/// Reads `source` (a whole `versions/*.rs` module) into the operations its `up` and `down`
/// record, or says why it must be compiled.
pub fn interpret_module(source: &str) -> R<InterpretedModule> {
    let file = syn::parse_file(source).map_err(|e| Refusal(format!("not parsed: {e}")))?;
    if !file.attrs.is_empty() || file.shebang.is_some() {
        return refuse("module attributes");
    }
    let mut revision = None;
    let mut revises = None;
    let mut message = None;
    let mut safe_ddl = None;
    let mut replaces = None;
    let mut up = None;
    let mut down = None;
    // Without the prelude the compiled functions would not compile.
    let mut prelude = false;
    for item in &file.items {
        match item {
            Item::Use(u) if only_docs(&u.attrs) => {
                let text = quote::quote!(#u).to_string();
                if text != "use migrate_core :: migration :: prelude :: * ;" {
                    return refuse(format!("import `{text}`"));
                }
                prelude = true;
            }
            Item::Const(c) if only_docs(&c.attrs) && c.generics.params.is_empty() => {
                let name = c.ident.to_string();
                // The types the runner's list reads them as, public as it needs them.
                let ty = &c.ty;
                let ty = quote::quote!(#ty).to_string();
                let expected = match name.as_str() {
                    "REVISION" | "MESSAGE" => "& str",
                    "REVISES" | "REPLACES" => "& [& str]",
                    _ => "bool",
                };
                if ty != expected || !matches!(c.vis, syn::Visibility::Public(_)) {
                    return refuse(format!("constant {name}: {ty}"));
                }
                match name.as_str() {
                    "REVISION" => revision = Some(string(&c.expr)?),
                    "MESSAGE" => message = Some(string(&c.expr)?),
                    "REVISES" => revises = Some(strings(&c.expr)?),
                    "REPLACES" => replaces = Some(strings(&c.expr)?),
                    "SAFE_DDL" => match &*c.expr {
                        Expr::Lit(l) => match &l.lit {
                            Lit::Bool(b) => safe_ddl = Some(b.value),
                            _ => return refuse("SAFE_DDL is not a bool literal"),
                        },
                        _ => return refuse("SAFE_DDL is not a literal"),
                    },
                    other => return refuse(format!("constant {other}")),
                }
            }
            Item::Fn(f) if only_docs(&f.attrs) => {
                let name = f.sig.ident.to_string();
                let slot = match name.as_str() {
                    "up" => &mut up,
                    "down" => &mut down,
                    other => return refuse(format!("function {other}")),
                };
                if slot.is_some() {
                    return refuse(format!("two functions {name}"));
                }
                *slot = Some(function(f)?);
            }
            _ => return refuse("an item other than the prelude, the constants, up and down"),
        }
    }
    if !prelude {
        return refuse("no `use migrate_core::migration::prelude::*;`");
    }
    match (revision, revises, message, up, down) {
        (Some(revision), Some(revises), Some(message), Some(up), Some(down)) => {
            Ok(InterpretedModule {
                revision,
                revises,
                message,
                safe_ddl,
                replaces,
                up,
                down,
            })
        }
        _ => refuse("a constant or function is missing"),
    }
}

fn only_docs(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().all(|a| a.path().is_ident("doc"))
}

/// `pub fn up(m: &mut Migration) { ... }`: the operations its body records.
fn function(f: &syn::ItemFn) -> R<Vec<Operation>> {
    let sig = &f.sig;
    if !matches!(f.vis, syn::Visibility::Public(_))
        || sig.constness.is_some()
        || sig.asyncness.is_some()
        || sig.unsafety.is_some()
        || sig.abi.is_some()
        || !sig.generics.params.is_empty()
        || sig.generics.where_clause.is_some()
        || sig.variadic.is_some()
        || !matches!(sig.output, syn::ReturnType::Default)
        || sig.inputs.len() != 1
    {
        return refuse("a signature other than `pub fn NAME(m: &mut Migration)`");
    }
    let Some(syn::FnArg::Typed(arg)) = sig.inputs.first() else {
        return refuse("a method");
    };
    let name = binding(&arg.pat)?;
    match &*arg.ty {
        syn::Type::Reference(r)
            if r.mutability.is_some()
                && r.lifetime.is_none()
                && matches!(&*r.elem, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Migration")) =>
            {}
        _ => return refuse("the argument is not `&mut Migration`"),
    }
    let mut m = Migration::new();
    for stmt in &f.block.stmts {
        let expr = statement(stmt)?;
        migration_call(&mut m, name.as_deref(), expr)?;
    }
    Ok(m.into_operations())
}

/// The name a closure or function binds its argument to; `None` for `_` or a name starting
/// with `_` that is never used (any use is then refused as an unknown receiver).
fn binding(pat: &syn::Pat) -> R<Option<String>> {
    match pat {
        syn::Pat::Ident(p)
            if p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none() =>
        {
            Ok(Some(p.ident.to_string()))
        }
        syn::Pat::Wild(_) => Ok(None),
        _ => refuse("an argument pattern"),
    }
}

/// The expression a statement evaluates for its effect.
fn statement(stmt: &Stmt) -> R<&Expr> {
    match stmt {
        Stmt::Expr(expr, _) => Ok(expr),
        _ => refuse("a statement other than a call"),
    }
}

/// `recv.a(..).b(..)`: the receiver's name and the calls in order.
fn chain(expr: &Expr) -> R<(String, Calls<'_>)> {
    let mut calls = Vec::new();
    let mut at = expr;
    loop {
        match at {
            Expr::MethodCall(call) if call.turbofish.is_none() && call.attrs.is_empty() => {
                calls.push((call.method.to_string(), call.args.iter().collect()));
                at = &call.receiver;
            }
            Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
                let Some(ident) = p.path.get_ident() else {
                    return refuse("a path receiver");
                };
                calls.reverse();
                return Ok((ident.to_string(), calls));
            }
            _ => return refuse("an expression other than a method chain"),
        }
    }
}

fn receiver(expected: Option<&str>, found: &str) -> R<()> {
    if expected == Some(found) {
        Ok(())
    } else {
        refuse(format!("a call on `{found}`"))
    }
}

fn arity(method: &str, args: &[&Expr], n: usize) -> R<()> {
    if args.len() == n {
        Ok(())
    } else {
        refuse(format!("`{method}` with {} arguments", args.len()))
    }
}

/// One statement of `up` or `down`: a call on the migration, then its builder's modifiers.
fn migration_call(m: &mut Migration, name: Option<&str>, expr: &Expr) -> R<()> {
    let (root, calls) = chain(expr)?;
    receiver(name, &root)?;
    let mut calls = calls.into_iter();
    let Some((method, args)) = calls.next() else {
        return refuse("a bare receiver");
    };
    let rest: Calls<'_> = calls.collect();
    let a = &args;
    let no_modifiers = |rest: &[(String, Vec<&Expr>)]| {
        if rest.is_empty() {
            Ok(())
        } else {
            refuse(format!("`{}` after `{method}`", rest[0].0))
        }
    };
    match method.as_str() {
        "create_table" => {
            arity(&method, a, 2)?;
            no_modifiers(&rest)?;
            let table = string(a[0])?;
            let (param, body) = closure(a[1])?;
            let mut outcome = Ok(());
            m.create_table(&table, |t| outcome = table_body(t, param.as_deref(), body));
            outcome
        }
        "alter_table_options" => {
            arity(&method, a, 2)?;
            no_modifiers(&rest)?;
            let table = string(a[0])?;
            let (param, body) = closure(a[1])?;
            let mut outcome = Ok(());
            m.alter_table_options(&table, |o| {
                outcome = (|| {
                    for stmt in body {
                        let (root, calls) = chain(statement(stmt)?)?;
                        receiver(param.as_deref(), &root)?;
                        options_calls(o, &calls)?;
                    }
                    Ok(())
                })()
            });
            outcome
        }
        "drop_table" | "drop_enum" | "sql" | "irreversible" => {
            arity(&method, a, 1)?;
            no_modifiers(&rest)?;
            let text = string(a[0])?;
            match method.as_str() {
                "drop_table" => m.drop_table(&text),
                "drop_enum" => m.drop_enum(&text),
                "sql" => m.sql(&text),
                _ => m.irreversible(&text),
            }
            Ok(())
        }
        "drop_column" | "drop_index" | "rename_table" | "drop_unique" | "drop_foreign_key"
        | "drop_check" | "drop_exclusion" => {
            arity(&method, a, 2)?;
            no_modifiers(&rest)?;
            let (x, y) = (string(a[0])?, string(a[1])?);
            match method.as_str() {
                "drop_column" => m.drop_column(&x, &y),
                "drop_index" => m.drop_index(&x, &y),
                "rename_table" => m.rename_table(&x, &y),
                "drop_unique" => m.drop_unique(&x, &y),
                "drop_foreign_key" => m.drop_foreign_key(&x, &y),
                "drop_check" => m.drop_check(&x, &y),
                _ => m.drop_exclusion(&x, &y),
            }
            Ok(())
        }
        "rename_column" | "rename_enum_value" => {
            arity(&method, a, 3)?;
            no_modifiers(&rest)?;
            let (x, y, z) = (string(a[0])?, string(a[1])?, string(a[2])?);
            if method == "rename_column" {
                m.rename_column(&x, &y, &z);
            } else {
                m.rename_enum_value(&x, &y, &z);
            }
            Ok(())
        }
        "create_enum" | "alter_enum" => {
            arity(&method, a, 2)?;
            no_modifiers(&rest)?;
            let name = string(a[0])?;
            let values = strings(a[1])?;
            let values = refs(&values);
            if method == "create_enum" {
                m.create_enum(&name, &values);
            } else {
                m.alter_enum(&name, &values);
            }
            Ok(())
        }
        "add_column" | "alter_column" => {
            arity(&method, a, 3)?;
            let (table, column, ty) = (string(a[0])?, string(a[1])?, sql_type(a[2])?);
            let builder = if method == "add_column" {
                m.add_column(&table, &column, ty)
            } else {
                m.alter_column(&table, &column, ty)
            };
            column_calls(builder, &rest)
        }
        "create_index" | "create_index_on" => {
            arity(&method, a, 3)?;
            let (table, name) = (string(a[0])?, string(a[1])?);
            let builder = if method == "create_index" {
                let columns = strings(a[2])?;
                m.create_index(&table, &name, &refs(&columns))
            } else {
                m.create_index_on(&table, &name, index_elements(a[2])?)
            };
            index_calls(builder, &rest)
        }
        "set_primary_key" => {
            arity(&method, a, 2)?;
            let (table, columns) = (string(a[0])?, strings(a[1])?);
            primary_key_calls(m.set_primary_key(&table, &refs(&columns)), &rest)
        }
        "add_unique" => {
            arity(&method, a, 3)?;
            let (table, name, columns) = (string(a[0])?, string(a[1])?, strings(a[2])?);
            unique_calls(m.add_unique(&table, &name, &refs(&columns)), &rest)
        }
        "add_foreign_key" => {
            arity(&method, a, 5)?;
            let (table, name, columns) = (string(a[0])?, string(a[1])?, strings(a[2])?);
            let (ref_table, ref_columns) = (string(a[3])?, strings(a[4])?);
            let builder = m.add_foreign_key(
                &table,
                &name,
                &refs(&columns),
                &ref_table,
                &refs(&ref_columns),
            );
            foreign_key_calls(builder, &rest)
        }
        "add_check" => {
            arity(&method, a, 3)?;
            let (table, name, expr) = (string(a[0])?, string(a[1])?, string(a[2])?);
            check_calls(m.add_check(&table, &name, &expr), &rest)
        }
        "add_exclusion" => {
            arity(&method, a, 3)?;
            let (table, name, definition) = (string(a[0])?, string(a[1])?, string(a[2])?);
            exclusion_calls(m.add_exclusion(&table, &name, &definition), &rest)
        }
        "create_object" | "replace_object" => {
            arity(&method, a, 3)?;
            let (kind, name, sql) = (object_kind(a[0])?, string(a[1])?, string(a[2])?);
            let builder = if method == "create_object" {
                m.create_object(kind, &name, &sql)
            } else {
                m.replace_object(kind, &name, &sql)
            };
            object_calls(builder, &rest)
        }
        "drop_object" => {
            arity(&method, a, 2)?;
            let (kind, name) = (object_kind(a[0])?, string(a[1])?);
            object_key_calls(m.drop_object(kind, &name), &rest)
        }
        // `run` (a Rust data step), `push` and anything else: compiled.
        other => refuse(format!("`m.{other}`")),
    }
}

/// `|t| { ... }`: its argument's name and its statements.
fn closure(expr: &Expr) -> R<(Option<String>, &[Stmt])> {
    let Expr::Closure(c) = expr else {
        return refuse("an argument that is not a closure");
    };
    if c.inputs.len() != 1
        || c.lifetimes.is_some()
        || c.constness.is_some()
        || c.movability.is_some()
        || c.asyncness.is_some()
        || c.capture.is_some()
        || !matches!(c.output, syn::ReturnType::Default)
        || !c.attrs.is_empty()
    {
        return refuse("a closure other than `|t| { ... }`");
    }
    let param = binding(&c.inputs[0])?;
    match &*c.body {
        Expr::Block(b) if b.label.is_none() && b.attrs.is_empty() => Ok((param, &b.block.stmts)),
        _ => refuse("a closure body that is not a block"),
    }
}

fn table_body(t: &mut TableBuilder, param: Option<&str>, body: &[Stmt]) -> R<()> {
    for stmt in body {
        let (root, calls) = chain(statement(stmt)?)?;
        receiver(param, &root)?;
        let (method, args) = &calls[0];
        let rest = &calls[1..];
        let a = args.as_slice();
        match method.as_str() {
            "column" => {
                arity(method, a, 2)?;
                column_calls(t.column(&string(a[0])?, sql_type(a[1])?), rest)?;
            }
            "primary_key" => {
                arity(method, a, 1)?;
                primary_key_calls(t.primary_key(&refs(&strings(a[0])?)), rest)?;
            }
            "index" => {
                arity(method, a, 2)?;
                let columns = strings(a[1])?;
                index_calls(t.index(&string(a[0])?, &refs(&columns)), rest)?;
            }
            "index_on" => {
                arity(method, a, 2)?;
                index_calls(t.index_on(&string(a[0])?, index_elements(a[1])?), rest)?;
            }
            "unique" => {
                arity(method, a, 2)?;
                let columns = strings(a[1])?;
                unique_calls(t.unique(&string(a[0])?, &refs(&columns)), rest)?;
            }
            "foreign_key" => {
                arity(method, a, 4)?;
                let (name, columns) = (string(a[0])?, strings(a[1])?);
                let (ref_table, ref_columns) = (string(a[2])?, strings(a[3])?);
                let builder =
                    t.foreign_key(&name, &refs(&columns), &ref_table, &refs(&ref_columns));
                foreign_key_calls(builder, rest)?;
            }
            "check" => {
                arity(method, a, 2)?;
                check_calls(t.check(&string(a[0])?, &string(a[1])?), rest)?;
            }
            "exclude" => {
                arity(method, a, 2)?;
                exclusion_calls(t.exclude(&string(a[0])?, &string(a[1])?), rest)?;
            }
            _ => table_option_calls(t, &calls)?,
        }
    }
    Ok(())
}

/// The table options, the same setters on a table and on `alter_table_options`.
trait OptionSetters {
    fn set(&mut self, method: &str, args: &[&Expr]) -> R<()>;
}

macro_rules! option_setters {
    ($builder:ty) => {
        impl OptionSetters for $builder {
            fn set(&mut self, method: &str, a: &[&Expr]) -> R<()> {
                match method {
                    "comment" | "engine" | "charset" | "collation" | "partition_by" | "with" => {
                        arity(method, a, 1)?;
                        let text = string(a[0])?;
                        match method {
                            "comment" => self.comment(&text),
                            "engine" => self.engine(&text),
                            "charset" => self.charset(&text),
                            "collation" => self.collation(&text),
                            "with" => self.with(&text),
                            _ => self.partition_by(&text),
                        };
                    }
                    "unlogged" => {
                        arity(method, a, 0)?;
                        self.unlogged();
                    }
                    "without_rowid" => {
                        arity(method, a, 0)?;
                        self.without_rowid();
                    }
                    "strict" => {
                        arity(method, a, 0)?;
                        self.strict();
                    }
                    "partition_of" => {
                        arity(method, a, 2)?;
                        self.partition_of(&string(a[0])?, &string(a[1])?);
                    }
                    "inherits" => {
                        arity(method, a, 1)?;
                        self.inherits(&refs(&strings(a[0])?));
                    }
                    other => return refuse(format!("table option `{other}`")),
                }
                Ok(())
            }
        }
    };
}
option_setters!(TableBuilder);
option_setters!(TableOptionsBuilder);

/// `t.comment("..")` and the like; the setters return the builder, so they may chain.
fn table_option_calls(t: &mut impl OptionSetters, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        t.set(method, args)?;
    }
    Ok(())
}

fn options_calls(o: &mut TableOptionsBuilder, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    table_option_calls(o, calls)
}

fn column_calls(mut c: ColumnBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        let a = args.as_slice();
        if matches!(
            method.as_str(),
            "nullable" | "auto_increment" | "serial" | "autoincrement"
        ) {
            arity(method, a, 0)?;
        }
        c = match method.as_str() {
            "nullable" => c.nullable(),
            "auto_increment" => c.auto_increment(),
            "serial" => c.serial(),
            "autoincrement" => c.autoincrement(),
            "identity" => {
                arity(method, a, 1)?;
                c.identity(identity(a[0])?)
            }
            "default" => {
                arity(method, a, 1)?;
                default_call(c, a[0])?
            }
            "default_sql" | "serial_sequence" | "on_update" | "generated_stored"
            | "generated_virtual" | "collation" | "charset" | "comment" => {
                arity(method, a, 1)?;
                let text = string(a[0])?;
                match method.as_str() {
                    "default_sql" => c.default_sql(&text),
                    "serial_sequence" => c.serial_sequence(&text),
                    "on_update" => c.on_update(&text),
                    "generated_stored" => c.generated_stored(&text),
                    "generated_virtual" => c.generated_virtual(&text),
                    "collation" => c.collation(&text),
                    "charset" => c.charset(&text),
                    _ => c.comment(&text),
                }
            }
            other => return refuse(format!("column modifier `{other}`")),
        };
    }
    Ok(())
}

/// `.default(x)`: the literal given as the type the compiled call would infer for it (`i64`
/// for an integer, `f64` for a float, `bool`, `&str`), so `Into<DefaultValue>` does the rest.
fn default_call<'a>(c: ColumnBuilder<'a>, expr: &Expr) -> R<ColumnBuilder<'a>> {
    let (negative, lit) = match expr {
        Expr::Lit(l) if l.attrs.is_empty() => (false, &l.lit),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) && u.attrs.is_empty() => match &*u.expr {
            Expr::Lit(l) if l.attrs.is_empty() => (true, &l.lit),
            _ => return refuse("a default other than a literal"),
        },
        _ => return refuse("a default other than a literal"),
    };
    match lit {
        Lit::Bool(b) if !negative => Ok(c.default(b.value)),
        Lit::Str(s) if !negative => Ok(c.default(s.value().as_str())),
        Lit::Int(i) if i.suffix().is_empty() || i.suffix() == "i64" => {
            let magnitude: i128 = i
                .base10_parse()
                .map_err(|e| Refusal(format!("integer default: {e}")))?;
            let value = if negative { -magnitude } else { magnitude };
            let value =
                i64::try_from(value).map_err(|_| Refusal("integer default out of i64".into()))?;
            Ok(c.default(value))
        }
        Lit::Float(f) if f.suffix().is_empty() || f.suffix() == "f64" => {
            let magnitude: f64 = f
                .base10_parse()
                .map_err(|e| Refusal(format!("float default: {e}")))?;
            if !magnitude.is_finite() {
                return refuse("a float default out of range");
            }
            Ok(c.default(if negative { -magnitude } else { magnitude }))
        }
        _ => refuse("a default literal of another kind"),
    }
}

fn primary_key_calls(mut p: PrimaryKeyBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        match method.as_str() {
            "name" => {
                arity(method, args, 1)?;
                p = p.name(&string(args[0])?);
            }
            other => return refuse(format!("primary key modifier `{other}`")),
        }
    }
    Ok(())
}

fn index_calls(mut b: IndexBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        let a = args.as_slice();
        b = match method.as_str() {
            "unique" => {
                arity(method, a, 0)?;
                b.unique()
            }
            "nulls_not_distinct" => {
                arity(method, a, 0)?;
                b.nulls_not_distinct()
            }
            "method" => {
                arity(method, a, 1)?;
                b.method(&string(a[0])?)
            }
            "predicate" => {
                arity(method, a, 1)?;
                b.predicate(&string(a[0])?)
            }
            "with" => {
                arity(method, a, 1)?;
                b.with(&string(a[0])?)
            }
            "comment" => {
                arity(method, a, 1)?;
                b.comment(&string(a[0])?)
            }
            "include" => {
                arity(method, a, 1)?;
                b.include(&refs(&strings(a[0])?))
            }
            other => return refuse(format!("index modifier `{other}`")),
        };
    }
    Ok(())
}

fn unique_calls(mut b: UniqueBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        b = match method.as_str() {
            "deferrable" => {
                arity(method, args, 1)?;
                b.deferrable(deferrable(args[0])?)
            }
            "nulls_not_distinct" => {
                arity(method, args, 0)?;
                b.nulls_not_distinct()
            }
            other => return refuse(format!("unique modifier `{other}`")),
        };
    }
    Ok(())
}

fn check_calls(mut b: CheckBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        arity(method, args, 0)?;
        b = match method.as_str() {
            "not_valid" => b.not_valid(),
            "no_inherit" => b.no_inherit(),
            other => return refuse(format!("check modifier `{other}`")),
        };
    }
    Ok(())
}

fn exclusion_calls(mut b: ExclusionBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        b = match method.as_str() {
            "deferrable" => {
                arity(method, args, 1)?;
                b.deferrable(deferrable(args[0])?)
            }
            other => return refuse(format!("exclusion modifier `{other}`")),
        };
    }
    Ok(())
}

fn foreign_key_calls(mut b: ForeignKeyBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        let a = args.as_slice();
        b = match method.as_str() {
            "on_delete" => {
                arity(method, a, 1)?;
                b.on_delete(fk_action(a[0])?)
            }
            "on_update" => {
                arity(method, a, 1)?;
                b.on_update(fk_action(a[0])?)
            }
            "deferrable" => {
                arity(method, a, 1)?;
                b.deferrable(deferrable(a[0])?)
            }
            "match_full" => {
                arity(method, a, 0)?;
                b.match_full()
            }
            "not_valid" => {
                arity(method, a, 0)?;
                b.not_valid()
            }
            other => return refuse(format!("foreign key modifier `{other}`")),
        };
    }
    Ok(())
}

fn object_calls(mut b: ObjectBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        arity(method, args, 1)?;
        b = match method.as_str() {
            "on_table" => b.on_table(&string(args[0])?),
            "arguments" => b.arguments(&refs(&strings(args[0])?)),
            "depends_on" => b.depends_on(&refs(&strings(args[0])?)),
            other => return refuse(format!("object modifier `{other}`")),
        };
    }
    Ok(())
}

fn object_key_calls(mut b: ObjectKeyBuilder<'_>, calls: &[(String, Vec<&Expr>)]) -> R<()> {
    for (method, args) in calls {
        arity(method, args, 1)?;
        b = match method.as_str() {
            "on_table" => b.on_table(&string(args[0])?),
            "arguments" => b.arguments(&refs(&strings(args[0])?)),
            other => return refuse(format!("object modifier `{other}`")),
        };
    }
    Ok(())
}

/// `vec![IndexColumn::column("a").desc(), IndexColumn::expression("lower(b)")]`.
fn index_elements(expr: &Expr) -> R<Vec<IndexColumn>> {
    let Expr::Macro(m) = expr else {
        return refuse("index elements other than `vec![...]`");
    };
    if !m.mac.path.is_ident("vec") || !m.attrs.is_empty() {
        return refuse("a macro other than `vec!`");
    }
    let elements = m
        .mac
        .parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .map_err(|e| Refusal(format!("index elements: {e}")))?;
    elements.iter().map(index_element).collect()
}

fn index_element(expr: &Expr) -> R<IndexColumn> {
    // The chain's root is a call of an associated function, not a method.
    let mut calls = Vec::new();
    let mut at = expr;
    while let Expr::MethodCall(call) = at {
        if call.turbofish.is_some() || !call.attrs.is_empty() {
            return refuse("an index element's call");
        }
        calls.push((
            call.method.to_string(),
            call.args.iter().collect::<Vec<_>>(),
        ));
        at = &call.receiver;
    }
    calls.reverse();
    let (path, args) = path_call(at)?;
    arity(&path, &args, 1)?;
    let mut element = match path.as_str() {
        "IndexColumn::column" => IndexColumn::column(string(args[0])?),
        "IndexColumn::expression" => IndexColumn::expression(string(args[0])?),
        other => return refuse(format!("index element `{other}`")),
    };
    for (method, a) in calls {
        element = match method.as_str() {
            "desc" => {
                arity(&method, &a, 0)?;
                element.desc()
            }
            "nulls_first" => {
                arity(&method, &a, 0)?;
                element.nulls_first()
            }
            "nulls_last" => {
                arity(&method, &a, 0)?;
                element.nulls_last()
            }
            "opclass" => {
                arity(&method, &a, 1)?;
                element.opclass(string(a[0])?)
            }
            "collation" => {
                arity(&method, &a, 1)?;
                element.collation(string(a[0])?)
            }
            "length" => {
                arity(&method, &a, 1)?;
                element.length(number(a[0])?)
            }
            other => return refuse(format!("index element modifier `{other}`")),
        };
    }
    Ok(element)
}

/// `A::b(args)`: the path as written (`A::b`) and the arguments.
fn path_call(expr: &Expr) -> R<(String, Vec<&Expr>)> {
    let Expr::Call(call) = expr else {
        return refuse("an expression other than a call");
    };
    if !call.attrs.is_empty() {
        return refuse("an attribute");
    }
    Ok((path_text(&call.func)?, call.args.iter().collect()))
}

/// `A::B` as written, without generics; refused otherwise.
fn path_text(expr: &Expr) -> R<String> {
    let Expr::Path(p) = expr else {
        return refuse("an expression other than a path");
    };
    if p.qself.is_some() || p.path.leading_colon.is_some() || !p.attrs.is_empty() {
        return refuse("a qualified path");
    }
    let mut parts = Vec::new();
    for segment in &p.path.segments {
        if !segment.arguments.is_none() {
            return refuse("a path with generics");
        }
        parts.push(segment.ident.to_string());
    }
    Ok(parts.join("::"))
}

fn deferrable(expr: &Expr) -> R<Deferrable> {
    match path_text(expr)?.as_str() {
        "Deferrable::Immediate" => Ok(Deferrable::Immediate),
        "Deferrable::Deferred" => Ok(Deferrable::Deferred),
        other => refuse(format!("`{other}`")),
    }
}

fn fk_action(expr: &Expr) -> R<FkAction> {
    match path_text(expr)?.as_str() {
        "FkAction::NoAction" => Ok(FkAction::NoAction),
        "FkAction::Restrict" => Ok(FkAction::Restrict),
        "FkAction::Cascade" => Ok(FkAction::Cascade),
        "FkAction::SetNull" => Ok(FkAction::SetNull),
        "FkAction::SetDefault" => Ok(FkAction::SetDefault),
        other => refuse(format!("`{other}`")),
    }
}

fn identity(expr: &Expr) -> R<Identity> {
    match path_text(expr)?.as_str() {
        "Identity::Always" => Ok(Identity::Always),
        "Identity::ByDefault" => Ok(Identity::ByDefault),
        "Identity::Autoincrement" => Ok(Identity::Autoincrement),
        other => refuse(format!("`{other}`")),
    }
}

fn object_kind(expr: &Expr) -> R<ObjectKind> {
    let path = path_text(expr)?;
    ObjectKind::ALL
        .into_iter()
        .find(|k| k.rust_name() == path)
        .ok_or_else(|| Refusal(format!("`{path}`")))
}

/// The column types as the prelude spells them (`SqlType::Varchar(255)`).
fn sql_type(expr: &Expr) -> R<SqlType> {
    if let Expr::Path(_) = expr {
        let path = path_text(expr)?;
        let Some(name) = path.strip_prefix("SqlType::") else {
            return refuse(format!("type `{path}`"));
        };
        return Ok(match name {
            "SmallInt" => SqlType::SmallInt,
            "Integer" => SqlType::Integer,
            "BigInt" => SqlType::BigInt,
            "TinyInt" => SqlType::TinyInt,
            "MediumInt" => SqlType::MediumInt,
            "Real" => SqlType::Real,
            "Double" => SqlType::Double,
            "Money" => SqlType::Money,
            "Boolean" => SqlType::Boolean,
            "Text" => SqlType::Text,
            "VarcharUnbounded" => SqlType::VarcharUnbounded,
            "TinyText" => SqlType::TinyText,
            "MediumText" => SqlType::MediumText,
            "LongText" => SqlType::LongText,
            "Binary" => SqlType::Binary,
            "TinyBlob" => SqlType::TinyBlob,
            "MediumBlob" => SqlType::MediumBlob,
            "LongBlob" => SqlType::LongBlob,
            "Date" => SqlType::Date,
            "Time" => SqlType::Time,
            "TimeTz" => SqlType::TimeTz,
            "Timestamp" => SqlType::Timestamp,
            "TimestampTz" => SqlType::TimestampTz,
            "Interval" => SqlType::Interval,
            "Year" => SqlType::Year,
            "Uuid" => SqlType::Uuid,
            "Json" => SqlType::Json,
            "Jsonb" => SqlType::Jsonb,
            "Inet" => SqlType::Inet,
            "Cidr" => SqlType::Cidr,
            "MacAddr" => SqlType::MacAddr,
            "MacAddr8" => SqlType::MacAddr8,
            other => return refuse(format!("type `SqlType::{other}`")),
        });
    }
    let (path, args) = path_call(expr)?;
    arity(&path, &args, 1)?;
    let arg = args[0];
    Ok(match path.as_str() {
        "SqlType::Varchar" => SqlType::Varchar(number(arg)?),
        "SqlType::Char" => SqlType::Char(number(arg)?),
        "SqlType::FixedBinary" => SqlType::FixedBinary(number(arg)?),
        "SqlType::VarBinary" => SqlType::VarBinary(number(arg)?),
        "SqlType::Bit" => SqlType::Bit(number(arg)?),
        "SqlType::TimePrecision" => SqlType::TimePrecision(number(arg)?),
        "SqlType::TimeTzPrecision" => SqlType::TimeTzPrecision(number(arg)?),
        "SqlType::TimestampPrecision" => SqlType::TimestampPrecision(number(arg)?),
        "SqlType::TimestampTzPrecision" => SqlType::TimestampTzPrecision(number(arg)?),
        "SqlType::VarBit" => SqlType::VarBit(option(arg, number)?),
        "SqlType::Numeric" => SqlType::Numeric(option(arg, |e| {
            let Expr::Tuple(t) = e else {
                return refuse("a precision other than `(p, s)`");
            };
            if t.elems.len() != 2 || !t.attrs.is_empty() {
                return refuse("a precision other than `(p, s)`");
            }
            Ok((number(&t.elems[0])?, number(&t.elems[1])?))
        })?),
        "SqlType::unsigned" => SqlType::unsigned(sql_type(arg)?),
        "SqlType::array" => SqlType::array(sql_type(arg)?),
        "SqlType::set" => SqlType::set(&refs(&strings(arg)?)),
        "SqlType::Enum" => SqlType::Enum(into_string(arg)?),
        "SqlType::Custom" => SqlType::Custom(into_string(arg)?),
        other => return refuse(format!("type `{other}`")),
    })
}

/// `None` or `Some(x)`.
fn option<T>(expr: &Expr, inner: impl Fn(&Expr) -> R<T>) -> R<Option<T>> {
    if let Expr::Path(_) = expr {
        return match path_text(expr)?.as_str() {
            "None" => Ok(None),
            other => refuse(format!("`{other}`")),
        };
    }
    let (path, args) = path_call(expr)?;
    if path != "Some" {
        return refuse(format!("`{path}`"));
    }
    arity(&path, &args, 1)?;
    Ok(Some(inner(args[0])?))
}

/// `"name".into()`.
fn into_string(expr: &Expr) -> R<String> {
    match expr {
        Expr::MethodCall(call)
            if call.method == "into"
                && call.args.is_empty()
                && call.turbofish.is_none()
                && call.attrs.is_empty() =>
        {
            string(&call.receiver)
        }
        _ => refuse("a name other than `\"...\".into()`"),
    }
}

/// An unsuffixed (or `u32`) integer literal.
fn number(expr: &Expr) -> R<u32> {
    match expr {
        Expr::Lit(l) if l.attrs.is_empty() => match &l.lit {
            Lit::Int(i) if i.suffix().is_empty() || i.suffix() == "u32" => i
                .base10_parse()
                .map_err(|e| Refusal(format!("number: {e}"))),
            _ => refuse("a number other than an integer literal"),
        },
        _ => refuse("a number other than a literal"),
    }
}

/// A string literal (plain or raw), its value as the compiler reads it.
fn string(expr: &Expr) -> R<String> {
    match expr {
        Expr::Lit(l) if l.attrs.is_empty() => match &l.lit {
            Lit::Str(s) if s.suffix().is_empty() => Ok(s.value()),
            _ => refuse("a literal other than a string"),
        },
        _ => refuse("an argument other than a string literal"),
    }
}

/// `&["a", "b"]`.
fn strings(expr: &Expr) -> R<Vec<String>> {
    match expr {
        Expr::Reference(r) if r.mutability.is_none() && r.attrs.is_empty() => match &*r.expr {
            Expr::Array(a) if a.attrs.is_empty() => a.elems.iter().map(string).collect(),
            _ => refuse("a slice other than `&[\"...\"]`"),
        },
        _ => refuse("an argument other than `&[\"...\"]`"),
    }
}

fn refs(strings: &[String]) -> Vec<&str> {
    strings.iter().map(String::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = r##"// Add posts
//
// Revision: 20260101000000_ab
// Revises: (none)

use migrate_core::migration::prelude::*;

pub const REVISION: &str = "20260101000000_ab";
pub const REVISES: &[&str] = &[];
pub const MESSAGE: &str = "add posts";

pub fn up(m: &mut Migration) {
    m.create_table("posts", |t| {
        t.column("id", SqlType::BigInt).identity(Identity::ByDefault);
        t.column("title", SqlType::Varchar(120)).default("x\"y").comment("The title");
        t.column("score", SqlType::Numeric(Some((10, 2)))).default(-1.5);
        t.column("n", SqlType::array(SqlType::Integer)).nullable().default(-9223372036854775808);
        t.primary_key(&["id"]).name("posts_pk");
        t.index_on("ix", vec![IndexColumn::column("title").desc().nulls_last(), IndexColumn::expression("lower(title)")])
            .method("btree")
            .predicate("n > 0");
        t.comment("Posts");
    });
    m.alter_table_options("posts", |o| {
        o.engine("InnoDB");
    });
    m.create_object(ObjectKind::View, "v", r#"SELECT 1 AS "a""#).depends_on(&["posts"]);
}

pub fn down(_m: &mut Migration) {}
"##;

    #[test]
    fn a_module_reads_into_the_operations_its_calls_record() {
        let module = interpret_module(MODULE).unwrap();
        assert_eq!(module.revision, "20260101000000_ab");
        assert!(module.revises.is_empty() && module.safe_ddl.is_none() && module.down.is_empty());
        let mut m = Migration::new();
        m.create_table("posts", |t| {
            t.column("id", SqlType::BigInt)
                .identity(Identity::ByDefault);
            t.column("title", SqlType::Varchar(120))
                .default("x\"y")
                .comment("The title");
            t.column("score", SqlType::Numeric(Some((10, 2))))
                .default(-1.5);
            t.column("n", SqlType::array(SqlType::Integer))
                .nullable()
                .default(i64::MIN);
            t.primary_key(&["id"]).name("posts_pk");
            t.index_on(
                "ix",
                vec![
                    IndexColumn::column("title").desc().nulls_last(),
                    IndexColumn::expression("lower(title)"),
                ],
            )
            .method("btree")
            .predicate("n > 0");
            t.comment("Posts");
        });
        m.alter_table_options("posts", |o| {
            o.engine("InnoDB");
        });
        m.create_object(ObjectKind::View, "v", r#"SELECT 1 AS "a""#)
            .depends_on(&["posts"]);
        assert_eq!(module.up, m.into_operations());
    }

    #[test]
    fn anything_but_the_operations_api_is_refused() {
        for (from, to) in [
            (
                "m.alter_table_options",
                "m.run(\"x\", step); m.alter_table_options",
            ),
            ("pub fn down", "fn helper() {}\npub fn down"),
            ("t.comment(\"Posts\");", "let x = 1;"),
            ("SqlType::Varchar(120)", "SqlType::Varchar(N)"),
            ("\"posts\", |t|", "NAME, |t|"),
            (".method(\"btree\")", ".method(\"btree\").whatever()"),
            ("use migrate_core::migration::prelude::*;", "use other::*;"),
            ("o.engine", "m.engine"),
            ("use migrate_core::migration::prelude::*;", ""),
            ("pub const MESSAGE: &str", "const MESSAGE: &str"),
            (
                "pub const REVISES: &[&str]",
                "pub const REVISES: &[&'static str; 0]",
            ),
        ] {
            let source = MODULE.replacen(from, to, 1);
            assert_ne!(source, MODULE, "{from}");
            assert!(interpret_module(&source).is_err(), "accepted: {to}");
        }
    }
}
