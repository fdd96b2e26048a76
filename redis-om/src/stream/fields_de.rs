//! A stream entry's fields read back as a value, through serde: the
//! counterpart of [`super::fields_ser`].
//!
//! Each field is text, and the Rust type asking decides what it is: a
//! `String` field holding `123` gets the string, a `u32` field parses it, a
//! nested struct or a `Vec` parses it as JSON. Only a type that asks for
//! "anything" (`serde_json::Value`, untagged enums, `#[serde(flatten)]`)
//! gets a guess: JSON for text that starts with `{` or `[`, the text as a
//! string otherwise.

use serde::de::value::StrDeserializer;
use serde::de::{self, DeserializeOwned, IntoDeserializer, MapAccess, Visitor};

use super::fields_ser::FieldError;

/// Reads `fields` (name, value) as a `T`.
pub(crate) fn from_fields<T: DeserializeOwned>(
    fields: &[(Vec<u8>, Vec<u8>)],
) -> Result<T, FieldError> {
    T::deserialize(Entry { fields })
}

/// The whole entry: a map from field name to field value.
struct Entry<'a> {
    fields: &'a [(Vec<u8>, Vec<u8>)],
}

impl<'de> de::Deserializer<'de> for Entry<'de> {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_map(Members {
            fields: self.fields.iter(),
            value: None,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Members<'de, I> {
    fields: I,
    value: Option<(&'de [u8], &'de [u8])>,
}

impl<'de, I: Iterator<Item = &'de (Vec<u8>, Vec<u8>)>> MapAccess<'de> for Members<'de, I> {
    type Error = FieldError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FieldError> {
        let Some((name, value)) = self.fields.next() else {
            return Ok(None);
        };
        self.value = Some((name, value));
        let name = std::str::from_utf8(name)
            .map_err(|_| FieldError(format!("a field name that is not UTF-8: {name:?}")))?;
        seed.deserialize(StrDeserializer::<FieldError>::new(name))
            .map(Some)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, FieldError> {
        let (name, value) = self
            .value
            .take()
            .ok_or_else(|| FieldError("a field value asked for before its name".to_owned()))?;
        seed.deserialize(Text { bytes: value }).map_err(|e| {
            FieldError(format!(
                "field {:?}: {e}",
                String::from_utf8_lossy(name).as_ref()
            ))
        })
    }
}

/// One field's value.
struct Text<'de> {
    bytes: &'de [u8],
}

impl<'de> Text<'de> {
    fn str(&self) -> Result<&'de str, FieldError> {
        std::str::from_utf8(self.bytes).map_err(|_| FieldError("not UTF-8 text".to_owned()))
    }

    fn parse<T: std::str::FromStr>(&self, what: &str) -> Result<T, FieldError> {
        let text = self.str()?;
        text.parse()
            .map_err(|_| FieldError(format!("{text:?} is not {what}")))
    }

    fn json<V: Visitor<'de>>(
        &self,
        visitor: V,
        read: impl FnOnce(
            &mut serde_json::Deserializer<serde_json::de::SliceRead<'de>>,
            V,
        ) -> serde_json::Result<V::Value>,
    ) -> Result<V::Value, FieldError> {
        let mut json = serde_json::Deserializer::from_slice(self.bytes);
        let value = read(&mut json, visitor).map_err(|e| FieldError(format!("JSON: {e}")))?;
        json.end().map_err(|e| FieldError(format!("JSON: {e}")))?;
        Ok(value)
    }

    fn looks_nested(&self) -> bool {
        matches!(self.bytes.first(), Some(b'{' | b'['))
    }
}

macro_rules! parsed {
    ($($method:ident => $visit:ident: $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
                visitor.$visit(self.parse::<$ty>($what)?)
            }
        )*
    };
}

macro_rules! nested {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            fn $method<V: Visitor<'de>>(
                self,
                $($arg: $ty,)*
                visitor: V,
            ) -> Result<V::Value, FieldError> {
                self.json(visitor, |json, visitor| {
                    de::Deserializer::$method(json, $($arg,)* visitor)
                })
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Text<'de> {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        if self.looks_nested() {
            return self.json(visitor, |json, visitor| {
                de::Deserializer::deserialize_any(json, visitor)
            });
        }
        match std::str::from_utf8(self.bytes) {
            Ok(text) => visitor.visit_borrowed_str(text),
            Err(_) => visitor.visit_borrowed_bytes(self.bytes),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        // `1`/`0` too: what hash models and other clients write.
        match self.bytes {
            b"true" | b"1" => visitor.visit_bool(true),
            b"false" | b"0" => visitor.visit_bool(false),
            _ => Err(FieldError(format!(
                "{:?} is not a bool (true/false)",
                String::from_utf8_lossy(self.bytes).as_ref()
            ))),
        }
    }

    parsed! {
        deserialize_i8 => visit_i8: i8, "an i8";
        deserialize_i16 => visit_i16: i16, "an i16";
        deserialize_i32 => visit_i32: i32, "an i32";
        deserialize_i64 => visit_i64: i64, "an i64";
        deserialize_i128 => visit_i128: i128, "an i128";
        deserialize_u8 => visit_u8: u8, "a u8";
        deserialize_u16 => visit_u16: u16, "a u16";
        deserialize_u32 => visit_u32: u32, "a u32";
        deserialize_u64 => visit_u64: u64, "a u64";
        deserialize_u128 => visit_u128: u128, "a u128";
        deserialize_f32 => visit_f32: f32, "a number";
        deserialize_f64 => visit_f64: f64, "a number";
        deserialize_char => visit_char: char, "one character";
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_borrowed_str(self.str()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_borrowed_bytes(self.bytes)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        // `None` is never written (the field is left out), so a field that
        // is there is `Some`.
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        // A unit variant is written as its bare name; one with data as JSON.
        if self.looks_nested() || self.bytes.first() == Some(&b'"') {
            return self.json(visitor, |json, visitor| {
                de::Deserializer::deserialize_enum(json, name, variants, visitor)
            });
        }
        let variant: StrDeserializer<'_, FieldError> = self.str()?.into_deserializer();
        visitor.visit_enum(variant)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_unit()
    }

    nested! {
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
    }
}
