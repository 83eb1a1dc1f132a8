//! `squash`: a chain of 30 migrations (tables, columns, indexes, a rename, an `m.sql` data step)
//! squashed into one module; databases at base, part-way and at the head each reach the same
//! schema and a history `verify` and `check` accept, before and after the replaced files are
//! deleted; and every range squash cannot take is refused with nothing written.

use migrate_core::schema::Schema;
use migrate_tests::{text, Project, ServerDb, MYSQL_URL, POSTGRES_URL};

/// The models after step `step` (1..=30) of the chain; step 5 is a hand-written data step.
fn models(step: usize) -> String {
    let mut out = String::from(
        "use migrate_core::Model;\n\n#[derive(Model)]\npub struct Author {\n    pub id: i32,\n",
    );
    if step >= 6 {
        out.push_str(
            "    #[model(renamed_from = \"name\", max_length = 80)]\n    pub full_name: String,\n",
        );
    } else {
        out.push_str("    #[model(max_length = 80)]\n    pub name: String,\n");
    }
    out.push_str("}\n\n");
    if step >= 2 {
        if step >= 4 {
            out.push_str("#[model(index(title))]\n");
        }
        out.push_str("#[derive(Model)]\npub struct Post {\n    pub id: i32,\n    #[model(max_length = 120)]\n    pub title: String,\n    #[model(references = \"authors.id\", on_delete = \"cascade\")]\n    pub author_id: i32,\n");
        if step >= 3 {
            out.push_str("    pub body: Option<String>,\n");
        }
        out.push_str("}\n\n");
    }
    // Steps 7..=30: a table, then a column on it, then an index on that column; step 30
    // drops the first of these tables instead.
    for created in (7..=step).filter(|s| s % 3 == 1) {
        if created == 7 && step >= 30 {
            continue;
        }
        if step >= created + 2 && created + 2 != 30 {
            out.push_str("#[model(index(label))]\n");
        }
        out.push_str(&format!(
            "#[derive(Model)]\n#[model(table = \"extra_{created}\")]\npub struct Extra{created} {{\n    pub id: i32,\n    #[model(default = 0)]\n    pub n: i32,\n"
        ));
        if step > created {
            out.push_str("    pub label: Option<String>,\n");
        }
        out.push_str("}\n\n");
    }
    out
}

/// The chain of 30, each `migrate` writing one module; step 5 an `m.sql` data step.
fn chain(name: &str) -> (Project, Vec<String>) {
    chain_of(name, 30)
}

/// The first `steps` of the chain.
fn chain_of(name: &str, steps: usize) -> (Project, Vec<String>) {
    let project = Project::new(name, &models(1));
    project.ok(&["init"]);
    let mut revisions = Vec::new();
    for step in 1..=steps {
        project.write("src/models.rs", &models(step));
        let message = format!("step {step}");
        if step == 5 {
            project.ok(&["migrate", "-m", &message, "--empty"]);
            let path = project.versions().last().unwrap().clone();
            let source = std::fs::read_to_string(&path).unwrap();
            let source = source
                .replace(
                    "pub fn up(_m: &mut Migration) {}",
                    "pub fn up(m: &mut Migration) {\n    m.sql(\"INSERT INTO authors (name) VALUES ('ann')\");\n}",
                )
                .replace(
                    "pub fn down(_m: &mut Migration) {}",
                    "pub fn down(m: &mut Migration) {\n    m.sql(\"DELETE FROM authors WHERE name = 'ann'\");\n}",
                );
            assert!(source.contains("m.sql("), "{source}");
            std::fs::write(&path, source).unwrap();
        } else {
            let out = project.ok(&["migrate", "-m", &message]);
            assert!(!out.contains("No changes detected"), "step {step}: {out}");
        }
        revisions.push(newest(&project));
    }
    assert_eq!(project.versions().len(), steps);
    (project, revisions)
}

/// One database of the scenario: its URL, and how to read it.
struct Db {
    url: String,
    /// How many authors are named `ann` (the data step's row).
    anns: Box<dyn Fn(&str) -> usize>,
}

impl Db {
    fn cli(&self, project: &Project, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--database-url", &self.url];
        all.extend_from_slice(args);
        project.cli(&all)
    }

    fn ok(&self, project: &Project, args: &[&str]) -> String {
        let mut all = vec!["--database-url", &self.url];
        all.extend_from_slice(args);
        project.ok(&all)
    }

    fn err(&self, project: &Project, args: &[&str]) -> String {
        let out = self.cli(project, args);
        assert!(
            !out.status.success(),
            "{args:?} succeeded: {}",
            text(&out.stdout)
        );
        text(&out.stderr)
    }

