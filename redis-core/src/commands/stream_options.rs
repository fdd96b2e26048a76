//! The options of the stream commands: id bounds, read positions, trimming,
//! and the option sets of XADD, XREAD, XREADGROUP, XPENDING, XCLAIM, XGROUP
//! CREATE and XSETID.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{StreamId, millis};
use crate::Cmd;
use crate::convert::ToArgs;

/// One end of an id range (XRANGE, XREVRANGE, XPENDING).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamBound {
    /// Below every id (`-`).
    Min,
    /// Above every id (`+`).
    Max,
    /// From or up to this id, itself included.
    Inclusive(StreamId),
    /// From or up to this id, itself excluded (`(id`; Redis 6.2+).
    Exclusive(StreamId),
}

impl ToArgs for StreamBound {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            StreamBound::Min => cmd.push_bytes(b"-"),
            StreamBound::Max => cmd.push_bytes(b"+"),
            StreamBound::Inclusive(id) => id.write_args(cmd),
            StreamBound::Exclusive(id) => cmd.push_bytes(format!("({id}").as_bytes()),
        }
    }
}

/// Where XREAD starts in one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReadFrom {
    /// The entries after this id (`After(StreamId::ZERO)`: from the start).
    After(StreamId),
    /// Only entries added from now on (`$`); useful with a block time.
    NewEntries,
    /// The stream's last entry (`+`; Redis 7.4+).
    LastEntry,
}

impl ToArgs for ReadFrom {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            ReadFrom::After(id) => id.write_args(cmd),
            ReadFrom::NewEntries => cmd.push_bytes(b"$"),
            ReadFrom::LastEntry => cmd.push_bytes(b"+"),
        }
    }
}

/// What XREADGROUP reads from one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupReadFrom {
    /// Entries never delivered to the group (`>`); they become pending for
    /// the reading consumer.
    Undelivered,
    /// The consumer's own pending entries after this id (its history;
    /// `PendingAfter(StreamId::ZERO)` for all of them).
    PendingAfter(StreamId),
}

impl ToArgs for GroupReadFrom {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            GroupReadFrom::Undelivered => cmd.push_bytes(b">"),
            GroupReadFrom::PendingAfter(id) => id.write_args(cmd),
        }
    }
}

/// Where a new consumer group (XGROUP CREATE) or a moved one (XGROUP SETID)
/// starts delivering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupStart {
    /// After this id (`After(StreamId::ZERO)`: every entry).
    After(StreamId),
    /// After the stream's current last entry: only entries added later (`$`).
    NewEntries,
}

impl ToArgs for GroupStart {
    fn write_args(&self, cmd: &mut Cmd) {
        match self {
            GroupStart::After(id) => id.write_args(cmd),
            GroupStart::NewEntries => cmd.push_bytes(b"$"),
        }
    }
}

/// What deleting or trimming entries does to consumer groups' references
/// (their pending lists) to them (Redis 8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamRefPolicy {
    /// Delete the entries, keep the references (`KEEPREF`, what XDEL and
    /// plain trimming do).
    KeepRef,
    /// Delete the entries and every group's reference to them (`DELREF`).
    DelRef,
    /// Delete only the entries every group has acknowledged (`ACKED`).
    Acked,
}

impl ToArgs for StreamRefPolicy {
    fn write_args(&self, cmd: &mut Cmd) {
        cmd.push_bytes(match self {
            StreamRefPolicy::KeepRef => b"KEEPREF",
            StreamRefPolicy::DelRef => b"DELREF",
            StreamRefPolicy::Acked => b"ACKED",
        });
    }
}

