//! The schema texts and fingerprints of Rust models equivalent to the Python
//! models of `docs/interop/redis-om-python-1.1.md`, spelled out from the
//! notes (and, where a model differs from the captured one, from Redis OM
//! Python 1.1 run on the equivalent Python model).

#![allow(clippy::unwrap_used, dead_code)]

use super::{fingerprint, float_repr, schema};
use crate::index::{DistanceMetric, Index, VectorAlgorithm, VectorIndex, VectorType};
use crate::layout::Layout;
use crate::model::{FieldInfo, ModelInfo, StorageKind};
use crate::schema::ModelIndex;
use crate::{Model, RedisModel};

/// `CustomerH` of the notes, described by hand: no macro involved.
static CUSTOMER_H: ModelInfo = ModelInfo::new(
    "CustomerH",
    StorageKind::Hash,
    "pk",
    &[
        FieldInfo::new("id").stored_as("pk"),
        FieldInfo::new("first_name").indexed(Index::of::<String>()),
        FieldInfo::new("embedding").indexed(Index::vector(VectorIndex::new(
            3,
            DistanceMetric::Cosine,
            VectorAlgorithm::Hnsw,
            VectorType::Float32,
        ))),
    ],
)
.with_prefix("omres:customerh")
.with_layout(Layout::Python);

const CUSTOMER_H_SCHEMA: &str = "ON HASH PREFIX 1 omres:customerh: SCHEMA pk TAG SEPARATOR | \
     first_name TAG SEPARATOR | embedding VECTOR HNSW 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE";

/// Captured from Python: `omres:customerh:index:hash`.
const CUSTOMER_H_HASH: &str = "f9c94a1dfc5e4ec3302fd3416b2993f77cc46460";

fn words(index: &ModelIndex) -> Vec<String> {
    index
        .create()
        .args()
        .map(|arg| String::from_utf8(arg.to_vec()).unwrap())
        .collect()
}

#[test]
fn customer_h_described_by_hand_is_pythons_byte_for_byte() {
    assert_eq!(schema(&CUSTOMER_H, "omres:customerh"), CUSTOMER_H_SCHEMA);
    assert_eq!(fingerprint(CUSTOMER_H_SCHEMA), CUSTOMER_H_HASH);

    let index = ModelIndex::of(&CUSTOMER_H, "omres:customerh").unwrap();
    assert_eq!(index.name(), "omres:customerh:index");
    assert_eq!(index.prefix(), "omres:customerh:");
    assert_eq!(index.python_schema(), Some(CUSTOMER_H_SCHEMA));
    assert_eq!(index.fingerprint(), CUSTOMER_H_HASH);
    assert!(index.schema().is_none());
    // What Python's client sends: the text split on whitespace.
    let mut expected = vec!["FT.CREATE".to_owned(), "omres:customerh:index".to_owned()];
    expected.extend(CUSTOMER_H_SCHEMA.split_whitespace().map(str::to_owned));
    assert_eq!(words(&index), expected);
}

#[derive(RedisModel)]
#[redis(layout = "python", prefix = "omres:customerh")]
struct CustomerH {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    first_name: String,
    #[redis(index(vector(dim = 3, metric = "cosine", algorithm = "hnsw")))]
    embedding: [f32; 3],
}

#[test]
fn customer_h_derived_is_pythons_byte_for_byte() {
    let info = CustomerH::info();
    assert_eq!(info.layout(), Layout::Python);
    assert_eq!(
        info.pk(),
        "pk",
        "the key is stored as `pk` whatever the field's name"
    );
    let index = ModelIndex::of(info, info.prefix()).unwrap();
    assert_eq!(index.python_schema(), Some(CUSTOMER_H_SCHEMA));
    assert_eq!(index.fingerprint(), CUSTOMER_H_HASH);
}

