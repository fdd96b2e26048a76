//! A value as a stream entry's fields, through serde: one field per struct
//! field (or map entry), scalars as their text, anything nested as JSON.
//!
//! Scalars are written as text rather than JSON so that `redis-cli`, and any
//! other client, reads `amount 12.5` and `user ada` instead of `"ada"`; the
//! reading side ([`super::fields_de`]) knows from the Rust type asking
//! whether `123` is a number or a string, so nothing is lost.

use std::fmt;

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeMap, SerializeStruct};

/// An entry's fields as XADD takes them: name, then value.
pub(crate) type Fields = Vec<(String, Vec<u8>)>;

/// Why a value cannot be written as fields, or fields cannot be read as one.
#[derive(Debug)]
pub(crate) struct FieldError(pub(crate) String);

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FieldError {}

impl ser::Error for FieldError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        FieldError(msg.to_string())
    }
}

impl serde::de::Error for FieldError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        FieldError(msg.to_string())
    }
}

/// The fields of `value`, which must serialize as a struct or a map.
pub(crate) fn to_fields<T: Serialize + ?Sized>(value: &T) -> Result<Fields, FieldError> {
    let mut fields = Fields::new();
    value.serialize(EntrySerializer {
        fields: &mut fields,
    })?;
    if fields.is_empty() {
        // XADD needs at least one field; an entry of nothing could also not
        // be told apart from one deleted while pending.
        return Err(FieldError(
            "the value has no fields to store (every field is None or skipped)".to_owned(),
        ));
    }
    Ok(fields)
}

/// The text of one field, or `None` for a field left out (a `None`).
fn field_value<T: Serialize + ?Sized>(value: &T) -> Result<Option<Vec<u8>>, FieldError> {
    match value.serialize(Scalar) {
        Ok(bytes) => Ok(bytes),
        Err(Probe::Nested) => serde_json::to_vec(value)
            .map(Some)
            .map_err(|e| FieldError(e.to_string())),
        Err(Probe::Failed(e)) => Err(e),
    }
}

/// Serializes the top level: a struct or a map, one field per member.
struct EntrySerializer<'a> {
    fields: &'a mut Fields,
}

fn not_a_record(what: &str) -> FieldError {
    FieldError(format!(
        "a stream entry is written from a struct or a map, not {what}"
    ))
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*) = $what:literal;)*) => {
        $(
            fn $method(self, $(_: $arg),*) -> Result<(), FieldError> {
                Err(not_a_record($what))
            }
        )*
    };
}

impl<'a> ser::Serializer for EntrySerializer<'a> {
    type Ok = ();
    type Error = FieldError;
    type SerializeSeq = Impossible<(), FieldError>;
    type SerializeTuple = Impossible<(), FieldError>;
    type SerializeTupleStruct = Impossible<(), FieldError>;
    type SerializeTupleVariant = Impossible<(), FieldError>;
    type SerializeMap = Members<'a>;
    type SerializeStruct = Members<'a>;
    type SerializeStructVariant = Impossible<(), FieldError>;

    refuse! {
        serialize_bool(bool) = "a bool";
        serialize_i8(i8) = "a number";
        serialize_i16(i16) = "a number";
        serialize_i32(i32) = "a number";
        serialize_i64(i64) = "a number";
        serialize_u8(u8) = "a number";
        serialize_u16(u16) = "a number";
        serialize_u32(u32) = "a number";
        serialize_u64(u64) = "a number";
        serialize_f32(f32) = "a number";
        serialize_f64(f64) = "a number";
        serialize_char(char) = "a char";
        serialize_str(&str) = "a string";
        serialize_bytes(&[u8]) = "bytes";
        serialize_none() = "None";
        serialize_unit() = "()";
        serialize_unit_struct(&'static str) = "a unit struct";
        serialize_unit_variant(&'static str, u32, &'static str) = "an enum";
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), FieldError> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), FieldError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), FieldError> {
        Err(not_a_record("an enum"))
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, FieldError> {
        Err(not_a_record("a sequence"))
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, FieldError> {
        Err(not_a_record("a tuple"))
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, FieldError> {
        Err(not_a_record("a tuple struct"))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, FieldError> {
        Err(not_a_record("an enum"))
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Members<'a>, FieldError> {
        Ok(Members {
            fields: self.fields,
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'a>, FieldError> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, FieldError> {
        Err(not_a_record("an enum"))
    }
}

/// The members of the top-level struct or map.
struct Members<'a> {
    fields: &'a mut Fields,
    key: Option<String>,
}

impl Members<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, name: String, value: &T) -> Result<(), FieldError> {
        let bytes = field_value(value).map_err(|e| FieldError(format!("field {name:?}: {e}")))?;
        if let Some(bytes) = bytes {
            self.fields.push((name, bytes));
        }
        Ok(())
    }
}

impl SerializeStruct for Members<'_> {
    type Ok = ();
    type Error = FieldError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), FieldError> {
        self.push(name.to_owned(), value)
    }

    fn end(self) -> Result<(), FieldError> {
        Ok(())
    }
}

