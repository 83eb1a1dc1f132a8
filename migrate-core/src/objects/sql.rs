//! Just enough reading of a `CREATE ...` statement to know what it creates: a tokenizer that
//! knows each backend's quoting (PostgreSQL's dollar quotes, MySQL's backslash escapes and
//! backticks, SQLite's brackets), a splitter that keeps `BEGIN ... END` bodies whole, and the
//! patterns of the statement heads. It is not a parser: what it cannot read is an error that
//! names the line, never a guess.

use std::collections::BTreeSet;

use crate::backend::Backend;

use super::kind::ObjectKind;

/// How one backend quotes and comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flavor(pub Backend);

impl Flavor {
    fn dollar_quotes(self) -> bool {
        self.0 == Backend::Postgres
    }

    fn backticks(self) -> bool {
        self.0 != Backend::Postgres
    }

    fn double_quote_is_string(self) -> bool {
        self.0 == Backend::Mysql
    }

    fn hash_comments(self) -> bool {
        self.0 == Backend::Mysql
    }

    /// Whether a bare name is folded to lower case (PostgreSQL); the others keep it as written.
    pub fn folds(self) -> bool {
        self.0 == Backend::Postgres
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: keyword, name or number.
    Word,
    /// A quoted identifier, unquoted.
    Quoted(String),
    /// A string literal (or a dollar-quoted body), its content.
    Str(String),
    /// Anything else, one character.
    Punct(char),
}

/// One token and where it is in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Byte range in the text.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
    /// 1-based line of its start.
    pub line: usize,
}

impl Token {
    /// Whether it is the keyword `kw` (any case).
    pub fn is(&self, text: &str, kw: &str) -> bool {
        self.kind == TokenKind::Word && text[self.start..self.end].eq_ignore_ascii_case(kw)
    }

    /// Whether it is the punctuation `c`.
    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokenKind::Punct(c)
    }

    /// The name it spells: a quoted identifier as written, a bare word folded as `flavor`
    /// folds it; `None` for strings and punctuation.
    pub fn name(&self, text: &str, flavor: Flavor) -> Option<String> {
        match &self.kind {
            TokenKind::Word if flavor.folds() => Some(text[self.start..self.end].to_lowercase()),
            TokenKind::Word => Some(text[self.start..self.end].to_string()),
            TokenKind::Quoted(name) => Some(name.clone()),
            _ => None,
        }
    }

    /// The source text of the token.
    pub fn raw<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

/// A text that cannot be read: the line and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl SqlError {
    fn new(line: usize, message: impl Into<String>) -> SqlError {
        SqlError {
            line,
            message: message.into(),
        }
    }
}

type Result<T> = std::result::Result<T, SqlError>;

/// The tokens of `text`, comments and blanks dropped.
pub fn tokenize(text: &str, flavor: Flavor) -> Result<Vec<Token>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let count_lines = |from: usize, to: usize| text[from..to].matches('\n').count();
    while i < bytes.len() {
        let c = text[i..].chars().next().expect("in bounds");
        let start = i;
        let start_line = line;
        if c.is_whitespace() {
            i += c.len_utf8();
        } else if text[i..].starts_with("--") || (c == '#' && flavor.hash_comments()) {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
        } else if text[i..].starts_with("/*") {
            // PostgreSQL nests block comments; the others end at the first `*/`.
            let mut depth = 0;
            let mut j = i;
            loop {
                if j >= bytes.len() {
                    return Err(SqlError::new(start_line, "a /* comment is not closed"));
                }
                if text[j..].starts_with("/*") && (depth == 0 || flavor.folds()) {
                    depth += 1;
                    j += 2;
                } else if text[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            i = j;
        } else if c == '\'' || (c == '"' && flavor.double_quote_is_string()) {
            // Backslash escapes: MySQL always, PostgreSQL in E'...' strings.
            let escaped = flavor.0 == Backend::Mysql
                || (flavor.dollar_quotes()
                    && out.last().is_some_and(|t: &Token| {
                        t.end == i
                            && t.kind == TokenKind::Word
                            && t.raw(text).eq_ignore_ascii_case("e")
                    }));
            let (content, end) = quoted(text, i, c, escaped)
                .ok_or_else(|| SqlError::new(start_line, format!("a {c} string is not closed")))?;
            i = end;
            out.push(Token {
                kind: TokenKind::Str(content),
                start,
                end,
                line: start_line,
            });
        } else if c == '"' || (c == '`' && flavor.backticks()) {
            let (name, end) = quoted(text, i, c, false).ok_or_else(|| {
                SqlError::new(start_line, format!("a {c}quoted{c} name is not closed"))
            })?;
            i = end;
            out.push(Token {
                kind: TokenKind::Quoted(name),
                start,
                end,
                line: start_line,
            });
        } else if c == '[' && flavor.0 == Backend::Sqlite {
            let close = text[i..]
                .find(']')
                .ok_or_else(|| SqlError::new(start_line, "a [quoted] name is not closed"))?;
            i += close + 1;
            out.push(Token {
                kind: TokenKind::Quoted(text[start + 1..i - 1].to_string()),
                start,
                end: i,
                line: start_line,
            });
        } else if c == '$' && flavor.dollar_quotes() && dollar_tag(&text[i..]).is_some() {
            let tag = dollar_tag(&text[i..]).expect("checked");
            let body_start = i + tag.len();
            let close = text[body_start..].find(tag).ok_or_else(|| {
                SqlError::new(start_line, format!("the {tag} quoted body is not closed"))
            })?;
            i = body_start + close + tag.len();
            out.push(Token {
                kind: TokenKind::Str(text[body_start..body_start + close].to_string()),
                start,
                end: i,
                line: start_line,
            });
        } else if is_word_char(c, flavor) {
            while let Some(next) = text[i..].chars().next() {
                if !is_word_char(next, flavor) {
                    break;
                }
                i += next.len_utf8();
            }
            out.push(Token {
                kind: TokenKind::Word,
                start,
                end: i,
                line: start_line,
            });
        } else {
            i += c.len_utf8();
            out.push(Token {
                kind: TokenKind::Punct(c),
                start,
                end: i,
                line: start_line,
            });
        }
        line += count_lines(start, i);
    }
    Ok(out)
}

fn is_word_char(c: char, flavor: Flavor) -> bool {
    c.is_alphanumeric() || c == '_' || (c == '$' && flavor.0 != Backend::Sqlite)
}

/// `$tag$` (or `$$`) at the start of `text`, PostgreSQL's dollar quote.
fn dollar_tag(text: &str) -> Option<&str> {
    let rest = &text[1..];
    let end = rest.find('$')?;
    let tag = &rest[..end];
    let valid = tag.is_empty()
        || (!tag.starts_with(|c: char| c.is_ascii_digit())
            && tag.chars().all(|c| c.is_alphanumeric() || c == '_'));
    valid.then(|| &text[..end + 2])
}

/// The content of the quoted text opening at `at` with `quote`, doubled quotes (and, with
/// `escaped`, backslash escapes) undone; and the byte after the closing quote.
fn quoted(text: &str, at: usize, quote: char, escaped: bool) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = text[at + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if escaped && c == '\\' {
            let (_, next) = chars.next()?;
            out.push(next);
        } else if c == quote {
            if chars.peek().map(|(_, n)| *n) == Some(quote) {
                chars.next();
                out.push(quote);
            } else {
                return Some((out, at + 1 + i + 1));
            }
        } else {
            out.push(c);
        }
    }
    None
}

