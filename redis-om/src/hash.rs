//! Hash storage: one Redis hash per record, one hash field per struct field.

use bytes::Bytes;
use redis_core::{Cmd, Error, ErrorKind, Result};

use crate::layout::{Layout, python};
use crate::model::Model;

/// A model stored as a Redis hash: the field glue `#[derive(RedisModel)]`
/// writes for `storage = "hash"` (the default).
pub trait HashModel: Model {
    /// Writes every field but the primary key, which the repository writes.
    fn write_fields(&self, out: &mut HashWriter<'_>);

    /// Builds the model from its stored fields; `pk` is the one its key
    /// names.
    fn read_fields(pk: Self::Pk, fields: &HashFields<'_>) -> Result<Self>;
}

/// A Rust type that can be one hash field: strings, numbers, `bool`,
/// `uuid::Uuid`, raw bytes (`Vec<u8>`), fieldless enums deriving
/// [`RedisEnum`](crate::RedisEnum), and `Option` of any of them (`None` is
/// an absent field). Anything serde can write is one hash field too when
/// the field is marked `#[redis(encoded = "json")]` or
/// `#[redis(encoded = "msgpack")]` (see [`crate::encoding`]).
///
/// Each is stored as Redis itself would write it: numbers as their decimal
/// text (floats as the shortest text that reads back the same, `inf` and
/// `-inf` for infinities; NaN is refused when saving, since the search index
/// cannot hold it), `bool` as `1` or `0`, a UUID hyphenated in lower case,
/// a date-time (features `chrono` and `time`) as its
/// [epoch seconds](crate::epoch_seconds).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored as one hash field",
    label = "not a scalar a hash field can hold",
    note = "hash fields hold strings, numbers, bool, uuid::Uuid, date-times, enums deriving \
            RedisEnum, Vec<u8> and Option of them; store a nested struct or a collection as \
            one field with #[redis(encoded = \"json\")] or #[redis(encoded = \"msgpack\")] on \
            the field, or store the model as JSON (#[redis(storage = \"json\")] on the \
            struct) to keep it nested and indexable"
)]
pub trait HashValue: Sized {
    /// Writes the value as field `field` (or marks the field absent).
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>);

    /// Reads the stored value of a field, `None` when the field is absent;
    /// `Err` says why the bytes do not fit (the caller adds the key and the
    /// field).
    fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String>;
}

/// Where a model's fields are written: the arguments of one `HSET`, and the
/// fields to remove because they are now absent (`None`).
pub struct HashWriter<'a> {
    hset: &'a mut Cmd,
    absent: &'a mut Vec<&'static str>,
    layout: Layout,
    /// The first field that could not be written, and why: the save fails.
    failure: Option<String>,
}

impl<'a> HashWriter<'a> {
    pub(crate) fn new(hset: &'a mut Cmd, absent: &'a mut Vec<&'static str>) -> HashWriter<'a> {
        HashWriter {
            hset,
            absent,
            layout: Layout::Default,
            failure: None,
        }
    }

    /// Records that `field` cannot be written (`why`): the save fails
    /// with the first such reason, and nothing is sent.
    pub(crate) fn fail(&mut self, field: &'static str, why: String) {
        self.failure
            .get_or_insert_with(|| format!("field `{field}` {why}"));
    }

    /// Why a field could not be written, if one could not.
    pub(crate) fn take_failure(&mut self) -> Option<String> {
        self.failure.take()
    }

    /// Writes as the model's layout says: in the python layout floats and
    /// date-times are written as Python writes them (`100.0`,
    /// `1704164645.0`, `1e-05`).
    pub(crate) fn in_layout(mut self, layout: Layout) -> HashWriter<'a> {
        self.layout = layout;
        self
    }

    /// Writes `value` as the field `field`.
    pub fn field<T: HashValue>(&mut self, field: &'static str, value: &T) {
        value.write_hash(field, self);
    }

