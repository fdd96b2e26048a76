//! Connection commands: PING, ECHO, CLIENT *, SELECT, AUTH.
//!
//! Commands that change the connection's state for what follows (SELECT,
//! AUTH) are refused on a [`crate::Client`]'s shared connection: send them on
//! a [`crate::Dedicated`] one (`client.dedicated()`). Left to the connection
//! layer on purpose, because the client must know of them to stay correct
//! (its handshake replays them on reconnect, its reader must expect what
//! they change): `HELLO`, `RESET`, `QUIT`, `CLIENT TRACKING`, `CLIENT
//! REPLY`, `CLIENT CACHING`.

use std::ops::Deref;
use std::time::Duration;

use super::durations::millis;
use super::reply::{Fields, key_values, seconds, unless_negative};
use crate::Cmd;
use crate::convert::{FromValue, ToArgs};
use crate::{Error, Result, Value};

define_commands! {
    /// PING, ECHO, the CLIENT subcommands, SELECT and AUTH. SELECT and AUTH
    /// belong on a [`crate::Dedicated`] connection (a client's shared one
    /// refuses them). HELLO, RESET, QUIT and CLIENT TRACKING / REPLY /
    /// CACHING have no typed method: the connection layer owns that state.
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::commands::{ClientListFilter, ClientType, KillFilter};
    /// use redis_core::prelude::*;
    /// assert_eq!(client.ping().await?, "PONG");
    /// let me = client.client_info().await?;
    /// let others = client.client_list_filtered(ClientListFilter::Type(ClientType::PubSub)).await?;
    /// let killed = client
    ///     .client_kill(KillFilter::User("guest".into()).and(KillFilter::SkipMe(true)))
    ///     .await?;
    /// # let _ = (me, others, killed); Ok(()) }
    /// ```
    pub trait ConnectionCommands;

    /// `PING`: `"PONG"`.
    fn ping() -> String {
        Cmd::new("PING")
    }

    /// `PING message`: the message back.
    fn ping_message<T: FromValue>(message: impl ToArgs) -> T {
        Cmd::new("PING").arg(message)
    }

    /// `ECHO message`: the message back.
    fn echo<T: FromValue>(message: impl ToArgs) -> T {
        Cmd::new("ECHO").arg(message)
    }

    /// `SELECT index`: switches the connection to another database. Refused
    /// on a client's shared connection (every caller would switch): send it
    /// on `client.dedicated()`, or connect with the database in the URL.
    fn select(index: u32) -> () {
        Cmd::new("SELECT").arg(index)
    }

    /// `AUTH password`: authenticates the connection as the default user.
    /// Refused on a client's shared connection: send it on
    /// `client.dedicated()`, or give the credentials in the configuration.
    fn auth(password: impl ToArgs) -> () {
        Cmd::new("AUTH").arg(password)
    }

    /// `AUTH username password`: authenticates the connection as `username`
    /// (ACL users). Refused on a client's shared connection, as [`auth`].
    fn auth_user(username: impl ToArgs, password: impl ToArgs) -> () {
        Cmd::new("AUTH").arg(username).arg(password)
    }

    /// `CLIENT ID`: this connection's unique id.
    fn client_id() -> u64 {
        Cmd::new("CLIENT").arg("ID")
    }

    /// `CLIENT GETNAME`: this connection's name, `None` if it has none.
    fn client_getname() -> Option<String> {
        Cmd::new("CLIENT").arg("GETNAME")
    }

    /// `CLIENT SETNAME name`: names this connection (no spaces; empty
    /// removes the name). On a client's shared connection the name is every
    /// caller's, and is lost on reconnect: for a lasting name, set it in the
    /// configuration.
    fn client_setname(name: impl ToArgs) -> () {
        Cmd::new("CLIENT").arg("SETNAME").arg(name)
    }

    /// `CLIENT SETINFO LIB-NAME|LIB-VER value`: tells the server which
    /// client library this connection uses (shown by `CLIENT LIST`). Redis 7.2+.
    fn client_setinfo(attribute: LibAttribute, value: impl ToArgs) -> () {
        Cmd::new("CLIENT").arg("SETINFO").arg(attribute).arg(value)
    }

    /// `CLIENT INFO`: this connection, as `CLIENT LIST` shows it.
    fn client_info() -> ClientInfo {
        Cmd::new("CLIENT").arg("INFO")
    }

    /// `CLIENT LIST`: every connection to the server.
    fn client_list() -> ClientList {
        Cmd::new("CLIENT").arg("LIST")
    }

    /// `CLIENT LIST TYPE type` / `CLIENT LIST ID id...`: the connections of
    /// one type, or with the given ids.
    fn client_list_filtered(filter: ClientListFilter) -> ClientList {
        Cmd::new("CLIENT").arg("LIST").arg(filter)
    }

    /// `CLIENT KILL filter...`: closes the connections that match every
    /// filter (this one excepted unless `SkipMe(false)` is given); how many
    /// were closed.
    fn client_kill(filter: impl Into<ClientKill>) -> u64 {
        let filter: ClientKill = filter.into();
        Cmd::new("CLIENT").arg("KILL").arg(filter)
    }

    /// `CLIENT PAUSE timeout WRITE|ALL`: holds the commands of every client
    /// (or only those that write) for `timeout`, or until `CLIENT UNPAUSE`.
    fn client_pause(timeout: Duration, mode: PauseMode) -> () {
        Cmd::new("CLIENT").arg("PAUSE").arg(millis(timeout)).arg(mode)
    }

    /// `CLIENT UNPAUSE`: ends a `CLIENT PAUSE` early.
    fn client_unpause() -> () {
        Cmd::new("CLIENT").arg("UNPAUSE")
    }

    /// `CLIENT UNBLOCK id TIMEOUT|ERROR`: wakes a connection blocked in
    /// BLPOP, XREAD BLOCK ...: as if its timeout passed, or with an
    /// `UNBLOCKED` error. False if it was not blocked.
    fn client_unblock(id: u64, mode: UnblockMode) -> bool {
        Cmd::new("CLIENT").arg("UNBLOCK").arg(id).arg(mode)
    }

    /// `CLIENT NO-EVICT ON|OFF`: exempts this connection from client
    /// eviction (`maxmemory-clients`). Redis 7.0+. On a client's shared
    /// connection it holds for every caller until a reconnect.
    fn client_no_evict(on: bool) -> () {
        Cmd::new("CLIENT").arg("NO-EVICT").arg(on_off(on))
    }

    /// `CLIENT NO-TOUCH ON|OFF`: this connection's commands stop (or go on)
    /// updating the keys' last access time (LRU/LFU). Redis 7.2+. On a
    /// client's shared connection it holds for every caller until a reconnect.
    fn client_no_touch(on: bool) -> () {
        Cmd::new("CLIENT").arg("NO-TOUCH").arg(on_off(on))
    }

    /// `CLIENT GETREDIR`: where this connection's tracking invalidations go.
    fn client_getredir() -> TrackingRedirect {
        Cmd::new("CLIENT").arg("GETREDIR")
    }

    /// `CLIENT TRACKINGINFO`: this connection's client-side caching state.
    fn client_trackinginfo() -> TrackingInfo {
        Cmd::new("CLIENT").arg("TRACKINGINFO")
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "ON" } else { "OFF" }
}