impl SerializeMap for Members<'_> {
    type Ok = ();
    type Error = FieldError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), FieldError> {
        let name = match key.serialize(Scalar) {
            Ok(Some(bytes)) => String::from_utf8(bytes).ok(),
            _ => None,
        };
        let name = name.ok_or_else(|| {
            FieldError("a map written as a stream entry needs text or number keys".to_owned())
        })?;
        self.key = Some(name);
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), FieldError> {
        let name = self
            .key
            .take()
            .ok_or_else(|| FieldError("a map value without its key".to_owned()))?;
        self.push(name, value)
    }

    fn end(self) -> Result<(), FieldError> {
        Ok(())
    }
}

/// Why [`Scalar`] gave up: the value is nested (and is written as JSON
/// instead), or it cannot be written at all.
enum Probe {
    Nested,
    Failed(FieldError),
}

impl fmt::Debug for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Probe::Nested => f.write_str("nested"),
            Probe::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Probe {}

impl ser::Error for Probe {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Probe::Failed(FieldError(msg.to_string()))
    }
}

/// Writes a scalar as its text; anything with parts is [`Probe::Nested`].
struct Scalar;

type Text = Result<Option<Vec<u8>>, Probe>;

fn text(value: impl ToString) -> Text {
    Ok(Some(value.to_string().into_bytes()))
}

fn float(value: f64) -> Text {
    // The spellings `str::parse::<f64>` reads back (Rust prints `NaN`).
    if value.is_nan() {
        return text("nan");
    }
    if value.is_infinite() {
        return text(if value > 0.0 { "inf" } else { "-inf" });
    }
    text(value)
}

impl ser::Serializer for Scalar {
    type Ok = Option<Vec<u8>>;
    type Error = Probe;
    type SerializeSeq = Impossible<Self::Ok, Probe>;
    type SerializeTuple = Impossible<Self::Ok, Probe>;
    type SerializeTupleStruct = Impossible<Self::Ok, Probe>;
    type SerializeTupleVariant = Impossible<Self::Ok, Probe>;
    type SerializeMap = Impossible<Self::Ok, Probe>;
    type SerializeStruct = Impossible<Self::Ok, Probe>;
    type SerializeStructVariant = Impossible<Self::Ok, Probe>;

    fn serialize_bool(self, v: bool) -> Text {
        text(v)
    }
    fn serialize_i8(self, v: i8) -> Text {
        text(v)
    }
    fn serialize_i16(self, v: i16) -> Text {
        text(v)
    }
    fn serialize_i32(self, v: i32) -> Text {
        text(v)
    }
    fn serialize_i64(self, v: i64) -> Text {
        text(v)
    }
    fn serialize_i128(self, v: i128) -> Text {
        text(v)
    }
    fn serialize_u8(self, v: u8) -> Text {
        text(v)
    }
    fn serialize_u16(self, v: u16) -> Text {
        text(v)
    }
    fn serialize_u32(self, v: u32) -> Text {
        text(v)
    }
    fn serialize_u64(self, v: u64) -> Text {
        text(v)
    }
    fn serialize_u128(self, v: u128) -> Text {
        text(v)
    }
    fn serialize_f32(self, v: f32) -> Text {
        if v.is_finite() {
            // f32's own Display: widening would write 0.1 as 0.10000000149011612.
            return text(v);
        }
        float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Text {
        float(v)
    }
    fn serialize_char(self, v: char) -> Text {
        text(v)
    }
    fn serialize_str(self, v: &str) -> Text {
        Ok(Some(v.as_bytes().to_vec()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Text {
        Ok(Some(v.to_vec()))
    }
    fn serialize_none(self) -> Text {
        Ok(None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Text {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Text {
        Ok(Some(Vec::new()))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Text {
        Ok(Some(Vec::new()))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Text {
        text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Text {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Text {
        Err(Probe::Nested)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Probe> {
        Err(Probe::Nested)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Probe> {
        Err(Probe::Nested)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Probe> {
        Err(Probe::Nested)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Probe> {
        Err(Probe::Nested)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Probe> {
        Err(Probe::Nested)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Probe> {
        Err(Probe::Nested)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Probe> {
        Err(Probe::Nested)
    }
}
