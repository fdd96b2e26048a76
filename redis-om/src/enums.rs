//! Fieldless enums as field values: `#[derive(RedisEnum)]` stores a variant
//! as its serde name, in a hash field or (through serde) a JSON document,
//! and indexes it as a TAG.

use crate::hash::{shorten, text};

/// A fieldless enum whose variants are stored by name: implemented by
/// `#[derive(RedisEnum)]`, which also implements [`crate::HashValue`] (the
/// variant's name as the field's text) and [`crate::Indexable`] (TAG) for
/// it.
///
/// A variant's stored name is the one serde gives it: its
/// `#[serde(rename = "...")]`, else the enum's `#[serde(rename_all =
/// "...")]` applied to the Rust name, else the Rust name. So a hash field
/// and a JSON document (written by serde) hold the same text, and one query
/// finds both. Variants with data are a compile error: they are not one
/// name. A stored name that is no variant's is a decode error naming the
/// key, the field, what was stored and what is expected.
///
/// ```
/// use redis_om::RedisEnum;
///
/// #[derive(RedisEnum, Debug, Clone, Copy, PartialEq)]
/// #[serde(rename_all = "lowercase")]
/// enum Color {
///     Red,
///     Green,
///     #[serde(rename = "azure")]
///     Blue,
/// }
///
/// assert_eq!(Color::VARIANTS, ["red", "green", "azure"]);
/// assert_eq!(Color::Blue.stored_name(), "azure");
/// assert_eq!(Color::from_stored_name("green"), Some(Color::Green));
/// assert_eq!(
///     Color::from_stored(Some(b"purple")),
///     Err("holds \"purple\", which is not a Color: expected red, green or azure".to_owned())
/// );
/// ```
///
/// The `#[serde(...)]` attributes are read even without serde's derives,
/// so a hash model's enum needs no serde at all; with them, serde writes
/// the same names into JSON documents.
pub trait RedisEnum: Sized + 'static {
    /// The enum's name, for messages.
    const NAME: &'static str;

    /// Every variant's stored name, in declaration order: what a typed
    /// query on the field can compare with.
    const VARIANTS: &'static [&'static str];

    /// The stored name of this variant.
    fn stored_name(&self) -> &'static str;

    /// The variant stored as `name`, if there is one.
    fn from_stored_name(name: &str) -> Option<Self>;

    /// The variant a hash field holds (`None`: the field is absent); `Err`
    /// says why the bytes are no variant, as [`crate::HashValue::read_hash`]
    /// does.
    fn from_stored(stored: Option<&[u8]>) -> Result<Self, String> {
        let name = text(stored)?;
        Self::from_stored_name(name).ok_or_else(|| {
            format!(
                "holds {:?}, which is not a {}: expected {}",
                shorten(name),
                Self::NAME,
                one_of(Self::VARIANTS)
            )
        })
    }
}

/// `a, b or c`.
fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => "no value at all".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use bytes::Bytes;
    use redis_core::{Cmd, ErrorKind};
    use serde::{Deserialize, Serialize};

    use crate::hash::{HashFields, HashWriter};
    use crate::{HashValue, Index, IndexKind, RedisEnum};

    #[derive(RedisEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    enum Status {
        InStock,
        #[serde(rename = "gone")]
        SoldOut,
        Back2Back,
    }

    #[derive(RedisEnum, Debug, PartialEq)]
    enum Plain {
        Only,
    }

    #[test]
    fn variants_are_stored_under_serdes_names() {
        assert_eq!(Status::NAME, "Status");
        assert_eq!(Status::VARIANTS, ["IN_STOCK", "gone", "BACK2_BACK"]);
        for status in [Status::InStock, Status::SoldOut, Status::Back2Back] {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.stored_name()));
            assert_eq!(Status::from_stored_name(status.stored_name()), Some(status));
        }
        assert_eq!(Plain::VARIANTS, ["Only"]);
        assert_eq!(Plain::from_stored_name("only"), None);
    }

    #[test]
    fn an_enum_is_one_hash_field_and_a_tag() {
        let mut hset = Cmd::new("HSET");
        let mut absent = Vec::new();
        let mut out = HashWriter::new(&mut hset, &mut absent);
        out.field("status", &Status::SoldOut);
        out.field("maybe", &None::<Status>);
        let args: Vec<&[u8]> = hset.args().skip(1).collect();
        assert_eq!(args, [&b"status"[..], b"gone"]);
        assert_eq!(absent, ["maybe"]);
        assert_eq!(Status::read_hash(Some(b"gone")), Ok(Status::SoldOut));
        assert_eq!(Index::of::<Status>().kind(), IndexKind::Tag);
        assert_eq!(Index::of::<Option<Status>>().kind(), IndexKind::Tag);
        assert!(!Index::of::<Status>().is_bool());
    }

    #[test]
    fn a_name_that_is_no_variant_says_what_is_expected() {
        let fields = [(Bytes::from_static(b"status"), Bytes::from_static(b"purple"))];
        let record = HashFields::new("item:1", &fields);
        let error = record.get::<Status>("status").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Decode);
        assert!(
            error.to_string().ends_with(
                "the record at item:1 does not fit the model: field `status` holds \"purple\", \
                 which is not a Status: expected IN_STOCK, gone or BACK2_BACK"
            ),
            "{error}"
        );
        assert_eq!(
            Plain::read_hash(Some(b"x")),
            Err("holds \"x\", which is not a Plain: expected Only".to_owned())
        );
        assert_eq!(Plain::read_hash(None), Err("is missing".to_owned()));
        assert_eq!(<Option<Plain>>::read_hash(None), Ok(None));
        assert!(Plain::read_hash(Some(b"\xff")).is_err());
    }
}
