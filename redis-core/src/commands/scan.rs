//! SCAN, HSCAN, SSCAN and ZSCAN as streams that follow the cursor.
//!
//! A scan needs an executor to send its next page to, so these are methods
//! of [`ScanCommands`] (on every [`Executor`]), not commands a pipeline can
//! hold. Each returns a [`Scan`]: a [`Stream`] of elements that sends the
//! next `SCAN cursor ...` only when the elements of the last page are used
//! up, and ends when the server returns cursor `0`.
//!
//! The server's guarantees are the scan's: every element present for the
//! whole scan is returned at least once, but **an element may be returned
//! more than once** (when the table is resized mid-scan), and elements
//! added or removed meanwhile may or may not be. Nothing is deduplicated
//! here: collect into a set if duplicates matter.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::key_replies::KeyType;
use crate::convert::{FromValue, ToArgs};
use crate::{Cmd, Executor, Result};

/// The scans over every [`Executor`]: `client.scan(...)`,
/// `client.hscan(key, ...)` and the others return a [`Scan`] stream that
/// follows the cursor to the end. An element may come more than once (the
/// server's guarantee is "at least once"); nothing is deduplicated.
///
/// Not for pipelines: each page's request depends on the previous reply.
///
/// ```no_run
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// use redis_core::commands::{ElementScanOptions, ScanOptions};
/// use redis_core::prelude::*;
/// let mut keys = client.scan::<String>(ScanOptions::new().pattern("session:*").count(500));
/// while let Some(key) = keys.next().await {
///     let key = key?;
///     println!("{key}");
/// }
/// let fields: Vec<(String, String)> =
///     client.hscan("user:1", ElementScanOptions::new()).try_collect().await?;
/// # let _ = fields; Ok(()) }
/// ```
pub trait ScanCommands: Executor {
    /// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: the names
    /// of the keys in the selected database.
    fn scan<T: FromValue>(&self, options: ScanOptions) -> Scan<'_, Self, T> {
        Scan::new(self, Cmd::new("SCAN"), options.into_args())
    }

    /// `HSCAN key cursor [MATCH pattern] [COUNT count]`: the fields of a
    /// hash with their values (`MATCH` applies to the field names).
    fn hscan<F: FromValue, V: FromValue>(
        &self,
        key: impl ToArgs,
        options: ElementScanOptions,
    ) -> Scan<'_, Self, (F, V)> {
        Scan::new(self, Cmd::new("HSCAN").arg(key), options.into_args())
    }

    /// `HSCAN key cursor ... NOVALUES`: the field names of a hash only.
    /// Redis 7.4+.
    #[doc(alias = "HSCAN", alias = "NOVALUES")]
    fn hscan_novalues<F: FromValue>(
        &self,
        key: impl ToArgs,
        options: ElementScanOptions,
    ) -> Scan<'_, Self, F> {
        let mut args = options.into_args();
        args.push_arg("NOVALUES");
        Scan::new(self, Cmd::new("HSCAN").arg(key), args)
    }

    /// `SSCAN key cursor [MATCH pattern] [COUNT count]`: the members of a set.
    fn sscan<T: FromValue>(
        &self,
        key: impl ToArgs,
        options: ElementScanOptions,
    ) -> Scan<'_, Self, T> {
        Scan::new(self, Cmd::new("SSCAN").arg(key), options.into_args())
    }

    /// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: the members of a
    /// sorted set with their scores.
    fn zscan<T: FromValue>(
        &self,
        key: impl ToArgs,
        options: ElementScanOptions,
    ) -> Scan<'_, Self, (T, f64)> {
        Scan::new(self, Cmd::new("ZSCAN").arg(key), options.into_args())
    }
}

impl<E: Executor + ?Sized> ScanCommands for E {}

/// The options of `SCAN`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    pattern: Option<Vec<u8>>,
    count: Option<u32>,
    key_type: Option<ScanType>,
}

impl ScanOptions {
    /// No options: every key, pages of the server's default size (10).
    pub fn new() -> Self {
        ScanOptions::default()
    }

    /// `MATCH pattern`: only the keys matching the glob-style `pattern`. The
    /// filter is applied after a page is read, so pages may come back empty.
    #[doc(alias = "MATCH")]
    pub fn pattern(mut self, pattern: impl AsRef<[u8]>) -> Self {
        self.pattern = Some(pattern.as_ref().to_vec());
        self
    }

    /// `COUNT count`: how much work the server does per page (a hint, not
    /// a page size).
    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    /// `TYPE type`: only the keys holding this type.
    #[doc(alias = "TYPE")]
    pub fn key_type(mut self, key_type: ScanType) -> Self {
        self.key_type = Some(key_type);
        self
    }

    fn into_args(self) -> Cmd {
        let mut args = match_and_count(self.pattern, self.count);
        if let Some(key_type) = self.key_type {
            args.push_arg("TYPE").push_arg(key_type.name());
        }
        args
    }
}

/// The options of `HSCAN`, `SSCAN` and `ZSCAN`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElementScanOptions {
    pattern: Option<Vec<u8>>,
    count: Option<u32>,
}

impl ElementScanOptions {
    /// No options: every element, pages of the server's default size (10).
    pub fn new() -> Self {
        ElementScanOptions::default()
    }

    /// `MATCH pattern`: only the fields or members matching the glob-style
    /// `pattern`.
    #[doc(alias = "MATCH")]
    pub fn pattern(mut self, pattern: impl AsRef<[u8]>) -> Self {
        self.pattern = Some(pattern.as_ref().to_vec());
        self
    }

    /// `COUNT count`: how much work the server does per page (a hint; small
    /// collections come back whole).
    pub fn count(mut self, count: u32) -> Self {
        self.count = Some(count);
        self
    }