/// How far to trim a stream (XTRIM, and XADD through [`XAddOptions::trim`]).
///
/// Trimming is approximate (`~`) unless [`exact`](StreamTrim::exact) is
/// asked for: the server then removes whole radix tree nodes only, which is
/// much cheaper and may leave a few more entries. A [`limit`](StreamTrim::limit)
/// on the entries removed exists only for approximate trimming (the server
/// refuses it with exact trimming), so setting one makes the trim approximate.
///
/// ```
/// use redis_core::commands::{StreamId, StreamRefPolicy, StreamTrim};
/// let keep_last_1000 = StreamTrim::max_len(1000);
/// let exactly_100 = StreamTrim::max_len(100).exact();
/// let older_than = StreamTrim::min_id(StreamId::new(1_700_000_000_000, 0)).limit(500);
/// let acked_only = StreamTrim::max_len(1000).refs(StreamRefPolicy::Acked);
/// # let _ = (keep_last_1000, exactly_100, older_than, acked_only);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamTrim {
    threshold: TrimThreshold,
    precision: TrimPrecision,
    refs: Option<StreamRefPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TrimThreshold {
    MaxLen(u64),
    MinId(StreamId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum TrimPrecision {
    Exact,
    Approximate { limit: Option<u64> },
}

impl StreamTrim {
    /// Keep about the newest `len` entries (`MAXLEN ~ len`).
    pub fn max_len(len: u64) -> StreamTrim {
        StreamTrim::new(TrimThreshold::MaxLen(len))
    }

    /// Remove the entries with ids below `id`, about (`MINID ~ id`; Redis 6.2+).
    pub fn min_id(id: StreamId) -> StreamTrim {
        StreamTrim::new(TrimThreshold::MinId(id))
    }

    fn new(threshold: TrimThreshold) -> StreamTrim {
        StreamTrim {
            threshold,
            precision: TrimPrecision::Approximate { limit: None },
            refs: None,
        }
    }

    /// Trim exactly to the threshold (`=`), dropping any limit.
    pub fn exact(mut self) -> StreamTrim {
        self.precision = TrimPrecision::Exact;
        self
    }

    /// Remove at most `max_entries` entries in one go (`LIMIT`; Redis 6.2+);
    /// this makes the trim approximate. 0 means no limit.
    pub fn limit(mut self, max_entries: u64) -> StreamTrim {
        self.precision = TrimPrecision::Approximate {
            limit: Some(max_entries),
        };
        self
    }

    /// What happens to consumer groups' references to the removed entries
    /// (Redis 8.2; the server's default is [`StreamRefPolicy::KeepRef`]).
    pub fn refs(mut self, policy: StreamRefPolicy) -> StreamTrim {
        self.refs = Some(policy);
        self
    }

    /// `MAXLEN|MINID =|~ threshold [LIMIT n]`, without the reference policy.
    fn write_threshold(&self, cmd: &mut Cmd) {
        let operator: &[u8] = match self.precision {
            TrimPrecision::Exact => b"=",
            TrimPrecision::Approximate { .. } => b"~",
        };
        match self.threshold {
            TrimThreshold::MaxLen(len) => {
                cmd.push_bytes(b"MAXLEN");
                cmd.push_bytes(operator);
                cmd.push_arg(len);
            }
            TrimThreshold::MinId(id) => {
                cmd.push_bytes(b"MINID");
                cmd.push_bytes(operator);
                cmd.push_arg(id);
            }
        }
        if let TrimPrecision::Approximate { limit: Some(limit) } = self.precision {
            cmd.push_bytes(b"LIMIT");
            cmd.push_arg(limit);
        }
    }
}

/// As XTRIM takes it: the threshold, then the reference policy.
impl ToArgs for StreamTrim {
    fn write_args(&self, cmd: &mut Cmd) {
        self.write_threshold(cmd);
        cmd.push_arg(self.refs);
    }
}

/// How XADD adds an entry: its id, trimming, and whether it may create the
/// stream. The default is what [`xadd`](super::xadd) does: an id the server
/// picks, no trimming, the stream created if missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct XAddOptions {
    id: NewEntryId,
    nomkstream: bool,
    trim: Option<StreamTrim>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
enum NewEntryId {
    #[default]
    Auto,
    AutoSeq(u64),
    Explicit(StreamId),
}

impl XAddOptions {
    /// The defaults: `*` as the id, no trimming, the stream created if missing.
    pub fn new() -> XAddOptions {
        XAddOptions::default()
    }

    /// Use this id; it must be above the stream's last id.
    pub fn id(mut self, id: StreamId) -> XAddOptions {
        self.id = NewEntryId::Explicit(id);
        self
    }

    /// Use `ms` as the milliseconds part and let the server pick the
    /// sequence number (`ms-*`; Redis 7.0+).
    pub fn id_ms(mut self, ms: u64) -> XAddOptions {
        self.id = NewEntryId::AutoSeq(ms);
        self
    }

    /// Do not create the stream: nothing is added if it does not exist
    /// (`NOMKSTREAM`; Redis 6.2+), and the reply is `None`.
    pub fn nomkstream(mut self) -> XAddOptions {
        self.nomkstream = true;
        self
    }

    /// Trim the stream as the entry is added.
    pub fn trim(mut self, trim: StreamTrim) -> XAddOptions {
        self.trim = Some(trim);
        self
    }

    /// `[NOMKSTREAM] [KEEPREF|DELREF|ACKED] [trim] id`, in the order XADD wants.
    pub(super) fn write_before_fields(&self, cmd: &mut Cmd) {
        if self.nomkstream {
            cmd.push_bytes(b"NOMKSTREAM");
        }
        if let Some(trim) = &self.trim {
            cmd.push_arg(trim.refs);
            trim.write_threshold(cmd);
        }
        match self.id {
            NewEntryId::Auto => cmd.push_bytes(b"*"),
            NewEntryId::AutoSeq(ms) => cmd.push_bytes(format!("{ms}-*").as_bytes()),
            NewEntryId::Explicit(id) => id.write_args(cmd),
        }
    }
}

/// How long XREAD or XREADGROUP waits for entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Block {
    Millis(u64),
    Forever,
}

fn write_read_options(cmd: &mut Cmd, count: Option<u64>, block: Option<Block>) {
    if let Some(count) = count {
        cmd.push_bytes(b"COUNT");
        cmd.push_arg(count);
    }
    match block {
        Some(Block::Millis(ms)) => {
            cmd.push_bytes(b"BLOCK");
            cmd.push_arg(ms);
        }
        Some(Block::Forever) => {
            cmd.push_bytes(b"BLOCK");
            cmd.push_bytes(b"0");
        }
        None => {}
    }
}

/// A block time in whole milliseconds, at least 1: BLOCK 0 would wait forever.
fn block_millis(time: Duration) -> Block {
    let ms = time.as_nanos().div_ceil(1_000_000).max(1);
    Block::Millis(u64::try_from(ms).unwrap_or(u64::MAX))
}

/// XREAD's COUNT and BLOCK. By default it returns at once with every entry
/// after the given positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct XReadOptions {
    count: Option<u64>,
    block: Option<Block>,
}

