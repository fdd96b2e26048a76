//! A command: its name and arguments, already encoded as RESP bulk strings.

use std::fmt;
use std::time::Duration;

use crate::cmd_info::Traits;
use crate::convert::{FromValue, ToArgs};
use crate::{Error, ErrorKind, Executor};

/// The buffer a command that only reads starts with: room for its name and
/// a key (`GET` and a key of up to 42 bytes), so that many such commands
/// waiting at once (a `Cmd` lives as long as its future) do not each hold
/// room for a value they never carry; 56 rather than 64 bytes, so that with
/// its header the chunk is 64 bytes, not 80.
const READ_CAPACITY: usize = 56;

/// The buffer any other command starts with: room for a name, a key and a
/// short value (`SET key <64 bytes>` is 96), so the common write is one
/// allocation, not a growth; 120 rather than 128 bytes, so that with its
/// header the chunk is small enough for glibc's fast bins (100 commands of a
/// pipeline are alive at once, more than its per-thread cache holds).
const WRITE_CAPACITY: usize = 120;

/// The longest argument Redis accepts: `proto-max-bulk-len`'s default,
/// 512 MB. A longer one is refused before it is copied anywhere (the server
/// would drop the connection halfway through it).
pub(crate) const MAX_ARGUMENT_BYTES: usize = 512 * 1024 * 1024;

/// One Redis command, built argument by argument.
///
/// Arguments are encoded as RESP bulk strings the moment they are added, so
/// sending the command is one copy into the connection's write buffer. User
/// data is never formatted into command text: every argument is a separate
/// length-prefixed bulk string.
///
/// ```
/// use redis_core::Cmd;
/// let cmd = Cmd::new("SET").arg("greeting").arg("hello").arg("EX").arg(60);
/// assert_eq!(cmd.name(), "SET");
/// assert_eq!(cmd.arg_count(), 5);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Cmd {
    /// `$<len>\r\n<bytes>\r\n` for every argument, the name first.
    encoded: Vec<u8>,
    argc: u32,
    /// The name's length (0 for a name too long to be one); its bytes follow
    /// the `$<len>\r\n` header at the start of `encoded`. Small, like the
    /// rest: every waiting command's future holds its `Cmd`.
    name_len: u16,
    /// Why the command must not be sent, found while it was built.
    defect: Option<Defect>,
    traits: Traits,
    timeout: Timeout,
}

/// What makes a command unsendable: the server would not answer it (so its
/// reply slot would take the next command's reply), or would refuse it
/// after reading all of it. Found while building, reported when sending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Defect {
    /// No name: Redis answers an empty command with nothing at all.
    NoName,
    /// An argument over [`MAX_ARGUMENT_BYTES`].
    TooLarge,
    /// NaN where a number goes.
    NotANumber,
    /// Field/value pairs where a pair wrote other than one field and one
    /// value (a `None` value adds no argument).
    Unpaired,
    /// An argument could not be made (a value serde could not serialize);
    /// the command's only argument says why (see [`Cmd::unsendable`]).
    Unbuildable,
    /// A RedisTimeSeries label filter holding a character its syntax splits
    /// on (the module has no escaping).
    Inexpressible,
    /// A graph query parameter the Cypher header cannot carry: a NaN or
    /// infinite float, a NUL in a string, a name or map key that is empty
    /// or holds a backtick or NUL.
    GraphParameter,
}

