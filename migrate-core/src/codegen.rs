//! Code generation: a plan becomes a migration module that reviewers read and rustc compiles.
//!
//! The text is laid out the way rustfmt lays it out for short lines; the CLI passes it through
//! rustfmt when one is installed, so long names wrap exactly as rustfmt wraps them.

use std::fmt::Write;

use crate::migration::Operation;
use crate::schema::{
    Check, Column, DefaultValue, Deferrable, FkAction, ForeignKey, Identity, Index, IndexColumn,
    IndexTarget, Nulls, SqlType, Table, TableOptions, Unique,
};

/// The header facts of a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleHeader {
    /// The revision id.
    pub revision: String,
    /// The revisions it revises (none for the first, several for a merge).
    pub revises: Vec<String>,
    /// The user's message.
    pub message: String,
    /// Creation time, as shown in the header (`2026-11-25 10:45:00 UTC`).
    pub created: String,
}

/// The module source for `up` and `down`; `warnings` become comments at the top of `up`.
pub fn render_module(
    header: &ModuleHeader,
    up: &[Operation],
    down: &[Operation],
    warnings: &[String],
) -> String {
    let mut out = String::new();
    let revises = if header.revises.is_empty() {
        "(none)".to_string()
    } else {
        header.revises.join(", ")
    };
    // Comment lines carry no trailing blanks, which rustfmt would strip.
    for line in header.message.lines().map(str::trim_end) {
        if line.is_empty() {
            out.push_str("//\n");
        } else {
            let _ = writeln!(out, "// {line}");
        }
    }
    let _ = writeln!(out, "//");
    let _ = writeln!(out, "// Revision: {}", header.revision);
    let _ = writeln!(out, "// Revises: {revises}");
    let _ = writeln!(out, "// Created: {}", header.created);
    out.push('\n');
    out.push_str("use migrate_core::migration::prelude::*;\n\n");
    let _ = writeln!(out, "pub const REVISION: &str = {:?};", header.revision);
    let revises_list: Vec<String> = header.revises.iter().map(|r| format!("{r:?}")).collect();
    let _ = writeln!(
        out,
        "pub const REVISES: &[&str] = &[{}];",
        revises_list.join(", ")
    );
    let _ = writeln!(out, "pub const MESSAGE: &str = {:?};", header.message);
    out.push('\n');
    render_fn(&mut out, "up", up, warnings);
    out.push('\n');
    render_fn(&mut out, "down", down, &[]);
    out
}

/// `module`, as [`render_module`] wrote it, made a squash of `replaces` (in apply order): a
/// header line naming the run it stands for and `pub const REPLACES` after `REVISES`, laid out
/// as rustfmt lays out an array too wide for one line.
pub fn with_replaces(module: &str, replaces: &[String]) -> String {
    let (Some(first), Some(last)) = (replaces.first(), replaces.last()) else {
        return module.to_string();
    };
    let mut out = String::with_capacity(module.len() + replaces.len() * 24 + 120);
    for line in module.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("// Revises: ") {
            let _ = writeln!(
                out,
                "// Replaces: {first} .. {last} ({} migrations)",
                replaces.len()
            );
        } else if line.starts_with("pub const REVISES: ") {
            let items: Vec<String> = replaces.iter().map(|r| format!("{r:?}")).collect();
            let one_line = format!("pub const REPLACES: &[&str] = &[{}];", items.join(", "));
            if one_line.len() <= MAX_WIDTH && items.join(", ").len() <= ARRAY_WIDTH {
                out.push_str(&one_line);
                out.push('\n');
            } else {
                out.push_str("pub const REPLACES: &[&str] = &[\n");
                for item in &items {
                    let _ = writeln!(out, "    {item},");
                }
                out.push_str("];\n");
            }
        }
    }
    out
}

fn render_fn(out: &mut String, name: &str, ops: &[Operation], warnings: &[String]) {
    if ops.is_empty() && warnings.is_empty() {
        let _ = writeln!(out, "pub fn {name}(_m: &mut Migration) {{}}");
        return;
    }
    let _ = writeln!(out, "pub fn {name}(m: &mut Migration) {{");
    for warning in warnings {
        let _ = writeln!(out, "    // Warning: {}", warning.trim_end());
    }
    let mut call = Call::new();
    for op in ops {
        render_op(out, &mut call, op);
    }
    out.push_str("}\n");
}

/// rustfmt's widths: a line, a call's argument list, a method chain.
const MAX_WIDTH: usize = 100;
const FN_CALL_WIDTH: usize = 60;
const CHAIN_WIDTH: usize = 60;

/// rustfmt's widest array literal kept on one line (as wide as `FN_CALL_WIDTH`).
const ARRAY_WIDTH: usize = 60;
/// The longest head of an argument list left open at the end of a line (before a closure's
/// body) that is taken to be laid out as rustfmt lays it out; well inside its call width.
const OPEN_HEAD_WIDTH: usize = 40;

