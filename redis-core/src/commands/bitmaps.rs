//! Bitmap commands: strings read and written as arrays of bits, and as
//! arrays of integer fields of any width (BITFIELD).

use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Error, Result, Value};

define_commands! {
    /// SETBIT, BITCOUNT, BITOP, BITFIELD and the other commands on bits.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::{BitField, BitFieldOverflow, BitFieldType, BitOffset};
    /// use redis_core::prelude::*;
    /// client.setbit("seen", 7, true).await?;
    /// assert_eq!(client.bitcount("seen").await?, 1);
    /// let counters = BitField::new()
    ///     .overflow(BitFieldOverflow::Sat)
    ///     .incrby(BitFieldType::U8, BitOffset::Field(0), 300)
    ///     .get(BitFieldType::U8, BitOffset::Field(0));
    /// assert_eq!(client.bitfield("counters", counters).await?, [Some(255), Some(255)]);
    /// # Ok(()) }
    /// ```
    pub trait BitmapCommands;

    /// `BITCOUNT key`: how many bits are set in the string (0 for a missing key).
    fn bitcount(key: impl ToArgs) -> u64 {
        Cmd::new("BITCOUNT").arg(key)
    }

    /// `BITCOUNT key start end [BIT]`: how many bits are set in the range.
    fn bitcount_range(key: impl ToArgs, range: BitRange) -> u64 {
        Cmd::new("BITCOUNT").arg(key).arg(range)
    }

    /// `BITFIELD key [GET|SET|INCRBY|OVERFLOW ...]`: runs the operations in
    /// order; one reply per GET, SET (the old value) and INCRBY (the new
    /// value), `None` where `OVERFLOW FAIL` refused a write.
    fn bitfield(key: impl ToArgs, operations: BitField) -> Vec<Option<i64>> {
        Cmd::new("BITFIELD").arg(key).arg(operations)
    }

    /// `BITFIELD_RO key GET type offset [GET ...]`: reads the fields (a
    /// read-only command, which replicas serve); their values, in order.
    fn bitfield_ro(key: impl ToArgs, fields: impl IntoIterator<Item = (BitFieldType, BitOffset)>) -> Vec<i64> {
        let mut cmd = Cmd::new("BITFIELD_RO").arg(key);
        for (field, offset) in fields {
            cmd.push_arg("GET").push_arg(field).push_arg(offset);
        }
        cmd
    }

    /// `BITOP op destkey key...`: combines the source strings bit by bit
    /// into `destkey` (see [`BitOp`]); the length of the result in bytes.
    fn bitop(op: BitOp, destkey: impl ToArgs, keys: impl ToArgs) -> u64 {
        Cmd::new("BITOP").arg(op).arg(destkey).arg(keys)
    }

    /// `BITOP NOT destkey key`: stores the bitwise complement of `key` in
    /// `destkey`; the length of the result in bytes.
    fn bitop_not(destkey: impl ToArgs, key: impl ToArgs) -> u64 {
        Cmd::new("BITOP").arg("NOT").arg(destkey).arg(key)
    }

    /// `BITPOS key bit`: the position of the first bit set to `bit`.
    /// Looking for a clear bit past a string of set bits finds the first bit
    /// after the string.
    fn bitpos(key: impl ToArgs, bit: bool) -> BitPosition {
        Cmd::new("BITPOS").arg(key).arg(bit)
    }

    /// `BITPOS key bit start`: the first bit set to `bit` from byte `start`
    /// on (negative counts from the end).
    fn bitpos_from(key: impl ToArgs, bit: bool, start: i64) -> BitPosition {
        Cmd::new("BITPOS").arg(key).arg(bit).arg(start)
    }

    /// `BITPOS key bit start end [BIT]`: the first bit set to `bit` within
    /// the range (where, unlike [`bitpos`], a clear bit is only looked for).
    fn bitpos_range(key: impl ToArgs, bit: bool, range: BitRange) -> BitPosition {
        Cmd::new("BITPOS").arg(key).arg(bit).arg(range)
    }

    /// `GETBIT key offset`: the bit at `offset` (false past the end).
    fn getbit(key: impl ToArgs, offset: u64) -> bool {
        Cmd::new("GETBIT").arg(key).arg(offset)
    }

    /// `SETBIT key offset value`: sets or clears the bit at `offset`,
    /// growing the string as needed; the bit's previous value.
    fn setbit(key: impl ToArgs, offset: u64, value: bool) -> bool {
        Cmd::new("SETBIT").arg(key).arg(offset).arg(value)
    }
}

