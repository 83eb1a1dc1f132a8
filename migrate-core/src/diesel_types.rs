//! Field types for columns whose SQL type Diesel does not provide (`tsvector`, `ltree`,
//! `timetz`, `varbit`, `xml`, types of extensions, MySQL `SET` ...), for which `diesel
//! print-schema` and `schema` declare a type in `pub mod sql_types`.
//!
//! [`Raw`] holds a value exactly as the server sends it (PostgreSQL's binary format, MySQL's
//! text) and writes it back unchanged, so a model of such a table loads and inserts every row
//! without this crate knowing the type. The impls come with the `postgres` and `mysql` features.

/// A value of any SQL type, as the server's wire format has it. `FromSqlRow` makes it a field
/// of a `NOT NULL` column too (`Option<Raw>` loads through `Option`'s own impl).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, diesel::deserialize::FromSqlRow)]
pub struct Raw(pub Vec<u8>);

impl Raw {
    /// The bytes as the server sent them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(any(feature = "postgres", feature = "mysql"))]
mod impls {
    use super::Raw;
    use diesel::expression::{AsExpression, TypedExpressionType};
    use diesel::internal::derives::as_expression::Bound;
    use diesel::sql_types::SqlType;

    impl<ST> AsExpression<ST> for Raw
    where
        ST: SqlType + TypedExpressionType,
    {
        type Expression = Bound<ST, Self>;
        fn as_expression(self) -> Self::Expression {
            Bound::new(self)
        }
    }

    impl<ST> AsExpression<ST> for &Raw
    where
        ST: SqlType + TypedExpressionType,
    {
        type Expression = Bound<ST, Self>;
        fn as_expression(self) -> Self::Expression {
            Bound::new(self)
        }
    }

    #[cfg(feature = "postgres")]
    mod pg {
        use super::Raw;
        use diesel::deserialize::{self, FromSql};
        use diesel::pg::{Pg, PgValue};
        use diesel::serialize::{self, IsNull, Output, ToSql};
        use std::io::Write;

        impl<ST> FromSql<ST, Pg> for Raw {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                Ok(Raw(value.as_bytes().to_vec()))
            }
        }

        impl<ST> ToSql<ST, Pg> for Raw {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(&self.0)?;
                Ok(IsNull::No)
            }
        }
    }

    #[cfg(feature = "mysql")]
    mod mysql {
        use super::Raw;
        use diesel::deserialize::{self, FromSql};
        use diesel::mysql::{Mysql, MysqlValue};
        use diesel::serialize::{self, IsNull, Output, ToSql};
        use std::io::Write;

        impl<ST> FromSql<ST, Mysql> for Raw {
            fn from_sql(value: MysqlValue<'_>) -> deserialize::Result<Self> {
                Ok(Raw(value.as_bytes().to_vec()))
            }
        }

        impl<ST> ToSql<ST, Mysql> for Raw {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Mysql>) -> serialize::Result {
                out.write_all(&self.0)?;
                Ok(IsNull::No)
            }
        }
    }
}