/// Whether `module`, as `render_module` wrote it, is laid out exactly as rustfmt would lay it
/// out, so that running rustfmt (a process of its own, most of the time of a small `migrate`)
/// would change nothing. The layout here follows rustfmt's rules for every statement it writes
/// unless a name or literal is long: a line wider than rustfmt's width, a bracketed group
/// (arguments, a slice) wider than its array and call widths, or a call broken over lines may
/// be laid out otherwise by rustfmt, and then this says no; so does a line with other than
/// ASCII.
pub fn laid_out_as_rustfmt(module: &str) -> bool {
    let lines: Vec<&str> = module.lines().collect();
    // The closing fence of a raw string (an object's SQL) that a line opened and left open.
    let mut raw_end: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(end) = &raw_end {
            // rustfmt leaves a string's text as it is; the line that closes it ends the argument.
            if let Some(at) = line.find(end.as_str()) {
                if &line[at + end.len()..] != "," {
                    return false;
                }
                raw_end = None;
            }
            continue;
        }
        let masked;
        let mut code: &str = line;
        if let Some((at, hashes)) = raw_string_start(line) {
            let open = at + hashes + 2;
            let end_fence = format!("\"{}", "#".repeat(hashes));
            match line[open..].find(&end_fence).map(|n| open + n) {
                // Masked to a plain literal of the same width, for the checks below.
                // An argument on a line of its own, however wide: rustfmt cannot break it.
                Some(close)
                    if line[..at].trim().is_empty() && &line[close + end_fence.len()..] == "," =>
                {
                    continue;
                }
                Some(close) if !line[open..close].contains('"') => {
                    let end = close + end_fence.len();
                    masked = format!(
                        "{}\"{}\"{}",
                        &line[..at],
                        "x".repeat(end - at - 2),
                        &line[end..]
                    );
                    code = &masked;
                }
                Some(_) => return false,
                None => {
                    // Opened here, on a line of its own, as rustfmt puts a long argument.
                    if !line[..at].trim().is_empty() {
                        return false;
                    }
                    raw_end = Some(end_fence);
                    continue;
                }
            }
        }
        if !line_laid_out(&lines, i, line, code) {
            return false;
        }
    }
    raw_end.is_none()
}

/// Where a raw string literal (`r#"`) starts in `line`, outside other literals, and how many
/// `#` its fence has.
fn raw_string_start(line: &str) -> Option<(usize, usize)> {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut escaped = false;
    for (at, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if b == b'"' {
            in_string = true;
            continue;
        }
        let starts_word =
            at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        if b == b'r' && starts_word {
            let hashes = bytes[at + 1..].iter().take_while(|&&c| c == b'#').count();
            if hashes > 0 && bytes.get(at + 1 + hashes) == Some(&b'"') {
                return Some((at, hashes));
            }
        }
    }
    None
}

/// The checks of [`laid_out_as_rustfmt`] on one line; `code` is the line with a one-line raw
/// string masked.
fn line_laid_out(lines: &[&str], i: usize, line: &str, code: &str) -> bool {
    if line.ends_with([' ', '\t']) {
        return false; // rustfmt strips trailing blanks, in comments too
    }
    // rustfmt leaves the text of comments as it is, however long.
    if line.trim_start().starts_with("//") {
        return true;
    }
    // Widths here are counted in bytes, rustfmt's in display columns: they agree on ASCII.
    if line.len() > MAX_WIDTH || !line.is_ascii() {
        return false;
    }
    // A call broken over lines, one argument to a line, is how rustfmt lays out a long
    // argument list; a lone argument it keeps on the call's line where that fits.
    if line.ends_with('[') {
        return false;
    }
    if line.ends_with('(') {
        let lone = lines
            .get(i + 2)
            .is_none_or(|after| after.trim_start().starts_with(')'));
        return !lone;
    }
    groups_fit(code)
}

/// Whether every bracketed group that `line` closes is within rustfmt's array and call widths,
/// and every group it leaves open (`m.create_table("posts", |t| {`) has a short head: how much
/// of a long one rustfmt keeps on the line is its own affair.
fn groups_fit(line: &str) -> bool {
    let mut open: Vec<usize> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    for (at, c) in line.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' => open.push(at),
            ')' | ']' => {
                let from = open.pop();
                if from.is_some_and(|from| at - from - 1 > ARRAY_WIDTH) {
                    return false;
                }
            }
            _ => {}
        }
    }
    open.iter()
        .all(|&from| line.len() - from - 1 <= OPEN_HEAD_WIDTH)
}

/// One statement, `root(args)chain`, written on one line into a buffer reused from statement to
/// statement, with the boundaries rustfmt's layout needs. Formatting every argument into a
/// `String` of its own was most of the cost of a 1000-table module.
struct Call {
    text: String,
    /// End of `root(`.
    open: usize,
    /// Byte ranges of the arguments, then of the chained calls, in `text`.
    args: Vec<(usize, usize)>,
    chain: Vec<(usize, usize)>,
    /// End of `root(args)`.
    close: usize,
}

impl Call {
    fn new() -> Call {
        Call {
            text: String::with_capacity(256),
            open: 0,
            args: Vec::new(),
            chain: Vec::new(),
            close: 0,
        }
    }

    /// Starts `root(` afresh.
    fn start(&mut self, root: &str) -> &mut Call {
        self.text.clear();
        self.args.clear();
        self.chain.clear();
        self.text.push_str(root);
        self.text.push('(');
        self.open = self.text.len();
        self
    }

