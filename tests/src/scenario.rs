//! The scenario catalogue's machinery: a small vocabulary to write schemas in, rows seeded from
//! a schema, and the SQLite round trip every scenario goes through (`up`, introspect, rows,
//! `down`, introspect, `up` again).

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use migrate_core::dialect::{render_all, Backend, SqliteDialect};
use migrate_core::diff::{diff, diff_with_renames, ColumnRename, Plan, Renames, TableRename};
use migrate_core::introspect::{align_sqlite_keys, introspect_sqlite};
use migrate_core::migration::Operation;
use migrate_core::schema::{
    constraint_name, Check, Column, DefaultValue, FkAction, ForeignKey, Index, Schema, SqlType,
    Table, Unique,
};

/// Every backend, the default of a scenario.
pub const ALL_BACKENDS: [Backend; 3] = [Backend::Sqlite, Backend::Postgres, Backend::Mysql];

/// Builds tables tersely: `table("posts").col("title", SqlType::Text).fk("author_id", "users")`.
pub trait TableBuilder: Sized {
    /// A NOT NULL column.
    fn col(self, name: &str, ty: SqlType) -> Self;
    /// A nullable column.
    fn null(self, name: &str, ty: SqlType) -> Self;
    /// A NOT NULL column with a default.
    fn with_default(self, name: &str, ty: SqlType, default: DefaultValue) -> Self;
    /// A unique constraint with its deterministic name.
    fn unique(self, columns: &[&str]) -> Self;
    /// An index with its deterministic name.
    fn index(self, columns: &[&str]) -> Self;
    /// A unique index with its deterministic name.
    fn unique_index(self, columns: &[&str]) -> Self;
    /// A foreign key from `column` to `target.id`.
    fn fk(self, column: &str, target: &str) -> Self;
    /// A foreign key from `column` to `target.id` with referential actions.
    fn fk_actions(
        self,
        column: &str,
        target: &str,
        on_delete: FkAction,
        on_update: FkAction,
    ) -> Self;
    /// A foreign key from `column` to `target.target_column`.
    fn fk_to(self, column: &str, target: &str, target_column: &str) -> Self;
    /// An index with a name of the user's.
    fn named_index(self, name: &str, columns: &[&str]) -> Self;
    /// A check constraint.
    fn check(self, name: &str, expr: &str) -> Self;
    /// Replaces the primary key; `id` stops auto-incrementing unless it is the whole key.
    fn pk(self, columns: &[&str]) -> Self;
    /// A column as given, with any of its options.
    fn column(self, column: Column) -> Self;
    /// Anything else, changed in place: `.with(|t| t.options.comment = Some(...))`.
    fn with(self, change: impl FnOnce(&mut Table)) -> Self;
}

/// A table with an auto-incremented `id` key.
pub fn table(name: &str) -> Table {
    let mut t = Table::new(name);
    t.columns.push(Column {
        auto_increment: true,
        ..Column::new("id", SqlType::Integer)
    });
    t.primary_key = vec!["id".into()];
    t
}

/// A table with no columns and no key.
pub fn bare_table(name: &str) -> Table {
    Table::new(name)
}

fn names(columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| c.to_string()).collect()
}

impl TableBuilder for Table {
    fn col(mut self, name: &str, ty: SqlType) -> Self {
        self.columns.push(Column::new(name, ty));
        self
    }

    fn null(mut self, name: &str, ty: SqlType) -> Self {
        self.columns.push(Column {
            nullable: true,
            ..Column::new(name, ty)
        });
        self
    }

    fn with_default(mut self, name: &str, ty: SqlType, default: DefaultValue) -> Self {
        self.columns.push(Column {
            default: Some(default),
            ..Column::new(name, ty)
        });
        self
    }

    fn unique(mut self, columns: &[&str]) -> Self {
        let columns = names(columns);
        self.uniques.push(Unique::new(
            constraint_name("uq", &self.name, &columns, None),
            columns,
        ));
        self.normalize();
        self
    }

