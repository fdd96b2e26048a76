//! Models the derive accepts, checked through `redis_om`'s public API: the
//! description `Model::info()` returns, the primary key's type, the
//! commands the generated field glue makes (no server involved), the
//! indexes and the typed field handles, for hash and JSON models.

// A failed unwrap in a test names the line, which is all a test needs.
#![allow(clippy::unwrap_used)]

use std::any::TypeId;
use std::time::Duration;

use redis_om::field::{Field, Sortable, Unsorted, kind};
use redis_om::{
    DistanceMetric, HashModel, Index, IndexKind, Json, Model, RedisModel, Storage, StorageKind,
    VectorAlgorithm, VectorType,
};
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Debug, PartialEq)]
#[redis(prefix = "user", ttl = 60)]
struct User {
    #[redis(pk)]
    id: String,
    name: String,
    #[redis(rename = "years")]
    age: Option<u32>,
    #[redis(skip)]
    cache: Vec<u8>,
}

#[derive(RedisModel)]
#[redis(storage = "hash")]
struct Device {
    #[redis(pk, rename = "device_id")]
    id: uuid::Uuid,
    r#type: String,
    serial: Option<uuid::Uuid>,
    raw: Vec<u8>,
    flags: ::std::option::Option<bool>,
    ratio: f64,
}

/// A model with only a key: nothing else to write.
#[derive(RedisModel)]
#[redis(prefix = "tag")]
struct r#Tag {
    #[redis(pk)]
    name: String,
}

/// `(name, stored, optional)` of each field in `M::info()`.
fn fields<M: Model>() -> Vec<(&'static str, &'static str, bool)> {
    M::info()
        .fields()
        .iter()
        .map(|field| (field.name(), field.stored(), field.is_optional()))
        .collect()
}

fn is_hash_model<M: HashModel>() {}

#[test]
fn attributes_become_the_description() {
    let info = User::info();
    assert_eq!(info.name(), "User");
    assert_eq!(info.storage(), StorageKind::Hash);
    assert_eq!(info.prefix(), "user");
    assert_eq!(info.ttl(), Some(Duration::from_secs(60)));
    assert_eq!(info.pk(), "id");
    assert_eq!(
        fields::<User>(),
        [
            ("id", "id", false),
            ("name", "name", false),
            ("age", "years", true)
        ]
    );
    assert!(std::ptr::eq(User::info(), info), "one static description");
}

#[test]
fn defaults_are_the_struct_name_and_no_ttl() {
    let info = Device::info();
    assert_eq!(info.prefix(), "Device");
    assert_eq!(info.ttl(), None);
    assert_eq!(info.pk(), "device_id");
    assert_eq!(
        fields::<Device>(),
        [
            ("id", "device_id", false),
            ("type", "type", false),
            ("serial", "serial", true),
            ("raw", "raw", false),
            ("flags", "flags", true),
            ("ratio", "ratio", false),
        ]
    );
    assert_eq!(Tag::info().name(), "Tag");
    assert_eq!(Tag::info().prefix(), "tag");
    assert_eq!(fields::<Tag>(), [("name", "name", false)]);
}

#[test]
fn the_key_has_the_fields_type() {
    assert_eq!(TypeId::of::<<User as Model>::Pk>(), TypeId::of::<String>());
    assert_eq!(
        TypeId::of::<<Device as Model>::Pk>(),
        TypeId::of::<uuid::Uuid>()
    );
    let id = uuid::Uuid::from_u128(7);
    let device = Device {
        id,
        r#type: "sensor".into(),
        serial: None,
        raw: vec![1, 2],
        flags: Some(true),
        ratio: 0.5,
    };
    assert_eq!(device.pk(), &id);
    let user = User {
        id: "42".into(),
        name: "Ada".into(),
        age: None,
        cache: vec![1],
    };
    assert_eq!(user.pk(), "42");
    is_hash_model::<User>();
    is_hash_model::<Device>();
    is_hash_model::<Tag>();
}