/// A range of a string for [`bitcount_range`] and [`bitpos_range`]:
/// inclusive ends, negative ones counting from the end (`-1` is the last),
/// in bytes or (Redis 7.0 and later) in bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitRange {
    start: i64,
    end: i64,
    bits: bool,
}

impl BitRange {
    /// Bytes `start` to `end`.
    pub fn bytes(start: i64, end: i64) -> Self {
        BitRange {
            start,
            end,
            bits: false,
        }
    }

    /// `BIT`: bits `start` to `end`.
    #[doc(alias = "BIT")]
    pub fn bits(start: i64, end: i64) -> Self {
        BitRange {
            start,
            end,
            bits: true,
        }
    }
}

impl ToArgs for BitRange {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_arg(self.start).push_arg(self.end);
        if self.bits {
            cmd.push_bytes(b"BIT");
        }
    }
}

/// Where `BITPOS` found the bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitPosition {
    /// At this bit offset from the start of the string.
    At(u64),
    /// Nowhere in the range looked at (`-1`).
    NotFound,
}

impl BitPosition {
    /// The offset, `None` if not found.
    pub fn offset(self) -> Option<u64> {
        match self {
            BitPosition::At(offset) => Some(offset),
            BitPosition::NotFound => None,
        }
    }
}

impl FromValue for BitPosition {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            -1 => Ok(BitPosition::NotFound),
            n => u64::try_from(n)
                .map(BitPosition::At)
                .map_err(|_| Error::protocol(format!("BITPOS replied {n}"))),
        }
    }
}

/// The operation of [`bitop`] (NOT, which takes one source, is
/// [`bitop_not`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    /// `AND`: bits set in every source.
    And,
    /// `OR`: bits set in any source.
    Or,
    /// `XOR`: bits set in an odd number of sources.
    Xor,
    /// `DIFF` (Redis 8.2): bits set in the first source and in none of the
    /// others (at least two sources).
    Diff,
    /// `DIFF1` (Redis 8.2): bits set in one of the other sources but not in
    /// the first (at least two sources).
    Diff1,
    /// `ANDOR` (Redis 8.2): bits set in the first source and in at least one
    /// of the others (at least two sources).
    AndOr,
    /// `ONE` (Redis 8.2): bits set in exactly one source.
    One,
}

impl ToArgs for BitOp {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            BitOp::And => b"AND",
            BitOp::Or => b"OR",
            BitOp::Xor => b"XOR",
            BitOp::Diff => b"DIFF",
            BitOp::Diff1 => b"DIFF1",
            BitOp::AndOr => b"ANDOR",
            BitOp::One => b"ONE",
        });
    }
}

/// The type of a BITFIELD field: signed (`i1` to `i64`) or unsigned (`u1`
/// to `u63`; Redis replies with signed 64-bit integers, so there is no u64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BitFieldType {
    signed: bool,
    bits: u8,
}

impl BitFieldType {
    /// `i8`.
    pub const I8: BitFieldType = BitFieldType::new(true, 8);
    /// `i16`.
    pub const I16: BitFieldType = BitFieldType::new(true, 16);
    /// `i32`.
    pub const I32: BitFieldType = BitFieldType::new(true, 32);
    /// `i64`.
    pub const I64: BitFieldType = BitFieldType::new(true, 64);
    /// `u8`.
    pub const U8: BitFieldType = BitFieldType::new(false, 8);
    /// `u16`.
    pub const U16: BitFieldType = BitFieldType::new(false, 16);
    /// `u32`.
    pub const U32: BitFieldType = BitFieldType::new(false, 32);

    const fn new(signed: bool, bits: u8) -> Self {
        BitFieldType { signed, bits }
    }

    /// A signed integer of `bits` bits, if 1 to 64.
    pub const fn signed(bits: u8) -> Option<Self> {
        if bits >= 1 && bits <= 64 {
            Some(BitFieldType::new(true, bits))
        } else {
            None
        }
    }

