//! Who a connection authenticates as: a fixed user and password, or a
//! provider asked on every (re)connect, for secrets that rotate.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::Result;

/// A password or token: shown as `***` in Debug output, never logged, and
/// not printable with `{}`.
///
/// ```
/// use redis_core::Secret;
/// let secret = Secret::new("hunter2");
/// assert_eq!(format!("{secret:?}"), "***");
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for code that must hand it on (a credentials
    /// provider reading a vault, say). Named so that it stands out in review.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// An ACL user and its password, as `AUTH` / `HELLO ... AUTH` take them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The ACL user; `None` authenticates as `default` (Redis < 6's
    /// `requirepass`).
    pub username: Option<String>,
    /// The password or token.
    pub password: Secret,
}

impl Credentials {
    /// A user and its password.
    pub fn new(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Credentials {
            username: Some(username.into()),
            password: password.into(),
        }
    }

    /// Only a password, for the `default` user.
    pub fn password(password: impl Into<Secret>) -> Self {
        Credentials {
            username: None,
            password: password.into(),
        }
    }
}

/// The future a [`CredentialsProvider`] returns.
pub type CredentialsFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials>> + Send + 'a>>;

/// Supplies credentials for each new connection, for passwords and tokens
/// that rotate (a secrets manager, short-lived cloud IAM tokens). Asked on
/// every connect and reconnect, of the shared connection and of dedicated
/// ones alike; connections already open stay authenticated as they were.
/// An error fails that connection attempt, which is retried with backoff.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use redis_core::{Config, Credentials, CredentialsFuture, CredentialsProvider};
///
/// /// Hands out whatever password was set last.
/// #[derive(Debug, Default)]
/// struct Rotating(Mutex<String>);
///
/// impl CredentialsProvider for Rotating {
///     fn credentials(&self) -> CredentialsFuture<'_> {
///         let password = self.0.lock().map(|p| p.clone()).unwrap_or_default();
///         Box::pin(async move { Ok(Credentials::new("app", password)) })
///     }
/// }
///
/// let provider = Arc::new(Rotating::default());
/// let config = Config::from_url("redis://127.0.0.1:6379")?.with_credentials_provider(provider);
/// # Ok::<(), redis_core::Error>(())
/// ```
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// The credentials for the connection being opened now.
    fn credentials(&self) -> CredentialsFuture<'_>;
}