/// The arguments of each command, as text.
fn commands(cmds: &[redis_om::core::Cmd]) -> Vec<Vec<String>> {
    cmds.iter()
        .map(|cmd| {
            cmd.args()
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect()
        })
        .collect()
}

// `Storage::save` and `Storage::decode` are doc(hidden) but public: the only
// way outside redis-om to run the generated `write_fields` and `read_fields`
// without a server, as the repository will.
#[test]
fn fields_are_written_and_read_back_under_their_stored_names() {
    use redis_om::Hash;
    use redis_om::core::Value;

    let user = User {
        id: "42".into(),
        name: "Ada".into(),
        age: Some(36),
        cache: vec![9],
    };
    let ttl = User::info().ttl();
    let cmds = <Hash as Storage<User>>::save(&user, user.pk(), "user:42", ttl).unwrap();
    assert_eq!(
        commands(&cmds),
        [
            vec!["HSET", "user:42", "id", "42", "name", "Ada", "years", "36"],
            vec!["PEXPIRE", "user:42", "60000"],
        ]
    );

    let nameless = User { age: None, ..user };
    let cmds = <Hash as Storage<User>>::save(&nameless, nameless.pk(), "user:42", None).unwrap();
    assert_eq!(
        commands(&cmds),
        [
            vec!["HSET", "user:42", "id", "42", "name", "Ada"],
            vec!["HDEL", "user:42", "years"],
        ]
    );

    let bulk = |text: &str| Value::BulkString(text.as_bytes().to_vec().into());
    let reply = Value::Array(vec![
        bulk("id"),
        bulk("42"),
        bulk("name"),
        bulk("Ada"),
        bulk("years"),
        bulk("36"),
        bulk("cache"),
        bulk("ignored"),
    ]);
    let read = <Hash as Storage<User>>::decode("user:42", "42".into(), reply).unwrap();
    let expected = User {
        id: "42".into(),
        name: "Ada".into(),
        age: Some(36),
        cache: Vec::new(),
    };
    assert_eq!(read, Some(expected));

    let reply = Value::Array(vec![bulk("years"), bulk("old")]);
    let error = <Hash as Storage<User>>::decode("user:42", "42".into(), reply).unwrap_err();
    assert!(error.to_string().contains("`name` is missing"), "{error}");
}

/// A JSON model: names are serde's, `rename_all` included.
#[derive(RedisModel, Serialize, Deserialize, Debug, PartialEq)]
#[redis(storage = "json", prefix = "article", index = "articles-v1")]
#[serde(rename_all = "camelCase")]
struct Article {
    #[redis(pk)]
    #[serde(rename = "ID")]
    article_id: String,
    #[redis(index(text, sortable))]
    title_text: String,
    #[redis(index(tag))]
    #[serde(rename(serialize = "by", deserialize = "by"))]
    author_name: Option<String>,
    #[redis(index)]
    tags: Vec<String>,
    #[serde(skip)]
    views: u32,
    #[redis(index(vector(dim = 3)))]
    embedding: [f32; 3],
    r#type: u8,
}

#[test]
fn a_json_model_is_described_with_serde_names() {
    let info = Article::info();
    assert_eq!(info.storage(), StorageKind::Json);
    assert_eq!(info.prefix(), "article");
    assert_eq!(info.index_name(), Some("articles-v1"));
    assert_eq!(info.pk(), "ID");
    assert!(info.is_indexed());
    assert_eq!(
        fields::<Article>(),
        [
            ("article_id", "ID", false),
            ("title_text", "titleText", false),
            ("author_name", "by", true),
            ("tags", "tags", false),
            ("embedding", "embedding", false),
            ("type", "type", false),
        ]
    );
    assert_eq!(
        TypeId::of::<<Article as Model>::Storage>(),
        TypeId::of::<Json>()
    );
    assert_eq!(Article::title_text().name(), "titleText");
    assert_eq!(Article::author_name().name(), "by");
}

