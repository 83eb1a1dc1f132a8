//! Squashed migrations in the revision graph (Django's `replaces`): a squash stands for the
//! run of revisions it replaces. A database that applied none of them goes through the squash;
//! one that applied all of them counts the squash as applied (derived from the rows of the
//! originals, nothing written); one part-way through goes on through the originals while
//! their files exist. Pure: the runner (over compiled migrations) and the project commands
//! (over the files' headers) decide alike.

use std::collections::BTreeSet;

use crate::error::{Error, Result};
use crate::revisions::RevisionNode;

/// The revisions a database whose history holds `applied` has applied, each squash whose
/// replaced revisions are all applied among them.
pub fn effective_applied(nodes: &[RevisionNode<'_>], applied: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = applied.iter().map(|r| r.to_string()).collect();
    loop {
        let reached: Vec<&str> = nodes
            .iter()
            .filter(|n| !n.replaces.is_empty() && !out.contains(n.revision))
            .filter(|n| n.replaces.iter().all(|r| out.contains(*r)))
            .map(|n| n.revision)
            .collect();
        if reached.is_empty() {
            return out;
        }
        out.extend(reached.into_iter().map(str::to_string));
    }
}

/// Whether a history row of `revision` whose file is gone is accounted for: a squash that is
/// present replaces it.
pub fn replaced_by_present(nodes: &[RevisionNode<'_>], revision: &str) -> bool {
    nodes.iter().any(|n| n.replaces.contains(&revision))
}

/// The squashes a database whose history holds `applied` goes through as the revisions they
/// replace: those it is part-way through, and the one whose range holds `target` (a revision
/// being upgraded or downgraded to). An error, naming the revisions, when that needs files
/// that are gone, or when the database applied the squash itself and the target is inside it.
pub fn expansions(
    nodes: &[RevisionNode<'_>],
    applied: &BTreeSet<&str>,
    target: Option<&str>,
) -> Result<BTreeSet<String>> {
    let present: BTreeSet<&str> = nodes.iter().map(|n| n.revision).collect();
    let reached = effective_applied(nodes, applied);
    let mut expanded = BTreeSet::new();
    for squash in nodes.iter().filter(|n| !n.replaces.is_empty()) {
        let done: Vec<&str> = squash
            .replaces
            .iter()
            .copied()
            .filter(|r| reached.contains(*r))
            .collect();
        let rest: Vec<&str> = squash
            .replaces
            .iter()
            .copied()
            .filter(|r| !reached.contains(*r))
            .collect();
        let inside = target.filter(|t| squash.replaces.contains(t));
        let part_way = !applied.contains(squash.revision) && !done.is_empty() && !rest.is_empty();
        if let (true, Some(target)) = (applied.contains(squash.revision), inside) {
            return Err(Error::Target(format!(
                "revision {target} is inside {} (revision {}), which the database applied as one migration; go back to before it (`downgrade {}`), then `upgrade {target}`",
                squash.file,
                squash.revision,
                squash.revises.first().copied().unwrap_or("base"),
            )));
        }
        if !part_way && inside.is_none() {
            continue;
        }
        let missing: Vec<&str> = squash
            .replaces
            .iter()
            .copied()
            .filter(|r| !present.contains(r))
            .collect();
        if !missing.is_empty() {
            return Err(Error::Target(match inside {
                Some(target) if !part_way => format!(
                    "revision {target} is squashed into {} (revision {}) and the files of {} are gone; target {} or a revision outside it",
                    squash.file,
                    squash.revision,
                    missing.join(", "),
                    squash.revision,
                ),
                _ => format!(
                    "the database applied {} of the revisions squashed into {} (revision {}) but not {}, and the files of {} are gone: restore them from version control to bring it to {}",
                    done.join(", "),
                    squash.file,
                    squash.revision,
                    rest.join(", "),
                    missing.join(", "),
                    squash.replaces.last().expect("a squash replaces something"),
                ),
            }));
        }
        expanded.insert(squash.revision.to_string());
    }
    Ok(expanded)
}

/// The revision of any node (hidden or not) that `prefix` names alone, if one does: how a
/// target inside a squash is recognised before the graph that hides it is chosen.
pub fn resolve_any<'a>(nodes: &[RevisionNode<'a>], prefix: &str) -> Option<&'a str> {
    let mut matches = nodes
        .iter()
        .map(|n| n.revision)
        .filter(|r| r.starts_with(prefix));
    let one = matches.next()?;
    matches.next().is_none().then_some(one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::revisions::RevisionGraph;

    fn node<'a>(
        revision: &'a str,
        revises: &'a [&'a str],
        replaces: &'a [&'a str],
    ) -> RevisionNode<'a> {
        RevisionNode {
            revision,
            revises,
            file: revision,
            replaces,
        }
    }

    /// 1 -> 2 -> 3 -> 4, with S squashing 2 and 3, and 5 revising S.
    fn chain<'a>() -> Vec<RevisionNode<'a>> {
        vec![
            node("1", &[], &[]),
            node("2", &["1"], &[]),
            node("3", &["2"], &[]),
            node("4", &["3"], &[]),
            node("S", &["1"], &["2", "3"]),
            node("5", &["4"], &[]),
        ]
    }

    fn applied<'a>(revisions: &[&'a str]) -> BTreeSet<&'a str> {
        revisions.iter().copied().collect()
    }

    #[test]
    fn a_squash_hides_what_it_replaces_and_takes_its_links() {
        let (graph, _) = RevisionGraph::new(&chain()).unwrap();
        assert_eq!(graph.order(), ["1", "S", "4", "5"]);
        let expanded = BTreeSet::from(["S".to_string()]);
        let (graph, _) = RevisionGraph::with_expanded(&chain(), &expanded).unwrap();
        assert_eq!(graph.order(), ["1", "2", "3", "4", "5"]);
        // Once the originals are gone, only the squash remains.
        let nodes: Vec<_> = chain()
            .into_iter()
            .filter(|n| n.revision != "2" && n.revision != "3")
            .collect();
        let (graph, _) = RevisionGraph::new(&nodes).unwrap();
        assert_eq!(graph.order(), ["1", "S", "4", "5"]);
        assert!(RevisionGraph::with_expanded(&nodes, &expanded).is_err());
    }

    #[test]
    fn a_module_written_after_the_squash_follows_the_originals_too() {
        let mut nodes = chain();
        nodes[3] = node("4", &["S"], &[]);
        let expanded = BTreeSet::from(["S".to_string()]);
        let (graph, _) = RevisionGraph::with_expanded(&nodes, &expanded).unwrap();
        assert_eq!(graph.order(), ["1", "2", "3", "4", "5"]);
    }

    #[test]
    fn where_a_database_stands_decides_the_way() {
        let nodes = chain();
        let none = expansions(&nodes, &applied(&["1"]), None).unwrap();
        assert!(none.is_empty());
        let all = expansions(&nodes, &applied(&["1", "2", "3"]), None).unwrap();
        assert!(all.is_empty());
        assert!(effective_applied(&nodes, &applied(&["1", "2", "3"])).contains("S"));
        let part = expansions(&nodes, &applied(&["1", "2"]), None).unwrap();
        assert_eq!(part, BTreeSet::from(["S".to_string()]));
        let inside = expansions(&nodes, &applied(&["1", "2", "3", "4"]), Some("2")).unwrap();
        assert_eq!(inside, BTreeSet::from(["S".to_string()]));
        let err = expansions(&nodes, &applied(&["1", "S"]), Some("2"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("applied as one migration"), "{err}");
    }

    #[test]
    fn part_way_without_the_originals_names_them() {
        let nodes: Vec<_> = chain().into_iter().filter(|n| n.revision != "3").collect();
        let err = expansions(&nodes, &applied(&["1", "2"]), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the database applied 2 of the revisions squashed into S (revision S) but not 3, and the files of 3 are gone: restore them from version control to bring it to 3"
        );
        assert!(replaced_by_present(&nodes, "3"));
        assert!(!replaced_by_present(&nodes, "4"));
    }
}
