//! The spellings of column types, as `snapshot.json` and `#[model(sql_type = "...")]` write
//! them: the one parser of both.
//!
//! Pure std, so that migrate-core's `SqlType::from_str` delegates here without the syn parser
//! (built only with the `parser` feature), and the derive rejects at compile time exactly what
//! migrate-core would reject at run time. migrate-core turns a [`TypeSpelling`] into its
//! `SqlType` variant for variant and writes the same spellings back with its `Display`.

/// Every spelling [`parse`] accepts, for messages (`T[]` stands for any of them).
pub const EXPECTED: &str = "smallint, integer, bigint, tinyint, mediumint, \
     <integer type> unsigned, real, double, numeric, numeric(P,S), money, boolean, text, \
     varchar, varchar(N), char(N), tinytext, mediumtext, longtext, binary, binary(N), \
     varbinary(N), tinyblob, mediumblob, longblob, bit(N), varbit, varbit(N), date, time, \
     time(N), timetz, timetz(N), timestamp, timestamp(N), timestamptz, timestamptz(N), \
     interval, year, uuid, json, jsonb, inet, cidr, macaddr, macaddr8, set('a','b'), \
     T[], custom(...)";

/// A parsed type spelling; each variant is the `SqlType` variant of the same name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum TypeSpelling {
    SmallInt,
    Integer,
    BigInt,
    TinyInt,
    MediumInt,
    Unsigned(Box<TypeSpelling>),
    Real,
    Double,
    Numeric(Option<(u32, u32)>),
    Money,
    Boolean,
    Text,
    Varchar(u32),
    VarcharUnbounded,
    Char(u32),
    TinyText,
    MediumText,
    LongText,
    Binary,
    FixedBinary(u32),
    VarBinary(u32),
    TinyBlob,
    MediumBlob,
    LongBlob,
    Bit(u32),
    VarBit(Option<u32>),
    Date,
    Time,
    TimePrecision(u32),
    TimeTz,
    TimeTzPrecision(u32),
    Timestamp,
    TimestampPrecision(u32),
    TimestampTz,
    TimestampTzPrecision(u32),
    Interval,
    Year,
    Uuid,
    Json,
    Jsonb,
    Inet,
    Cidr,
    MacAddr,
    MacAddr8,
    Set(Vec<String>),
    Enum(String),
    Array(Box<TypeSpelling>),
    Custom(String),
}

impl TypeSpelling {
    /// Whether it names an enum type, itself or as an array's element.
    pub fn names_enum(&self) -> bool {
        match self {
            TypeSpelling::Enum(_) => true,
            TypeSpelling::Array(element) => element.names_enum(),
            _ => false,
        }
    }
}

/// A spelling that is not in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotASpelling;

/// Parses a type spelling: case and blanks around names and numbers do not matter; the names
/// of custom types, enum types and set values keep the case they are written in.
pub fn parse(text: &str) -> Result<TypeSpelling, NotASpelling> {
    let text = text.trim();
    if let Some(element) = text.strip_suffix("[]") {
        return Ok(TypeSpelling::Array(Box::new(parse(element)?)));
    }
    let lower = text.to_ascii_lowercase();
    if let Some(inner) = enclosed(text, &lower, "custom") {
        // A custom type is the database's own spelling, kept as written; `custom()` is a
        // column declared without a type (SQLite's `CREATE TABLE t (a)`).
        let inner = if inner.trim().is_empty() { "" } else { inner };
        return Ok(TypeSpelling::Custom(inner.to_string()));
    }
    if let Some(inner) = enclosed(text, &lower, "enum") {
        let name = inner.trim();
        if name.is_empty() {
            return Err(NotASpelling);
        }
        return Ok(TypeSpelling::Enum(name.to_string()));
    }
    if let Some(inner) = enclosed(text, &lower, "set") {
        return set_values(inner).map(TypeSpelling::Set);
    }
    if let Some(base) = lower.strip_suffix("unsigned") {
        if !base.ends_with(char::is_whitespace) {
            return Err(NotASpelling);
        }
        let base = parse(base)?;
        return match base {
            TypeSpelling::TinyInt
            | TypeSpelling::SmallInt
            | TypeSpelling::MediumInt
            | TypeSpelling::Integer
            | TypeSpelling::BigInt => Ok(TypeSpelling::Unsigned(Box::new(base))),
            _ => Err(NotASpelling),
        };
    }
    let (head, args): (&str, Option<Vec<&str>>) = match lower.find('(') {
        Some(open) if lower.ends_with(')') => (
            lower[..open].trim(),
            Some(
                lower[open + 1..lower.len() - 1]
                    .split(',')
                    .map(str::trim)
                    .collect(),
            ),
        ),
        Some(_) => return Err(NotASpelling),
        None => (lower.as_str(), None),
    };
    let n = |s: &str| s.parse::<u32>().map_err(|_| NotASpelling);
    use TypeSpelling as T;
    Ok(match (head, args.as_deref()) {
        ("smallint", None) => T::SmallInt,
        ("integer", None) => T::Integer,
        ("bigint", None) => T::BigInt,
        ("tinyint", None) => T::TinyInt,
        ("mediumint", None) => T::MediumInt,
        ("real", None) => T::Real,
        ("double", None) => T::Double,
        ("numeric", None) => T::Numeric(None),
        ("numeric", Some([p, s])) => T::Numeric(Some((n(p)?, n(s)?))),
        ("money", None) => T::Money,
        ("boolean", None) => T::Boolean,
        ("text", None) => T::Text,
        ("varchar", None) => T::VarcharUnbounded,
        ("varchar", Some([len])) => T::Varchar(n(len)?),
        ("char", Some([len])) => T::Char(n(len)?),
        ("tinytext", None) => T::TinyText,
        ("mediumtext", None) => T::MediumText,
        ("longtext", None) => T::LongText,
        ("binary", None) => T::Binary,
        ("binary", Some([len])) => T::FixedBinary(n(len)?),
        ("varbinary", Some([len])) => T::VarBinary(n(len)?),
        ("tinyblob", None) => T::TinyBlob,
        ("mediumblob", None) => T::MediumBlob,
        ("longblob", None) => T::LongBlob,
        ("bit", Some([len])) => T::Bit(n(len)?),
        ("varbit", None) => T::VarBit(None),
        ("varbit", Some([len])) => T::VarBit(Some(n(len)?)),
        ("date", None) => T::Date,
        ("time", None) => T::Time,
        ("time", Some([p])) => T::TimePrecision(n(p)?),
        ("timetz", None) => T::TimeTz,
        ("timetz", Some([p])) => T::TimeTzPrecision(n(p)?),
        ("timestamp", None) => T::Timestamp,
        ("timestamp", Some([p])) => T::TimestampPrecision(n(p)?),
        ("timestamptz", None) => T::TimestampTz,
        ("timestamptz", Some([p])) => T::TimestampTzPrecision(n(p)?),
        ("interval", None) => T::Interval,
        ("year", None) => T::Year,
        ("uuid", None) => T::Uuid,
        ("json", None) => T::Json,
        ("jsonb", None) => T::Jsonb,
        ("inet", None) => T::Inet,
        ("cidr", None) => T::Cidr,
        ("macaddr", None) => T::MacAddr,
        ("macaddr8", None) => T::MacAddr8,
        _ => return Err(NotASpelling),
    })
}

