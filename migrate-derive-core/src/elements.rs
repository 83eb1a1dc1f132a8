//! The SQL spellings the model attributes take for what is not a plain list of fields: the
//! elements of an index (`on = "lower(email), created_at DESC NULLS LAST"`) and the parts of an
//! exclusion constraint.
//!
//! Pure std, like [`crate::spelling`]: the derive rejects at compile time what does not parse,
//! and migrate-core writes the same spellings back when it writes models (`adopt --models`), so
//! that what it writes reads back equal.

/// One element of an index, as `on = "..."` spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexElement {
    /// What is indexed.
    pub target: ElementTarget,
    /// `DESC`.
    pub descending: bool,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`), only where it is not the
    /// direction's default (NULLs sort last ascending, first descending).
    pub nulls_first: Option<bool>,
    /// The operator class (`gin_trgm_ops`).
    pub opclass: Option<String>,
    /// `COLLATE`.
    pub collation: Option<String>,
    /// MySQL prefix length: `title(10)`.
    pub length: Option<u32>,
}

/// What an index element indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementTarget {
    /// A column, by name (a double-quoted name unquoted).
    Column(String),
    /// An expression, without the parentheses around it: `lower(email)`.
    Expression(String),
}

/// Parses an element list: columns or expressions (in parentheses, or a function call), each
/// optionally followed by `COLLATE name`, an operator class, `ASC`/`DESC` and `NULLS
/// FIRST`/`NULLS LAST`; a column may carry a MySQL prefix length, `title(10)`.
pub fn parse_index_elements(text: &str) -> Result<Vec<IndexElement>, String> {
    let parts = split_top_level(text)?;
    if parts.iter().all(|p| p.trim().is_empty()) {
        return Err("expected at least one column or expression".into());
    }
    parts.iter().map(|p| parse_element(p)).collect()
}

/// Writes elements back in the spelling [`parse_index_elements`] reads.
pub fn write_index_elements(elements: &[IndexElement]) -> String {
    elements
        .iter()
        .map(write_element)
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_element(element: &IndexElement) -> String {
    let mut out = match &element.target {
        ElementTarget::Column(name) => identifier(name),
        ElementTarget::Expression(expr) => {
            // A function call reads best bare; anything else goes in parentheses.
            let bare = parse_element(expr).ok().filter(|e| {
                e.target == ElementTarget::Expression(expr.clone())
                    && e.length.is_none()
                    && e.opclass.is_none()
                    && e.collation.is_none()
                    && !e.descending
                    && e.nulls_first.is_none()
            });
            match bare {
                Some(_) => expr.clone(),
                None => format!("({expr})"),
            }
        }
    };
    if let Some(length) = element.length {
        out.push_str(&format!("({length})"));
    }
    if let Some(collation) = &element.collation {
        out.push_str(" COLLATE ");
        out.push_str(&identifier(collation));
    }
    if let Some(opclass) = &element.opclass {
        out.push(' ');
        out.push_str(opclass);
    }
    if element.descending {
        out.push_str(" DESC");
    }
    match element.nulls_first {
        Some(true) => out.push_str(" NULLS FIRST"),
        Some(false) => out.push_str(" NULLS LAST"),
        None => {}
    }
    out
}

/// A name as SQL spells it: bare when it is a lower-case identifier, else double-quoted.
fn identifier(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !is_element_keyword(name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn is_element_keyword(word: &str) -> bool {
    ["asc", "desc", "nulls", "collate", "first", "last"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

/// Splits at the commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("unbalanced `)` in \"{text}\""))?;
            }
            (None, ',') if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Err(format!("unterminated quote in \"{text}\""));
    }
    if depth != 0 {
        return Err(format!("unbalanced `(` in \"{text}\""));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

/// The byte index of the `)` closing the `(` at the start of `text`.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A name at the start of `text`: bare (letters, digits, `_`, `$`, and `.` when `dotted`) or
/// double-quoted. Returns the name and the rest.
fn take_name(text: &str, dotted: bool) -> Option<(String, &str)> {
    if let Some(rest) = text.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|&(_, d)| d) == Some('"') {
                    chars.next();
                    name.push('"');
                    continue;
                }
                return Some((name, &rest[i + 1..]));
            }
            name.push(c);
        }
        return None;
    }
    let first = text.chars().next()?;
    if !(first.is_alphabetic() || first == '_') {
        return None;
    }
    let end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '$' || (dotted && c == '.')))
        .map_or(text.len(), |(i, _)| i);
    Some((text[..end].to_string(), &text[end..]))
}

