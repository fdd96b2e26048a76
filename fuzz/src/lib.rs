//! Oracles shared by the fuzz targets in `fuzz_targets/`.
//!
//! - [`check_resp`]: the RESP decoder fed whole and in chunks must agree, stay within its
//!   [`Limits`], allocate nothing near a length a frame merely claims, and every value it
//!   produces must survive [`encode_value`] and a second decode.
//! - [`largest_allocation_during`]: the allocation watch behind the "claimed size" check.

use std::alloc::{GlobalAlloc, Layout, System};
use std::mem::size_of;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bytes::BytesMut;
use redis_core::resp::{Decoder, Limits, Value, encode_value};

/// The system allocator, noting the largest single request while a watch is on.
struct Watched;

static WATCHING: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

fn note(size: usize) {
    if WATCHING.load(Ordering::Relaxed) {
        LARGEST.fetch_max(size, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`; only the requested size is noted.
unsafe impl GlobalAlloc for Watched {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: as for `alloc`; `ptr` came from this allocator, hence from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watched = Watched;

/// Runs `f` and returns its result with the largest single allocation it asked for, in bytes.
/// libFuzzer runs a target on one thread, so nothing else allocates meanwhile.
pub fn largest_allocation_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.store(0, Ordering::Relaxed);
    WATCHING.store(true, Ordering::Relaxed);
    let result = f();
    WATCHING.store(false, Ordering::Relaxed);
    (result, LARGEST.load(Ordering::Relaxed))
}

/// The most one decode call may allocate at once for `input` bytes received so far: a small
/// fixed allowance (the decoder preallocates up to 64 elements of an aggregate, whatever its
/// header claims), plus a share proportional to the bytes that actually arrived (every element
/// costs at least 3 input bytes, and vectors at most double). A header claiming millions of
/// elements or bytes must not be believed before they arrive.
pub fn allocation_bound(input: usize) -> usize {
    let pair = size_of::<(Value, Value)>();
    16 * 1024 + 64 * pair + input.saturating_mul(pair)
}

/// Everything a run of the decoder over some input ended with.
#[derive(Debug)]
pub struct Outcome {
    /// The top-level values decoded.
    pub values: Vec<Value>,
    /// The error that ended decoding, if any.
    pub error: Option<String>,
    /// Bytes left in the buffer at the end (a partial line or bulk payload), when no error.
    pub rest: Vec<u8>,
    /// The decoder's `bytes_needed` at the end, when no error.
    pub needed: Option<usize>,
}

/// Feeds `chunks` one after another into one buffer, decoding after each as far as possible,
/// and checks every decode call against the allocation bound. With `inspect`, every value is
/// also checked against `limits` and must survive the encode round trip.
pub fn decode_chunks<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limits: Limits,
    inspect: bool,
) -> Outcome {
    let mut decoder = Decoder::new(limits);
    let mut buf = BytesMut::new();
    let mut received = 0usize;
    let mut values = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        received += chunk.len();
        loop {
            let (result, largest) = largest_allocation_during(|| decoder.decode(&mut buf));
            assert!(
                largest <= allocation_bound(received),
                "one decode call allocated {largest} bytes after {received} input bytes"
            );
            match result {
                Ok(Some(value)) => {
                    if inspect {
                        check_value(&value, limits);
                        check_round_trip(&value, limits);
                    }
                    values.push(value);
                }
                Ok(None) => {
                    if let Some(n) = decoder.bytes_needed() {
                        assert!(n > 0, "bytes_needed() is Some(0)");
                    }
                    break;
                }
                Err(err) => {
                    // A broken stream stays broken.
                    let again = decoder.decode(&mut buf).err().map(|e| e.to_string());
                    assert_eq!(again.as_deref(), Some(err.to_string().as_str()));
                    return Outcome {
                        values,
                        error: Some(err.to_string()),
                        rest: Vec::new(),
                        needed: None,
                    };
                }
            }
        }
    }
    Outcome {
        values,
        error: None,
        rest: buf.to_vec(),
        needed: decoder.bytes_needed(),
    }
}

/// The RESP oracle: `data` decoded whole and fed as `chunks` (which must concatenate to
/// `data`) gives the same values, the same error (or none) and the same leftover state.
pub fn check_resp<'a>(data: &[u8], chunks: impl IntoIterator<Item = &'a [u8]>, limits: Limits) {
    let whole = decode_chunks([data], limits, true);
    let chunked = decode_chunks(chunks, limits, false);
    let same = whole.values.len() == chunked.values.len()
        && whole
            .values
            .iter()
            .zip(&chunked.values)
            .all(|(a, b)| same(a, b))
        && whole.error == chunked.error
        && whole.rest == chunked.rest
        && whole.needed == chunked.needed;
    assert!(
        same,
        "whole and chunked decoding differ with {limits:?}:\n{whole:?}\n{chunked:?}"
    );
}

/// `a == b`, except that a NaN equals any NaN (`Value`'s `PartialEq` says NaN != NaN).
/// Other doubles must be the same bits, so `-0.0` and `0.0` differ.
pub fn same(a: &Value, b: &Value) -> bool {
    let all =
        |x: &[Value], y: &[Value]| x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y));
    let pairs = |x: &[(Value, Value)], y: &[(Value, Value)]| {
        x.len() == y.len()
            && x.iter()
                .zip(y)
                .all(|((xk, xv), (yk, yv))| same(xk, yk) && same(xv, yv))
    };
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Array(x), Value::Array(y))
        | (Value::Set(x), Value::Set(y))
        | (Value::Push(x), Value::Push(y)) => all(x, y),
        (Value::Map(x), Value::Map(y)) => pairs(x, y),
        (
            Value::Attribute {
                attributes: xa,
                value: xv,
            },
            Value::Attribute {
                attributes: ya,
                value: yv,
            },
        ) => pairs(xa, ya) && same(xv, yv),
        _ => a == b,
    }
}

/// Checks that `value` respects the limits it was decoded under.
pub fn check_value(value: &Value, limits: Limits) {
    let depth = depth(value);
    assert!(
        depth <= limits.max_depth,
        "depth {depth} beyond max_depth in {value:?}"
    );
    walk(value, &mut |v| match v {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            assert!(items.len() <= limits.max_aggregate_len);
        }
        Value::Map(pairs)
        | Value::Attribute {
            attributes: pairs, ..
        } => {
            assert!(pairs.len() <= limits.max_aggregate_len);
        }
        Value::BulkString(bytes) => assert!(bytes.len() <= limits.max_bulk_len),
        Value::Verbatim { text, .. } => assert!(4 + text.len() <= limits.max_bulk_len),
        // The line holds the type byte too.
        Value::SimpleString(s) => {
            assert!(s.len() < limits.max_line_len);
            assert!(std::str::from_utf8(s).is_ok());
            assert!(!s.contains(&b'\r') && !s.contains(&b'\n'));
        }
        Value::BigNumber(s) => {
            assert!(s.len() < limits.max_line_len);
            assert!(!s.contains(['\r', '\n']));
        }
        _ => {}
    });
}

/// `value` written by `encode_value` decodes back to itself (compared by Debug: NaN), alone.
///
/// The second decode lifts the line and bulk limits: the encoding may legitimately need more
/// than the original frame did (a double's shortest text can be longer than `,1e300`, a blob
/// error without CR/LF becomes a `-` line, and `ServerError`'s text adds an `ERR ` prefix).
/// Depth and element counts cannot grow, so those limits stay.
pub fn check_round_trip(value: &Value, limits: Limits) {
    let mut encoded = BytesMut::new();
    encode_value(value, &mut encoded);
    let relaxed = Limits {
        max_bulk_len: usize::MAX,
        max_line_len: usize::MAX,
        ..limits
    };
    let mut decoder = Decoder::new(relaxed);
    let mut buf = encoded.clone();
    let again = decoder.decode(&mut buf);
    let ok = matches!(&again, Ok(Some(again)) if same(value, again)) && buf.is_empty();
    assert!(
        ok,
        "{value:?} encoded as {:?} decodes to {again:?}, leaving {buf:?}",
        String::from_utf8_lossy(&encoded)
    );
}

/// Nesting of aggregates, counted as the decoder counts open frames (an attribute is one).
pub fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            1 + items.iter().map(depth).max().unwrap_or(0)
        }
        Value::Map(pairs) => 1 + pairs_depth(pairs),
        Value::Attribute { attributes, value } => 1 + pairs_depth(attributes).max(depth(value)),
        _ => 0,
    }
}

fn pairs_depth(pairs: &[(Value, Value)]) -> usize {
    pairs
        .iter()
        .map(|(k, v)| depth(k).max(depth(v)))
        .max()
        .unwrap_or(0)
}

fn walk(value: &Value, f: &mut impl FnMut(&Value)) {
    f(value);
    match value {
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            items.iter().for_each(|v| walk(v, f));
        }
        Value::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            walk(k, f);
            walk(v, f);
        }),
        Value::Attribute { attributes, value } => {
            attributes.iter().for_each(|(k, v)| {
                walk(k, f);
                walk(v, f);
            });
            walk(value, f);
        }
        _ => {}
    }
}

/// One of the limits the targets try: 0 keeps the default, the other values run from "nothing
/// allowed" through small bounds to "no bound". Depth stops at 1000: deeper values make the
/// recursive drop and Debug of `Value` (by design, see [`Limits`]) outgrow a thread's stack.
pub fn pick_limit(choice: u8, default: usize, depth: bool) -> usize {
    const TABLE: [usize; 15] = [
        0,
        1,
        2,
        3,
        4,
        5,
        8,
        16,
        32,
        64,
        100,
        1000,
        65536,
        i32::MAX as usize,
        usize::MAX,
    ];
    match choice % 16 {
        0 => default,
        n => {
            let picked = TABLE[usize::from(n - 1)];
            if depth { picked.min(1000) } else { picked }
        }
    }
}

/// Limits from two bytes, a nibble per field (see [`pick_limit`]).
pub fn limits_from(a: u8, b: u8) -> Limits {
    let d = Limits::default();
    Limits {
        max_depth: pick_limit(a >> 4, d.max_depth, true),
        max_bulk_len: pick_limit(a & 15, d.max_bulk_len, false),
        max_aggregate_len: pick_limit(b >> 4, d.max_aggregate_len, false),
        max_line_len: pick_limit(b & 15, d.max_line_len, false),
    }
}
