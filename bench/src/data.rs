//! The keys and values every client reads and writes: identical bytes for all of them.

use bytes::Bytes;

/// Keys the GET/SET workloads spread over.
const KEY_COUNT: usize = 1000;
/// Size of the values of `seq`, `conc64`, `pipe100` and of each hash field.
pub const VALUE_LEN: usize = 64;
/// Keys per MGET.
pub const MGET_KEYS: usize = 100;
/// Size of each MGET value.
pub const MGET_VALUE_LEN: usize = 1024;
/// Fields per hash.
pub const HASH_FIELDS: usize = 10;
/// Hashes the `hash10` workload cycles through.
const HASH_COUNT: usize = 100;

/// Everything a workload sends and expects back.
#[derive(Debug)]
pub struct Data {
    /// `bench:k:N`, for GET and SET.
    pub keys: Vec<String>,
    /// The 64-byte value of every GET/SET key.
    pub value: Bytes,
    /// `bench:m:N`, the keys of one MGET.
    pub mget_keys: Vec<String>,
    /// The 1 KiB value of each MGET key; each differs, so order is checked too.
    pub mget_values: Vec<Bytes>,
    /// `bench:h:N`, the hashes of `hash10`.
    pub hash_keys: Vec<String>,
    /// `(fN, 64-byte text)`: the fields written and expected back.
    pub hash_fields: Vec<(String, String)>,
}

impl Data {
    /// The fixed data set.
    pub fn new() -> Data {
        let text: String = (0..VALUE_LEN)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        Data {
            keys: (0..KEY_COUNT).map(|i| format!("bench:k:{i}")).collect(),
            value: Bytes::from(text.clone()),
            mget_keys: (0..MGET_KEYS).map(|i| format!("bench:m:{i}")).collect(),
            mget_values: (0..MGET_KEYS)
                .map(|i| Bytes::from(vec![b'A' + (i % 26) as u8; MGET_VALUE_LEN]))
                .collect(),
            hash_keys: (0..HASH_COUNT).map(|i| format!("bench:h:{i}")).collect(),
            hash_fields: (0..HASH_FIELDS)
                .map(|i| (format!("f{i}"), format!("{i}{}", &text[1..])))
                .collect(),
        }
    }
}