/// One connection as `CLIENT LIST` / `CLIENT INFO` describe it.
///
/// The usual fields are typed; every field, including those of newer
/// servers, is also there by name with [`ClientInfo::get`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    /// The connection's unique id.
    pub id: u64,
    /// The client's `ip:port`.
    pub addr: String,
    /// The server's `ip:port` the client connected to.
    pub laddr: Option<String>,
    /// Its name, if it set one.
    pub name: Option<String>,
    /// How long the connection has been open.
    pub age: Duration,
    /// How long it has been idle.
    pub idle: Duration,
    /// Its flags, one letter each (`N` for none; see [`ClientInfo::has_flag`]).
    pub flags: String,
    /// Its selected database.
    pub db: u32,
    /// Its channel subscriptions.
    pub subscriptions: u64,
    /// Its pattern subscriptions.
    pub pattern_subscriptions: u64,
    /// Its shard channel subscriptions (Redis 7.0+; 0 before).
    pub shard_subscriptions: u64,
    /// The number of commands queued in its MULTI, `None` outside one.
    pub multi: Option<u64>,
    /// The last command it ran (`client|list`).
    pub cmd: String,
    /// The user it is authenticated as.
    pub user: Option<String>,
    /// The id of the client its tracking invalidations go to, if any.
    pub redirect: Option<u64>,
    /// The protocol it speaks (2 or 3; Redis 7.0+).
    pub resp: Option<u8>,
    /// Its library's name, set with `CLIENT SETINFO` (Redis 7.2+).
    pub lib_name: Option<String>,
    /// Its library's version, set with `CLIENT SETINFO` (Redis 7.2+).
    pub lib_ver: Option<String>,
    fields: Vec<(String, String)>,
}