    /// An argument written by `write`.
    fn arg(&mut self, write: impl FnOnce(&mut String)) -> &mut Call {
        if !self.args.is_empty() {
            self.text.push_str(", ");
        }
        let from = self.text.len();
        write(&mut self.text);
        self.args.push((from, self.text.len()));
        self
    }

    fn quoted(&mut self, text: &str) -> &mut Call {
        self.arg(|out| push_quoted(out, text))
    }

    fn slice(&mut self, names: &[String]) -> &mut Call {
        self.arg(|out| push_slice(out, names))
    }

    fn ty(&mut self, ty: &SqlType) -> &mut Call {
        self.arg(|out| push_rust_type(out, ty))
    }

    /// Ends the argument list; chained calls may follow.
    fn close(&mut self) -> &mut Call {
        self.text.push(')');
        self.close = self.text.len();
        self
    }

    /// A chained call such as `.nullable()`, written by `write`.
    fn then(&mut self, write: impl FnOnce(&mut String)) -> &mut Call {
        let from = self.text.len();
        write(&mut self.text);
        self.chain.push((from, self.text.len()));
        self
    }

    /// Writes the statement and `;` at `indent`, laid out as rustfmt lays it out: arguments
    /// broken one per line past `FN_CALL_WIDTH`, a chain broken one call per line past
    /// `CHAIN_WIDTH`.
    fn write(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n(' ', n));
        let whole = self.text.len();
        let joined = self.close - 1 - self.open;
        // An argument over several lines (a raw SQL string) puts every argument on a line of
        // its own, as rustfmt does.
        let multi_line = self.text[self.open..self.close].contains('\n');
        if indent + whole < MAX_WIDTH
            && joined <= FN_CALL_WIDTH
            && !multi_line
            && (self.chain.is_empty() || whole <= CHAIN_WIDTH)
        {
            pad(out, indent);
            out.push_str(&self.text);
            out.push_str(";\n");
            return;
        }
        let root_fits = indent + self.close + usize::from(self.chain.is_empty()) <= MAX_WIDTH
            && joined <= FN_CALL_WIDTH
            && !multi_line;
        if root_fits {
            pad(out, indent);
            out.push_str(&self.text[..self.close]);
        } else {
            pad(out, indent);
            out.push_str(&self.text[..self.open]);
            out.push('\n');
            for &(from, to) in &self.args {
                pad(out, indent + 4);
                out.push_str(&self.text[from..to]);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push(')');
        }
        // After a root broken over lines, the chain continues at the root's own indent.
        let chain_indent = if root_fits { indent + 4 } else { indent };
        for &(from, to) in &self.chain {
            out.push('\n');
            pad(out, chain_indent);
            out.push_str(&self.text[from..to]);
        }
        out.push_str(";\n");
    }
}

/// `text` as a Rust string literal, exactly as `{:?}` writes it.
fn push_quoted(out: &mut String, text: &str) {
    // Printable ASCII other than `"` and `\` is written as it is, which is almost every name.
    if text
        .bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        let _ = write!(out, "{text:?}");
    }
}

fn push_slice(out: &mut String, names: &[String]) {
    out.push_str("&[");
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_quoted(out, name);
    }
    out.push(']');
}