#[test]
fn the_prefix_is_the_one_keys_are_under() {
    let index = ModelIndex::of(CustomerH::info(), "tenant:customerh").unwrap();
    assert_eq!(index.name(), "tenant:customerh:index");
    assert_eq!(
        index.python_schema().unwrap(),
        CUSTOMER_H_SCHEMA.replace("omres:customerh:", "tenant:customerh:")
    );
}

#[test]
fn a_given_index_name_is_kept_verbatim() {
    #[derive(RedisModel)]
    #[redis(layout = "python", prefix = "omres:ci", index = "omres-my-index")]
    struct Ci {
        #[redis(pk)]
        pk: String,
        #[redis(index)]
        n: u32,
    }
    let index = ModelIndex::of(Ci::info(), "omres:ci").unwrap();
    assert_eq!(index.name(), "omres-my-index");
    assert_eq!(
        index.python_schema(),
        Some("ON HASH PREFIX 1 omres:ci: SCHEMA pk TAG SEPARATOR | n NUMERIC")
    );
}

#[test]
fn a_model_without_indexed_fields_has_no_index() {
    #[derive(RedisModel)]
    #[redis(layout = "python")]
    struct Plain {
        #[redis(pk)]
        id: String,
        name: String,
    }
    assert!(ModelIndex::of(Plain::info(), "plain").is_none());
}

#[test]
fn the_default_layouts_fingerprint_is_the_sha1_of_its_arguments() {
    #[derive(RedisModel)]
    #[redis(prefix = "omres:customerh")]
    struct DefaultLayout {
        #[redis(pk)]
        id: String,
        #[redis(index)]
        first_name: String,
    }
    let index = ModelIndex::of(DefaultLayout::info(), "omres:customerh").unwrap();
    assert!(index.python_schema().is_none());
    assert_eq!(
        index.fingerprint(),
        fingerprint("ON HASH PREFIX 1 omres:customerh: SCHEMA first_name TAG")
    );
}

#[test]
fn node_is_the_defaults_naming() {
    #[derive(RedisModel)]
    #[redis(layout = "node", prefix = "omres:ncustomer")]
    struct NCustomer {
        #[redis(pk)]
        id: String,
        #[redis(index)]
        first_name: String,
    }
    let info = NCustomer::info();
    assert_eq!(info.layout(), Layout::Node);
    assert_eq!(info.pk(), "id");
    let index = ModelIndex::of(info, info.prefix()).unwrap();
    assert_eq!(index.name(), "omres:ncustomer:index");
    assert_eq!(index.prefix(), "omres:ncustomer:");
    assert!(index.python_schema().is_none());
}