fn parse_element(part: &str) -> Result<IndexElement, String> {
    let text = part.trim();
    if text.is_empty() {
        return Err("an element of the list is empty".into());
    }
    let mut element = IndexElement {
        target: ElementTarget::Column(String::new()),
        descending: false,
        nulls_first: None,
        opclass: None,
        collation: None,
        length: None,
    };
    let rest = if text.starts_with('(') {
        let end = closing_paren(text).ok_or_else(|| format!("unbalanced `(` in \"{text}\""))?;
        let inner = text[1..end].trim();
        if inner.is_empty() {
            return Err(format!("empty expression in \"{text}\""));
        }
        element.target = ElementTarget::Expression(inner.to_string());
        &text[end + 1..]
    } else {
        let (name, after) = take_name(text, true).ok_or_else(|| {
            format!(
                "\"{text}\" is neither a column, a function call nor an expression in parentheses"
            )
        })?;
        let trimmed = after.trim_start();
        if trimmed.starts_with('(') {
            let end =
                closing_paren(trimmed).ok_or_else(|| format!("unbalanced `(` in \"{text}\""))?;
            let inner = trimmed[1..end].trim();
            let rest = &trimmed[end + 1..];
            match inner.parse::<u32>() {
                Ok(length) if !name.contains('.') || text.starts_with('"') => {
                    if length == 0 {
                        return Err(format!("a prefix length must be at least 1 in \"{text}\""));
                    }
                    element.target = ElementTarget::Column(name);
                    element.length = Some(length);
                }
                _ => {
                    let call_len = text.len() - rest.len();
                    element.target = ElementTarget::Expression(text[..call_len].to_string());
                }
            }
            rest
        } else {
            if name.contains('.') {
                return Err(format!(
                    "\"{name}\" is not a column of this table: write the column's own name"
                ));
            }
            element.target = ElementTarget::Column(name);
            after
        }
    };
    let mut words = rest.trim();
    let mut direction = None;
    while !words.is_empty() {
        let (word, after) =
            take_name(words, true).ok_or_else(|| format!("unexpected `{words}` in \"{text}\""))?;
        let after = after.trim_start();
        let upper = word.to_ascii_uppercase();
        let quoted = words.starts_with('"');
        match upper.as_str() {
            "COLLATE" if !quoted => {
                if element.collation.is_some() || element.opclass.is_some() || direction.is_some() {
                    return Err(format!(
                        "`COLLATE` comes right after the column in \"{text}\""
                    ));
                }
                let (name, after) = take_name(after, true)
                    .ok_or_else(|| format!("`COLLATE` needs a collation name in \"{text}\""))?;
                element.collation = Some(name);
                words = after.trim_start();
                continue;
            }
            "ASC" | "DESC" if !quoted => {
                if direction.is_some() || element.nulls_first.is_some() {
                    return Err(format!("the order is given twice in \"{text}\""));
                }
                direction = Some(upper == "DESC");
            }
            "NULLS" if !quoted => {
                if element.nulls_first.is_some() {
                    return Err(format!("`NULLS` is given twice in \"{text}\""));
                }
                let (which, after) = take_name(after, false)
                    .ok_or_else(|| format!("`NULLS` needs `FIRST` or `LAST` in \"{text}\""))?;
                element.nulls_first = match which.to_ascii_uppercase().as_str() {
                    "FIRST" => Some(true),
                    "LAST" => Some(false),
                    _ => return Err(format!("`NULLS` needs `FIRST` or `LAST` in \"{text}\"")),
                };
                words = after.trim_start();
                continue;
            }
            _ => {
                if element.opclass.is_some() || direction.is_some() || element.nulls_first.is_some()
                {
                    return Err(format!("unexpected `{word}` in \"{text}\""));
                }
                element.opclass = Some(word);
            }
        }
        words = after;
    }
    element.descending = direction == Some(true);
    // The direction's default order of NULLs is no option.
    if element.nulls_first == Some(element.descending) {
        element.nulls_first = None;
    }
    Ok(element)
}