fn render_op(out: &mut String, call: &mut Call, op: &Operation) {
    match op {
        Operation::CreateTable(table) => return render_create_table(out, call, table),
        Operation::DropTable(name) => {
            let _ = writeln!(
                out,
                "    // Data loss: drops table {name} and every row in it."
            );
            call.start("m.drop_table").quoted(name).close();
        }
        Operation::AddColumn { table, column } => {
            call.start("m.add_column")
                .quoted(table)
                .quoted(&column.name);
            call.ty(&column.ty).close();
            column_modifiers(call, column);
        }
        Operation::DropColumn { table, column } => {
            let _ = writeln!(
                out,
                "    // Data loss: drops column {table}.{column} and its values."
            );
            call.start("m.drop_column")
                .quoted(table)
                .quoted(column)
                .close();
        }
        Operation::CreateIndex { table, index } => {
            let root = if index.columns.iter().all(IndexColumn::is_bare) {
                "m.create_index"
            } else {
                "m.create_index_on"
            };
            call.start(root).quoted(table).quoted(&index.name);
            index_columns(call, index);
            call.close();
            index_modifiers(call, index);
        }
        Operation::DropIndex { table, name } => {
            call.start("m.drop_index")
                .quoted(table)
                .quoted(name)
                .close();
        }
        Operation::Sql(sql) => {
            call.start("m.sql").quoted(sql).close();
        }
        Operation::Rust(step) => {
            let _ = writeln!(
                out,
                "    // A Rust step ({}) is not generated; write it by hand.",
                step.name
            );
            return;
        }
        Operation::Irreversible(reason) => {
            call.start("m.irreversible").quoted(reason).close();
        }
        Operation::RenameTable { from, to } => {
            call.start("m.rename_table").quoted(from).quoted(to).close();
        }
        Operation::RenameColumn { table, from, to } => {
            call.start("m.rename_column").quoted(table).quoted(from);
            call.quoted(to).close();
        }
        Operation::AlterColumn { table, column } => {
            call.start("m.alter_column")
                .quoted(table)
                .quoted(&column.name);
            call.ty(&column.ty).close();
            column_modifiers(call, column);
        }
        Operation::SetPrimaryKey {
            table,
            columns,
            name,
        } => {
            call.start("m.set_primary_key")
                .quoted(table)
                .slice(columns)
                .close();
            if let Some(name) = name {
                call.then(|out| chained_quoted(out, "name", name));
            }
        }
        Operation::AlterTableOptions { table, options } => {
            out.push_str("    m.alter_table_options(");
            push_quoted(out, table);
            if options.is_default() {
                out.push_str(", |_| {});\n");
                return;
            }
            out.push_str(", |o| {\n");
            table_options(out, call, "o", options);
            out.push_str("    });\n");
            return;
        }
        Operation::AddExclusion { table, exclusion } => {
            call.start("m.add_exclusion")
                .quoted(table)
                .quoted(&exclusion.name);
            call.quoted(&exclusion.definition).close();
            deferrable(call, exclusion.deferrable);
        }
        Operation::DropExclusion { table, name } => {
            call.start("m.drop_exclusion")
                .quoted(table)
                .quoted(name)
                .close();
        }
        Operation::AddUnique { table, unique } => {
            call.start("m.add_unique")
                .quoted(table)
                .quoted(&unique.name);
            call.slice(&unique.columns).close();
            unique_modifiers(call, unique);
        }
        Operation::DropUnique { table, name } => {
            call.start("m.drop_unique")
                .quoted(table)
                .quoted(name)
                .close();
        }
        Operation::AddForeignKey {
            table,
            foreign_key: fk,
        } => {
            call.start("m.add_foreign_key")
                .quoted(table)
                .quoted(&fk.name);
            call.slice(&fk.columns).quoted(&fk.ref_table);
            call.slice(&fk.ref_columns).close();
            fk_actions(call, fk);
        }
        Operation::DropForeignKey { table, name } => {
            call.start("m.drop_foreign_key")
                .quoted(table)
                .quoted(name)
                .close();
        }
        Operation::AddCheck { table, check } => {
            call.start("m.add_check").quoted(table).quoted(&check.name);
            call.quoted(&check.expr).close();
            check_modifiers(call, check);
        }
        Operation::DropCheck { table, name } => {
            call.start("m.drop_check")
                .quoted(table)
                .quoted(name)
                .close();
        }
        Operation::CreateEnum(e) => {
            call.start("m.create_enum")
                .quoted(&e.name)
                .slice(&e.values)
                .close();
        }
        Operation::DropEnum(name) => {
            call.start("m.drop_enum").quoted(name).close();
        }
        Operation::AlterEnum { name, values } => {
            let _ = writeln!(
                out,
                "    // A value left out that rows still hold makes this step fail: no row loses it."
            );
            call.start("m.alter_enum")
                .quoted(name)
                .slice(values)
                .close();
        }
        Operation::RenameEnumValue { name, from, to } => {
            call.start("m.rename_enum_value").quoted(name).quoted(from);
            call.quoted(to).close();
        }
        Operation::CreateObject(object) | Operation::ReplaceObject(object) => {
            let root = if matches!(op, Operation::CreateObject(_)) {
                "m.create_object"
            } else {
                "m.replace_object"
            };
            call.start(root)
                .arg(|out| out.push_str(object.kind.rust_name()))
                .quoted(&object.name);
            call.arg(|out| push_raw(out, &object.definition)).close();
            object_key_modifiers(call, object.table.as_deref(), object.arguments.as_deref());
            if !object.depends_on.is_empty() {
                call.then(|out| {
                    out.push_str(".depends_on(");
                    push_slice(out, &object.depends_on);
                    out.push(')');
                });
            }
        }
        Operation::DropObject(key) => {
            if key.kind == crate::objects::ObjectKind::Sequence {
                let _ = writeln!(
                    out,
                    "    // Data loss: drops sequence {} and its current value.",
                    key.name
                );
            }
            call.start("m.drop_object")
                .arg(|out| out.push_str(key.kind.rust_name()))
                .quoted(&key.name)
                .close();
            object_key_modifiers(call, key.table.as_deref(), key.arguments.as_deref());
        }
    }
    call.write(out, 4);
}

/// `.method("text")`.
fn chained_quoted(out: &mut String, method: &str, text: &str) {
    out.push('.');
    out.push_str(method);
    out.push('(');
    push_quoted(out, text);
    out.push(')');
}

fn deferrable(call: &mut Call, deferrable: Option<Deferrable>) {
    if let Some(when) = deferrable {
        call.then(|out| {
            out.push_str(match when {
                Deferrable::Immediate => ".deferrable(Deferrable::Immediate)",
                Deferrable::Deferred => ".deferrable(Deferrable::Deferred)",
            })
        });
    }
}

fn object_key_modifiers(call: &mut Call, table: Option<&str>, arguments: Option<&[String]>) {
    if let Some(table) = table {
        call.then(|out| {
            out.push_str(".on_table(");
            push_quoted(out, table);
            out.push(')');
        });
    }
    if let Some(arguments) = arguments {
        call.then(|out| {
            out.push_str(".arguments(");
            push_slice(out, arguments);
            out.push(')');
        });
    }
}