    /// Writes `field` with `bytes` as its stored value.
    pub fn put(&mut self, field: &'static str, bytes: &[u8]) {
        self.hset.push_bytes(field.as_bytes());
        self.hset.push_bytes(bytes);
    }

    /// Writes `field` with a number or other single argument.
    fn put_arg(&mut self, field: &'static str, value: impl redis_core::ToArgs) {
        self.hset.push_bytes(field.as_bytes());
        self.hset.push_arg(value);
    }

    /// Writes a float: its shortest text (`put_arg`), or Python's
    /// `repr(float)` in the python layout when it is finite (NaN is refused
    /// either way).
    fn put_float<T: redis_core::ToArgs + std::fmt::LowerExp + Copy>(
        &mut self,
        field: &'static str,
        value: T,
        finite: bool,
    ) {
        if finite && self.layout == Layout::Python {
            self.put(field, python::float_repr(value).as_bytes());
        } else {
            self.put_arg(field, value);
        }
    }

    /// Writes epoch seconds given as their exact text
    /// ([`crate::epoch_seconds`]); in the python layout as Python's
    /// `repr(dt.timestamp())`, the same number (`1704164645.0` where the
    /// text is `1704164645`).
    #[cfg(any(feature = "chrono", feature = "time"))]
    pub(crate) fn put_seconds(&mut self, field: &'static str, text: &str) {
        match text.parse::<f64>() {
            Ok(seconds) if seconds.is_finite() && self.layout == Layout::Python => {
                self.put(field, python::float_repr(seconds).as_bytes());
            }
            _ => self.put(field, text.as_bytes()),
        }
    }

    /// Marks `field` absent: it is removed from the stored hash.
    pub fn absent(&mut self, field: &'static str) {
        self.absent.push(field);
    }
}

/// A stored record's fields, as `HGETALL` returned them.
pub struct HashFields<'a> {
    key: &'a str,
    fields: &'a [(Bytes, Bytes)],
}

impl<'a> HashFields<'a> {
    pub(crate) fn new(key: &'a str, fields: &'a [(Bytes, Bytes)]) -> HashFields<'a> {
        HashFields { key, fields }
    }

    /// The key the record was read from.
    pub fn key(&self) -> &str {
        self.key
    }

    /// Reads field `field` as a `T`; an error of kind
    /// [`ErrorKind::Decode`] names the key and the field when it is missing
    /// (and `T` is not an `Option`) or does not fit `T`.
    pub fn get<T: HashValue>(&self, field: &'static str) -> Result<T> {
        T::read_hash(self.stored(field)).map_err(|why| self.does_not_fit(field, &why))
    }

    /// The stored bytes of `field`, `None` when it is absent.
    pub(crate) fn stored(&self, field: &str) -> Option<&'a [u8]> {
        self.fields
            .iter()
            .find(|(name, _)| name.as_ref() == field.as_bytes())
            .map(|(_, value)| value.as_ref())
    }

    /// The error for a field whose stored value does not fit (`why`).
    pub(crate) fn does_not_fit(&self, field: &str, why: &str) -> Error {
        Error::new(
            ErrorKind::Decode,
            format!(
                "the record at {} does not fit the model: field `{field}` {why}",
                self.key
            ),
        )
    }
}

const MISSING: &str = "is missing";

pub(crate) fn text(stored: Option<&[u8]>) -> std::result::Result<&str, String> {
    let bytes = stored.ok_or(MISSING)?;
    std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        )
    })
}

impl HashValue for String {
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
        out.put(field, self.as_bytes());
    }

    fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
        text(stored).map(str::to_owned)
    }
}

impl HashValue for Vec<u8> {
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
        out.put(field, self);
    }

    fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
        stored.map(<[u8]>::to_vec).ok_or_else(|| MISSING.to_owned())
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl HashValue for $t {
            fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
                out.put_arg(field, *self);
            }

            fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
                let text = text(stored)?;
                text.parse().map_err(|_| {
                    format!("holds {:?}, which is not a {}", shorten(text), stringify!($t))
                })
            }
        }
    )*};
}

