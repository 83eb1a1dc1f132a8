use syn::parse_quote;

use super::*;
use crate::ast::{ForeignKeyDef, UniqueDef};

fn errors(input: syn::DeriveInput) -> Vec<String> {
    match parse_model(&input) {
        Ok(def) => panic!("expected errors, parsed {def:?}"),
        Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
    }
}

fn one_error(input: syn::DeriveInput) -> String {
    let errors = errors(input);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap()
}

fn field<'a>(def: &'a ModelDef, name: &str) -> &'a FieldDef {
    def.fields
        .iter()
        .find(|f| f.ident == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[test]
fn parses_the_spec_example() {
    let def = parse_model(&parse_quote! {
        #[derive(Model, Queryable, Selectable, Insertable)]
        #[diesel(table_name = crate::schema::posts)]
        #[model(index(author_id, published_at), check(name = "ck_posts_title_len", expr = "length(title) > 0"))]
        pub struct Post {
            pub id: i32,
            #[model(max_length = 200)]
            pub title: String,
            pub body: Option<String>,
            #[model(references = "users.id", on_delete = "cascade", index)]
            pub author_id: i32,
            #[model(default = false)]
            pub published: bool,
            #[model(default_sql = "CURRENT_TIMESTAMP")]
            pub created_at: chrono::NaiveDateTime,
            pub published_at: Option<chrono::NaiveDateTime>,
            #[model(renamed_from = "summary")]
            pub excerpt: Option<String>,
            #[model(skip)]
            pub comment_count: i64,
        }
    })
    .unwrap();
    assert_eq!(def.ident, "Post");
    assert_eq!(def.table, None);
    assert_eq!(def.diesel_table_name.as_deref(), Some("posts"));
    assert_eq!(
        def.indexes,
        vec![IndexDef {
            name: None,
            columns: vec!["author_id".into(), "published_at".into()],
            unique: false,
            ..IndexDef::default()
        }]
    );
    assert_eq!(
        def.checks,
        vec![CheckDef {
            name: "ck_posts_title_len".into(),
            expr: "length(title) > 0".into(),
            not_valid: false,
            no_inherit: false,
        }]
    );
    let names: Vec<String> = def.fields.iter().map(|f| f.ident.to_string()).collect();
    assert_eq!(
        names,
        [
            "id",
            "title",
            "body",
            "author_id",
            "published",
            "created_at",
            "published_at",
            "excerpt"
        ]
    );
    assert_eq!(field(&def, "title").max_length, Some(200));
    let author = field(&def, "author_id");
    assert_eq!(author.references.as_deref(), Some("users.id"));
    assert_eq!(author.on_delete.as_deref(), Some("cascade"));
    assert!(author.index);
    assert!(!author.unique);
    assert_eq!(
        field(&def, "published").default,
        Some(DefaultLit::Bool(false))
    );
    assert_eq!(
        field(&def, "created_at").default_sql.as_deref(),
        Some("CURRENT_TIMESTAMP")
    );
    assert_eq!(
        field(&def, "excerpt").renamed_from.as_deref(),
        Some("summary")
    );
    let ty = &field(&def, "published_at").ty;
    assert_eq!(
        quote::quote!(#ty).to_string(),
        "Option < chrono :: NaiveDateTime >"
    );
}

#[test]
fn parses_every_key() {
    let def = parse_model(&parse_quote! {
        #[model(table = "accounts", renamed_from = "users")]
        #[model(primary_key(tenant, id))]
        #[model(index(name = "ix_email", columns(email), unique), index(tenant, email, unique))]
        #[model(unique(tenant, handle))]
        struct Account {
            tenant: i32,
            #[model(auto_increment = false)]
            id: i64,
            #[model(column = "email_address", unique, index, max_length = 320)]
            email: String,
            handle: String,
            #[model(numeric(precision = 10, scale = 2), default = -1.50)]
            balance: bigdecimal::BigDecimal,
            #[model(default = -42)]
            delta: i64,
            #[model(default = "x")]
            label: String,
            #[model(sql_type = "VARCHAR(12)")]
            code: MyCode,
            #[model(references = "users", on_delete = "SET_NULL", on_update = "No Action")]
            parent: Option<i64>,
        }
    })
    .unwrap();
    assert_eq!(def.table.as_deref(), Some("accounts"));
    assert_eq!(def.renamed_from.as_deref(), Some("users"));
    assert_eq!(def.primary_key, ["tenant", "id"]);
    assert_eq!(
        def.indexes,
        vec![
            IndexDef {
                name: Some("ix_email".into()),
                columns: vec!["email".into()],
                unique: true,
                ..IndexDef::default()
            },
            IndexDef {
                name: None,
                columns: vec!["tenant".into(), "email".into()],
                unique: true,
                ..IndexDef::default()
            },
        ]
    );
    assert_eq!(
        def.uniques,
        vec![UniqueDef {
            columns: vec!["tenant".to_string(), "handle".into()],
            ..UniqueDef::default()
        }]
    );
    assert_eq!(field(&def, "id").auto_increment, Some(false));
    let email = field(&def, "email");
    assert_eq!(email.column.as_deref(), Some("email_address"));
    assert!(email.unique && email.index);
    assert_eq!(email.max_length, Some(320));
    let balance = field(&def, "balance");
    assert_eq!(balance.numeric, Some((10, 2)));
    assert_eq!(balance.default, Some(DefaultLit::Float("-1.50".into())));
    assert_eq!(field(&def, "delta").default, Some(DefaultLit::Int(-42)));
    assert_eq!(
        field(&def, "label").default,
        Some(DefaultLit::Str("x".into()))
    );
    assert_eq!(field(&def, "code").sql_type.as_deref(), Some("VARCHAR(12)"));
    let parent = field(&def, "parent");
    assert_eq!(parent.references.as_deref(), Some("users"));
    assert_eq!(parent.on_delete.as_deref(), Some("set null"));
    assert_eq!(parent.on_update.as_deref(), Some("no action"));
}

#[test]
fn reads_diesel_keys_and_ignores_the_others() {
    let def = parse_model(&parse_quote! {
        #[derive(Model, Identifiable, Associations)]
        #[diesel(table_name = crate::schema::r#posts, check_for_backend(diesel::sqlite::Sqlite))]
        #[diesel(belongs_to(User, foreign_key = author_id), primary_key(post_id))]
        struct Post {
            post_id: i32,
            #[diesel(serialize_as = Wrapper<A, B>, column_name = r#type)]
            kind: String,
            #[diesel(select_expression = users::name.concat(", "), deserialize_as = i32)]
            author_id: i32,
            #[diesel(embed)]
            #[model(skip)]
            embedded: Other,
        }
    })
    .unwrap();
    assert_eq!(def.diesel_table_name.as_deref(), Some("posts"));
    assert_eq!(def.diesel_primary_key, ["post_id"]);
    assert_eq!(
        field(&def, "kind").diesel_column_name.as_deref(),
        Some("type")
    );
    assert_eq!(def.fields.len(), 3);
}

#[test]
fn keywords_and_raw_identifiers_name_fields() {
    let def = parse_model(&parse_quote! {
        #[model(index(r#type, user_id))]
        struct Event {
            id: i32,
            r#type: String,
            #[model(column = "uid")]
            user_id: i32,
            #[model(auto_increment = true)]
            #[model(primary_key)]
            seq: i32,
        }
    })
    .unwrap();
    assert_eq!(def.indexes[0].columns, ["type", "user_id"]);
    assert!(field(&def, "seq").primary_key);
}

#[test]
fn struct_lists_accept_column_names() {
    let def = parse_model(&parse_quote! {
        #[model(unique(uid))]
        struct Event {
            id: i32,
            #[model(column = "uid")]
            user_id: i32,
        }
    })
    .unwrap();
    assert_eq!(def.uniques[0].columns, vec!["uid".to_string()]);
}

#[test]
fn unknown_keys_list_the_expected_ones() {
    assert_eq!(
        one_error(parse_quote! {
            #[model(indx(a))]
            struct S { id: i32, a: i32 }
        }),
        "unknown model attribute `indx`, expected one of `table`, `primary_key`, `no_primary_key`, `index`, `unique`, `foreign_key`, `check`, `exclude`, `comment`, `engine`, `charset`, `collation`, `without_rowid`, `strict`, `partition_by`, `partition_of`, `inherits`, `unlogged`, `with`, `renamed_from`"
    );
    assert_eq!(
        one_error(parse_quote! {
            struct S { #[model(uniqe)] id: i32 }
        }),
        "unknown model attribute `uniqe`, expected one of `primary_key`, `auto_increment`, `column`, `max_length`, `numeric`, `sql_type`, `default`, `default_sql`, `unique`, `index`, `references`, `on_delete`, `on_update`, `fk_name`, `deferrable`, `match_full`, `not_valid`, `identity`, `serial`, `autoincrement`, `on_update_sql`, `generated`, `collation`, `charset`, `comment`, `renamed_from`, `skip`"
    );
    assert_eq!(
        one_error(parse_quote! {
            #[model(max_length = 3)]
            struct S { id: i32 }
        }),
        "`max_length` is a field attribute, put it on a field, not on the struct"
    );
    assert_eq!(
        one_error(parse_quote! {
            struct S { #[model(table = "x")] id: i32 }
        }),
        "`table` is a struct attribute, put it on the struct, not on a field"
    );
}

#[test]
fn wrong_value_kinds() {
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(max_length = "20")] a: String } }),
        "`max_length` expects a positive integer literal, e.g. `max_length = 200`"
    );
    assert_eq!(
        one_error(parse_quote! { #[model(table = posts)] struct S { id: i32 } }),
        "`table` expects a string literal, e.g. `table = \"posts\"`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { #[model(auto_increment = "no")] id: i32 } }),
        "`auto_increment` expects `true` or `false`, e.g. `auto_increment = false`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { #[model(unique = true)] id: i32 } }),
        "`unique` takes no value, write `#[model(unique)]`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(column)] a: i32 } }),
        "`column` expects a value, e.g. `column = \"name\"`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(default = some_fn())] a: i32 } }),
        "`default` expects a bool, integer, float or string literal, e.g. `default = 0`; for a SQL expression write `default_sql = \"...\"`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(max_length = 0)] a: String } }),
        "`max_length` must be at least 1"
    );
}

#[test]
fn duplicate_keys_across_attributes() {
    assert_eq!(
        one_error(parse_quote! {
            #[model(table = "a")]
            #[model(table = "b")]
            struct S { id: i32 }
        }),
        "duplicate model attribute `table`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(index, index)] a: i32 } }),
        "duplicate model attribute `index`"
    );
    assert_eq!(
        one_error(parse_quote! {
            #[model(check(name = "a", name = "b", expr = "1"))]
            struct S { id: i32 }
        }),
        "duplicate `name` in `check`"
    );
}

#[test]
fn values_are_validated() {
    for target in ["users.", ".id", "a.b.c", "users. id", "", "users id"] {
        assert_eq!(
            one_error(parse_quote! { struct S { id: i32, #[model(references = #target)] a: i32 } }),
            format!("malformed `references` target \"{target}\", expected \"table.column\" or \"table\"")
        );
    }
    assert_eq!(
        one_error(parse_quote! {
            struct S { id: i32, #[model(references = "users", on_delete = "cascde")] a: i32 }
        }),
        "unknown `on_delete` action \"cascde\", expected one of \"cascade\", \"set null\", \"restrict\", \"no action\", \"set default\""
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(sql_type = "strnig")] a: X } }),
        format!(
            "unknown `sql_type` \"strnig\", expected one of {}",
            crate::spelling::EXPECTED
        )
    );
    assert_eq!(
        one_error(parse_quote! {
            struct S { id: i32, #[model(numeric(precision = 2, scale = 3))] a: X }
        }),
        "`scale` (3) must not exceed `precision` (2)"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(numeric(precision = 2))] a: X } }),
        "`numeric` needs `scale`, e.g. `numeric(precision = 10, scale = 2)`"
    );
    assert_eq!(
        one_error(parse_quote! { #[model(check(name = "ck"))] struct S { id: i32 } }),
        "`check` needs `expr`, e.g. `check(name = \"ck_posts_title_len\", expr = \"length(title) > 0\")`"
    );
    assert_eq!(
        one_error(parse_quote! { #[model(index())] struct S { id: i32 } }),
        "`index` needs at least one field, e.g. `index(author_id, published_at)`"
    );
    assert_eq!(
        one_error(parse_quote! { #[model(index(id, columns(id)))] struct S { id: i32 } }),
        "`index` takes either `columns(...)` or bare field names, not both"
    );
}

#[test]
fn sql_type_vocabulary() {
    for ok in [
        "smallint",
        "Integer",
        "BIGINT",
        "real",
        "double",
        "numeric",
        "numeric(10, 2)",
        "boolean",
        "text",
        "varchar(20)",
        "binary",
        "date",
        "time",
        "timestamp",
        "timestamptz",
        "uuid",
        "json",
        "custom(tsvector)",
        " text ",
        "varchar",
        "integer unsigned",
        "jsonb",
        "timestamptz(3)",
        "set('a','b')",
        "custom(ltree)[]",
        "custom()",
    ] {
        assert!(attr::is_sql_type(ok), "{ok}");
    }
    for bad in [
        "enum(mood)",
        "enum(mood)[]",
        "varchar(x)",
        "numeric(10)",
        "string",
        "text(",
        "int",
    ] {
        assert!(!attr::is_sql_type(bad), "{bad}");
    }
}

#[test]
fn cross_field_rules() {
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(default = 1, default_sql = "2")] a: i32 } }),
        "`default` and `default_sql` cannot both be given: field `a` has one default, either a literal or a SQL expression"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(on_delete = "cascade")] a: i32 } }),
        "`on_delete` needs `references`, e.g. `#[model(references = \"users.id\", on_delete = \"cascade\")]`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { #[model(primary_key)] a: i32, #[model(primary_key)] b: i32 } }),
        "the primary key is declared twice: fields `a` and `b` are both marked `primary_key`; for a composite key write `#[model(primary_key(a, b))]` on the struct"
    );
    assert_eq!(
        one_error(parse_quote! {
            #[model(primary_key(a))]
            struct S { #[model(primary_key)] a: i32 }
        }),
        "the primary key is declared twice: field `a` is marked `primary_key` and the struct has `#[model(primary_key(...))]`; keep one"
    );
    assert_eq!(
        one_error(
            parse_quote! { #[model(index(id, autor))] struct S { id: i32, author: i32, #[model(skip)] x: i32 } }
        ),
        "`index` names `autor`, which is not a field of `S`, expected one of `id`, `author`"
    );
    assert_eq!(
        one_error(parse_quote! { #[model(unique(x))] struct S { id: i32, #[model(skip)] x: i32 } }),
        "`unique` names `x`, a `skip` field, which is not a column"
    );
    assert_eq!(
        one_error(parse_quote! { #[model(primary_key(a, a))] struct S { a: i32 } }),
        "`a` is listed twice in `primary_key`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(skip, index)] a: i32 } }),
        "`skip` cannot be combined with `index`: field `a` is not a column"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(auto_increment = false)] a: i32 } }),
        "`auto_increment` applies only to the primary key, and field `a` is not part of it"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(column = "id")] a: i32 } }),
        "column `id` is declared twice: fields `id` and `a` both map to it"
    );
}