impl XReadOptions {
    /// No count, no block time.
    pub fn new() -> XReadOptions {
        XReadOptions::default()
    }

    /// At most `count` entries per stream.
    pub fn count(mut self, count: u64) -> XReadOptions {
        self.count = Some(count);
        self
    }

    /// When no stream has entries, wait up to `time` (rounded up to whole
    /// milliseconds, at least 1) for some to arrive. The command then runs
    /// on a connection of its own, so it does not hold up other commands.
    pub fn block(mut self, time: Duration) -> XReadOptions {
        self.block = Some(block_millis(time));
        self
    }

    /// When no stream has entries, wait until some arrive (`BLOCK 0`).
    pub fn block_forever(mut self) -> XReadOptions {
        self.block = Some(Block::Forever);
        self
    }
}

impl ToArgs for XReadOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        write_read_options(cmd, self.count, self.block);
    }
}

/// XREADGROUP's COUNT, BLOCK and NOACK. By default it returns at once and
/// adds what it delivers to the consumer's pending list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct XReadGroupOptions {
    count: Option<u64>,
    block: Option<Block>,
    noack: bool,
}

impl XReadGroupOptions {
    /// No count, no block time, entries kept pending.
    pub fn new() -> XReadGroupOptions {
        XReadGroupOptions::default()
    }

