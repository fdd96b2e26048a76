#![allow(clippy::unwrap_used)]

use bytes::{BufMut, BytesMut};
use proptest::collection::vec;
use proptest::prelude::*;

use super::tests::{corpus, decode_all};
use super::{Decoder, Value, encode_value};
use crate::error::ServerError;

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Nil),
        "[^\r\n]{0,12}".prop_map(|s| Value::SimpleString(s.into())),
        "(?s).{0,12}".prop_map(|s| Value::Error(ServerError::parse(&s))),
        any::<i64>().prop_map(Value::Integer),
        vec(any::<u8>(), 0..16).prop_map(|b| Value::BulkString(b.into())),
        any::<f64>().prop_map(Value::Double),
        any::<bool>().prop_map(Value::Boolean),
        "[+-]?[0-9]{1,40}".prop_map(Value::BigNumber),
        ("[ -~]{3}", vec(any::<u8>(), 0..16)).prop_map(|(format, text)| Value::Verbatim {
            format: format.as_bytes().try_into().unwrap_or(*b"txt"),
            text: text.into()
        }),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        let pairs = vec((inner.clone(), inner.clone()), 0..4);
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Value::Array),
            vec(inner.clone(), 0..5).prop_map(Value::Set),
            vec(inner.clone(), 0..5).prop_map(Value::Push),
            pairs.clone().prop_map(Value::Map),
            (pairs, inner).prop_map(|(attributes, value)| Value::Attribute {
                attributes,
                value: Box::new(value)
            }),
        ]
    })
}

/// Bytes that make up RESP, so garbage often gets past the type byte.
fn protocol_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => proptest::sample::select(b"+-:$*_,#(!=%~>|;.?0123456789\r\n-tfinax".to_vec()),
        1 => any::<u8>(),
    ]
}

/// Values compare through `Debug` so that NaN equals NaN.
fn same(a: &[Value], b: &[Value]) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

/// Writes `value` like [`encode_value`], but with streamed strings and
/// streamed aggregates wherever `coin` says so, to cover forms our encoder
/// never produces.
fn encode_streamed(value: &Value, coin: &mut u64, out: &mut BytesMut) {
    *coin = coin
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let stream = *coin >> 63 == 1;
    let aggregate = |kind: &[u8], items: &[&Value], coin: &mut u64, out: &mut BytesMut| {
        out.put_slice(kind);
        for item in items {
            encode_streamed(item, coin, out);
        }
        out.put_slice(b".\r\n");
    };
    match value {
        Value::BulkString(bytes) if stream => {
            out.put_slice(b"$?\r\n");
            let step = (*coin >> 40) as usize % 4 + 1;
            for chunk in bytes.chunks(step) {
                out.put_slice(format!(";{}\r\n", chunk.len()).as_bytes());
                out.put_slice(chunk);
                out.put_slice(b"\r\n");
            }
            out.put_slice(b";0\r\n");
        }
        Value::Array(items) if stream => {
            aggregate(b"*?\r\n", &items.iter().collect::<Vec<_>>(), coin, out)
        }
        Value::Set(items) if stream => {
            aggregate(b"~?\r\n", &items.iter().collect::<Vec<_>>(), coin, out)
        }
        Value::Push(items) if stream => {
            aggregate(b">?\r\n", &items.iter().collect::<Vec<_>>(), coin, out)
        }
        Value::Map(pairs) if stream => {
            let items: Vec<&Value> = pairs.iter().flat_map(|(k, v)| [k, v]).collect();
            aggregate(b"%?\r\n", &items, coin, out);
        }
        Value::Array(items) | Value::Set(items) | Value::Push(items) => {
            let kind = match value {
                Value::Array(_) => '*',
                Value::Set(_) => '~',
                _ => '>',
            };
            out.put_slice(format!("{kind}{}\r\n", items.len()).as_bytes());
            for item in items {
                encode_streamed(item, coin, out);
            }
        }
        Value::Map(pairs)
        | Value::Attribute {
            attributes: pairs, ..
        } => {
            let kind = if matches!(value, Value::Map(_)) {
                '%'
            } else {
                '|'
            };
            out.put_slice(format!("{kind}{}\r\n", pairs.len()).as_bytes());
            for (k, v) in pairs {
                encode_streamed(k, coin, out);
                encode_streamed(v, coin, out);
            }
            if let Value::Attribute { value, .. } = value {
                encode_streamed(value, coin, out);
            }
        }
        leaf => encode_value(leaf, out),
    }
}

