//! RedisBloom's probabilistic structures: Bloom and cuckoo filters, count-min sketch, top-k, t-digest.
//!
//! One trait per structure ([`BloomCommands`], [`CuckooCommands`],
//! [`CountMinSketchCommands`], [`TopKCommands`], [`TDigestCommands`]). Their
//! INFO replies are structs, read the same from RESP3 maps and RESP2 flat
//! arrays, and their floats the same from RESP3 doubles and RESP2 text
//! (`inf`, `-inf` and `nan` included).

mod bloom;
mod count_min;
mod cuckoo;
mod t_digest;
mod top_k;

pub use bloom::*;
pub use count_min::*;
pub use cuckoo::*;
pub use t_digest::*;
pub use top_k::*;

use bytes::Bytes;

use crate::convert::FromValue;
use crate::{Error, Result, Value};

/// One chunk of a filter's dump: what `BF.SCANDUMP` and `CF.SCANDUMP` answer
/// and `BF.LOADCHUNK` and `CF.LOADCHUNK` take back.
///
/// Dumping starts at iterator 0 and goes on with each chunk's `iterator`
/// until a chunk comes back with iterator 0 (and no data); loading sends
/// every chunk, in order, with the iterator it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterChunk {
    /// The iterator to pass to the next SCANDUMP, and to LOADCHUNK with
    /// this chunk; 0 after the last chunk.
    pub iterator: i64,
    /// The chunk's bytes (empty in the last one).
    pub data: Bytes,
}

impl FilterChunk {
    /// True for the empty chunk that ends a dump (iterator 0).
    pub fn is_end(&self) -> bool {
        self.iterator == 0
    }
}

impl FromValue for FilterChunk {
    fn from_value(value: Value) -> Result<Self> {
        // The last chunk's data is an empty string (BF) or nil (CF).
        let (iterator, data) = <(i64, Option<Bytes>)>::from_value(value)?;
        Ok(FilterChunk {
            iterator,
            data: data.unwrap_or_default(),
        })
    }
}

/// The fields of an INFO-like reply (BF.INFO, CF.INFO, CMS.INFO, TOPK.INFO,
/// TDIGEST.INFO): a RESP3 map, or RESP2's flat `[name, value, ...]`.
pub(super) struct InfoFields {
    command: &'static str,
    fields: Vec<(String, Value)>,
}

impl InfoFields {
    pub(super) fn new(command: &'static str, value: Value) -> Result<Self> {
        Ok(InfoFields {
            command,
            fields: Vec::from_value(value)?,
        })
    }

    /// The field called `name` if the reply has it (TS.INFO's `Chunks`
    /// comes with DEBUG only).
    pub(super) fn take_optional<T: FromValue>(&mut self, name: &str) -> Result<Option<T>> {
        if self
            .fields
            .iter()
            .any(|(field, _)| field.eq_ignore_ascii_case(name))
        {
            self.take(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The field called `name` (ASCII case ignored), converted to `T`; an
    /// error naming the field when it is missing or of another type.
    pub(super) fn take<T: FromValue>(&mut self, name: &str) -> Result<T> {
        let command = self.command;
        let index = self
            .fields
            .iter()
            .position(|(field, _)| field.eq_ignore_ascii_case(name))
            .ok_or_else(|| Error::protocol(format!("{command} reply lacks the field {name:?}")))?;
        let (_, value) = self.fields.swap_remove(index);
        T::from_value(value).map_err(|e| {
            let detail = format!("the field {name:?}: {e}");
            e.with_detail(detail)
        })
    }
}