impl Defect {
    fn explain(self, cmd: &Cmd) -> String {
        let name = cmd.name();
        match self {
            Defect::Unbuildable => {
                let why = cmd.args().nth(1).unwrap_or_default();
                String::from_utf8_lossy(why).into_owned()
            }
            Defect::Inexpressible => format!(
                "a label filter of {name} has an empty label or value, or one holding = ! ( ) \
                 or `,`, which RedisTimeSeries filters cannot express (they have no escaping)"
            ),
            Defect::GraphParameter => format!(
                "a parameter of {name} cannot be written as a Cypher literal: a NaN or infinite \
                 float, a NUL in a string, or a name or map key that is empty or holds a backtick \
                 or NUL"
            ),
            Defect::NoName => "a command needs a name: Cmd::new(\"\") has none, and Redis answers \
                               an empty command with nothing at all"
                .to_owned(),
            Defect::TooLarge => format!(
                "an argument of {name} is longer than 512 MB, the most Redis accepts in one \
                 argument (proto-max-bulk-len's default)"
            ),
            Defect::NotANumber => {
                format!("an argument of {name} is NaN, which Redis does not take as a number")
            }
            Defect::Unpaired => format!(
                "{name} takes one field and one value per pair, and a pair wrote another number \
                 of arguments (a None value writes none)"
            ),
        }
    }
}

/// A command's own reply timeout in four bytes (every waiting command's
/// future holds one): 0 is the client's default, 1 waits forever, `n` is
/// `n - 2` milliseconds (a finer one rounds up; a longer one than
/// `u32::MAX - 2` ms, about 49 days, is that long).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Timeout(u32);

impl Timeout {
    const DEFAULT: Timeout = Timeout(0);
    const FOREVER: Timeout = Timeout(1);

    fn of(timeout: Duration) -> Timeout {
        let millis = timeout.as_nanos().div_ceil(1_000_000);
        Timeout(u32::try_from(millis.saturating_add(2)).unwrap_or(u32::MAX))
    }

    fn get(self) -> Option<Option<Duration>> {
        match self.0 {
            0 => None,
            1 => Some(None),
            n => Some(Some(Duration::from_millis(u64::from(n - 2)))),
        }
    }

    fn from_parts(timeout: Option<Option<Duration>>) -> Timeout {
        match timeout {
            None => Timeout::DEFAULT,
            Some(None) => Timeout::FOREVER,
            Some(Some(t)) => Timeout::of(t),
        }
    }
}

impl Cmd {
    /// Starts a command. `name` is one argument, sent as given: a
    /// subcommand is an argument of its own (`Cmd::new("CLIENT").arg("KILL")`),
    /// so no string, however it was built, becomes several arguments.
    pub fn new(name: &str) -> Self {
        let traits = Traits::of(name.as_bytes());
        let capacity = if traits.reads_only() {
            READ_CAPACITY
        } else {
            WRITE_CAPACITY
        };
        let mut cmd = Cmd {
            encoded: Vec::with_capacity(capacity),
            argc: 0,
            name_len: 0,
            defect: None,
            traits,
            timeout: Timeout::DEFAULT,
        };
        if name.is_empty() {
            cmd.defect = Some(Defect::NoName);
        } else {
            cmd.push_bytes(name.as_bytes());
            cmd.name_len = u16::try_from(name.len()).unwrap_or(0);
        }
        cmd
    }

    /// Arguments without a name, built to be appended to a command with
    /// [`Cmd::extend_from`] (counted lists, a script's keys).
    pub(crate) fn scratch() -> Self {
        Cmd {
            encoded: Vec::new(),
            argc: 0,
            name_len: 0,
            defect: None,
            traits: Traits::of(b""),
            timeout: Timeout::DEFAULT,
        }
    }

    /// Appends one argument, or several: slices, vectors, tuples and options
    /// expand to their elements (`None` adds nothing).
    pub fn arg<T: ToArgs>(mut self, value: T) -> Self {
        value.write_args(&mut self);
        self
    }

    /// Appends arguments in place, for building a command in a loop.
    pub fn push_arg<T: ToArgs>(&mut self, value: T) -> &mut Self {
        value.write_args(self);
        self
    }

