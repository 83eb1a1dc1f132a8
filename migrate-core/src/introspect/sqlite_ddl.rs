//! What SQLite's pragmas do not tell, read from the `CREATE TABLE` and `CREATE INDEX` text that
//! `sqlite_master` keeps as written: constraint names, `AUTOINCREMENT`, collations, generated
//! expressions, deferrable foreign keys, table options and the elements of an index. Pure text
//! in, parts out; no database.

use super::{split_table_body, unquote};
use crate::schema::{Deferrable, IndexColumn};

/// One token of SQLite DDL, as a slice of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A bare word: a keyword or an unquoted identifier.
    Word,
    /// A quoted identifier: `"a"`, `` `a` ``, `[a]`.
    Quoted,
    /// A string literal `'a'`.
    Str,
    /// A balanced parenthesised group, parentheses included.
    Group,
    /// Anything else: numbers, operators, punctuation.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
}

impl Token<'_> {
    fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    /// The inside of a group, without its parentheses.
    fn inner(&self) -> &str {
        if self.kind == Kind::Group {
            &self.text[1..self.text.len() - 1]
        } else {
            self.text
        }
    }

    fn name(&self) -> String {
        if self.kind == Kind::Str {
            self.text[1..self.text.len() - 1].replace("''", "'")
        } else {
            unquote(self.text)
        }
    }
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |e| i + 2 + e + 2);
                continue;
            }
            b'\'' | b'"' | b'`' | b'[' => {
                i = quoted_end(bytes, i);
                if c == b'\'' {
                    Kind::Str
                } else {
                    Kind::Quoted
                }
            }
            b'(' => {
                let mut depth = 0usize;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\'' | b'"' | b'`' | b'[' => {
                            i = quoted_end(bytes, i);
                            continue;
                        }
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                    i += 1;
                }
                Kind::Group
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || bytes[i] == b'_'
                        || bytes[i] == b'$'
                        || bytes[i] >= 0x80)
                {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                i += 1;
                Kind::Other
            }
        };
        let end = i.min(bytes.len());
        out.push(Token {
            kind,
            text: &text[start..end],
        });
    }
    out
}