#[test]
fn a_json_document_is_written_under_the_described_names() {
    let article = Article {
        article_id: "7".into(),
        title_text: "Hello".into(),
        author_name: None,
        tags: vec!["a".into()],
        views: 3,
        embedding: [0.5, 1.0, 2.0],
        r#type: 1,
    };
    let cmds = <Json as Storage<Article>>::save(&article, article.pk(), "article:7", None).unwrap();
    let args: Vec<Vec<u8>> = cmds[0].args().map(<[u8]>::to_vec).collect();
    assert_eq!(args[0], b"JSON.SET");
    let document: serde_json::Value = serde_json::from_slice(&args[3]).unwrap();
    let mut names: Vec<&str> = document
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    let mut described: Vec<&str> = Article::info()
        .fields()
        .iter()
        .map(|f| f.stored())
        .collect();
    described.sort_unstable();
    assert_eq!(names, described);
}

/// A hash model with every kind of index option.
#[derive(RedisModel)]
#[redis(prefix = "product")]
struct Product {
    #[redis(pk, index)]
    id: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index(text, no_stem, weight = 2.5))]
    name: String,
    #[redis(index(tag, separator = ",", case_sensitive))]
    color: String,
    #[redis(index(full_text_search, sortable))]
    brand: String,
    #[redis(rename = "code", index(index_missing, index_empty))]
    sku: Option<String>,
    #[redis(index(numeric))]
    stock: u32,
    #[redis(index(vector(dim = 2, metric = "ip", algorithm = "flat", type = "float64")))]
    embedding: Vec<f64>,
    #[redis(index)]
    r#type: bool,
    description: String,
}

fn index_of<M: Model>(field: &str) -> Option<&'static Index> {
    M::info()
        .fields()
        .iter()
        .find(|info| info.name() == field)
        .and_then(|info| info.index())
}

#[test]
fn index_attributes_become_the_fields_indexes() {
    let info = Product::info();
    assert_eq!(info.index_name(), None);
    assert!(info.is_indexed());
    assert_eq!(index_of::<Product>("description"), None);

    let id = index_of::<Product>("id").unwrap();
    assert_eq!(id.kind(), IndexKind::Tag);
    assert!(!id.is_sortable());

    let price = index_of::<Product>("price").unwrap();
    assert_eq!(price.kind(), IndexKind::Numeric);
    assert!(price.is_sortable());

    let name = index_of::<Product>("name").unwrap();
    assert_eq!(name.kind(), IndexKind::Text);
    assert!(name.is_no_stem());
    assert_eq!(name.text_weight(), Some(2.5));

    let color = index_of::<Product>("color").unwrap();
    assert_eq!(color.kind(), IndexKind::Tag);
    assert_eq!(color.tag_separator(), Some(','));
    assert!(color.is_case_sensitive());

    let brand = index_of::<Product>("brand").unwrap();
    assert!(brand.is_full_text_search() && brand.is_sortable());

    let sku = index_of::<Product>("sku").unwrap();
    assert!(sku.is_index_missing() && sku.is_index_empty());

    assert_eq!(
        index_of::<Product>("stock").unwrap().kind(),
        IndexKind::Numeric
    );
    assert_eq!(index_of::<Product>("type").unwrap().kind(), IndexKind::Tag);

    let IndexKind::Vector(vector) = index_of::<Product>("embedding").unwrap().kind() else {
        panic!("not a vector index");
    };
    assert_eq!(vector.dim(), 2);
    assert_eq!(vector.metric(), DistanceMetric::Ip);
    assert_eq!(vector.algorithm(), VectorAlgorithm::Flat);
    assert_eq!(vector.element(), VectorType::Float64);

    let tags = index_of::<Article>("tags").unwrap();
    assert!(tags.is_multi());
    let IndexKind::Vector(vector) = index_of::<Article>("embedding").unwrap().kind() else {
        panic!("not a vector index");
    };
    assert_eq!(vector.dim(), 3);
    assert_eq!(vector.metric(), DistanceMetric::Cosine);
    assert_eq!(vector.algorithm(), VectorAlgorithm::Hnsw);
    assert_eq!(vector.element(), VectorType::Float32);
}

