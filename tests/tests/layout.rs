//! `migrate` leaves a generated module as it is, without starting rustfmt, when
//! `codegen::laid_out_as_rustfmt` says rustfmt would change nothing. These properties hold that
//! to rustfmt itself: modules of random operations, with names and literals of every length,
//! that the check passes are exactly what rustfmt writes; and the check passes the common case.

use migrate_core::codegen::{laid_out_as_rustfmt, render_module, ModuleHeader};
use migrate_core::migration::Operation;
use migrate_core::objects::{DbObject, ObjectKey, ObjectKind};
use migrate_core::schema::{
    Check, Column, DefaultValue, Deferrable, EnumType, Exclusion, FkAction, ForeignKey, Generated,
    Identity, Index, IndexColumn, Nulls, PartitionOf, SqlType, Table, TableOptions, Unique,
};
use migrate_tests::rustfmt;
use proptest::prelude::*;

/// Names from one letter to past what fits a line, so both sides of every width are drawn.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[a-z][a-z0-9_]{0,12}", 1 => "[a-z][a-z0-9_]{13,70}"]
}

fn names() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(name(), 1..5)
}

/// Literals with quotes, backslashes and non-ASCII text, which the module escapes.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![3 => "[ -~]{0,20}", 1 => "[ -~é\"\\\\\t]{0,90}"]
}

fn sql_type() -> impl Strategy<Value = SqlType> {
    prop_oneof![
        Just(SqlType::Integer),
        Just(SqlType::Text),
        Just(SqlType::TimestampTz),
        (1u32..100_000).prop_map(SqlType::Varchar),
        (1u32..40, 0u32..10).prop_map(|(p, s)| SqlType::Numeric(Some((p, s)))),
        name().prop_map(SqlType::Enum),
        name().prop_map(SqlType::Custom),
        Just(SqlType::unsigned(SqlType::BigInt)),
        Just(SqlType::array(SqlType::array(SqlType::Text))),
        (0u32..7).prop_map(SqlType::TimestampTzPrecision),
        Just(SqlType::VarBit(None)),
        prop::collection::vec(name(), 1..4).prop_map(SqlType::Set),
    ]
}

/// Rarely set: most of a schema uses none of the options.
fn sometimes<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![3 => Just(None), 1 => value.prop_map(Some)]
}

fn deferrable() -> impl Strategy<Value = Option<Deferrable>> {
    sometimes(prop_oneof![
        Just(Deferrable::Immediate),
        Just(Deferrable::Deferred)
    ])
}

fn identity() -> impl Strategy<Value = Option<Identity>> {
    sometimes(prop_oneof![
        Just(Identity::SERIAL),
        name().prop_map(|s| Identity::Serial { sequence: Some(s) }),
        Just(Identity::Always),
        Just(Identity::ByDefault),
        Just(Identity::Autoincrement),
    ])
}

/// The column options of the second vocabulary: identity, ON UPDATE, generated expression,
/// collation, charset, comment.
#[allow(clippy::type_complexity)]
fn column_options() -> impl Strategy<
    Value = (
        Option<Identity>,
        Option<String>,
        Option<Generated>,
        Option<String>,
        Option<String>,
        Option<String>,
    ),
> {
    (
        identity(),
        sometimes(literal()),
        sometimes((literal(), any::<bool>()).prop_map(|(expr, stored)| Generated { expr, stored })),
        sometimes(name()),
        sometimes(name()),
        sometimes(literal()),
    )
}

fn default_value() -> impl Strategy<Value = Option<DefaultValue>> {
    prop_oneof![
        2 => Just(None),
        1 => any::<bool>().prop_map(|b| Some(DefaultValue::Bool(b))),
        1 => any::<i64>().prop_map(|i| Some(DefaultValue::Int(i))),
        1 => "-?[0-9]{1,8}(\\.[0-9]{1,4})?".prop_map(|f| Some(DefaultValue::Float(f))),
        1 => literal().prop_map(|t| Some(DefaultValue::Text(t))),
        1 => "[A-Z_()]{1,50}".prop_map(|t| Some(DefaultValue::Sql(t))),
    ]
}

fn column() -> impl Strategy<Value = Column> {
    (
        name(),
        sql_type(),
        any::<bool>(),
        any::<bool>(),
        default_value(),
        column_options(),
    )
        .prop_map(
            |(
                name,
                ty,
                nullable,
                auto_increment,
                default,
                (identity, on_update, generated, collation, charset, comment),
            )| Column {
                nullable,
                auto_increment: auto_increment || identity.is_some(),
                identity,
                default,
                on_update,
                generated,
                collation,
                charset,
                comment,
                ..Column::new(name, ty)
            },
        )
}

fn action() -> impl Strategy<Value = FkAction> {
    prop_oneof![
        3 => Just(FkAction::NoAction),
        1 => Just(FkAction::Cascade),
        1 => Just(FkAction::SetNull),
    ]
}

