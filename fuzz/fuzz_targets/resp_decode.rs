//! The RESP decoder on any bytes: fed whole and in chunks it must agree (values, error,
//! leftover), stay within its limits, allocate nothing near a merely claimed size, and every
//! value must survive `encode_value` and a second decode. See `redis_core_fuzz::check_resp`.
//!
//! Input: a 4-byte header, then the split plan, then the RESP bytes.
//! - byte 0, `mode`: bit 0 set feeds the payload one byte at a time; otherwise
//! - byte 3 `% 16` is the number of chunk lengths that follow the header (one byte each, 0
//!   allowed: a decode call with nothing new); whatever is left after them is the last chunk.
//! - bytes 1 and 2: the decoder limits, a nibble per field (`redis_core_fuzz::limits_from`,
//!   0 = default).

#![no_main]

use libfuzzer_sys::fuzz_target;
use redis_core_fuzz::{check_resp, limits_from};

fuzz_target!(|data: &[u8]| {
    let Some((&[mode, lim_a, lim_b, splits], rest)) = data.split_first_chunk::<4>() else {
        return;
    };
    let limits = limits_from(lim_a, lim_b);
    if mode & 1 == 1 {
        check_resp(rest, rest.chunks(1), limits);
        return;
    }
    let count = usize::from(splits % 16).min(rest.len());
    let (lengths, payload) = rest.split_at(count);
    let mut chunks = Vec::with_capacity(count + 1);
    let mut left = payload;
    for &len in lengths {
        let (chunk, after) = left.split_at(usize::from(len).min(left.len()));
        chunks.push(chunk);
        left = after;
    }
    chunks.push(left);
    check_resp(payload, chunks, limits);
});
