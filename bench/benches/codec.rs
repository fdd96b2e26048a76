//! Criterion micro-benchmarks of the codec: decoding and encoding typical and large frames,
//! encoding a SET command, and the multiplexer's bookkeeping per command.
//!
//! `cargo bench --manifest-path bench/Cargo.toml` (no server needed).

#![allow(missing_docs)] // criterion_main! generates an undocumented `main`.

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use redis_core::bench_internals::Bookkeeping;
use redis_core::resp::{Decoder, Limits, encode_value};
use redis_core::{Cmd, Value};

fn bulk(len: usize) -> Value {
    Value::BulkString(Bytes::from(vec![b'x'; len]))
}

/// The frames measured, by name: typical replies first, then large ones.
fn frames() -> Vec<(&'static str, Value)> {
    vec![
        ("simple_ok", Value::SimpleString(Bytes::from_static(b"OK"))),
        ("bulk_64", bulk(64)),
        (
            "array_100_bulk_64",
            Value::Array((0..100).map(|_| bulk(64)).collect()),
        ),
        (
            "map_10_pairs",
            Value::Map(
                (0..10)
                    .map(|i| (Value::BulkString(format!("field{i}").into()), bulk(64)))
                    .collect(),
            ),
        ),
        ("bulk_1mib", bulk(1024 * 1024)),
        (
            "array_10k_bulk_16",
            Value::Array((0..10_000).map(|_| bulk(16)).collect()),
        ),
    ]
}

fn encoded(value: &Value) -> BytesMut {
    let mut out = BytesMut::new();
    encode_value(value, &mut out);
    out
}

fn decode(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode");
    for (name, value) in frames() {
        let wire = encoded(&value);
        group.throughput(Throughput::Bytes(wire.len() as u64));
        // Each iteration decodes its own copy of the bytes; making the copy is not timed.
        let size = if wire.len() > 64 * 1024 {
            BatchSize::LargeInput
        } else {
            BatchSize::SmallInput
        };
        group.bench_function(name, |b| {
            b.iter_batched(
                || (Decoder::new(Limits::default()), wire.clone()),
                |(mut decoder, mut buf)| {
                    let decoded = decoder.decode(&mut buf).expect("valid frame");
                    assert!(decoded.is_some(), "a whole frame decodes");
                    decoded
                },
                size,
            )
        });
    }
    group.finish();
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    for (name, value) in frames() {
        group.throughput(Throughput::Bytes(encoded(&value).len() as u64));
        group.bench_function(name, |b| {
            let mut out = BytesMut::new();
            b.iter(|| {
                out.clear();
                encode_value(black_box(&value), &mut out);
                out.len()
            })
        });
    }
    group.finish();
}

/// `Cmd` encodes each argument as it is added, so building the command is its encoding; the
/// final copy into the connection's buffer is crate-internal.
fn command(c: &mut Criterion) {
    let key = "bench:k:123";
    let value = [b'x'; 64];
    c.bench_function("encode/cmd_set_64", |b| {
        b.iter(|| {
            Cmd::new("SET")
                .arg(black_box(key))
                .arg(black_box(&value[..]))
        })
    });
}

/// Per command, what the shared connection does between a caller queuing it and taking its
/// reply, minus the system calls: encoding into the write buffer, the queue entry, handing
/// over the reply. Measured for 64 GETs at a time, as 64 tasks on one client would send them.
fn bookkeeping(c: &mut Criterion) {
    let cmds: Vec<Cmd> = (0..64)
        .map(|i| Cmd::new("GET").arg(format!("bench:k:{i}")))
        .collect();
    let reply = bulk(64);
    let mut group = c.benchmark_group("multiplexer");
    group.throughput(Throughput::Elements(cmds.len() as u64));
    group.bench_function("bookkeeping_64_gets", |b| {
        let mut books = Bookkeeping::default();
        b.iter(|| {
            let taken = books.round(black_box(&cmds), &reply);
            assert_eq!(taken, cmds.len());
        })
    });
    group.finish();
}

criterion_group!(benches, decode, encode, command, bookkeeping);
criterion_main!(benches);