    /// Appends one raw argument. This is what every [`ToArgs`] impl ends in.
    ///
    /// An argument longer than Redis accepts (512 MB) is not copied: the
    /// command is refused when sent, with an error of kind
    /// [`ErrorKind::InvalidInput`].
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        if bytes.len() > MAX_ARGUMENT_BYTES {
            self.refuse(Defect::TooLarge);
            return self.push_bytes(b"");
        }
        put_header(b'$', bytes.len(), |part| {
            self.encoded.extend_from_slice(part)
        });
        self.encoded.extend_from_slice(bytes);
        self.encoded.extend_from_slice(b"\r\n");
        self.argc = self.argc.saturating_add(1);
    }

    /// Waits at most `timeout` for this command's reply instead of the
    /// client's response timeout. A blocking command (BLPOP, XREAD BLOCK, ...)
    /// still gets its own blocking time on top; one that blocks forever
    /// (`BLPOP key 0`) waits at most `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Timeout::of(timeout);
        self
    }

    /// Waits for this command's reply as long as it takes.
    pub fn without_timeout(mut self) -> Self {
        self.timeout = Timeout::FOREVER;
        self
    }

    /// Lets a cluster split the command by hash slot and send each slot's
    /// part on its own: for the typed commands that say they are not
    /// atomic (`mset_nonatomic`). Elsewhere the command goes as it is.
    pub(crate) fn splitting_by_slot(mut self) -> Self {
        self.traits = self.traits.splitting_by_slot();
        self
    }

    /// The timeout override: `None` when the client's default applies.
    pub(crate) fn timeout(&self) -> Option<Option<Duration>> {
        self.timeout.get()
    }

    /// Sends the command through `executor` and converts the reply into
    /// `T`, which is the one type to name when nothing else says it:
    ///
    /// ```no_run
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// use redis_core::Cmd;
    /// let n: i64 = Cmd::new("INCRBY").arg("visits").arg(&5).query(client).await?;
    /// let name = Cmd::new("GET").arg("k").query::<Option<String>>(client).await?;
    /// Cmd::new("SET").arg("k").arg("v").query::<()>(client).await?;
    /// # let _ = (n, name); Ok(()) }
    /// ```
    ///
    /// The future is the executor's own ([`Executor::execute`]'s), behind
    /// `impl Future` only so that the executor is not a second type
    /// parameter to spell out: nothing is boxed or wrapped.
    pub fn query<T: FromValue>(
        self,
        executor: &(impl Executor + ?Sized),
    ) -> impl Future<Output = crate::Result<T>> + Send + '_ {
        executor.execute(self)
    }

    /// A command named `name` that is refused when sent, with `why` as the
    /// error: what a typed command becomes when one of its arguments could
    /// not be made (a JSON value serde cannot serialize). So its builder
    /// returns a command like any other, and the error comes out where
    /// every other refusal does: the command's future, or the batch's.
    /// `why` travels as the command's one argument, where the refusal
    /// finds it again (also after a batch has re-read the command from its
    /// bytes); it is never sent.
    pub(crate) fn unsendable(name: &str, why: &str) -> Cmd {
        let mut cmd = Cmd::new(name).arg(why);
        cmd.refuse(Defect::Unbuildable);
        cmd
    }

    /// Appends every argument of `other` (its name included).
    pub(crate) fn extend_from(&mut self, other: &Cmd) {
        self.encoded.extend_from_slice(&other.encoded);
        self.argc = self.argc.saturating_add(other.argc);
        if let Some(defect) = other.defect {
            self.refuse(defect);
        }
    }

    /// Marks the command unsendable; the first reason found is kept.
    pub(crate) fn refuse(&mut self, defect: Defect) {
        self.defect.get_or_insert(defect);
    }

    /// Why the command must not be sent, if it must not: its reply would
    /// never come (no name) or would be a refusal after the server read all
    /// of it.
    pub(crate) fn refusal(&self) -> Option<Error> {
        let defect = match self.defect {
            Some(defect) => defect,
            None if self.argc == 0 => Defect::NoName,
            None => return None,
        };
        Some(Error::new(
            ErrorKind::InvalidInput,
            format!("{}; nothing was sent", defect.explain(self)),
        ))
    }

    /// The defect, for a batch to keep with the command's bytes.
    pub(crate) fn defect(&self) -> Option<Defect> {
        self.defect
    }

    /// The command name as given (`GET`, `client`, ...).
    pub fn name(&self) -> &str {
        self.name_bytes()
            .and_then(|name| std::str::from_utf8(name).ok())
            .unwrap_or("")
    }

    fn name_bytes(&self) -> Option<&[u8]> {
        let len = self.name_len as usize;
        let start = "$".len() + itoa::Buffer::new().format(len).len() + "\r\n".len();
        self.encoded.get(start..start + len)
    }

    /// What the name says about the command, classified once at creation.
    pub(crate) fn traits(&self) -> Traits {
        self.traits
    }

    /// The number of arguments, the name included.
    pub fn arg_count(&self) -> usize {
        self.argc as usize
    }

    /// Iterates over the raw arguments, the name first.
    pub fn args(&self) -> impl Iterator<Item = &[u8]> + '_ {
        ArgIter {
            rest: &self.encoded,
        }
    }

    /// True when the name equals `name`, ignoring ASCII case.
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name_bytes()
            .is_some_and(|own| own.eq_ignore_ascii_case(name.as_bytes()))
    }

    /// Appends the command as a RESP array of bulk strings, to a plain buffer.
    pub(crate) fn write_to_vec(&self, out: &mut Vec<u8>) {
        put_header(b'*', self.argc as usize, |part| out.extend_from_slice(part));
        out.extend_from_slice(&self.encoded);
    }

    /// The command whose RESP array `wire` holds, as [`Cmd::write_to`] wrote
    /// it, with what was known about it; `None` if `wire` is not such an array.
    pub(crate) fn from_wire(
        wire: &[u8],
        traits: Traits,
        timeout: Option<Option<Duration>>,
        defect: Option<Defect>,
    ) -> Option<Cmd> {
        let header_end = wire.iter().position(|&b| b == b'\r')?;
        let argc: u32 = std::str::from_utf8(wire.get(1..header_end)?)
            .ok()?
            .parse()
            .ok()?;
        let encoded = wire.get(header_end + 2..)?.to_vec();
        let name_len = ArgIter { rest: &encoded }
            .next()
            .and_then(|name| u16::try_from(name.len()).ok())
            .unwrap_or(0);
        Some(Cmd {
            encoded,
            argc,
            name_len,
            defect,
            traits,
            timeout: Timeout::from_parts(timeout),
        })
    }

    /// Appends the command as a RESP array of bulk strings.
    /// Every argument as it goes on the wire (`$<len>\r\n<bytes>\r\n`, the
    /// name first), without the array header: what identifies the command.
    pub(crate) fn wire_args(&self) -> &[u8] {
        &self.encoded
    }

    pub(crate) fn write_to(&self, out: &mut bytes::BytesMut) {
        out.reserve(self.encoded.len() + 16);
        put_header(b'*', self.argc as usize, |part| out.extend_from_slice(part));
        out.extend_from_slice(&self.encoded);
    }

    /// The arguments that are keys, in the order the server's key
    /// specifications find them (Redis 8.2's `COMMAND`, modules included):
    /// what a cluster routes by. A container's subcommand (`OBJECT ENCODING
    /// key`, `XINFO STREAM key`) is looked up by the second argument. A
    /// command or subcommand the client does not know yields none, as do
    /// arguments too few for the command; shard channels (`SPUBLISH`) are
    /// not keys. The result is what `COMMAND GETKEYS` answers, except for
    /// the two commands whose specs the server leaves to code of its own:
    /// `SORT ... STORE dst` (no `dst`) and `MIGRATE ... "" ... KEYS k1 k2`
    /// (also the empty key). Some module specs name fewer keys than the
    /// command takes (`JSON.MGET a b $` yields `a`), as the server does.
    ///
    /// ```
    /// use redis_core::Cmd;
    /// let keys = |cmd: &Cmd| cmd.keys().map(<[u8]>::to_vec).collect::<Vec<_>>();
    /// let mset = Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2);
    /// assert_eq!(keys(&mset), [b"a", b"b"]);
    /// let xread = Cmd::new("XREAD").arg("COUNT").arg(1).arg("STREAMS");
    /// let xread = xread.arg("s1").arg("s2").arg(0).arg(0);
    /// assert_eq!(keys(&xread), [b"s1", b"s2"]);
    /// let eval = Cmd::new("EVAL").arg("return 1").arg(2).arg("k1").arg("k2").arg("a");
    /// assert_eq!(keys(&eval), [b"k1", b"k2"]);
    /// let zunionstore = Cmd::new("zunionstore").arg("dst").arg(2).arg("a").arg("b");
    /// assert_eq!(keys(&zunionstore), [&b"dst"[..], b"a", b"b"]);
    /// assert_eq!(Cmd::new("NOT-A-COMMAND").arg("k").keys().count(), 0);
    /// ```
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> {
        crate::cmd_info::keys(self)
    }
}