/// An exclusion constraint's definition as PostgreSQL prints it (`USING gist (room WITH =,
/// during WITH &&) WHERE ((cancelled = false))`), composed from the attribute's parts.
pub fn exclusion_definition(using: &str, elements: &str, predicate: Option<&str>) -> String {
    let mut out = format!("USING {using} ({elements})");
    if let Some(predicate) = predicate {
        out.push_str(&format!(" WHERE ({predicate})"));
    }
    out
}

/// The parts of an exclusion definition `(using, elements, predicate)`, when it has exactly the
/// shape [`exclusion_definition`] writes.
pub fn exclusion_parts(definition: &str) -> Option<(String, String, Option<String>)> {
    let rest = definition.trim().strip_prefix("USING ")?;
    let (using, rest) = take_name(rest, false)?;
    let rest = rest.trim_start();
    let end = closing_paren(rest)?;
    let elements = rest[1..end].to_string();
    let rest = rest[end + 1..].trim();
    let predicate = if rest.is_empty() {
        None
    } else {
        let rest = rest.strip_prefix("WHERE ")?.trim_start();
        let end = closing_paren(rest)?;
        if !rest[end + 1..].trim().is_empty() {
            return None;
        }
        Some(rest[1..end].to_string())
    };
    let parts = (using, elements, predicate);
    (exclusion_definition(&parts.0, &parts.1, parts.2.as_deref()) == definition).then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str) -> IndexElement {
        IndexElement {
            target: ElementTarget::Column(name.into()),
            descending: false,
            nulls_first: None,
            opclass: None,
            collation: None,
            length: None,
        }
    }

    #[test]
    fn elements_parse_and_write_back() {
        let parsed = parse_index_elements(
            "lower(email), created_at DESC NULLS LAST, name COLLATE \"C\" text_pattern_ops, title(10), ((a + b)), \"Odd Name\" ASC NULLS LAST",
        )
        .unwrap();
        assert_eq!(
            parsed,
            [
                IndexElement {
                    target: ElementTarget::Expression("lower(email)".into()),
                    ..column("")
                },
                IndexElement {
                    descending: true,
                    nulls_first: Some(false),
                    ..column("created_at")
                },
                IndexElement {
                    collation: Some("C".into()),
                    opclass: Some("text_pattern_ops".into()),
                    ..column("name")
                },
                IndexElement {
                    length: Some(10),
                    ..column("title")
                },
                IndexElement {
                    target: ElementTarget::Expression("(a + b)".into()),
                    ..column("")
                },
                column("Odd Name"),
            ]
        );
        let written = write_index_elements(&parsed);
        assert_eq!(
            written,
            "lower(email), created_at DESC NULLS LAST, name COLLATE \"C\" text_pattern_ops, title(10), ((a + b)), \"Odd Name\""
        );
        assert_eq!(parse_index_elements(&written).unwrap(), parsed);
        // The direction's own order of NULLs is no option.
        assert_eq!(
            parse_index_elements("a DESC NULLS FIRST").unwrap(),
            [IndexElement {
                descending: true,
                ..column("a")
            }]
        );
    }

    #[test]
    fn malformed_elements_are_errors() {
        for bad in [
            "",
            "a,",
            "lower(email",
            "a DESC ASC",
            "a NULLS",
            "a NULLS MIDDLE",
            "a + b",
            "t.a",
            "a DESC opclass",
            "title(0)",
        ] {
            assert!(parse_index_elements(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exclusion_definitions_split_into_their_parts() {
        let def = exclusion_definition("gist", "room WITH =, during WITH &&", Some("(x > 0)"));
        assert_eq!(
            def,
            "USING gist (room WITH =, during WITH &&) WHERE ((x > 0))"
        );
        assert_eq!(
            exclusion_parts(&def),
            Some((
                "gist".into(),
                "room WITH =, during WITH &&".into(),
                Some("(x > 0)".into())
            ))
        );
        assert_eq!(exclusion_parts("USING gist (a WITH =) INCLUDE (b)"), None);
    }
}