    fn index(mut self, columns: &[&str]) -> Self {
        let columns = names(columns);
        self.indexes.push(Index::new(
            constraint_name("ix", &self.name, &columns, None),
            columns,
        ));
        self.normalize();
        self
    }

    fn unique_index(mut self, columns: &[&str]) -> Self {
        let columns = names(columns);
        self.indexes.push(Index {
            unique: true,
            ..Index::new(constraint_name("ix", &self.name, &columns, None), columns)
        });
        self.normalize();
        self
    }

    fn fk(self, column: &str, target: &str) -> Self {
        self.fk_actions(column, target, FkAction::NoAction, FkAction::NoAction)
    }

    fn fk_actions(
        mut self,
        column: &str,
        target: &str,
        on_delete: FkAction,
        on_update: FkAction,
    ) -> Self {
        let columns = vec![column.to_string()];
        self.foreign_keys.push(ForeignKey {
            name: constraint_name("fk", &self.name, &columns, Some(target)),
            columns,
            ref_table: target.into(),
            ref_columns: vec!["id".into()],
            on_delete,
            on_update,
            ..ForeignKey::default()
        });
        self.normalize();
        self
    }

    fn fk_to(mut self, column: &str, target: &str, target_column: &str) -> Self {
        let columns = vec![column.to_string()];
        self.foreign_keys.push(ForeignKey {
            name: constraint_name("fk", &self.name, &columns, Some(target)),
            columns,
            ref_table: target.into(),
            ref_columns: vec![target_column.into()],
            ..ForeignKey::default()
        });
        self.normalize();
        self
    }

    fn named_index(mut self, name: &str, columns: &[&str]) -> Self {
        self.indexes.push(Index::new(name, names(columns)));
        self.normalize();
        self
    }

    fn check(mut self, name: &str, expr: &str) -> Self {
        self.checks.push(Check::new(name, expr));
        self.normalize();
        self
    }

    fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    fn with(mut self, change: impl FnOnce(&mut Table)) -> Self {
        change(&mut self);
        self.normalize();
        self
    }

    fn pk(mut self, columns: &[&str]) -> Self {
        self.primary_key = names(columns);
        let single_id = self.primary_key == ["id"];
        for column in &mut self.columns {
            if column.name == "id" {
                column.auto_increment = single_id && column.ty.is_integer();
            }
        }
        self
    }
}

/// What a scenario does to the rows that were there before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// Nothing is lost: every row survives `up` with its values (where the column is unchanged),
    /// and `down` gives back every value as it was.
    Kept,
    /// Rows survive `up` and `down`, but a changed column's values may differ after `down`
    /// (NULLs filled with a default stay filled).
    Changed,
    /// `up` drops data; the tables are emptied before `down`, which cannot invent the values of
    /// a NOT NULL column it restores.
    Lost,
}

/// One scenario: a schema before, a schema after, and what to expect.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The snapshot name.
    pub name: &'static str,
    /// The models before.
    pub before: Schema,
    /// The models after.
    pub after: Schema,
    /// Renames the models declare.
    pub renames: Renames,
    /// Rows per table seeded before `up`.
    pub rows: usize,
    /// Whether nullable columns hold a NULL in the last seeded row.
    pub nulls: bool,
    /// What happens to the data.
    pub data: Data,
    /// Queries run after `up`, each with the text its single value must be.
    pub expect: Vec<(&'static str, &'static str)>,
    /// The backends that have what the scenario uses: its round trip runs on each of them.
    pub backends: Vec<Backend>,
}

impl Scenario {
    /// A scenario that keeps every row, seeded with three rows per table.
    pub fn new(name: &'static str, before: Vec<Table>, after: Vec<Table>) -> Scenario {
        Scenario {
            name,
            before: Schema::new(before),
            after: Schema::new(after),
            renames: Renames::default(),
            rows: 3,
            nulls: true,
            data: Data::Kept,
            expect: Vec::new(),
            backends: ALL_BACKENDS.to_vec(),
        }
    }

