//! A migration module means the same on both of the runner's paths: every module codegen
//! writes for the scenario catalogues (the initial module of each scenario's start and the
//! module of its change, as written and as rustfmt lays it out) is read without compiling and
//! compiled, in one generated crate, and both give the same operations for `up` and `down`.
//! Then the CLI applies a project both ways and the history rows (checksums included) match.

use std::fmt::Write as _;

use migrate_core::codegen::{render_module, ModuleHeader};
use migrate_core::diff::{diff, ChangeKind};
use migrate_core::interpret::{self, interpret_module};
use migrate_core::schema::Schema;
use migrate_tests::catalogue::{catalogue, real_schema_scenarios};
use migrate_tests::{project_manifest, rustfmt, text, workspace_root, Project};

fn header(name: &str) -> ModuleHeader {
    ModuleHeader {
        revision: "20261125104500".into(),
        revises: vec!["20261124090000".into()],
        message: name.replace('_', " "),
        created: "2026-11-25 10:45:00 UTC".into(),
    }
}

/// Every module codegen writes for the catalogues, named.
fn modules() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for scenario in catalogue().into_iter().chain(real_schema_scenarios()) {
        let initial = diff(&Schema::default(), &scenario.before)
            .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
        out.push((
            format!("{}_initial", scenario.name),
            render_module(&header(scenario.name), &initial.up, &initial.down, &[]),
        ));
        let plan = scenario.plan();
        let warnings: Vec<String> = plan
            .changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Warning)
            .map(|c| c.text.clone())
            .collect();
        let module = render_module(&header(scenario.name), &plan.up, &plan.down, &warnings);
        if let Some(formatted) = rustfmt(&module).filter(|f| *f != module) {
            out.push((format!("{}_rustfmt", scenario.name), formatted));
        }
        out.push((scenario.name.to_string(), module));
    }
    out
}

#[test]
fn every_generated_module_reads_into_the_operations_its_compiled_functions_record() {
    let modules = modules();
    assert!(modules.len() > 200, "{} modules", modules.len());

    // The compiled side: one crate that includes every module and prints what `up` and
    // `down` record, one line each.
    let dir = tempfile::Builder::new()
        .prefix("migrate-interpret-")
        .tempdir()
        .unwrap();
    std::fs::create_dir_all(dir.path().join("src/m")).unwrap();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        project_manifest("interpret_check"),
    )
    .unwrap();
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .unwrap();
    let mut main = String::from(
        "fn ops(f: fn(&mut migrate_core::migration::Migration)) -> String {\n    \
         let mut m = migrate_core::migration::Migration::new();\n    f(&mut m);\n    \
         format!(\"{:?}\", m.into_operations())\n}\n\n",
    );
    for (i, (_, source)) in modules.iter().enumerate() {
        std::fs::write(dir.path().join(format!("src/m/m{i}.rs")), source).unwrap();
        let _ = writeln!(main, "#[path = \"m/m{i}.rs\"]\n#[allow(unused)]\nmod m{i};");
    }
    main.push_str("\nfn main() {\n");
    for i in 0..modules.len() {
        let _ = writeln!(
            main,
            "    println!(\"{{}}\", ops(m{i}::up));\n    println!(\"{{}}\", ops(m{i}::down));"
        );
    }
    main.push_str("}\n");
    std::fs::write(dir.path().join("src/main.rs"), main).unwrap();
    let out = std::process::Command::new(std::env::var_os("CARGO").unwrap_or("cargo".into()))
        .args(["run", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", migrate_tests::e2e_target_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let compiled = text(&out.stdout);
    let compiled: Vec<&str> = compiled.lines().collect();
    assert_eq!(compiled.len(), 2 * modules.len());

    for (i, (name, source)) in modules.iter().enumerate() {
        let read =
            interpret_module(source).unwrap_or_else(|e| panic!("{name}: refused ({e}):\n{source}"));
        assert_eq!(format!("{:?}", read.up), compiled[2 * i], "{name}: up");
        assert_eq!(
            format!("{:?}", read.down),
            compiled[2 * i + 1],
            "{name}: down"
        );
        assert_eq!(read.revision, "20261125104500", "{name}");
        assert_eq!(read.revises, ["20261124090000"], "{name}");
        // What the read cache keeps of it reads back as the same module.
        let kept = interpret::encode(&read).unwrap_or_else(|| panic!("{name}: not encoded"));
        assert_eq!(
            interpret::decode(&kept).as_ref(),
            Some(&read),
            "{name}: cached"
        );
    }
}

const MODELS: &str = r#"use migrate_core::Model;

#[derive(Model)]
pub struct Author {
    pub id: i32,
    #[model(max_length = 120, unique)]
    pub name: String,
    pub bio: Option<String>,
}
"#;

/// The history rows of a SQLite database, as text.
fn history(path: &std::path::Path) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        revision: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        checksum: String,
    }
    let mut conn = diesel::SqliteConnection::establish(&path.display().to_string()).unwrap();
    let rows: Vec<Row> =
        diesel::sql_query("SELECT revision, checksum FROM __migrate_history ORDER BY revision")
            .load(&mut conn)
            .unwrap();
    rows.iter()
        .map(|r| format!("{} {}\n", r.revision, r.checksum))
        .collect()
}

