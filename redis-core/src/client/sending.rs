//! The future of a command (or batch) sent through a [`Client`].

use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tracing::Instrument;

use super::{Client, cached};
use crate::cache::Lookup;
use crate::cmd_info::{Blocking, blocking, shared_connection_refusal};
use crate::connection::{Failed, PendingReplies, Replies};
use crate::executor::reply_to;
use crate::span::CommandSpan;
use crate::{Cmd, Error, FromValue, Result, Value};

/// Sends `cmds` and waits for their replies. Written by hand rather than as
/// an `async fn`, because it lives inside every waiting command's future
/// (10,000 in flight add up): it holds its arguments once, and the rare
/// paths (blocking commands on a dedicated connection, retries after a
/// failure) are boxed, with their own copies of the client and commands.
///
/// `C` holds the commands: one owned command (`[Cmd; 1]`) for a command sent
/// alone, a batch's on the wire (`Vec<Cmd>`).
pub(super) struct Sending<'c, C> {
    client: &'c Client,
    cmds: C,
    span: CommandSpan,
    step: Step<'c>,
}

type Boxed = Pin<Box<dyn Future<Output = Result<Replies>> + Send>>;

enum Step<'c> {
    /// Not polled yet: nothing is sent before the first poll.
    Start,
    /// Queued on the shared connection.
    Shared(PendingReplies<'c>),
    /// A dedicated connection or a retry, in the command's span.
    Boxed(Boxed),
    /// Refused before sending; `None` once reported.
    Refused(Option<Error>),
    /// Answered by the client-side cache; `None` once reported. Boxed, so
    /// that every command's future stays as small as it was without a
    /// cache (a `Value` is 40 bytes; the other steps 24 at most).
    Cached(Option<Box<Value>>),
}

impl<'c, C: AsRef<[Cmd]>> Sending<'c, C> {
    pub(super) fn new(client: &'c Client, cmds: C) -> Sending<'c, C> {
        let span = CommandSpan::new(cmds.as_ref(), &client.inner.config);
        Sending::spanned(client, cmds, span)
    }

    /// As [`Sending::new`], in `span`: a batch's, named by what the batch
    /// is rather than by its commands on the wire.
    pub(super) fn spanned(client: &'c Client, cmds: C, span: CommandSpan) -> Sending<'c, C> {
        Sending {
            span,
            client,
            cmds,
            step: Step::Start,
        }
    }

    /// Where the commands go: the shared connection, unless one of them
    /// blocks or would leave state behind.
    fn route(&self) -> Step<'c> {
        let (client, cmds) = (self.client, self.cmds.as_ref());
        if let Some(refused) = cmds.iter().find_map(Cmd::refusal) {
            return Step::Refused(Some(refused));
        }
        client.learn_unknown(cmds);
        if let Some(why) = shared_connection_refusal(cmds) {
            return Step::Refused(Some(Error::config(why)));
        }
        if let Some(cache) = &client.inner.cache {
            cache.forget_written(cmds);
            if let [cmd] = cmds {
                let lookup = cache.lookup(cmd);
                let future: Boxed = match lookup {
                    Lookup::Pass => return Step::Shared(client.submit(cmds)),
                    Lookup::Hit(value) => return Step::Cached(Some(Box::new(value))),
                    Lookup::Lead(ticket) => {
                        Box::pin(cached::lead(client.clone(), [cmd.clone()], ticket))
                    }
                    Lookup::Follow(_) => {
                        Box::pin(cached::follow(client.clone(), [cmd.clone()], lookup))
                    }
                };
                return Step::Boxed(Box::pin(future.instrument(self.span.get())));
            }
        }
        if cmds.iter().any(|cmd| blocking(cmd) != Blocking::No) {
            let (client, cmds, span) = (client.clone(), cmds.to_vec(), self.span.get());
            let dedicated = async move { client.send_dedicated(&cmds, &span).await };
            return Step::Boxed(Box::pin(dedicated.instrument(self.span.get())));
        }
        self.span.record_peer(|| client.node());
        Step::Shared(client.submit(cmds))
    }
}

impl<C: AsRef<[Cmd]> + Unpin> Future for Sending<'_, C> {
    type Output = Result<Replies>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Replies>> {
        let this = self.get_mut();
        let result = ready!(this.poll_replies(cx));
        Poll::Ready(this.span.finish(result))
    }
}

