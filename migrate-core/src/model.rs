//! Models as both readers capture them, and how a model becomes a table.
//!
//! `#[derive(Model)]` expands to a [`ModelSpec`] built at run time and registered with
//! `inventory`; the source reader builds the same [`ModelSpec`] from the parsed source. Either
//! way, [`schema_from_models`] is the one place that turns specs into a [`Schema`], so the two
//! readers cannot drift apart in their rules (default table name, default key, names of
//! constraints).

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{
    constraint_name, Check, Column, DefaultValue, Deferrable, EnumType, Exclusion, FkAction,
    ForeignKey, Generated, Identity, Index, IndexColumn, IndexTarget, Schema, SqlType, Table,
    TableOptions, Unique,
};

/// A struct deriving `Model`: its table, as declared.
pub trait Model {
    /// The model as declared, before the rules of [`schema_from_models`] apply.
    fn model_spec() -> ModelSpec;
}

/// A Rust type that can be a column: the derive resolves each field's type through this trait,
/// so aliases, full paths and a user's own newtypes work.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a model column: it does not implement `migrate_core::ColumnType`",
    label = "no column type for this field",
    note = "implement `migrate_core::ColumnType` for it, enable the migrate-core feature of its crate, or give the field `#[model(sql_type = \"...\")]`"
)]
pub trait ColumnType {
    /// Whether the column accepts NULL (`Option<T>`).
    const NULLABLE: bool = false;
    /// The column's type in the snapshot vocabulary.
    fn sql_type() -> SqlType;
    /// The enum type behind the column, for a `#[derive(ModelEnum)]` type.
    fn enum_spec() -> Option<EnumSpec> {
        None
    }
}

/// A fieldless enum deriving `ModelEnum`: a column type whose values are its variants.
///
/// The derive implements it, along with [`ColumnType`] and Diesel's `ToSql`, `FromSql`,
/// `AsExpression` and `Queryable` for every SQL type the enum's column may be declared with in
/// `schema.rs` (`Text` on SQLite, the enum's own type on PostgreSQL and MySQL).
pub trait ModelEnum: Sized + 'static {
    /// The database type's name (`post_status`).
    const TYPE_NAME: &'static str;
    /// The values, in declaration order.
    const VALUES: &'static [&'static str];
    /// The value this variant is stored as.
    fn as_value(&self) -> &'static str;
    /// The variant stored as `value`.
    fn from_value(value: &str) -> Option<Self>;
}

/// An enum type as declared by `#[derive(ModelEnum)]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnumSpec {
    /// The Rust enum's name, for error messages.
    pub enum_name: String,
    /// The database type's name.
    pub type_name: String,
    /// The values, in declaration order.
    pub values: Vec<String>,
    /// `(old, new)` for each variant with `#[model(renamed_from = "old")]`.
    pub renames: Vec<(String, String)>,
}

/// The error of a value a `ModelEnum` does not know, read from the database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a value of enum type `{type_name}`")]
pub struct UnknownEnumValue {
    /// The enum type.
    pub type_name: &'static str,
    /// What the database held.
    pub value: String,
}

/// One `#[derive(Model)]` struct, as declared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelSpec {
    /// The struct's name, for error messages.
    pub struct_name: String,
    /// `#[model(table = "...")]`.
    pub table: Option<String>,
    /// The last segment of `#[diesel(table_name = ...)]`.
    pub diesel_table_name: Option<String>,
    /// `#[model(primary_key(a, b))]`: field or column names.
    pub primary_key: Vec<String>,
    /// `#[model(primary_key(..., name = "..."))]`: the key constraint's name.
    pub primary_key_name: Option<String>,
    /// `#[model(no_primary_key)]`: the table has no key (not even `id`).
    pub no_primary_key: bool,
    /// `#[diesel(primary_key(a, b))]`: field names.
    pub diesel_primary_key: Vec<String>,
    /// `#[model(index(...))]` on the struct.
    pub indexes: Vec<IndexSpec>,
    /// `#[model(unique(...))]` on the struct.
    pub uniques: Vec<UniqueSpec>,
    /// `#[model(foreign_key(...))]` on the struct.
    pub foreign_keys: Vec<ForeignKeySpec>,
    /// `#[model(check(name = "...", expr = "..."))]`.
    pub checks: Vec<Check>,
    /// `#[model(exclude(...))]`.
    pub exclusions: Vec<Exclusion>,
    /// `comment`, `engine`, `charset`, `collation`, `without_rowid`, `strict`, `partition_by`,
    /// `partition_of(...)`, `inherits(...)`, `unlogged`, `with`.
    pub options: TableOptions,
    /// `#[model(renamed_from = "...")]` on the struct.
    pub renamed_from: Option<String>,
    /// Fields that are columns (`skip` ones left out), in declaration order.
    pub fields: Vec<FieldSpec>,
}