fn foreign_key() -> impl Strategy<Value = ForeignKey> {
    (
        name(),
        names(),
        name(),
        names(),
        action(),
        action(),
        (deferrable(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                name,
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
                (deferrable, match_full, not_valid),
            )| ForeignKey {
                name,
                columns,
                ref_table,
                ref_columns,
                on_delete,
                on_update,
                deferrable,
                match_full,
                not_valid,
            },
        )
}

fn index_column() -> impl Strategy<Value = IndexColumn> {
    (
        prop_oneof![
            3 => name().prop_map(IndexColumn::column),
            1 => literal().prop_map(IndexColumn::expression),
        ],
        any::<bool>(),
        sometimes(prop_oneof![Just(Nulls::First), Just(Nulls::Last)]),
        sometimes(name()),
        sometimes(name()),
        sometimes(1u32..1000),
    )
        .prop_map(|(mut c, descending, nulls, opclass, collation, length)| {
            c.descending = descending;
            c.nulls = nulls;
            c.opclass = opclass;
            c.collation = collation;
            c.length = length;
            c
        })
}

fn index() -> impl Strategy<Value = Index> {
    (
        name(),
        prop_oneof![
            2 => names().prop_map(|n| n.into_iter().map(IndexColumn::column).collect()),
            1 => prop::collection::vec(index_column(), 1..4),
        ],
        any::<bool>(),
        (
            sometimes(name()),
            sometimes(literal()),
            prop::collection::vec(name(), 0..2),
            sometimes(literal()),
            any::<bool>(),
            sometimes(literal()),
        ),
    )
        .prop_map(
            |(
                name,
                columns,
                unique,
                (method, predicate, include, with, nulls_not_distinct, comment),
            )| {
                Index {
                    name,
                    columns,
                    unique,
                    method,
                    predicate,
                    include,
                    with,
                    nulls_not_distinct,
                    comment,
                }
            },
        )
}

fn unique() -> impl Strategy<Value = Unique> {
    (name(), names(), deferrable(), any::<bool>()).prop_map(
        |(name, columns, deferrable, nulls_not_distinct)| Unique {
            deferrable,
            nulls_not_distinct,
            ..Unique::new(name, columns)
        },
    )
}

fn check() -> impl Strategy<Value = Check> {
    (name(), literal(), any::<bool>(), any::<bool>()).prop_map(
        |(name, expr, not_valid, no_inherit)| Check {
            not_valid,
            no_inherit,
            ..Check::new(name, expr)
        },
    )
}

fn exclusion() -> impl Strategy<Value = Exclusion> {
    (name(), literal(), deferrable()).prop_map(|(name, definition, deferrable)| Exclusion {
        name,
        definition,
        deferrable,
    })
}

fn table_options() -> impl Strategy<Value = TableOptions> {
    (
        (
            sometimes(literal()),
            sometimes(name()),
            sometimes(name()),
            sometimes(name()),
            any::<bool>(),
            sometimes(literal()),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            sometimes(literal()),
            sometimes(
                (name(), literal()).prop_map(|(parent, bound)| PartitionOf { parent, bound }),
            ),
            prop::collection::vec(name(), 0..2),
        ),
    )
        .prop_map(
            |(
                (comment, engine, charset, collation, unlogged, with),
                (without_rowid, strict, partition_by, partition_of, inherits),
            )| TableOptions {
                comment,
                engine,
                charset,
                collation,
                without_rowid,
                strict,
                partition_by,
                partition_of,
                inherits,
                unlogged,
                with,
            },
        )
}

fn table() -> impl Strategy<Value = Table> {
    (
        name(),
        prop::collection::vec(column(), 1..5),
        prop::collection::vec(name(), 0..3),
        prop::collection::vec(unique(), 0..2),
        prop::collection::vec(foreign_key(), 0..2),
        prop::collection::vec(check(), 0..2),
        prop::collection::vec(index(), 0..2),
        (
            sometimes(name()),
            prop::collection::vec(exclusion(), 0..2),
            table_options(),
        ),
    )
        .prop_map(
            |(
                name,
                columns,
                primary_key,
                uniques,
                fks,
                checks,
                indexes,
                (primary_key_name, exclusions, options),
            )| {
                let mut t = Table::new(name);
                t.columns = columns;
                t.primary_key_name = primary_key_name.filter(|_| !primary_key.is_empty());
                t.primary_key = primary_key;
                t.uniques = uniques;
                t.foreign_keys = fks;
                t.checks = checks;
                t.indexes = indexes;
                t.exclusions = exclusions;
                t.options = options;
                t
            },
        )
}

/// An object's SQL: one line or several, with quotes, hashes and indentation, as files hold it.
fn object_sql() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "[ -~]{1,40}",
        1 => "[ -~]{60,130}",
        2 => prop::collection::vec("[ -~\t]{0,70}", 2..6).prop_map(|lines| lines.join("\n")),
        1 => Just("CREATE VIEW \"v\"# AS SELECT '\"#' AS x\n  FROM t;".to_string()),
    ]
}

fn object_kind() -> impl Strategy<Value = ObjectKind> {
    prop::sample::select(ObjectKind::ALL.to_vec())
}