    /// Runs only on these backends, the ones that have what it uses.
    pub fn on(mut self, backends: &[Backend]) -> Self {
        self.backends = backends.to_vec();
        self
    }

    /// Whether its round trip runs on `backend`.
    pub fn runs_on(&self, backend: Backend) -> bool {
        self.backends.contains(&backend)
    }

    /// Declares a table rename, as `#[model(renamed_from = "from")]` does.
    pub fn rename_table(mut self, from: &str, to: &str) -> Self {
        self.renames.tables.push(TableRename {
            from: from.into(),
            to: to.into(),
        });
        self
    }

    /// Declares a column rename on `table` (its new name).
    pub fn rename_column(mut self, table: &str, from: &str, to: &str) -> Self {
        self.renames.columns.push(ColumnRename {
            table: table.into(),
            from: from.into(),
            to: to.into(),
        });
        self
    }

    /// The enum types of the schemas before and after: `(name, values)`.
    pub fn enums(mut self, before: &[(&str, &[&str])], after: &[(&str, &[&str])]) -> Self {
        let types = |list: &[(&str, &[&str])]| {
            list.iter()
                .map(|(name, values)| migrate_core::schema::EnumType {
                    name: name.to_string(),
                    values: values.iter().map(|v| v.to_string()).collect(),
                })
                .collect::<Vec<_>>()
        };
        self.before.enums = types(before);
        self.after.enums = types(after);
        self.before.normalize();
        self.after.normalize();
        self
    }

    /// Declares an enum value rename, as `#[model(renamed_from = "from")]` on a variant does.
    pub fn rename_enum_value(mut self, name: &str, from: &str, to: &str) -> Self {
        self.renames
            .enum_values
            .push(migrate_core::diff::EnumValueRename {
                name: name.into(),
                from: from.into(),
                to: to.into(),
            });
        self
    }

    /// Sets what happens to the data.
    pub fn data(mut self, data: Data) -> Self {
        self.data = data;
        self
    }

    /// Seeds `rows` rows per table.
    pub fn rows(mut self, rows: usize) -> Self {
        self.rows = rows;
        self
    }

    /// Seeds no NULL.
    pub fn no_nulls(mut self) -> Self {
        self.nulls = false;
        self
    }

    /// After `up`, `query` returns the single text `value`.
    pub fn expect(mut self, query: &'static str, value: &'static str) -> Self {
        self.expect.push((query, value));
        self
    }

    /// The plan from before to after.
    pub fn plan(&self) -> Plan {
        diff_with_renames(&self.before, &self.after, &self.renames)
            .unwrap_or_else(|e| panic!("{}: diff failed: {e}", self.name))
    }
}

/// `up` and `down` rendered as SQLite statements, for the snapshot.
pub fn sqlite_sql(scenario: &Scenario, plan: &Plan) -> String {
    let (up, end) = render_all(&SqliteDialect, &scenario.before, &plan.up)
        .unwrap_or_else(|e| panic!("{}: rendering up: {e}", scenario.name));
    let (down, _) = render_all(&SqliteDialect, &end, &plan.down)
        .unwrap_or_else(|e| panic!("{}: rendering down: {e}", scenario.name));
    let list = |stmts: Vec<String>| stmts.iter().map(|s| format!("{s};\n")).collect::<String>();
    format!("-- up\n{}\n-- down\n{}", list(up), list(down))
}

