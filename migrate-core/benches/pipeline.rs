//! The pipeline's in-memory stages on the synthetic schema of `shared/bench/gen_schema.py`, at 10,
//! 100 and 1000 tables: diff (empty -> N tables; N -> the same N; N -> N with one more column),
//! code generation of the initial plan, diff and code generation together, snapshot write and
//! read, and the SQLite statements of the initial plan.
//!
//! With `--features source` it also measures the dev-loop reader on the generated models file
//! (`source::read_models`, and `syn::parse_file` alone as the floor), after checking that the
//! reader gives exactly the schema built here.
//!
//! ```text
//! cargo bench -p migrate-core --bench pipeline
//! cargo bench -p migrate-core --bench pipeline --features source
//! PIPELINE_SOURCE_SIZES=200 cargo bench -p migrate-core --bench pipeline --features source -- syn_parse_file
//! ```

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use migrate_core::codegen::{render_module, ModuleHeader};
use migrate_core::dialect::{render_all, SqliteDialect};
use migrate_core::diff::diff;
use migrate_core::schema::{
    Column, DefaultValue, ForeignKey, Index, Schema, SqlType, Table, Unique,
};
use migrate_core::snapshot::Snapshot;

const SIZES: [usize; 3] = [10, 100, 1000];

fn table_name(i: usize) -> String {
    format!("t{i:04}")
}

/// Table `i` of gen_schema.py, as the model readers build it.
fn table(i: usize) -> Table {
    let name = table_name(i);
    let col = |n: &str, ty: SqlType, nullable: bool| {
        let mut c = Column::new(n, ty);
        c.nullable = nullable;
        c
    };
    let mut id = col("id", SqlType::Integer, false);
    id.auto_increment = true;
    let mut active = col("active", SqlType::Boolean, false);
    active.default = Some(DefaultValue::Bool(true));
    let mut t = Table::new(name.clone());
    t.columns = vec![
        id,
        col("name", SqlType::Varchar(120), false),
        col("email", SqlType::Varchar(255), false),
        col("bio", SqlType::Text, true),
        col("score", SqlType::Double, false),
        active,
        col("created_at", SqlType::Timestamp, false),
        col("amount", SqlType::Numeric(Some((10, 2))), true),
        col("parent_id", SqlType::Integer, true),
        col("payload", SqlType::Binary, true),
    ];
    t.primary_key = vec!["id".into()];
    t.uniques = vec![Unique::new(format!("uq_{name}_email"), ["email"])];
    t.indexes = vec![Index::new(format!("ix_{name}_parent_id"), ["parent_id"])];
    if i > 0 {
        let parent = table_name(i - 1);
        t.foreign_keys = vec![ForeignKey {
            name: format!("fk_{name}_parent_id_{parent}"),
            columns: vec!["parent_id".into()],
            ref_table: parent,
            ref_columns: vec!["id".into()],
            ..ForeignKey::default()
        }];
    }
    t
}

fn schema(n: usize) -> Schema {
    Schema::new((0..n).map(table).collect())
}