impl ClientInfo {
    /// Parses one `CLIENT LIST` line (`id=7 addr=... name= ...`).
    pub fn parse(line: &str) -> Result<ClientInfo> {
        let fields = key_values(line.trim(), ' ');
        let text = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let non_empty = |name: &str| text(name).filter(|v| !v.is_empty()).map(str::to_owned);
        let number = |name: &str| -> Result<Option<i64>> {
            text(name)
                .map(|v| {
                    v.parse().map_err(|_| {
                        Error::protocol(format!("CLIENT LIST field {name}={v} is not a number"))
                    })
                })
                .transpose()
        };
        let count = |name: &str| -> Result<u64> {
            Ok(number(name)?.and_then(unless_negative).unwrap_or(0))
        };
        let id = number("id")?
            .and_then(unless_negative)
            .ok_or_else(|| Error::protocol(format!("CLIENT LIST line without an id: {line:?}")))?;
        Ok(ClientInfo {
            id,
            addr: text("addr").unwrap_or_default().to_owned(),
            laddr: non_empty("laddr"),
            name: non_empty("name"),
            age: seconds(number("age")?.unwrap_or(0))?,
            idle: seconds(number("idle")?.unwrap_or(0))?,
            flags: text("flags").unwrap_or_default().to_owned(),
            db: u32::try_from(count("db")?)
                .map_err(|_| Error::protocol("CLIENT LIST db out of range"))?,
            subscriptions: count("sub")?,
            pattern_subscriptions: count("psub")?,
            shard_subscriptions: count("ssub")?,
            multi: number("multi")?.and_then(unless_negative),
            cmd: text("cmd").unwrap_or_default().to_owned(),
            user: non_empty("user"),
            redirect: number("redir")?.and_then(unless_negative),
            resp: number("resp")?.and_then(|n| u8::try_from(n).ok()),
            lib_name: non_empty("lib-name"),
            lib_ver: non_empty("lib-ver"),
            fields,
        })
    }

    /// Any field by its `CLIENT LIST` name (`"qbuf"`, `"tot-mem"`,
    /// `"io-thread"` ...), as text.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == field)
            .map(|(_, v)| v.as_str())
    }

    /// Every field as `(name, text)`, in the order the server wrote them.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// True when the connection has flag `flag` (`'P'` pub/sub, `'x'` in
    /// MULTI, `'b'` blocked, `'t'` tracking, `'T'` no-touch, `'e'` no-evict,
    /// `'S'` replica, `'M'` primary ...).
    pub fn has_flag(&self, flag: char) -> bool {
        self.flags.contains(flag)
    }
}

/// From the text of `CLIENT INFO` (bulk or verbatim string).
impl FromValue for ClientInfo {
    fn from_value(value: Value) -> Result<Self> {
        ClientInfo::parse(&String::from_value(value)?)
    }
}

/// The reply of `CLIENT LIST`: one [`ClientInfo`] per connection. (A type
/// of its own rather than `Vec<ClientInfo>` because the server sends one
/// text of lines, not an array; it derefs to a slice and iterates.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientList(pub Vec<ClientInfo>);

impl ClientList {
    /// The connections, as a vector.
    pub fn into_vec(self) -> Vec<ClientInfo> {
        self.0
    }
}

impl Deref for ClientList {
    type Target = [ClientInfo];

    fn deref(&self) -> &[ClientInfo] {
        &self.0
    }
}