/// The schema with columns sorted by name: databases append added columns, snapshots keep
/// declaration order, and neither is wrong.
pub fn by_column_name(mut schema: Schema) -> Schema {
    for table in &mut schema.tables {
        table.columns.sort_by(|a, b| a.name.cmp(&b.name));
    }
    schema
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    v: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A literal of `ty` for seeded row `i` (1-based): distinct per row, so unique constraints hold,
/// and equal for equal types, so a foreign key to `id` finds its row.
fn literal(schema: &Schema, ty: &SqlType, i: usize) -> String {
    match ty {
        // Every row holds the first value, which the enum scenarios keep (or rename).
        SqlType::Enum(name) => format!("'{}'", schema.enum_values(name)[0]),
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => i.to_string(),
        SqlType::Real | SqlType::Double => format!("{i}.5"),
        SqlType::Numeric(_) => format!("{i}.25"),
        SqlType::Boolean => (i % 2).to_string(),
        SqlType::Binary => format!("X'0{i}'"),
        SqlType::Date => format!("'2026-01-0{i}'"),
        SqlType::Time => format!("'10:00:0{i}'"),
        SqlType::Timestamp | SqlType::TimestampTz => format!("'2026-01-0{i} 10:00:00'"),
        SqlType::Uuid => format!("'00000000-0000-0000-0000-00000000000{i}'"),
        SqlType::Json => format!("'{{\"n\": {i}}}'"),
        SqlType::Text | SqlType::Varchar(_) | SqlType::Char(_) | SqlType::Custom(_) => {
            format!("'v{i}'")
        }
        // SQLite holds none of the other types; their scenarios run on the backends that do.
        other => panic!("no SQLite literal of {other}"),
    }
}

/// An in-memory SQLite database.
pub fn connect() -> SqliteConnection {
    SqliteConnection::establish(":memory:").expect("in-memory SQLite")
}

fn execute(conn: &mut SqliteConnection, what: &str, sql: &str) -> Result<(), String> {
    conn.batch_execute(sql)
        .map_err(|e| format!("{what}: `{sql}` failed: {e}"))
}

/// Runs statements as the runner does: foreign keys off outside one transaction, the foreign
/// key check clean before commit.
pub fn run_statements(
    conn: &mut SqliteConnection,
    what: &str,
    statements: &[String],
) -> Result<(), String> {
    execute(conn, what, "PRAGMA foreign_keys = OFF")?;
    execute(conn, what, "BEGIN")?;
    for statement in statements {
        if let Err(e) = execute(conn, what, statement) {
            let _ = conn.batch_execute("ROLLBACK; PRAGMA foreign_keys = ON");
            return Err(e);
        }
    }
    let violations: Vec<Count> =
        diesel::sql_query("SELECT count(*) AS n FROM pragma_foreign_key_check")
            .load(conn)
            .map_err(|e| format!("{what}: foreign_key_check: {e}"))?;
    if violations[0].n != 0 {
        let _ = conn.batch_execute("ROLLBACK; PRAGMA foreign_keys = ON");
        return Err(format!(
            "{what}: {} foreign key violations",
            violations[0].n
        ));
    }
    execute(conn, what, "COMMIT")?;
    execute(conn, what, "PRAGMA foreign_keys = ON")
}

/// Renders `operations` from `start` and runs them; the schema they lead to.
pub fn apply(
    conn: &mut SqliteConnection,
    what: &str,
    start: &Schema,
    operations: &[Operation],
) -> Result<Schema, String> {
    apply_as(conn, what, start, operations, Rendering::OneByOne)
}

/// How operations become SQLite statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rendering {
    /// `render_all`: each operation on its own, as the runner renders them.
    OneByOne,
    /// `SqliteDialect::render_merged`: one rebuild per run of changes to one table.
    Merged,
}

/// Renders `operations` from `start` as `rendering` says and runs them.
pub fn apply_as(
    conn: &mut SqliteConnection,
    what: &str,
    start: &Schema,
    operations: &[Operation],
    rendering: Rendering,
) -> Result<Schema, String> {
    let rendered = match rendering {
        Rendering::OneByOne => render_all(&SqliteDialect, start, operations),
        Rendering::Merged => SqliteDialect.render_merged(start, operations),
    };
    let (statements, end) = rendered.map_err(|e| format!("{what}: rendering: {e}"))?;
    run_statements(conn, what, &statements)?;
    Ok(end)
}

/// The live schema, keys aligned with `expected` where SQLite cannot tell integer widths apart.
pub fn live_schema(conn: &mut SqliteConnection, expected: &Schema) -> Schema {
    let mut live = introspect_sqlite(conn).expect("introspection");
    align_sqlite_keys(&mut live, expected);
    migrate_core::introspect::align_enums(&mut live, expected);
    live
}

