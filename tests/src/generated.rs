//! Random schemas drawn from the vocabulary, for the property tests on every backend.

use migrate_core::diff::{ChangeKind, Plan};
use migrate_core::schema::{DefaultValue, SqlType, Table};
use proptest::prelude::*;

use crate::scenario::{table, Data, Scenario, TableBuilder};

const TYPES: &[SqlType] = &[
    SqlType::Integer,
    SqlType::BigInt,
    SqlType::Text,
    SqlType::Varchar(10),
    SqlType::Varchar(50),
    SqlType::Boolean,
    SqlType::Double,
    SqlType::Numeric(Some((10, 2))),
    SqlType::Timestamp,
    SqlType::Binary,
];

/// One optional column: type, nullable, with a default, unique, indexed.
pub type ColumnChoice = Option<(usize, bool, bool, bool, bool)>;

fn default_for(ty: &SqlType) -> Option<DefaultValue> {
    match ty {
        SqlType::Integer | SqlType::BigInt => Some(DefaultValue::Int(5)),
        SqlType::Text | SqlType::Varchar(_) => Some(DefaultValue::Text("x".into())),
        SqlType::Boolean => Some(DefaultValue::Bool(true)),
        SqlType::Double => Some(DefaultValue::Float("1.5".into())),
        _ => None,
    }
}

/// The tables a drawn choice describes.
pub fn build(tables: &[(bool, Vec<ColumnChoice>, bool)]) -> Vec<Table> {
    const NAMES: [&str; 3] = ["alpha", "beta", "gamma"];
    let mut out = Vec::new();
    for (i, (present, columns, fk)) in tables.iter().enumerate() {
        if !present {
            continue;
        }
        let mut t = table(NAMES[i]);
        for (j, choice) in columns.iter().enumerate() {
            let Some((ty, nullable, default, unique, index)) = choice else {
                continue;
            };
            let name = format!("c{j}");
            let ty = TYPES[*ty % TYPES.len()].clone();
            let value = default.then(|| default_for(&ty)).flatten();
            t = match (value, nullable) {
                (Some(v), _) => t.with_default(&name, ty.clone(), v),
                (None, true) => t.null(&name, ty.clone()),
                (None, false) => t.col(&name, ty.clone()),
            };
            // Booleans hold two values: three seeded rows could never be unique.
            if *unique && ty != SqlType::Boolean {
                t = t.unique(&[&name]);
            } else if *index {
                t = t.index(&[&name]);
            }
        }
        if *fk && i > 0 && tables[i - 1].0 {
            t = t
                .null("ref_id", SqlType::Integer)
                .fk("ref_id", NAMES[i - 1]);
        }
        out.push(t);
    }
    out
}

/// Up to three tables of up to four columns each, with keys, indexes and a foreign key.
pub fn schema_strategy() -> impl Strategy<Value = Vec<(bool, Vec<ColumnChoice>, bool)>> {
    let column = proptest::option::of((
        0..TYPES.len(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    ));
    proptest::collection::vec(
        (
            any::<bool>(),
            proptest::collection::vec(column, 4),
            any::<bool>(),
        ),
        3,
    )
}

/// What a drawn pair may do to rows: a step that warns may lose them or fail on them, so it is
/// checked on empty tables; an alteration may change values.
pub fn fit_data(scenario: Scenario, plan: &Plan) -> Scenario {
    let risky = plan.changes.iter().any(|c| c.kind == ChangeKind::Warning);
    let altered = plan.changes.iter().any(|c| c.kind == ChangeKind::Alter);
    match (risky, altered) {
        (true, _) => scenario.rows(0).data(Data::Lost),
        (false, true) => scenario.data(Data::Changed),
        (false, false) => scenario,
    }
}