/// One statement of a text: its tokens and where it is.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Its tokens, the closing `;` left out.
    pub tokens: Vec<Token>,
    /// Its text, from its first token to its last.
    pub text: String,
    /// The line of its first token.
    pub line: usize,
}

/// The statements of `text`, split at the semicolons outside `BEGIN ... END` and `CASE ... END`
/// bodies (SQLite and MySQL triggers, MySQL routines, PostgreSQL `BEGIN ATOMIC`).
pub fn statements(text: &str, flavor: Flavor) -> Result<Vec<Statement>> {
    let tokens = tokenize(text, flavor)?;
    let mut out = Vec::new();
    let mut current: Vec<Token> = Vec::new();
    let mut depth = 0usize;
    let mut skip_next = false;
    for (i, token) in tokens.iter().enumerate() {
        if skip_next {
            skip_next = false;
            current.push(token.clone());
            continue;
        }
        if token.is_punct(';') && depth == 0 {
            if !current.is_empty() {
                out.push(statement(text, std::mem::take(&mut current)));
            }
            continue;
        }
        if token.is(text, "BEGIN") || token.is(text, "CASE") {
            depth += 1;
        } else if token.is(text, "END") {
            let next = tokens.get(i + 1);
            let closes_block = ["IF", "LOOP", "WHILE", "REPEAT", "FOR"]
                .iter()
                .any(|kw| next.is_some_and(|n| n.is(text, kw)));
            if closes_block {
                skip_next = true;
            } else {
                depth = depth.saturating_sub(1);
                // `END CASE` closes the CASE statement it names.
                skip_next = next.is_some_and(|n| n.is(text, "CASE"));
            }
        }
        current.push(token.clone());
    }
    if depth > 0 {
        let line = current.first().map_or(1, |t| t.line);
        return Err(SqlError::new(line, "a BEGIN (or CASE) has no END"));
    }
    if !current.is_empty() {
        out.push(statement(text, current));
    }
    Ok(out)
}

fn statement(text: &str, tokens: Vec<Token>) -> Statement {
    let start = tokens[0].start;
    let end = tokens[tokens.len() - 1].end;
    Statement {
        line: tokens[0].line,
        text: text[start..end].to_string(),
        tokens,
    }
}

/// What a statement's head says it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Head {
    /// Creates an object of the schema.
    Object(ObjectHead),
    /// `CREATE [UNIQUE] INDEX ... ON table`.
    Index {
        /// The indexed relation.
        table: String,
    },
    /// `COMMENT ON <kind> <target> IS ...`.
    Comment {
        /// The kind's words, upper case (`VIEW`, `MATERIALIZED VIEW`, `COLUMN`).
        kind: String,
        /// The object's name (for a column, its relation's).
        name: String,
        /// The table a trigger or policy is on.
        table: Option<String>,
    },
    /// `ALTER TABLE t ENABLE | DISABLE | FORCE | NO FORCE ROW LEVEL SECURITY`.
    RowSecurity {
        /// The table.
        table: String,
    },
    /// `ALTER TABLE t ENABLE | DISABLE [REPLICA | ALWAYS] TRIGGER name`.
    TriggerState {
        /// The table.
        table: String,
        /// The trigger.
        trigger: String,
    },
    /// `CREATE SCHEMA [IF NOT EXISTS] name`.
    Schema {
        /// The schema.
        name: String,
    },
}

/// The head of a `CREATE` statement of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    /// What it creates.
    pub kind: ObjectKind,
    /// Its name, folded as the backend folds it.
    pub name: String,
    /// The table of a trigger or policy.
    pub table: Option<String>,
    /// The argument types of a PostgreSQL function or procedure, normalised.
    pub arguments: Option<Vec<String>>,
    /// Token index of the kind keyword (`VIEW`, `FUNCTION`, ...).
    pub kind_at: usize,
    /// Token index just past the name.
    pub after_name: usize,
}

/// Reads the head of `statement`.
pub fn head(statement: &Statement, flavor: Flavor) -> Result<Head> {
    let text = statement.text.as_str();
    // The tokens were made from the whole text; re-base them on the statement's own text.
    let base = statement.tokens[0].start;
    let tokens: Vec<Token> = statement
        .tokens
        .iter()
        .map(|t| Token {
            start: t.start - base,
            end: t.end - base,
            ..t.clone()
        })
        .collect();
    HeadReader {
        text,
        tokens: &tokens,
        flavor,
        line: statement.line,
    }
    .read()
}

struct HeadReader<'a> {
    text: &'a str,
    tokens: &'a [Token],
    flavor: Flavor,
    line: usize,
}