numbers!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl HashValue for $t {
            fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
                if self.is_nan() {
                    // Refused here, not when the command is sent: a value
                    // can also travel as a script argument, which is bytes.
                    out.fail(field, "is NaN, which Redis does not take as a number".to_owned());
                    return;
                }
                out.put_float(field, *self, self.is_finite());
            }

            fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
                let text = text(stored)?;
                text.parse().map_err(|_| {
                    format!("holds {:?}, which is not a {}", shorten(text), stringify!($t))
                })
            }
        }
    )*};
}

floats!(f32, f64);

impl HashValue for bool {
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
        out.put(field, if *self { b"1" } else { b"0" });
    }

    fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
        match text(stored)? {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            other => Err(format!(
                "holds {:?}, which is not a bool (1 or 0)",
                shorten(other)
            )),
        }
    }
}

impl HashValue for uuid::Uuid {
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
        let mut buffer = uuid::Uuid::encode_buffer();
        out.put(
            field,
            self.hyphenated().encode_lower(&mut buffer).as_bytes(),
        );
    }

    fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
        let text = text(stored)?;
        uuid::Uuid::parse_str(text)
            .map_err(|_| format!("holds {:?}, which is not a UUID", shorten(text)))
    }
}

/// A vector of floats as RediSearch reads it from a hash: the elements'
/// little-endian bytes, one after the other (FLOAT32 for `f32`, FLOAT64
/// for `f64`), not text.
macro_rules! vectors {
    ($($t:ty),*) => {$(
        impl<const N: usize> HashValue for [$t; N] {
            fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
                out.put(field, &vector_bytes(self));
            }

            fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
                let elements = <Vec<$t>>::read_hash(stored)?;
                let len = elements.len();
                <[$t; N]>::try_from(elements)
                    .map_err(|_| format!("holds a vector of {len} elements where {N} are expected"))
            }
        }

        impl HashValue for Vec<$t> {
            fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
                out.put(field, &vector_bytes(self));
            }

            fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
                const SIZE: usize = std::mem::size_of::<$t>();
                let bytes = stored.ok_or(MISSING)?;
                if bytes.len() % SIZE != 0 {
                    return Err(format!(
                        "holds {} bytes, which is no vector of {}",
                        bytes.len(),
                        stringify!($t)
                    ));
                }
                Ok(bytes
                    .chunks_exact(SIZE)
                    .map(|chunk| {
                        let mut element = [0u8; SIZE];
                        element.copy_from_slice(chunk);
                        <$t>::from_le_bytes(element)
                    })
                    .collect())
            }
        }
    )*};
}

vectors!(f32, f64);

fn vector_bytes<T: Copy + ToLeBytes>(elements: &[T]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(std::mem::size_of_val(elements));
    for element in elements {
        element.extend_le(&mut bytes);
    }
    bytes
}

trait ToLeBytes {
    fn extend_le(self, out: &mut Vec<u8>);
}

impl ToLeBytes for f32 {
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl ToLeBytes for f64 {
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl<T: HashValue> HashValue for Option<T> {
    fn write_hash(&self, field: &'static str, out: &mut HashWriter<'_>) {
        match self {
            Some(value) => value.write_hash(field, out),
            None => out.absent(field),
        }
    }

    fn read_hash(stored: Option<&[u8]>) -> std::result::Result<Self, String> {
        stored.map(|bytes| T::read_hash(Some(bytes))).transpose()
    }
}

/// At most 40 characters of stored text, for an error message: enough to
/// recognise, never a whole document.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn written<T: HashValue>(value: T) -> (Vec<Vec<u8>>, Vec<&'static str>) {
        let mut hset = Cmd::new("HSET");
        let mut absent = Vec::new();
        HashWriter::new(&mut hset, &mut absent).field("f", &value);
        let args = hset.args().skip(1).map(<[u8]>::to_vec).collect();
        (args, absent)
    }

