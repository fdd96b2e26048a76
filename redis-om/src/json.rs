//! JSON storage: one RedisJSON document per record, the struct through serde.

use std::time::Duration;

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
        let document = if model.pk() == pk {
            serde_json::to_vec(model).map_err(|e| unencodable::<M>(key, &e))?
        } else {
            // A generated key goes into the document, under the name serde
            // gives the primary key field.
            let mut document =
                serde_json::to_value(model).map_err(|e| unencodable::<M>(key, &e))?;
            let mut text = String::new();
            pk.write_to(&mut text);
            if let Some(fields) = document.as_object_mut() {
                fields.insert(M::info().pk().to_owned(), serde_json::Value::String(text));
            }
            serde_json::to_vec(&document).map_err(|e| unencodable::<M>(key, &e))?
        };
        let mut cmds = vec![Cmd::new("JSON.SET").arg(key).arg("$").arg(&document[..])];
        if let Some(ttl) = ttl {
            cmds.push(pexpire(key, ttl));
        }
        Ok(cmds)
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
