//! Tests of [`FromValue`]: accepted shapes, refusals, and that the RESP2 and
//! RESP3 forms of one reply give the same Rust value.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::hash::BuildHasherDefault;

use bytes::Bytes;
use proptest::prelude::*;

use super::FromValue;
use super::to_args::format_double;
use crate::{ErrorKind, ServerError, Value};

fn bulk(text: &str) -> Value {
    Value::BulkString(Bytes::copy_from_slice(text.as_bytes()))
}

fn simple(text: &str) -> Value {
    Value::SimpleString(Bytes::copy_from_slice(text.as_bytes()))
}

fn int(n: i64) -> Value {
    Value::Integer(n)
}

fn array(items: Vec<Value>) -> Value {
    Value::Array(items)
}

fn map(entries: Vec<(Value, Value)>) -> Value {
    Value::Map(entries)
}

fn with_attribute(value: Value) -> Value {
    Value::Attribute {
        attributes: vec![(simple("key-popularity"), int(1))],
        value: Box::new(value),
    }
}

fn convert<T: FromValue>(value: Value) -> T {
    T::from_value(value).unwrap()
}

/// Checks the error is a Type error whose message names both sides.
#[track_caller]
fn assert_mismatch<T: FromValue + Debug>(value: Value, expected: &str) {
    let received = value.type_name();
    assert_mismatch_in::<T>(value, expected, received);
}

/// As [`assert_mismatch`], for a mismatch inside the reply (an element).
#[track_caller]
fn assert_mismatch_in<T: FromValue + Debug>(value: Value, expected: &str, received: &str) {
    let err = T::from_value(value).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    let message = err.to_string();
    assert!(
        message.contains(expected),
        "{message:?} should name {expected:?}"
    );
    assert!(
        message.contains(received),
        "{message:?} should name {received:?}"
    );
}

/// An error reply, bare or under an attribute, is a Server error keeping its code.
#[track_caller]
fn assert_server_error<T: FromValue + Debug>() {
    let error = Value::Error(ServerError::parse("WRONGTYPE Operation against a key"));
    for value in [error.clone(), with_attribute(error)] {
        let err = T::from_value(value).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert_eq!(
            err.server_error().unwrap().message(),
            "Operation against a key"
        );
    }
}

#[test]
fn error_replies_are_server_errors_for_every_type() {
    assert_server_error::<()>();
    assert_server_error::<i8>();
    assert_server_error::<u64>();
    assert_server_error::<i128>();
    assert_server_error::<f64>();
    assert_server_error::<f32>();
    assert_server_error::<bool>();
    assert_server_error::<String>();
    assert_server_error::<Vec<u8>>();
    assert_server_error::<Bytes>();
    assert_server_error::<Option<i64>>();
    assert_server_error::<Vec<String>>();
    assert_server_error::<Vec<(String, f64)>>();
    assert_server_error::<HashSet<String>>();
    assert_server_error::<BTreeSet<String>>();
    assert_server_error::<HashMap<String, String>>();
    assert_server_error::<BTreeMap<String, String>>();
    assert_server_error::<(i64,)>();
    assert_server_error::<(i64, String)>();
    assert_server_error::<(i64, String, bool)>();
}

#[test]
fn error_elements_fail_the_conversion() {
    let reply = array(vec![int(1), Value::Error(ServerError::parse("ERR boom"))]);
    let err = Vec::<i64>::from_value(reply).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.code(), Some("ERR"));
}

#[test]
fn value_is_the_raw_reply() {
    let reply = with_attribute(array(vec![
        Value::Error(ServerError::parse("ERR x")),
        int(1),
    ]));
    assert_eq!(convert::<Value>(reply.clone()), reply);
}

#[test]
fn attributes_are_seen_through() {
    assert_eq!(convert::<i64>(with_attribute(int(5))), 5);
    assert_eq!(convert::<String>(with_attribute(bulk("v"))), "v");
    assert_eq!(convert::<Option<i64>>(with_attribute(Value::Nil)), None);
    assert_eq!(
        convert::<Vec<i64>>(array(vec![with_attribute(int(1)), int(2)])),
        [1, 2]
    );
    let nested = array(vec![with_attribute(array(vec![bulk("a"), int(1)]))]);
    assert_eq!(convert::<Vec<(String, i64)>>(nested), [("a".to_owned(), 1)]);
    let reply = with_attribute(map(vec![(bulk("k"), bulk("v"))]));
    assert_eq!(convert::<HashMap<String, String>>(reply)["k"], "v");
}