    /// At most `count` entries per stream.
    pub fn count(mut self, count: u64) -> XReadGroupOptions {
        self.count = Some(count);
        self
    }

    /// When no stream has entries, wait up to `time` (rounded up to whole
    /// milliseconds, at least 1) for some to arrive. The command then runs
    /// on a connection of its own, so it does not hold up other commands.
    pub fn block(mut self, time: Duration) -> XReadGroupOptions {
        self.block = Some(block_millis(time));
        self
    }

    /// When no stream has entries, wait until some arrive (`BLOCK 0`).
    pub fn block_forever(mut self) -> XReadGroupOptions {
        self.block = Some(Block::Forever);
        self
    }

    /// Do not add the delivered entries to the pending list: they count as
    /// acknowledged at once (`NOACK`).
    pub fn noack(mut self) -> XReadGroupOptions {
        self.noack = true;
        self
    }
}

impl ToArgs for XReadGroupOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        write_read_options(cmd, self.count, self.block);
        if self.noack {
            cmd.push_bytes(b"NOACK");
        }
    }
}

/// Which pending entries the extended XPENDING form lists: an id range, a
/// count, and optionally a minimum idle time and one consumer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct XPendingRange {
    start: StreamBound,
    end: StreamBound,
    count: u64,
    idle: Option<Duration>,
    consumer: Option<String>,
}

impl XPendingRange {
    /// At most `count` pending entries, of any id, idle time and consumer.
    pub fn new(count: u64) -> XPendingRange {
        XPendingRange {
            start: StreamBound::Min,
            end: StreamBound::Max,
            count,
            idle: None,
            consumer: None,
        }
    }

    /// Only ids from `start` on.
    pub fn start(mut self, start: StreamBound) -> XPendingRange {
        self.start = start;
        self
    }

    /// Only ids up to `end`.
    pub fn end(mut self, end: StreamBound) -> XPendingRange {
        self.end = end;
        self
    }

    /// Only entries idle at least this long (`IDLE`; Redis 6.2+).
    pub fn idle(mut self, min_idle: Duration) -> XPendingRange {
        self.idle = Some(min_idle);
        self
    }

    /// Only the entries pending for this consumer.
    pub fn consumer(mut self, consumer: impl Into<String>) -> XPendingRange {
        self.consumer = Some(consumer.into());
        self
    }
}

impl ToArgs for XPendingRange {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(idle) = self.idle {
            cmd.push_bytes(b"IDLE");
            cmd.push_arg(millis(idle));
        }
        cmd.push_arg(self.start);
        cmd.push_arg(self.end);
        cmd.push_arg(self.count);
        cmd.push_arg(&self.consumer);
    }
}

/// XCLAIM's options: the claimed entries' new idle time or delivery time,
/// their delivery count, and FORCE.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct XClaimOptions {
    delivered: Option<Delivered>,
    retry_count: Option<u64>,
    force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Delivered {
    Idle(Duration),
    At(SystemTime),
}

impl XClaimOptions {
    /// The server's defaults: idle time reset to 0, delivery count plus one.
    pub fn new() -> XClaimOptions {
        XClaimOptions::default()
    }

    /// Set the claimed entries' idle time (`IDLE`); replaces [`time`](Self::time).
    pub fn idle(mut self, idle: Duration) -> XClaimOptions {
        self.delivered = Some(Delivered::Idle(idle));
        self
    }

