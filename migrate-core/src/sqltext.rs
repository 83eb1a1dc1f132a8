//! Just enough reading of hand-written SQL (`m.sql(...)`) to tell what a DDL statement does:
//! which table it changes, whether it builds an index concurrently, whether a constraint is
//! added `NOT VALID`. It is a tokenizer and a few patterns, not a parser; a statement it cannot
//! read is simply not classified.

/// One token of a statement: keywords and bare names upper-cased for matching (the original
/// spelling kept), quoted identifiers unquoted, punctuation on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A bare word: keyword or unquoted identifier.
    Word {
        /// Upper-cased, for matching keywords.
        upper: String,
        /// As written (PostgreSQL folds it to lower case as a name).
        text: String,
    },
    /// A `"quoted"` or `` `quoted` `` identifier, unquoted.
    Quoted(String),
    /// Anything else that is not blank, a comment or a string literal.
    Punct(char),
}

impl Token {
    /// Whether it is the keyword `kw` (upper case).
    pub fn is(&self, kw: &str) -> bool {
        matches!(self, Token::Word { upper, .. } if upper == kw)
    }

    /// The name it spells, if it is a name: a quoted identifier as written, a bare one folded
    /// to lower case as PostgreSQL and MySQL (on Linux, for tables created lower case) read it.
    pub fn name(&self) -> Option<String> {
        match self {
            Token::Word { text, .. } => Some(text.to_lowercase()),
            Token::Quoted(name) => Some(name.clone()),
            Token::Punct(_) => None,
        }
    }
}

/// The tokens of `sql`, comments and string literals dropped.
pub fn tokens(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' {
            // A literal: '' inside it is a quote, not its end.
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    i += 1;
                }
            }
            i += 1;
        } else if c == '"' || c == '`' {
            let mut name = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    name.push(c);
                    i += 2;
                } else if chars[i] == c {
                    break;
                } else {
                    name.push(chars[i]);
                    i += 1;
                }
            }
            i += 1;
            out.push(Token::Quoted(name));
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Token::Word {
                upper: text.to_uppercase(),
                text,
            });
        } else {
            out.push(Token::Punct(c));
            i += 1;
        }
    }
    out
}

/// A name that may be schema-qualified (`public.posts`): the last part.
fn qualified_name(tokens: &[Token], at: usize) -> Option<(String, usize)> {
    let mut name = tokens.get(at)?.name()?;
    let mut next = at + 1;
    while tokens.get(next) == Some(&Token::Punct('.')) {
        name = tokens.get(next + 1)?.name()?;
        next += 2;
    }
    Some((name, next))
}

/// Skips the keywords `kws` in order where they appear (`IF NOT EXISTS`, `ONLY`).
fn skip(tokens: &[Token], mut at: usize, kws: &[&str]) -> usize {
    let start = at;
    for kw in kws {
        if tokens.get(at).is_some_and(|t| t.is(kw)) {
            at += 1;
        } else {
            return start;
        }
    }
    at
}

/// What a DDL statement does, as far as lock and rewrite go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ddl {
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table ...`.
    CreateIndex {
        /// The index name, when given.
        name: Option<String>,
        /// The table.
        table: String,
        /// `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `DROP INDEX [CONCURRENTLY] name`.
    DropIndex {
        /// The index.
        name: String,
        /// `CONCURRENTLY`.
        concurrently: bool,
    },
    /// `ALTER TABLE table ...`, with what its clauses do.
    AlterTable {
        /// The table.
        table: String,
        /// `ADD [CONSTRAINT x] FOREIGN KEY` / `REFERENCES`.
        adds_foreign_key: bool,
        /// `ADD [CONSTRAINT x] CHECK`.
        adds_check: bool,
        /// `NOT VALID` appears.
        not_valid: bool,
        /// `ALTER [COLUMN] c SET NOT NULL`.
        sets_not_null: bool,
        /// `ALTER [COLUMN] c [SET DATA] TYPE`.
        changes_type: bool,
        /// `ADD [CONSTRAINT x] UNIQUE|PRIMARY KEY` without `USING INDEX`.
        adds_key_without_index: bool,
        /// `VALIDATE CONSTRAINT`.
        validates: bool,
    },
    /// `ALTER TYPE name ADD VALUE ...`, which PostgreSQL runs outside a transaction block
    /// before version 12 and which cannot be used in the transaction that adds it.
    AddEnumValue,
    /// `VACUUM FULL`, `CLUSTER` or `REINDEX` without `CONCURRENTLY`: the table rewritten
    /// under an exclusive lock.
    Rewrite {
        /// The table, when named.
        table: Option<String>,
    },
    /// `REINDEX ... CONCURRENTLY`.
    ReindexConcurrently,
}