/// `text` as a raw string literal (`r#"..."#`, with as many `#` as it needs), which keeps SQL
/// as it is written, over several lines.
fn push_raw(out: &mut String, text: &str) {
    // A raw string cannot hold a bare carriage return: such text is written escaped.
    if text.contains('\r') {
        return push_quoted(out, text);
    }
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    let _ = write!(out, "r{fence}\"{text}\"{fence}");
}

/// One statement per option that is not the default, on `builder` (`t` in `create_table`, `o`
/// in `alter_table_options`), at the indent of a closure's body.
fn table_options(out: &mut String, call: &mut Call, builder: &str, options: &TableOptions) {
    let method = |call: &mut Call, name: &str| {
        call.start(&format!("{builder}.{name}"));
    };
    let quoted = [
        ("comment", &options.comment),
        ("engine", &options.engine),
        ("charset", &options.charset),
        ("collation", &options.collation),
        ("partition_by", &options.partition_by),
        ("with", &options.with),
    ];
    for (name, value) in quoted {
        if let Some(value) = value {
            method(call, name);
            call.quoted(value).close().write(out, 8);
        }
    }
    for (name, set) in [
        ("without_rowid", options.without_rowid),
        ("strict", options.strict),
        ("unlogged", options.unlogged),
    ] {
        if set {
            method(call, name);
            call.close().write(out, 8);
        }
    }
    if let Some(partition) = &options.partition_of {
        method(call, "partition_of");
        call.quoted(&partition.parent)
            .quoted(&partition.bound)
            .close()
            .write(out, 8);
    }
    if !options.inherits.is_empty() {
        method(call, "inherits");
        call.slice(&options.inherits).close().write(out, 8);
    }
}

/// What follows a foreign key's declaration: its actions and options.
fn fk_actions(call: &mut Call, fk: &ForeignKey) {
    if fk.on_delete != FkAction::NoAction {
        call.then(|out| {
            let _ = write!(out, ".on_delete({})", rust_action(fk.on_delete));
        });
    }
    if fk.on_update != FkAction::NoAction {
        call.then(|out| {
            let _ = write!(out, ".on_update({})", rust_action(fk.on_update));
        });
    }
    deferrable(call, fk.deferrable);
    flag(call, fk.match_full, ".match_full()");
    flag(call, fk.not_valid, ".not_valid()");
}

/// A chained call without arguments, when `set`.
fn flag(call: &mut Call, set: bool, method: &str) {
    if set {
        call.then(|out| out.push_str(method));
    }
}

fn unique_modifiers(call: &mut Call, unique: &Unique) {
    deferrable(call, unique.deferrable);
    flag(call, unique.nulls_not_distinct, ".nulls_not_distinct()");
}

fn check_modifiers(call: &mut Call, check: &Check) {
    flag(call, check.not_valid, ".not_valid()");
    flag(call, check.no_inherit, ".no_inherit()");
}

/// An index's elements: a slice of names when every one is a bare column (as modules wrote
/// them before the other forms existed), else `vec![IndexColumn::...]`.
fn index_columns(call: &mut Call, index: &Index) {
    if index.columns.iter().all(IndexColumn::is_bare) {
        call.arg(|out| {
            out.push_str("&[");
            for (i, name) in index.column_names().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_quoted(out, name);
            }
            out.push(']');
        });
        return;
    }
    call.arg(|out| {
        out.push_str("vec![");
        for (i, element) in index.columns.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            push_index_column(out, element);
        }
        out.push(']');
    });
}

/// `IndexColumn::column("a").desc().nulls_last()`, `IndexColumn::expression("lower(b)")`.
fn push_index_column(out: &mut String, element: &IndexColumn) {
    match &element.target {
        IndexTarget::Column(name) => {
            out.push_str("IndexColumn::column(");
            push_quoted(out, name);
        }
        IndexTarget::Expression(expr) => {
            out.push_str("IndexColumn::expression(");
            push_quoted(out, expr);
        }
    }
    out.push(')');
    if element.descending {
        out.push_str(".desc()");
    }
    match element.nulls {
        Some(Nulls::First) => out.push_str(".nulls_first()"),
        Some(Nulls::Last) => out.push_str(".nulls_last()"),
        None => {}
    }
    if let Some(opclass) = &element.opclass {
        chained_quoted(out, "opclass", opclass);
    }
    if let Some(collation) = &element.collation {
        chained_quoted(out, "collation", collation);
    }
    if let Some(length) = element.length {
        let _ = write!(out, ".length({length})");
    }
}

fn index_modifiers(call: &mut Call, index: &Index) {
    flag(call, index.unique, ".unique()");
    if let Some(method) = &index.method {
        call.then(|out| chained_quoted(out, "method", method));
    }
    if let Some(predicate) = &index.predicate {
        call.then(|out| chained_quoted(out, "predicate", predicate));
    }
    if !index.include.is_empty() {
        call.then(|out| {
            out.push_str(".include(");
            push_slice(out, &index.include);
            out.push(')');
        });
    }
    if let Some(with) = &index.with {
        call.then(|out| chained_quoted(out, "with", with));
    }
    flag(call, index.nulls_not_distinct, ".nulls_not_distinct()");
    if let Some(comment) = &index.comment {
        call.then(|out| chained_quoted(out, "comment", comment));
    }
}

