//! Hash slots: CRC16 (XMODEM) of a key, or of its `{hash tag}`, modulo
//! 16384, exactly as the server computes `CLUSTER KEYSLOT`. Pure code.
//!
//! Written here rather than taken from a crate: it is a 256-entry table
//! and a loop, and the hash-tag rule around it is Redis' own anyway.

/// How many hash slots a cluster has.
pub const SLOT_COUNT: u16 = 16384;

/// CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), one entry per
/// byte value, built at compile time.
const TABLE: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC16 (XMODEM) of `bytes`.
pub(crate) fn crc16(bytes: &[u8]) -> u16 {
    bytes.iter().fold(0u16, |crc, &b| {
        let index = usize::from(((crc >> 8) as u8) ^ b);
        (crc << 8) ^ TABLE[index]
    })
}

/// The hash tag of `key`: the text between its first `{` and the first `}`
/// after it, when that text is not empty. Keys with the same tag share a
/// slot; `{}` and an unclosed `{` are no tag (the whole key is hashed).
///
/// ```
/// use redis_core::cluster::hash_tag;
/// assert_eq!(hash_tag(b"{user1000}.following"), Some(&b"user1000"[..]));
/// assert_eq!(hash_tag(b"{}.following"), None);
/// assert_eq!(hash_tag(b"plain"), None);
/// ```
pub fn hash_tag(key: &[u8]) -> Option<&[u8]> {
    let open = key.iter().position(|&b| b == b'{')?;
    let after = key.get(open + 1..)?;
    match after.iter().position(|&b| b == b'}') {
        Some(0) | None => None,
        Some(close) => after.get(..close),
    }
}

/// The part of `key` that is hashed: its hash tag, or else the whole key.
fn hashed_part(key: &[u8]) -> &[u8] {
    hash_tag(key).unwrap_or(key)
}

/// The hash slot of `key`, as `CLUSTER KEYSLOT` gives it.
///
/// ```
/// use redis_core::cluster::key_slot;
/// assert_eq!(key_slot(b"foo"), 12182);
/// // Keys with the same hash tag share a slot, so they can go in one
/// // multi-key command or transaction.
/// assert_eq!(key_slot(b"{user1000}.following"), key_slot(b"{user1000}.followers"));
/// ```
pub fn key_slot(key: &[u8]) -> u16 {
    crc16(hashed_part(key)) % SLOT_COUNT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc16_matches_the_xmodem_check_value() {
        assert_eq!(crc16(b"123456789"), 0x31C3);
        assert_eq!(crc16(b""), 0);
    }

    #[test]
    fn slots_match_the_servers_for_known_keys() {
        // Values from `CLUSTER KEYSLOT` on Redis 8.2.
        assert_eq!(key_slot(b"foo"), 12182);
        assert_eq!(key_slot(b"bar"), 5061);
        assert_eq!(key_slot(b""), 0);
    }

    #[test]
    fn hash_tags_follow_the_servers_rules() {
        assert_eq!(key_slot(b"{user}:1"), key_slot(b"user"));
        assert_eq!(key_slot(b"a{user}b{other}"), key_slot(b"user"));
        // Empty or unclosed tags hash the whole key.
        assert_eq!(key_slot(b"{}user"), crc16(b"{}user") % SLOT_COUNT);
        assert_eq!(key_slot(b"user{"), crc16(b"user{") % SLOT_COUNT);
        assert_eq!(key_slot(b"}{user}"), key_slot(b"user"));
        // Only the first `{` counts, and the first `}` after it.
        assert_eq!(key_slot(b"{{a}}"), key_slot(b"{a"));
    }
}
