//! Primary keys: the part of a record's key that names it.

use crate::hash::HashValue;

/// A type a model's primary key can have: `String` or `uuid::Uuid`.
///
/// A key that is unset (an empty string, the nil UUID) is generated when
/// the model is saved, in time order: a ULID for a `String` (26 characters,
/// sortable as text, as Redis OM Python makes them), a version 7 UUID for a
/// `Uuid`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a primary key",
    label = "not String or uuid::Uuid",
    note = "a primary key is a String or a uuid::Uuid, generated in time order when left empty"
)]
pub trait PrimaryKey: HashValue + Clone + PartialEq + std::fmt::Debug + Send + Sync {
    /// True when the key must be generated.
    fn is_unset(&self) -> bool;

    /// A new, time-ordered key.
    fn generate() -> Self;

    /// Appends the key's text to a record key.
    fn write_to(&self, key: &mut String);

    /// The key from its text in a record key; `None` if it is not one.
    fn parse(text: &str) -> Option<Self>;
}

impl PrimaryKey for String {
    fn is_unset(&self) -> bool {
        self.is_empty()
    }

    fn generate() -> Self {
        ulid(uuid::Uuid::now_v7())
    }

    fn write_to(&self, key: &mut String) {
        key.push_str(self);
    }

    fn parse(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

impl PrimaryKey for uuid::Uuid {
    fn is_unset(&self) -> bool {
        self.is_nil()
    }

    fn generate() -> Self {
        uuid::Uuid::now_v7()
    }

    fn write_to(&self, key: &mut String) {
        let mut buffer = uuid::Uuid::encode_buffer();
        key.push_str(self.hyphenated().encode_lower(&mut buffer));
    }

    fn parse(text: &str) -> Option<Self> {
        uuid::Uuid::parse_str(text).ok()
    }
}

/// The 128 bits of a version 7 UUID written as a ULID: Crockford's base32,
/// most significant bits first, so that the 48-bit millisecond timestamp
/// both start with sorts the text in time order.
fn ulid(id: uuid::Uuid) -> String {
    const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bits = id.as_u128();
    // 26 digits of 5 bits hold 130 bits: the first digit holds the top 3.
    (0..26)
        .rev()
        .map(|digit| char::from(CROCKFORD[((bits >> (digit * 5)) & 0x1f) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn generated_string_keys_are_ulids_in_time_order() {
        let first = String::generate();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = String::generate();
        assert_eq!(first.len(), 26);
        assert!(first < second, "{first} then {second}");
        assert!(first.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(String::generate(), String::generate());
    }

    #[test]
    fn ulid_text_is_the_uuids_bits() {
        assert_eq!(ulid(uuid::Uuid::nil()), "0".repeat(26));
        assert_eq!(ulid(uuid::Uuid::max()), format!("7{}", "Z".repeat(25)));
        assert_eq!(
            ulid(uuid::Uuid::from_u128(31)),
            format!("{}Z", "0".repeat(25))
        );
    }

    #[test]
    fn unset_keys_are_the_empty_ones() {
        assert!(String::new().is_unset());
        assert!(!"a".to_owned().is_unset());
        assert!(uuid::Uuid::nil().is_unset());
        assert!(!uuid::Uuid::generate().is_unset());
        assert_eq!(uuid::Uuid::generate().get_version_num(), 7);
    }

    #[test]
    fn uuid_keys_read_back_from_their_text() {
        let id = uuid::Uuid::generate();
        let mut key = String::new();
        id.write_to(&mut key);
        assert_eq!(uuid::Uuid::parse(&key), Some(id));
        assert_eq!(uuid::Uuid::parse("nope"), None);
    }
}