/// Fails unless the live database is `expected` (columns compared by name) and a diff between
/// them plans nothing.
pub fn assert_live_is(conn: &mut SqliteConnection, expected: &Schema, what: &str) {
    let live = live_schema(conn, expected);
    let plan = diff(&live, expected).unwrap_or_else(|e| panic!("{what}: diff failed: {e}"));
    assert!(
        plan.is_empty(),
        "{what}: the live schema differs from the expected one: {:?}",
        plan.changes
    );
    assert_eq!(
        by_column_name(live),
        by_column_name(expected.clone()),
        "{what}: live schema"
    );
}

/// Inserts `rows` rows into every table of `schema`, foreign keys off, and checks them.
pub fn seed(conn: &mut SqliteConnection, schema: &Schema, rows: usize, nulls: bool) {
    let mut statements = Vec::new();
    for table in &schema.tables {
        if table.columns.is_empty() {
            continue;
        }
        for i in 1..=rows {
            let values: Vec<String> = table
                .columns
                .iter()
                .map(|c| {
                    if c.nullable && nulls && i == rows {
                        "NULL".to_string()
                    } else {
                        literal(schema, &c.ty, i)
                    }
                })
                .collect();
            let columns: Vec<String> = table.columns.iter().map(|c| quote(&c.name)).collect();
            statements.push(format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote(&table.name),
                columns.join(", "),
                values.join(", ")
            ));
        }
    }
    run_statements(conn, "seeding", &statements).unwrap();
}

