//! The RESP2/RESP3 codec: pure code over bytes, no I/O.
//!
//! [`Decoder`] turns a connection's read buffer into [`Value`]s, one
//! top-level frame at a time, keeping partial progress between reads and
//! enforcing [`Limits`] so a hostile or broken peer cannot make it allocate
//! what it merely claims. [`encode_value`] writes a `Value` back as RESP3, for
//! tests and fake servers.

mod decode;
mod encode;
mod header;
mod value;

pub use decode::{Decoder, Limits};
pub use encode::encode_value;
pub use value::Value;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
