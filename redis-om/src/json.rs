//! JSON storage: one RedisJSON document per record, the struct through serde.

use std::time::Duration;

use bytes::Bytes;
use redis_core::commands::ScanType;
use redis_core::{Cmd, Error, ErrorKind, FromValue, Result, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::Model;
use crate::pk::PrimaryKey;
use crate::storage::{Storage, pexpire};

/// JSON storage (`#[redis(storage = "json")]`): one RedisJSON document per
/// record, written and read through the model's serde implementations, so
/// nested structs, `Vec`s and maps are stored as they are.
#[derive(Debug, Clone, Copy)]
pub struct Json;

/// What a JSON model must be: serde's `Serialize` and `Deserialize`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` must derive serde's Serialize and Deserialize to be stored as JSON",
    label = "a JSON model needs #[derive(Serialize, Deserialize)]"
)]
pub trait JsonDocument: Serialize + DeserializeOwned {}

impl<T: Serialize + DeserializeOwned> JsonDocument for T {}

impl<M: Model + JsonDocument> Storage<M> for Json {
    fn save(model: &M, pk: &M::Pk, key: &str, ttl: Option<Duration>) -> Result<Vec<Cmd>> {
        let document = document(model, pk, key)?;
        let mut cmds = vec![Cmd::new("JSON.SET").arg(key).arg("$").arg(&document[..])];
        if let Some(ttl) = ttl {
            cmds.push(pexpire(key, ttl));
        }
        Ok(cmds)
    }

    fn save_checked(
        model: &M,
        pk: &M::Pk,
        key: &str,
        ttl: Option<Duration>,
        version_field: &str,
        expected: u64,
    ) -> Result<Vec<Bytes>> {
        let document = document(model, pk, key)?;
        Ok(crate::update::json::save_arguments(
            document,
            version_field,
            expected,
            crate::storage::ttl_millis(ttl),
        ))
    }

    fn key_type() -> ScanType {
        ScanType::Module("ReJSON-RL".to_owned())
    }

    fn load(key: &str) -> Cmd {
        Cmd::new("JSON.GET").arg(key)
    }

    fn decode(key: &str, _pk: M::Pk, reply: Value) -> Result<Option<M>> {
        let Some(document) = Option::<bytes::Bytes>::from_value(reply)? else {
            return Ok(None);
        };
        serde_json::from_slice(&document).map(Some).map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the document at {key} does not fit {}: {e}",
                    M::info().name()
                ),
            )
        })
    }
}

/// `model` as the document stored under `pk`.
fn document<M: Model + JsonDocument>(model: &M, pk: &M::Pk, key: &str) -> Result<Vec<u8>> {
    let mut document = serde_json::to_vec(model).map_err(|e| unencodable::<M>(key, &e))?;
    if model.pk() != pk {
        document = with_generated_pk::<M>(document, model.pk(), pk)
            .map_err(|e| unencodable::<M>(key, &e))?;
    }
    Ok(document)
}

/// The document with the generated key `pk` in place of the unset `unset`,
/// under the name serde gives the primary key field.
///
/// When the primary key is the document's first member, as serde writes a
/// struct whose key is declared first (the python layout requires it), its
/// value is replaced in place and the members keep their order; otherwise
/// the document goes through a `serde_json::Value`, whose members come out
/// sorted by name.
fn with_generated_pk<M: Model>(
    document: Vec<u8>,
    unset: &M::Pk,
    pk: &M::Pk,
) -> serde_json::Result<Vec<u8>> {
    let name = M::info().pk();
    let member = |key: &M::Pk| -> serde_json::Result<Vec<u8>> {
        let mut text = String::new();
        key.write_to(&mut text);
        let mut member = b"{".to_vec();
        serde_json::to_writer(&mut member, name)?;
        member.push(b':');
        serde_json::to_writer(&mut member, &text)?;
        Ok(member)
    };
    let (unset, generated) = (member(unset)?, member(pk)?);
    if let Some(rest) = document.strip_prefix(unset.as_slice()) {
        let mut written = generated;
        written.extend_from_slice(rest);
        return Ok(written);
    }
    let mut value: serde_json::Value = serde_json::from_slice(&document)?;
    let mut text = String::new();
    pk.write_to(&mut text);
    if let Some(fields) = value.as_object_mut() {
        fields.insert(name.to_owned(), serde_json::Value::String(text));
    }
    serde_json::to_vec(&value)
}

/// A model serde cannot write as JSON (a map with non-string keys, a
/// `Serialize` that fails): nothing was sent.
fn unencodable<M: Model>(key: &str, error: &serde_json::Error) -> Error {
    Error::new(
        ErrorKind::InvalidInput,
        format!(
            "{} cannot be written as JSON for {key}: {error}; nothing was sent",
            M::info().name()
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, dead_code)]

    use serde::{Deserialize, Serialize};

    use crate::{Json, RedisModel, Storage};

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(storage = "json", layout = "python")]
    struct First {
        #[redis(pk)]
        pk: String,
        zeta: u8,
        alpha: u8,
    }

    #[derive(RedisModel, Serialize, Deserialize)]
    #[redis(storage = "json")]
    struct Last {
        zeta: u8,
        alpha: u8,
        #[redis(pk)]
        id: uuid::Uuid,
    }

    fn document<M: crate::Model + crate::JsonDocument>(model: &M, pk: &M::Pk) -> String {
        let cmds = <Json as Storage<M>>::save(model, pk, "k", None).unwrap();
        let args: Vec<&[u8]> = cmds[0].args().collect();
        String::from_utf8(args[3].to_vec()).unwrap()
    }

    #[test]
    fn a_generated_key_first_in_the_document_keeps_the_members_order() {
        let first = First {
            pk: String::new(),
            zeta: 1,
            alpha: 2,
        };
        assert_eq!(
            document(&first, &"01K".to_owned()),
            r#"{"pk":"01K","zeta":1,"alpha":2}"#
        );
        let set = First {
            pk: "x".to_owned(),
            ..first
        };
        assert_eq!(
            document(&set, &"x".to_owned()),
            r#"{"pk":"x","zeta":1,"alpha":2}"#
        );
    }

    #[test]
    fn a_generated_key_elsewhere_is_set_by_name() {
        let last = Last {
            zeta: 1,
            alpha: 2,
            id: uuid::Uuid::nil(),
        };
        let pk = uuid::Uuid::from_u128(1);
        assert_eq!(
            document(&last, &pk),
            r#"{"alpha":2,"id":"00000000-0000-0000-0000-000000000001","zeta":1}"#
        );
    }
}