    fn round_trip<T: HashValue + PartialEq + std::fmt::Debug + Clone>(value: T) {
        let (args, _) = written(value.clone());
        let stored = args.get(1).map(Vec::as_slice);
        assert_eq!(T::read_hash(stored), Ok(value));
    }

    #[test]
    fn scalars_are_stored_as_redis_writes_them() {
        assert_eq!(written(-42i64).0, [b"f".to_vec(), b"-42".to_vec()]);
        assert_eq!(written(0.1f64).0, [b"f".to_vec(), b"0.1".to_vec()]);
        assert_eq!(written(f64::INFINITY).0, [b"f".to_vec(), b"inf".to_vec()]);
        assert_eq!(written(true).0, [b"f".to_vec(), b"1".to_vec()]);
        assert_eq!(written(false).0, [b"f".to_vec(), b"0".to_vec()]);
        assert_eq!(written(None::<i64>), (vec![], vec!["f"]));
    }

    #[test]
    fn vectors_are_little_endian_floats() {
        let (args, _) = written([1.0f32, -2.0]);
        assert_eq!(args[1], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
        assert!(<[f32; 3]>::read_hash(Some(&args[1])).is_err());
        assert!(<Vec<f32>>::read_hash(Some(b"abc")).is_err());
    }

    #[test]
    fn values_read_back_as_they_were_written() {
        round_trip(String::from("héllo wörld ✓"));
        round_trip(String::new());
        round_trip(i64::MIN);
        round_trip(u64::MAX);
        round_trip(i128::MIN);
        round_trip(f64::MAX);
        round_trip(f64::MIN_POSITIVE);
        round_trip(-0.0f64);
        round_trip(f64::NEG_INFINITY);
        round_trip(0.1f32);
        round_trip(vec![0u8, 255, b'\r', b'\n']);
        round_trip(Some(7u8));
        round_trip([0.5f32, -1.0, f32::MAX]);
        round_trip(vec![1.0f64, f64::MIN_POSITIVE]);
        round_trip(None::<String>);
        round_trip(uuid::Uuid::from_u128(
            0x0123_4567_89ab_cdef_0123_4567_89ab_cdef,
        ));
    }

    #[test]
    fn data_that_does_not_fit_says_why() {
        assert_eq!(i64::read_hash(None), Err("is missing".to_owned()));
        assert_eq!(
            u8::read_hash(Some(b"256")),
            Err("holds \"256\", which is not a u8".to_owned())
        );
        assert_eq!(
            String::read_hash(Some(b"ok\xff")),
            Err("is not valid UTF-8 (invalid byte at offset 2)".to_owned())
        );
        assert!(bool::read_hash(Some(b"yes")).is_err());
        assert!(uuid::Uuid::read_hash(Some(b"not-a-uuid")).is_err());
        assert_eq!(
            Option::<i32>::read_hash(Some(b"x")),
            Err("holds \"x\", which is not a i32".to_owned())
        );
        let long = "y".repeat(100);
        let why = u32::read_hash(Some(long.as_bytes())).unwrap_err();
        assert!(why.len() < 80, "{why}");
    }

    #[test]
    fn a_field_that_does_not_fit_names_the_key_and_the_field() {
        let fields = [(Bytes::from_static(b"age"), Bytes::from_static(b"old"))];
        let record = HashFields::new("user:1", &fields);
        let error = record.get::<u32>("age").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        let text = error.to_string();
        assert!(text.contains("user:1") && text.contains("`age`"), "{text}");
        let error = record.get::<String>("name").unwrap_err();
        assert!(error.to_string().contains("`name` is missing"), "{error}");
        assert_eq!(record.get::<Option<String>>("name").unwrap(), None);
    }
}