#[test]
fn unit_accepts_anything_but_errors() {
    convert::<()>(simple("OK"));
    convert::<()>(Value::Nil);
    convert::<()>(array(vec![int(1)]));
}

#[test]
fn integers_from_integer_replies_and_text() {
    assert_eq!(convert::<i64>(int(-7)), -7);
    assert_eq!(convert::<i64>(bulk("42")), 42);
    assert_eq!(convert::<i64>(simple("-3")), -3);
    assert_eq!(
        convert::<u64>(Value::BigNumber(u64::MAX.to_string())),
        u64::MAX
    );
    let big = "170141183460469231731687303715884105727";
    assert_eq!(convert::<i128>(Value::BigNumber(big.into())), i128::MAX);
    assert_eq!(convert::<i8>(int(-128)), i8::MIN);
    assert_eq!(convert::<u16>(int(65535)), u16::MAX);
    assert_eq!(convert::<usize>(bulk("12")), 12);
    assert_eq!(convert::<isize>(int(-12)), -12);
}

#[test]
fn out_of_range_integers_are_refused() {
    assert_mismatch::<i8>(int(300), "integer in i8 range");
    assert_mismatch::<i8>(int(-129), "integer in i8 range");
    assert_mismatch::<u16>(int(-1), "integer in u16 range");
    assert_mismatch::<u16>(bulk("70000"), "integer in u16 range");
    assert_mismatch::<u32>(int(i64::MAX), "integer in u32 range");
    assert_mismatch::<i64>(
        Value::BigNumber("9223372036854775808".into()),
        "integer in i64 range",
    );
}

#[test]
fn integers_refuse_other_shapes() {
    assert_mismatch::<i64>(Value::Nil, "integer");
    assert_mismatch::<i64>(Value::Double(1.0), "integer");
    assert_mismatch::<i64>(Value::Boolean(true), "integer");
    assert_mismatch::<i64>(bulk("1.5"), "integer");
    assert_mismatch::<i64>(bulk("twelve"), "integer");
    assert_mismatch::<i64>(bulk(""), "integer");
    assert_mismatch::<i64>(Value::BulkString(Bytes::from_static(b"\xff1")), "integer");
    assert_mismatch::<u32>(array(vec![int(1)]), "integer");
}

#[test]
fn floats_from_doubles_integers_and_text() {
    assert_eq!(convert::<f64>(Value::Double(1.5)), 1.5);
    assert_eq!(convert::<f64>(int(3)), 3.0);
    assert_eq!(convert::<f64>(simple("-2.25")), -2.25);
    assert_eq!(
        convert::<f64>(Value::BigNumber("12345678901234567890".into())),
        1.2345678901234567e19
    );
    assert_eq!(convert::<f64>(bulk("inf")), f64::INFINITY);
    assert_eq!(convert::<f64>(bulk("+inf")), f64::INFINITY);
    assert_eq!(convert::<f64>(bulk("-inf")), f64::NEG_INFINITY);
    assert!(convert::<f64>(bulk("nan")).is_nan());
    assert!(convert::<f64>(Value::Double(f64::NAN)).is_nan());
    assert_eq!(convert::<f32>(Value::Double(0.1)), 0.1f32);
    assert_eq!(convert::<f32>(bulk("0.1")), 0.1f32);
    assert_eq!(convert::<f32>(int(-4)), -4.0);
}

#[test]
fn floats_refuse_other_shapes() {
    assert_mismatch::<f64>(bulk("1.5x"), "float");
    assert_mismatch::<f64>(Value::Nil, "float");
    assert_mismatch::<f64>(Value::Boolean(false), "float");
    assert_mismatch::<f32>(array(vec![]), "float");
}

#[test]
fn float_text_and_double_agree() {
    assert_eq!(
        convert::<f64>(bulk("1.5")),
        convert::<f64>(Value::Double(1.5))
    );
    assert_eq!(
        convert::<f64>(bulk("-inf")),
        convert::<f64>(Value::Double(f64::NEG_INFINITY))
    );
}