fn object() -> impl Strategy<Value = DbObject> {
    (
        object_kind(),
        name(),
        prop::option::of(name()),
        prop::option::of(prop::collection::vec("[a-z ]{1,20}", 0..3)),
        prop::collection::vec(name().prop_map(|n| format!("table {n}")), 0..3),
        object_sql(),
    )
        .prop_map(
            |(kind, name, table, arguments, depends_on, definition)| DbObject {
                kind,
                name,
                table,
                arguments,
                depends_on,
                definition,
            },
        )
}

fn operation() -> impl Strategy<Value = Operation> {
    prop_oneof![
        object().prop_map(Operation::CreateObject),
        object().prop_map(Operation::ReplaceObject),
        (object_kind(), name(), prop::option::of(name())).prop_map(|(kind, name, table)| {
            Operation::DropObject(ObjectKey {
                table,
                ..ObjectKey::new(kind, name)
            })
        }),
        table().prop_map(Operation::CreateTable),
        name().prop_map(Operation::DropTable),
        (name(), column()).prop_map(|(table, column)| Operation::AddColumn { table, column }),
        (name(), column()).prop_map(|(table, column)| Operation::AlterColumn { table, column }),
        (name(), name()).prop_map(|(table, column)| Operation::DropColumn { table, column }),
        (name(), index()).prop_map(|(table, index)| Operation::CreateIndex { table, index }),
        (name(), foreign_key())
            .prop_map(|(table, foreign_key)| Operation::AddForeignKey { table, foreign_key }),
        (name(), unique()).prop_map(|(table, unique)| Operation::AddUnique { table, unique }),
        (name(), check()).prop_map(|(table, check)| Operation::AddCheck { table, check }),
        (name(), exclusion())
            .prop_map(|(table, exclusion)| Operation::AddExclusion { table, exclusion }),
        (name(), name()).prop_map(|(table, name)| Operation::DropExclusion { table, name }),
        (name(), table_options())
            .prop_map(|(table, options)| Operation::AlterTableOptions { table, options }),
        (name(), names(), prop::option::of(name())).prop_map(|(table, columns, name)| {
            Operation::SetPrimaryKey {
                table,
                columns,
                name,
            }
        }),
        (name(), name(), name()).prop_map(|(table, from, to)| Operation::RenameColumn {
            table,
            from,
            to
        }),
        (name(), name()).prop_map(|(from, to)| Operation::RenameTable { from, to }),
        literal().prop_map(Operation::Sql),
        (name(), names())
            .prop_map(|(name, values)| Operation::CreateEnum(EnumType { name, values })),
        (name(), names()).prop_map(|(name, values)| Operation::AlterEnum { name, values }),
        (name(), name(), name()).prop_map(|(name, from, to)| Operation::RenameEnumValue {
            name,
            from,
            to
        }),
    ]
}

fn module(up: &[Operation], down: &[Operation], message: &str) -> String {
    module_warning(up, down, message, &[])
}

fn module_warning(
    up: &[Operation],
    down: &[Operation],
    message: &str,
    warnings: &[String],
) -> String {
    let header = ModuleHeader {
        revision: "20261125120000".into(),
        revises: vec!["20261124120000".into()],
        message: message.into(),
        created: "2026-11-25 12:00:00 UTC".into(),
    };
    render_module(&header, up, down, warnings)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_module_the_check_passes_is_what_rustfmt_writes(
        up in prop::collection::vec(operation(), 0..4),
        down in prop::collection::vec(operation(), 0..3),
        message in "[ -~]{1,60}",
        warnings in prop::collection::vec("[ -~é]{1,150}", 0..2),
    ) {
        let text = module_warning(&up, &down, &message, &warnings);
        if laid_out_as_rustfmt(&text) {
            match rustfmt(&text) {
                Some(formatted) => prop_assert_eq!(formatted, text),
                None => eprintln!("skipped: rustfmt is not installed or refused the module"),
            }
        }
    }
}

/// The common case passes: a model's table with the usual names and a one-column change.
#[test]
fn short_names_pass_the_check() {
    let mut posts = Table::new("posts");
    posts.columns = vec![
        Column {
            auto_increment: true,
            ..Column::new("id", SqlType::Integer)
        },
        Column::new("title", SqlType::Varchar(200)),
        Column {
            nullable: true,
            default: Some(DefaultValue::Sql("CURRENT_TIMESTAMP".into())),
            ..Column::new("published_at", SqlType::TimestampTz)
        },
    ];
    posts.primary_key = vec!["id".into()];
    posts.indexes = vec![Index {
        name: "ix_posts_title".into(),
        columns: vec!["title".into()],
        unique: false,
        ..Default::default()
    }];
    let up = [
        Operation::CreateTable(posts),
        Operation::AddColumn {
            table: "users".into(),
            column: Column {
                nullable: true,
                ..Column::new("nickname", SqlType::Varchar(64))
            },
        },
    ];
    let down = [
        Operation::DropColumn {
            table: "users".into(),
            column: "nickname".into(),
        },
        Operation::DropTable("posts".into()),
    ];
    let text = module(&up, &down, "add posts");
    assert!(laid_out_as_rustfmt(&text), "{text}");
    if let Some(formatted) = rustfmt(&text) {
        assert_eq!(formatted, text);
    }
}