impl HeadReader<'_> {
    fn is(&self, at: usize, kw: &str) -> bool {
        self.tokens.get(at).is_some_and(|t| t.is(self.text, kw))
    }

    fn err<T>(&self, at: usize, message: impl Into<String>) -> Result<T> {
        let line = self.tokens.get(at).map_or(self.line, |t| t.line);
        Err(SqlError::new(line, message))
    }

    fn word(&self, at: usize) -> String {
        self.tokens
            .get(at)
            .map(|t| t.raw(self.text).to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// Skips the keywords `kws` in order where they all appear.
    fn skip(&self, at: usize, kws: &[&str]) -> usize {
        if kws.iter().enumerate().all(|(i, kw)| self.is(at + i, kw)) {
            at + kws.len()
        } else {
            at
        }
    }

    /// A name that may be qualified (`public.users`): its last part, and the index after it.
    fn qualified(&self, at: usize) -> Result<(String, usize)> {
        let Some(mut name) = self
            .tokens
            .get(at)
            .and_then(|t| t.name(self.text, self.flavor))
        else {
            return self.err(at, "expected a name here");
        };
        let mut next = at + 1;
        while self.tokens.get(next).is_some_and(|t| t.is_punct('.')) {
            name = match self
                .tokens
                .get(next + 1)
                .and_then(|t| t.name(self.text, self.flavor))
            {
                Some(part) => part,
                None => return self.err(next, "expected a name after `.`"),
            };
            next += 2;
        }
        Ok((name, next))
    }

    fn read(&self) -> Result<Head> {
        if self.is(0, "COMMENT") && self.is(1, "ON") {
            return self.comment();
        }
        if self.is(0, "ALTER") && self.is(1, "TABLE") {
            return self.alter_table();
        }
        if !self.is(0, "CREATE") {
            return self.err(
                0,
                format!(
                    "expected a CREATE statement, found `{}`",
                    self.tokens.first().map_or("", |t| t.raw(self.text))
                ),
            );
        }
        let mut at = self.skip(1, &["OR", "REPLACE"]);
        // MySQL's view and routine options, and PostgreSQL's modifiers.
        loop {
            if self.is(at, "TEMP") || self.is(at, "TEMPORARY") {
                return self.err(at, "a temporary object is not part of the schema");
            }
            if self.is(at, "ALGORITHM") && self.tokens.get(at + 1).is_some_and(|t| t.is_punct('='))
            {
                at += 3;
            } else if self.is(at, "DEFINER") {
                at = self.definer(at)?;
            } else if self.is(at, "SQL") && self.is(at + 1, "SECURITY") {
                at += 3;
            } else if ["RECURSIVE", "UNLOGGED", "CONSTRAINT"]
                .iter()
                .any(|kw| self.is(at, kw))
            {
                at += 1;
            } else {
                break;
            }
        }
        let (kind, kind_at, mut next) = match self.word(at).as_str() {
            "VIEW" => (ObjectKind::View, at, at + 1),
            "MATERIALIZED" if self.is(at + 1, "VIEW") => (ObjectKind::MaterializedView, at, at + 2),
            "FUNCTION" => (ObjectKind::Function, at, at + 1),
            "PROCEDURE" => (ObjectKind::Procedure, at, at + 1),
            "AGGREGATE" => (ObjectKind::Aggregate, at, at + 1),
            "RULE" => (ObjectKind::Rule, at, at + 1),
            "TRIGGER" => (ObjectKind::Trigger, at, at + 1),
            "SEQUENCE" => (ObjectKind::Sequence, at, at + 1),
            "DOMAIN" => (ObjectKind::Domain, at, at + 1),
            "TYPE" => (ObjectKind::Type, at, at + 1),
            "EXTENSION" => (ObjectKind::Extension, at, at + 1),
            "POLICY" => (ObjectKind::Policy, at, at + 1),
            "EVENT" if !self.is(at + 1, "TRIGGER") => (ObjectKind::Event, at, at + 1),
            "INDEX" | "UNIQUE" => return self.index(at),
            "SCHEMA" => {
                let at = self.skip(at + 1, &["IF", "NOT", "EXISTS"]);
                let (name, _) = self.qualified(at)?;
                return Ok(Head::Schema { name });
            }
            "TABLE" => {
                return self.err(
                    at,
                    "tables are declared with #[derive(Model)], not in the objects folder",
                )
            }
            other => {
                return self.err(
                    at,
                    format!(
                        "`CREATE {}` is not an object this tool manages; expected a view, materialized view, function, procedure, aggregate, trigger, rule, sequence, domain, type, extension, policy or event",
                        if other.is_empty() { "..." } else { other }
                    ),
                )
            }
        };
        next = self.skip(next, &["IF", "NOT", "EXISTS"]);
        let (name, after_name) = self.qualified(next)?;
        let mut head = ObjectHead {
            kind,
            name,
            table: None,
            arguments: None,
            kind_at,
            after_name,
        };
        match kind {
            ObjectKind::Function | ObjectKind::Procedure if self.flavor.0 == Backend::Postgres => {
                let args = self.argument_list(after_name)?;
                head.arguments = Some(args.iter().filter_map(|a| a.identity_type()).collect());
            }
            ObjectKind::Aggregate => {
                // `name(*)` takes no argument: its identity is `*`, as DROP AGGREGATE names it.
                let star = self
                    .tokens
                    .get(after_name + 1)
                    .is_some_and(|t| t.is_punct('*'))
                    && self
                        .tokens
                        .get(after_name + 2)
                        .is_some_and(|t| t.is_punct(')'));
                head.arguments = Some(if star {
                    vec!["*".to_string()]
                } else {
                    let args = self.argument_list(after_name)?;
                    args.iter().filter_map(|a| a.identity_type()).collect()
                });
            }
            ObjectKind::Rule => {
                // `CREATE RULE name AS ON event TO table`.
                let to = (after_name..self.tokens.len())
                    .find(|&i| self.is(i, "TO"))
                    .ok_or_else(|| SqlError::new(self.line, "a rule names its table with TO"))?;
                head.table = Some(self.qualified(to + 1)?.0);
            }
            ObjectKind::Trigger => {
                let on = (after_name..self.tokens.len())
                    .find(|&i| self.is(i, "ON"))
                    .ok_or_else(|| SqlError::new(self.line, "a trigger names its table with ON"))?;
                let on = self.skip(on + 1, &["ONLY"]);
                head.table = Some(self.qualified(on)?.0);
            }
            ObjectKind::Policy => {
                if !self.is(after_name, "ON") {
                    return self.err(after_name, "a policy names its table with ON");
                }
                head.table = Some(self.qualified(after_name + 1)?.0);
            }
            ObjectKind::Type => {
                if !self.is(after_name, "AS") {
                    return self.err(
                        after_name,
                        "only composite (`AS (...)`) and range (`AS RANGE (...)`) types can be declared",
                    );
                }
                if self.is(after_name + 1, "ENUM") {
                    return self.err(
                        after_name + 1,
                        "an enum type is declared with #[derive(ModelEnum)], not in the objects folder",
                    );
                }
                let composite = self
                    .tokens
                    .get(after_name + 1)
                    .is_some_and(|t| t.is_punct('('));
                if !composite && !self.is(after_name + 1, "RANGE") {
                    return self.err(
                        after_name + 1,
                        "only composite (`AS (...)`) and range (`AS RANGE (...)`) types can be declared",
                    );
                }
            }
            _ => {}
        }
        Ok(Head::Object(head))
    }

    /// `DEFINER = user[@host]` or `DEFINER = CURRENT_USER[()]`: the index after it.
    fn definer(&self, at: usize) -> Result<usize> {
        if !self.tokens.get(at + 1).is_some_and(|t| t.is_punct('=')) {
            return self.err(at, "expected `DEFINER = user`");
        }
        let mut next = at + 3;
        if self.tokens.get(next).is_some_and(|t| t.is_punct('@')) {
            next += 2;
        }
        if self.tokens.get(next).is_some_and(|t| t.is_punct('(')) {
            next += 2;
        }
        Ok(next)
    }

    fn index(&self, at: usize) -> Result<Head> {
        let mut at = self.skip(at, &["UNIQUE"]);
        if !self.is(at, "INDEX") {
            return self.err(at, "expected INDEX");
        }
        at = self.skip(at + 1, &["CONCURRENTLY"]);
        at = self.skip(at, &["IF", "NOT", "EXISTS"]);
        let on = (at..self.tokens.len())
            .find(|&i| self.is(i, "ON"))
            .ok_or_else(|| SqlError::new(self.line, "an index names its relation with ON"))?;
        let on = self.skip(on + 1, &["ONLY"]);
        Ok(Head::Index {
            table: self.qualified(on)?.0,
        })
    }

    fn comment(&self) -> Result<Head> {
        let mut at = 2;
        let mut kind = Vec::new();
        while self
            .tokens
            .get(at)
            .is_some_and(|t| t.kind == TokenKind::Word)
            && [
                "VIEW",
                "MATERIALIZED",
                "FUNCTION",
                "PROCEDURE",
                "AGGREGATE",
                "RULE",
                "TRIGGER",
                "SEQUENCE",
                "DOMAIN",
                "TYPE",
                "POLICY",
                "COLUMN",
                "EXTENSION",
                "CONSTRAINT",
                "INDEX",
            ]
            .contains(&self.word(at).as_str())
        {
            kind.push(self.word(at));
            at += 1;
        }
        if kind.is_empty() {
            return self.err(at, "expected the kind of object a COMMENT is on");
        }
        let kind = kind.join(" ");
        let mut parts = vec![];
        let mut next = at;
        loop {
            match self
                .tokens
                .get(next)
                .and_then(|t| t.name(self.text, self.flavor))
            {
                Some(part) => parts.push(part),
                None => return self.err(next, "expected a name here"),
            }
            next += 1;
            if !self.tokens.get(next).is_some_and(|t| t.is_punct('.')) {
                break;
            }
            next += 1;
        }
        // A column's relation is the part before the column; anything else is the last part.
        let name = if kind == "COLUMN" && parts.len() >= 2 {
            parts[parts.len() - 2].clone()
        } else {
            parts.last().cloned().unwrap_or_default()
        };
        let table = if self.is(next, "ON") {
            Some(self.qualified(next + 1)?.0)
        } else {
            None
        };
        Ok(Head::Comment { kind, name, table })
    }

    fn alter_table(&self) -> Result<Head> {
        let mut at = self.skip(2, &["IF", "EXISTS"]);
        at = self.skip(at, &["ONLY"]);
        let (table, mut at) = self.qualified(at)?;
        for kw in ["ENABLE", "DISABLE", "FORCE", "NO"] {
            if self.is(at, kw) {
                at += 1;
                if kw == "NO" {
                    at = self.skip(at, &["FORCE"]);
                }
                break;
            }
        }
        if self.is(at, "ROW") && self.is(at + 1, "LEVEL") && self.is(at + 2, "SECURITY") {
            return Ok(Head::RowSecurity { table });
        }
        at = self.skip(at, &["REPLICA"]);
        at = self.skip(at, &["ALWAYS"]);
        if self.is(at, "TRIGGER") {
            let (trigger, _) = self.qualified(at + 1)?;
            return Ok(Head::TriggerState { table, trigger });
        }
        self.err(
            0,
            "an ALTER TABLE in an object's file only enables row-level security (for a policy) or a trigger",
        )
    }

    /// The arguments of `(...)` at `at`.
    fn argument_list(&self, at: usize) -> Result<Vec<Argument>> {
        if !self.tokens.get(at).is_some_and(|t| t.is_punct('(')) {
            return self.err(at, "expected the argument list `(...)`");
        }
        let mut args = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut depth = 0;
        let mut i = at + 1;
        loop {
            let Some(t) = self.tokens.get(i) else {
                return self.err(at, "the argument list is not closed");
            };
            match t.kind {
                TokenKind::Punct('(') | TokenKind::Punct('[') => depth += 1,
                TokenKind::Punct(')') | TokenKind::Punct(']') if depth > 0 => depth -= 1,
                TokenKind::Punct(')') => break,
                TokenKind::Punct(',') if depth == 0 => {
                    args.push(self.argument(&current));
                    current.clear();
                    i += 1;
                    continue;
                }
                _ => {}
            }
            current.push(i);
            i += 1;
        }
        if !current.is_empty() {
            args.push(self.argument(&current));
        }
        Ok(args)
    }

    /// One argument: mode, name and type, the default left out.
    fn argument(&self, at: &[usize]) -> Argument {
        let mut toks: Vec<&Token> = at.iter().map(|&i| &self.tokens[i]).collect();
        if let Some(cut) = toks
            .iter()
            .position(|t| t.is(self.text, "DEFAULT") || t.is_punct('='))
        {
            toks.truncate(cut);
        }
        let mut mode = "IN".to_string();
        if let Some(first) = toks.first() {
            let upper = first.raw(self.text).to_ascii_uppercase();
            if first.kind == TokenKind::Word
                && ["IN", "OUT", "INOUT", "VARIADIC"].contains(&upper.as_str())
                && toks.len() > 1
            {
                mode = upper;
                toks.remove(0);
            }
        }
        let named = toks.len() >= 2
            && !continues_type(
                &toks[0].raw(self.text).to_ascii_lowercase(),
                toks[1],
                self.text,
            )
            && !toks[1].is_punct('.')
            && !toks[1].is_punct('(')
            && !toks[1].is_punct('[');
        let (name, ty) = if named {
            (toks[0].name(self.text, self.flavor), &toks[1..])
        } else {
            (None, &toks[..])
        };
        Argument {
            mode,
            name,
            ty: normalize_type(ty, self.text, self.flavor),
        }
    }
}

/// Whether `second` continues a type that starts with the word `first` (`double precision`,
/// `character varying`, `timestamp with time zone`).
fn continues_type(first: &str, second: &Token, text: &str) -> bool {
    let next = second.raw(text).to_ascii_lowercase();
    match first {
        "double" => next == "precision",
        "character" | "char" | "national" | "bit" => next == "varying" || next == "character",
        "timestamp" | "time" => next == "with" || next == "without",
        "interval" => ["year", "month", "day", "hour", "minute", "second"].contains(&next.as_str()),
        _ => false,
    }
}

/// One argument of a function's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// `IN`, `OUT`, `INOUT` or `VARIADIC`.
    pub mode: String,
    /// Its name, when it has one.
    pub name: Option<String>,
    /// Its type, normalised as [`normalize_type`] does.
    pub ty: String,
}

