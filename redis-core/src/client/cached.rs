//! The cache's part of a command's way through a [`Client`]: a miss is sent
//! like any command (queued, retried after a lost connection as the policy
//! allows) and its reply offered to the cache.

use super::Client;
use crate::cache::{Lookup, Ticket};
use crate::connection::Replies;
use crate::{Cmd, Error, Result};

/// Sends `cmd` for the cache, as the caller that missed first.
pub(super) async fn lead(client: Client, cmd: [Cmd; 1], ticket: Ticket) -> Result<Replies> {
    let replies = match client.submit(&cmd).await {
        Ok(replies) => Ok(replies),
        Err(failed) => client.retry(&cmd, failed).await,
    };
    let outcome = match &replies {
        Ok(Replies::One(value)) => Ok(value.clone()),
        Ok(Replies::Many(values)) => values
            .last()
            .cloned()
            .ok_or_else(|| Error::protocol("no reply")),
        Err(error) => Err(error.clone()),
    };
    ticket.finish(&outcome);
    replies
}

/// Waits for the reply of an identical read another caller sent; sends it
/// itself if that caller gave up (its future was dropped).
pub(super) async fn follow(client: Client, cmd: [Cmd; 1], lookup: Lookup) -> Result<Replies> {
    let mut lookup = lookup;
    loop {
        match lookup {
            Lookup::Hit(value) => return Ok(Replies::One(value)),
            Lookup::Lead(ticket) => return lead(client, cmd, ticket).await,
            Lookup::Pass => {
                return match client.submit(&cmd).await {
                    Ok(replies) => Ok(replies),
                    Err(failed) => client.retry(&cmd, failed).await,
                };
            }
            Lookup::Follow(mut done) => {
                if let Ok(outcome) = done.wait_for(Option::is_some).await {
                    if let Some(outcome) = outcome.clone() {
                        return outcome.map(Replies::One);
                    }
                }
            }
        }
        let Some(cache) = &client.inner.cache else {
            return Err(Error::protocol("a cached read on a client without a cache"));
        };
        let [one] = &cmd;
        lookup = cache.lookup(one);
    }
}