#[test]
fn booleans() {
    assert!(convert::<bool>(Value::Boolean(true)));
    assert!(!convert::<bool>(Value::Boolean(false)));
    assert!(convert::<bool>(int(1)));
    assert!(convert::<bool>(int(5)));
    assert!(!convert::<bool>(int(0)));
    assert!(convert::<bool>(simple("OK")));
    assert!(convert::<bool>(bulk("1")));
    assert!(!convert::<bool>(bulk("0")));
    assert_eq!(
        convert::<bool>(int(1)),
        convert::<bool>(Value::Boolean(true))
    );
    assert_eq!(
        convert::<bool>(int(0)),
        convert::<bool>(Value::Boolean(false))
    );
    assert_mismatch::<bool>(bulk("yes"), "boolean");
    assert_mismatch::<bool>(simple("QUEUED"), "boolean");
    assert_mismatch::<bool>(Value::Nil, "boolean");
    assert_mismatch::<bool>(Value::Double(1.0), "boolean");
}

#[test]
fn strings() {
    assert_eq!(convert::<String>(bulk("héllo")), "héllo");
    assert_eq!(convert::<String>(simple("OK")), "OK");
    let verbatim = Value::Verbatim {
        format: *b"txt",
        text: Bytes::from_static(b"# Server"),
    };
    assert_eq!(convert::<String>(verbatim), "# Server");
    assert_eq!(convert::<String>(int(-12)), "-12");
    assert_eq!(convert::<String>(Value::Double(1.5)), "1.5");
    assert_eq!(convert::<String>(Value::Double(f64::INFINITY)), "inf");
    assert_eq!(convert::<String>(Value::Double(f64::NAN)), "nan");
    assert_eq!(
        convert::<String>(Value::BigNumber("123456789012345678901".into())),
        "123456789012345678901"
    );
    assert_eq!(
        convert::<String>(Value::Double(1.5)),
        convert::<String>(bulk("1.5"))
    );
}

#[test]
fn strings_must_be_utf8() {
    let invalid = String::from_value(Value::BulkString(Bytes::from_static(b"ok\xff\xfe")));
    let message = invalid.unwrap_err().to_string();
    assert!(
        message.contains("bulk string that is not valid UTF-8 (invalid byte at offset 2)"),
        "{message}"
    );
    let verbatim = Value::Verbatim {
        format: *b"txt",
        text: Bytes::from_static(b"\xc3"),
    };
    assert_mismatch::<String>(verbatim, "not valid UTF-8");
    assert_mismatch::<String>(Value::Nil, "UTF-8 string");
    assert_mismatch::<String>(array(vec![bulk("a")]), "UTF-8 string");
    assert_mismatch::<String>(Value::Boolean(true), "UTF-8 string");
}

#[test]
fn bytes_are_raw() {
    let raw = Bytes::from_static(b"\x00\xff");
    assert_eq!(
        convert::<Vec<u8>>(Value::BulkString(raw.clone())),
        b"\x00\xff"
    );
    assert_eq!(convert::<Vec<u8>>(simple("OK")), b"OK");
    let verbatim = Value::Verbatim {
        format: *b"txt",
        text: raw.clone(),
    };
    assert_eq!(convert::<Bytes>(verbatim), raw);
    assert_eq!(
        convert::<Bytes>(simple("PONG")),
        Bytes::from_static(b"PONG")
    );
    assert_mismatch::<Vec<u8>>(int(1), "bytes");
    assert_mismatch::<Bytes>(Value::Nil, "bytes");
    assert_mismatch::<Bytes>(array(vec![]), "bytes");
}

#[test]
fn bytes_share_the_bulk_string_buffer() {
    let raw = Bytes::from(vec![7u8; 1024]);
    let converted = convert::<Bytes>(Value::BulkString(raw.clone()));
    assert_eq!(converted.as_ptr(), raw.as_ptr());
}