/// What `sql` does, when it is one of the statements [`Ddl`] knows.
pub fn classify(sql: &str) -> Option<Ddl> {
    let t = tokens(sql);
    let first = t.first()?;
    if first.is("CREATE") {
        let mut at = 1;
        at = skip(&t, at, &["UNIQUE"]);
        if !t.get(at)?.is("INDEX") {
            return None;
        }
        at += 1;
        let concurrently = t.get(at).is_some_and(|x| x.is("CONCURRENTLY"));
        if concurrently {
            at += 1;
        }
        at = skip(&t, at, &["IF", "NOT", "EXISTS"]);
        let name = if t.get(at)?.is("ON") {
            None
        } else {
            let (name, next) = qualified_name(&t, at)?;
            at = next;
            Some(name)
        };
        if !t.get(at)?.is("ON") {
            return None;
        }
        at = skip(&t, at + 1, &["ONLY"]);
        let (table, _) = qualified_name(&t, at)?;
        return Some(Ddl::CreateIndex {
            name,
            table,
            concurrently,
        });
    }
    if first.is("DROP") && t.get(1)?.is("INDEX") {
        let mut at = 2;
        let concurrently = t.get(at).is_some_and(|x| x.is("CONCURRENTLY"));
        if concurrently {
            at += 1;
        }
        at = skip(&t, at, &["IF", "EXISTS"]);
        let (name, _) = qualified_name(&t, at)?;
        return Some(Ddl::DropIndex { name, concurrently });
    }
    if first.is("ALTER") && t.get(1)?.is("TYPE") {
        return t
            .windows(2)
            .any(|w| w[0].is("ADD") && w[1].is("VALUE"))
            .then_some(Ddl::AddEnumValue);
    }
    if first.is("ALTER") && t.get(1)?.is("TABLE") {
        let mut at = skip(&t, 2, &["IF", "EXISTS"]);
        at = skip(&t, at, &["ONLY"]);
        let (table, _) = qualified_name(&t, at)?;
        let any = |pattern: &[&str]| {
            t.windows(pattern.len())
                .any(|w| w.iter().zip(pattern).all(|(tok, kw)| tok.is(kw)))
        };
        // `ALTER [COLUMN] c SET NOT NULL` / `TYPE`: the word after the column name.
        let mut sets_not_null = false;
        let mut changes_type = false;
        for (i, tok) in t.iter().enumerate() {
            if !tok.is("ALTER") || i < 2 {
                continue;
            }
            let column_at = if t.get(i + 1).is_some_and(|x| x.is("COLUMN")) {
                i + 2
            } else {
                i + 1
            };
            let rest = &t[(column_at + 1).min(t.len())..];
            let starts = |kws: &[&str]| {
                rest.len() >= kws.len() && rest.iter().zip(kws).all(|(tok, kw)| tok.is(kw))
            };
            sets_not_null |= starts(&["SET", "NOT", "NULL"]);
            changes_type |= starts(&["TYPE"]) || starts(&["SET", "DATA", "TYPE"]);
        }
        let adds_key = t.iter().enumerate().any(|(i, tok)| {
            (tok.is("UNIQUE") || (tok.is("PRIMARY") && t.get(i + 1).is_some_and(|x| x.is("KEY"))))
                && t[..i].iter().any(|x| x.is("ADD"))
        });
        return Some(Ddl::AlterTable {
            table,
            adds_foreign_key: any(&["ADD"]) && (any(&["FOREIGN", "KEY"]) || any(&["REFERENCES"])),
            adds_check: any(&["ADD"]) && t.iter().any(|x| x.is("CHECK")),
            not_valid: any(&["NOT", "VALID"]),
            sets_not_null,
            changes_type,
            adds_key_without_index: adds_key && !any(&["USING", "INDEX"]),
            validates: any(&["VALIDATE", "CONSTRAINT"]),
        });
    }
    if first.is("VACUUM") && t.iter().any(|x| x.is("FULL")) || first.is("CLUSTER") {
        let table = t
            .iter()
            .skip(1)
            .filter(|x| !x.is("FULL") && !x.is("VERBOSE") && !x.is("ANALYZE"))
            .find_map(Token::name);
        return Some(Ddl::Rewrite { table });
    }
    if first.is("REINDEX") {
        if t.iter().any(|x| x.is("CONCURRENTLY")) {
            return Some(Ddl::ReindexConcurrently);
        }
        return Some(Ddl::Rewrite {
            table: t.get(2).and_then(Token::name),
        });
    }
    None
}