#[test]
fn defaults_must_fit_builtin_types() {
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(default = 1)] a: bool } }),
        "`default` does not fit field `a` of type `bool`, expected `true` or `false`"
    );
    assert_eq!(
        one_error(parse_quote! { struct S { id: i32, #[model(default = 70000)] a: Option<i16> } }),
        "`default` does not fit field `a` of type `i16`, expected an integer in the range of i16"
    );
    assert_eq!(
        one_error(
            parse_quote! { struct S { id: i32, #[model(default = 1)] a: std::string::String } }
        ),
        "`default` does not fit field `a` of type `String`, expected a string literal"
    );
    // Integers are fine for floats; types the derive cannot see are taken as given.
    parse_model(&parse_quote! {
        struct S {
            id: i32,
            #[model(default = 1)] a: f64,
            #[model(default = "2020-01-01")] b: chrono::NaiveDate,
            #[model(default = 1, sql_type = "text")] c: String,
        }
    })
    .unwrap();
}

#[test]
fn auto_increment_follows_the_key_rules() {
    // The struct's list, Diesel's list, and the default `id` (by field or column name) are keys.
    parse_model(&parse_quote! {
        #[model(primary_key(code))]
        struct A { #[model(auto_increment = false)] code: i32 }
    })
    .unwrap();
    parse_model(&parse_quote! {
        #[diesel(primary_key(code))]
        struct B { #[model(auto_increment = false)] code: i32 }
    })
    .unwrap();
    parse_model(&parse_quote! {
        struct C { #[model(auto_increment = false, column = "id")] code: i32 }
    })
    .unwrap();
    assert_eq!(
        one_error(parse_quote! {
            struct D { #[model(primary_key)] code: i32, #[model(auto_increment = false)] id: i32 }
        }),
        "`auto_increment` applies only to the primary key, and field `id` is not part of it"
    );
}

#[test]
fn shapes_that_are_not_models() {
    assert_eq!(
        one_error(parse_quote! { struct S(i32); }),
        "`#[derive(Model)]` needs a struct with named fields, found a tuple struct: columns are named after fields"
    );
    assert_eq!(
        one_error(parse_quote! { struct S; }),
        "`#[derive(Model)]` needs a struct with named fields, found a unit struct: a table needs at least one column"
    );
    assert_eq!(
        one_error(parse_quote! { enum E { A } }),
        "`#[derive(Model)]` applies to structs with named fields, not enums"
    );
    assert_eq!(
        one_error(parse_quote! { union U { a: i32 } }),
        "`#[derive(Model)]` applies to structs with named fields, not unions"
    );
    assert_eq!(
        one_error(parse_quote! { struct S<'a> { id: i32, name: &'a str } }),
        "`#[derive(Model)]` does not support generic structs: a model maps to exactly one table"
    );
    assert_eq!(
        one_error(parse_quote! { struct S<T> { id: T } }),
        "`#[derive(Model)]` does not support generic structs: a model maps to exactly one table"
    );
}

#[test]
fn every_error_of_a_struct_is_reported() {
    let errors = errors(parse_quote! {
        #[model(indx(a), table = 1)]
        struct S<T> {
            #[model(max_length = "20", colum = "x")]
            a: String,
            #[model(on_delete = "cascade")]
            b: T,
        }
    });
    assert_eq!(errors.len(), 6, "{errors:#?}");
    // A syntax error inside one attribute does not hide the mistakes of the others.
    let errors = self::errors(parse_quote! {
        struct S {
            #[model(index("a"))]
            a: String,
            #[model(max_length = 0)]
            b: String,
        }
    });
    assert_eq!(errors.len(), 2, "{errors:#?}");
}

#[test]
fn errors_become_compile_errors() {
    // Spans are checked by the trybuild cases; here, that every error reaches the output.
    let tokens = expand_model(parse_quote! {
        struct S { id: i32, #[model(max_length = "20")] a: String, #[model(indx)] b: i32 }
    })
    .to_string();
    assert_eq!(tokens.matches("compile_error").count(), 2, "{tokens}");
}

#[test]
fn detects_the_derive() {
    let item: syn::ItemStruct = parse_quote! {
        #[derive(Debug, migrate_core::Model, Clone)]
        struct S { id: i32 }
    };
    assert!(derives_model(&item.attrs));
    let item: syn::ItemStruct = parse_quote! {
        #[derive(Debug)]
        #[model(table = "x")]
        #[derive(ModelEnum, Models)]
        struct S { id: i32 }
    };
    assert!(!derives_model(&item.attrs));
}

#[test]
fn expansion_registers_the_model() {
    let tokens = expand_model(parse_quote! {
        #[model(check(name = "ck", expr = "a > 0"))]
        struct Post {
            id: i32,
            #[model(sql_type = "text")]
            body: Option<Body>,
            #[model(references = "users", on_delete = "set null", default = -1)]
            author: Option<i32>,
        }
    })
    .to_string();
    for expected in [
        "const _ : () =",
        "# [automatically_derived] impl :: migrate_core :: model :: Model for Post",
        "struct_name : :: std :: string :: String :: from (\"Post\")",
        "< i32 as :: migrate_core :: model :: ColumnType > :: sql_type ()",
        "< Option < i32 > as :: migrate_core :: model :: ColumnType > :: NULLABLE",
        "< :: migrate_core :: schema :: SqlType as :: core :: str :: FromStr > :: from_str (\"text\")",
        "nullable : true",
        "explicit_sql_type : true",
        ":: migrate_core :: schema :: FkAction :: SetNull",
        ":: migrate_core :: schema :: DefaultValue :: Int (- 1i64)",
        ":: migrate_core :: schema :: Check { name : :: std :: string :: String :: from (\"ck\")",
        ":: migrate_core :: __private :: inventory :: submit !",
        "spec : < Post as :: migrate_core :: model :: Model > :: model_spec",
    ] {
        assert!(tokens.contains(expected), "missing {expected:?} in {tokens}");
    }
    assert!(!tokens.contains("Body as"), "{tokens}");
}

#[test]
fn failed_expansion_has_a_stub() {
    let tokens = expand_model(parse_quote! {
        struct Post<T> { #[model(bad)] id: T }
    })
    .to_string();
    assert!(tokens.contains("compile_error"), "{tokens}");
    assert!(
        tokens.contains("impl < T > :: migrate_core :: model :: Model for Post < T >"),
        "{tokens}"
    );
    assert!(!tokens.contains("inventory"), "{tokens}");
}

#[test]
#[should_panic(expected = "forgot to check for errors")]
fn unchecked_context_panics() {
    let cx = ctxt::Ctxt::new();
    drop(cx);
}

#[test]
fn parses_names_keys_index_forms_constraints_and_table_options() {
    let def = parse_model(&parse_quote! {
        #[derive(Model)]
        #[model(
            primary_key(tenant_id, id, name = "pk_bookings"),
            index(name = "ix_lower_email", on = "lower(email), created_at DESC NULLS LAST", method = "btree", where = "deleted_at IS NULL", include(room), with = "fillfactor=70", comment = "Live accounts by email"),
            index(room, unique, nulls_not_distinct),
            unique(name = "uq_room_slot", columns(room, slot), deferrable = "deferred", nulls_not_distinct),
            foreign_key(name = "fk_tenant", columns(tenant_id, room), references = "rooms(tenant_id, id)", on_delete = "cascade", deferrable = "immediate", match_full, not_valid),
            check(name = "ck_slot", expr = "slot > 0", not_valid, no_inherit),
            exclude(name = "no_overlap", using = "gist", elements = "room WITH =, during WITH &&", where = "NOT cancelled"),
            comment = "Bookings", engine = "InnoDB", charset = "utf8mb4", collation = "utf8mb4_bin",
            without_rowid, strict, partition_by = "RANGE (created_at)",
            partition_of(parent = "all_bookings", bound = "DEFAULT"), inherits("base", "audit"),
            unlogged, with = "fillfactor=70"
        )]
        struct Booking {
            #[model(identity = "always")]
            id: i64,
            tenant_id: i64,
            #[model(serial = "room_seq", comment = "The room", collation = "C", charset = "utf8mb4")]
            room: i32,
            #[model(serial)]
            slot: i32,
            #[model(unique(name = "uq_email", deferrable = "deferred"), index(name = "ix_email", method = "HASH"))]
            email: String,
            #[model(on_update_sql = "CURRENT_TIMESTAMP")]
            created_at: String,
            #[model(generated(expr = "slot * 2", stored))]
            double_slot: i32,
            #[model(references = "users.id", fk_name = "booker_fk", deferrable = "deferred", match_full, not_valid)]
            booker: i32,
            deleted_at: Option<String>,
            during: String,
            cancelled: bool,
        }
    })
    .unwrap();
    assert_eq!(def.primary_key, ["tenant_id", "id"]);
    assert_eq!(def.primary_key_name.as_deref(), Some("pk_bookings"));
    let ix = &def.indexes[0];
    assert_eq!(ix.name.as_deref(), Some("ix_lower_email"));
    assert_eq!(ix.on.len(), 2);
    assert!(ix.on[1].descending);
    assert_eq!(ix.method.as_deref(), Some("btree"));
    assert_eq!(ix.predicate.as_deref(), Some("deleted_at IS NULL"));
    assert_eq!(ix.include, ["room"]);
    assert_eq!(ix.with.as_deref(), Some("fillfactor=70"));
    assert_eq!(ix.comment.as_deref(), Some("Live accounts by email"));
    assert!(def.indexes[1].unique && def.indexes[1].nulls_not_distinct);
    assert_eq!(
        def.uniques[0],
        UniqueDef {
            name: Some("uq_room_slot".into()),
            columns: vec!["room".into(), "slot".into()],
            deferrable: Some("deferred".into()),
            nulls_not_distinct: true,
        }
    );
    assert_eq!(
        def.foreign_keys[0],
        ForeignKeyDef {
            name: Some("fk_tenant".into()),
            columns: vec!["tenant_id".into(), "room".into()],
            ref_table: "rooms".into(),
            ref_columns: vec!["tenant_id".into(), "id".into()],
            on_delete: Some("cascade".into()),
            on_update: None,
            deferrable: Some("immediate".into()),
            match_full: true,
            not_valid: true,
        }
    );
    assert!(def.checks[0].not_valid && def.checks[0].no_inherit);
    assert_eq!(
        def.exclusions[0].definition,
        "USING gist (room WITH =, during WITH &&) WHERE (NOT cancelled)"
    );
    let o = &def.options;
    assert_eq!(o.comment.as_deref(), Some("Bookings"));
    assert_eq!(o.engine.as_deref(), Some("InnoDB"));
    assert!(o.without_rowid && o.strict);
    assert_eq!(
        o.partition_of,
        Some(("all_bookings".into(), "DEFAULT".into()))
    );
    assert_eq!(o.inherits, ["base", "audit"]);
    assert!(o.unlogged);
    assert_eq!(o.with.as_deref(), Some("fillfactor=70"));
    assert_eq!(field(&def, "id").identity, Some(IdentityDef::Always));
    assert_eq!(
        field(&def, "room").identity,
        Some(IdentityDef::Serial(Some("room_seq".into())))
    );
    assert_eq!(field(&def, "room").comment.as_deref(), Some("The room"));
    assert_eq!(
        field(&def, "slot").identity,
        Some(IdentityDef::Serial(None))
    );
    let email = field(&def, "email");
    assert!(email.unique && email.index);
    assert_eq!(email.unique_name.as_deref(), Some("uq_email"));
    assert_eq!(email.index_method.as_deref(), Some("hash"));
    assert_eq!(
        field(&def, "double_slot").generated,
        Some(("slot * 2".into(), true))
    );
    let booker = field(&def, "booker");
    assert_eq!(booker.fk_name.as_deref(), Some("booker_fk"));
    assert!(booker.fk_match_full && booker.fk_not_valid);
}

#[test]
fn misuse_of_the_new_attributes_is_reported_at_the_token() {
    let cases: &[(syn::DeriveInput, &str)] = &[
        (
            parse_quote! { #[model(index(a, method = "btre"))] struct S { id: i32, a: i32 } },
            "unknown `method` \"btre\", expected one of \"btree\", \"hash\", \"gin\", \"gist\", \"brin\", \"spgist\", \"fulltext\", \"spatial\"",
        ),
        (
            parse_quote! { struct S { #[model(identity = "always", serial)] id: i32 } },
            "`serial` cannot be combined with `identity`: field `id` is generated one way",
        ),
        (
            parse_quote! { #[model(index(name = "ix", on = "lower(a"))] struct S { id: i32, a: i32 } },
            "`on` does not parse: unbalanced `(` in \"lower(a\"",
        ),
        (
            parse_quote! { #[model(index(on = "lower(a)"))] struct S { id: i32, a: i32 } },
            "an index over an expression needs `name = \"...\"`: no name can be derived from an expression",
        ),
        (
            parse_quote! { #[model(index(on = "b DESC"))] struct S { id: i32, a: i32 } },
            "`on` names `b`, which is not a column of `S`, expected one of `id`, `a`",
        ),
        (
            parse_quote! { #[model(index(a, on = "a"))] struct S { id: i32, a: i32 } },
            "`index` takes either `on = \"...\"` or field names, not both",
        ),
        (
            parse_quote! { #[model(foreign_key(columns(a, b), references = "t(x)"))] struct S { id: i32, a: i32, b: i32 } },
            "`references` names 1 column(s) for 2 foreign key column(s)",
        ),
        (
            parse_quote! { #[model(foreign_key(a))] struct S { id: i32, a: i32 } },
            "`foreign_key` needs `references`, e.g. `foreign_key(columns(tenant_id, author_id), references = \"users(tenant_id, id)\")`",
        ),
        (
            parse_quote! { #[model(unique(a, deferrable = "later"))] struct S { id: i32, a: i32 } },
            "unknown `deferrable` \"later\", expected one of \"deferred\", \"immediate\"",
        ),
        (
            parse_quote! { struct S { id: i32, #[model(fk_name = "x")] a: i32 } },
            "`fk_name` is an option of the field's foreign key and needs `references`, e.g. `#[model(references = \"users.id\", fk_name ...)]`",
        ),
        (
            parse_quote! { struct S { id: i32, #[model(generated(expr = "id + 1"), default = 1)] a: i32 } },
            "`generated` cannot be combined with `default`: the value of field `a` is computed from its expression",
        ),
        (
            parse_quote! { struct S { id: i32, #[model(autoincrement)] a: i32 } },
            "`autoincrement` applies only to the primary key, and field `a` is not part of it",
        ),
        (
            parse_quote! { struct S { #[model(identity = "sometimes")] id: i32 } },
            "unknown `identity` \"sometimes\", expected one of \"always\", \"by_default\"",
        ),
        (
            parse_quote! { struct S { #[model(auto_increment = false, serial)] id: i32 } },
            "`serial` cannot be combined with `auto_increment = false`: field `id` would be generated and not",
        ),
        (
            parse_quote! { #[model(exclude(name = "x"))] struct S { id: i32 } },
            "`exclude` needs `elements`, e.g. `exclude(name = \"no_overlap\", using = \"gist\", elements = \"room WITH =, during WITH &&\")`",
        ),
        (
            parse_quote! { #[model(inherits(base))] struct S { id: i32 } },
            "`inherits` expects non-empty string literals, e.g. `inherits(\"parents\")`",
        ),
        (
            parse_quote! { #[model(no_primary_key)] struct S { #[model(primary_key)] id: i32 } },
            "`no_primary_key` contradicts the primary key declared on this struct; keep one",
        ),
        (
            parse_quote! { #[model(no_primary_key)] struct S { #[model(auto_increment = false)] id: i32 } },
            "`auto_increment` applies only to the primary key, and field `id` is not part of it",
        ),
        (
            parse_quote! { #[model(index(a, include(b)))] struct S { id: i32, a: i32 } },
            "`include` names `b`, which is not a field of `S`, expected one of `id`, `a`",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(one_error(input.clone()), *expected);
    }
}

#[test]
fn doc_comments_are_the_table_and_column_comments() {
    let def = parse_model(&parse_quote! {
        /// Posts by users.
        ///
        /// Drafts included.
        pub struct Post {
            /// The key.
            pub id: i32,
            /// Shown in lists.
            #[model(comment = "The title")]
            pub title: String,
            #[doc(hidden)]
            pub body: String,
            /// Not a column.
            #[model(skip)]
            pub cached: i64,
        }
    })
    .unwrap();
    assert_eq!(
        def.options.comment.as_deref(),
        Some("Posts by users.\n\nDrafts included.")
    );
    assert_eq!(field(&def, "id").comment.as_deref(), Some("The key."));
    // `comment = "..."` wins, so the Rust documentation may say more than the database keeps.
    assert_eq!(field(&def, "title").comment.as_deref(), Some("The title"));
    assert_eq!(field(&def, "body").comment, None);
}

#[test]
fn a_doc_comment_written_by_a_macro_needs_an_explicit_comment() {
    let message = one_error(parse_quote! {
        #[doc = include_str!("posts.md")]
        pub struct Post {
            pub id: i32,
        }
    });
    assert!(
        message.starts_with("a doc comment written by a macro cannot be read as the comment"),
        "{message}"
    );
    parse_model(&parse_quote! {
        #[doc = include_str!("posts.md")]
        #[model(comment = "Posts")]
        pub struct Post {
            pub id: i32,
            #[doc = include_str!("cache.md")]
            #[model(skip)]
            pub cached: i64,
        }
    })
    .unwrap();
}