/// Hands `put` the header RESP writes before a counted item, `<kind><n>\r\n`,
/// in as few pieces as it can: one for counts under 100 (names, keys, short
/// values, argument counts), which skip the general number formatter.
fn put_header(kind: u8, n: usize, mut put: impl FnMut(&[u8])) {
    let digit = |d: usize| b'0' + (d % 10) as u8;
    match n {
        0..=9 => put(&[kind, digit(n), b'\r', b'\n']),
        10..=99 => put(&[kind, digit(n / 10), digit(n), b'\r', b'\n']),
        _ => {
            put(&[kind]);
            put(itoa::Buffer::new().format(n).as_bytes());
            put(b"\r\n");
        }
    }
}

/// Walks the `$<len>\r\n<bytes>\r\n` sequence that `Cmd` itself wrote.
struct ArgIter<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for ArgIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let header_end = self.rest.iter().position(|&b| b == b'\r')?;
        let len: usize = std::str::from_utf8(self.rest.get(1..header_end)?)
            .ok()?
            .parse()
            .ok()?;
        let start = header_end + 2;
        let arg = self.rest.get(start..start + len)?;
        self.rest = self.rest.get(start + len + 2..).unwrap_or(&[]);
        Some(arg)
    }
}

/// Shows the command name and argument count only: arguments may hold
/// secrets (AUTH, HELLO ... AUTH) or user data.
impl fmt::Debug for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Cmd({} +{} args)",
            self.name(),
            self.argc.saturating_sub(1)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::BytesMut;

    #[test]
    fn encodes_as_an_array_of_bulk_strings() {
        let cmd = Cmd::new("SET").arg("k").arg(&b"v\r\n"[..]).arg(42);
        let mut out = BytesMut::new();
        cmd.write_to(&mut out);
        assert_eq!(
            &out[..],
            b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n$2\r\n42\r\n"
        );
    }

    #[test]
    fn lengths_and_counts_of_every_width_are_written_in_decimal() {
        for len in [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_537] {
            let value = vec![b'x'; len];
            let mut cmd = Cmd::new("ECHO");
            for _ in 0..len.min(120) {
                cmd.push_bytes(&value);
            }
            let count = 1 + len.min(120);
            let mut expected = format!("*{count}\r\n$4\r\nECHO\r\n").into_bytes();
            for _ in 0..len.min(120) {
                expected.extend_from_slice(format!("${len}\r\n").as_bytes());
                expected.extend_from_slice(&value);
                expected.extend_from_slice(b"\r\n");
            }
            let mut out = BytesMut::new();
            cmd.write_to(&mut out);
            assert!(out[..] == expected[..], "argument length {len}");
            assert_eq!(cmd.name(), "ECHO");
        }
    }

    fn refused_for(cmd: &Cmd) -> String {
        let error = cmd.refusal().expect("the command should be refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        error.to_string()
    }

    #[test]
    fn a_command_without_a_name_is_refused_whatever_follows() {
        assert!(refused_for(&Cmd::new("")).contains("needs a name"));
        // Its first argument would otherwise be taken for its name.
        assert!(refused_for(&Cmd::new("").arg("GET").arg("k")).contains("needs a name"));
        assert!(Cmd::new("GET").arg("k").refusal().is_none());
        assert!(
            Cmd::new(" ").refusal().is_none(),
            "the server answers this one"
        );
    }

    #[test]
    fn an_argument_over_the_servers_limit_is_refused_without_being_copied() {
        // calloc'd and never read: the pages are not touched.
        let huge = vec![0u8; MAX_ARGUMENT_BYTES + 1];
        let cmd = Cmd::new("SET").arg("k").arg(&huge[..]);
        assert!(refused_for(&cmd).contains("longer than 512 MB"), "{cmd:?}");
        assert!(cmd.encoded.len() < 64, "{} bytes copied", cmd.encoded.len());
        assert_eq!(cmd.arg_count(), 3);
        let largest = vec![0u8; 1 << 20];
        assert!(
            Cmd::new("SET")
                .arg("k")
                .arg(&largest[..])
                .refusal()
                .is_none()
        );
    }

    #[test]
    fn nan_is_refused_where_infinities_are_sent() {
        assert!(refused_for(&Cmd::new("ZADD").arg("z").arg(f64::NAN).arg("m")).contains("NaN"));
        assert!(refused_for(&Cmd::new("ZADD").arg("z").arg(f32::NAN).arg("m")).contains("NaN"));
        let inf = Cmd::new("ZADD").arg("z").arg(f64::INFINITY).arg("m");
        assert!(inf.refusal().is_none());
    }

    #[test]
    fn a_defect_in_appended_arguments_carries_over() {
        let mut scratch = Cmd::scratch();
        scratch.push_arg(f64::NAN);
        let mut cmd = Cmd::new("EVAL").arg("return 1").arg(0);
        cmd.extend_from(&scratch);
        assert!(refused_for(&cmd).contains("NaN"));
        let mut clean = Cmd::new("EVAL").arg("return 1").arg(0);
        clean.extend_from(&Cmd::scratch().arg("a"));
        assert!(clean.refusal().is_none());
    }

    #[test]
    fn a_defect_survives_a_batch() {
        let mut batch = crate::Batch::default();
        batch.push(&Cmd::new("PING"));
        batch.push(&Cmd::new("ZADD").arg("z").arg(f64::NAN).arg("m"));
        batch.push(&Cmd::new(""));
        let message = batch.refusal().expect("refused").to_string();
        assert!(message.contains("command 2 of the pipeline"), "{message}");
        let cmds = batch.to_cmds();
        assert!(cmds[0].refusal().is_none());
        assert!(refused_for(&cmds[1]).contains("NaN"));
        assert!(refused_for(&cmds[2]).contains("needs a name"));
    }

    #[test]
    fn a_name_is_one_argument_whatever_it_holds() {
        let cmd = Cmd::new("GET k DEL").arg("ID");
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(args, vec![&b"GET k DEL"[..], b"ID"]);
        let cmd = Cmd::new("client").arg("KILL");
        assert!(cmd.is("CLIENT"));
        assert_eq!(cmd.arg_count(), 2);
    }

    #[test]
    fn timeouts_keep_millisecond_precision_in_four_bytes() {
        let timeout = |cmd: Cmd| cmd.timeout();
        assert_eq!(timeout(Cmd::new("GET")), None);
        assert_eq!(timeout(Cmd::new("GET").without_timeout()), Some(None));
        for (given, kept) in [
            (Duration::ZERO, Duration::ZERO),
            (Duration::from_micros(500), Duration::from_millis(1)),
            (Duration::from_millis(10), Duration::from_millis(10)),
            (Duration::from_secs(3600), Duration::from_secs(3600)),
            (
                Duration::from_secs(u64::MAX),
                Duration::from_millis(u64::from(u32::MAX - 2)),
            ),
        ] {
            let cmd = Cmd::new("GET").with_timeout(given);
            assert_eq!(timeout(cmd), Some(Some(kept)), "{given:?}");
        }
    }

    #[test]
    fn debug_hides_arguments() {
        let cmd = Cmd::new("AUTH").arg("user").arg("hunter2");
        let shown = format!("{cmd:?}");
        assert!(!shown.contains("hunter2"));
        assert_eq!(shown, "Cmd(AUTH +2 args)");
    }
}