#[test]
fn options() {
    assert_eq!(convert::<Option<String>>(Value::Nil), None);
    assert_eq!(convert::<Option<String>>(bulk("x")), Some("x".to_owned()));
    assert_eq!(convert::<Option<Vec<u8>>>(bulk("x")), Some(b"x".to_vec()));
    assert_mismatch::<Option<i64>>(bulk("x"), "integer");
    let mget = array(vec![bulk("1"), Value::Nil, int(3)]);
    assert_eq!(convert::<Vec<Option<i64>>>(mget), [Some(1), None, Some(3)]);
}

#[test]
fn vectors_from_arrays_sets_and_pushes() {
    let items = vec![bulk("a"), bulk("b")];
    let expected = ["a".to_owned(), "b".to_owned()];
    assert_eq!(convert::<Vec<String>>(array(items.clone())), expected);
    assert_eq!(convert::<Vec<String>>(Value::Set(items.clone())), expected);
    assert_eq!(convert::<Vec<String>>(Value::Push(items)), expected);
    assert_eq!(convert::<Vec<String>>(Value::Nil), Vec::<String>::new());
    assert_eq!(
        convert::<Vec<Vec<u8>>>(array(vec![bulk("a")])),
        [b"a".to_vec()]
    );
    assert_mismatch::<Vec<i64>>(int(1), "array");
    let reply = array(vec![int(1), bulk("x")]);
    assert_mismatch_in::<Vec<i64>>(reply, "integer", "bulk string");
}

#[test]
fn a_map_into_a_plain_vector_is_flattened_as_resp2_sends_it() {
    let resp3 = map(vec![(bulk("f1"), bulk("v1")), (bulk("f2"), bulk("v2"))]);
    let resp2 = array(vec![bulk("f1"), bulk("v1"), bulk("f2"), bulk("v2")]);
    assert_eq!(convert::<Vec<String>>(resp3), convert::<Vec<String>>(resp2));
}

#[test]
fn sets_from_sets_and_arrays_agree() {
    let items = vec![bulk("a"), bulk("b"), bulk("a")];
    let from_set: HashSet<String> = convert(Value::Set(items.clone()));
    let from_array: HashSet<String> = convert(array(items.clone()));
    assert_eq!(from_set, from_array);
    assert_eq!(from_set.len(), 2);
    let ordered: BTreeSet<String> = convert(Value::Set(items.clone()));
    assert_eq!(ordered, convert::<BTreeSet<String>>(array(items)));
    assert!(convert::<HashSet<i64>>(Value::Nil).is_empty());
    assert_mismatch::<BTreeSet<i64>>(int(1), "set");
}

fn hgetall_forms() -> [Value; 3] {
    let (f1, v1, f2, v2) = (bulk("f1"), bulk("1"), bulk("f2"), bulk("2"));
    [
        map(vec![(f1.clone(), int(1)), (f2.clone(), int(2))]),
        array(vec![f1.clone(), v1.clone(), f2.clone(), v2.clone()]),
        array(vec![array(vec![f1, v1]), array(vec![f2, v2])]),
    ]
}

#[test]
fn maps_from_every_form_agree() {
    let expected = HashMap::from([("f1".to_owned(), 1i64), ("f2".to_owned(), 2)]);
    for form in hgetall_forms() {
        assert_eq!(convert::<HashMap<String, i64>>(form.clone()), expected);
        let ordered: BTreeMap<String, i64> = convert(form.clone());
        assert_eq!(ordered, expected.clone().into_iter().collect());
        type Hasher = BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
        let custom: HashMap<String, i64, Hasher> = convert(form);
        assert_eq!(custom.len(), 2);
    }
    assert!(convert::<HashMap<String, i64>>(Value::Nil).is_empty());
    assert!(convert::<BTreeMap<String, i64>>(map(vec![])).is_empty());
}

#[test]
fn maps_refuse_odd_flat_arrays_and_scalars() {
    let odd = array(vec![bulk("f1"), bulk("v1"), bulk("f2")]);
    assert_mismatch::<HashMap<String, String>>(odd.clone(), "key-value pairs");
    let err = BTreeMap::<String, String>::from_value(odd).unwrap_err();
    assert!(err.to_string().contains("array of 3 elements"), "{err}");
    assert_mismatch::<HashMap<String, String>>(bulk("x"), "map");
    let reply = map(vec![(bulk("k"), bulk("v"))]);
    assert_mismatch_in::<HashMap<String, i64>>(reply, "integer", "bulk string");
}

