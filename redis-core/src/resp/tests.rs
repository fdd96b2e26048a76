#![allow(clippy::unwrap_used)]

use bytes::{Bytes, BytesMut};

use super::{Decoder, Limits, Value, encode_value};
use crate::error::{ErrorKind, ServerError};

/// Decodes every complete frame of `input` fed whole.
pub(super) fn decode_all(decoder: &mut Decoder, input: &[u8]) -> crate::Result<Vec<Value>> {
    let mut buf = BytesMut::from(input);
    let mut out = Vec::new();
    while let Some(value) = decoder.decode(&mut buf)? {
        out.push(value);
    }
    Ok(out)
}

/// The one frame `input` holds, which must be consumed entirely.
fn one(input: &[u8]) -> Value {
    let mut buf = BytesMut::from(input);
    let value = Decoder::default()
        .decode(&mut buf)
        .unwrap()
        .expect("a complete frame");
    assert!(buf.is_empty(), "left over: {buf:?}");
    value
}

fn error(input: &[u8]) -> String {
    let err = decode_all(&mut Decoder::default(), input).expect_err("malformed input");
    assert_eq!(err.kind(), ErrorKind::Protocol);
    err.to_string()
}

fn pending(input: &[u8]) {
    assert_eq!(
        decode_all(&mut Decoder::default(), input).unwrap(),
        vec![],
        "{input:?}"
    );
}

fn bulk(s: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(s.as_bytes()))
}

fn simple(s: &str) -> Value {
    Value::SimpleString(Bytes::copy_from_slice(s.as_bytes()))
}