/// A struct-level index declaration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexSpec {
    /// An explicit name, else a deterministic one.
    pub name: Option<String>,
    /// Field or column names (empty when `elements` say what is indexed).
    pub columns: Vec<String>,
    /// `on = "..."`: columns (by column or field name) and expressions with their options.
    pub elements: Vec<IndexColumn>,
    /// A unique index.
    pub unique: bool,
    /// The access method, lower case; `None` is the default b-tree.
    pub method: Option<String>,
    /// A partial index's condition.
    pub predicate: Option<String>,
    /// `INCLUDE` columns: field or column names.
    pub include: Vec<String>,
    /// Storage parameters.
    pub with: Option<String>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
    /// The index's comment.
    pub comment: Option<String>,
}

/// A struct-level unique constraint.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UniqueSpec {
    /// An explicit name, else a deterministic one.
    pub name: Option<String>,
    /// Field or column names.
    pub columns: Vec<String>,
    /// Deferrable; `None` is `NOT DEFERRABLE`.
    pub deferrable: Option<Deferrable>,
    /// `NULLS NOT DISTINCT`.
    pub nulls_not_distinct: bool,
}

/// A struct-level foreign key (composite, or named).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ForeignKeySpec {
    /// An explicit name, else a deterministic one.
    pub name: Option<String>,
    /// Field or column names of this table.
    pub columns: Vec<String>,
    /// The referenced table.
    pub ref_table: String,
    /// The referenced columns; empty for the referenced table's key.
    pub ref_columns: Vec<String>,
    /// What a delete of the referenced row does.
    pub on_delete: FkAction,
    /// What an update of the referenced key does.
    pub on_update: FkAction,
    /// Deferrable; `None` is `NOT DEFERRABLE`.
    pub deferrable: Option<Deferrable>,
    /// `MATCH FULL`.
    pub match_full: bool,
    /// `NOT VALID`.
    pub not_valid: bool,
}

/// One field that is a column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldSpec {
    /// The Rust field name.
    pub field: String,
    /// `#[model(column = "...")]`.
    pub column: Option<String>,
    /// `#[diesel(column_name = ...)]`.
    pub diesel_column_name: Option<String>,
    /// The base type: from `sql_type`, or the field type's [`ColumnType`].
    pub ty: SqlType,
    /// Whether the column accepts NULL.
    pub nullable: bool,
    /// `#[model(primary_key)]`.
    pub primary_key: bool,
    /// `#[model(auto_increment = ...)]`; `None` means the default (true for a single integer key).
    pub auto_increment: Option<bool>,
    /// `#[model(max_length = N)]`: text becomes `varchar(N)`.
    pub max_length: Option<u32>,
    /// `#[model(numeric(precision = P, scale = S))]`.
    pub numeric: Option<(u32, u32)>,
    /// Whether the type came from `#[model(sql_type = "...")]`.
    pub explicit_sql_type: bool,
    /// `#[model(default = ...)]` or `#[model(default_sql = "...")]`.
    pub default: Option<DefaultValue>,
    /// `#[model(unique)]`.
    pub unique: bool,
    /// `#[model(index)]`.
    pub index: bool,
    /// `#[model(references = "table.column")]` or `"table"`.
    pub references: Option<String>,
    /// `on_delete`.
    pub on_delete: Option<FkAction>,
    /// `on_update`.
    pub on_update: Option<FkAction>,
    /// `fk_name`: the field's foreign key's name.
    pub fk_name: Option<String>,
    /// `deferrable`, of the field's foreign key.
    pub fk_deferrable: Option<Deferrable>,
    /// `match_full`, of the field's foreign key.
    pub fk_match_full: bool,
    /// `not_valid`, of the field's foreign key.
    pub fk_not_valid: bool,
    /// `unique(name = "...")`.
    pub unique_name: Option<String>,
    /// `unique(deferrable = "...")`.
    pub unique_deferrable: Option<Deferrable>,
    /// `unique(nulls_not_distinct)`.
    pub unique_nulls_not_distinct: bool,
    /// `index(name = "...")`.
    pub index_name: Option<String>,
    /// `index(method = "...")`.
    pub index_method: Option<String>,
    /// `index(unique)`: a unique index rather than a plain one.
    pub index_unique: bool,
    /// `identity = "..."`, `serial`, `autoincrement`: how the column is generated (it is then
    /// auto-incremented).
    pub identity: Option<Identity>,
    /// `on_update_sql = "..."` (MySQL `ON UPDATE`).
    pub on_update_sql: Option<String>,
    /// `generated(expr = "...", stored)`.
    pub generated: Option<Generated>,
    /// `collation = "..."`.
    pub collation: Option<String>,
    /// `charset = "..."`.
    pub charset: Option<String>,
    /// `comment = "..."`.
    pub comment: Option<String>,
    /// `#[model(renamed_from = "...")]`.
    pub renamed_from: Option<String>,
    /// The enum type, when the field's type derives `ModelEnum`.
    pub enum_spec: Option<EnumSpec>,
}

