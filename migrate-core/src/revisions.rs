//! The revision graph: migrations ordered by their `REVISES` links, its heads, targets and
//! prefixes resolved to revisions, and where a database with a given history stands. Pure; the
//! runner (over compiled migrations) and the project commands (over the files' headers) build
//! the same graph, so they cannot disagree about order, heads or what a prefix names.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::{Error, Result};
use crate::history::Direction;

/// Where to go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The newest revision.
    Head,
    /// Before the first revision.
    Base,
    /// A revision id or a unique prefix of one.
    Revision(String),
    /// `+N` / `-N` steps from where the database is.
    Relative(i64),
}

impl Target {
    /// Parses `head`, `base`, `+N`, `-N` or a revision (prefix).
    pub fn parse(text: &str) -> Result<Target> {
        Ok(match text {
            "head" | "heads" => Target::Head,
            "base" => Target::Base,
            _ if text.starts_with(['+', '-']) => Target::Relative(text.parse().map_err(|_| {
                Error::Target(format!(
                    "`{text}` is not a target: expected head, base, a revision, +N or -N"
                ))
            })?),
            _ if !text.is_empty() => Target::Revision(text.to_string()),
            _ => {
                return Err(Error::Target(
                    "an empty target: expected head, base, a revision, +N or -N".into(),
                ))
            }
        })
    }
}

/// One migration as the graph sees it.
#[derive(Debug, Clone, Copy)]
pub struct RevisionNode<'a> {
    /// `REVISION`.
    pub revision: &'a str,
    /// `REVISES`.
    pub revises: &'a [&'a str],
    /// The file that declares it, for messages.
    pub file: &'a str,
    /// `REPLACES`: the revisions a squashed migration stands for, in apply order (empty for
    /// any other migration).
    pub replaces: &'a [&'a str],
}

/// The graph's nodes as one database goes through them, squashes (`crate::squashes`) taken
/// into account: the indices in `nodes` kept, and what
/// each kept node revises once the links to a revision that gave way are moved. A squash not
/// in `expanded` hides the revisions it replaces (a link to one of them is a link to the
/// squash); one in `expanded` is hidden itself (a link to it is a link to the last revision it
/// replaces), and every revision it replaces must have its file.
fn squash_view<'a>(
    nodes: &[RevisionNode<'a>],
    expanded: &BTreeSet<String>,
) -> Result<(Vec<usize>, Vec<Vec<&'a str>>)> {
    let present: BTreeSet<&str> = nodes.iter().map(|n| n.revision).collect();
    let mut moved: BTreeMap<&str, &str> = BTreeMap::new();
    for squash in nodes.iter().filter(|n| !n.replaces.is_empty()) {
        if expanded.contains(squash.revision) {
            if let Some(missing) = needed_originals(nodes, squash, expanded)
                .into_iter()
                .find(|r| !present.contains(r))
            {
                return Err(Error::Target(format!(
                    "{} (revision {}) squashes revision {missing}, whose file is gone",
                    squash.file, squash.revision
                )));
            }
            let last = squash.replaces.last().expect("a squash replaces something");
            moved.insert(squash.revision, last);
        } else {
            for replaced in squash.replaces {
                moved.insert(replaced, squash.revision);
            }
        }
    }
    // A squash of squashes moves a link more than once; the chain ends within `nodes.len()`.
    let resolve = |mut revision: &'a str| {
        for _ in 0..=nodes.len() {
            match moved.get(revision) {
                Some(next) if *next != revision => revision = next,
                _ => break,
            }
        }
        revision
    };
    let mut kept = Vec::new();
    let mut revises = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if resolve(node.revision) != node.revision {
            continue;
        }
        let mut links: Vec<&'a str> = Vec::new();
        for parent in node.revises {
            let parent = resolve(parent);
            if !links.contains(&parent) {
                links.push(parent);
            }
        }
        kept.push(i);
        revises.push(links);
    }
    Ok((kept, revises))
}

