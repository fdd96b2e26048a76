#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::fields_de::from_fields;
use super::fields_ser::to_fields;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Status {
    Placed,
    Cancelled { reason: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Address {
    city: String,
    zip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: String,
    code: String,
    amount: f64,
    count: u32,
    paid: bool,
    status: Status,
    address: Address,
    lines: Vec<String>,
    note: Option<String>,
    tags: BTreeMap<String, i64>,
    initial: char,
}

fn order() -> Order {
    Order {
        id: "42".into(),
        code: "007".into(),
        amount: 12.5,
        count: 3,
        paid: true,
        status: Status::Placed,
        address: Address {
            city: "Paris".into(),
            zip: None,
        },
        lines: vec!["a".into(), "b".into()],
        note: None,
        tags: BTreeMap::from([("x".to_owned(), 1)]),
        initial: 'é',
    }
}

fn raw(fields: Vec<(String, Vec<u8>)>) -> Vec<(Vec<u8>, Vec<u8>)> {
    fields
        .into_iter()
        .map(|(n, v)| (n.into_bytes(), v))
        .collect()
}

fn text(fields: &[(String, Vec<u8>)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), std::str::from_utf8(v).unwrap()))
        .collect()
}

#[test]
fn scalars_are_text_nested_values_json_and_none_absent() {
    let fields = to_fields(&order()).unwrap();
    assert_eq!(
        text(&fields),
        [
            ("id", "42"),
            ("code", "007"),
            ("amount", "12.5"),
            ("count", "3"),
            ("paid", "true"),
            ("status", "Placed"),
            ("address", r#"{"city":"Paris","zip":null}"#),
            ("lines", r#"["a","b"]"#),
            ("tags", r#"{"x":1}"#),
            ("initial", "é"),
        ]
    );
}

#[test]
fn a_round_trip_keeps_strings_of_digits_as_strings() {
    let mut value = order();
    value.status = Status::Cancelled {
        reason: "late".into(),
    };
    value.note = Some("123".into());
    let back: Order = from_fields(&raw(to_fields(&value).unwrap())).unwrap();
    assert_eq!(back, value);
    assert_eq!(back.code, "007");
}

#[test]
fn a_field_of_the_wrong_type_names_the_field() {
    let mut fields = raw(to_fields(&order()).unwrap());
    fields[3].1 = b"three".to_vec();
    let error = from_fields::<Order>(&fields).unwrap_err().to_string();
    assert!(error.contains("count"), "{error}");
    assert!(error.contains("three"), "{error}");
}

#[test]
fn a_missing_field_is_an_error_and_a_missing_option_none() {
    let fields: Vec<_> = raw(to_fields(&order()).unwrap())
        .into_iter()
        .filter(|(n, _)| n != b"paid")
        .collect();
    let error = from_fields::<Order>(&fields).unwrap_err().to_string();
    assert!(error.contains("paid"), "{error}");
}

#[test]
fn maps_become_fields_and_only_records_are_entries() {
    let map = BTreeMap::from([("a", 1), ("b", 2)]);
    assert_eq!(text(&to_fields(&map).unwrap()), [("a", "1"), ("b", "2")]);
    assert!(to_fields(&5).is_err());
    assert!(to_fields(&vec![1]).is_err());
    #[derive(Serialize)]
    struct Empty {
        x: Option<u8>,
    }
    assert!(to_fields(&Empty { x: None }).is_err());
}

#[test]
fn bools_read_one_and_zero_and_floats_read_infinities() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Flags {
        on: bool,
        off: bool,
        big: f64,
    }
    let fields = vec![
        (b"on".to_vec(), b"1".to_vec()),
        (b"off".to_vec(), b"false".to_vec()),
        (b"big".to_vec(), b"inf".to_vec()),
    ];
    let flags: Flags = from_fields(&fields).unwrap();
    assert_eq!(
        flags,
        Flags {
            on: true,
            off: false,
            big: f64::INFINITY
        }
    );
    let written = to_fields(&flags).unwrap();
    assert_eq!(text(&written)[2], ("big", "inf"));
}

#[test]
fn trimming_is_approximate_unless_asked_otherwise() {
    use redis_core::commands::{StreamId, StreamTrim, xadd_with};

    use super::EventStream;

    let args = |stream: EventStream<Order, ()>| -> Vec<String> {
        xadd_with("k", [("f", "v")], stream.options())
            .into_cmd()
            .args()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect()
    };
    let plain = EventStream::<Order, ()>::new((), "k");
    assert_eq!(args(plain.clone()), ["XADD", "k", "*", "f", "v"]);
    assert_eq!(
        args(plain.clone().max_len(10)),
        ["XADD", "k", "MAXLEN", "~", "10", "*", "f", "v"]
    );
    assert_eq!(
        args(plain.clone().min_id(StreamId::new(5, 0))),
        ["XADD", "k", "MINID", "~", "5-0", "*", "f", "v"]
    );
    assert_eq!(
        args(plain.trim(StreamTrim::max_len(3).exact())),
        ["XADD", "k", "MAXLEN", "=", "3", "*", "f", "v"]
    );
}
