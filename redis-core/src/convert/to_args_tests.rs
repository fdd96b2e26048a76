//! Tests of [`ToArgs`]: the exact arguments each type sends.
#![allow(clippy::unwrap_used)]

use bytes::Bytes;
use proptest::prelude::*;

use super::ToArgs;
use crate::Cmd;

/// The arguments `value` adds after the command name.
fn args<T: ToArgs + ?Sized>(value: &T) -> Vec<Vec<u8>> {
    Cmd::new("X")
        .arg(value)
        .args()
        .skip(1)
        .map(<[u8]>::to_vec)
        .collect()
}

fn texts(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn strings_are_one_argument() {
    assert_eq!(args("hello world"), texts(&["hello world"]));
    assert_eq!(args(&String::from("x y")), texts(&["x y"]));
    assert_eq!(args(&&&"ref"), texts(&["ref"]));
    assert_eq!(args(""), texts(&[""]));
}

#[test]
fn bytes_are_one_binary_argument() {
    let raw: &[u8] = b"\x00\xff\r\n";
    assert_eq!(args(raw), vec![raw.to_vec()]);
    assert_eq!(args(&raw.to_vec()), vec![raw.to_vec()]);
    assert_eq!(args(b"abc"), texts(&["abc"]));
    assert_eq!(args(&Bytes::from_static(b"\x01\x02")), vec![vec![1, 2]]);
    // An empty byte string is still an argument, unlike an empty list.
    assert_eq!(args(&Vec::<u8>::new()), vec![Vec::<u8>::new()]);
    assert_eq!(args(&Vec::<String>::new()), Vec::<Vec<u8>>::new());
}

#[test]
fn a_single_u8_is_a_number() {
    assert_eq!(args(&7u8), texts(&["7"]));
    assert_eq!(args(&255u8), texts(&["255"]));
}

#[test]
fn integers_are_decimal_text() {
    assert_eq!(args(&i8::MIN), texts(&["-128"]));
    assert_eq!(args(&i16::MAX), texts(&["32767"]));
    assert_eq!(args(&-42i32), texts(&["-42"]));
    assert_eq!(args(&i64::MIN), texts(&["-9223372036854775808"]));
    assert_eq!(args(&i128::MAX), texts(&[&i128::MAX.to_string()]));
    assert_eq!(args(&-1isize), texts(&["-1"]));
    assert_eq!(args(&u16::MAX), texts(&["65535"]));
    assert_eq!(args(&u32::MAX), texts(&["4294967295"]));
    assert_eq!(args(&u64::MAX), texts(&["18446744073709551615"]));
    assert_eq!(args(&u128::MAX), texts(&[&u128::MAX.to_string()]));
    assert_eq!(args(&0usize), texts(&["0"]));
}

#[test]
fn booleans_are_one_and_zero() {
    assert_eq!(args(&true), texts(&["1"]));
    assert_eq!(args(&false), texts(&["0"]));
}

#[test]
fn floats_are_text_redis_parses() {
    assert_eq!(args(&1.5f64), texts(&["1.5"]));
    assert_eq!(args(&-0.25f64), texts(&["-0.25"]));
    assert_eq!(args(&3.0f64), texts(&["3"]));
    assert_eq!(args(&f64::INFINITY), texts(&["inf"]));
    assert_eq!(args(&f64::NEG_INFINITY), texts(&["-inf"]));
    assert_eq!(args(&f64::NAN), texts(&["nan"]));
    assert_eq!(args(&0.1f32), texts(&["0.1"]));
    assert_eq!(args(&f32::NEG_INFINITY), texts(&["-inf"]));
    assert_eq!(args(&f32::NAN), texts(&["nan"]));
}

#[test]
fn options_add_their_value_or_nothing() {
    assert_eq!(args(&Some("x")), texts(&["x"]));
    assert_eq!(args(&None::<&str>), Vec::<Vec<u8>>::new());
    assert_eq!(args(&[Some(1), None, Some(3)]), texts(&["1", "3"]));
}

#[test]
fn sequences_expand_to_their_elements() {
    assert_eq!(args(&["a", "b"][..]), texts(&["a", "b"]));
    assert_eq!(args(&vec![1i64, 2, 3]), texts(&["1", "2", "3"]));
    assert_eq!(args(&[1.5f64; 2]), texts(&["1.5", "1.5"]));
    assert_eq!(
        args(&vec![String::from("k1"), String::from("k2")]),
        texts(&["k1", "k2"])
    );
    // A list of byte strings is a list of binary arguments.
    assert_eq!(
        args(&vec![b"ab".to_vec(), b"c".to_vec()]),
        texts(&["ab", "c"])
    );
    assert_eq!(args(&[&b"ab"[..], b""]), texts(&["ab", ""]));
    assert_eq!(
        args(&vec![vec!["a", "b"], vec!["c"]]),
        texts(&["a", "b", "c"])
    );
}

#[test]
fn tuples_expand_in_order() {
    assert_eq!(
        args(&[("field", "value"), ("f2", "v2")][..]),
        texts(&["field", "value", "f2", "v2"])
    );
    assert_eq!(args(&("member", 1.5f64)), texts(&["member", "1.5"]));
    assert_eq!(args(&(1u8,)), texts(&["1"]));
    assert_eq!(
        args(&(1, "a", 2.5, true, None::<i32>, Some(b"z"))),
        texts(&["1", "a", "2.5", "1", "z"])
    );
}

#[test]
fn trait_objects_work() {
    let mixed: Vec<&dyn ToArgs> = vec![&"SET", &42u16, &b"raw"];
    assert_eq!(args(&mixed), texts(&["SET", "42", "raw"]));
}

proptest! {
    #[test]
    fn integers_parse_back(n in any::<i64>()) {
        let sent = args(&n);
        prop_assert_eq!(sent.len(), 1);
        prop_assert_eq!(std::str::from_utf8(&sent[0]).unwrap().parse::<i64>().unwrap(), n);
    }

    #[test]
    fn finite_floats_parse_back(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
        let sent = args(&x);
        prop_assert_eq!(std::str::from_utf8(&sent[0]).unwrap().parse::<f64>().unwrap(), x);
    }

    #[test]
    fn any_bytes_are_one_argument(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(args(&bytes), vec![bytes.clone()]);
    }
}
