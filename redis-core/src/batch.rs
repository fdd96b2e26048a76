//! What a pipeline or transaction sends, and what it is: its commands
//! encoded back to back, what must run before them (the `SCRIPT LOAD`s of
//! the scripts it calls) and whether they run as one atomic unit
//! (MULTI ... EXEC). Executors read the shape; none looks for MULTI or EXEC
//! among the commands.

use std::time::Duration;

use crate::cmd::Defect;
use crate::cmd_info::Traits;
use crate::{Cmd, Error};

/// `MULTI` and `EXEC` as they go on the wire around an atomic batch's
/// commands (what `Cmd::new("MULTI")` and `Cmd::new("EXEC")` encode).
const MULTI: &[u8] = b"*1\r\n$5\r\nMULTI\r\n";
const EXEC: &[u8] = b"*1\r\n$4\r\nEXEC\r\n";

/// What a [`crate::Pipeline`] or [`crate::Transaction`] sends: its commands,
/// encoded into one buffer, each with what the client must know about it;
/// the commands that must run before them, on every node that runs them
/// (the `SCRIPT LOAD`s of the scripts it calls); and whether the commands
/// run as one atomic unit (a transaction: `MULTI`, the commands, `EXEC`).
///
/// Opaque: built only by pipelines and transactions, and handed to
/// [`crate::Executor::execute_batch`]. A [`crate::Client`] writes it to
/// its connection in one copy; a [`crate::ClusterClient`] routes the
/// atomic part whole to its slot's node and each other command to its own.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    preamble: Encoded,
    commands: Encoded,
    atomic: bool,
}

/// Commands encoded back to back, each with what the client knows of it.
#[derive(Clone, Debug, Default)]
struct Encoded {
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

impl Encoded {
    fn push(&mut self, cmd: &Cmd) {
        cmd.write_to_vec(&mut self.bytes);
        self.heads.push(Head {
            end: self.bytes.len(),
            traits: cmd.traits(),
            timeout: cmd.timeout(),
            defect: cmd.defect(),
        });
    }

    fn wire(&self, i: usize) -> &[u8] {
        let start = match i.checked_sub(1) {
            Some(before) => self.heads.get(before).map_or(0, |head| head.end),
            None => 0,
        };
        let end = self.heads.get(i).map_or(start, |head| head.end);
        self.bytes.get(start..end).unwrap_or_default()
    }

    fn cmd(&self, i: usize) -> Option<Cmd> {
        let head = self.heads.get(i)?;
        Cmd::from_wire(self.wire(i), head.traits, head.timeout, head.defect)
    }

    fn cmds(&self) -> impl Iterator<Item = Cmd> + '_ {
        (0..self.heads.len()).filter_map(|i| self.cmd(i))
    }
}

impl Batch {
    /// An empty batch whose commands will run as one atomic unit.
    pub(crate) fn atomic() -> Batch {
        Batch {
            atomic: true,
            ..Batch::default()
        }
    }

    /// Makes the commands one atomic unit (a cluster node's share of a
    /// transaction).
    pub(crate) fn make_atomic(&mut self) {
        self.atomic = true;
    }

    /// Appends `cmd`'s encoding to the commands.
    pub(crate) fn push(&mut self, cmd: &Cmd) {
        self.commands.push(cmd);
    }

    /// Appends `cmd` to what runs before the commands, outside the atomic
    /// part: a `SCRIPT LOAD`, or (for one node's share of a cluster batch)
    /// the `ASKING` that must come right before `MULTI`. Only commands
    /// that can go on a shared connection as they are belong here.
    pub(crate) fn preload(&mut self, cmd: &Cmd) {
        self.preamble.push(cmd);
    }

    /// True when `cmd` is in the preamble already.
    pub(crate) fn preloads(&self, cmd: &Cmd) -> bool {
        let mut wire = Vec::new();
        cmd.write_to_vec(&mut wire);
        (0..self.preamble.heads.len()).any(|i| self.preamble.wire(i) == wire)
    }

