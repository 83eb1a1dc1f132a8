//! The scenarios of issues 15 and 16 (`real_schema_scenarios`), before any backend runs them:
//! each plans, replays both ways over the schema, is made only of what the backends it is
//! marked for have, and its module compiles and records exactly the planned operations.

use std::collections::BTreeSet;

use migrate_core::codegen::{render_module, ModuleHeader};
use migrate_core::dialect::{unsupported, Backend};
use migrate_core::diff::diff;
use migrate_core::migration::apply_all;
use migrate_tests::catalogue::{catalogue, real_schema_scenarios};
use migrate_tests::scenario::{by_column_name, ALL_BACKENDS};
use migrate_tests::{text, Project};

/// Scenarios left off a backend for what the pure check cannot see there, with the reason.
const NOT_REFUSED_ELSEWHERE: &[(&str, &str)] = &[
    (
        "auto_increment_first_column_of_composite_key",
        "SQLite generates only its rowid alias; the placement is the SQLite dialect's to refuse",
    ),
    (
        "index_collation_c",
        "collation names are each backend's own",
    ),
    (
        "index_collation_nocase",
        "collation names are each backend's own",
    ),
    (
        "column_collation_c",
        "collation names are each backend's own",
    ),
    (
        "column_collation_nocase",
        "collation names are each backend's own",
    ),
    (
        "text_search_and_range_types",
        "custom types are spelled as one database spells them",
    ),
    (
        "sqlite_declared_types",
        "custom types are spelled as one database spells them",
    ),
];

#[test]
fn scenarios_are_distinct_marked_and_apart_from_the_catalogue() {
    let scenarios = real_schema_scenarios();
    assert!(scenarios.len() >= 70, "{} scenarios", scenarios.len());
    let mut names = BTreeSet::new();
    let existing: BTreeSet<&str> = catalogue().iter().map(|s| s.name).collect();
    for scenario in &scenarios {
        let name = scenario.name;
        assert!(names.insert(name), "{name} twice");
        assert!(!existing.contains(name), "{name} is in the catalogue too");
        // Modules are named after scenarios.
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name}"
        );
        assert_ne!(scenario.before, scenario.after, "{name}: no change");
        assert!(!scenario.backends.is_empty(), "{name}: runs nowhere");
    }
    for backend in ALL_BACKENDS {
        assert!(
            scenarios.iter().filter(|s| s.runs_on(backend)).count() >= 20,
            "{backend}"
        );
    }
}

#[test]
fn plans_replay_both_ways() {
    for scenario in real_schema_scenarios() {
        let name = scenario.name;
        let plan = scenario.plan();
        assert!(!plan.is_empty(), "{name}: nothing planned");
        let mut schema = scenario.before.clone();
        apply_all(&mut schema, &plan.up).unwrap_or_else(|e| panic!("{name}: up: {e}"));
        assert_eq!(
            by_column_name(schema.clone()),
            by_column_name(scenario.after.clone()),
            "{name}: up"
        );
        assert!(diff(&schema, &scenario.after).unwrap().is_empty(), "{name}");
        apply_all(&mut schema, &plan.down).unwrap_or_else(|e| panic!("{name}: down: {e}"));
        assert_eq!(
            by_column_name(schema),
            by_column_name(scenario.before.clone()),
            "{name}: down"
        );
    }
}

/// A scenario marked for a backend uses only what the backend has; one left off a backend uses
/// something the backend lacks, or says why the check cannot see it.
#[test]
fn marks_agree_with_the_capability_check() {
    for scenario in real_schema_scenarios() {
        let name = scenario.name;
        for backend in ALL_BACKENDS {
            let mut found = unsupported(backend, &scenario.before);
            found.extend(unsupported(backend, &scenario.after));
            let messages: Vec<String> = found.iter().map(ToString::to_string).collect();
            if scenario.runs_on(backend) {
                assert!(messages.is_empty(), "{name} on {backend}: {messages:#?}");
            } else if !NOT_REFUSED_ELSEWHERE.iter().any(|(n, _)| *n == name) {
                assert!(
                    !messages.is_empty(),
                    "{name} is left off {backend}, which has all it uses"
                );
            }
        }
    }
    // The allowance is for scenarios that exist and are left off somewhere.
    let scenarios = real_schema_scenarios();
    for (allowed, _) in NOT_REFUSED_ELSEWHERE {
        let scenario = scenarios
            .iter()
            .find(|s| s.name == *allowed)
            .unwrap_or_else(|| panic!("{allowed}: no such scenario"));
        assert!(scenario.backends.len() < 3, "{allowed}");
    }
    assert!(ALL_BACKENDS.contains(&Backend::Sqlite));
}

/// The generated modules compile, and running their `up` and `down` records exactly the
/// operations planned: the builders and the code generator agree on every new field.
#[test]
fn modules_compile_and_record_the_planned_operations() {
    let scenarios = real_schema_scenarios();
    let project = Project::new("real_schema_modules", "");
    let mut lib = String::from("pub mod models;\npub mod schema;\n");
    let mut main = String::from(
        "use migrate_core::migration::Migration;\n\nfn show(name: &str, up: fn(&mut Migration), down: fn(&mut Migration)) {\n    let (mut u, mut d) = (Migration::new(), Migration::new());\n    up(&mut u);\n    down(&mut d);\n    println!(\"== {name}\\n{:?}\\n{:?}\", u.operations(), d.operations());\n}\n\nfn main() {\n",
    );
    let mut expected = String::new();
    for scenario in &scenarios {
        let name = scenario.name;
        let plan = scenario.plan();
        let header = ModuleHeader {
            revision: "20261125104500".into(),
            revises: vec!["20261124090000".into()],
            message: name.replace('_', " "),
            created: "2026-11-25 10:45:00 UTC".into(),
        };
        project.write(
            &format!("src/{name}.rs"),
            &render_module(&header, &plan.up, &plan.down, &[]),
        );
        lib.push_str(&format!("pub mod {name};\n"));
        main.push_str(&format!(
            "    show({name:?}, real_schema_modules::{name}::up, real_schema_modules::{name}::down);\n"
        ));
        expected.push_str(&format!("== {name}\n{:?}\n{:?}\n", plan.up, plan.down));
    }
    main.push_str("}\n");
    project.write("src/lib.rs", &lib);
    project.write("src/main.rs", &main);
    let out = project.cargo(&["run", "--quiet"]);
    assert!(
        out.status.success(),
        "the modules do not compile or run:\n{}",
        text(&out.stderr)
    );
    let recorded = text(&out.stdout);
    for (got, want) in recorded.split("== ").zip(expected.split("== ")) {
        assert_eq!(got, want);
    }
    assert_eq!(recorded, expected);
}