/// Valid frames, RESP2 and RESP3, with what they decode to.
pub(super) fn corpus() -> Vec<(&'static [u8], Value)> {
    let err = |s| Value::Error(ServerError::parse(s));
    vec![
        (b"+OK\r\n", simple("OK")),
        (b"+\r\n", simple("")),
        (
            b"-WRONGTYPE Operation against a key\r\n",
            err("WRONGTYPE Operation against a key"),
        ),
        (b":0\r\n", Value::Integer(0)),
        (b":-42\r\n", Value::Integer(-42)),
        (b":+7\r\n", Value::Integer(7)),
        (b":9223372036854775807\r\n", Value::Integer(i64::MAX)),
        (b":-9223372036854775808\r\n", Value::Integer(i64::MIN)),
        (b"$5\r\nhello\r\n", bulk("hello")),
        (b"$0\r\n\r\n", bulk("")),
        (b"$4\r\na\r\nb\r\n", bulk("a\r\nb")),
        (b"$-1\r\n", Value::Nil),
        (b"*-1\r\n", Value::Nil),
        (b"*0\r\n", Value::Array(vec![])),
        (
            b"*2\r\n$3\r\nfoo\r\n*1\r\n:1\r\n",
            Value::Array(vec![bulk("foo"), Value::Array(vec![Value::Integer(1)])]),
        ),
        (
            b"*3\r\n:1\r\n$-1\r\n+x\r\n",
            Value::Array(vec![Value::Integer(1), Value::Nil, simple("x")]),
        ),
        (b"_\r\n", Value::Nil),
        (b",1.5\r\n", Value::Double(1.5)),
        (b",-2\r\n", Value::Double(-2.0)),
        (b",1.5e3\r\n", Value::Double(1500.0)),
        (b",-1.25E-2\r\n", Value::Double(-0.0125)),
        (b",inf\r\n", Value::Double(f64::INFINITY)),
        (b",-inf\r\n", Value::Double(f64::NEG_INFINITY)),
        (b"#t\r\n", Value::Boolean(true)),
        (b"#f\r\n", Value::Boolean(false)),
        (
            b"(3492890328409238509324850943850943825024385\r\n",
            Value::BigNumber("3492890328409238509324850943850943825024385".into()),
        ),
        (b"(-12\r\n", Value::BigNumber("-12".into())),
        (
            b"!21\r\nSYNTAX invalid syntax\r\n",
            err("SYNTAX invalid syntax"),
        ),
        (
            b"=15\r\ntxt:Some string\r\n",
            Value::Verbatim {
                format: *b"txt",
                text: Bytes::from_static(b"Some string"),
            },
        ),
        (
            b"=4\r\nmkd:\r\n",
            Value::Verbatim {
                format: *b"mkd",
                text: Bytes::new(),
            },
        ),
        (
            b"%2\r\n+first\r\n:1\r\n+second\r\n%0\r\n",
            Value::Map(vec![
                (simple("first"), Value::Integer(1)),
                (simple("second"), Value::Map(vec![])),
            ]),
        ),
        (
            b"~3\r\n+orange\r\n+apple\r\n~1\r\n#t\r\n",
            Value::Set(vec![
                simple("orange"),
                simple("apple"),
                Value::Set(vec![Value::Boolean(true)]),
            ]),
        ),
        (
            b">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n",
            Value::Push(vec![simple("message"), simple("chan"), bulk("hi")]),
        ),
        (
            b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n",
            Value::Attribute {
                attributes: vec![(
                    simple("key-popularity"),
                    Value::Map(vec![(bulk("a"), Value::Double(0.19))]),
                )],
                value: Box::new(Value::Array(vec![
                    Value::Integer(2039123),
                    Value::Integer(9543892),
                ])),
            },
        ),
        (
            b"*2\r\n|1\r\n+ttl\r\n:3\r\n+v\r\n|0\r\n:1\r\n",
            Value::Array(vec![
                Value::Attribute {
                    attributes: vec![(simple("ttl"), Value::Integer(3))],
                    value: Box::new(simple("v")),
                },
                Value::Attribute {
                    attributes: vec![],
                    value: Box::new(Value::Integer(1)),
                },
            ]),
        ),
        (
            b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n",
            bulk("Hello word"),
        ),
        (b"$?\r\n;0\r\n", bulk("")),
        (
            b"*?\r\n:1\r\n$?\r\n;1\r\na\r\n;0\r\n*?\r\n.\r\n.\r\n",
            Value::Array(vec![Value::Integer(1), bulk("a"), Value::Array(vec![])]),
        ),
        (b"~?\r\n+a\r\n.\r\n", Value::Set(vec![simple("a")])),
        (
            b"%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n",
            Value::Map(vec![
                (simple("a"), Value::Integer(1)),
                (simple("b"), Value::Integer(2)),
            ]),
        ),
        (
            b">?\r\n+invalidate\r\n*1\r\n$1\r\nk\r\n.\r\n",
            Value::Push(vec![simple("invalidate"), Value::Array(vec![bulk("k")])]),
        ),
        (
            b"%1\r\n~1\r\n>1\r\n:1\r\n%1\r\n_\r\n~0\r\n",
            Value::Map(vec![(
                Value::Set(vec![Value::Push(vec![Value::Integer(1)])]),
                Value::Map(vec![(Value::Nil, Value::Set(vec![]))]),
            )]),
        ),
    ]
}

