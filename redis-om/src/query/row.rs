//! A row of named values from the server (an aggregation's row, the
//! fields a search returns) read into a type of the caller's.

use redis_core::{Error, ErrorKind, FromValue, Result};
use serde::de::DeserializeOwned;

use crate::model::Model;

/// One row as the server sends it: column names and values, each value
/// as text (a list, such as `tolist`'s, as a JSON array of its texts, which
/// the row's `Vec` field reads); columns without a value are left out.
pub(super) struct Row(pub(super) Vec<(Vec<u8>, Vec<u8>)>);

impl redis_core::FromValue for Row {
    fn from_value(value: redis_core::Value) -> Result<Self> {
        let columns = Vec::<(Vec<u8>, redis_core::Value)>::from_value(value)?;
        let mut row = Vec::with_capacity(columns.len());
        for (name, value) in columns {
            if let Some(text) = column_text(value)? {
                row.push((name, text));
            }
        }
        Ok(Row(row))
    }
}

/// A column's value as text; `None` for none.
fn column_text(value: redis_core::Value) -> Result<Option<Vec<u8>>> {
    use redis_core::Value;
    Ok(match value {
        Value::Nil => None,
        Value::Array(items) | Value::Set(items) => {
            let mut texts = Vec::with_capacity(items.len());
            for item in items {
                let text = column_text(item)?.unwrap_or_default();
                texts.push(String::from_utf8_lossy(&text).into_owned());
            }
            Some(
                serde_json::to_vec(&texts)
                    .map_err(|e| Error::new(ErrorKind::Decode, format!("a list column: {e}")))?,
            )
        }
        other => Some(Vec::<u8>::from_value(other)?),
    })
}

/// `row` as an `R`; an error says what the row was (`what`) and why.
pub(super) fn decode_row<M: Model, R: DeserializeOwned>(
    row: &[(Vec<u8>, Vec<u8>)],
    what: &str,
) -> Result<R> {
    crate::stream::from_fields(row).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!(
                "{what} of {} does not fit {}: {e}",
                M::info().name(),
                std::any::type_name::<R>()
            ),
        )
    })
}