fn render_create_table(out: &mut String, call: &mut Call, table: &Table) {
    out.push_str("    m.create_table(");
    push_quoted(out, &table.name);
    out.push_str(", |t| {\n");
    for column in &table.columns {
        call.start("t.column")
            .quoted(&column.name)
            .ty(&column.ty)
            .close();
        column_modifiers(call, column);
        call.write(out, 8);
    }
    if !table.primary_key.is_empty() {
        call.start("t.primary_key")
            .slice(&table.primary_key)
            .close();
        if let Some(name) = &table.primary_key_name {
            call.then(|out| chained_quoted(out, "name", name));
        }
        call.write(out, 8);
    }
    for unique in &table.uniques {
        call.start("t.unique")
            .quoted(&unique.name)
            .slice(&unique.columns);
        call.close();
        unique_modifiers(call, unique);
        call.write(out, 8);
    }
    for fk in &table.foreign_keys {
        call.start("t.foreign_key")
            .quoted(&fk.name)
            .slice(&fk.columns);
        call.quoted(&fk.ref_table).slice(&fk.ref_columns).close();
        fk_actions(call, fk);
        call.write(out, 8);
    }
    for check in &table.checks {
        call.start("t.check")
            .quoted(&check.name)
            .quoted(&check.expr);
        call.close();
        check_modifiers(call, check);
        call.write(out, 8);
    }
    for exclusion in &table.exclusions {
        call.start("t.exclude")
            .quoted(&exclusion.name)
            .quoted(&exclusion.definition);
        call.close();
        deferrable(call, exclusion.deferrable);
        call.write(out, 8);
    }
    for index in &table.indexes {
        let root = if index.columns.iter().all(IndexColumn::is_bare) {
            "t.index"
        } else {
            "t.index_on"
        };
        call.start(root).quoted(&index.name);
        index_columns(call, index);
        call.close();
        index_modifiers(call, index);
        call.write(out, 8);
    }
    table_options(out, call, "t", &table.options);
    out.push_str("    });\n");
}

fn column_modifiers(call: &mut Call, column: &Column) {
    if column.nullable {
        call.then(|out| out.push_str(".nullable()"));
    }
    match (&column.identity, column.auto_increment) {
        (Some(identity), _) => call.then(|out| match identity {
            Identity::Serial { sequence: None } => out.push_str(".serial()"),
            Identity::Serial {
                sequence: Some(sequence),
            } => chained_quoted(out, "serial_sequence", sequence),
            Identity::Autoincrement => out.push_str(".autoincrement()"),
            Identity::Always => out.push_str(".identity(Identity::Always)"),
            Identity::ByDefault => out.push_str(".identity(Identity::ByDefault)"),
        }),
        (None, true) => call.then(|out| out.push_str(".auto_increment()")),
        (None, false) => call,
    };
    if let Some(default) = &column.default {
        call.then(|out| match default {
            DefaultValue::Bool(b) => {
                let _ = write!(out, ".default({b})");
            }
            DefaultValue::Int(i) => {
                let _ = write!(out, ".default({i})");
            }
            DefaultValue::Float(f) => {
                let point = if f.contains(['.', 'e', 'E']) {
                    ""
                } else {
                    ".0"
                };
                let _ = write!(out, ".default({f}{point})");
            }
            DefaultValue::Text(s) => chained_quoted(out, "default", s),
            DefaultValue::Sql(s) => chained_quoted(out, "default_sql", s),
        });
    }
    if let Some(expr) = &column.on_update {
        call.then(|out| chained_quoted(out, "on_update", expr));
    }
    if let Some(generated) = &column.generated {
        let method = if generated.stored {
            "generated_stored"
        } else {
            "generated_virtual"
        };
        call.then(|out| chained_quoted(out, method, &generated.expr));
    }
    for (method, value) in [
        ("collation", &column.collation),
        ("charset", &column.charset),
        ("comment", &column.comment),
    ] {
        if let Some(value) = value {
            call.then(|out| chained_quoted(out, method, value));
        }
    }
}

