//! Property tests: random pairs of schemas drawn from the vocabulary. For each, the migration
//! is planned and applied on SQLite: the introspected schema equals the target, `down` restores
//! the start, `up` runs again, and rows seeded before survive every step that warns of no loss.
//! The parsers of `snapshot.json` and `migrate.toml` never panic, whatever the input.

use migrate_core::diff::ChangeKind;
use migrate_core::schema::{DefaultValue, SqlType, Table};
use migrate_tests::scenario::{round_trip, table, Data, Rendering, Scenario, TableBuilder};
use proptest::prelude::*;

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
type ColumnChoice = Option<(usize, bool, bool, bool, bool)>;

fn default_for(ty: &SqlType) -> Option<DefaultValue> {
    match ty {
        SqlType::Integer | SqlType::BigInt => Some(DefaultValue::Int(5)),
        SqlType::Text | SqlType::Varchar(_) => Some(DefaultValue::Text("x".into())),
        SqlType::Boolean => Some(DefaultValue::Bool(true)),
        SqlType::Double => Some(DefaultValue::Float("1.5".into())),
        _ => None,
    }
}

fn build(tables: &[(bool, Vec<ColumnChoice>, bool)]) -> Vec<Table> {
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

fn schema_strategy() -> impl Strategy<Value = Vec<(bool, Vec<ColumnChoice>, bool)>> {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_schema_pairs_round_trip_on_sqlite(before in schema_strategy(), after in schema_strategy()) {
        let scenario = Scenario::new("property", build(&before), build(&after)).no_nulls();
        let plan = scenario.plan();
        let risky = plan.changes.iter().any(|c| c.kind == ChangeKind::Warning);
        let altered = plan.changes.iter().any(|c| c.kind == ChangeKind::Alter);
        // A step that warns may lose rows or fail on them; it is checked on empty tables.
        let scenario = match (risky, altered) {
            (true, _) => scenario.rows(0).data(Data::Lost),
            (false, true) => scenario.data(Data::Changed),
            (false, false) => scenario,
        };
        round_trip(&scenario, &plan, Rendering::Merged);
        round_trip(&scenario, &plan, Rendering::OneByOne);
    }

    #[test]
    fn snapshot_parser_never_panics(text in "\\PC{0,400}") {
        let _ = migrate_core::snapshot::Snapshot::from_json(&text, std::path::Path::new("snapshot.json"));
    }

    #[test]
    fn snapshot_parser_never_panics_on_near_misses(mutation in 0usize..400, byte in any::<u8>()) {
        let good = migrate_core::snapshot::Snapshot::new(
            Some("1".into()),
            migrate_core::schema::Schema::new(build(&[(true, vec![Some((0, true, true, true, false)), Some((2, false, false, false, true))], false)])),
        )
        .to_json();
        let mut bytes = good.into_bytes();
        let at = mutation % bytes.len();
        bytes[at] = byte;
        let text = String::from_utf8_lossy(&bytes);
        let _ = migrate_core::snapshot::Snapshot::from_json(&text, std::path::Path::new("snapshot.json"));
    }
}