#[test]
fn handles_carry_the_kind_and_sortability() {
    let _: Field<Product, kind::Tag<String>, Unsorted> = Product::id();
    let _: Field<Product, kind::Numeric<f64>, Sortable> = Product::price();
    let _: Field<Product, kind::Text, Unsorted> = Product::name();
    let _: Field<Product, kind::Tag<String>, Unsorted> = Product::color();
    let _: Field<Product, kind::TagText, Sortable> = Product::brand();
    let _: Field<Product, kind::Tag<String>, Unsorted> = Product::sku();
    let _: Field<Product, kind::Numeric<u32>, Unsorted> = Product::stock();
    let _: Field<Product, kind::Vector, Unsorted> = Product::embedding();
    let _: Field<Product, kind::Tag<bool>, Unsorted> = Product::r#type();
    let _: Field<Article, kind::Text, Sortable> = Article::title_text();
    let _: Field<Article, kind::MultiTag<String>, Unsorted> = Article::tags();
    assert_eq!(Product::sku().name(), "code");
    assert_eq!(Product::r#type().name(), "type");
}

mod shop {
    use redis_om::RedisModel;

    /// The handles have their fields' visibility.
    #[derive(RedisModel)]
    pub struct Item {
        #[redis(pk)]
        pub id: String,
        #[redis(index(sortable))]
        pub price: u32,
        #[redis(index)]
        pub(crate) stock: u32,
        #[redis(index)]
        secret: String,
    }
}

#[test]
fn handles_have_the_fields_visibility() {
    assert_eq!(shop::Item::price().name(), "price");
    assert_eq!(shop::Item::stock().name(), "stock");
}

/// A fieldless enum stored by its serde name.
#[derive(redis_om::RedisEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Tier {
    Free,
    #[serde(rename = "pro+")]
    Pro,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Prefs {
    theme: String,
    langs: Vec<String>,
}

/// A hash model with an enum and encoded fields.
#[derive(RedisModel, Debug, PartialEq)]
#[redis(prefix = "account")]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    tier: Tier,
    previous: Option<Tier>,
    #[redis(encoded = "json")]
    prefs: Prefs,
    #[redis(encoded = "msgpack")]
    scores: Option<Vec<u8>>,
}

#[test]
fn enums_and_encoded_fields_are_one_hash_field_each() {
    use redis_om::Hash;
    use redis_om::core::Value;

    let account = Account {
        id: "1".into(),
        tier: Tier::Pro,
        previous: None,
        prefs: Prefs {
            theme: "dark".into(),
            langs: vec!["en".into()],
        },
        scores: Some(vec![1, 2]),
    };
    let cmds = <Hash as Storage<Account>>::save(&account, account.pk(), "account:1", None).unwrap();
    let hset: Vec<&[u8]> = cmds[0].args().collect();
    assert_eq!(
        hset,
        [
            &b"HSET"[..],
            b"account:1",
            b"id",
            b"1",
            b"tier",
            b"pro+",
            b"prefs",
            br#"{"theme":"dark","langs":["en"]}"#,
            b"scores",
            &[0x92, 1, 2],
        ]
    );
    assert_eq!(
        commands(&cmds[1..]),
        [vec!["HDEL", "account:1", "previous"]]
    );
    assert_eq!(
        Account::info().fields()[1].index().map(Index::kind),
        Some(IndexKind::Tag)
    );
    let _: Field<Account, kind::Tag<Tier>, Unsorted> = Account::tier();

    let reply = Value::Array(
        hset[2..]
            .iter()
            .map(|arg| Value::BulkString(arg.to_vec().into()))
            .collect(),
    );
    let read = <Hash as Storage<Account>>::decode("account:1", "1".into(), reply).unwrap();
    assert_eq!(read, Some(account));

    let bulk = |text: &str| Value::BulkString(text.as_bytes().to_vec().into());
    let reply = Value::Array(vec![bulk("tier"), bulk("gold"), bulk("prefs"), bulk("{}")]);
    let error = <Hash as Storage<Account>>::decode("account:1", "1".into(), reply).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("field `tier` holds \"gold\", which is not a Tier: expected free or pro+"),
        "{error}"
    );
}