#[test]
fn pair_vectors_from_every_form_agree() {
    let expected = vec![("f1".to_owned(), 1i64), ("f2".to_owned(), 2)];
    for form in hgetall_forms() {
        assert_eq!(convert::<Vec<(String, i64)>>(form), expected);
    }
}

#[test]
fn zrange_withscores_is_the_same_in_resp2_and_resp3() {
    let resp2 = array(vec![bulk("a"), bulk("1.5"), bulk("b"), bulk("inf")]);
    let resp3 = array(vec![
        array(vec![bulk("a"), Value::Double(1.5)]),
        array(vec![bulk("b"), Value::Double(f64::INFINITY)]),
    ]);
    let from_resp2: Vec<(String, f64)> = convert(resp2);
    assert_eq!(from_resp2, convert::<Vec<(String, f64)>>(resp3));
    assert_eq!(
        from_resp2,
        [("a".to_owned(), 1.5), ("b".to_owned(), f64::INFINITY)]
    );
}

#[test]
fn xread_is_the_same_in_resp2_and_resp3() {
    let entries = || {
        array(vec![array(vec![
            bulk("1-0"),
            array(vec![bulk("temp"), bulk("21"), bulk("unit"), bulk("C")]),
        ])])
    };
    let resp2 = array(vec![array(vec![bulk("sensor"), entries()])]);
    let resp3 = map(vec![(bulk("sensor"), entries())]);
    type Streams = HashMap<String, Vec<(String, BTreeMap<String, String>)>>;
    let from_resp2: Streams = convert(resp2);
    assert_eq!(from_resp2, convert::<Streams>(resp3));
    assert_eq!(from_resp2["sensor"][0].1["unit"], "C");
}

#[test]
fn tuples_need_the_exact_length() {
    assert_eq!(convert::<(i64,)>(array(vec![int(1)])), (1,));
    assert_eq!(
        convert::<(String, i64)>(array(vec![bulk("a"), int(2)])),
        ("a".to_owned(), 2)
    );
    let push = Value::Push(vec![bulk("message"), bulk("news"), bulk("hi")]);
    let (kind, channel, payload): (String, String, Bytes) = convert(push);
    assert_eq!(
        (kind.as_str(), channel.as_str(), &payload[..]),
        ("message", "news", &b"hi"[..])
    );
    assert_mismatch::<(i64, i64)>(array(vec![int(1), int(2), int(3)]), "array of 2 elements");
    let err = <(i64, i64, i64)>::from_value(array(vec![int(1)])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "expected array of 3 elements, received array of 1 element"
    );
    assert_mismatch::<(i64, i64)>(int(1), "array of 2 elements");
    assert_mismatch::<(i64,)>(Value::Nil, "array of 1 element");
    let reply = array(vec![bulk("x"), bulk("y")]);
    assert_mismatch_in::<(i64, String)>(reply, "integer", "bulk string");
}

#[test]
fn tuples_up_to_twelve() {
    type Twelve = (
        i8,
        i16,
        i32,
        i64,
        u16,
        u32,
        u64,
        usize,
        f32,
        f64,
        String,
        bool,
    );
    let reply = array((1..=12).map(int).collect());
    let t: Twelve = convert(reply);
    assert_eq!(
        (t.0, t.3, t.9, t.10.as_str(), t.11),
        (1, 4, 10.0, "11", true)
    );
}

#[test]
fn nil_read_into_a_single_value_says_to_ask_for_an_option() {
    #[track_caller]
    fn hint<T: FromValue + Debug>(rust: &str) {
        let err = T::from_value(Value::Nil).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Type);
        let message = err.to_string();
        assert!(message.contains("received nil"), "{message}");
        let advice = format!("use Option<{rust}> for a key that may be missing");
        assert!(
            message.contains(&advice),
            "{message:?} should say {advice:?}"
        );
    }
    hint::<String>("String");
    hint::<i64>("i64");
    hint::<u32>("u32");
    hint::<f64>("f64");
    hint::<bool>("bool");
    hint::<Bytes>("Bytes");
    hint::<Vec<u8>>("Bytes");
    hint::<(String, String)>("(..)");
    // Other mismatches are not about a missing key.
    let message = String::from_value(array(vec![])).unwrap_err().to_string();
    assert!(!message.contains("Option"), "{message}");
    // Nil is still fine where it means something.
    assert_eq!(convert::<Option<String>>(Value::Nil), None);
    assert_eq!(convert::<Vec<String>>(Value::Nil), Vec::<String>::new());
}