#[test]
fn every_frame_type_decodes() {
    for (input, expected) in corpus() {
        assert_eq!(one(input), expected, "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn nan_decodes() {
    assert!(matches!(one(b",nan\r\n"), Value::Double(d) if d.is_nan()));
}

#[test]
fn errors_split_code_and_message() {
    let Value::Error(err) = one(b"!27\r\nMOVED 3999 127.0.0.1:6381\r\n\r\n") else {
        panic!()
    };
    assert_eq!(
        (err.code(), err.message()),
        ("MOVED", "3999 127.0.0.1:6381\r\n")
    );
    let Value::Error(err) = one(b"-ERR unknown command\r\n") else {
        panic!()
    };
    assert_eq!((err.code(), err.message()), ("ERR", "unknown command"));
}

#[test]
fn bulk_strings_are_slices_of_the_read_buffer() {
    let mut buf = BytesMut::from(&b"$5\r\nhello\r\n"[..]);
    let start = buf.as_ptr() as usize;
    let Some(Value::BulkString(bytes)) = Decoder::default().decode(&mut buf).unwrap() else {
        panic!()
    };
    assert_eq!(bytes.as_ptr() as usize, start + 4);
}

#[test]
fn every_corpus_frame_survives_every_split_and_single_bytes() {
    for (input, expected) in corpus() {
        for at in 0..=input.len() {
            let (head, tail) = input.split_at(at);
            let mut decoder = Decoder::default();
            let mut buf = BytesMut::from(head);
            let first = decoder.decode(&mut buf).unwrap();
            let value = match first {
                Some(v) => v,
                None => {
                    buf.extend_from_slice(tail);
                    decoder.decode(&mut buf).unwrap().unwrap()
                }
            };
            assert_eq!(
                value,
                expected,
                "split at {at} of {:?}",
                String::from_utf8_lossy(input)
            );
            assert!(buf.is_empty());
        }
        let mut decoder = Decoder::default();
        let mut buf = BytesMut::new();
        let mut got = None;
        for (i, byte) in input.iter().enumerate() {
            assert!(got.is_none(), "frame ended before byte {i}");
            buf.extend_from_slice(&[*byte]);
            got = decoder.decode(&mut buf).unwrap();
        }
        assert_eq!(got, Some(expected));
    }
}

#[test]
fn frames_back_to_back() {
    let corpus = corpus();
    let input: Vec<u8> = corpus.iter().flat_map(|(i, _)| i.iter().copied()).collect();
    let expected: Vec<Value> = corpus.into_iter().map(|(_, v)| v).collect();
    assert_eq!(
        decode_all(&mut Decoder::default(), &input).unwrap(),
        expected
    );
}

#[test]
fn hostile_lengths_and_malformed_lines_are_errors() {
    let limits = Limits {
        max_aggregate_len: usize::MAX,
        ..Limits::default()
    };
    for input in [
        &b"*4294967295\r\n"[..],
        b"%4294967295\r\n",
        b"~4294967295\r\n",
    ] {
        assert_eq!(
            decode_all(&mut Decoder::new(limits), input).unwrap(),
            vec![],
            "pending until elements arrive"
        );
    }
    assert!(error(b"*4294967295\r\n").contains("aggregate length 4294967295 exceeds"));
    assert!(error(b"%4294967295\r\n").contains("exceeds"));
    assert!(error(b"$9999999999\r\n").contains("bulk length 9999999999 exceeds"));
    for input in [
        &b"*-2\r\n"[..],
        b"$-5\r\n",
        b"*99999999999999999999999\r\n",
        b"$99999999999999999999999\r\n",
        b":99999999999999999999\r\n",
        b":-9223372036854775809\r\n",
        b":1.5\r\n",
        b":\r\n",
        b",abc\r\n",
        b",\r\n",
        b"#x\r\n",
        b"#true\r\n",
        b"(12a\r\n",
        b"(-\r\n",
        b"(\r\n",
        b"$\r\n",
        b"$+1\r\n",
        b"$ 1\r\n",
        b"%-1\r\n",
        b"~-1\r\n",
        b"|?\r\n",
        b"_x\r\n",
        b".x\r\n",
        b"=3\r\ntxt\r\n",
        b"=5\r\ntxt!x\r\n",
        b"$3\r\nfoobar\r\n",
        b"$3\r\nfoo\n\r\n",
        b"+OK\rX",
        b"+OK\n",
        b":1\n:2\r\n",
        b"\r\n",
        b".\r\n",
        b"*1\r\n.\r\n",
        b"%?\r\n+k\r\n.\r\n",
        b";3\r\nabc\r\n",
        b"$?\r\n:1\r\n",
        b"$?\r\n$1\r\na\r\n",
        b"+\xff\r\n",
        b"=5\r\n\xff\xfe\xfd:x\r\n",
    ] {
        error(input);
    }
    assert!(error(b"@oops\r\n").contains("'@'"));
    assert!(error(b"\x01\r\n").contains("0x01"));
}

#[test]
fn pending_input_is_not_an_error() {
    for input in [
        &b"+OK"[..],
        b"+OK\r",
        b"$5\r\nhel",
        b"$5\r\nhello\r",
        b"*2\r\n:1\r\n",
        b"$?\r\n;2\r\nab\r\n",
        b"*?\r\n:1\r\n",
        b"|1\r\n+a\r\n:1\r\n",
    ] {
        pending(input);
    }
}

#[test]
fn claimed_lengths_reserve_nothing() {
    let limits = Limits {
        max_aggregate_len: usize::MAX,
        ..Limits::default()
    };
    let mut decoder = Decoder::new(limits);
    let mut buf = BytesMut::from(&b"*4294967295\r\n:1\r\n%4294967295\r\n+k\r\n"[..]);
    assert_eq!(decoder.decode(&mut buf).unwrap(), None);
    assert!(buf.is_empty());
    assert!(decoder.reserved() <= 128, "reserved {}", decoder.reserved());

    let mut decoder = Decoder::default();
    let mut buf = BytesMut::from(&b"$536870912\r\nab"[..]);
    let capacity = buf.capacity();
    assert_eq!(decoder.decode(&mut buf).unwrap(), None);
    assert!(buf.capacity() <= capacity);
    assert_eq!(decoder.bytes_needed(), Some(536870912 + 2 - 2));
}

#[test]
fn a_large_bulk_string_is_parsed_once_it_has_arrived() {
    const LEN: usize = 1 << 20;
    let mut input = format!("${LEN}\r\n").into_bytes();
    input.extend((0..LEN).map(|i| i as u8));
    input.extend_from_slice(b"\r\n");
    let header = input.len() - LEN - 2;
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::new();
    let mut chunks = input.chunks(4096);
    buf.extend_from_slice(chunks.next().unwrap());
    assert_eq!(decoder.decode(&mut buf).unwrap(), None);
    // The header is consumed; the payload waits, untouched, until it is all there.
    assert_eq!(buf.len(), 4096 - header);
    let mut total = buf.len();
    for chunk in chunks {
        assert_eq!(decoder.bytes_needed(), Some(LEN + 2 - total));
        buf.extend_from_slice(chunk);
        total += chunk.len();
        let got = decoder.decode(&mut buf).unwrap();
        if total < LEN + 2 {
            assert_eq!(got, None);
            assert_eq!(
                buf.len(),
                total,
                "nothing consumed before the payload is complete"
            );
        } else {
            let Some(Value::BulkString(bytes)) = got else {
                panic!()
            };
            assert_eq!(&bytes[..], &input[header..header + LEN]);
            assert!(buf.is_empty());
        }
    }
    assert_eq!(decoder.bytes_needed(), None);
}

#[test]
fn nesting_is_bounded() {
    let deep = b"*1\r\n".repeat(10_000);
    assert!(error(&deep).contains("nested deeper than 128"));
    let mut ok = b"*1\r\n".repeat(128);
    ok.extend_from_slice(b":1\r\n");
    let mut value = one(&ok);
    for _ in 0..128 {
        let Value::Array(mut items) = value else {
            panic!()
        };
        value = items.pop().unwrap();
    }
    assert_eq!(value, Value::Integer(1));
    assert!(error(&b"%1\r\n".repeat(200)).contains("nested"));
    assert!(error(&b"|1\r\n".repeat(200)).contains("nested"));
}

#[test]
fn lines_are_bounded() {
    let limits = Limits {
        max_line_len: 8,
        ..Limits::default()
    };
    assert_eq!(
        decode_all(&mut Decoder::new(limits), b"+1234567\r\n").unwrap(),
        vec![simple("1234567")]
    );
    assert_eq!(
        decode_all(&mut Decoder::new(limits), b"+1234567\r").unwrap(),
        vec![]
    );
    assert_eq!(
        decode_all(&mut Decoder::new(limits), b"+1234567").unwrap(),
        vec![]
    );
    let err = decode_all(&mut Decoder::new(limits), b"+12345678").unwrap_err();
    assert!(err.to_string().contains("line longer than 8"));
    assert!(decode_all(&mut Decoder::new(limits), b"+12345678\r\n").is_err());
    let long = vec![b'a'; 64 * 1024 + 1];
    assert!(error(&[b"+".as_slice(), &long].concat()).contains("line longer"));
}

#[test]
fn streams_are_bounded() {
    let limits = Limits {
        max_bulk_len: 4,
        max_aggregate_len: 2,
        ..Limits::default()
    };
    let decode = |input: &[u8]| decode_all(&mut Decoder::new(limits), input);
    assert_eq!(
        decode(b"$?\r\n;2\r\nab\r\n;2\r\ncd\r\n;0\r\n").unwrap(),
        vec![bulk("abcd")]
    );
    assert!(decode(b"$?\r\n;2\r\nab\r\n;3\r\n").is_err());
    assert!(decode(b"$5\r\n").is_err());
    assert!(decode(b"*3\r\n").is_err());
    assert!(decode(b"*?\r\n:1\r\n:2\r\n:3\r\n").is_err());
    assert!(decode(b"%?\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n").is_err());
    assert_eq!(
        decode(b"%?\r\n:1\r\n:2\r\n:3\r\n:4\r\n.\r\n")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn an_error_poisons_the_decoder() {
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::from(&b"*2\r\n:1\r\n#x\r\n+OK\r\n"[..]);
    let first = decoder.decode(&mut buf).unwrap_err();
    let mut fresh = BytesMut::from(&b"+OK\r\n"[..]);
    let again = decoder.decode(&mut fresh).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Protocol);
    assert_eq!(again.to_string(), first.to_string());
}

#[test]
fn encodes_resp3() {
    let cases: Vec<(Value, &[u8])> = vec![
        (Value::Nil, b"_\r\n"),
        (simple("OK"), b"+OK\r\n"),
        (Value::Error(ServerError::parse("ERR bad")), b"-ERR bad\r\n"),
        (
            Value::Error(ServerError::parse("ERR a\r\nb")),
            b"!8\r\nERR a\r\nb\r\n",
        ),
        (Value::Integer(-3), b":-3\r\n"),
        (bulk("hi"), b"$2\r\nhi\r\n"),
        (Value::Double(f64::NEG_INFINITY), b",-inf\r\n"),
        (Value::Double(f64::NAN), b",nan\r\n"),
        (Value::Double(0.25), b",0.25\r\n"),
        (Value::Boolean(true), b"#t\r\n"),
        (Value::BigNumber("-9".into()), b"(-9\r\n"),
        (
            Value::Verbatim {
                format: *b"txt",
                text: Bytes::from_static(b"x"),
            },
            b"=5\r\ntxt:x\r\n",
        ),
        (
            Value::Map(vec![(simple("a"), Value::Set(vec![]))]),
            b"%1\r\n+a\r\n~0\r\n",
        ),
        (Value::Push(vec![Value::Array(vec![])]), b">1\r\n*0\r\n"),
        (
            Value::Attribute {
                attributes: vec![],
                value: Box::new(Value::Nil),
            },
            b"|0\r\n_\r\n",
        ),
    ];
    for (value, expected) in cases {
        let mut out = BytesMut::new();
        encode_value(&value, &mut out);
        assert_eq!(&out[..], expected, "{value:?}");
    }
}
