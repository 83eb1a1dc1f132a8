//! The rule by which a `///` doc comment is a table or column comment, in both directions: the
//! derive reads doc lines into the comment, `adopt --models` writes a comment back as doc lines
//! only when reading them gives the same text. Pure std, shared with migrate-core.

/// The comment that doc lines (the values of `#[doc = "..."]`, one per `///` line) spell: each
/// line loses one leading space (the one after `///`) and its trailing whitespace (the space
/// before a block comment's `*/`), lines are joined with `"\n"`, and blank lines at the start
/// and end are dropped. `None` when nothing but blank lines remains.
pub fn comment_from_doc_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lines: Vec<&str> = lines
        .into_iter()
        // A `/** ... */` block arrives as one value holding several lines.
        .flat_map(|value| value.split('\n'))
        .map(|line| line.strip_prefix(' ').unwrap_or(line).trim_end())
        .collect();
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let last = lines.iter().rposition(|l| !l.trim().is_empty())?;
    Some(lines[first..=last].join("\n"))
}

/// The `///` lines (without the `///`) that read back as exactly `comment`, or `None` when no
/// doc comment can: blank lines at either end and trailing whitespace would be dropped, and a
/// carriage return cannot stand in a doc comment.
pub fn doc_lines_for_comment(comment: &str) -> Option<Vec<String>> {
    let lines: Vec<&str> = comment.split('\n').collect();
    let blank_edge = lines.first().is_none_or(|l| l.trim().is_empty())
        || lines.last().is_none_or(|l| l.trim().is_empty());
    if blank_edge
        || comment.contains('\r')
        || lines.iter().any(|l| {
            l.ends_with(char::is_whitespace) || l.chars().any(|c| c.is_control() && c != '\t')
        })
    {
        return None;
    }
    let rendered: Vec<String> = lines
        .iter()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect();
    // The rule is checked, not assumed: what is written is what the derive reads.
    (comment_from_doc_lines(rendered.iter().map(String::as_str)).as_deref() == Some(comment))
        .then_some(rendered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_lose_one_leading_space_and_join_with_newlines() {
        assert_eq!(
            comment_from_doc_lines([" Posts by users.", "", "  Indented."]).as_deref(),
            Some("Posts by users.\n\n Indented.")
        );
        assert_eq!(
            comment_from_doc_lines(["", " One.", ""]).as_deref(),
            Some("One.")
        );
        assert_eq!(comment_from_doc_lines(["", "  "]), None);
        assert_eq!(
            comment_from_doc_lines(["\n A block \n second\n"]).as_deref(),
            Some("A block\nsecond")
        );
        assert_eq!(
            comment_from_doc_lines([" Trailing.  "]).as_deref(),
            Some("Trailing.")
        );
    }

    #[test]
    fn a_comment_becomes_doc_lines_only_when_they_read_back_the_same() {
        assert_eq!(
            doc_lines_for_comment("Two\n\n lines"),
            Some(vec![" Two".into(), String::new(), "  lines".into()])
        );
        assert_eq!(doc_lines_for_comment("\nleading newline"), None);
        assert_eq!(doc_lines_for_comment("trailing space "), None);
        assert_eq!(doc_lines_for_comment("carriage\r\nreturn"), None);
        assert_eq!(doc_lines_for_comment("ends\n"), None);
        assert_eq!(doc_lines_for_comment(" "), None);
    }
}