/// The index just past the quoted text that starts at `start` (doubled quotes inside).
fn quoted_end(bytes: &[u8], start: usize) -> usize {
    let close = if bytes[start] == b'[' {
        b']'
    } else {
        bytes[start]
    };
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == close {
            if close != b']' && bytes.get(i + 1) == Some(&close) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// The names in a list such as `("a", b DESC)`: the first token of each element.
fn name_list(group: &str) -> Vec<String> {
    split_top(group)
        .iter()
        .filter_map(|e| tokens(e).first().map(Token::name))
        .collect()
}

/// A text split at its top-level commas, each piece trimmed, empty pieces left out.
fn split_top(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = top_comma(rest) {
        out.push(rest[..at].trim().to_string());
        rest = &rest[at + 1..];
    }
    out.push(rest.trim().to_string());
    out.retain(|p| !p.is_empty());
    out
}

/// The byte index of the first comma of `text` outside parentheses and quotes.
fn top_comma(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' | b'`' | b'[' => {
                i = quoted_end(bytes, i);
                continue;
            }
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// A foreign key as the table's text declares it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FkText {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub deferrable: Option<Deferrable>,
}

/// A unique or check constraint, or the primary key, as the table's text declares it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConstraintText {
    pub name: Option<String>,
    pub columns: Vec<String>,
    /// A check's expression, as written.
    pub expr: String,
    /// Declared on a column rather than on the table.
    pub on_column: bool,
}

/// A column definition's parts that the pragmas do not report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnText {
    pub name: String,
    pub collation: Option<String>,
    /// `GENERATED ALWAYS AS (expr)`: the expression as written, and whether `STORED`.
    pub generated: Option<(String, bool)>,
    pub autoincrement: bool,
}

/// What a `CREATE TABLE` text declares, beyond what the pragmas report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TableText {
    pub columns: Vec<ColumnText>,
    pub primary_key: Option<ConstraintText>,
    pub uniques: Vec<ConstraintText>,
    pub checks: Vec<ConstraintText>,
    pub foreign_keys: Vec<FkText>,
    pub without_rowid: bool,
    pub strict: bool,
}

impl TableText {
    pub fn column(&self, name: &str) -> Option<&ColumnText> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

const TABLE_CONSTRAINTS: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

/// Parses a `CREATE TABLE` statement as `sqlite_master` keeps it.
pub fn parse_table(sql: &str) -> TableText {
    let mut table = TableText::default();
    for part in split_table_body(sql) {
        let toks = tokens(&part);
        let Some(first) = toks.first() else { continue };
        if TABLE_CONSTRAINTS.iter().any(|k| first.is(k)) {
            table_constraint(&toks, &mut table);
        } else {
            column_definition(&toks, &mut table);
        }
    }
    // The options follow the body's closing parenthesis.
    if let Some(body) = tokens(sql).iter().find(|t| t.kind == Kind::Group) {
        let start = body.text.as_ptr() as usize - sql.as_ptr() as usize + body.text.len();
        let options = tokens(&sql[start..]);
        table.without_rowid = options
            .windows(2)
            .any(|w| w[0].is("WITHOUT") && w[1].is("ROWID"));
        table.strict = options.iter().any(|t| t.is("STRICT"));
    }
    table
}

fn table_constraint(toks: &[Token<'_>], table: &mut TableText) {
    let mut i = 0;
    let mut name = None;
    if toks[0].is("CONSTRAINT") && toks.len() > 1 {
        name = Some(toks[1].name());
        i = 2;
    }
    let Some(kind) = toks.get(i) else { return };
    let group = toks[i..].iter().find(|t| t.kind == Kind::Group);
    if kind.is("PRIMARY") {
        table.primary_key = Some(ConstraintText {
            name,
            columns: group.map(|g| name_list(g.inner())).unwrap_or_default(),
            ..ConstraintText::default()
        });
    } else if kind.is("UNIQUE") {
        table.uniques.push(ConstraintText {
            name,
            columns: group.map(|g| name_list(g.inner())).unwrap_or_default(),
            ..ConstraintText::default()
        });
    } else if kind.is("CHECK") {
        table.checks.push(ConstraintText {
            name,
            expr: group
                .map(|g| g.inner().trim().to_string())
                .unwrap_or_default(),
            ..ConstraintText::default()
        });
    } else if kind.is("FOREIGN") {
        let columns = group.map(|g| name_list(g.inner())).unwrap_or_default();
        if let Some(at) = toks.iter().position(|t| t.is("REFERENCES")) {
            table
                .foreign_keys
                .push(references(&toks[at..], name, columns));
        }
    }
}

/// `REFERENCES table [(columns)] [actions] [DEFERRABLE ...]`, from the REFERENCES keyword.
fn references(toks: &[Token<'_>], name: Option<String>, columns: Vec<String>) -> FkText {
    let ref_table = toks.get(1).map(Token::name).unwrap_or_default();
    let mut deferrable = None;
    for (i, t) in toks.iter().enumerate() {
        if t.is("DEFERRABLE") && !(i > 0 && toks[i - 1].is("NOT")) {
            let deferred = toks.get(i + 1).is_some_and(|t| t.is("INITIALLY"))
                && toks.get(i + 2).is_some_and(|t| t.is("DEFERRED"));
            deferrable = Some(if deferred {
                Deferrable::Deferred
            } else {
                Deferrable::Immediate
            });
        }
    }
    FkText {
        name,
        columns,
        ref_table,
        deferrable,
    }
}

/// The words that start a column constraint, and so end the declared type.
const COLUMN_CONSTRAINTS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "GENERATED",
    "AS",
];

fn column_definition(toks: &[Token<'_>], table: &mut TableText) {
    let mut column = ColumnText {
        name: toks[0].name(),
        ..ColumnText::default()
    };
    let starts = |t: &Token<'_>| COLUMN_CONSTRAINTS.iter().any(|k| t.is(k));
    let mut i = 1;
    while i < toks.len() && !starts(&toks[i]) {
        i += 1;
    }
    let mut name: Option<String> = None;
    while i < toks.len() {
        let t = toks[i];
        i += 1;
        if t.is("CONSTRAINT") {
            name = toks.get(i).map(Token::name);
            i += 1;
            continue;
        }
        // The tokens of this constraint: up to the next constraint's first word.
        let mut end = i;
        while end < toks.len() && !starts(&toks[end]) {
            end += 1;
        }
        let body = &toks[i..end];
        if t.is("PRIMARY") {
            column.autoincrement = body.iter().any(|t| t.is("AUTOINCREMENT"));
            table.primary_key = Some(ConstraintText {
                name: name.take(),
                columns: vec![column.name.clone()],
                on_column: true,
                ..ConstraintText::default()
            });
        } else if t.is("UNIQUE") {
            table.uniques.push(ConstraintText {
                name: name.take(),
                columns: vec![column.name.clone()],
                on_column: true,
                ..ConstraintText::default()
            });
        } else if t.is("CHECK") {
            let expr = body.first().map(|g| g.inner().trim().to_string());
            table.checks.push(ConstraintText {
                name: name.take(),
                columns: vec![column.name.clone()],
                expr: expr.unwrap_or_default(),
                on_column: true,
            });
        } else if t.is("COLLATE") {
            column.collation = body.first().map(Token::name);
        } else if t.is("REFERENCES") {
            // `NOT DEFERRABLE` inside the clause is no constraint of its own.
            let mut end = i;
            while end < toks.len() && (toks[end].is("NOT") || !starts(&toks[end])) {
                end += 1;
            }
            table.foreign_keys.push(references(
                &toks[i - 1..end],
                name.take(),
                vec![column.name.clone()],
            ));
            i = end;
            continue;
        } else if t.is("GENERATED") || t.is("AS") {
            // `GENERATED ALWAYS AS (expr)` or `AS (expr)`, then STORED or VIRTUAL.
            let mut j = i;
            while j < toks.len() && toks[j].kind != Kind::Group {
                j += 1;
            }
            if let Some(group) = toks.get(j) {
                let stored = toks.get(j + 1).is_some_and(|t| t.is("STORED"));
                column.generated = Some((group.inner().trim().to_string(), stored));
                end = end.max(j + 1);
            }
        }
        name = None;
        i = end;
    }
    table.columns.push(column);
}

/// What a `CREATE INDEX` text declares: its elements and its `WHERE`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexText {
    pub columns: Vec<IndexColumn>,
    pub predicate: Option<String>,
}

/// Parses a `CREATE [UNIQUE] INDEX name ON table (elements) [WHERE expr]` statement.
pub fn parse_index(sql: &str) -> IndexText {
    let toks = tokens(sql);
    let Some(on) = toks.iter().position(|t| t.is("ON")) else {
        return IndexText::default();
    };
    let Some(group) = toks[on..].iter().find(|t| t.kind == Kind::Group) else {
        return IndexText::default();
    };
    let columns = split_top(group.inner())
        .iter()
        .map(|e| index_element(e))
        .collect();
    let after = group.text.as_ptr() as usize - sql.as_ptr() as usize + group.text.len();
    let rest = &sql[after..];
    let predicate = tokens(rest).first().filter(|t| t.is("WHERE")).map(|w| {
        let at = w.text.as_ptr() as usize - rest.as_ptr() as usize + w.text.len();
        rest[at..].trim().trim_end_matches(';').trim().to_string()
    });
    IndexText { columns, predicate }
}

fn index_element(text: &str) -> IndexColumn {
    let toks = tokens(text);
    let mut end = toks.len();
    let mut descending = false;
    if end > 0 && (toks[end - 1].is("DESC") || toks[end - 1].is("ASC")) {
        descending = toks[end - 1].is("DESC");
        end -= 1;
    }
    let mut collation = None;
    if end >= 2 && toks[end - 2].is("COLLATE") {
        collation = Some(toks[end - 1].name());
        end -= 2;
    }
    let mut element = match &toks[..end] {
        [single] if matches!(single.kind, Kind::Word | Kind::Quoted) => {
            IndexColumn::column(single.name())
        }
        [single] if single.kind == Kind::Group => {
            IndexColumn::expression(single.inner().trim().to_string())
        }
        [first, .., last] => {
            let start = first.text.as_ptr() as usize - text.as_ptr() as usize;
            let stop = last.text.as_ptr() as usize - text.as_ptr() as usize + last.text.len();
            IndexColumn::expression(text[start..stop].to_string())
        }
        _ => IndexColumn::expression(text.trim().to_string()),
    };
    element.descending = descending;
    element.collation = collation;
    element
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_text_gives_names_options_and_generated_columns() {
        let t = parse_table(
            "CREATE TABLE \"film\" (\n  film_id INTEGER CONSTRAINT film_pk PRIMARY KEY AUTOINCREMENT,\n  title VARCHAR(255) NOT NULL COLLATE NOCASE,\n  lang INT CONSTRAINT fk_lang REFERENCES language (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,\n  total NUMERIC GENERATED ALWAYS AS (price * qty) STORED,\n  half AS (price / 2),\n  code TEXT UNIQUE CHECK (length(code) = 2),\n  CONSTRAINT \"uq, odd\" UNIQUE (title, lang),\n  CONSTRAINT ck_len CHECK (length(title) > 0),\n  FOREIGN KEY (lang, code) REFERENCES other (a, b) NOT DEFERRABLE\n) WITHOUT ROWID, STRICT",
        );
        assert!(t.without_rowid && t.strict);
        let pk = t.primary_key.as_ref().unwrap();
        assert_eq!(pk.name.as_deref(), Some("film_pk"));
        assert!(t.column("film_id").unwrap().autoincrement);
        assert_eq!(
            t.column("title").unwrap().collation.as_deref(),
            Some("NOCASE")
        );
        assert_eq!(
            t.column("total").unwrap().generated,
            Some(("price * qty".into(), true))
        );
        assert_eq!(
            t.column("half").unwrap().generated,
            Some(("price / 2".into(), false))
        );
        assert_eq!(t.foreign_keys.len(), 2);
        assert_eq!(t.foreign_keys[0].name.as_deref(), Some("fk_lang"));
        assert_eq!(t.foreign_keys[0].deferrable, Some(Deferrable::Deferred));
        assert_eq!(t.foreign_keys[1].columns, ["lang", "code"]);
        assert_eq!(t.foreign_keys[1].deferrable, None);
        assert_eq!(t.uniques.len(), 2);
        assert_eq!(t.uniques[1].name.as_deref(), Some("uq, odd"));
        assert_eq!(t.uniques[1].columns, ["title", "lang"]);
        assert_eq!(t.checks[0].expr, "length(code) = 2");
        assert_eq!(t.checks[1].name.as_deref(), Some("ck_len"));
        assert_eq!(t.checks[1].expr, "length(title) > 0");
    }

    #[test]
    fn index_text_gives_elements_and_predicate() {
        let i = parse_index(
            "CREATE UNIQUE INDEX \"ix\" ON \"t\" (lower(email) DESC, \"a\" COLLATE NOCASE, (b + 1), c ASC) WHERE deleted_at IS NULL",
        );
        assert_eq!(
            i.columns,
            vec![
                IndexColumn::expression("lower(email)").desc(),
                IndexColumn::column("a").collation("NOCASE"),
                IndexColumn::expression("b + 1"),
                IndexColumn::column("c"),
            ]
        );
        assert_eq!(i.predicate.as_deref(), Some("deleted_at IS NULL"));
    }
}
