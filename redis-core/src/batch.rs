//! A pipeline's commands encoded back to back, as they go on the wire.

use std::time::Duration;

use crate::cmd::Defect;
use crate::cmd_info::Traits;
use crate::{Cmd, Error};

/// Commands encoded into one buffer, each with what the client must know
/// about it. A [`crate::Pipeline`] holds one, so that its commands cost one
/// growing buffer rather than one allocation each, and a [`crate::Client`]
/// writes it to the connection in one copy. Opaque: built only by pipelines.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    bytes: Vec<u8>,
    heads: Vec<Head>,
}

#[derive(Clone, Copy, Debug)]
struct Head {
    /// Where this command's bytes end in `bytes` (they start where the
    /// previous command's end).
    end: usize,
    traits: Traits,
    timeout: Option<Option<Duration>>,
    defect: Option<Defect>,
}

impl Batch {
    /// Appends `cmd`'s encoding.
    pub(crate) fn push(&mut self, cmd: &Cmd) {
        cmd.write_to_vec(&mut self.bytes);
        self.heads.push(Head {
            end: self.bytes.len(),
            traits: cmd.traits(),
            timeout: cmd.timeout(),
            defect: cmd.defect(),
        });
    }

    /// The number of commands.
    pub(crate) fn len(&self) -> usize {
        self.heads.len()
    }

    /// All commands' bytes, back to back.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn wire(&self, i: usize) -> &[u8] {
        let start = match i.checked_sub(1) {
            Some(before) => self.heads.get(before).map_or(0, |head| head.end),
            None => 0,
        };
        let end = self.heads.get(i).map_or(start, |head| head.end);
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// The commands, decoded again: for the paths that need each one (a
    /// transaction's framing, a retry, a dedicated connection).
    pub(crate) fn to_cmds(&self) -> Vec<Cmd> {
        self.heads
            .iter()
            .enumerate()
            .filter_map(|(i, head)| {
                Cmd::from_wire(self.wire(i), head.traits, head.timeout, head.defect)
            })
            .collect()
    }

    /// The name of command `i`, for errors.
    pub(crate) fn name(&self, i: usize) -> &str {
        let wire = self.wire(i);
        // `*<argc>\r\n$<len>\r\n<name>\r\n...`
        let mut lines = wire.splitn(3, |&b| b == b'\n');
        let (_, Some(len_line), Some(rest)) = (lines.next(), lines.next(), lines.next()) else {
            return "";
        };
        let len = std::str::from_utf8(len_line.get(1..).unwrap_or_default())
            .ok()
            .and_then(|len| len.trim_end().parse::<usize>().ok())
            .unwrap_or(0);
        rest.get(..len)
            .and_then(|name| std::str::from_utf8(name).ok())
            .unwrap_or("")
    }

    /// Why the batch must not be sent: the first of its commands that must
    /// not (see [`Cmd::refusal`]), named by its position.
    pub(crate) fn refusal(&self) -> Option<Error> {
        let (i, head) = (self.heads.iter().enumerate()).find(|(_, head)| head.defect.is_some())?;
        let error =
            Cmd::from_wire(self.wire(i), head.traits, head.timeout, head.defect)?.refusal()?;
        let detail = format!("command {} of the pipeline: {error}", i + 1);
        Some(error.with_detail(detail))
    }

    /// True when every command can go on a shared connection as it is.
    pub(crate) fn is_plain(&self) -> bool {
        self.heads.iter().all(|head| head.traits.is_plain())
    }

    /// The longest reply wait of plain commands (`None`: one waits forever):
    /// each its own override, else `default`.
    pub(crate) fn timeout(&self, default: Option<Duration>) -> Option<Duration> {
        self.heads
            .iter()
            .map(|head| head.timeout.unwrap_or(default))
            .try_fold(Duration::ZERO, |longest, t| t.map(|t| longest.max(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_come_back_as_they_went_in() {
        let cmds = [
            Cmd::new("SET").arg("k").arg(&b"v\r\n"[..]),
            Cmd::new("GET")
                .arg("k")
                .with_timeout(Duration::from_secs(3)),
            Cmd::new("client").arg("ID"),
            Cmd::new("PING"),
        ];
        let mut batch = Batch::default();
        for cmd in &cmds {
            batch.push(cmd);
        }
        assert_eq!(batch.len(), 4);
        assert_eq!(batch.to_cmds(), cmds);
        let names: Vec<&str> = (0..4).map(|i| batch.name(i)).collect();
        assert_eq!(names, ["SET", "GET", "client", "PING"]);
        assert!(!batch.is_plain(), "CLIENT's subcommand decides");
        let mut wire = bytes::BytesMut::new();
        cmds.iter().for_each(|cmd| cmd.write_to(&mut wire));
        assert_eq!(batch.bytes(), &wire[..]);
    }

    #[test]
    fn plain_batches_and_their_timeouts() {
        let mut batch = Batch::default();
        batch.push(&Cmd::new("GET").arg("a"));
        batch.push(
            &Cmd::new("GET")
                .arg("b")
                .with_timeout(Duration::from_secs(9)),
        );
        assert!(batch.is_plain());
        let default = Some(Duration::from_secs(1));
        assert_eq!(batch.timeout(default), Some(Duration::from_secs(9)));
        batch.push(&Cmd::new("INCR").arg("a").without_timeout());
        assert_eq!(batch.timeout(default), None);
        batch.push(&Cmd::new("BLPOP").arg("q").arg(1));
        assert!(
            !batch.is_plain(),
            "a blocking command needs its own connection"
        );
        assert_eq!(batch.name(9), "");
    }
}
