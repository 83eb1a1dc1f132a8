//! The renames a diff may plan instead of a drop and an add: what the models declare with
//! `renamed_from` ([`crate::model::renames_from_models`]) and what the user confirms. Below both
//! the models and the diff, so that neither imports the other.

/// A rename the diff plans instead of a drop and an add: declared in the models with
/// `renamed_from`, or confirmed by the user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TableRename {
    /// The name in the current schema.
    pub from: String,
    /// The name in the target schema.
    pub to: String,
}

/// A column rename; `table` is the table's name in the target schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ColumnRename {
    /// The table, by its new name.
    pub table: String,
    /// The column's name in the current schema.
    pub from: String,
    /// The column's name in the target schema.
    pub to: String,
}

/// A renamed value of an enum type, declared with `renamed_from` on the variant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EnumValueRename {
    /// The enum type.
    pub name: String,
    /// The value in the current schema.
    pub from: String,
    /// The value in the target schema.
    pub to: String,
}

/// The renames the diff may plan. A rename whose old name is not in the current schema (it
/// was applied already) or whose new name is not in the target is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Renames {
    /// Table renames.
    pub tables: Vec<TableRename>,
    /// Column renames.
    pub columns: Vec<ColumnRename>,
    /// Enum value renames.
    pub enum_values: Vec<EnumValueRename>,
}