    /// At head: the schema, `verify` and `check` pass, the data step's row there once.
    fn at_head(&self, project: &Project, head: &str) -> Schema {
        let current = self.ok(project, &["current"]);
        assert_eq!(current.trim(), format!("{head} (head)"));
        let verify = self.ok(project, &["verify"]);
        assert!(!verify.contains("differ"), "{verify}");
        let check = self.cli(project, &["check"]);
        assert!(
            check.status.success(),
            "check: {}\n{}",
            text(&check.stdout),
            text(&check.stderr)
        );
        assert_eq!((self.anns)(&self.url), 1, "the data step ran once");
        inspect_url(&self.url)
    }
}

/// The whole story on one backend: `dbs` hands out empty databases.
fn scenario(name: &str, mut new_db: impl FnMut() -> Db) {
    let (project, revs) = chain(name);
    let to = revs[27].clone(); // step 28; steps 29 and 30 revise it
    let middle = revs[14].clone();

    // Before the squash: one database at head, one at the middle, one at TO, one fresh.
    let head_db = new_db();
    head_db.ok(&project, &["upgrade"]);
    let expected = head_db.at_head(&project, &revs[29]);
    let mid_db = new_db();
    mid_db.ok(&project, &["upgrade", &middle]);
    let to_db = new_db();
    to_db.ok(&project, &["upgrade", &to]);
    let base_db = new_db();

    let snapshot_before = project.read("migrations/snapshot.json");
    let out = project.ok(&["squash", &to, "-m", "squashed start"]);
    assert!(
        out.contains(&format!(
            "Squashed 28 migrations ({} .. {to}) after base into",
            revs[0]
        )),
        "{out}"
    );
    assert!(
        out.contains("carried over as written: it has data steps"),
        "{out}"
    );
    assert_eq!(
        project.read("migrations/snapshot.json"),
        snapshot_before,
        "TO is not the head: the snapshot stays"
    );
    let squash_file = project.versions().last().unwrap().clone();
    let squash_rev = newest(&project);
    let source = std::fs::read_to_string(&squash_file).unwrap();
    assert!(
        source.contains("pub const REPLACES: &[&str] = &["),
        "{source}"
    );
    for r in &revs[..28] {
        assert!(source.contains(&format!("    \"{r}\",")), "{r} listed");
    }
    assert!(!source.contains(&format!("\"{}\"", revs[28])));
    // The data step sits between the schema changes, after the tables it fills.
    let insert = source
        .find("INSERT INTO authors")
        .expect("the data step is carried");
    assert!(source.find("create_table(\"authors\"").unwrap() < insert);
    assert!(insert < source.find("rename_column(").expect("the rename is kept"));
    assert!(
        !source.contains("drop_column(\"authors\""),
        "renamed, not dropped and added"
    );

    // Each database reaches the head, the same schema, with history `verify` accepts.
    for db in [&base_db, &mid_db, &to_db] {
        db.ok(&project, &["upgrade"]);
        assert_eq!(db.at_head(&project, &revs[29]), expected);
    }
    let history = base_db.ok(&project, &["history"]);
    assert!(history.contains(&squash_rev), "{history}");
    assert!(
        history.contains(&format!("(replaced by {squash_rev})  replaced")),
        "the originals of a squash applied as one are not pending: {history}"
    );
    let history = head_db.ok(&project, &["history"]);
    assert!(!history.contains("pending"), "{history}");
    assert_eq!(head_db.at_head(&project, &revs[29]), expected);
    // Downgrade into the middle of the squashed run works while the originals exist.
    mid_db.ok(&project, &["downgrade", &revs[19]]);
    assert_eq!(mid_db.ok(&project, &["current"]).trim(), revs[19]);
    mid_db.ok(&project, &["upgrade"]);
    assert_eq!(mid_db.at_head(&project, &revs[29]), expected);
    // A database that applied the squash as one cannot stop inside it.
    let err = base_db.err(&project, &["downgrade", &revs[19]]);
    assert!(err.contains("applied as one migration"), "{err}");

    // Databases prepared for after the deletion: part-way, at TO, fresh.
    let mid2 = new_db();
    mid2.ok(&project, &["upgrade", &middle]);
    let to2 = new_db();
    to2.ok(&project, &["upgrade", &to]);
    let base2 = new_db();

    delete(&project, &revs[..28]);
    assert_eq!(project.versions().len(), 3);
    // Nothing else changes: every database at head stays there, checked and verified.
    for db in [&head_db, &base_db, &mid_db, &to_db] {
        assert_eq!(db.at_head(&project, &revs[29]), expected);
    }
    for db in [&base2, &to2] {
        db.ok(&project, &["upgrade"]);
        assert_eq!(db.at_head(&project, &revs[29]), expected);
    }
    // Part-way with the originals gone: named, nothing run.
    let err = mid2.err(&project, &["upgrade"]);
    assert!(
        err.contains(&format!("the database applied {}", revs[0]))
            && err.contains(&format!("but not {}", revs[15]))
            && err.contains("restore them from version control"),
        "{err}"
    );
    assert_eq!(mid2.err(&project, &["current"]), err);
    // Into the middle is no longer possible; down through the squash is.
    let err = to_db.err(&project, &["downgrade", &revs[19]]);
    assert!(err.contains(&revs[19]), "{err}");
    to_db.ok(&project, &["downgrade", "base"]);
    assert_eq!(
        to_db.ok(&project, &["current"]).trim(),
        "base (no migration applied)"
    );
    assert_eq!(inspect_url(&to_db.url).tables.len(), 0);
    to_db.ok(&project, &["upgrade"]);
    assert_eq!(to_db.at_head(&project, &revs[29]), expected);
}

