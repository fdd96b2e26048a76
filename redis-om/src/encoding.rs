//! Encoded hash fields: a value of any serde type (a nested struct, a `Vec`,
//! a map) stored in a hash model as one field, holding its JSON text or its
//! MessagePack bytes.
//!
//! `#[redis(encoded = "json")]` or `#[redis(encoded = "msgpack")]` on a
//! hash model's field chooses the encoding; the generated glue calls
//! [`HashWriter::encoded`] and [`HashFields::get_encoded`] with
//! [`JsonText`] or [`MessagePack`].
//!
//! ```
//! use redis_om::RedisModel;
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Address {
//!     city: String,
//!     zip: Option<String>,
//! }
//!
//! #[derive(RedisModel)]
//! struct User {
//!     #[redis(pk)]
//!     id: String,
//!     #[redis(encoded = "json")]
//!     address: Address,         // {"city":"Paris","zip":null}
//!     #[redis(encoded = "msgpack")]
//!     scores: Vec<u32>,         // 0x93 0x01 0x02 0x03
//!     #[redis(encoded = "json")]
//!     extra: Option<Vec<String>>, // None: no field at all
//! }
//! ```
//!
//! The field is one opaque value to Redis: it cannot be indexed (the derive
//! refuses `index` on it). A model whose nested values must be searched is
//! stored as JSON (`#[redis(storage = "json")]`), which keeps them nested
//! and indexes them by path. A value that encodes to nothing (`None`, also
//! inside an `Option` of an encoded type) is an absent field, as every
//! `None` of a hash model is; an absent field reads back as the value the
//! encoding's null decodes to (`None`), or is a missing field. Stored bytes
//! that do not decode are an error of kind
//! [`Decode`](redis_core::ErrorKind::Decode) naming the key, the field and
//! the encoding.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::hash::{HashFields, HashWriter};

/// How an encoded field's value becomes bytes and back: [`JsonText`] or
/// [`MessagePack`].
pub trait Encoding: 'static {
    /// The encoding's name, for messages: `JSON`, `MessagePack`.
    const NAME: &'static str;

    /// The bytes of `value`; `Err` says why serde could not write it.
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String>;

    /// The value `bytes` hold; `Err` says why they are not one.
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String>;

    /// What `None` (serde's unit and none) encodes to: such a value is
    /// stored as an absent field.
    const NULL: &'static [u8];
}

/// JSON text, as `serde_json` writes it (compact, UTF-8): readable in
/// `redis-cli` and by any other client.
#[derive(Debug, Clone, Copy)]
pub struct JsonText;

/// MessagePack, as `rmp-serde` writes it with field names (structs as
/// maps, so a field added later with `#[serde(default)]` still reads the
/// records stored before): smaller than JSON, and binary.
#[derive(Debug, Clone, Copy)]
pub struct MessagePack;

impl Encoding for JsonText {
    const NAME: &'static str = "JSON";
    const NULL: &'static [u8] = b"null";

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
        serde_json::to_vec(value).map_err(|e| e.to_string())
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}

impl Encoding for MessagePack {
    const NAME: &'static str = "MessagePack";
    const NULL: &'static [u8] = &[0xc0];

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
        rmp_serde::to_vec_named(value).map_err(|e| e.to_string())
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
        let mut decoder = rmp_serde::Deserializer::new(std::io::Cursor::new(bytes));
        let value = T::deserialize(&mut decoder).map_err(|e| e.to_string())?;
        // One value and nothing after it: trailing bytes are corruption
        // too, which `rmp_serde::from_slice` would let pass.
        let read = usize::try_from(decoder.position()).unwrap_or(usize::MAX);
        if read != bytes.len() {
            return Err(format!(
                "{} bytes follow the value",
                bytes.len().saturating_sub(read)
            ));
        }
        Ok(value)
    }
}

/// What an encoded field's type must be: serde's `Serialize` and
/// `Deserialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` must derive serde's Serialize and Deserialize to be an encoded field",
    label = "an encoded field is written and read through serde"
)]
pub trait EncodedValue: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> EncodedValue for T {}

impl HashWriter<'_> {
    /// Writes `value` as the field `field`, encoded with `E`; a value that
    /// encodes to `E::NULL` (`None`) marks the field absent. A value serde
    /// cannot write (a map with non-string keys in JSON, a `Serialize` that
    /// fails) makes the save fail with an error naming the field, before
    /// anything is sent.
    pub fn encoded<T: EncodedValue, E: Encoding>(&mut self, field: &'static str, value: &T) {
        match E::encode(value) {
            Ok(bytes) if bytes == E::NULL => self.absent(field),
            Ok(bytes) => self.put(field, &bytes),
            Err(why) => self.fail(field, format!("cannot be written as {}: {why}", E::NAME)),
        }
    }
}

impl HashFields<'_> {
    /// Reads field `field` as a `T` encoded with `E`: an absent field is
    /// what `E::NULL` decodes to (`None`), or a missing field; bytes that
    /// do not decode are an error of kind
    /// [`Decode`](redis_core::ErrorKind::Decode) naming the key, the field
    /// and the encoding.
    pub fn get_encoded<T: EncodedValue, E: Encoding>(
        &self,
        field: &'static str,
    ) -> redis_core::Result<T> {
        let decoded = match self.stored(field) {
            Some(bytes) => E::decode(bytes)
                .map_err(|why| format!("holds corrupt {} for its type: {why}", E::NAME)),
            None => E::decode(E::NULL).map_err(|_| "is missing".to_owned()),
        };
        decoded.map_err(|why| self.does_not_fit(field, &why))
    }
}

