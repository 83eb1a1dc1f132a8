//! Property tests: random pairs of schemas drawn from the vocabulary. For each, the migration
//! is planned and applied on SQLite: the introspected schema equals the target, `down` restores
//! the start, `up` runs again, and rows seeded before survive every step that warns of no loss.
//! The parsers of `snapshot.json` and `migrate.toml` never panic, whatever the input.

use migrate_tests::generated::{build, fit_data, schema_strategy};
use migrate_tests::scenario::{round_trip, Rendering, Scenario};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_schema_pairs_round_trip_on_sqlite(before in schema_strategy(), after in schema_strategy()) {
        let scenario = Scenario::new("property", build(&before), build(&after)).no_nulls();
        let plan = scenario.plan();
        let scenario = fit_data(scenario, &plan);
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