fn header() -> ModuleHeader {
    ModuleHeader {
        revision: "20260101000000".into(),
        revises: Vec::new(),
        message: "initial".into(),
        created: "2026-01-01 00:00:00 UTC".into(),
    }
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

fn stages(c: &mut Criterion) {
    let empty = Schema::default();
    let schemas: Vec<(usize, Schema)> = SIZES.iter().map(|&n| (n, schema(n))).collect();

    let mut group = c.benchmark_group("diff");
    for (n, s) in &schemas {
        group.bench_with_input(BenchmarkId::from_parameter(n), s, |b, s| {
            b.iter(|| diff(black_box(&empty), black_box(s)).unwrap())
        });
    }
    group.finish();

    // What a dev-loop `migrate` diffs: the snapshot against equal models, and against the models
    // after the one-column edit of gen_schema.py's `--extra` (nickname varchar(64) NULL on the
    // middle table).
    let mut group = c.benchmark_group("diff_nochange");
    for (n, s) in &schemas {
        let same = s.clone();
        group.bench_with_input(BenchmarkId::from_parameter(n), s, |b, s| {
            b.iter(|| assert!(diff(black_box(s), black_box(&same)).unwrap().is_empty()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("diff_onecol");
    for (n, s) in &schemas {
        let mut edited = s.clone();
        let mut nickname = Column::new("nickname", SqlType::Varchar(64));
        nickname.nullable = true;
        edited
            .table_mut(&table_name(n / 2))
            .unwrap()
            .columns
            .push(nickname);
        assert_eq!(diff(s, &edited).unwrap().up.len(), 1);
        group.bench_with_input(BenchmarkId::from_parameter(n), s, |b, s| {
            b.iter(|| diff(black_box(s), black_box(&edited)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("codegen");
    for (n, s) in &schemas {
        let plan = diff(&empty, s).unwrap();
        assert_eq!(plan.up.len(), *n, "one create_table per table");
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan, |b, plan| {
            b.iter(|| render_module(&header(), black_box(&plan.up), &plan.down, &[]))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("diff+codegen");
    for (n, s) in &schemas {
        group.bench_with_input(BenchmarkId::from_parameter(n), s, |b, s| {
            b.iter(|| {
                let plan = diff(black_box(&empty), black_box(s)).unwrap();
                render_module(&header(), &plan.up, &plan.down, &[])
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("snapshot_write");
    for (n, s) in &schemas {
        let snap = Snapshot::new(Some("20260101000000".into()), s.clone());
        group.bench_with_input(BenchmarkId::from_parameter(n), &snap, |b, snap| {
            b.iter(|| black_box(snap).to_json())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("snapshot_read");
    for (n, s) in &schemas {
        let text = Snapshot::new(Some("20260101000000".into()), s.clone()).to_json();
        let back = Snapshot::from_json(&text, Path::new("snapshot.json")).unwrap();
        assert_eq!(&back.schema(), s, "snapshot round trip");
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| Snapshot::from_json(black_box(text), Path::new("snapshot.json")).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("sql");
    for (n, s) in &schemas {
        let plan = diff(&empty, s).unwrap();
        let (statements, end) = render_all(&SqliteDialect, &empty, &plan.up).unwrap();
        assert_eq!(&end, s);
        assert_eq!(
            statements.len(),
            2 * n,
            "create table + create index per table"
        );
        group.bench_with_input(BenchmarkId::from_parameter(n), &plan.up, |b, ops| {
            b.iter(|| render_all(&SqliteDialect, black_box(&empty), black_box(ops)).unwrap())
        });
    }
    group.finish();
}

/// The models file of `gen_schema.py N --rust FILE --diesel` (the base schema, no `--extra`).
#[cfg(feature = "source")]
fn models_source(n: usize) -> String {
    let mut out = String::from("use migrate_core::Model;\nuse diesel::prelude::*;\n\n");
    for i in 0..n {
        let t = table_name(i);
        out.push_str("#[derive(Model, Queryable, Selectable, Insertable)]\n");
        out.push_str(&format!("#[diesel(table_name = crate::schema::{t})]\n"));
        out.push_str(&format!("#[model(table = \"{t}\")]\n"));
        out.push_str(&format!("pub struct M{i:04} {{\n"));
        out.push_str("    #[model(primary_key)]\n    pub id: i32,\n");
        out.push_str("    #[model(max_length = 120)]\n    pub name: String,\n");
        out.push_str("    #[model(max_length = 255, unique)]\n    pub email: String,\n");
        out.push_str("    pub bio: Option<String>,\n    pub score: f64,\n");
        out.push_str("    #[model(default = true)]\n    pub active: bool,\n");
        out.push_str("    pub created_at: chrono::NaiveDateTime,\n");
        out.push_str("    #[model(numeric(precision = 10, scale = 2))]\n");
        out.push_str("    pub amount: Option<bigdecimal::BigDecimal>,\n");
        if i > 0 {
            out.push_str(&format!(
                "    #[model(references = \"{}.id\", index)]\n",
                table_name(i - 1)
            ));
        } else {
            out.push_str("    #[model(index)]\n");
        }
        out.push_str("    pub parent_id: Option<i32>,\n    pub payload: Option<Vec<u8>>,\n}\n\n");
    }
    out
}

#[cfg(feature = "source")]
fn source_reader(c: &mut Criterion) {
    use migrate_core::model::schema_from_models;
    use migrate_core::source::read_models;

    // PIPELINE_SOURCE_SIZES="200,500" measures the source reader at those sizes instead
    // (bench/compare.sh asks for its own N).
    let sizes: Vec<usize> = match std::env::var("PIPELINE_SOURCE_SIZES") {
        Ok(list) => list
            .split(',')
            .map(|n| n.trim().parse().expect("PIPELINE_SOURCE_SIZES: numbers"))
            .collect(),
        Err(_) => SIZES.iter().copied().chain([200]).collect(),
    };
    let root = std::env::temp_dir().join(format!("migrate-bench-source-{}", std::process::id()));
    let mut crates = Vec::new();
    for n in sizes {
        let dir = root.join(format!("n{n}"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let text = models_source(n);
        std::fs::write(dir.join("src/lib.rs"), "pub mod models;\n").unwrap();
        std::fs::write(dir.join("src/models.rs"), &text).unwrap();
        let models = read_models(&dir).unwrap();
        let read = schema_from_models(&models).unwrap();
        assert_eq!(
            read,
            schema(n),
            "the source reader agrees with the schema built here"
        );
        crates.push((n, dir, text));
    }
    crates.sort_by_key(|(n, _, _)| *n);

    let mut group = c.benchmark_group("syn_parse_file");
    for (n, _, text) in &crates {
        group.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| syn::parse_file(black_box(text)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("read_models");
    for (n, dir, _) in &crates {
        group.bench_with_input(BenchmarkId::from_parameter(n), dir, |b, dir| {
            b.iter(|| read_models(black_box(dir)).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("read_models+schema");
    for (n, dir, _) in &crates {
        group.bench_with_input(BenchmarkId::from_parameter(n), dir, |b, dir| {
            b.iter(|| schema_from_models(&read_models(black_box(dir)).unwrap()).unwrap())
        });
    }
    group.finish();

    // The whole in-memory `migrate` of a no-change run: read the models, read the snapshot, diff.
    let mut group = c.benchmark_group("nochange_inmemory");
    for (n, dir, _) in &crates {
        let text = Snapshot::new(Some("20260101000000".into()), schema(*n)).to_json();
        group.bench_with_input(BenchmarkId::from_parameter(n), dir, |b, dir| {
            b.iter(|| {
                let models = schema_from_models(&read_models(black_box(dir)).unwrap()).unwrap();
                let snap = Snapshot::from_json(&text, Path::new("snapshot.json")).unwrap();
                let plan = diff(&snap.schema(), &models).unwrap();
                assert!(plan.is_empty());
            })
        });
    }
    group.finish();

    let _ = std::fs::remove_dir_all(&root);
}

fn all(c: &mut Criterion) {
    stages(c);
    #[cfg(feature = "source")]
    source_reader(c);
}

criterion_group! {
    name = benches;
    config = config();
    targets = all
}
criterion_main!(benches);