proptest! {
    #[test]
    fn integers_read_the_same_from_integer_and_text(n in any::<i64>()) {
        prop_assert_eq!(convert::<i64>(int(n)), n);
        prop_assert_eq!(convert::<i64>(bulk(&n.to_string())), n);
        prop_assert_eq!(convert::<String>(int(n)), n.to_string());
    }

    #[test]
    fn narrow_integers_convert_exactly_when_in_range(n in any::<i64>()) {
        let expected = i16::try_from(n).ok();
        for form in [int(n), bulk(&n.to_string())] {
            match i16::from_value(form) {
                Ok(v) => prop_assert_eq!(Some(v), expected),
                Err(e) => {
                    prop_assert!(expected.is_none());
                    prop_assert_eq!(e.kind(), ErrorKind::Type);
                }
            }
        }
    }

    #[test]
    fn doubles_read_the_same_as_their_text(x in any::<f64>()) {
        let from_double: f64 = convert(Value::Double(x));
        let from_text: f64 = convert(bulk(&format_double(x)));
        prop_assert!(from_double == from_text || (x.is_nan() && from_text.is_nan()));
        prop_assert_eq!(convert::<String>(Value::Double(x)), format_double(x));
    }

    #[test]
    fn hashes_read_the_same_from_resp2_and_resp3(
        hash in proptest::collection::btree_map("[a-z]{0,8}", any::<i64>(), 0..16)
    ) {
        let resp3 = map(hash.iter().map(|(k, v)| (bulk(k), int(*v))).collect());
        let resp2 = array(hash.iter().flat_map(|(k, v)| [bulk(k), bulk(&v.to_string())]).collect());
        prop_assert_eq!(&convert::<BTreeMap<String, i64>>(resp3.clone()), &hash);
        prop_assert_eq!(&convert::<BTreeMap<String, i64>>(resp2.clone()), &hash);
        prop_assert_eq!(convert::<Vec<(String, i64)>>(resp3), convert::<Vec<(String, i64)>>(resp2));
    }
}

fn wrongtype() -> Value {
    Value::Error(ServerError::parse(
        "WRONGTYPE Operation against a key holding the wrong kind of value",
    ))
}

#[test]
fn a_result_keeps_an_error_reply_in_its_place() {
    let items =
        Vec::<crate::Result<i64>>::from_value(array(vec![int(1), wrongtype(), bulk("x")])).unwrap();
    assert_eq!(*items[0].as_ref().unwrap(), 1);
    assert_eq!(items[1].as_ref().unwrap_err().code(), Some("WRONGTYPE"));
    assert_eq!(items[2].as_ref().unwrap_err().kind(), ErrorKind::Type);
    // Without the Result, the error fails the whole.
    let err = Vec::<i64>::from_value(array(vec![int(1), wrongtype()])).unwrap_err();
    assert_eq!(err.code(), Some("WRONGTYPE"));
}

#[test]
fn batch_results_fail_fast_except_in_result_slots() {
    let failed = || crate::Error::server(ServerError::parse("WRONGTYPE wrong kind"));
    let results = || vec![Ok(int(1)), Err(failed()), Ok(int(3))];
    let err = <(i64, i64, i64)>::from_results(results()).unwrap_err();
    assert_eq!(err.code(), Some("WRONGTYPE"));
    let (a, b, c) = <(i64, crate::Result<i64>, i64)>::from_results(results()).unwrap();
    assert_eq!((a, c), (1, 3));
    assert_eq!(b.unwrap_err().code(), Some("WRONGTYPE"));
    let each = Vec::<crate::Result<i64>>::from_results(results()).unwrap();
    assert_eq!(each.len(), 3);
    assert!(Vec::<i64>::from_results(results()).is_err());
    assert!(
        <(i64, i64)>::from_results(results()).is_err(),
        "three replies for two"
    );
    <()>::from_results(Vec::new()).unwrap();
}
