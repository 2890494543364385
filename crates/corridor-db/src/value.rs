//! Values crossing to and from either backend, in SQLite's four storage classes (and NULL):
//! what the store keeps fits them, and PostgreSQL's stricter types are met at its edge.

use crate::Error;

/// A value borrowed from a parameter or a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// The kind of a [`ValueRef`], for errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Null,
    Integer,
    Real,
    Text,
    Blob,
}

impl std::fmt::Display for Type {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Type::Null => "null",
            Type::Integer => "integer",
            Type::Real => "real",
            Type::Text => "text",
            Type::Blob => "blob",
        })
    }
}

impl ValueRef<'_> {
    /// Its kind.
    pub fn kind(&self) -> Type {
        match self {
            ValueRef::Null => Type::Null,
            ValueRef::Integer(_) => Type::Integer,
            ValueRef::Real(_) => Type::Real,
            ValueRef::Text(_) => Type::Text,
            ValueRef::Blob(_) => Type::Blob,
        }
    }
}

/// What a parameter can be bound as.
pub trait ToSql {
    /// The value to bind; fails for one no column can hold (an unsigned number past `i64`).
    fn to_sql(&self) -> Result<ValueRef<'_>, Error>;
}

/// Why a column's value cannot be read as the type asked for.
#[derive(Debug)]
pub enum FromSqlError {
    /// The value is of another kind.
    InvalidType,
    /// The number does not fit the type.
    OutOfRange(i64),
    /// Any other reason.
    Other(Box<dyn std::error::Error + Send + Sync>),
}

/// What a column can be read as.
pub trait FromSql: Sized {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError>;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        (**self).to_sql()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        match self {
            Some(value) => value.to_sql(),
            None => Ok(ValueRef::Null),
        }
    }
}

impl ToSql for str {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Text(self))
    }
}

impl ToSql for String {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Text(self))
    }
}

impl ToSql for std::borrow::Cow<'_, str> {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Text(self))
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Blob(self))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Blob(self))
    }
}

impl<const N: usize> ToSql for [u8; N] {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Blob(self))
    }
}

impl ToSql for bool {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Integer(i64::from(*self)))
    }
}

impl ToSql for f64 {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(ValueRef::Real(*self))
    }
}

impl ToSql for ValueRef<'_> {
    fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
        Ok(*self)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<ValueRef<'_>, Error> {
                i64::try_from(*self)
                    .map(ValueRef::Integer)
                    .map_err(|e| Error::ToSqlConversionFailure(Box::new(e)))
            }
        }

        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
                match value {
                    ValueRef::Integer(n) => <$t>::try_from(n).map_err(|_| FromSqlError::OutOfRange(n)),
                    _ => Err(FromSqlError::InvalidType),
                }
            }
        }
    )*};
}

integers!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Integer(n) => Ok(n != 0),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Real(x) => Ok(x),
            ValueRef::Integer(n) => Ok(n as f64),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl FromSql for String {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Text(text) => Ok(text.to_owned()),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// Text reads as its bytes too, as SQLite gives them.
impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Blob(bytes) => Ok(bytes.to_vec()),
            ValueRef::Text(text) => Ok(text.as_bytes().to_vec()),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl<const N: usize> FromSql for [u8; N] {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Blob(bytes) => bytes.try_into().map_err(|_| {
                FromSqlError::Other(format!("{} bytes where {N} belong", bytes.len()).into())
            }),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Null => Ok(None),
            value => T::from_sql(value).map(Some),
        }
    }
}