/// The Rust expression of a column type, as the prelude spells it.
fn push_rust_type(out: &mut String, ty: &SqlType) {
    let name = match ty {
        SqlType::SmallInt => "SmallInt",
        SqlType::Integer => "Integer",
        SqlType::BigInt => "BigInt",
        SqlType::TinyInt => "TinyInt",
        SqlType::MediumInt => "MediumInt",
        SqlType::Unsigned(base) => {
            out.push_str("SqlType::unsigned(");
            push_rust_type(out, base);
            out.push(')');
            return;
        }
        SqlType::Real => "Real",
        SqlType::Double => "Double",
        SqlType::Numeric(None) => "Numeric(None)",
        SqlType::Numeric(Some((p, s))) => {
            let _ = write!(out, "SqlType::Numeric(Some(({p}, {s})))");
            return;
        }
        SqlType::Money => "Money",
        SqlType::Boolean => "Boolean",
        SqlType::Text => "Text",
        SqlType::VarcharUnbounded => "VarcharUnbounded",
        SqlType::TinyText => "TinyText",
        SqlType::MediumText => "MediumText",
        SqlType::LongText => "LongText",
        SqlType::Binary => "Binary",
        SqlType::TinyBlob => "TinyBlob",
        SqlType::MediumBlob => "MediumBlob",
        SqlType::LongBlob => "LongBlob",
        SqlType::VarBit(None) => "VarBit(None)",
        SqlType::VarBit(Some(n)) => {
            let _ = write!(out, "SqlType::VarBit(Some({n}))");
            return;
        }
        SqlType::Varchar(n)
        | SqlType::Char(n)
        | SqlType::FixedBinary(n)
        | SqlType::VarBinary(n)
        | SqlType::Bit(n)
        | SqlType::TimePrecision(n)
        | SqlType::TimeTzPrecision(n)
        | SqlType::TimestampPrecision(n)
        | SqlType::TimestampTzPrecision(n) => {
            let variant = match ty {
                SqlType::Varchar(_) => "Varchar",
                SqlType::Char(_) => "Char",
                SqlType::FixedBinary(_) => "FixedBinary",
                SqlType::VarBinary(_) => "VarBinary",
                SqlType::Bit(_) => "Bit",
                SqlType::TimePrecision(_) => "TimePrecision",
                SqlType::TimeTzPrecision(_) => "TimeTzPrecision",
                SqlType::TimestampPrecision(_) => "TimestampPrecision",
                _ => "TimestampTzPrecision",
            };
            let _ = write!(out, "SqlType::{variant}({n})");
            return;
        }
        SqlType::Date => "Date",
        SqlType::Time => "Time",
        SqlType::TimeTz => "TimeTz",
        SqlType::Timestamp => "Timestamp",
        SqlType::TimestampTz => "TimestampTz",
        SqlType::Interval => "Interval",
        SqlType::Year => "Year",
        SqlType::Uuid => "Uuid",
        SqlType::Json => "Json",
        SqlType::Jsonb => "Jsonb",
        SqlType::Inet => "Inet",
        SqlType::Cidr => "Cidr",
        SqlType::MacAddr => "MacAddr",
        SqlType::MacAddr8 => "MacAddr8",
        SqlType::Set(values) => {
            out.push_str("SqlType::set(");
            push_slice(out, values);
            out.push(')');
            return;
        }
        SqlType::Array(element) => {
            out.push_str("SqlType::array(");
            push_rust_type(out, element);
            out.push(')');
            return;
        }
        SqlType::Enum(name) | SqlType::Custom(name) => {
            let kind = if matches!(ty, SqlType::Enum(_)) {
                "Enum"
            } else {
                "Custom"
            };
            let _ = write!(out, "SqlType::{kind}(");
            push_quoted(out, name);
            out.push_str(".into())");
            return;
        }
    };
    out.push_str("SqlType::");
    out.push_str(name);
}

fn rust_action(action: FkAction) -> &'static str {
    match action {
        FkAction::NoAction => "FkAction::NoAction",
        FkAction::Restrict => "FkAction::Restrict",
        FkAction::Cascade => "FkAction::Cascade",
        FkAction::SetNull => "FkAction::SetNull",
        FkAction::SetDefault => "FkAction::SetDefault",
    }
}

