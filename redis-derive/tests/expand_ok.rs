//! Models the derive accepts, checked through `redis_om`'s public API: the
//! description `Model::info()` returns, the primary key's type, and the
//! commands the generated field glue makes (no server involved).

// A failed unwrap in a test names the line, which is all a test needs.
#![allow(clippy::unwrap_used)]

use std::any::TypeId;
use std::time::Duration;

use redis_om::{HashModel, Model, RedisModel, StorageKind};

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
    use redis_om::core::Value;
    use redis_om::{Hash, Storage};

    let user = User {
        id: "42".into(),
        name: "Ada".into(),
        age: Some(36),
        cache: vec![9],
    };
    let ttl = User::info().ttl();
    let cmds = <Hash as Storage<User>>::save(&user, user.pk(), "user:42", ttl);
    assert_eq!(
        commands(&cmds),
        [
            vec!["HSET", "user:42", "id", "42", "name", "Ada", "years", "36"],
            vec!["PEXPIRE", "user:42", "60000"],
        ]
    );

    let nameless = User { age: None, ..user };
    let cmds = <Hash as Storage<User>>::save(&nameless, nameless.pk(), "user:42", None);
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
