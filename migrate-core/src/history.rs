//! The history of a database as `__migrate_history` records it: the state a revision can be in,
//! the rows, and the one audit of rows against the migration files that the runner, `check`
//! and an embedding application share. Pure: the connections read and write the rows.

use std::fmt;

/// Which way a run goes: `upgrade` applies, `downgrade` reverts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Applying migrations (`upgrade`).
    Up,
    /// Reverting them (`downgrade`).
    Down,
}

impl Direction {
    /// The command that runs this way: `upgrade` or `downgrade`.
    pub fn command(self) -> &'static str {
        match self {
            Direction::Up => "upgrade",
            Direction::Down => "downgrade",
        }
    }

    /// What a migration run this way is: `applied` or `reverted`.
    pub fn participle(self) -> &'static str {
        match self {
            Direction::Up => "applied",
            Direction::Down => "reverted",
        }
    }

    /// The other way.
    pub fn reverse(self) -> Direction {
        match self {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        }
    }

    /// The state of a revision whose transaction of this direction committed while statements
    /// after it remain: `finishing` going up, `reverting` going down.
    pub fn unfinished_state(self) -> HistoryState {
        match self {
            Direction::Up => HistoryState::Finishing,
            Direction::Down => HistoryState::Reverting,
        }
    }
}

/// The state of a history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryState {
    /// Applied, all of it.
    Applied,
    /// Failed half-way where DDL commits as it goes (MySQL): fixed by hand, then `stamp`.
    Dirty,
    /// The `up` transaction committed, statements after it remain: `upgrade` finishes them.
    Finishing,
    /// The `down` transaction committed, statements after it remain: `downgrade` finishes them
    /// and then deletes the row.
    Reverting,
}

impl HistoryState {
    /// Every state, as written in the table.
    pub const ALL: [HistoryState; 4] = [
        HistoryState::Applied,
        HistoryState::Dirty,
        HistoryState::Finishing,
        HistoryState::Reverting,
    ];

    /// The text stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryState::Applied => "applied",
            HistoryState::Dirty => "dirty",
            HistoryState::Finishing => "finishing",
            HistoryState::Reverting => "reverting",
        }
    }

    /// The state stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<HistoryState> {
        HistoryState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// A state a run can go on from: applied, or between a transaction and the statements
    /// after it (the command of that direction finishes them). A `dirty` row cannot.
    pub fn resumable(self) -> bool {
        self != HistoryState::Dirty
    }

    /// The direction whose statements after the transaction remain, for `finishing` and
    /// `reverting`.
    pub fn unfinished(self) -> Option<Direction> {
        match self {
            HistoryState::Finishing => Some(Direction::Up),
            HistoryState::Reverting => Some(Direction::Down),
            HistoryState::Applied | HistoryState::Dirty => None,
        }
    }
}

impl fmt::Display for HistoryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of `__migrate_history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The revision id.
    pub revision: String,
    /// Its message.
    pub message: String,
    /// SHA-256 of the module source when it was applied.
    pub checksum: String,
    /// When it was applied (UTC, RFC 3339).
    pub applied_at: String,
    /// How long it took.
    pub duration_ms: i64,
    /// Where it stands.
    pub state: HistoryState,
}

/// What the audit finds wrong with one history row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryProblem {
    /// The row is `dirty`: the migration failed half-way.
    HalfApplied {
        /// The revision.
        revision: String,
    },
    /// The row is `finishing` or `reverting`: statements after its transaction remain.
    Unfinished {
        /// The revision.
        revision: String,
        /// The direction that left them (and whose command finishes them).
        direction: Direction,
    },
    /// The revision is applied but no migration file declares it.
    MissingFile {
        /// The revision.
        revision: String,
        /// Its message, as recorded.
        message: String,
    },
    /// The file was edited after the revision was applied: its checksum differs.
    Edited {
        /// The revision.
        revision: String,
        /// The migration file.
        file: String,
    },
}

/// A migration file as the audit needs it: its name and the checksum of its source.
pub struct AuditedFile<'a> {
    /// The file, as messages name it.
    pub file: &'a str,
    /// SHA-256 of its source, hex.
    pub checksum: &'a str,
}

/// Every problem of `rows`, in row order (a row's state before its file): `file_of` gives the
/// file that declares a revision, if any.
pub fn audit<'a>(
    rows: &[HistoryRow],
    mut file_of: impl FnMut(&str) -> Option<AuditedFile<'a>>,
) -> Vec<HistoryProblem> {
    let mut problems = Vec::new();
    for row in rows {
        match row.state {
            HistoryState::Applied => {}
            HistoryState::Dirty => problems.push(HistoryProblem::HalfApplied {
                revision: row.revision.clone(),
            }),
            state => problems.push(HistoryProblem::Unfinished {
                revision: row.revision.clone(),
                direction: state.unfinished().expect("finishing or reverting"),
            }),
        }
        match file_of(&row.revision) {
            None => problems.push(HistoryProblem::MissingFile {
                revision: row.revision.clone(),
                message: row.message.clone(),
            }),
            Some(file) if file.checksum != row.checksum => problems.push(HistoryProblem::Edited {
                revision: row.revision.clone(),
                file: file.file.to_string(),
            }),
            Some(_) => {}
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(revision: &str, checksum: &str, state: HistoryState) -> HistoryRow {
        HistoryRow {
            revision: revision.into(),
            message: format!("m{revision}"),
            checksum: checksum.into(),
            applied_at: String::new(),
            duration_ms: 0,
            state,
        }
    }

    #[test]
    fn states_round_trip_through_their_text() {
        for state in HistoryState::ALL {
            assert_eq!(HistoryState::parse(state.as_str()), Some(state));
        }
        assert_eq!(HistoryState::parse("Applied"), None);
        assert_eq!(
            Direction::Down.unfinished_state().unfinished(),
            Some(Direction::Down)
        );
    }

    #[test]
    fn audit_names_each_problem_in_row_order() {
        let rows = [
            row("1", "a", HistoryState::Applied),
            row("2", "x", HistoryState::Dirty),
            row("3", "c", HistoryState::Reverting),
            row("4", "d", HistoryState::Applied),
        ];
        let problems = audit(&rows, |revision| match revision {
            "1" => Some(AuditedFile {
                file: "1.rs",
                checksum: "a",
            }),
            "2" => Some(AuditedFile {
                file: "2.rs",
                checksum: "b",
            }),
            "3" => Some(AuditedFile {
                file: "3.rs",
                checksum: "c",
            }),
            _ => None,
        });
        assert_eq!(
            problems,
            [
                HistoryProblem::HalfApplied {
                    revision: "2".into()
                },
                HistoryProblem::Edited {
                    revision: "2".into(),
                    file: "2.rs".into()
                },
                HistoryProblem::Unfinished {
                    revision: "3".into(),
                    direction: Direction::Down
                },
                HistoryProblem::MissingFile {
                    revision: "4".into(),
                    message: "m4".into()
                },
            ]
        );
    }
}
