//! The decoded form of every RESP2 and RESP3 frame.

use bytes::Bytes;

use crate::error::ServerError;

/// One reply from the server, RESP2 or RESP3.
///
/// Bulk strings are `Bytes` slices of the connection's read buffer: decoding
/// a large reply does not copy its payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// RESP3 null `_`, and RESP2's null bulk string `$-1` and null array `*-1`.
    Nil,
    /// A simple string `+OK`. Decoded ones are UTF-8; held as bytes so the
    /// commonest replies (`OK`, `QUEUED`, `PONG`) cost no allocation.
    SimpleString(Bytes),
    /// A simple error `-ERR ...` or a RESP3 blob error `!`.
    Error(ServerError),
    /// An integer `:42`.
    Integer(i64),
    /// A bulk string `$3\r\nfoo`, including RESP3 streamed strings, reassembled.
    BulkString(Bytes),
    /// An array `*`.
    Array(Vec<Value>),
    /// A RESP3 map `%`, in the order received.
    Map(Vec<(Value, Value)>),
    /// A RESP3 set `~`.
    Set(Vec<Value>),
    /// A RESP3 push frame `>` (pub/sub messages, invalidations): the first
    /// element names its kind.
    Push(Vec<Value>),
    /// A RESP3 double `,1.5` (also `inf`, `-inf`, `nan`).
    Double(f64),
    /// A RESP3 boolean `#t` / `#f`.
    Boolean(bool),
    /// A RESP3 big number `(`, kept as its decimal text.
    BigNumber(String),
    /// A RESP3 verbatim string `=`: a three-byte format (`txt`, `mkd`) and the text.
    Verbatim {
        /// The format as the protocol has it, exactly three bytes: `*b"txt"`,
        /// `*b"mkd"`. (Three bytes rather than a `String` keep every `Value`
        /// at 40 bytes instead of 56.)
        format: [u8; 3],
        /// The text itself.
        text: Bytes,
    },
    /// A RESP3 attribute `|` and the value it annotates.
    Attribute {
        /// The attribute map.
        attributes: Vec<(Value, Value)>,
        /// The reply the attributes belong to.
        value: Box<Value>,
    },
}

impl Value {
    /// A short name of the frame type, used in conversion errors.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::SimpleString(_) => "simple string",
            Value::Error(_) => "error",
            Value::Integer(_) => "integer",
            Value::BulkString(_) => "bulk string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Set(_) => "set",
            Value::Push(_) => "push",
            Value::Double(_) => "double",
            Value::Boolean(_) => "boolean",
            Value::BigNumber(_) => "big number",
            Value::Verbatim { .. } => "verbatim string",
            Value::Attribute { .. } => "attribute",
        }
    }

    /// True for a push frame, also when attributes precede it.
    pub fn is_push(&self) -> bool {
        matches!(self.innermost(), Value::Push(_))
    }

    /// The value under any attributes, by reference.
    pub fn innermost(&self) -> &Value {
        let mut value = self;
        while let Value::Attribute { value: inner, .. } = value {
            value = inner;
        }
        value
    }

    /// The value itself, without any attribute wrapped around it.
    pub fn without_attributes(self) -> Value {
        match self {
            Value::Attribute { value, .. } => value.without_attributes(),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every reply, and every element of an array reply, is one `Value`:
    /// its size is paid per element (MGET of 100 keys, 10,000 replies in flight).
    #[test]
    fn a_value_takes_40_bytes() {
        assert_eq!(std::mem::size_of::<super::Value>(), 40);
    }
}