impl Argument {
    /// The type the function's identity counts: every argument but `OUT` ones.
    fn identity_type(&self) -> Option<String> {
        (self.mode != "OUT").then(|| self.ty.clone())
    }
}

/// A type as PostgreSQL's `format_type` prints it without modifiers (`int4` and `int` become
/// `integer`, `varchar(20)` becomes `character varying`, a schema qualifier goes), so that the
/// argument types of a function read from a file and from the server compare equal.
pub fn normalize_type(tokens: &[&Token], text: &str, flavor: Flavor) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut array = false;
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        match &t.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth -= 1,
            TokenKind::Punct('[') if depth == 0 => array = true,
            _ if depth > 0 => {}
            TokenKind::Punct('.') => {
                // A qualifier: the part before the dot goes.
                words.pop();
            }
            TokenKind::Word if t.is(text, "ARRAY") => array = true,
            TokenKind::Word => words.push(t.raw(text).to_lowercase()),
            TokenKind::Quoted(name) => {
                let plain = name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !name.starts_with(|c: char| c.is_ascii_digit());
                words.push(if plain || !flavor.folds() {
                    name.clone()
                } else {
                    format!("\"{}\"", name.replace('"', "\"\""))
                });
            }
            _ => {}
        }
        i += 1;
    }
    let joined = words.join(" ");
    let base = match joined.as_str() {
        "int" | "int4" | "integer" => "integer",
        "int2" | "smallint" => "smallint",
        "int8" | "bigint" => "bigint",
        "float4" | "real" => "real",
        "float8" | "float" | "double precision" => "double precision",
        "bool" | "boolean" => "boolean",
        "varchar" | "character varying" | "char varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "decimal" | "numeric" => "numeric",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "time" | "time without time zone" => "time without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "varbit" | "bit varying" => "bit varying",
        other => other,
    }
    .to_string();
    let base = if base.starts_with("interval") {
        "interval".to_string()
    } else {
        base
    };
    if array {
        format!("{base}[]")
    } else {
        base
    }
}