/// Every value of `column`, quoted as SQLite quotes it, in row order.
pub fn values(conn: &mut SqliteConnection, table: &str, column: &str) -> Vec<String> {
    let sql = format!(
        "SELECT quote({}) AS v FROM {} ORDER BY rowid",
        quote(column),
        quote(table)
    );
    let rows: Vec<Value> = diesel::sql_query(&sql)
        .load(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().map(|r| r.v).collect()
}

/// The number of rows of `table`.
pub fn count(conn: &mut SqliteConnection, table: &str) -> usize {
    let sql = format!("SELECT count(*) AS n FROM {}", quote(table));
    let rows: Vec<Count> = diesel::sql_query(&sql)
        .load(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows[0].n as usize
}

/// The single text value of `query`.
pub fn scalar(conn: &mut SqliteConnection, query: &str) -> String {
    let rows: Vec<Value> = diesel::sql_query(query)
        .load(conn)
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(rows.len(), 1, "{query}: one row expected");
    rows.into_iter().next().unwrap().v
}

/// Every table's rows, column by column, for comparison after a step.
type Rows = Vec<(String, usize, Vec<(Column, Vec<String>)>)>;

fn capture(conn: &mut SqliteConnection, schema: &Schema) -> Rows {
    schema
        .tables
        .iter()
        .map(|t| {
            let columns = t
                .columns
                .iter()
                .map(|c| (c.clone(), values(conn, &t.name, &c.name)))
                .collect();
            (t.name.clone(), count(conn, &t.name), columns)
        })
        .collect()
}

/// The table's name after the renames of `scenario`.
fn renamed_table(scenario: &Scenario, name: &str) -> String {
    scenario
        .renames
        .tables
        .iter()
        .find(|r| r.from == name)
        .map(|r| r.to.clone())
        .unwrap_or_else(|| name.to_string())
}

fn renamed_column(scenario: &Scenario, table: &str, name: &str) -> String {
    scenario
        .renames
        .columns
        .iter()
        .find(|r| r.table == table && r.from == name)
        .map(|r| r.to.clone())
        .unwrap_or_else(|| name.to_string())
}

/// Checks that the rows captured before a step are still there after it: every row of every
/// table that `up` keeps, and the values of every column whose definition `up` does not
/// change (all columns with `all_values`). `renamed`: the database holds the renamed tables
/// and columns (after `up`), not the original ones (after `down`).
fn assert_rows_survive(
    conn: &mut SqliteConnection,
    scenario: &Scenario,
    before: &Rows,
    renamed: bool,
    all_values: bool,
    what: &str,
) {
    for (table, rows, columns) in before {
        let new_name = renamed_table(scenario, table);
        let Some(target) = scenario.after.table(&new_name) else {
            continue;
        };
        let name = if renamed { &new_name } else { table };
        assert_eq!(
            count(conn, name),
            *rows,
            "{what}: rows of {name} (was {table})"
        );
        for (column, old_values) in columns {
            let new_column = renamed_column(scenario, &new_name, &column.name);
            let Some(target_column) = target.column(&new_column) else {
                continue;
            };
            let unchanged = Column {
                name: column.name.clone(),
                ..target_column.clone()
            } == *column;
            let column_name = if renamed { &new_column } else { &column.name };
            if unchanged || all_values {
                // Rows holding a renamed enum value hold the new one after `up`.
                let expected: Vec<String> = old_values
                    .iter()
                    .map(|v| {
                        let rename = scenario.renames.enum_values.iter().find(|r| {
                            renamed
                                && column.ty.enum_name() == Some(r.name.as_str())
                                && *v == format!("'{}'", r.from)
                        });
                        rename.map_or_else(|| v.clone(), |r| format!("'{}'", r.to))
                    })
                    .collect();
                assert_eq!(
                    values(conn, name, column_name),
                    expected,
                    "{what}: values of {name}.{column_name}"
                );
            }
        }
    }
}

/// The whole SQLite round trip of one scenario.
pub fn round_trip(scenario: &Scenario, plan: &Plan, rendering: Rendering) {
    let name = &format!("{} ({rendering:?})", scenario.name);
    let mut conn = connect();
    let create = diff(&Schema::default(), &scenario.before).unwrap().up;
    apply(
        &mut conn,
        &format!("{name}: before"),
        &Schema::default(),
        &create,
    )
    .unwrap();
    assert_live_is(&mut conn, &scenario.before, &format!("{name}: before"));
    seed(&mut conn, &scenario.before, scenario.rows, scenario.nulls);
    let seeded = capture(&mut conn, &scenario.before);

    // up
    let end = apply(
        &mut conn,
        &format!("{name}: up"),
        &scenario.before,
        &plan.up,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        by_column_name(end.clone()),
        by_column_name(scenario.after.clone()),
        "{name}: replaying up does not give the target"
    );
    assert_live_is(&mut conn, &scenario.after, &format!("{name}: after up"));
    assert_rows_survive(
        &mut conn,
        scenario,
        &seeded,
        true,
        false,
        &format!("{name}: after up"),
    );
    for (query, value) in &scenario.expect {
        assert_eq!(
            scalar(&mut conn, query),
            *value,
            "{name}: after up, {query}"
        );
    }

    // down
    if scenario.data == Data::Lost {
        let tables: Vec<String> = end.tables.iter().map(|t| t.name.clone()).collect();
        let wipe: Vec<String> = tables
            .iter()
            .map(|t| format!("DELETE FROM {}", quote(t)))
            .collect();
        run_statements(&mut conn, "emptying", &wipe).unwrap();
    }
    let start = apply_as(
        &mut conn,
        &format!("{name}: down"),
        &end,
        &plan.down,
        rendering,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        by_column_name(start),
        by_column_name(scenario.before.clone()),
        "{name}: replaying down does not give the start"
    );
    assert_live_is(&mut conn, &scenario.before, &format!("{name}: after down"));
    if scenario.data != Data::Lost {
        assert_rows_survive(
            &mut conn,
            scenario,
            &seeded,
            false,
            scenario.data == Data::Kept,
            &format!("{name}: after down"),
        );
    }

    // up again
    apply_as(
        &mut conn,
        &format!("{name}: up again"),
        &scenario.before,
        &plan.up,
        rendering,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_live_is(
        &mut conn,
        &scenario.after,
        &format!("{name}: after up again"),
    );
}