/// The file-name part of a message: lowercase words joined by `_`, at most 40 characters.
pub fn slug(message: &str) -> String {
    let mut slug = String::new();
    for word in message
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if slug.len() + word.len() + 1 > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('_');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() {
        slug.push_str("migration");
    }
    slug
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::diff::diff;
    use crate::schema::{Column, Index, Schema, Unique};

    pub(crate) fn blog_schema() -> Schema {
        let mut users = Table::new("users");
        users.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        users
            .columns
            .push(Column::new("email", SqlType::Varchar(255)));
        users.primary_key = vec!["id".into()];
        users.uniques.push(Unique {
            name: "uq_users_email".into(),
            columns: vec!["email".into()],
            ..Default::default()
        });
        let mut posts = Table::new("posts");
        posts.columns.push(Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        });
        posts
            .columns
            .push(Column::new("title", SqlType::Varchar(200)));
        posts.columns.push(Column {
            nullable: true,
            ..Column::new("body", SqlType::Text)
        });
        posts
            .columns
            .push(Column::new("author_id", SqlType::Integer));
        posts.columns.push(Column {
            default: Some(DefaultValue::Bool(false)),
            ..Column::new("published", SqlType::Boolean)
        });
        posts.columns.push(Column {
            default: Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into())),
            ..Column::new("created_at", SqlType::Timestamp)
        });
        posts.primary_key = vec!["id".into()];
        posts.foreign_keys.push(ForeignKey {
            name: "fk_posts_author_id_users".into(),
            columns: vec!["author_id".into()],
            ref_table: "users".into(),
            ref_columns: vec!["id".into()],
            on_delete: FkAction::Cascade,
            on_update: FkAction::NoAction,
            ..Default::default()
        });
        posts.indexes.push(Index {
            name: "ix_posts_author_id".into(),
            columns: vec!["author_id".into()],
            unique: false,
            ..Default::default()
        });
        Schema::new(vec![posts, users])
    }

    #[test]
    fn initial_module() {
        let plan = diff(&Schema::default(), &blog_schema()).unwrap();
        let header = ModuleHeader {
            revision: "20261125104500".into(),
            revises: vec![],
            message: "initial".into(),
            created: "2026-11-25 10:45:00 UTC".into(),
        };
        insta::assert_snapshot!(render_module(&header, &plan.up, &plan.down, &[]));
    }

    /// Every field of the second vocabulary, written with its builder.
    #[test]
    fn every_new_field_module() {
        use crate::migration::Migration;
        use crate::schema::IndexColumn;
        let mut m = Migration::new();
        m.create_table("orders", |t| {
            t.column("id", SqlType::BigInt)
                .serial_sequence("orders_id_seq");
            t.column("n", SqlType::Integer).identity(Identity::Always);
            t.column("price", SqlType::Numeric(Some((10, 2))));
            t.column("qty", SqlType::unsigned(SqlType::Integer));
            t.column("total", SqlType::Numeric(None))
                .generated_stored("price * qty");
            t.column("code", SqlType::VarcharUnbounded)
                .collation("C")
                .charset("latin1")
                .comment("Shown on the \"invoice\"");
            t.column("tags", SqlType::array(SqlType::Text)).nullable();
            t.column("flags", SqlType::set(&["a", "b"]));
            t.column("touched", SqlType::TimestampTzPrecision(3))
                .default_sql("CURRENT_TIMESTAMP(3)")
                .on_update("CURRENT_TIMESTAMP(3)");
            t.primary_key(&["id"]).name("orders_pk");
            t.unique("uq_orders_code", &["code"])
                .deferrable(Deferrable::Deferred)
                .nulls_not_distinct();
            t.foreign_key("fk_orders_n", &["n"], "orders", &["id"])
                .deferrable(Deferrable::Immediate)
                .match_full()
                .not_valid();
            t.check("ck_orders_qty", "qty > 0").not_valid().no_inherit();
            t.exclude("ex_orders_code", "USING gist (code WITH =)");
            t.index_on(
                "ix_orders_code",
                vec![
                    IndexColumn::column("code").desc().nulls_last(),
                    IndexColumn::expression("lower(code)"),
                ],
            )
            .method("gin");
            t.index("ix_orders_touched", &["touched"])
                .predicate("touched IS NOT NULL")
                .include(&["qty"])
                .with("fillfactor=70")
                .comment("Recently touched orders");
            t.comment("Orders");
            t.engine("InnoDB");
        });
        m.alter_table_options("orders", |o| {
            o.comment("All orders").partition_by("RANGE (id)");
            o.unlogged().with("fillfactor=70");
        });
        m.alter_table_options("orders", |_| {});
        m.set_primary_key("orders", &["id"]).name("pk_orders");
        m.create_index_on(
            "orders",
            "ix_qty",
            vec![IndexColumn::column("qty").length(4)],
        )
        .unique();
        m.add_unique("orders", "uq_qty", &["qty"])
            .nulls_not_distinct();
        m.add_check("orders", "ck_price", "price > 0").not_valid();
        m.add_exclusion("orders", "ex_qty", "USING gist (qty WITH =)")
            .deferrable(Deferrable::Deferred);
        m.drop_exclusion("orders", "ex_qty");
        let header = ModuleHeader {
            revision: "20261125104500".into(),
            revises: vec!["20261124090000".into()],
            message: "every new field".into(),
            created: "2026-11-25 10:45:00 UTC".into(),
        };
        let text = render_module(&header, m.operations(), &[], &[]);
        insta::assert_snapshot!(text);
    }

    #[test]
    fn objects_module() {
        let mut schema = blog_schema();
        let texts = [
            "CREATE EXTENSION IF NOT EXISTS citext",
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.published := true;\n    RETURN NEW;\nEND\n$$;",
            "CREATE TRIGGER posts_touch BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION touch()",
            "CREATE VIEW published AS\nSELECT id, title\nFROM posts\nWHERE published;",
            "CREATE SEQUENCE tickets START 100",
        ];
        let parsed = texts
            .iter()
            .map(|t| crate::objects::parse(t, crate::dialect::Backend::Postgres).unwrap())
            .collect();
        let names: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
        schema.objects =
            crate::objects::resolve(parsed, &names, crate::dialect::Backend::Postgres).unwrap();
        let plan = diff(&Schema::default(), &schema).unwrap();
        let header = ModuleHeader {
            revision: "20261125104500".into(),
            revises: vec![],
            message: "objects".into(),
            created: "2026-11-25 10:45:00 UTC".into(),
        };
        let module = render_module(&header, &plan.up, &plan.down, &[]);
        assert!(laid_out_as_rustfmt(&module), "{module}");
        insta::assert_snapshot!(module);
    }

    #[test]
    fn quoting_writes_what_debug_writes() {
        for text in [
            "plain_name",
            "",
            "say \"hi\"",
            "back\\slash",
            "tab\there",
            "é",
            "a\u{301}",
            "\u{0}",
            "~ !",
        ] {
            let mut out = String::new();
            push_quoted(&mut out, text);
            assert_eq!(out, format!("{text:?}"));
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Add posts!"), "add_posts");
        assert_eq!(slug("   "), "migration");
        assert_eq!(
            slug("a very long message that keeps going on and on forever"),
            "a_very_long_message_that_keeps_going_on"
        );
    }
}