/// The text that two definitions must share to be the same: every token (comments and blanks
/// between them dropped) joined by one space, trailing semicolons left out. A change of layout or
/// of a comment outside the SQL is no change; a comment inside a function body is.
pub fn comparable(text: &str, flavor: Flavor) -> String {
    let Ok(tokens) = tokenize(text, flavor) else {
        return text.split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let mut end = tokens.len();
    while end > 0 && tokens[end - 1].is_punct(';') {
        end -= 1;
    }
    tokens[..end]
        .iter()
        .map(|t| t.raw(text))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The header comment lines `-- depends on: view a, function f(integer)` at the top of a
/// text: the object keys they name, and the line of each.
pub fn declared_dependencies(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let Some(comment) = trimmed.strip_prefix("--") else {
            break;
        };
        let comment = comment.trim();
        let lower = comment.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("depends on:") {
            let list = &comment[comment.len() - rest.len()..];
            for key in split_keys(list) {
                out.push((i + 1, key));
            }
        }
    }
    out
}

/// Keys separated by commas outside parentheses (`function f(integer, text), table t`).
fn split_keys(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in list.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut current).trim().to_string());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    out.push(current.trim().to_string());
    out.retain(|k| !k.is_empty());
    out
}

/// Names a definition may use, each with the keys it stands for: tables, and objects by name
/// (a function name stands for every overload).
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// Folded name to keys, for names used as relations or types.
    pub names: std::collections::BTreeMap<String, Vec<String>>,
    /// Folded name to keys, for names used as functions (followed by `(`).
    pub functions: std::collections::BTreeMap<String, Vec<String>>,
    /// Folded sequence names to keys, which `nextval('name')` names in a string.
    pub sequences: std::collections::BTreeMap<String, Vec<String>>,
}

impl Known {
    fn fold(name: &str, flavor: Flavor) -> String {
        if flavor.folds() {
            name.to_string()
        } else {
            name.to_lowercase()
        }
    }

    /// Adds a table.
    pub fn table(&mut self, name: &str, flavor: Flavor) {
        self.names
            .entry(Self::fold(name, flavor))
            .or_default()
            .push(format!("table {name}"));
    }

    /// Adds an object by its key.
    pub fn object(&mut self, kind: ObjectKind, name: &str, key: String, flavor: Flavor) {
        let folded = Self::fold(name, flavor);
        let map = match kind {
            ObjectKind::Function | ObjectKind::Procedure | ObjectKind::Aggregate => {
                &mut self.functions
            }
            ObjectKind::Sequence => {
                self.sequences
                    .entry(folded.clone())
                    .or_default()
                    .push(key.clone());
                &mut self.names
            }
            // Nothing names a trigger, rule, policy, event or extension inside another definition.
            ObjectKind::Trigger
            | ObjectKind::Rule
            | ObjectKind::Policy
            | ObjectKind::Event
            | ObjectKind::Extension => return,
            _ => &mut self.names,
        };
        map.entry(folded).or_default().push(key);
    }
}

/// The keys of what `tokens` (of `text`) name among `known`: a relation or type by its name, a
/// function by its name followed by `(`, a sequence also inside a string (`nextval('seq')`).
pub fn referenced(tokens: &[Token], text: &str, flavor: Flavor, known: &Known) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, t) in tokens.iter().enumerate() {
        let name = match &t.kind {
            // Known names are folded to lower case but for PostgreSQL's quoted ones.
            TokenKind::Word => t.raw(text).to_lowercase(),
            TokenKind::Quoted(q) => Known::fold(q, flavor),
            TokenKind::Str(s) => {
                // `nextval('public.seq')` and `'seq'::regclass` name a sequence in a string.
                let last = s.rsplit('.').next().unwrap_or(s).trim_matches('"');
                if let Some(keys) = known.sequences.get(&Known::fold(last, flavor)) {
                    out.extend(keys.iter().cloned());
                }
                continue;
            }
            TokenKind::Punct(_) => continue,
        };
        let called = tokens.get(i + 1).is_some_and(|n| n.is_punct('('));
        if called {
            if let Some(keys) = known.functions.get(&name) {
                out.extend(keys.iter().cloned());
            }
        }
        if let Some(keys) = known.names.get(&name) {
            out.extend(keys.iter().cloned());
        }
    }
    out
}

/// The functions an aggregate is built from, which its options name without calling them
/// (`SFUNC = state_fn`, `FINALFUNC = final_fn`): the known functions named after a `=`.
pub fn option_functions(
    tokens: &[Token],
    text: &str,
    flavor: Flavor,
    known: &Known,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for pair in tokens.windows(2) {
        if !pair[0].is_punct('=') {
            continue;
        }
        let name = match &pair[1].kind {
            TokenKind::Word => pair[1].raw(text).to_lowercase(),
            TokenKind::Quoted(q) => Known::fold(q, flavor),
            _ => continue,
        };
        if let Some(keys) = known.functions.get(&name) {
            out.extend(keys.iter().cloned());
        }
    }
    out
}