fn sqlite_db(dir: &std::path::Path) -> impl FnMut() -> Db + '_ {
    let mut n = 0;
    move || {
        n += 1;
        Db {
            url: format!("sqlite://{}", dir.join(format!("db{n}.sqlite")).display()),
            anns: Box::new(|url: &str| {
                use diesel::prelude::*;
                let mut conn =
                    SqliteConnection::establish(url.trim_start_matches("sqlite://")).unwrap();
                diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                    "(SELECT COUNT(*) FROM authors WHERE full_name = 'ann')",
                ))
                .get_result::<i64>(&mut conn)
                .unwrap() as usize
            }),
        }
    }
}

/// The schema `inspect --json` reads at `url`, from no project.
fn inspect_url(url: &str) -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let out = migrate_tests::run_cli(dir.path(), &["--database-url", url, "inspect", "--json"]);
    assert!(out.status.success(), "inspect: {}", text(&out.stderr));
    migrate_core::snapshot::Snapshot::from_json(&text(&out.stdout), std::path::Path::new("inspect"))
        .unwrap()
        .schema()
}

#[test]
fn sqlite_squash_of_thirty_reaches_every_database() {
    let dir = tempfile::tempdir().unwrap();
    scenario("squash_sqlite", sqlite_db(dir.path()));
}

/// The scenario on a server: each database its own, dropped at the end.
fn server_scenario(kind: &'static str, variable: &str, test: &str) {
    if ServerDb::create(kind, variable, test).is_none() {
        return;
    }
    let dbs: &'static std::sync::Mutex<Vec<ServerDb>> = Box::leak(Box::default());
    let new_db = move || {
        let db = ServerDb::create(kind, variable, test).expect("the server answered before");
        let url = db.url.clone();
        dbs.lock().unwrap().push(db);
        Db {
            url,
            anns: Box::new(move |url: &str| {
                let all = dbs.lock().unwrap();
                let db = all.iter().find(|d| d.url == url).unwrap();
                db.sql("SELECT id FROM authors WHERE full_name = 'ann'")
                    .lines()
                    .count()
            }),
        }
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scenario(&format!("squash_{kind}"), new_db)
    }));
    dbs.lock().unwrap().clear(); // dropped: each database goes
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn postgres_squash_of_thirty_reaches_every_database() {
    server_scenario(
        "postgres",
        POSTGRES_URL,
        "postgres_squash_of_thirty_reaches_every_database",
    );
}

#[test]
fn mysql_squash_of_thirty_reaches_every_database() {
    server_scenario(
        "mysql",
        MYSQL_URL,
        "mysql_squash_of_thirty_reaches_every_database",
    );
}

/// The revision of the newest module of `versions/`.
fn newest(project: &Project) -> String {
    let module = project.versions().last().unwrap().clone();
    module.file_name().unwrap().to_string_lossy()[..14].to_string()
}

/// Deletes the module files of `revisions`.
fn delete(project: &Project, revisions: &[impl AsRef<str>]) {
    for path in project.versions() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if revisions.iter().any(|r| name.starts_with(r.as_ref())) {
            std::fs::remove_file(path).unwrap();
        }
    }
}

/// The revisions `sql RANGE` prints the steps of.
fn sql_revisions(project: &Project, range: &str) -> Vec<String> {
    project
        .ok(&["sql", range])
        .lines()
        .filter_map(|l| l.strip_prefix("-- upgrade "))
        .map(|l| l[..14].to_string())
        .collect()
}