/// Registration of one model, collected across the whole program by `inventory`.
#[doc(hidden)]
pub struct RegisteredModel {
    /// Builds the model's spec.
    pub spec: fn() -> ModelSpec,
}

inventory::collect!(RegisteredModel);

/// Every model linked into this program, sorted by struct name.
pub fn registered_models() -> Vec<ModelSpec> {
    let mut specs: Vec<ModelSpec> = inventory::iter::<RegisteredModel>
        .into_iter()
        .map(|m| (m.spec)())
        .collect();
    specs.sort_by(|a, b| a.struct_name.cmp(&b.struct_name));
    specs
}

/// A model that breaks a rule only visible at the schema level.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Two models map to one table.
    #[error("models `{first}` and `{second}` both map to table `{table}`")]
    DuplicateTable {
        /// The table.
        table: String,
        /// One struct.
        first: String,
        /// The other.
        second: String,
    },
    /// Two fields map to one column.
    #[error("column `{table}.{column}` is declared twice (struct `{model}`)")]
    DuplicateColumn {
        /// The struct.
        model: String,
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// A key, index or constraint names a column the table does not have.
    #[error(
        "`{what}` of struct `{model}` names `{column}`, which is not a column of table `{table}`"
    )]
    UnknownColumn {
        /// The struct.
        model: String,
        /// The table.
        table: String,
        /// The attribute.
        what: String,
        /// The unknown name.
        column: String,
    },
    /// `references` points at a table no model declares.
    #[error("`{table}.{column}` references table `{target}`, which no model declares")]
    UnknownReference {
        /// The referencing table.
        table: String,
        /// The referencing column.
        column: String,
        /// The missing table.
        target: String,
    },
    /// The default of an enum column is not one of its values.
    #[error("the default of `{table}.{column}` is {default}, which is not a value of enum type `{type_name}` ({values})")]
    EnumDefault {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The default as written.
        default: String,
        /// The enum type.
        type_name: String,
        /// Its values, joined.
        values: String,
    },
    /// Two enums declare one database type with different values.
    #[error("enums `{first}` and `{second}` both declare enum type `{type_name}`, with different values")]
    EnumConflict {
        /// The type.
        type_name: String,
        /// One enum.
        first: String,
        /// The other.
        second: String,
    },
    /// `max_length` or `numeric` on a column of another type.
    #[error("`{attribute}` does not apply to column `{table}.{column}` of type {ty}")]
    ModifierMismatch {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// The attribute.
        attribute: &'static str,
        /// The column type.
        ty: SqlType,
    },
}