    fn into_args(self) -> Cmd {
        match_and_count(self.pattern, self.count)
    }
}

/// The arguments after the cursor, held in a nameless [`Cmd`] so that each
/// page's command is the prefix, the cursor and these bytes copied.
fn match_and_count(pattern: Option<Vec<u8>>, count: Option<u32>) -> Cmd {
    let mut args = Cmd::scratch();
    if let Some(pattern) = pattern {
        args.push_arg("MATCH").push_arg(&pattern[..]);
    }
    if let Some(count) = count {
        args.push_arg("COUNT").push_arg(count);
    }
    args
}

/// The type of value the keys of a `SCAN ... TYPE` hold: the same names
/// as `TYPE`'s, so the same enum ([`KeyType::Missing`] matches no key).
pub type ScanType = KeyType;

/// One page of a scan: the next cursor and the page's elements.
type Page<T> = (String, Vec<T>);

/// The request for one page, in flight: boxed once per page so that a
/// [`Scan`] is `Unpin` whatever the executor's future is.
type PendingPage<'a, E, T> = Pin<Box<<E as Executor>::Execute<'a, Page<T>>>>;

/// A scan in progress: a [`Stream`] of `Result<T>` that follows the cursor,
/// one page at a time; also usable without any stream crate through
/// [`Scan::next`] and [`Scan::try_collect`].
///
/// A page is requested only when the previous one is used up. An error
/// (from the server, or an element that does not convert to `T`) is
/// returned once, and ends the scan. Dropping the scan abandons it;
/// nothing is left on the server.
///
/// The server's guarantees are the scan's: every element present for the
/// whole scan is returned at least once, but **an element may be returned
/// more than once**, and elements added or removed meanwhile may or may not
/// be. Nothing is deduplicated here: collect into a set if that matters.
#[must_use = "a scan does nothing until polled"]
pub struct Scan<'a, E: Executor + ?Sized + 'a, T: FromValue> {
    executor: &'a E,
    /// `SCAN` or `HSCAN key` ..., the part before the cursor.
    prefix: Cmd,
    /// `MATCH ... COUNT ...`, the part after it.
    options: Cmd,
    /// The cursor of the next page; `None` once the server returned `0`.
    cursor: Option<String>,
    items: std::vec::IntoIter<T>,
    page: Option<PendingPage<'a, E, T>>,
}

// The page's future is pinned in its own box, and nothing else is ever
// pinned: moving a `Scan` is always sound.
impl<'a, E: Executor + ?Sized + 'a, T: FromValue> Unpin for Scan<'a, E, T> {}

impl<'a, E: Executor + ?Sized + 'a, T: FromValue> Scan<'a, E, T> {
    fn new(executor: &'a E, prefix: Cmd, options: Cmd) -> Self {
        Scan {
            executor,
            prefix,
            options,
            cursor: Some("0".to_owned()),
            items: Vec::new().into_iter(),
            page: None,
        }
    }

    /// The next element, `None` when the scan is complete (or ended by an
    /// error, returned just before).
    pub async fn next(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining element, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<T>> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }

    fn page_command(&self, cursor: &str) -> Cmd {
        let mut cmd = self.prefix.clone();
        cmd.push_arg(cursor);
        cmd.extend_from(&self.options);
        cmd
    }
}

impl<'a, E: Executor + ?Sized + 'a, T: FromValue> Stream for Scan<'a, E, T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.items.next() {
                return Poll::Ready(Some(Ok(item)));
            }
            if let Some(page) = this.page.as_mut() {
                let reply = std::task::ready!(page.as_mut().poll(cx));
                this.page = None;
                match reply {
                    Ok((cursor, items)) => {
                        this.cursor = (cursor != "0").then_some(cursor);
                        this.items = items.into_iter();
                        continue;
                    }
                    Err(error) => {
                        this.cursor = None;
                        return Poll::Ready(Some(Err(error)));
                    }
                }
            }
            let Some(cursor) = this.cursor.take() else {
                return Poll::Ready(None);
            };
            let cmd = this.page_command(&cursor);
            this.page = Some(Box::pin(this.executor.execute(cmd)));
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let buffered = self.items.len();
        match (&self.cursor, &self.page) {
            (None, None) => (buffered, Some(buffered)),
            _ => (buffered, None),
        }
    }
}

impl<'a, E: Executor + ?Sized + 'a, T: FromValue> fmt::Debug for Scan<'a, E, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan")
            .field("command", &self.prefix.name())
            .field("cursor", &self.cursor)
            .field("buffered", &self.items.len())
            .field("waiting", &self.page.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_are_send_unpin_streams_on_every_executor() {
        fn is_stream<S: Stream<Item = Result<String>> + Send + Unpin>() {}
        is_stream::<Scan<'static, crate::Client, String>>();
        is_stream::<Scan<'static, crate::Dedicated, String>>();
    }

    #[test]
    fn options_follow_the_cursor_in_order() {
        let options = ScanOptions::new()
            .pattern("user:*")
            .count(500)
            .key_type(ScanType::SortedSet)
            .into_args();
        let args: Vec<&[u8]> = options.args().collect();
        assert_eq!(
            args,
            [&b"MATCH"[..], b"user:*", b"COUNT", b"500", b"TYPE", b"zset"]
        );
        let none = ElementScanOptions::new().into_args();
        assert_eq!(none.arg_count(), 0);
        let module = ScanOptions::new()
            .key_type(ScanType::Module("ReJSON-RL".into()))
            .into_args();
        assert_eq!(module.args().last(), Some(&b"ReJSON-RL"[..]));
    }
}