#[test]
fn a_squash_of_squashes_reaches_every_database_and_its_originals_can_go() {
    let dir = tempfile::tempdir().unwrap();
    let mut new_db = sqlite_db(dir.path());
    let (project, revs) = chain_of("squash_nested", 7);
    let head = revs[6].clone();
    // Before any squash: one database at head, one part-way.
    let before_head = new_db();
    before_head.ok(&project, &["upgrade"]);
    let expected = before_head.at_head(&project, &head);
    let before_mid = new_db();
    before_mid.ok(&project, &["upgrade", &revs[1]]);

    project.ok(&["squash", &revs[2], "-m", "first three"]);
    let s = newest(&project);
    let through_s = new_db();
    through_s.ok(&project, &["upgrade", &s]);
    assert_eq!(through_s.ok(&project, &["current"]).trim(), s);

    // The second squash takes in the first: it lists the first's originals before it.
    let out = project.ok(&["squash", &revs[5], "-m", "first six"]);
    let t = newest(&project);
    assert!(
        out.contains(&format!("Squashed 4 migrations ({s} .. {})", revs[5]))
            && out.contains(
                "It also replaces the 3 revisions the squashed migrations among them replace"
            ),
        "{out}"
    );
    let source = std::fs::read_to_string(project.versions().last().unwrap()).unwrap();
    let listed: Vec<&str> = source
        .lines()
        .skip_while(|l| !l.starts_with("pub const REPLACES"))
        .skip(1)
        .take_while(|l| !l.starts_with("];"))
        .map(|l| l.trim().trim_matches(|c| c == '"' || c == ','))
        .collect();
    let want: Vec<&str> = vec![
        &revs[0], &revs[1], &revs[2], &s, &revs[3], &revs[4], &revs[5],
    ]
    .into_iter()
    .map(String::as_str)
    .collect();
    assert_eq!(listed, want, "{source}");
    project.ok(&["check"]);

    // `sql` and `lint` name revisions inside the squashes while their files exist.
    assert_eq!(
        sql_revisions(&project, &format!("{}:{}", revs[1], revs[3])),
        [revs[2].clone(), revs[3].clone()]
    );
    assert_eq!(
        sql_revisions(&project, &format!("{s}:head")),
        revs[3..].to_vec()
    );
    assert_eq!(
        sql_revisions(&project, "base:head"),
        [t.clone(), head.clone()]
    );
    project.ok(&["lint", &revs[1], "--dialect", "postgres"]);

    // A target inside both squashes, from a fresh database.
    let inside = new_db();
    inside.ok(&project, &["upgrade", &revs[1]]);
    assert_eq!(inside.ok(&project, &["current"]).trim(), revs[1]);
    let fresh = new_db();
    let all = [&before_head, &before_mid, &through_s, &inside, &fresh];
    for db in all {
        db.ok(&project, &["upgrade"]);
        assert_eq!(db.at_head(&project, &head), expected);
    }
    let history = fresh.ok(&project, &["history"]);
    assert!(history.contains(&format!("{t}  applied")), "{history}");

    // The first squash's originals go, then the second's: every database stays at head.
    delete(&project, &[&revs[0], &revs[1], &revs[2]]);
    for db in all {
        assert_eq!(db.at_head(&project, &head), expected);
    }
    delete(&project, &[&s, &revs[3], &revs[4], &revs[5]]);
    assert_eq!(project.versions().len(), 2);
    for db in all {
        assert_eq!(db.at_head(&project, &head), expected);
        let history = db.ok(&project, &["history"]);
        assert!(!history.contains("pending"), "{history}");
    }
    let last = new_db();
    last.ok(&project, &["upgrade"]);
    assert_eq!(last.at_head(&project, &head), expected);
    // Inside a squash whose originals are gone: named.
    let out = project.cli(&["sql", &format!("{}:head", revs[1])]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("revision {} is squashed into", revs[1]))
            && err.contains("its file is gone"),
        "{err}"
    );
}

/// What squash may change, as it is.
fn files(project: &Project) -> (String, Vec<std::path::PathBuf>) {
    (project.read("migrations/snapshot.json"), project.versions())
}

fn refused(project: &Project, args: &[&str], expected: &str) {
    let before = files(project);
    let out = project.cli(args);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        text(&out.stdout)
    );
    let err = text(&out.stderr);
    assert!(err.contains(expected), "{args:?}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one clear error: {err}");
    assert_eq!(files(project), before, "{args:?}: nothing written");
}