    /// Set the claimed entries' last delivery time (`TIME`); replaces
    /// [`idle`](Self::idle).
    pub fn time(mut self, delivered_at: SystemTime) -> XClaimOptions {
        self.delivered = Some(Delivered::At(delivered_at));
        self
    }

    /// Set the claimed entries' delivery count (`RETRYCOUNT`).
    #[doc(alias = "RETRYCOUNT")]
    pub fn retry_count(mut self, count: u64) -> XClaimOptions {
        self.retry_count = Some(count);
        self
    }

    /// Create pending entries for ids that are in the stream but not pending
    /// in the group (`FORCE`).
    pub fn force(mut self) -> XClaimOptions {
        self.force = true;
        self
    }
}

impl ToArgs for XClaimOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        match self.delivered {
            Some(Delivered::Idle(idle)) => {
                cmd.push_bytes(b"IDLE");
                cmd.push_arg(millis(idle));
            }
            Some(Delivered::At(time)) => {
                // A time before 1970 is sent as 0, the earliest the server takes.
                let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
                cmd.push_bytes(b"TIME");
                cmd.push_arg(millis(since_epoch));
            }
            None => {}
        }
        if let Some(count) = self.retry_count {
            cmd.push_bytes(b"RETRYCOUNT");
            cmd.push_arg(count);
        }
        if self.force {
            cmd.push_bytes(b"FORCE");
        }
    }
}

/// XGROUP CREATE's MKSTREAM and ENTRIESREAD.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct XGroupCreateOptions {
    mkstream: bool,
    entries_read: Option<u64>,
}

impl XGroupCreateOptions {
    /// Neither: the stream must exist, the entries read are unknown.
    pub fn new() -> XGroupCreateOptions {
        XGroupCreateOptions::default()
    }

    /// Create an empty stream if the key does not exist (`MKSTREAM`).
    pub fn mkstream(mut self) -> XGroupCreateOptions {
        self.mkstream = true;
        self
    }

    /// How many entries the group counts as already read, for its lag
    /// (`ENTRIESREAD`; Redis 7.0+).
    #[doc(alias = "ENTRIESREAD")]
    pub fn entries_read(mut self, entries_read: u64) -> XGroupCreateOptions {
        self.entries_read = Some(entries_read);
        self
    }
}

impl ToArgs for XGroupCreateOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if self.mkstream {
            cmd.push_bytes(b"MKSTREAM");
        }
        if let Some(entries_read) = self.entries_read {
            cmd.push_bytes(b"ENTRIESREAD");
            cmd.push_arg(entries_read);
        }
    }
}

/// XSETID's ENTRIESADDED and MAXDELETEDID (Redis 7.0+).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct XSetIdOptions {
    entries_added: Option<u64>,
    max_deleted_id: Option<StreamId>,
}

impl XSetIdOptions {
    /// Neither: only the last id changes.
    pub fn new() -> XSetIdOptions {
        XSetIdOptions::default()
    }

    /// Set how many entries were ever added (`ENTRIESADDED`; at least the
    /// current length).
    #[doc(alias = "ENTRIESADDED")]
    pub fn entries_added(mut self, entries_added: u64) -> XSetIdOptions {
        self.entries_added = Some(entries_added);
        self
    }

    /// Set the highest id ever deleted (`MAXDELETEDID`; at most the last id).
    #[doc(alias = "MAXDELETEDID")]
    pub fn max_deleted_id(mut self, id: StreamId) -> XSetIdOptions {
        self.max_deleted_id = Some(id);
        self
    }
}

impl ToArgs for XSetIdOptions {
    fn write_args(&self, cmd: &mut Cmd) {
        if let Some(entries_added) = self.entries_added {
            cmd.push_bytes(b"ENTRIESADDED");
            cmd.push_arg(entries_added);
        }
        if let Some(id) = self.max_deleted_id {
            cmd.push_bytes(b"MAXDELETEDID");
            cmd.push_arg(id);
        }
    }
}