#[test]
fn both_paths_apply_a_project_alike_and_a_data_step_falls_back_to_the_compiled_one() {
    let project = Project::new("interpret_paths", MODELS);
    project.ok(&["init"]);
    project.ok(&["migrate", "-m", "authors"]);
    // The default path reads the module: nothing is compiled.
    let out = project.cli(&["upgrade", "--database-url", "read.db"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("Compiling"),
        "{}",
        text(&out.stderr)
    );
    let out = std::process::Command::new(migrate_tests::cli_binary())
        .args(["upgrade", "--database-url", "compiled.db"])
        .current_dir(project.path())
        .env("MIGRATE_RUNNER", "compiled")
        .env_remove("DATABASE_URL")
        .env("CARGO_TARGET_DIR", migrate_tests::e2e_target_dir())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let read = history(&project.file("read.db"));
    assert_eq!(read.lines().count(), 1, "{read}");
    assert_eq!(read, history(&project.file("compiled.db")));

    // The module was read once and kept by its checksum, under the target directory of the
    // command (one of the test's own, so that no other build's entries are in the way); an
    // entry that is not one is read again and replaced, never an error.
    let target = tempfile::Builder::new()
        .prefix("migrate-read-cache-")
        .tempdir()
        .unwrap();
    let upgrade = |db: &str| {
        let out = std::process::Command::new(migrate_tests::cli_binary())
            .args(["upgrade", "--database-url", db])
            .current_dir(project.path())
            .env_remove("DATABASE_URL")
            .env("CARGO_TARGET_DIR", target.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    };
    upgrade("cached.db");
    assert_eq!(read, history(&project.file("cached.db")));
    let checksum = read.split_whitespace().nth(1).unwrap();
    let entries: Vec<std::path::PathBuf> = std::fs::read_dir(target.path().join("migrate/read"))
        .unwrap()
        .flatten()
        .map(|build| build.path().join(checksum))
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let kept = std::fs::read(&entries[0]).unwrap();
    let module = interpret::decode(&kept).expect("an entry");
    assert_eq!(module.revision, read.split_whitespace().next().unwrap());
    std::fs::write(&entries[0], "{ not an entry").unwrap();
    upgrade("again.db");
    assert_eq!(read, history(&project.file("again.db")));
    let kept = std::fs::read(&entries[0]).unwrap();
    assert_eq!(
        interpret::decode(&kept),
        Some(module),
        "the entry was written again"
    );

    // A Rust data step cannot be read: the folder compiles and the step runs.
    let module = project.versions().pop().unwrap();
    let source = std::fs::read_to_string(&module).unwrap();
    let with_step = source.replacen(
        "pub fn up(m: &mut Migration) {\n",
        "pub fn up(m: &mut Migration) {\n    m.run(\"seed\", seed);\n",
        1,
    ) + "\nfn seed(conn: &mut migrate_core::diesel::SqliteConnection) -> migrate_core::diesel::QueryResult<()> {\n    \
           use migrate_core::diesel::connection::SimpleConnection;\n    \
           conn.batch_execute(\"CREATE TABLE seeded (x INTEGER)\")\n}\n";
    assert_ne!(with_step, source);
    assert!(interpret_module(&with_step).is_err());
    std::fs::write(&module, with_step).unwrap();
    let out = project.cli(&["upgrade", "--database-url", "step.db"]);
    assert!(
        out.status.success(),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let mut conn = {
        use diesel::Connection;
        diesel::SqliteConnection::establish(&project.file("step.db").display().to_string()).unwrap()
    };
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SELECT x FROM seeded").unwrap();
}