#[test]
fn squash_refuses_what_it_cannot_carry_and_writes_nothing() {
    let (project, revs) = chain_of("squash_refusals", 4);
    refused(
        &project,
        &["squash", "99999999999999", "-m", "x"],
        "no migration has a revision starting with `99999999999999`",
    );
    refused(
        &project,
        &["squash", &revs[0], "-m", "x"],
        "nothing to squash",
    );
    refused(
        &project,
        &["squash", &revs[2], &revs[0], "-m", "x"],
        &format!("revision {} is not an ancestor of {}", revs[2], revs[0]),
    );
    refused(
        &project,
        &["squash", &revs[1], &revs[1], "-m", "x"],
        "nothing to squash",
    );

    // A Rust data step in the range is named, never dropped.
    project.ok(&["migrate", "-m", "rust step", "--empty"]);
    let path = project.versions().last().unwrap().clone();
    let rust_rev = newest(&project);
    let empty = std::fs::read_to_string(&path).unwrap();
    let source = empty.replace(
        "pub fn up(_m: &mut Migration) {}",
        "pub fn up(m: &mut Migration) {\n    m.run(\"touch\", |_conn: &mut diesel::SqliteConnection| Ok(()));\n}",
    );
    std::fs::write(&path, source).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    refused(
        &project,
        &["squash", &rust_rev, "-m", "x"],
        &format!("{file} (revision {rust_rev}) holds a Rust data step (`m.run`)"),
    );
    // Hand-written code the reader cannot read, likewise.
    let source = std::fs::read_to_string(&path).unwrap().replace(
        "    m.run(\"touch\", |_conn: &mut diesel::SqliteConnection| Ok(()));\n",
        "    let table = \"authors\";\n    m.sql(table);\n",
    );
    std::fs::write(&path, source).unwrap();
    refused(
        &project,
        &["squash", &rust_rev, "-m", "x"],
        &format!("{file} (revision {rust_rev}) holds code the reader does not read"),
    );
    std::fs::write(&path, empty).unwrap();
    project.ok(&["remove"]);

    // A branch off the middle of the run, and a merge inside it.
    // Revision ids are seconds: the branch takes one of revs[3]'s ten that the chain left free.
    let branch_rev = (0..10)
        .rev()
        .map(|d| format!("{}{d}", &revs[3][..13]))
        .find(|r| !revs.contains(r))
        .unwrap();
    let branch_path = project.file(&format!("migrations/versions/{branch_rev}_branch.rs"));
    std::fs::write(
        &branch_path,
        format!("use migrate_core::migration::prelude::*;\n\npub const REVISION: &str = \"{branch_rev}\";\npub const REVISES: &[&str] = &[\"{}\"];\npub const MESSAGE: &str = \"branch\";\n\npub fn up(_m: &mut Migration) {{}}\n\npub fn down(_m: &mut Migration) {{}}\n", revs[1]),
    )
    .unwrap();
    refused(
        &project,
        &["squash", &revs[3], "-m", "x"],
        &format!(
            "{branch_rev}_branch.rs (revision {branch_rev}) branches off revision {}",
            revs[1]
        ),
    );
    project.ok(&["merge", "-m", "join"]);
    let merge_rev = newest(&project);
    refused(
        &project,
        &["squash", &merge_rev, "-m", "x"],
        &format!("(revision {merge_rev}) merges"),
    );
    // Squashing up to before the branch is fine.
    project.ok(&["squash", &revs[1], "-m", "first two"]);
    project.ok(&["check"]);
}

#[test]
fn squash_up_to_the_head_moves_the_snapshot_and_remove_takes_it_back() {
    let (project, revs) = chain_of("squash_head", 3);
    let before = files(&project);
    let schema_rs = project.read("src/schema.rs");
    let out = project.ok(&["squash", "base", &revs[2], "-m", "all three"]);
    let squash = newest(&project);
    assert!(
        out.contains(&format!(
            "Moved the head of migrations/snapshot.json to {squash}"
        )),
        "{out}"
    );
    assert_eq!(project.snapshot_schema(), {
        let snapshot =
            migrate_core::snapshot::Snapshot::from_json(&before.0, std::path::Path::new("s"));
        snapshot.unwrap().schema()
    });
    assert_eq!(
        project.read("src/schema.rs"),
        schema_rs,
        "the schema is the same"
    );
    project.ok(&["check"]);
    let heads = project.ok(&["heads"]);
    assert_eq!(heads.trim(), format!("{squash} all three (head)"));
    let out = project.ok(&["remove"]);
    assert!(
        out.contains(&format!("Removed {squash} (all three)")),
        "{out}"
    );
    assert_eq!(files(&project), before, "back to the three, byte for byte");
}