/// The revisions that must have their files for a database to go through the originals of
/// `squash`: those it replaces, less those a squash it also replaces stands for while that one
/// is not gone through itself. A squash of squashes lists the originals of the squashes it
/// takes in (each squash after its own), so one level tells.
pub fn needed_originals<'a>(
    nodes: &[RevisionNode<'a>],
    squash: &RevisionNode<'a>,
    expanded: &BTreeSet<String>,
) -> Vec<&'a str> {
    let covered: BTreeSet<&str> = squash
        .replaces
        .iter()
        .filter_map(|r| nodes.iter().find(|n| n.revision == *r))
        .filter(|inner| !inner.replaces.is_empty() && !expanded.contains(inner.revision))
        .flat_map(|inner| inner.replaces.iter().copied())
        .collect();
    squash
        .replaces
        .iter()
        .copied()
        .filter(|r| !covered.contains(r))
        .collect()
}

/// The migrations in the order they apply.
#[derive(Debug, Clone, Default)]
pub struct RevisionGraph {
    /// Revisions in apply order.
    order: Vec<String>,
    /// The revisions each one revises, by position in `order`.
    revises: Vec<Vec<String>>,
    /// Position in `order` of each revision.
    index: HashMap<String, usize>,
}

impl RevisionGraph {
    /// Orders `nodes` by their links, each squashed migration standing for the revisions it
    /// replaces; the permutation taken (`order[i]` is the index in `nodes` of the `i`-th to
    /// apply) comes with it. A revision declared twice, a link to a revision no file declares
    /// and a cycle are errors naming the files.
    pub fn new(nodes: &[RevisionNode<'_>]) -> Result<(RevisionGraph, Vec<usize>)> {
        Self::with_expanded(nodes, &BTreeSet::new())
    }

    /// [`Self::new`], with the squashes in `expanded` giving way to the revisions they replace
    /// (a database part-way through them, or a target among them).
    pub fn with_expanded(
        nodes: &[RevisionNode<'_>],
        expanded: &BTreeSet<String>,
    ) -> Result<(RevisionGraph, Vec<usize>)> {
        let (kept, revises) = squash_view(nodes, expanded)?;
        let view: Vec<RevisionNode<'_>> = kept
            .iter()
            .zip(&revises)
            .map(|(&i, revises)| RevisionNode {
                revises,
                ..nodes[i]
            })
            .collect();
        let (graph, permutation) = Self::build(&view)?;
        Ok((graph, permutation.into_iter().map(|i| kept[i]).collect()))
    }

    fn build(nodes: &[RevisionNode<'_>]) -> Result<(RevisionGraph, Vec<usize>)> {
        let mut by_revision: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, node) in nodes.iter().enumerate() {
            if let Some(other) = by_revision.insert(node.revision, i) {
                return Err(Error::DuplicateRevision {
                    revision: node.revision.to_string(),
                    first: nodes[other].file.to_string(),
                    second: node.file.to_string(),
                });
            }
        }
        for node in nodes {
            if let Some(parent) = node.revises.iter().find(|p| !by_revision.contains_key(*p)) {
                return Err(Error::UnknownParent {
                    file: node.file.to_string(),
                    parent: parent.to_string(),
                });
            }
        }
        // Kahn's algorithm; ties broken by revision id so the order is the same everywhere.
        let mut waiting: BTreeMap<&str, BTreeSet<&str>> = nodes
            .iter()
            .map(|n| (n.revision, n.revises.iter().copied().collect()))
            .collect();
        let mut permutation = Vec::with_capacity(nodes.len());
        while let Some(next) = waiting
            .iter()
            .find(|(_, parents)| parents.is_empty())
            .map(|(rev, _)| *rev)
        {
            waiting.remove(next);
            for parents in waiting.values_mut() {
                parents.remove(next);
            }
            permutation.push(by_revision[next]);
        }
        if !waiting.is_empty() {
            return Err(Error::RevisionCycle {
                revisions: waiting.keys().map(|r| r.to_string()).collect(),
            });
        }
        let order: Vec<String> = permutation
            .iter()
            .map(|&i| nodes[i].revision.to_string())
            .collect();
        let graph = RevisionGraph {
            index: order
                .iter()
                .enumerate()
                .map(|(i, r)| (r.clone(), i))
                .collect(),
            revises: permutation
                .iter()
                .map(|&i| nodes[i].revises.iter().map(|r| r.to_string()).collect())
                .collect(),
            order,
        };
        Ok((graph, permutation))
    }

    /// The revisions in apply order.
    pub fn order(&self) -> &[String] {
        &self.order
    }

    /// How many revisions there are.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The position of `revision` in apply order.
    pub fn index_of(&self, revision: &str) -> Option<usize> {
        self.index.get(revision).copied()
    }

    /// The position of `revision`, or an error saying no migration has it.
    fn require(&self, revision: &str) -> Result<usize> {
        self.index_of(revision)
            .ok_or_else(|| Error::Target(format!("no migration has revision {revision}")))
    }

    /// What `revision` revises, as the graph links it (a link to a revision a squash hides
    /// leads to the squash).
    pub fn revises_of(&self, revision: &str) -> &[String] {
        self.index_of(revision)
            .map_or(&[], |i| self.revises[i].as_slice())
    }

    /// Revisions that no other revision revises, in apply order.
    pub fn heads(&self) -> Vec<&str> {
        let revised: BTreeSet<&str> = self.revises.iter().flatten().map(String::as_str).collect();
        self.order
            .iter()
            .map(String::as_str)
            .filter(|r| !revised.contains(r))
            .collect()
    }

    /// The one head, or an error naming them when there are several (`then` says what to do).
    pub fn single_head(&self, then: &str) -> Result<Option<&str>> {
        match self.heads().as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(Error::Target(format!(
                "several heads ({}): {then}",
                many.join(", ")
            ))),
        }
    }

    /// Resolves a full revision id or a unique prefix.
    pub fn resolve(&self, prefix: &str) -> Result<&str> {
        let matches: Vec<&str> = self
            .order
            .iter()
            .map(String::as_str)
            .filter(|r| r.starts_with(prefix))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::UnknownRevision {
                prefix: prefix.to_string(),
            }),
            many => Err(Error::AmbiguousRevision {
                prefix: prefix.to_string(),
                revisions: many.iter().map(|r| r.to_string()).collect(),
            }),
        }
    }

    /// How many migrations, in apply order, lead up to `target` and include it: `len` for
    /// head, 0 for base. `None` for +N / -N, which each command counts from its own place.
    pub fn position(&self, target: &Target) -> Result<Option<usize>> {
        Ok(Some(match target {
            Target::Head => self.order.len(),
            Target::Base => 0,
            Target::Revision(text) => self.require(self.resolve(text)?)? + 1,
            Target::Relative(_) => return Ok(None),
        }))
    }

    /// The revision a database whose history holds `applied` is at: the last of them in apply
    /// order (`None`: base).
    pub fn current<'a>(&'a self, applied: &BTreeSet<&str>) -> Option<&'a str> {
        self.order
            .iter()
            .rev()
            .find(|r| applied.contains(r.as_str()))
            .map(String::as_str)
    }

    /// How many migrations lead up to the current revision (0 at base).
    pub fn current_position(&self, applied: &BTreeSet<&str>) -> usize {
        self.current(applied)
            .and_then(|r| self.index_of(r))
            .map_or(0, |i| i + 1)
    }

    /// How many migrations, in apply order, should be applied after a run in `direction` to
    /// `target` from `current` (as [`Self::current_position`] counts): a target behind the
    /// database for `upgrade`, ahead of it for `downgrade`, or past either end is an error.
    pub fn target_position(
        &self,
        target: &Target,
        current: usize,
        direction: Direction,
    ) -> Result<usize> {
        let len = self.order.len();
        let index = match target {
            Target::Head => {
                self.single_head("join them with `merge` first")?;
                len
            }
            Target::Relative(n) => {
                let wanted = current as i64 + n;
                if wanted < 0 || wanted > len as i64 {
                    return Err(Error::Target(format!(
                        "{}{n} goes past {}: the database is {current} step(s) from base and {} from head",
                        if *n > 0 { "+" } else { "" },
                        if wanted < 0 { "base" } else { "head" },
                        len - current
                    )));
                }
                wanted as usize
            }
            other => self.position(other)?.expect("not relative"),
        };
        match direction {
            Direction::Up if index < current => Err(Error::Target(format!(
                "the target is behind the database's revision {}; use `downgrade`",
                self.order[current - 1]
            ))),
            Direction::Down if index > current => Err(Error::Target(
                "the target is ahead of the database; use `upgrade`".to_string(),
            )),
            _ => Ok(index),
        }
    }

    /// How many migrations a database stamped at `target` has applied.
    pub fn stamp_position(&self, target: &Target) -> Result<usize> {
        match target {
            Target::Head => {
                self.single_head("stamp one revision")?;
                Ok(self.order.len())
            }
            Target::Relative(_) => Err(Error::Target(
                "stamp takes head, base or a revision, not a relative step".into(),
            )),
            other => Ok(self.position(other)?.expect("not relative")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node<'a>(revision: &'a str, revises: &'a [&'a str]) -> RevisionNode<'a> {
        RevisionNode {
            revision,
            revises,
            file: revision,
            replaces: &[],
        }
    }

    #[test]
    fn order_follows_links_not_input_order() {
        let nodes = [node("3", &["1", "2"]), node("2", &["1"]), node("1", &[])];
        let (graph, permutation) = RevisionGraph::new(&nodes).unwrap();
        assert_eq!(graph.order(), ["1", "2", "3"]);
        assert_eq!(permutation, [2, 1, 0]);
        assert_eq!(graph.heads(), ["3"]);
    }

    #[test]
    fn two_branches_are_two_heads() {
        let nodes = [node("1", &[]), node("2", &["1"]), node("3", &["1"])];
        let (graph, _) = RevisionGraph::new(&nodes).unwrap();
        assert_eq!(graph.heads(), ["2", "3"]);
        let err = graph
            .target_position(&Target::Head, 0, Direction::Up)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "several heads (2, 3): join them with `merge` first"
        );
    }

    #[test]
    fn current_is_the_last_applied_in_apply_order() {
        // Revision ids out of step with the links: the graph's order decides, not the ids.
        let nodes = [node("9", &[]), node("1", &["9"])];
        let (graph, _) = RevisionGraph::new(&nodes).unwrap();
        let applied: BTreeSet<&str> = ["9", "1"].into();
        assert_eq!(graph.current(&applied), Some("1"));
        assert_eq!(graph.current_position(&applied), 2);
    }

    #[test]
    fn prefixes_resolve_or_say_why_not() {
        let nodes = [node("20260101", &[]), node("20260102", &["20260101"])];
        let (graph, _) = RevisionGraph::new(&nodes).unwrap();
        assert_eq!(graph.resolve("202601020").ok(), None);
        assert_eq!(
            graph.resolve("2026010").unwrap_err().to_string(),
            "`2026010` is ambiguous: it starts revisions 20260101, 20260102"
        );
        assert_eq!(graph.resolve("20260102").unwrap(), "20260102");
        assert_eq!(
            graph.resolve("3").unwrap_err().to_string(),
            "no migration has a revision starting with `3`"
        );
    }

    #[test]
    fn broken_graphs_name_the_files() {
        let err = RevisionGraph::new(&[node("1", &["0"])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 revises 0, which no migration in versions/ declares"
        );
        let err = RevisionGraph::new(&[node("1", &["2"]), node("2", &["1"])]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "migrations 1, 2 revise each other in a cycle"
        );
        let err = RevisionGraph::new(&[node("1", &[]), node("1", &[])]).unwrap_err();
        assert_eq!(err.to_string(), "revision 1 is declared by both 1 and 1");
    }

    #[test]
    fn targets_are_bounded_by_direction() {
        let nodes = [node("1", &[]), node("2", &["1"])];
        let (graph, _) = RevisionGraph::new(&nodes).unwrap();
        assert_eq!(
            graph
                .target_position(&Target::Relative(-1), 2, Direction::Down)
                .unwrap(),
            1
        );
        assert!(graph
            .target_position(&Target::Relative(-3), 2, Direction::Down)
            .is_err());
        assert!(graph
            .target_position(&Target::Base, 1, Direction::Up)
            .is_err());
        assert!(graph.stamp_position(&Target::Relative(1)).is_err());
        assert_eq!(graph.stamp_position(&Target::Head).unwrap(), 2);
    }
}