    /// An unsigned integer of `bits` bits, if 1 to 63.
    pub const fn unsigned(bits: u8) -> Option<Self> {
        if bits >= 1 && bits <= 63 {
            Some(BitFieldType::new(false, bits))
        } else {
            None
        }
    }

    /// Its width in bits.
    pub fn bits(self) -> u8 {
        self.bits
    }

    /// Whether it is signed.
    pub fn is_signed(self) -> bool {
        self.signed
    }
}

impl ToArgs for BitFieldType {
    fn write_args(&self, cmd: &mut Cmd) {
        let mut text = String::with_capacity(3);
        text.push(if self.signed { 'i' } else { 'u' });
        text.push_str(itoa::Buffer::new().format(self.bits));
        cmd.push_bytes(text.as_bytes());
    }
}

/// Where a BITFIELD field starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitOffset {
    /// At this bit offset.
    Bit(u64),
    /// `#n`: the `n`-th field of the field's own width (`#2` of a `u8` is
    /// bit 16), for arrays of equal fields.
    Field(u64),
}

impl ToArgs for BitOffset {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            BitOffset::Bit(offset) => offset.write_args(cmd),
            BitOffset::Field(index) => {
                let mut text = String::from("#");
                text.push_str(itoa::Buffer::new().format(*index));
                cmd.push_bytes(text.as_bytes());
            }
        }
    }
}

/// How BITFIELD's SET and INCRBY treat a value that does not fit the field;
/// applies to the writes after it until the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitFieldOverflow {
    /// `WRAP`: wrap around, as integers in C do (the default).
    Wrap,
    /// `SAT`: saturate at the type's minimum or maximum.
    Sat,
    /// `FAIL`: write nothing and reply `None` for that operation.
    Fail,
}

/// The operations of one [`bitfield`] call, run in the order added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct BitField {
    operations: Vec<BitFieldOp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BitFieldOp {
    Get(BitFieldType, BitOffset),
    Set(BitFieldType, BitOffset, i64),
    IncrBy(BitFieldType, BitOffset, i64),
    Overflow(BitFieldOverflow),
}

impl BitField {
    /// No operations yet.
    pub fn new() -> Self {
        BitField::default()
    }

    /// `GET type offset`: reads a field.
    pub fn get(mut self, field: BitFieldType, offset: BitOffset) -> Self {
        self.operations.push(BitFieldOp::Get(field, offset));
        self
    }

    /// `SET type offset value`: writes a field; its reply is the old value.
    pub fn set(mut self, field: BitFieldType, offset: BitOffset, value: i64) -> Self {
        self.operations.push(BitFieldOp::Set(field, offset, value));
        self
    }

    /// `INCRBY type offset increment`: adds to a field (negative to
    /// subtract); its reply is the new value.
    pub fn incrby(mut self, field: BitFieldType, offset: BitOffset, increment: i64) -> Self {
        self.operations
            .push(BitFieldOp::IncrBy(field, offset, increment));
        self
    }

    /// `OVERFLOW WRAP|SAT|FAIL`: how the SETs and INCRBYs added after this
    /// treat overflow. It has no reply of its own.
    pub fn overflow(mut self, overflow: BitFieldOverflow) -> Self {
        self.operations.push(BitFieldOp::Overflow(overflow));
        self
    }
}

impl ToArgs for BitField {
    fn write_args(&self, cmd: &mut Cmd) {
        for operation in &self.operations {
            match *operation {
                BitFieldOp::Get(field, offset) => {
                    cmd.push_arg("GET").push_arg(field).push_arg(offset);
                }
                BitFieldOp::Set(field, offset, value) => {
                    cmd.push_arg("SET")
                        .push_arg(field)
                        .push_arg(offset)
                        .push_arg(value);
                }
                BitFieldOp::IncrBy(field, offset, increment) => {
                    cmd.push_arg("INCRBY")
                        .push_arg(field)
                        .push_arg(offset)
                        .push_arg(increment);
                }
                BitFieldOp::Overflow(overflow) => {
                    cmd.push_arg("OVERFLOW").push_arg(match overflow {
                        BitFieldOverflow::Wrap => "WRAP",
                        BitFieldOverflow::Sat => "SAT",
                        BitFieldOverflow::Fail => "FAIL",
                    });
                }
            }
        }
    }
}
