//! The replies of `ACL GETUSER`, `ACL LOG` and `ACL DRYRUN`.

use std::time::{Duration, SystemTime};

use crate::commands::ClientInfo;
use crate::commands::reply::{Fields, reply, seconds_f64, unix_millis};
use crate::{Error, FromValue, Result, Value};

/// A user's ACL as `ACL GETUSER` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclUser {
    /// `on` / `off`, `nopass`, `skip-sanitize-payload` / `sanitize-payload`.
    pub flags: Vec<String>,
    /// The SHA-256 hashes of its passwords, in hex.
    pub passwords: Vec<String>,
    /// Its command rules (`+@all`, `-@all +get`).
    pub commands: String,
    /// Its key patterns (`~*`, `%R~cache:*`), empty for none.
    pub keys: String,
    /// Its channel patterns (`&*`), empty for none.
    pub channels: String,
    /// Its extra selectors (`(+set ~k*)` rules), each a rule set of its own.
    pub selectors: Vec<AclSelector>,
}

impl AclUser {
    /// True when the user is enabled (`on`).
    pub fn is_enabled(&self) -> bool {
        self.flags.iter().any(|f| f == "on")
    }
}

/// One selector of an [`AclUser`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AclSelector {
    /// Its command rules.
    pub commands: String,
    /// Its key patterns.
    pub keys: String,
    /// Its channel patterns.
    pub channels: String,
}

impl FromValue for AclUser {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "ACL GETUSER reply")?;
        Ok(AclUser {
            flags: fields.or_default("flags")?,
            passwords: fields.or_default("passwords")?,
            commands: fields.or_default("commands")?,
            keys: fields.or_default("keys")?,
            channels: fields.or_default("channels")?,
            selectors: fields.or_default("selectors")?,
        })
    }
}

impl FromValue for AclSelector {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "ACL GETUSER selector")?;
        Ok(AclSelector {
            commands: fields.or_default("commands")?,
            keys: fields.or_default("keys")?,
            channels: fields.or_default("channels")?,
        })
    }
}

/// Why an ACL check failed (`ACL LOG`'s `reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclLogReason {
    /// `auth`: wrong credentials.
    Auth,
    /// `command`: a command the user may not run.
    Command,
    /// `key`: a key the user may not touch.
    Key,
    /// `channel`: a channel the user may not use.
    Channel,
    /// A reason this client does not know, as the server named it.
    Other(String),
}

/// One entry of `ACL LOG`: a denied authentication or command, with how
/// many times it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct AclLogEntry {
    /// How many times this same denial happened within a short time.
    pub count: u64,
    /// Why it was denied.
    pub reason: AclLogReason,
    /// Where: `toplevel`, `multi`, `lua`, `module`.
    pub context: String,
    /// The command, key or channel denied (`auth` for authentication).
    pub object: String,
    /// The user who was denied.
    pub username: String,
    /// How long ago the entry was last updated.
    pub age: Duration,
    /// The client that was denied, as `CLIENT LIST` would show it.
    pub client_info: ClientInfo,
    /// The entry's id (Redis 7.2+).
    pub entry_id: Option<u64>,
    /// When the entry was created (Redis 7.2+).
    pub created: Option<SystemTime>,
    /// When it was last updated (Redis 7.2+).
    pub last_updated: Option<SystemTime>,
}

impl FromValue for AclLogEntry {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "ACL LOG entry")?;
        let reason: String = fields.required("reason")?;
        let reason = match reason.as_str() {
            "auth" => AclLogReason::Auth,
            "command" => AclLogReason::Command,
            "key" => AclLogReason::Key,
            "channel" => AclLogReason::Channel,
            _ => AclLogReason::Other(reason),
        };
        let client_info: String = fields.required("client-info")?;
        Ok(AclLogEntry {
            count: fields.required("count")?,
            reason,
            context: fields.required("context")?,
            object: fields.required("object")?,
            username: fields.required("username")?,
            age: seconds_f64(fields.required("age-seconds")?)?,
            client_info: ClientInfo::parse(&client_info)?,
            entry_id: fields.optional("entry-id")?,
            created: fields
                .optional("timestamp-created")?
                .map(unix_millis)
                .transpose()?,
            last_updated: fields
                .optional("timestamp-last-updated")?
                .map(unix_millis)
                .transpose()?,
        })
    }
}

/// What `ACL DRYRUN` says about a user running a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AclDryRun {
    /// The user may run it.
    Allowed,
    /// The user may not; the server's explanation.
    Denied(String),
}

impl AclDryRun {
    /// True for [`AclDryRun::Allowed`].
    pub fn is_allowed(&self) -> bool {
        matches!(self, AclDryRun::Allowed)
    }
}

/// `OK` (a simple string) is allowed; any other text is the denial.
impl FromValue for AclDryRun {
    fn from_value(value: Value) -> Result<Self> {
        match reply(value)? {
            Value::SimpleString(ok) if ok == "OK" => Ok(AclDryRun::Allowed),
            text @ (Value::BulkString(_) | Value::Verbatim { .. } | Value::SimpleString(_)) => {
                Ok(AclDryRun::Denied(String::from_value(text)?))
            }
            other => Err(Error::type_mismatch("OK or a denial", other.type_name())),
        }
    }
}