/// Feeds `chunks` one after another into one decoder, decoding all it can
/// after each: the values and, if decoding failed, the error's text.
fn feed<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> (Vec<Value>, Option<String>) {
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::new();
    let mut values = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(value)) => values.push(value),
                Ok(None) => break,
                Err(err) => return (values, Some(err.to_string())),
            }
        }
    }
    (values, None)
}

/// `input` cut at the given offsets (taken modulo its length, in order).
fn cut(input: &[u8], cuts: &[usize]) -> Vec<Vec<u8>> {
    let mut offsets: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    offsets.sort_unstable();
    let mut pieces = Vec::new();
    let mut start = 0;
    for at in offsets.into_iter().chain([input.len()]) {
        pieces.push(input.get(start..at).unwrap().to_vec());
        start = at;
    }
    pieces
}

fn encode_all(values: &[Value], coin: Option<u64>) -> Vec<u8> {
    let mut out = BytesMut::new();
    for value in values {
        match coin {
            Some(mut coin) => encode_streamed(value, &mut coin, &mut out),
            None => encode_value(value, &mut out),
        }
    }
    out.to_vec()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn encode_then_decode_is_identity(values in vec(value(), 1..4)) {
        let input = encode_all(&values, None);
        let decoded = decode_all(&mut Decoder::default(), &input).unwrap();
        prop_assert!(same(&decoded, &values), "{decoded:?} != {values:?}");
    }

    #[test]
    fn garbage_never_panics_and_chunking_does_not_matter(
        input in prop_oneof![vec(any::<u8>(), 0..64), vec(protocol_byte(), 0..64)],
        cuts in vec(any::<usize>(), 0..8),
    ) {
        let whole = feed([input.as_slice()]);
        let pieces = cut(&input, &cuts);
        prop_assert_eq!(format!("{:?}", feed(pieces.iter().map(Vec::as_slice))), format!("{whole:?}"));
    }

    #[test]
    fn garbage_after_a_valid_prefix(
        value in value(),
        keep in any::<usize>(),
        garbage in vec(protocol_byte(), 0..32),
        cuts in vec(any::<usize>(), 0..8),
    ) {
        let mut input = encode_all(&[value], None);
        input.truncate(keep % (input.len() + 1));
        input.extend_from_slice(&garbage);
        let whole = feed([input.as_slice()]);
        let pieces = cut(&input, &cuts);
        prop_assert_eq!(format!("{:?}", feed(pieces.iter().map(Vec::as_slice))), format!("{whole:?}"));
    }

    #[test]
    fn mutated_frames_never_panic_and_chunking_does_not_matter(
        values in vec(value(), 1..3),
        coin in any::<u64>(),
        edits in vec((any::<usize>(), protocol_byte(), 0..3u8), 1..4),
        cuts in vec(any::<usize>(), 0..8),
    ) {
        let mut input = encode_all(&values, Some(coin));
        for (at, byte, how) in edits {
            let at = at % (input.len() + 1);
            match how {
                0 => input.insert(at, byte),
                1 if at < input.len() => { input.remove(at); }
                _ => if let Some(b) = input.get_mut(at) { *b = byte },
            }
        }
        let whole = feed([input.as_slice()]);
        let pieces = cut(&input, &cuts);
        prop_assert_eq!(format!("{:?}", feed(pieces.iter().map(Vec::as_slice))), format!("{whole:?}"));
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn valid_frames_decode_the_same_split_anywhere(values in vec(value(), 1..3), coin in any::<u64>()) {
        let input = encode_all(&values, Some(coin));
        for at in 0..=input.len() {
            let (values_got, err) = feed([&input[..at], &input[at..]]);
            prop_assert_eq!(err, None);
            prop_assert!(same(&values_got, &values), "split at {}: {:?}", at, values_got);
        }
        let (values_got, err) = feed(input.chunks(1));
        prop_assert_eq!(err, None);
        prop_assert!(same(&values_got, &values));
    }
}

#[test]
fn corpus_back_to_back_split_anywhere() {
    let corpus = corpus();
    let input: Vec<u8> = corpus.iter().flat_map(|(i, _)| i.iter().copied()).collect();
    let expected: Vec<Value> = corpus.into_iter().map(|(_, v)| v).collect();
    for at in 0..=input.len() {
        let (got, err) = feed([&input[..at], &input[at..]]);
        assert_eq!(err, None);
        assert_eq!(got, expected, "split at {at}");
    }
}