/// The token range of a function's head that can name what it depends on: the argument types
/// (names left out) and the `RETURNS` clause; and, for a PostgreSQL `BEGIN ATOMIC` body, the
/// body, which the server checks and records. A body in a string is not read: PostgreSQL does
/// not track what it uses, and the runner creates functions with their bodies unchecked.
pub fn function_dependency_tokens(
    statement: &Statement,
    head: &ObjectHead,
    flavor: Flavor,
) -> Vec<Token> {
    let text = statement.text.as_str();
    let base = statement.tokens[0].start;
    let tokens = &statement.tokens;
    let is = |i: usize, kw: &str| {
        tokens.get(i).is_some_and(|t| {
            t.kind == TokenKind::Word && text[t.start - base..t.end - base].eq_ignore_ascii_case(kw)
        })
    };
    let mut out = Vec::new();
    let mut i = head.after_name;
    // The argument list: each argument's tokens after its name.
    if tokens.get(i).is_some_and(|t| t.is_punct('(')) {
        let mut depth = 0;
        let mut arg_start = true;
        i += 1;
        while let Some(t) = tokens.get(i) {
            match t.kind {
                TokenKind::Punct('(') => depth += 1,
                TokenKind::Punct(')') if depth == 0 => break,
                TokenKind::Punct(')') => depth -= 1,
                TokenKind::Punct(',') if depth == 0 => {
                    arg_start = true;
                    i += 1;
                    continue;
                }
                _ => {}
            }
            if arg_start && depth == 0 {
                arg_start = false;
                // Skip a mode and a name; keep a type's first word.
                let mut j = i;
                if ["IN", "OUT", "INOUT", "VARIADIC"]
                    .iter()
                    .any(|kw| is(j, kw))
                {
                    j += 1;
                }
                let word = |k: usize| {
                    tokens
                        .get(k)
                        .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Quoted(_)))
                        .map(|t| text[t.start - base..t.end - base].to_ascii_lowercase())
                };
                let has_name = match (word(j), tokens.get(j + 1)) {
                    (Some(first), Some(second)) => {
                        matches!(second.kind, TokenKind::Word | TokenKind::Quoted(_))
                            && !continues_type(&first, &rebase(second, base), text)
                    }
                    _ => false,
                };
                i = if has_name { j + 1 } else { j };
                continue;
            }
            out.push(rebase(t, base));
            i += 1;
        }
        i += 1;
    }
    // The RETURNS clause, up to the function's attributes or body.
    const ENDS: [&str; 21] = [
        "LANGUAGE",
        "AS",
        "BEGIN",
        "RETURN",
        "IMMUTABLE",
        "STABLE",
        "VOLATILE",
        "STRICT",
        "CALLED",
        "SECURITY",
        "PARALLEL",
        "COST",
        "ROWS",
        "SET",
        "LEAKPROOF",
        "NOT",
        "EXTERNAL",
        "WINDOW",
        "SUPPORT",
        "TRANSFORM",
        "DETERMINISTIC",
    ];
    while let Some(t) = tokens.get(i) {
        if ENDS.iter().any(|kw| is(i, kw)) {
            break;
        }
        out.push(rebase(t, base));
        i += 1;
    }
    if flavor.0 == Backend::Postgres {
        if let Some(atomic) = (i..tokens.len()).find(|&k| is(k, "BEGIN") && is(k + 1, "ATOMIC")) {
            out.extend(tokens[atomic..].iter().map(|t| rebase(t, base)));
        }
    }
    out
}

fn rebase(t: &Token, base: usize) -> Token {
    Token {
        start: t.start - base,
        end: t.end - base,
        ..t.clone()
    }
}

/// The tokens of `statement` re-based on its own text.
pub fn own_tokens(statement: &Statement) -> Vec<Token> {
    let base = statement.tokens[0].start;
    statement.tokens.iter().map(|t| rebase(t, base)).collect()
}

/// The head of a function up to its attributes and body, normalised (arguments with their
/// names and defaults, and the `RETURNS` clause): two versions with the same signature can be
/// replaced in place; otherwise PostgreSQL refuses `CREATE OR REPLACE`.
pub fn function_signature(statement: &Statement, head: &ObjectHead) -> String {
    let tokens = own_tokens(statement);
    let text = statement.text.as_str();
    let mut out = Vec::new();
    let mut depth = 0;
    for t in &tokens[head.after_name.min(tokens.len())..] {
        match t.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth -= 1,
            _ => {}
        }
        if depth == 0
            && t.kind == TokenKind::Word
            && [
                "LANGUAGE",
                "AS",
                "BEGIN",
                "RETURN",
                "IMMUTABLE",
                "STABLE",
                "VOLATILE",
                "STRICT",
                "CALLED",
                "SECURITY",
                "PARALLEL",
                "COST",
                "SET",
                "LEAKPROOF",
                "NOT",
                "WINDOW",
                "SUPPORT",
                "DETERMINISTIC",
                "COMMENT",
                "CONTAINS",
                "READS",
                "MODIFIES",
                "NO",
            ]
            .iter()
            .any(|kw| t.is(text, kw))
        {
            break;
        }
        out.push(t.raw(text).to_lowercase());
    }
    out.join(" ")
}

/// The names of the columns a view's query gives, as PostgreSQL names them, when every one
/// can be told from the text (an alias, or a plain column); `None` otherwise (`*`, an
/// expression without alias).
pub fn view_columns(
    statement: &Statement,
    head: &ObjectHead,
    flavor: Flavor,
) -> Option<Vec<String>> {
    let tokens = own_tokens(statement);
    let text = statement.text.as_str();
    let mut at = head.after_name;
    // An explicit column list names them.
    if tokens.get(at).is_some_and(|t| t.is_punct('(')) {
        let mut names = Vec::new();
        at += 1;
        while let Some(t) = tokens.get(at) {
            if t.is_punct(')') {
                return Some(names);
            }
            if !t.is_punct(',') {
                names.push(t.name(text, flavor)?);
            }
            at += 1;
        }
        return None;
    }
    // The first SELECT at depth 0 after AS.
    let mut depth = 0;
    let select = (at..tokens.len()).find(|&i| {
        match tokens[i].kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth -= 1,
            _ => {}
        }
        depth == 0 && tokens[i].is(text, "SELECT")
    })?;
    let mut i = select + 1;
    if tokens.get(i).is_some_and(|t| t.is(text, "ALL")) {
        i += 1;
    }
    if tokens.get(i).is_some_and(|t| t.is(text, "DISTINCT")) {
        return None;
    }
    let mut items: Vec<Vec<&Token>> = vec![Vec::new()];
    let mut depth = 0;
    while let Some(t) = tokens.get(i) {
        match t.kind {
            TokenKind::Punct('(') => depth += 1,
            TokenKind::Punct(')') => depth -= 1,
            TokenKind::Punct(',') if depth == 0 => {
                items.push(Vec::new());
                i += 1;
                continue;
            }
            _ => {}
        }
        if depth == 0
            && [
                "FROM",
                "WHERE",
                "GROUP",
                "HAVING",
                "WINDOW",
                "UNION",
                "INTERSECT",
                "EXCEPT",
                "ORDER",
                "LIMIT",
                "OFFSET",
                "FETCH",
                "FOR",
                "INTO",
            ]
            .iter()
            .any(|kw| t.is(text, kw))
        {
            break;
        }
        items.last_mut().expect("one").push(t);
        i += 1;
    }
    items
        .iter()
        .map(|item| {
            let last = item.last()?;
            let name = last.name(text, flavor)?;
            if item.len() == 1 {
                return (last.kind != TokenKind::Punct('*')).then_some(name);
            }
            let before = item[item.len() - 2];
            let aliased = before.is(text, "AS")
                || before.is_punct(')')
                || (matches!(before.kind, TokenKind::Word | TokenKind::Quoted(_))
                    && item.len() == 2);
            let column = before.is_punct('.')
                && item[..item.len() - 1].iter().all(|t| {
                    matches!(
                        t.kind,
                        TokenKind::Word | TokenKind::Quoted(_) | TokenKind::Punct('.')
                    )
                });
            (aliased || column).then_some(name)
        })
        .collect()
}