impl IntoIterator for ClientList {
    type Item = ClientInfo;
    type IntoIter = std::vec::IntoIter<ClientInfo>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a ClientList {
    type Item = &'a ClientInfo;
    type IntoIter = std::slice::Iter<'a, ClientInfo>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// From the text of `CLIENT LIST`, one line per connection.
impl FromValue for ClientList {
    fn from_value(value: Value) -> Result<Self> {
        String::from_value(value)?
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(ClientInfo::parse)
            .collect::<Result<_>>()
            .map(ClientList)
    }
}

/// A kind of connection, for `CLIENT LIST TYPE` and `CLIENT KILL TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientType {
    /// `normal`: ordinary clients.
    Normal,
    /// `master`: this replica's link to its primary.
    Master,
    /// `replica`: replicas connected to this primary.
    Replica,
    /// `pubsub`: connections in subscriber mode.
    PubSub,
}

impl ToArgs for ClientType {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            ClientType::Normal => b"normal",
            ClientType::Master => b"master",
            ClientType::Replica => b"replica",
            ClientType::PubSub => b"pubsub",
        });
    }
}

/// Which connections `CLIENT LIST` shows. The server takes one kind of
/// filter at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientListFilter {
    /// `TYPE type`.
    Type(ClientType),
    /// `ID id...`: those with these ids (unknown ids are skipped; the
    /// server refuses an empty list).
    #[doc(alias = "ID")]
    Ids(Vec<u64>),
}

impl ToArgs for ClientListFilter {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            ClientListFilter::Type(kind) => {
                cmd.push_bytes(b"TYPE");
                kind.write_args(cmd);
            }
            ClientListFilter::Ids(ids) => {
                cmd.push_bytes(b"ID");
                ids.write_args(cmd);
            }
        }
    }
}

/// One condition of `CLIENT KILL`; combine several with
/// [`KillFilter::and`]: a connection is closed when it matches all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KillFilter {
    /// `ID id`: the connection with this id.
    Id(u64),
    /// `ADDR ip:port`: the connection from this address.
    Addr(String),
    /// `LADDR ip:port`: the connections to this server address.
    LAddr(String),
    /// `USER username`: the connections authenticated as this user.
    User(String),
    /// `TYPE type`: the connections of this kind.
    Type(ClientType),
    /// `MAXAGE seconds`: the connections older than this (Redis 7.4+).
    MaxAge(Duration),
    /// `SKIPME yes|no`: whether the connection sending the command is spared
    /// (it is unless told otherwise).
    SkipMe(bool),
}

impl KillFilter {
    /// This condition and `other`.
    pub fn and(self, other: KillFilter) -> ClientKill {
        ClientKill(vec![self, other])
    }
}

/// The conditions of one `CLIENT KILL`: at least one, since the server
/// needs one (build it from a [`KillFilter`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKill(Vec<KillFilter>);

impl ClientKill {
    /// These conditions and `other`.
    pub fn and(mut self, other: KillFilter) -> ClientKill {
        self.0.push(other);
        self
    }
}

impl From<KillFilter> for ClientKill {
    fn from(filter: KillFilter) -> Self {
        ClientKill(vec![filter])
    }
}

impl ToArgs for ClientKill {
    fn write_args(&self, cmd: &mut Cmd) {
        for filter in &self.0 {
            match filter {
                KillFilter::Id(id) => cmd.push_arg("ID").push_arg(id),
                KillFilter::Addr(addr) => cmd.push_arg("ADDR").push_arg(addr),
                KillFilter::LAddr(addr) => cmd.push_arg("LADDR").push_arg(addr),
                KillFilter::User(user) => cmd.push_arg("USER").push_arg(user),
                KillFilter::Type(kind) => cmd.push_arg("TYPE").push_arg(kind),
                KillFilter::MaxAge(age) => cmd.push_arg("MAXAGE").push_arg(age.as_secs()),
                KillFilter::SkipMe(skip) => {
                    cmd.push_arg("SKIPME")
                        .push_arg(if *skip { "yes" } else { "no" })
                }
            };
        }
    }
}

/// What `CLIENT PAUSE` holds back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseMode {
    /// `ALL`: every command.
    All,
    /// `WRITE`: commands that may write (reads go on).
    Write,
}

impl ToArgs for PauseMode {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            PauseMode::All => b"ALL",
            PauseMode::Write => b"WRITE",
        });
    }
}

