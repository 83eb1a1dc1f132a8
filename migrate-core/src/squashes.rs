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
/// last replaced revision is applied among them. The run a squash replaces is linear (squash
/// refuses branches inside it), so a database that applied its last revision went through all
/// of it, by the originals or by a squash of some of them, even once their files are gone.
pub fn effective_applied(nodes: &[RevisionNode<'_>], applied: &BTreeSet<&str>) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = applied.iter().map(|r| r.to_string()).collect();
    loop {
        let reached: Vec<&str> = nodes
            .iter()
            .filter(|n| !n.replaces.is_empty() && !out.contains(n.revision))
            .filter(|n| n.replaces.last().is_some_and(|r| out.contains(*r)))
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

/// Why a database goes through the originals of a squash.
enum Way<'a> {
    /// The target is one of them.
    Inside(&'a str),
    /// It applied the first ones (`done`) and not the rest.
    Partly {
        done: Vec<&'a str>,
        rest: Vec<&'a str>,
    },
    /// A squash it replaces is gone through (a squash of squashes).
    Holds(&'a str),
}

/// The squashes a database whose history holds `applied` goes through as the revisions they
/// replace: those it is part-way through, the ones whose range holds `target` (a revision
/// being upgraded or downgraded to, or named by `sql` or `lint`), and each squash that
/// replaces one of these. An error, naming the revisions, when that needs files that are gone,
/// or when the database applied the squash itself and the target is inside it.
pub fn expansions(
    nodes: &[RevisionNode<'_>],
    applied: &BTreeSet<&str>,
    target: Option<&str>,
) -> Result<BTreeSet<String>> {
    let present: BTreeSet<&str> = nodes.iter().map(|n| n.revision).collect();
    let reached = effective_applied(nodes, applied);
    let squashes: Vec<&RevisionNode<'_>> =
        nodes.iter().filter(|n| !n.replaces.is_empty()).collect();
    let mut ways: Vec<(&RevisionNode<'_>, Way<'_>)> = Vec::new();
    for squash in &squashes {
        let inside = target.and_then(|t| squash.replaces.iter().copied().find(|r| *r == t));
        if let (true, Some(target)) = (applied.contains(squash.revision), inside) {
            return Err(Error::Target(format!(
                "revision {target} is inside {} (revision {}), which the database applied as one migration; go back to before it (`downgrade {}`), then `upgrade {target}`",
                squash.file,
                squash.revision,
                squash.revises.first().copied().unwrap_or("base"),
            )));
        }
        if let Some(target) = inside {
            ways.push((squash, Way::Inside(target)));
            continue;
        }
        // Applied up to the last of its revisions the database reached.
        let Some(last) = squash.replaces.iter().rposition(|r| reached.contains(*r)) else {
            continue;
        };
        let rest = squash.replaces[last + 1..].to_vec();
        if applied.contains(squash.revision) || rest.is_empty() {
            continue;
        }
        let done = squash.replaces[..=last]
            .iter()
            .copied()
            .filter(|r| reached.contains(*r))
            .collect();
        ways.push((squash, Way::Partly { done, rest }));
    }
    // A squash gone through that another one replaces takes that one apart too.
    let mut expanded: BTreeSet<String> = ways.iter().map(|(s, _)| s.revision.to_string()).collect();
    loop {
        let outer: Vec<(&RevisionNode<'_>, Way<'_>)> = squashes
            .iter()
            .filter(|s| !expanded.contains(s.revision))
            .filter_map(|s| {
                let inner = s.replaces.iter().copied().find(|r| expanded.contains(*r))?;
                Some((*s, Way::Holds(inner)))
            })
            .collect();
        if outer.is_empty() {
            break;
        }
        expanded.extend(outer.iter().map(|(s, _)| s.revision.to_string()));
        ways.extend(outer);
    }
    for (squash, way) in &ways {
        let missing: Vec<&str> = crate::revisions::needed_originals(nodes, squash, &expanded)
            .into_iter()
            .filter(|r| !present.contains(r))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let (file, revision, gone) = (squash.file, squash.revision, missing.join(", "));
        return Err(Error::Target(match way {
            Way::Inside(target) => format!(
                "revision {target} is squashed into {file} (revision {revision}) and the files of {gone} are gone; target {revision} or a revision outside it",
            ),
            Way::Partly { done, rest } => format!(
                "the database applied {} of the revisions squashed into {file} (revision {revision}) but not {}, and the files of {gone} are gone: restore them from version control to bring it to {}",
                done.join(", "),
                rest.join(", "),
                squash.replaces.last().expect("a squash replaces something"),
            ),
            Way::Holds(inner) => format!(
                "going through the revisions squashed into {inner} means going through those squashed into {file} (revision {revision}), and the files of {gone} are gone: restore them from version control",
            ),
        }));
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

    /// 1 -> 2 -> 3 -> 4 -> 5, S squashing 2 and 3, then T squashing S and 4 (listing S's
    /// originals before S, as `squash` writes a squash of squashes).
    fn nested<'a>() -> Vec<RevisionNode<'a>> {
        vec![
            node("1", &[], &[]),
            node("2", &["1"], &[]),
            node("3", &["2"], &[]),
            node("4", &["3"], &[]),
            node("S", &["1"], &["2", "3"]),
            node("5", &["4"], &[]),
            node("T", &["1"], &["2", "3", "S", "4"]),
        ]
    }

    fn order(nodes: &[RevisionNode<'_>], expanded: &BTreeSet<String>) -> Vec<String> {
        let (graph, _) = RevisionGraph::with_expanded(nodes, expanded).unwrap();
        graph.order().to_vec()
    }

    fn without<'a>(nodes: Vec<RevisionNode<'a>>, gone: &[&str]) -> Vec<RevisionNode<'a>> {
        nodes
            .into_iter()
            .filter(|n| !gone.contains(&n.revision))
            .collect()
    }

    #[test]
    fn a_squash_of_squashes_takes_each_database_its_own_way() {
        let nodes = nested();
        let none = applied(&[]);
        assert_eq!(order(&nodes, &BTreeSet::new()), ["1", "T", "5"]);
        // Applied before any squash, through S, through T: each has reached T.
        for rows in [&["1", "2", "3", "4"][..], &["1", "S", "4"], &["1", "T"]] {
            let reached = effective_applied(&nodes, &applied(rows));
            assert!(reached.contains("T"), "{rows:?}");
            assert!(expansions(&nodes, &applied(rows), None).unwrap().is_empty());
        }
        // Part-way through S: through the originals of both.
        let both = expansions(&nodes, &applied(&["1", "2"]), None).unwrap();
        assert_eq!(both, BTreeSet::from(["S".to_string(), "T".to_string()]));
        assert_eq!(order(&nodes, &both), ["1", "2", "3", "4", "5"]);
        // Through S (applied as one, or reached by its originals), not through 4: S stays.
        for rows in [&["1", "S"][..], &["1", "2", "3"]] {
            let way = expansions(&nodes, &applied(rows), None).unwrap();
            assert_eq!(way, BTreeSet::from(["T".to_string()]), "{rows:?}");
            assert_eq!(order(&nodes, &way), ["1", "S", "4", "5"]);
        }
        // A target inside S takes both apart; S itself, only T.
        let inside = expansions(&nodes, &none, Some("2")).unwrap();
        assert_eq!(inside, both);
        let at_s = expansions(&nodes, &none, Some("S")).unwrap();
        assert_eq!(at_s, BTreeSet::from(["T".to_string()]));
        let err = expansions(&nodes, &applied(&["1", "S"]), Some("3"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("applied as one migration"), "{err}");
    }

    #[test]
    fn a_squash_of_squashes_needs_only_the_files_its_way_goes_through() {
        // S's originals deleted once every database was past S.
        let nodes = without(nested(), &["2", "3"]);
        let way = expansions(&nodes, &applied(&["1", "S"]), None).unwrap();
        assert_eq!(order(&nodes, &way), ["1", "S", "4", "5"]);
        let err = expansions(&nodes, &applied(&["1", "2"]), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("squashed into S (revision S) but not 3, and the files of 2, 3 are gone"),
            "{err}"
        );
        // Every original of T deleted: databases past T, however they got there, are at T;
        // their rows are accounted for by T.
        let nodes = without(nested(), &["2", "3", "S", "4"]);
        for rows in [&["1", "2", "3", "4"][..], &["1", "S", "4"], &["1", "T"]] {
            assert!(effective_applied(&nodes, &applied(rows)).contains("T"));
            assert!(expansions(&nodes, &applied(rows), None).unwrap().is_empty());
            for row in rows.iter().filter(|r| !["1", "T"].contains(r)) {
                assert!(replaced_by_present(&nodes, row), "{row}");
            }
        }
        assert_eq!(order(&nodes, &BTreeSet::new()), ["1", "T", "5"]);
        let err = expansions(&nodes, &applied(&["1", "S"]), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("but not 4, and the files of"), "{err}");
    }
}