/// The text between `name(` and the final `)`, in its original case.
fn enclosed<'a>(text: &'a str, lower: &str, name: &str) -> Option<&'a str> {
    let rest = lower.strip_prefix(name)?;
    let open = name.len() + rest.len() - rest.trim_start().len();
    if !lower[open..].starts_with('(') || !lower.ends_with(')') {
        return None;
    }
    Some(&text[open + 1..text.len() - 1])
}

/// `'a', 'b'`: single-quoted values (a quote inside doubled), separated by commas; at least one.
fn set_values(inner: &str) -> Result<Vec<String>, NotASpelling> {
    let mut values = Vec::new();
    let mut chars = inner.trim().chars().peekable();
    loop {
        if chars.next() != Some('\'') {
            return Err(NotASpelling);
        }
        let mut value = String::new();
        loop {
            match chars.next() {
                Some('\'') if chars.peek() == Some(&'\'') => {
                    chars.next();
                    value.push('\'');
                }
                Some('\'') => break,
                Some(c) => value.push(c),
                None => return Err(NotASpelling),
            }
        }
        values.push(value);
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.next() {
            None => return Ok(values),
            Some(',') => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(_) => return Err(NotASpelling),
        }
    }
}

/// `values` as [`parse`] reads them back: `'a','b'`, quotes inside doubled.
pub fn write_set_values(values: &[String]) -> String {
    let mut out = String::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('\'');
        out.push_str(&value.replace('\'', "''"));
        out.push('\'');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_case_and_the_rest_does_not_matter() {
        assert_eq!(parse(" VarChar( 12 ) "), Ok(TypeSpelling::Varchar(12)));
        assert_eq!(
            parse("custom(Geometry(Point, 4326))"),
            Ok(TypeSpelling::Custom("Geometry(Point, 4326)".into()))
        );
        assert_eq!(parse("ENUM( Mood )"), Ok(TypeSpelling::Enum("Mood".into())));
        assert_eq!(
            parse("SET('A', 'it''s')"),
            Ok(TypeSpelling::Set(vec!["A".into(), "it's".into()]))
        );
        assert_eq!(
            parse("INTEGER  UNSIGNED"),
            Ok(TypeSpelling::Unsigned(Box::new(TypeSpelling::Integer)))
        );
        assert_eq!(parse("custom( )"), Ok(TypeSpelling::Custom(String::new())));
        assert_eq!(
            parse("custom(ltree)[][]"),
            Ok(TypeSpelling::Array(Box::new(TypeSpelling::Array(
                Box::new(TypeSpelling::Custom("ltree".into()))
            ))))
        );
    }

    #[test]
    fn malformed_spellings_are_refused() {
        for bad in [
            "",
            "[]",
            "int",
            "string",
            "varchar(x)",
            "varchar(1,2)",
            "varchar(-1)",
            "numeric(10)",
            "char",
            "char()",
            "bit",
            "varbinary",
            "binary(",
            "text(",
            "text)",
            "time(x)",
            "timestamptz(1,2)",
            "enum()",
            "set()",
            "set(a)",
            "set('a',)",
            "set('a' 'b')",
            "set('a)",
            "unsigned",
            "integerunsigned",
            "text unsigned",
            "numeric unsigned",
            "integer unsigned unsigned",
            "json b",
        ] {
            assert_eq!(parse(bad), Err(NotASpelling), "{bad:?}");
        }
    }

    #[test]
    fn set_values_are_written_as_read() {
        let values = vec!["a".to_string(), "it's".into(), "x,y".into()];
        let text = format!("set({})", write_set_values(&values));
        assert_eq!(text, "set('a','it''s','x,y')");
        assert_eq!(parse(&text), Ok(TypeSpelling::Set(values)));
    }
}