    /// Whether the commands run as one atomic unit.
    pub(crate) fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// The number of commands (the preamble not counted).
    pub(crate) fn len(&self) -> usize {
        self.commands.heads.len()
    }

    /// The number of commands of the preamble.
    pub(crate) fn preamble_len(&self) -> usize {
        self.preamble.heads.len()
    }

    /// How many replies the batch gets, in this order: one per command of
    /// the preamble; then, when atomic, `MULTI`'s, one per command
    /// (`QUEUED`) and `EXEC`'s; else one per command.
    pub(crate) fn reply_count(&self) -> usize {
        self.preamble_len() + self.len() + if self.atomic { 2 } else { 0 }
    }

    /// Writes the batch as it goes on the wire: the preamble, then the
    /// commands, between `MULTI` and `EXEC` when atomic.
    pub(crate) fn write_to(&self, out: &mut bytes::BytesMut) {
        out.reserve(self.preamble.bytes.len() + self.commands.bytes.len() + 32);
        out.extend_from_slice(&self.preamble.bytes);
        if self.atomic {
            out.extend_from_slice(MULTI);
        }
        out.extend_from_slice(&self.commands.bytes);
        if self.atomic {
            out.extend_from_slice(EXEC);
        }
    }

    /// The commands, decoded again (for a check of their keys, the
    /// client-side cache).
    pub(crate) fn to_cmds(&self) -> Vec<Cmd> {
        self.commands.cmds().collect()
    }

    /// The preamble's commands and then the commands, decoded: what a
    /// cluster routes (without `MULTI` and `EXEC`, which the atomic part's
    /// node gets around it).
    pub(crate) fn decoded(&self) -> Vec<Cmd> {
        self.preamble.cmds().chain(self.commands.cmds()).collect()
    }

    /// Every command as it goes on the wire, `MULTI` and `EXEC` included:
    /// for the paths that send commands one by one (a dedicated
    /// connection, a command that blocks or that only a server can tell
    /// about, a retry).
    pub(crate) fn wire_cmds(&self) -> Vec<Cmd> {
        let mut cmds = Vec::with_capacity(self.reply_count());
        cmds.extend(self.preamble.cmds());
        cmds.extend(self.atomic.then(|| Cmd::new("MULTI")));
        cmds.extend(self.commands.cmds());
        cmds.extend(self.atomic.then(|| Cmd::new("EXEC")));
        cmds
    }