/// Diesel's default table name: the struct name in snake case, plus `s`.
pub fn default_table_name(struct_name: &str) -> String {
    let mut out = String::with_capacity(struct_name.len() + 4);
    for (i, ch) in struct_name.char_indices() {
        if ch.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out.push('s');
    out
}

impl ModelSpec {
    /// The table this model maps to.
    pub fn table_name(&self) -> String {
        self.table
            .clone()
            .or_else(|| self.diesel_table_name.clone())
            .unwrap_or_else(|| default_table_name(&self.struct_name))
    }
}

impl FieldSpec {
    /// The column this field maps to.
    pub fn column_name(&self) -> String {
        self.column
            .clone()
            .or_else(|| self.diesel_column_name.clone())
            .unwrap_or_else(|| self.field.trim_start_matches("r#").to_string())
    }
}

/// Turns the models into a schema: the rules every reader shares.
///
/// Every error of every model is returned, not only the first.
pub fn schema_from_models(models: &[ModelSpec]) -> Result<Schema, Vec<ModelError>> {
    let mut errors = Vec::new();
    let mut tables: BTreeMap<String, (String, Table)> = BTreeMap::new();
    // Foreign keys are resolved once every table is known, since `references = "users"` means
    // the key of a table that may be declared later.
    let mut pending_fks = Vec::new();

    for model in models {
        let (table, fks) = table_from_model(model, &mut errors);
        match tables.get(&table.name) {
            Some((first, _)) => errors.push(ModelError::DuplicateTable {
                table: table.name.clone(),
                first: first.clone(),
                second: model.struct_name.clone(),
            }),
            None => {
                pending_fks.push((table.name.clone(), fks));
                tables.insert(table.name.clone(), (model.struct_name.clone(), table));
            }
        }
    }

    for (table_name, fks) in pending_fks {
        for spec in fks {
            let Some((_, referenced)) = tables.get(&spec.ref_table) else {
                errors.push(ModelError::UnknownReference {
                    table: table_name.clone(),
                    column: spec.columns.join(", "),
                    target: spec.ref_table.clone(),
                });
                continue;
            };
            let ref_columns = if !spec.ref_columns.is_empty() {
                spec.ref_columns.clone()
            } else if !referenced.primary_key.is_empty() {
                referenced.primary_key.clone()
            } else {
                vec!["id".to_string()]
            };
            let name = spec.name.clone().unwrap_or_else(|| {
                constraint_name("fk", &table_name, &spec.columns, Some(&spec.ref_table))
            });
            let fk = ForeignKey {
                name,
                columns: spec.columns,
                ref_table: spec.ref_table,
                ref_columns,
                on_delete: spec.on_delete,
                on_update: spec.on_update,
                deferrable: spec.deferrable,
                match_full: spec.match_full,
                not_valid: spec.not_valid,
            };
            let table = &mut tables
                .get_mut(&table_name)
                .expect("table registered above")
                .1;
            table.foreign_keys.push(fk);
            table.normalize();
        }
    }

    let mut enums: BTreeMap<String, &EnumSpec> = BTreeMap::new();
    for spec in models
        .iter()
        .flat_map(|m| &m.fields)
        .filter_map(|f| f.enum_spec.as_ref())
    {
        match enums.get(&spec.type_name) {
            Some(first) if first.values != spec.values => errors.push(ModelError::EnumConflict {
                type_name: spec.type_name.clone(),
                first: first.enum_name.clone(),
                second: spec.enum_name.clone(),
            }),
            Some(_) => {}
            None => {
                enums.insert(spec.type_name.clone(), spec);
            }
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Schema::with_enums(
        tables.into_values().map(|(_, t)| t).collect(),
        enums
            .into_values()
            .map(|e| EnumType {
                name: e.type_name.clone(),
                values: e.values.clone(),
            })
            .collect(),
    ))
}

/// The renames the models declare with `renamed_from`, for
/// [`diff_with_renames`](crate::diff::diff_with_renames). A rename already applied (its old
/// name gone from the current schema) is ignored there, so the attribute may stay.
pub fn renames_from_models(models: &[ModelSpec]) -> crate::renames::Renames {
    let mut renames = crate::renames::Renames::default();
    for model in models {
        let table = model.table_name();
        if let Some(old) = &model.renamed_from {
            renames.tables.push(crate::renames::TableRename {
                from: old.clone(),
                to: table.clone(),
            });
        }
        for field in &model.fields {
            for (from, to) in field.enum_spec.iter().flat_map(|e| &e.renames) {
                let rename = crate::renames::EnumValueRename {
                    name: field
                        .enum_spec
                        .as_ref()
                        .map(|e| e.type_name.clone())
                        .unwrap_or_default(),
                    from: from.clone(),
                    to: to.clone(),
                };
                if !renames.enum_values.contains(&rename) {
                    renames.enum_values.push(rename);
                }
            }
            if let Some(old) = &field.renamed_from {
                renames.columns.push(crate::renames::ColumnRename {
                    table: table.clone(),
                    from: old.clone(),
                    to: field.column_name(),
                });
            }
        }
    }
    renames.tables.sort();
    renames.columns.sort();
    renames.enum_values.sort();
    renames
}

/// A foreign key whose columns are resolved to column names, its target not yet.
type PendingFk = ForeignKeySpec;

fn table_from_model(model: &ModelSpec, errors: &mut Vec<ModelError>) -> (Table, Vec<PendingFk>) {
    let mut table = Table::new(model.table_name());
    // Field names and column names both address a column in struct-level attributes.
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let mut fks = Vec::new();

    for field in &model.fields {
        let name = field.column_name();
        if !seen.insert(name.clone()) {
            errors.push(ModelError::DuplicateColumn {
                model: model.struct_name.clone(),
                table: table.name.clone(),
                column: name.clone(),
            });
            continue;
        }
        by_name.insert(
            field.field.trim_start_matches("r#").to_string(),
            name.clone(),
        );
        by_name.insert(name.clone(), name.clone());

        let mismatch = |attribute, ty: &SqlType| ModelError::ModifierMismatch {
            table: table.name.clone(),
            column: name.clone(),
            attribute,
            ty: ty.clone(),
        };
        let mut ty = field.ty.clone();
        if let Some(n) = field.max_length {
            match ty {
                SqlType::Text | SqlType::Varchar(_) => ty = SqlType::Varchar(n),
                _ => errors.push(mismatch("max_length", &ty)),
            }
        }
        if let Some(ps) = field.numeric {
            match ty {
                SqlType::Numeric(_) => ty = SqlType::Numeric(Some(ps)),
                _ => errors.push(mismatch("numeric", &ty)),
            }
        }
        if let (Some(spec), Some(default)) = (&field.enum_spec, &field.default) {
            let fits = matches!(default, DefaultValue::Text(v) if spec.values.contains(v))
                || matches!(default, DefaultValue::Sql(_));
            if !fits {
                errors.push(ModelError::EnumDefault {
                    table: table.name.clone(),
                    column: name.clone(),
                    default: default.to_string(),
                    type_name: spec.type_name.clone(),
                    values: spec.values.join(", "),
                });
            }
        }
        if field.identity.is_some() && !ty.is_integer() {
            errors.push(mismatch("identity", &ty));
        }
        let mut column = Column::new(name.clone(), ty);
        column.nullable = field.nullable;
        column.default = field.default.clone();
        column.identity = field.identity.clone();
        column.on_update = field.on_update_sql.clone();
        column.generated = field.generated.clone();
        column.collation = field.collation.clone();
        column.charset = field.charset.clone();
        column.comment = field.comment.clone();
        table.columns.push(column);

        let columns = vec![name.clone()];
        if field.unique {
            table.uniques.push(Unique {
                name: field
                    .unique_name
                    .clone()
                    .unwrap_or_else(|| constraint_name("uq", &table.name, &columns, None)),
                columns: columns.clone(),
                deferrable: field.unique_deferrable,
                nulls_not_distinct: field.unique_nulls_not_distinct,
            });
        }
        if field.index {
            table.indexes.push(Index {
                unique: field.index_unique,
                method: field.index_method.clone(),
                ..Index::new(
                    field
                        .index_name
                        .clone()
                        .unwrap_or_else(|| constraint_name("ix", &table.name, &columns, None)),
                    &columns,
                )
            });
        }
        if let Some(target) = &field.references {
            let (ref_table, ref_columns) = match target.split_once('.') {
                Some((t, c)) => (t.to_string(), vec![c.to_string()]),
                None => (target.clone(), Vec::new()),
            };
            fks.push(ForeignKeySpec {
                name: field.fk_name.clone(),
                columns: columns.clone(),
                ref_table,
                ref_columns,
                on_delete: field.on_delete.unwrap_or_default(),
                on_update: field.on_update.unwrap_or_default(),
                deferrable: field.fk_deferrable,
                match_full: field.fk_match_full,
                not_valid: field.fk_not_valid,
            });
        }
    }

    let mut resolve = |what: &str, names: &[String]| -> Vec<String> {
        names
            .iter()
            .filter_map(|n| match by_name.get(n) {
                Some(c) => Some(c.clone()),
                None => {
                    errors.push(ModelError::UnknownColumn {
                        model: model.struct_name.clone(),
                        table: table.name.clone(),
                        what: what.to_string(),
                        column: n.clone(),
                    });
                    None
                }
            })
            .collect()
    };

    let field_keys: Vec<String> = model
        .fields
        .iter()
        .filter(|f| f.primary_key)
        .map(|f| f.column_name())
        .collect();
    table.primary_key = if model.no_primary_key {
        Vec::new()
    } else if !model.primary_key.is_empty() {
        resolve("primary_key", &model.primary_key)
    } else if !field_keys.is_empty() {
        field_keys
    } else if !model.diesel_primary_key.is_empty() {
        resolve("diesel(primary_key)", &model.diesel_primary_key)
    } else if by_name.contains_key("id") {
        vec![by_name["id"].clone()]
    } else {
        Vec::new()
    };

    table.primary_key_name = model.primary_key_name.clone();

    for spec in &model.indexes {
        let elements: Vec<IndexColumn> =
            if spec.elements.is_empty() {
                resolve("index", &spec.columns)
                    .into_iter()
                    .map(IndexColumn::column)
                    .collect()
            } else {
                spec.elements
                    .iter()
                    .filter_map(|element| match &element.target {
                        IndexTarget::Column(n) => resolve("index", std::slice::from_ref(n))
                            .pop()
                            .map(|c| IndexColumn {
                                target: IndexTarget::Column(c),
                                ..element.clone()
                            }),
                        IndexTarget::Expression(_) => Some(element.clone()),
                    })
                    .collect()
            };
        let names: Vec<String> = elements
            .iter()
            .filter_map(|e| e.column_name().map(str::to_string))
            .collect();
        let name = spec
            .name
            .clone()
            .unwrap_or_else(|| constraint_name("ix", &table.name, &names, None));
        table.indexes.push(Index {
            name,
            columns: elements,
            unique: spec.unique,
            method: spec.method.clone(),
            predicate: spec.predicate.clone(),
            include: resolve("include", &spec.include),
            with: spec.with.clone(),
            nulls_not_distinct: spec.nulls_not_distinct,
            comment: spec.comment.clone(),
        });
    }
    for spec in &model.uniques {
        let columns = resolve("unique", &spec.columns);
        table.uniques.push(Unique {
            name: spec
                .name
                .clone()
                .unwrap_or_else(|| constraint_name("uq", &table.name, &columns, None)),
            columns,
            deferrable: spec.deferrable,
            nulls_not_distinct: spec.nulls_not_distinct,
        });
    }
    for spec in &model.foreign_keys {
        fks.push(ForeignKeySpec {
            columns: resolve("foreign_key", &spec.columns),
            ..spec.clone()
        });
    }
    table.checks.extend(model.checks.iter().cloned());
    table.exclusions.extend(model.exclusions.iter().cloned());
    table.options = model.options.clone();

    // A single integer key is generated by the database unless the user says otherwise; any
    // other integer column when the user says so (`identity`, `serial`, `auto_increment = true`).
    let single_key = match table.primary_key.as_slice() {
        [key] => Some(key.clone()),
        _ => None,
    };
    for field in &model.fields {
        let name = field.column_name();
        let explicit = match (&field.identity, field.auto_increment) {
            (Some(_), _) => Some(true),
            (None, explicit) => explicit,
        };
        let is_key = single_key.as_deref() == Some(name.as_str());
        if let Some(column) = table.columns.iter_mut().find(|c| c.name == name) {
            let wanted = if is_key {
                explicit.unwrap_or(true)
            } else {
                explicit == Some(true)
            };
            column.auto_increment = wanted && column.ty.is_integer();
            if !column.auto_increment {
                column.identity = None;
            }
        }
    }
    table.normalize();
    (table, fks)
}

/// The Rust type names (last path segment) that have a built-in [`ColumnType`] impl, and their
/// column types. The source reader resolves field types by this table; a test keeps it equal to
/// the impls.
pub const BUILTIN_TYPES: &[(&str, SqlType)] = &[
    ("i8", SqlType::TinyInt),
    ("i16", SqlType::SmallInt),
    ("i32", SqlType::Integer),
    ("i64", SqlType::BigInt),
    ("f32", SqlType::Real),
    ("f64", SqlType::Double),
    ("bool", SqlType::Boolean),
    ("String", SqlType::Text),
    ("Vec<u8>", SqlType::Binary),
    // Diesel's PostgreSQL types
    ("PgInterval", SqlType::Interval),
    ("PgMoney", SqlType::Money),
    // chrono
    ("NaiveDateTime", SqlType::Timestamp),
    ("NaiveDate", SqlType::Date),
    ("NaiveTime", SqlType::Time),
    ("DateTime", SqlType::TimestampTz),
    // time
    ("PrimitiveDateTime", SqlType::Timestamp),
    ("OffsetDateTime", SqlType::TimestampTz),
    ("Date", SqlType::Date),
    ("Time", SqlType::Time),
    // uuid, serde_json, bigdecimal
    ("Uuid", SqlType::Uuid),
    // `json`, not `jsonb`: Diesel maps `Value` to both, and `json` is the one every backend
    // has; `#[model(sql_type = "jsonb")]` asks for PostgreSQL's.
    ("Value", SqlType::Json),
    ("BigDecimal", SqlType::Numeric(None)),
];

/// MySQL's unsigned integers, as Diesel loads them (`Unsigned<Integer>` into `u32` ...): the
/// unsigned form of these [`BUILTIN_TYPES`] (a `Box` cannot sit in a constant).
pub const UNSIGNED_BUILTIN_TYPES: &[(&str, SqlType)] = &[
    ("u8", SqlType::TinyInt),
    ("u16", SqlType::SmallInt),
    ("u32", SqlType::Integer),
    ("u64", SqlType::BigInt),
];

/// The built-in column type of a Rust type name (see [`BUILTIN_TYPES`] and
/// [`UNSIGNED_BUILTIN_TYPES`]).
pub fn builtin_type(name: &str) -> Option<SqlType> {
    if let Some((_, base)) = UNSIGNED_BUILTIN_TYPES.iter().find(|(n, _)| *n == name) {
        return Some(SqlType::unsigned(base.clone()));
    }
    BUILTIN_TYPES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.clone())
}

macro_rules! column_types {
    ($($(#[$meta:meta])* $ty:ty => $sql:expr;)*) => {
        $(
            $(#[$meta])*
            impl ColumnType for $ty {
                fn sql_type() -> SqlType {
                    $sql
                }
            }
        )*
    };
}

column_types! {
    i8 => SqlType::TinyInt;
    i16 => SqlType::SmallInt;
    i32 => SqlType::Integer;
    i64 => SqlType::BigInt;
    f32 => SqlType::Real;
    f64 => SqlType::Double;
    bool => SqlType::Boolean;
    String => SqlType::Text;
    Vec<u8> => SqlType::Binary;
    u8 => SqlType::unsigned(SqlType::TinyInt);
    u16 => SqlType::unsigned(SqlType::SmallInt);
    u32 => SqlType::unsigned(SqlType::Integer);
    u64 => SqlType::unsigned(SqlType::BigInt);
    #[cfg(feature = "postgres")] diesel::pg::data_types::PgInterval => SqlType::Interval;
    #[cfg(feature = "postgres")] diesel::pg::data_types::PgMoney => SqlType::Money;
    #[cfg(feature = "chrono")] chrono::NaiveDateTime => SqlType::Timestamp;
    #[cfg(feature = "chrono")] chrono::NaiveDate => SqlType::Date;
    #[cfg(feature = "chrono")] chrono::NaiveTime => SqlType::Time;
    #[cfg(feature = "chrono")] chrono::DateTime<chrono::Utc> => SqlType::TimestampTz;
    #[cfg(feature = "time")] time::PrimitiveDateTime => SqlType::Timestamp;
    #[cfg(feature = "time")] time::OffsetDateTime => SqlType::TimestampTz;
    #[cfg(feature = "time")] time::Date => SqlType::Date;
    #[cfg(feature = "time")] time::Time => SqlType::Time;
    #[cfg(feature = "uuid")] uuid::Uuid => SqlType::Uuid;
    #[cfg(feature = "serde_json")] serde_json::Value => SqlType::Json;
    #[cfg(feature = "bigdecimal")] bigdecimal::BigDecimal => SqlType::Numeric(None);
}

/// A PostgreSQL array whose elements may be NULL, as Diesel loads `Array<Nullable<T>>`.
impl<T: ColumnType> ColumnType for Vec<Option<T>> {
    fn sql_type() -> SqlType {
        SqlType::array(T::sql_type())
    }

    fn enum_spec() -> Option<EnumSpec> {
        T::enum_spec()
    }
}

impl<T: ColumnType> ColumnType for Option<T> {
    const NULLABLE: bool = true;
    fn sql_type() -> SqlType {
        T::sql_type()
    }
    fn enum_spec() -> Option<EnumSpec> {
        T::enum_spec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enum_default_must_be_one_of_its_values() {
        let status = EnumSpec {
            enum_name: "Status".into(),
            type_name: "status".into(),
            values: vec!["draft".into(), "live".into()],
            renames: Vec::new(),
        };
        let model = |default: &str| ModelSpec {
            struct_name: "Post".into(),
            fields: vec![
                field("id", SqlType::Integer),
                FieldSpec {
                    enum_spec: Some(status.clone()),
                    default: Some(DefaultValue::Text(default.into())),
                    ..field("status", SqlType::Enum("status".into()))
                },
            ],
            ..ModelSpec::default()
        };
        let schema = schema_from_models(&[model("live")]).unwrap();
        assert_eq!(schema.enum_values("status"), ["draft", "live"]);
        let errors = schema_from_models(&[model("archived")]).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "the default of `posts.status` is \"archived\", which is not a value of enum type `status` (draft, live)"
        );
    }

    fn field(name: &str, ty: SqlType) -> FieldSpec {
        FieldSpec {
            field: name.into(),
            ty,
            ..FieldSpec::default()
        }
    }

    #[test]
    fn diesel_default_table_name() {
        assert_eq!(default_table_name("User"), "users");
        assert_eq!(default_table_name("BlogPost"), "blog_posts");
    }

    #[test]
    fn builtin_spellings_match_impls() {
        assert_eq!(builtin_type("i16"), Some(i16::sql_type()));
        assert_eq!(builtin_type("i32"), Some(i32::sql_type()));
        assert_eq!(builtin_type("i64"), Some(i64::sql_type()));
        assert_eq!(builtin_type("f32"), Some(f32::sql_type()));
        assert_eq!(builtin_type("f64"), Some(f64::sql_type()));
        assert_eq!(builtin_type("bool"), Some(bool::sql_type()));
        assert_eq!(builtin_type("String"), Some(String::sql_type()));
        assert_eq!(builtin_type("Vec<u8>"), Some(<Vec<u8>>::sql_type()));
        assert_eq!(builtin_type("i8"), Some(i8::sql_type()));
        assert_eq!(builtin_type("u8"), Some(u8::sql_type()));
        assert_eq!(builtin_type("u16"), Some(u16::sql_type()));
        assert_eq!(builtin_type("u32"), Some(u32::sql_type()));
        assert_eq!(builtin_type("u64"), Some(u64::sql_type()));
        assert_eq!(
            builtin_type("u32"),
            Some(SqlType::unsigned(SqlType::Integer))
        );
        #[cfg(feature = "postgres")]
        {
            assert_eq!(
                builtin_type("PgInterval"),
                Some(diesel::pg::data_types::PgInterval::sql_type())
            );
            assert_eq!(
                builtin_type("PgMoney"),
                Some(diesel::pg::data_types::PgMoney::sql_type())
            );
        }
        #[cfg(feature = "chrono")]
        {
            assert_eq!(
                builtin_type("NaiveDateTime"),
                Some(chrono::NaiveDateTime::sql_type())
            );
            assert_eq!(
                builtin_type("NaiveDate"),
                Some(chrono::NaiveDate::sql_type())
            );
            assert_eq!(
                builtin_type("NaiveTime"),
                Some(chrono::NaiveTime::sql_type())
            );
        }
    }

    #[test]
    fn id_is_the_default_auto_increment_key() {
        let model = ModelSpec {
            struct_name: "Post".into(),
            fields: vec![field("id", SqlType::Integer), field("title", SqlType::Text)],
            ..ModelSpec::default()
        };
        let schema = schema_from_models(&[model]).unwrap();
        let table = &schema.tables[0];
        assert_eq!(table.name, "posts");
        assert_eq!(table.primary_key, vec!["id"]);
        assert!(table.columns[0].auto_increment);
        assert!(!table.columns[1].auto_increment);
    }

    #[test]
    fn references_to_a_table_use_its_key_and_unknown_targets_are_errors() {
        let users = ModelSpec {
            struct_name: "User".into(),
            fields: vec![field("id", SqlType::BigInt)],
            ..ModelSpec::default()
        };
        let mut author = field("author_id", SqlType::BigInt);
        author.references = Some("users".into());
        author.on_delete = Some(FkAction::Cascade);
        let mut editor = field("editor_id", SqlType::BigInt);
        editor.references = Some("editors.id".into());
        let posts = ModelSpec {
            struct_name: "Post".into(),
            fields: vec![field("id", SqlType::Integer), author],
            ..ModelSpec::default()
        };
        let schema = schema_from_models(&[posts.clone(), users.clone()]).unwrap();
        let fk = &schema.table("posts").unwrap().foreign_keys[0];
        assert_eq!(fk.name, "fk_posts_author_id_users");
        assert_eq!(fk.ref_columns, vec!["id"]);
        assert_eq!(fk.on_delete, FkAction::Cascade);

        let mut broken = posts;
        broken.fields.push(editor);
        let errors = schema_from_models(&[broken, users]).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "`posts.editor_id` references table `editors`, which no model declares"
        );
    }

    #[test]
    fn new_constraints_get_deterministic_names_and_elements_resolve_columns() {
        let tenants = ModelSpec {
            struct_name: "Tenant".into(),
            primary_key: vec!["region".into(), "id".into()],
            fields: vec![
                field("region", SqlType::Integer),
                field("id", SqlType::Integer),
            ],
            ..ModelSpec::default()
        };
        let mut author = field("author", SqlType::Integer);
        author.column = Some("author_id".into());
        author.identity = Some(Identity::SERIAL);
        let posts = ModelSpec {
            struct_name: "Post".into(),
            fields: vec![
                field("id", SqlType::Integer),
                field("region", SqlType::Integer),
                author,
            ],
            indexes: vec![IndexSpec {
                elements: vec![IndexColumn::column("author").desc()],
                predicate: Some("region > 0".into()),
                ..IndexSpec::default()
            }],
            uniques: vec![UniqueSpec {
                columns: vec!["region".into(), "author".into()],
                deferrable: Some(Deferrable::Deferred),
                ..UniqueSpec::default()
            }],
            foreign_keys: vec![ForeignKeySpec {
                columns: vec!["region".into(), "author".into()],
                ref_table: "tenants".into(),
                ..ForeignKeySpec::default()
            }],
            ..ModelSpec::default()
        };
        let schema = schema_from_models(&[posts.clone(), tenants.clone()]).unwrap();
        let table = schema.table("posts").unwrap();
        assert_eq!(table.indexes[0].name, "ix_posts_author_id");
        assert_eq!(table.indexes[0].columns[0].column_name(), Some("author_id"));
        assert_eq!(table.uniques[0].name, "uq_posts_region_author_id");
        let fk = &table.foreign_keys[0];
        assert_eq!(fk.name, "fk_posts_region_author_id_tenants");
        assert_eq!(fk.ref_columns, ["region", "id"]);
        // A serial column besides the key is generated too.
        assert!(table.columns[2].auto_increment);
        assert_eq!(table.columns[2].identity, Some(Identity::SERIAL));

        let mut broken = posts;
        broken.indexes[0].elements = vec![IndexColumn::column("nope")];
        let errors = schema_from_models(&[broken, tenants]).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "`index` of struct `Post` names `nope`, which is not a column of table `posts`"
        );
    }

    #[test]
    fn max_length_on_a_number_is_an_error() {
        let mut count = field("count", SqlType::Integer);
        count.max_length = Some(3);
        let model = ModelSpec {
            struct_name: "Thing".into(),
            fields: vec![field("id", SqlType::Integer), count],
            ..ModelSpec::default()
        };
        let errors = schema_from_models(&[model]).unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "`max_length` does not apply to column `things.count` of type integer"
        );
    }
}