#[test]
fn floats_are_written_as_pythons_repr() {
    // Each pair checked against Python 3.11's repr(float).
    let cases: [(f64, &str); 19] = [
        (3.5, "3.5"),
        (0.1, "0.1"),
        (1e20, "1e+20"),
        (1e-7, "1e-07"),
        (123456789.12345679, "123456789.12345679"),
        (-0.0, "-0.0"),
        (0.0, "0.0"),
        (100.0, "100.0"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (9999999999999998.0, "9999999999999998.0"),
        (12345678901234567.0, "1.2345678901234568e+16"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (1.5e-7, "1.5e-07"),
        (f64::MAX, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
        (-4861728000.0, "-4861728000.0"),
        (1704164645.123456, "1704164645.123456"),
    ];
    for (value, repr) in cases {
        assert_eq!(float_repr(value), repr, "{value:e}");
    }
    // An f32 keeps its own shortest digits (Python has no f32).
    assert_eq!(float_repr(0.1f32), "0.1");
    assert_eq!(float_repr(16777216f32), "16777216.0");
}

#[cfg(feature = "chrono")]
mod with_dates {
    use chrono::{DateTime, NaiveDate, Utc};
    use serde::{Deserialize, Serialize};

    use super::*;

    /// The notes' `Customer`, every field of it.
    #[derive(RedisModel)]
    #[redis(layout = "python", prefix = "omres:customer")]
    struct Customer {
        #[redis(pk)]
        id: String,
        #[redis(index)]
        first_name: String,
        #[redis(index(full_text_search))]
        last_name: String,
        #[redis(index(case_sensitive))]
        email: String,
        #[redis(index(sortable))]
        age: i64,
        #[redis(index)]
        score: f64,
        #[redis(index)]
        active: bool,
        #[redis(index)]
        joined: DateTime<Utc>,
        birthday: NaiveDate,
        bio: Option<String>,
        #[redis(index)]
        nickname: Option<String>,
        #[redis(index(vector(dim = 3, metric = "cosine", algorithm = "flat")))]
        embedding: [f32; 3],
    }

    fn ada() -> Customer {
        Customer {
            id: "01M97AS88E28GA3V0KPVNK9VJX".to_owned(),
            first_name: "Ada".to_owned(),
            last_name: "Lovelace".to_owned(),
            email: "Ada@Example.com".to_owned(),
            age: 36,
            score: 3.5,
            active: true,
            joined: DateTime::from_timestamp(1704164645, 123_456_000).unwrap(),
            birthday: NaiveDate::from_ymd_opt(1815, 12, 10).unwrap(),
            bio: None,
            nickname: None,
            embedding: [0.1, 0.2, 0.3],
        }
    }

    fn saved(customer: &Customer) -> Vec<Vec<Vec<u8>>> {
        let pk = customer.id.clone();
        let key = format!("omres:customer:{pk}");
        let cmds =
            <crate::Hash as crate::Storage<Customer>>::save(customer, &pk, &key, None).unwrap();
        cmds.iter()
            .map(|cmd| cmd.args().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn words_of(line: &str) -> Vec<Vec<u8>> {
        line.split(' ')
            .map(|word| word.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn a_customer_is_saved_as_python_saves_it_but_the_vector() {
        // The notes' HSET, with the embedding's 12 little-endian FLOAT32
        // bytes where Python writes their base64 text (`zczMPc3MTD6amZk+`).
        let mut hset = words_of(
            "HSET omres:customer:01M97AS88E28GA3V0KPVNK9VJX pk 01M97AS88E28GA3V0KPVNK9VJX \
             first_name Ada last_name Lovelace email Ada@Example.com age 36 score 3.5 \
             active 1 joined 1704164645.123456 birthday -4861728000.0 embedding",
        );
        let bytes: Vec<u8> = [0.1f32, 0.2, 0.3]
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        assert_eq!(
            bytes,
            [
                0xcd, 0xcc, 0xcc, 0x3d, 0xcd, 0xcc, 0x4c, 0x3e, 0x9a, 0x99, 0x99, 0x3e
            ]
        );
        hset.push(bytes);
        let hdel = words_of("HDEL omres:customer:01M97AS88E28GA3V0KPVNK9VJX bio nickname");
        assert_eq!(saved(&ada()), [hset, hdel]);

        // The notes' second record: whole seconds and a date after 1970.
        let bob = Customer {
            id: "01M97AS88FBN07RCZ9FTR62SEX".to_owned(),
            first_name: "Bob".to_owned(),
            last_name: "Smith Jr".to_owned(),
            email: "b@x.io".to_owned(),
            age: -7,
            score: 0.1,
            active: false,
            joined: DateTime::from_timestamp(1704164645, 0).unwrap(),
            birthday: NaiveDate::from_ymd_opt(2000, 2, 29).unwrap(),
            bio: Some("hello | world".to_owned()),
            nickname: Some("bobby".to_owned()),
            embedding: [1.0, -2.5, 1e-7],
        };
        let saved = saved(&bob);
        let texts: Vec<String> = saved[0][..saved[0].len() - 1]
            .iter()
            .map(|word| String::from_utf8(word.clone()).unwrap())
            .collect();
        assert_eq!(
            texts,
            [
                "HSET",
                "omres:customer:01M97AS88FBN07RCZ9FTR62SEX",
                "pk",
                "01M97AS88FBN07RCZ9FTR62SEX",
                "first_name",
                "Bob",
                "last_name",
                "Smith Jr",
                "email",
                "b@x.io",
                "age",
                "-7",
                "score",
                "0.1",
                "active",
                "0",
                "joined",
                "1704164645.0",
                "birthday",
                "951782400.0",
                "bio",
                "hello | world",
                "nickname",
                "bobby",
                "embedding",
            ]
        );
        assert_eq!(saved.len(), 1, "nothing to remove");
    }

    #[test]
    fn customer_is_pythons_byte_for_byte() {
        let index = ModelIndex::of(Customer::info(), "omres:customer").unwrap();
        assert_eq!(index.name(), "omres:customer:index");
        assert_eq!(
            index.python_schema(),
            Some(
                "ON HASH PREFIX 1 omres:customer: SCHEMA pk TAG SEPARATOR | \
                 first_name TAG SEPARATOR | last_name TAG SEPARATOR | \
                 last_name AS last_name_fts TEXT email TAG SEPARATOR | CASESENSITIVE \
                 age NUMERIC SORTABLE score NUMERIC active TAG joined NUMERIC \
                 nickname TAG SEPARATOR | \
                 embedding VECTOR FLAT 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE"
            )
        );
        // Captured from Python: `omres:customer:index:hash`.
        assert_eq!(
            index.fingerprint(),
            "69795d8fff19f43514de625a0dd64fe49a54a6ec"
        );
        // The notes' MONITOR capture: 52 arguments.
        let created = words(&index);
        assert_eq!(created.len(), 52);
        assert_eq!(
            created[2..].join(" "),
            index.python_schema().unwrap(),
            "no double spaces in a hash schema"
        );
    }

    /// The notes' `HashMisc` (whose capture does not name its fields'
    /// options; these are the ones that give its text), with two fields
    /// more: a case-sensitive and a sortable TAG.
    #[derive(RedisModel)]
    #[redis(layout = "python", prefix = "omres:hashmisc")]
    struct HashMisc {
        #[redis(pk)]
        pk: String,
        #[redis(index(full_text_search, sortable))]
        title: String,
        #[redis(index(separator = ","))]
        sep: String,
        #[redis(index(sortable))]
        flag: bool,
        #[redis(index)]
        d: NaiveDate,
        #[redis(index)]
        maybe: Option<i64>,
        #[redis(index(case_sensitive))]
        code: String,
        #[redis(index(sortable))]
        uid: uuid::Uuid,
    }

    #[test]
    fn hash_misc_is_pythons_byte_for_byte() {
        let index = ModelIndex::of(HashMisc::info(), "omres:hashmisc").unwrap();
        let captured = "ON HASH PREFIX 1 omres:hashmisc: SCHEMA pk TAG SEPARATOR | \
                        title TAG SEPARATOR | title AS title_fts TEXT SORTABLE \
                        sep TAG SEPARATOR , flag TAG SORTABLE d NUMERIC maybe NUMERIC";
        let text = index.python_schema().unwrap();
        assert_eq!(
            text,
            format!("{captured} code TAG SEPARATOR | CASESENSITIVE uid TAG SEPARATOR | SORTABLE")
        );
        // Redis OM Python 1.1 on the same model (a `str` for the UUID).
        assert_eq!(
            index.fingerprint(),
            "492a78dbdcc73aca9088bf6d50b1d0413291fbe9"
        );
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(embedded)]
    struct Address {
        #[redis(index)]
        city: String,
        zip: String,
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(embedded)]
    struct Item {
        #[redis(index)]
        sku: String,
        qty: u32,
    }

    /// The notes' `Order`, every field of it, the embedded models'
    /// indexed fields included.
    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(layout = "python", storage = "json", prefix = "omres:order")]
    struct Order {
        #[redis(pk)]
        pk: String,
        #[redis(index)]
        customer: String,
        #[redis(index(sortable))]
        total: f64,
        #[redis(index)]
        tags: Vec<String>,
        #[redis(embed)]
        items: Vec<Item>,
        #[redis(index)]
        #[serde(with = "crate::epoch_seconds")]
        placed: DateTime<Utc>,
        #[redis(index)]
        paid: bool,
        note: Option<String>,
        #[redis(embed)]
        address: Address,
    }

    /// Captured from Python: `omres:order:index:schema`, with its two
    /// spaces after `$.paid AS paid TAG` (the part of `note`).
    const ORDER_SCHEMA: &str = "ON JSON PREFIX 1 omres:order: SCHEMA $.pk AS pk TAG SEPARATOR | \
                                $.customer AS customer TAG SEPARATOR | $.total AS total NUMERIC SORTABLE \
                                $.tags[*] AS tags TAG SEPARATOR | $.items[*].sku AS items_sku TAG SEPARATOR | \
                                $.placed AS placed NUMERIC $.paid AS paid TAG  \
                                $.address.city AS address_city TAG SEPARATOR |";

    /// Captured from Python: `omres:order:index:hash`.
    const ORDER_HASH: &str = "38f3bb9c9237dfd27b167d5a65487baca334b3bd";

    #[test]
    fn order_is_pythons_byte_for_byte() {
        let index = ModelIndex::of(Order::info(), "omres:order").unwrap();
        assert_eq!(index.name(), "omres:order:index");
        assert_eq!(index.python_schema(), Some(ORDER_SCHEMA));
        assert_eq!(fingerprint(ORDER_SCHEMA), ORDER_HASH);
        assert_eq!(index.fingerprint(), ORDER_HASH);
        // The 51 arguments MONITOR captured (`ft.create` in lower case on
        // Python's wire): the double space vanishes, as with Python's
        // client.
        let created = words(&index);
        assert_eq!(created.len(), 51);
        assert_eq!(
            created[1..].join(" "),
            "omres:order:index ON JSON PREFIX 1 omres:order: SCHEMA $.pk AS pk TAG SEPARATOR | \
             $.customer AS customer TAG SEPARATOR | $.total AS total NUMERIC SORTABLE \
             $.tags[*] AS tags TAG SEPARATOR | $.items[*].sku AS items_sku TAG SEPARATOR | \
             $.placed AS placed NUMERIC $.paid AS paid TAG \
             $.address.city AS address_city TAG SEPARATOR |"
        );
    }

    /// `Order` with nothing indexed in `Item` and `Address`: the embedded
    /// parts are empty.
    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(embedded)]
    struct Quiet {
        zip: String,
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(layout = "python", storage = "json", prefix = "omres:order")]
    struct QuietOrder {
        #[redis(pk)]
        pk: String,
        #[redis(index)]
        customer: String,
        #[redis(index(sortable))]
        total: f64,
        #[redis(index)]
        tags: Vec<String>,
        #[redis(embed)]
        items: Vec<Quiet>,
        #[redis(index)]
        #[serde(with = "crate::epoch_seconds")]
        placed: DateTime<Utc>,
        #[redis(index)]
        paid: bool,
        note: Option<String>,
        address: Quiet,
    }

    #[test]
    fn embedded_models_without_indexed_fields_leave_empty_parts() {
        let expected = "ON JSON PREFIX 1 omres:order: SCHEMA $.pk AS pk TAG SEPARATOR | \
                        $.customer AS customer TAG SEPARATOR | $.total AS total NUMERIC SORTABLE \
                        $.tags[*] AS tags TAG SEPARATOR |  \
                        $.placed AS placed NUMERIC $.paid AS paid TAG  ";
        // Exactly the two embedded parts of the captured text left empty.
        assert_eq!(
            ORDER_SCHEMA
                .replace("$.items[*].sku AS items_sku TAG SEPARATOR |", "")
                .replace("$.address.city AS address_city TAG SEPARATOR |", ""),
            expected
        );
        let index = ModelIndex::of(QuietOrder::info(), "omres:order").unwrap();
        assert_eq!(index.python_schema(), Some(expected));
        // Redis OM Python 1.1 on `Order` with nothing indexed in `Item`
        // and `Address`: the same text, this SHA-1.
        assert_eq!(
            index.fingerprint(),
            "48f16090b47de1b510dd37ab76dcf6e2b51d83a6"
        );
        let created = words(&index);
        assert!(created.iter().all(|word| !word.is_empty()));
    }

    /// The notes' `Misc` `geo` part: an embedded model's full-text string
    /// and date, nested names joined with `_`.
    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(embedded)]
    struct Geo {
        #[redis(index(full_text_search))]
        street: String,
        #[redis(index)]
        #[serde(with = "crate::epoch_seconds")]
        when: NaiveDate,
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(embedded)]
    struct GeoL {
        #[redis(index)]
        street: String,
        n: i64,
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(layout = "python", storage = "json", prefix = "omres:misc")]
    struct Places {
        #[redis(pk)]
        pk: String,
        #[redis(embed)]
        geo: Geo,
        #[redis(embed)]
        geos: Vec<GeoL>,
    }

    #[test]
    fn nested_parts_are_pythons() {
        let index = ModelIndex::of(Places::info(), "omres:misc").unwrap();
        // The tail of the notes' `Misc` schema, which holds these two.
        assert_eq!(
            index.python_schema(),
            Some(
                "ON JSON PREFIX 1 omres:misc: SCHEMA $.pk AS pk TAG SEPARATOR | \
                 $.geo.street AS geo_street TAG SEPARATOR | $.geo.street AS geo_street_fts TEXT \
                 $.geo.when AS geo_when NUMERIC $.geos[*].street AS geos_street TAG SEPARATOR |"
            )
        );
    }

    /// The notes' `Misc` with `geo` an embedded model without indexed
    /// fields, `geos` left out, and a list of strings with its own
    /// separator.
    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(layout = "python", storage = "json", prefix = "omres:misc")]
    struct Misc {
        #[redis(pk)]
        #[serde(rename = "pk")]
        id: String,
        #[redis(index(full_text_search, sortable))]
        title: String,
        #[redis(index(case_sensitive))]
        code: String,
        #[redis(index(separator = ","))]
        sep: String,
        #[redis(index)]
        #[serde(with = "crate::epoch_seconds")]
        birthday: NaiveDate,
        #[redis(index)]
        maybe: Option<i64>,
        #[redis(index)]
        maybe_s: Option<String>,
        unindexed: i64,
        #[redis(index(sortable))]
        flag: bool,
        #[redis(index(vector(dim = 2, metric = "l2", algorithm = "flat")))]
        vec: Vec<f32>,
        #[redis(index(separator = ","))]
        labels: Vec<String>,
        geo: Address,
    }

    #[test]
    fn misc_is_pythons_byte_for_byte() {
        let index = ModelIndex::of(Misc::info(), "omres:misc").unwrap();
        assert_eq!(
            index.python_schema(),
            Some(
                "ON JSON PREFIX 1 omres:misc: SCHEMA $.pk AS pk TAG SEPARATOR | \
                 $.title AS title TAG SEPARATOR | $.title AS title_fts TEXT SORTABLE \
                 $.code AS code TAG SEPARATOR | CASESENSITIVE $.sep AS sep TAG SEPARATOR , \
                 $.birthday AS birthday NUMERIC $.maybe AS maybe NUMERIC \
                 $.maybe_s AS maybe_s TAG SEPARATOR |  $.flag AS flag TAG SORTABLE \
                 $.vec AS vec VECTOR FLAT 6 TYPE FLOAT32 DIM 2 DISTANCE_METRIC L2 \
                 $.labels[*] AS labels TAG SEPARATOR , "
            )
        );
        // Redis OM Python 1.1 on the same model.
        assert_eq!(
            index.fingerprint(),
            "8aa034744e7ecd4485a73b4e58df05e76f0ef47b"
        );
    }
}