impl<'c, C: AsRef<[Cmd]> + Unpin> Sending<'c, C> {
    /// The step that tries the commands again after `failed`, boxed with
    /// copies of the client and the commands.
    fn retrying(&self, failed: Failed) -> Step<'c> {
        let (client, cmds) = (self.client.clone(), self.cmds.as_ref().to_vec());
        let span = self.span.get();
        let retry = async move {
            let retried = client.retry(&cmds, failed).await;
            // The reconnect may have gone elsewhere (a Sentinel client).
            crate::span::record_peer_on(&span, &client.node());
            retried
        };
        Step::Boxed(Box::pin(retry.instrument(self.span.get())))
    }

    fn poll_replies(&mut self, cx: &mut Context<'_>) -> Poll<Result<Replies>> {
        let this = self;
        loop {
            match &mut this.step {
                Step::Start => this.step = this.route(),
                Step::Shared(pending) => match ready!(Pin::new(pending).poll(cx)) {
                    Ok(replies) => {
                        let Some(failed) = this.client.not_run_yet(this.cmds.as_ref(), &replies)
                        else {
                            return Poll::Ready(Ok(replies));
                        };
                        this.step = this.retrying(failed);
                    }
                    Err(failed) => this.step = this.retrying(failed),
                },
                Step::Boxed(future) => return future.as_mut().poll(cx),
                Step::Cached(value) => {
                    return Poll::Ready(match value.take() {
                        Some(value) => Ok(Replies::One(*value)),
                        None => Err(Error::protocol("polled after completion")),
                    });
                }
                Step::Refused(error) => {
                    let error = error
                        .take()
                        .unwrap_or_else(|| Error::protocol("polled after completion"));
                    return Poll::Ready(Err(error));
                }
            }
        }
    }
}

/// One command on its way through a [`Client`], its reply turned into the command's result
/// and then into `T`. The command is owned (`C = [Cmd; 1]`), or borrowed by a caller that
/// keeps it to send again elsewhere (the cluster, after a redirection).
pub struct Executing<'c, T, C = [Cmd; 1]> {
    sending: Sending<'c, C>,
    reply: PhantomData<fn() -> T>,
}

impl<'c, T> Executing<'c, T> {
    pub(super) fn new(client: &'c Client, cmd: Cmd) -> Executing<'c, T> {
        Executing {
            sending: Sending::new(client, [cmd]),
            reply: PhantomData,
        }
    }
}

impl<'c, T> Executing<'c, T, &'c [Cmd]> {
    pub(super) fn borrowed(client: &'c Client, cmd: &'c Cmd) -> Self {
        Executing {
            sending: Sending::new(client, std::slice::from_ref(cmd)),
            reply: PhantomData,
        }
    }
}

/// The command (its name and argument count, as [`Cmd`] shows it) and the
/// client it goes through.
impl<T, C: AsRef<[Cmd]>> fmt::Debug for Executing<'_, T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executing")
            .field("cmd", &self.sending.cmds.as_ref().first())
            .field("client", self.sending.client)
            .finish()
    }
}

impl<T: FromValue, C: AsRef<[Cmd]> + Unpin> Future for Executing<'_, T, C> {
    type Output = Result<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let replies = ready!(Pin::new(&mut self.sending).poll(cx));
        let Some(cmd) = self.sending.cmds.as_ref().first() else {
            return Poll::Ready(Err(Error::protocol("no command was sent")));
        };
        let reply = replies
            .map_err(|e| e.with_command(cmd.name()))?
            .into_last()
            .ok_or_else(|| Error::protocol("no reply"))?;
        let result = reply_to(cmd, reply).map_err(|e| self.sending.client.at_node(e));
        Poll::Ready(self.sending.span.finish(result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache's step must not make every command's future larger.
    #[test]
    fn a_step_is_no_larger_than_a_queued_command() {
        let queued = std::mem::size_of::<PendingReplies<'static>>();
        assert_eq!(std::mem::size_of::<Step<'static>>(), queued);
    }
}