/// `text` with every qualifier `schema.` outside strings and comments removed: how the server
/// prints an object of the scratch schema and of the live one differs only there.
pub fn strip_qualifier(text: &str, schema: &str, flavor: Flavor) -> String {
    let Ok(tokens) = tokenize(text, flavor) else {
        return text.to_string();
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (i, t) in tokens.iter().enumerate() {
        let is_schema = match &t.kind {
            TokenKind::Word => {
                t.raw(text) == schema
                    || (flavor.folds()
                        && t.raw(text).to_lowercase() == schema
                        && !schema.chars().any(|c| c.is_uppercase()))
            }
            TokenKind::Quoted(q) => q == schema,
            _ => false,
        };
        let dot = tokens.get(i + 1);
        if is_schema && dot.is_some_and(|d| d.is_punct('.') && d.start == t.end) {
            let dot = dot.expect("checked");
            out.push_str(&text[copied..t.start]);
            copied = dot.end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The options of `CREATE EXTENSION name [WITH] [SCHEMA s] [VERSION v] [CASCADE]`: the schema and
/// the version, when given.
pub fn extension_options(
    statement: &Statement,
    head: &ObjectHead,
    flavor: Flavor,
) -> (Option<String>, Option<String>) {
    let tokens = own_tokens(statement);
    let text = statement.text.as_str();
    let mut schema = None;
    let mut version = None;
    let mut i = head.after_name;
    while let Some(t) = tokens.get(i) {
        if t.is(text, "SCHEMA") {
            schema = tokens.get(i + 1).and_then(|n| n.name(text, flavor));
            i += 2;
            continue;
        }
        if t.is(text, "VERSION") {
            version = tokens.get(i + 1).map(|n| match &n.kind {
                TokenKind::Str(s) => s.clone(),
                _ => n.raw(text).to_string(),
            });
            i += 2;
            continue;
        }
        i += 1;
    }
    (schema, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PG: Flavor = Flavor(Backend::Postgres);
    const MY: Flavor = Flavor(Backend::Mysql);
    const LITE: Flavor = Flavor(Backend::Sqlite);

    fn object(text: &str, flavor: Flavor) -> ObjectHead {
        let stmts = statements(text, flavor).unwrap();
        match head(&stmts[0], flavor).unwrap() {
            Head::Object(h) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bodies_stay_whole() {
        let text = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;\n\
                    COMMENT ON FUNCTION f() IS 'it''s; one';";
        let s = statements(text, PG).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].line, 2);
        let text = "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = CASE WHEN 1 THEN 2 END; SELECT 1; END;";
        assert_eq!(statements(text, LITE).unwrap().len(), 1);
        let text = "CREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; lbl: LOOP LEAVE lbl; END LOOP; END";
        assert_eq!(statements(text, MY).unwrap().len(), 1);
        let text = "CREATE FUNCTION f(i int) RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; CREATE INDEX x ON y (z)";
        assert_eq!(statements(text, PG).unwrap().len(), 2);
        let err =
            statements("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;", LITE).unwrap_err();
        assert_eq!(err.line, 1);
        let err = statements("SELECT 'open\n", PG).unwrap_err();
        assert!(err.message.contains("not closed"), "{err:?}");
        // MySQL strings take backslash escapes; a PostgreSQL standard string does not.
        assert_eq!(
            statements(r"SELECT 'a\'; b'; SELECT 2", MY).unwrap().len(),
            2
        );
        assert_eq!(statements(r"SELECT 'a\'; SELECT 2", PG).unwrap().len(), 2);
        assert_eq!(
            statements(r"SELECT E'a\'; b'; SELECT 2", PG).unwrap().len(),
            2
        );
    }

    #[test]
    fn heads_name_the_object() {
        let h = object("create or replace view Public.Active_Users as select 1", PG);
        assert_eq!(
            (h.kind, h.name.as_str()),
            (ObjectKind::View, "active_users")
        );
        let h = object(
            "CREATE MATERIALIZED VIEW IF NOT EXISTS \"Stats\" AS SELECT 1",
            PG,
        );
        assert_eq!(
            (h.kind, h.name.as_str()),
            (ObjectKind::MaterializedView, "Stats")
        );
        let h = object(
            "CREATE FUNCTION f(a int DEFAULT 1, OUT b text, VARIADIC c varchar(3)[], double precision, \"t\" timestamp with time zone) RETURNS record AS 'x' LANGUAGE sql",
            PG,
        );
        assert_eq!(
            h.arguments.unwrap(),
            [
                "integer",
                "character varying[]",
                "double precision",
                "timestamp with time zone"
            ]
        );
        let h = object("CREATE TRIGGER t BEFORE UPDATE OF a, b ON public.posts FOR EACH ROW EXECUTE FUNCTION f()", PG);
        assert_eq!(h.table.as_deref(), Some("posts"));
        let h = object(
            "CREATE DEFINER=`root`@`localhost` TRIGGER `Bi` BEFORE INSERT ON `Users` FOR EACH ROW SET NEW.a = 1",
            MY,
        );
        assert_eq!((h.name.as_str(), h.table.as_deref()), ("Bi", Some("Users")));
        let h = object(
            "CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1",
            MY,
        );
        assert_eq!(h.name, "v");
        let h = object(
            "CREATE FUNCTION add1(x INT) RETURNS INT DETERMINISTIC RETURN x + 1",
            MY,
        );
        assert_eq!((h.kind, h.arguments), (ObjectKind::Function, None));
        let h = object("CREATE POLICY own ON users USING (true)", PG);
        assert_eq!(h.table.as_deref(), Some("users"));
        let h = object(
            "CREATE AGGREGATE public.text_concat(text) (SFUNC = textcat, STYPE = text)",
            PG,
        );
        assert_eq!(
            (h.kind, h.name.as_str(), h.arguments.unwrap()),
            (
                ObjectKind::Aggregate,
                "text_concat",
                vec!["text".to_string()]
            )
        );
        let h = object(
            "CREATE AGGREGATE counted(*) (SFUNC = int8inc, STYPE = bigint)",
            PG,
        );
        assert_eq!(h.arguments.unwrap(), ["*"]);
        let h = object(
            "CREATE RULE keep AS ON DELETE TO public.posts WHERE old.views > 10 DO INSTEAD NOTHING",
            PG,
        );
        assert_eq!(
            (h.kind, h.name.as_str(), h.table.as_deref()),
            (ObjectKind::Rule, "keep", Some("posts"))
        );
        let h = object(
            "CREATE EVENT IF NOT EXISTS purge ON SCHEDULE EVERY 1 DAY DO SELECT 1",
            MY,
        );
        assert_eq!(h.kind, ObjectKind::Event);
        let bad = |text: &str| {
            let s = statements(text, PG).unwrap();
            head(&s[0], PG).unwrap_err().message
        };
        assert!(bad("CREATE TYPE mood AS ENUM ('a')").contains("ModelEnum"));
        assert!(bad("CREATE TABLE t (a int)").contains("#[derive(Model)]"));
        assert!(bad("CREATE TEMP VIEW v AS SELECT 1").contains("temporary"));
        assert!(bad("DROP VIEW v").contains("expected a CREATE statement"));
    }

    #[test]
    fn accessories_are_read() {
        let s = statements(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON ONLY public.mv (a);\
             COMMENT ON MATERIALIZED VIEW mv IS 'x';\
             COMMENT ON COLUMN public.mv.a IS 'y';\
             COMMENT ON TRIGGER t ON posts IS 'z';\
             ALTER TABLE posts ENABLE ROW LEVEL SECURITY;\
             ALTER TABLE ONLY posts DISABLE TRIGGER t;\
             CREATE SCHEMA IF NOT EXISTS ext",
            PG,
        )
        .unwrap();
        let heads: Vec<Head> = s.iter().map(|s| head(s, PG).unwrap()).collect();
        assert_eq!(heads[0], Head::Index { table: "mv".into() });
        assert_eq!(
            heads[1],
            Head::Comment {
                kind: "MATERIALIZED VIEW".into(),
                name: "mv".into(),
                table: None
            }
        );
        assert_eq!(
            heads[2],
            Head::Comment {
                kind: "COLUMN".into(),
                name: "mv".into(),
                table: None
            }
        );
        assert_eq!(
            heads[3],
            Head::Comment {
                kind: "TRIGGER".into(),
                name: "t".into(),
                table: Some("posts".into())
            }
        );
        assert_eq!(
            heads[4],
            Head::RowSecurity {
                table: "posts".into()
            }
        );
        assert_eq!(
            heads[5],
            Head::TriggerState {
                table: "posts".into(),
                trigger: "t".into()
            }
        );
        assert_eq!(heads[6], Head::Schema { name: "ext".into() });
    }

    #[test]
    fn comparable_text_ignores_layout_and_comments_outside_strings() {
        let a = "-- note\nCREATE VIEW v AS\n  SELECT a,b FROM t;";
        let b = "CREATE VIEW v AS SELECT a , b FROM t /* same */";
        assert_eq!(comparable(a, PG), comparable(b, PG));
        let c = "CREATE FUNCTION f() RETURNS int AS $$ select 1 -- one\n $$ LANGUAGE sql";
        let d = "CREATE FUNCTION f() RETURNS int AS $$ select 1 -- two\n $$ LANGUAGE sql";
        assert_ne!(comparable(c, PG), comparable(d, PG));
    }

    #[test]
    fn dependencies_are_found_by_name() {
        let mut known = Known::default();
        known.table("users", PG);
        known.object(
            ObjectKind::Function,
            "slug",
            "function slug(text)".into(),
            PG,
        );
        known.object(
            ObjectKind::Sequence,
            "ticket_seq",
            "sequence ticket_seq".into(),
            PG,
        );
        known.object(ObjectKind::View, "active", "view active".into(), PG);
        let text = "SELECT slug(u.name), nextval('public.ticket_seq'::regclass), users.id AS slug FROM \"users\" u JOIN active a ON true";
        let tokens = tokenize(text, PG).unwrap();
        let found: Vec<String> = referenced(&tokens, text, PG, &known).into_iter().collect();
        assert_eq!(
            found,
            [
                "function slug(text)",
                "sequence ticket_seq",
                "table users",
                "view active"
            ]
        );
        assert_eq!(
            declared_dependencies(
                "-- depends on: extension ltree, function f(integer, text)\n-- other\nCREATE ..."
            ),
            [
                (1, "extension ltree".to_string()),
                (1, "function f(integer, text)".to_string())
            ]
        );
    }

    #[test]
    fn function_heads_give_their_type_dependencies() {
        let mut known = Known::default();
        known.table("users", PG);
        known.object(ObjectKind::Domain, "email", "domain email".into(), PG);
        let text = "CREATE FUNCTION f(users integer, e email) RETURNS SETOF users LANGUAGE sql AS $$ select * from nothing $$";
        let s = &statements(text, PG).unwrap()[0];
        let Head::Object(h) = head(s, PG).unwrap() else {
            panic!()
        };
        let tokens = function_dependency_tokens(s, &h, PG);
        let found: Vec<String> = referenced(&tokens, &s.text, PG, &known)
            .into_iter()
            .collect();
        assert_eq!(found, ["domain email", "table users"]);
    }

    #[test]
    fn view_columns_and_signatures() {
        let s = &statements(
            "CREATE VIEW v AS SELECT u.id, lower(email) AS email, count(*) n FROM users u",
            PG,
        )
        .unwrap()[0];
        let Head::Object(h) = head(s, PG).unwrap() else {
            panic!()
        };
        assert_eq!(view_columns(s, &h, PG).unwrap(), ["id", "email", "n"]);
        let s = &statements("CREATE VIEW v AS SELECT * FROM users", PG).unwrap()[0];
        let Head::Object(h) = head(s, PG).unwrap() else {
            panic!()
        };
        assert_eq!(view_columns(s, &h, PG), None);
        let s = &statements(
            "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'select 1'",
            PG,
        )
        .unwrap()[0];
        let Head::Object(h) = head(s, PG).unwrap() else {
            panic!()
        };
        assert_eq!(function_signature(s, &h), "( a int ) returns int");
    }

    #[test]
    fn qualifiers_are_stripped_outside_strings() {
        assert_eq!(
            strip_qualifier("CREATE TRIGGER t AFTER INSERT ON public.users FOR EACH ROW EXECUTE FUNCTION public.f('public.x')", "public", PG),
            "CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION f('public.x')"
        );
        assert_eq!(
            strip_qualifier("select `db`.`t`.`a` from `db`.`t`", "db", MY),
            "select `t`.`a` from `t`"
        );
    }
}