/// How `CLIENT UNBLOCK` wakes a blocked connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnblockMode {
    /// `TIMEOUT`: as if its timeout passed (BLPOP replies nil).
    Timeout,
    /// `ERROR`: with an `UNBLOCKED` error.
    Error,
}

impl ToArgs for UnblockMode {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            UnblockMode::Timeout => b"TIMEOUT",
            UnblockMode::Error => b"ERROR",
        });
    }
}

/// Which library attribute `CLIENT SETINFO` sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibAttribute {
    /// `LIB-NAME`: the library's name (no spaces).
    Name,
    /// `LIB-VER`: the library's version.
    Version,
}

impl ToArgs for LibAttribute {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            LibAttribute::Name => b"LIB-NAME",
            LibAttribute::Version => b"LIB-VER",
        });
    }
}

/// Where a connection's client-side caching invalidations go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackingRedirect {
    /// Tracking is off (`-1`).
    Off,
    /// Tracking is on, invalidations come on this connection (`0`; RESP3).
    NotRedirected,
    /// Tracking is on, invalidations go to the connection with this id.
    To(u64),
}

impl FromValue for TrackingRedirect {
    fn from_value(value: Value) -> Result<Self> {
        match i64::from_value(value)? {
            0 => Ok(TrackingRedirect::NotRedirected),
            id if id > 0 => Ok(TrackingRedirect::To(id.unsigned_abs())),
            _ => Ok(TrackingRedirect::Off),
        }
    }
}

/// A connection's client-side caching state (`CLIENT TRACKINGINFO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackingInfo {
    /// `off`, or `on` with `bcast`, `optin`, `optout`, `caching-yes`,
    /// `caching-no`, `noloop`, `broken_redirect`.
    pub flags: Vec<String>,
    /// Where its invalidations go.
    pub redirect: TrackingRedirect,
    /// The key prefixes tracked in broadcasting mode.
    pub prefixes: Vec<String>,
}

impl TrackingInfo {
    /// True when tracking is on.
    pub fn is_on(&self) -> bool {
        self.flags.iter().any(|f| f == "on")
    }
}

impl FromValue for TrackingInfo {
    fn from_value(value: Value) -> Result<Self> {
        let mut fields = Fields::new(value, "CLIENT TRACKINGINFO reply")?;
        Ok(TrackingInfo {
            flags: fields.or_default("flags")?,
            redirect: fields.required("redirect")?,
            prefixes: fields.or_default("prefixes")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_client_list_line_is_parsed() {
        let line = "id=343 addr=127.0.0.1:60186 laddr=127.0.0.1:36049 fd=12 name= age=3 idle=1 \
                    flags=N db=2 sub=0 psub=1 ssub=0 multi=-1 watch=0 cmd=client|info \
                    user=default redir=-1 resp=3 lib-name=redis-rs lib-ver= io-thread=0";
        let info = ClientInfo::parse(line).unwrap();
        assert_eq!(info.id, 343);
        assert_eq!(info.laddr.as_deref(), Some("127.0.0.1:36049"));
        assert_eq!(info.name, None);
        assert_eq!(info.age, Duration::from_secs(3));
        assert_eq!(info.db, 2);
        assert_eq!(info.pattern_subscriptions, 1);
        assert_eq!(info.multi, None);
        assert_eq!(info.redirect, None);
        assert_eq!(info.resp, Some(3));
        assert_eq!(info.lib_name.as_deref(), Some("redis-rs"));
        assert_eq!(info.lib_ver, None);
        assert_eq!(info.get("io-thread"), Some("0"));
        assert!(info.has_flag('N'));
        assert!(ClientInfo::parse("addr=1.2.3.4:5").is_err());
        assert!(ClientInfo::parse("id=x").is_err());
    }

    #[test]
    fn kill_filters_are_written_in_order() {
        let filter = KillFilter::Id(7)
            .and(KillFilter::MaxAge(Duration::from_secs(60)))
            .and(KillFilter::SkipMe(false));
        let cmd = Cmd::new("CLIENT").arg("KILL").arg(filter);
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(
            args,
            [
                &b"CLIENT"[..],
                b"KILL",
                b"ID",
                b"7",
                b"MAXAGE",
                b"60",
                b"SKIPME",
                b"no"
            ]
        );
    }
}