/// The write and the read of an encoded field, as one function whose one
/// bound fails once for a type serde cannot handle (the derive's glue calls
/// it for both).
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn field<T: EncodedValue, E: Encoding>() -> (
    fn(&T, &'static str, &mut HashWriter<'_>),
    fn(&HashFields<'_>, &'static str) -> redis_core::Result<T>,
) {
    (
        |value, field, out| out.encoded::<T, E>(field, value),
        |fields, field| fields.get_encoded::<T, E>(field),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::{BTreeMap, HashMap};

    use bytes::Bytes;
    use redis_core::{Cmd, ErrorKind};
    use serde::Deserialize;

    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Address {
        city: String,
        zip: Option<String>,
        lines: Vec<String>,
    }

    fn address() -> Address {
        Address {
            city: "Zürich \"Kreis 1\"".to_owned(),
            zip: None,
            lines: vec!["a".to_owned(), String::new()],
        }
    }

    /// The HSET arguments and the absent fields `value` is written as.
    fn written<T: EncodedValue, E: Encoding>(
        value: &T,
    ) -> (Vec<Vec<u8>>, Vec<&'static str>, Option<String>) {
        let mut hset = Cmd::new("HSET");
        let mut absent = Vec::new();
        let mut out = HashWriter::new(&mut hset, &mut absent);
        out.encoded::<T, E>("f", value);
        let failure = out.take_failure().map(|e| e.to_string());
        let args = hset.args().skip(1).map(<[u8]>::to_vec).collect();
        (args, absent, failure)
    }

    fn round_trip<T: EncodedValue + PartialEq + std::fmt::Debug, E: Encoding>(value: T) {
        let (args, _, failure) = written::<T, E>(&value);
        assert_eq!(failure, None);
        let fields: Vec<(Bytes, Bytes)> = args
            .chunks(2)
            .map(|pair| (Bytes::from(pair[0].clone()), Bytes::from(pair[1].clone())))
            .collect();
        let record = HashFields::new("k", &fields);
        assert_eq!(record.get_encoded::<T, E>("f").unwrap(), value);
    }

    #[test]
    fn json_is_serde_jsons_compact_text() {
        let (args, absent, _) = written::<_, JsonText>(&address());
        assert_eq!(
            String::from_utf8(args[1].clone()).unwrap(),
            r#"{"city":"Zürich \"Kreis 1\"","zip":null,"lines":["a",""]}"#
        );
        assert!(absent.is_empty());
        let (args, absent, _) = written::<Option<Address>, JsonText>(&None);
        assert!(args.is_empty());
        assert_eq!(absent, ["f"]);
    }

    #[test]
    fn msgpack_writes_structs_as_maps() {
        let (args, _, _) = written::<_, MessagePack>(&vec![1u8, 2, 3]);
        assert_eq!(args[1], [0x93, 1, 2, 3]);
        let (args, _, _) = written::<_, MessagePack>(&address());
        // A map of three named members.
        assert_eq!(args[1][0], 0x83);
        assert!(args[1].windows(4).any(|w| w == b"city"));
    }

    #[test]
    fn values_read_back_as_they_were_written() {
        round_trip::<_, JsonText>(address());
        round_trip::<_, MessagePack>(address());
        let map = BTreeMap::from([("x".to_owned(), vec![i64::MIN]), ("y".to_owned(), vec![])]);
        round_trip::<_, JsonText>(map.clone());
        round_trip::<_, MessagePack>(map);
        round_trip::<_, JsonText>(Some(vec![address()]));
        round_trip::<_, MessagePack>(None::<Vec<Address>>);
        round_trip::<_, MessagePack>((u64::MAX, -0.5f64, "ünï".to_owned()));
    }

    #[test]
    fn what_serde_cannot_write_fails_the_save_naming_the_field() {
        let map = HashMap::from([((1u8, 2u8), "pair keys".to_owned())]);
        let (args, _, failure) = written::<_, JsonText>(&map);
        assert!(args.is_empty());
        let failure = failure.unwrap();
        assert!(
            failure.contains("field `f` cannot be written as JSON: key must be a string"),
            "{failure}"
        );
    }

    #[test]
    fn corrupt_bytes_name_the_key_the_field_and_the_encoding() {
        let fields = [
            (
                Bytes::from_static(b"json"),
                Bytes::from_static(b"{\"city\":"),
            ),
            (Bytes::from_static(b"mp"), Bytes::from_static(&[0x93, 1, 2])),
            (
                Bytes::from_static(b"long"),
                Bytes::from_static(&[0x91, 1, 7]),
            ),
        ];
        let record = HashFields::new("user:1", &fields);
        let error = record.get_encoded::<Address, JsonText>("json").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        let text = error.to_string();
        assert!(
            text.contains("user:1") && text.contains("field `json` holds corrupt JSON"),
            "{text}"
        );
        let text = record
            .get_encoded::<Vec<u8>, MessagePack>("mp")
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("field `mp` holds corrupt MessagePack"),
            "{text}"
        );
        let text = record
            .get_encoded::<Vec<u8>, MessagePack>("long")
            .unwrap_err()
            .to_string();
        assert!(text.ends_with("1 bytes follow the value"), "{text}");
        let text = record
            .get_encoded::<Vec<u8>, JsonText>("absent")
            .unwrap_err()
            .to_string();
        assert!(text.ends_with("field `absent` is missing"), "{text}");
        assert_eq!(
            record
                .get_encoded::<Option<Vec<u8>>, MessagePack>("absent")
                .unwrap(),
            None
        );
    }
}