    /// The name of command `i`, for errors and spans.
    pub(crate) fn name(&self, i: usize) -> &str {
        let wire = self.commands.wire(i);
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
    /// not (see [`Cmd::refusal`]), or that is `MULTI`, `EXEC` or `DISCARD`,
    /// named by its position. Those three are the batch's shape, not
    /// commands of it: a [`crate::Transaction`] writes them itself, and a
    /// pipeline that held them would have replies out of step with its
    /// commands on one topology or the other.
    pub(crate) fn refusal(&self) -> Option<Error> {
        let (i, head) = (self.commands.heads.iter().enumerate())
            .find(|(_, head)| head.defect.is_some() || head.traits.frames_multi())?;
        let what = if self.atomic {
            "transaction"
        } else {
            "pipeline"
        };
        if head.traits.frames_multi() {
            let name = self.name(i).to_owned();
            return Some(
                Error::config(format!(
                    "command {} of the {what} is {name}: a pipeline is never a transaction and a \
                     transaction writes its own MULTI and EXEC, so nothing was sent. For commands \
                     that run atomically use Transaction; for a MULTI of your own, send the \
                     commands one by one on client.dedicated()",
                    i + 1
                ))
                .with_command(&name),
            );
        }
        let error = self.commands.cmd(i)?.refusal()?;
        let detail = format!("command {} of the {what}: {error}", i + 1);
        Some(error.with_detail(detail))
    }

    /// True when every command can go on a shared connection as it is. The
    /// preamble holds only what the crate puts there, which can.
    pub(crate) fn is_plain(&self) -> bool {
        self.commands
            .heads
            .iter()
            .all(|head| head.traits.is_plain())
    }

    /// The longest reply wait (`None`: one waits forever): each command
    /// its own override, else `default`, as `MULTI` and `EXEC` have.
    pub(crate) fn timeout(&self, default: Option<Duration>) -> Option<Duration> {
        let heads = self.preamble.heads.iter().chain(&self.commands.heads);
        let framing = self.atomic.then_some(None);
        heads
            .map(|head| head.timeout)
            .chain(framing)
            .map(|timeout| timeout.unwrap_or(default))
            .try_fold(Duration::ZERO, |longest, t| t.map(|t| longest.max(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(cmds: &[Cmd]) -> bytes::BytesMut {
        let mut wire = bytes::BytesMut::new();
        cmds.iter().for_each(|cmd| cmd.write_to(&mut wire));
        wire
    }

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
        assert_eq!(batch.reply_count(), 4);
        assert_eq!(batch.to_cmds(), cmds);
        assert_eq!(batch.wire_cmds(), cmds);
        let names: Vec<&str> = (0..4).map(|i| batch.name(i)).collect();
        assert_eq!(names, ["SET", "GET", "client", "PING"]);
        assert!(!batch.is_plain(), "CLIENT's subcommand decides");
        let mut out = bytes::BytesMut::new();
        batch.write_to(&mut out);
        assert_eq!(out, wire(&cmds));
    }

    #[test]
    fn a_transaction_is_framed_on_the_wire_after_its_preamble() {
        let load = Cmd::new("SCRIPT").arg("LOAD").arg("return 1");
        let cmds = [Cmd::new("INCR").arg("a"), Cmd::new("GET").arg("a")];
        let mut batch = Batch::atomic();
        cmds.iter().for_each(|cmd| batch.push(cmd));
        batch.preload(&load);
        assert!(batch.preloads(&load));
        assert!(!batch.preloads(&Cmd::new("SCRIPT").arg("LOAD").arg("return 2")));
        assert!(!batch.preloads(&Cmd::new("LOAD").arg("return 1")));
        assert!(batch.is_atomic());
        assert_eq!((batch.len(), batch.preamble_len()), (2, 1));
        assert_eq!(batch.reply_count(), 5, "LOAD, MULTI, 2 x QUEUED, EXEC");
        let sent = [
            load.clone(),
            Cmd::new("MULTI"),
            cmds[0].clone(),
            cmds[1].clone(),
            Cmd::new("EXEC"),
        ];
        assert_eq!(batch.wire_cmds(), sent);
        let mut out = bytes::BytesMut::new();
        batch.write_to(&mut out);
        assert_eq!(out, wire(&sent), "the bytes MULTI and EXEC encode to");
        assert_eq!(batch.decoded(), [load, cmds[0].clone(), cmds[1].clone()]);
        assert_eq!(batch.to_cmds(), cmds);
        assert!(batch.is_plain(), "the preamble is the crate's own");
        let empty = Batch::atomic();
        assert_eq!(empty.reply_count(), 2, "MULTI and EXEC still go");
        assert_eq!(Batch::default().reply_count(), 0);
    }

    #[test]
    fn multi_exec_and_discard_are_refused_as_commands() {
        for name in ["MULTI", "exec", "Discard"] {
            for mut batch in [Batch::default(), Batch::atomic()] {
                batch.push(&Cmd::new("SET").arg("k").arg(1));
                batch.push(&Cmd::new(name));
                let error = batch.refusal().expect("refused");
                assert_eq!(error.kind(), crate::ErrorKind::Config);
                let text = error.to_string();
                assert!(text.contains("command 2 of the"), "{text}");
                assert!(text.contains("use Transaction"), "{text}");
                assert_eq!(error.command(), Some(name));
            }
        }
        let mut fine = Batch::atomic();
        fine.push(&Cmd::new("SET").arg("MULTI").arg("EXEC"));
        assert!(fine.refusal().is_none());
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
        let mut atomic = Batch::atomic();
        atomic.push(
            &Cmd::new("GET")
                .arg("a")
                .with_timeout(Duration::from_millis(5)),
        );
        assert_eq!(atomic.timeout(default), default, "MULTI and EXEC wait too");
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