/// The table a DDL statement changes, when it names one.
pub fn table_of(sql: &str) -> Option<String> {
    match classify(sql)? {
        Ddl::CreateIndex { table, .. } | Ddl::AlterTable { table, .. } => Some(table),
        Ddl::Rewrite { table } => table,
        Ddl::DropIndex { .. } | Ddl::AddEnumValue | Ddl::ReindexConcurrently => None,
    }
}

/// Whether PostgreSQL refuses to run `sql` inside a transaction block, so the runner must run it
/// after the migration's transaction: the `CONCURRENTLY` forms.
pub fn must_run_outside_transaction(sql: &str) -> bool {
    matches!(
        classify(sql),
        Some(
            Ddl::CreateIndex {
                concurrently: true,
                ..
            } | Ddl::DropIndex {
                concurrently: true,
                ..
            } | Ddl::ReindexConcurrently
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_index_forms() {
        assert_eq!(
            classify(
                "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"Ix\" ON ONLY public.posts (a)"
            ),
            Some(Ddl::CreateIndex {
                name: Some("Ix".into()),
                table: "posts".into(),
                concurrently: true
            })
        );
        assert_eq!(
            classify("-- why\ncreate index ix_a on Posts(a)"),
            Some(Ddl::CreateIndex {
                name: Some("ix_a".into()),
                table: "posts".into(),
                concurrently: false
            })
        );
        assert_eq!(
            classify("CREATE INDEX ON posts (a)"),
            Some(Ddl::CreateIndex {
                name: None,
                table: "posts".into(),
                concurrently: false
            })
        );
        assert!(must_run_outside_transaction(
            "DROP INDEX CONCURRENTLY IF EXISTS ix"
        ));
        assert!(!must_run_outside_transaction("DROP INDEX ix"));
    }

    #[test]
    fn alter_table_clauses() {
        let Some(Ddl::AlterTable {
            table,
            adds_foreign_key,
            not_valid,
            ..
        }) = classify(
            "ALTER TABLE \"posts\" ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES users (id) NOT VALID",
        )
        else {
            panic!("not read")
        };
        assert_eq!(table, "posts");
        assert!(adds_foreign_key && not_valid);
        let Some(Ddl::AlterTable {
            sets_not_null,
            changes_type,
            adds_check,
            ..
        }) = classify("ALTER TABLE posts ALTER COLUMN title SET NOT NULL, ALTER body TYPE text")
        else {
            panic!("not read")
        };
        assert!(sets_not_null && changes_type && !adds_check);
        // A literal that spells a keyword is not one.
        let Some(Ddl::AlterTable { adds_check, .. }) =
            classify("ALTER TABLE posts ALTER COLUMN s SET DEFAULT 'CHECK'")
        else {
            panic!("not read")
        };
        assert!(!adds_check);
        let Some(Ddl::AlterTable {
            adds_key_without_index,
            ..
        }) = classify("ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX uq")
        else {
            panic!("not read")
        };
        assert!(!adds_key_without_index);
    }

    #[test]
    fn other_statements() {
        assert_eq!(classify("UPDATE posts SET a = 1"), None);
        assert_eq!(
            classify("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'"),
            Some(Ddl::AddEnumValue)
        );
        assert_eq!(
            classify("VACUUM FULL posts"),
            Some(Ddl::Rewrite {
                table: Some("posts".into())
            })
        );
    }
}
