//! Which master the sentinels name: the majority of those that answered.
//! Pure code over their answers, so the rule is tested without servers.

use crate::config::Addr;

/// What one sentinel said about the master.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// It names this node, which it does not find down.
    Master {
        /// Where the master is.
        addr: Addr,
        /// The configuration epoch of the sentinel's view: after a
        /// failover, the new master's is higher.
        config_epoch: u64,
    },
    /// It monitors the name but finds its master down (or failing over).
    Down(Addr),
    /// It does not monitor a master by that name.
    Unknown,
    /// It could not be asked: why.
    Unreachable(String),
}

/// The master most of the answering sentinels name; with a tie, the one of
/// the higher configuration epoch (the newer failover), and with a tie of
/// epochs too, none: the sentinels disagree and a later ask may settle it.
/// `Err` says why no master was elected, naming each sentinel's answer.
pub(crate) fn elect(name: &str, answers: &[(Addr, Answer)]) -> Result<Addr, String> {
    // (addr, votes, highest epoch among its voters)
    let mut tally: Vec<(&Addr, usize, u64)> = Vec::new();
    for (_, answer) in answers {
        if let Answer::Master { addr, config_epoch } = answer {
            match tally.iter_mut().find(|(a, _, _)| *a == addr) {
                Some(entry) => {
                    entry.1 += 1;
                    entry.2 = entry.2.max(*config_epoch);
                }
                None => tally.push((addr, 1, *config_epoch)),
            }
        }
    }
    tally.sort_by_key(|(_, votes, epoch)| std::cmp::Reverse((*votes, *epoch)));
    match tally.as_slice() {
        [] => Err(no_master(name, answers)),
        [(first, votes, epoch), (second, votes2, epoch2), ..]
            if votes == votes2 && epoch == epoch2 =>
        {
            Err(format!(
                "the sentinels disagree on the master of {name:?}: {first} and {second} have \
                 {votes} vote(s) each at configuration epoch {epoch} ({})",
                describe(answers)
            ))
        }
        [(first, ..), ..] => Ok((*first).clone()),
    }
}

/// Whether `addr` already has more votes than all the sentinels not yet
/// heard from could outweigh: the ask can stop waiting for them.
pub(crate) fn settled(answers: &[(Addr, Answer)], total: usize) -> Option<Addr> {
    let votes = |addr: &Addr| {
        answers
            .iter()
            .filter(|(_, a)| matches!(a, Answer::Master { addr: named, .. } if named == addr))
            .count()
    };
    answers.iter().find_map(|(_, answer)| match answer {
        Answer::Master { addr, .. } if votes(addr) * 2 > total => Some(addr.clone()),
        _ => None,
    })
}

fn no_master(name: &str, answers: &[(Addr, Answer)]) -> String {
    if answers.is_empty() {
        return "no sentinel addresses were given".to_owned();
    }
    format!(
        "no sentinel named a usable master for {name:?} ({})",
        describe(answers)
    )
}

/// Each sentinel's answer, for an error message.
pub(crate) fn describe(answers: &[(Addr, Answer)]) -> String {
    answers
        .iter()
        .map(|(sentinel, answer)| match answer {
            Answer::Master { addr, config_epoch } => {
                format!("{sentinel}: master {addr} (epoch {config_epoch})")
            }
            Answer::Down(addr) => format!("{sentinel}: master {addr} is down or failing over"),
            Answer::Unknown => format!("{sentinel}: does not monitor it"),
            Answer::Unreachable(why) => format!("{sentinel}: {why}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> Addr {
        Addr::Tcp {
            host: "127.0.0.1".into(),
            port,
        }
    }

    fn master(port: u16, config_epoch: u64) -> Answer {
        Answer::Master {
            addr: addr(port),
            config_epoch,
        }
    }

    #[test]
    fn the_majority_outvotes_a_sentinel_that_names_another_master() {
        let answers = [
            (addr(1), master(7000, 9)),
            (addr(2), master(6379, 1)),
            (addr(3), master(6379, 1)),
        ];
        assert_eq!(elect("m", &answers), Ok(addr(6379)));
    }

    #[test]
    fn unreachable_and_unknowing_sentinels_do_not_vote() {
        let answers = [
            (addr(1), Answer::Unreachable("connection refused".into())),
            (addr(2), Answer::Unknown),
            (addr(3), master(6379, 0)),
        ];
        assert_eq!(elect("m", &answers), Ok(addr(6379)));
    }

    #[test]
    fn a_tie_goes_to_the_newer_epoch_and_an_even_tie_to_nobody() {
        let newer = [(addr(1), master(7000, 2)), (addr(2), master(6379, 1))];
        assert_eq!(elect("m", &newer), Ok(addr(7000)));
        let even = [(addr(1), master(7000, 1)), (addr(2), master(6379, 1))];
        let error = elect("m", &even).expect_err("an even tie");
        assert!(error.contains("disagree"), "{error}");
    }

    #[test]
    fn without_votes_the_error_says_what_each_sentinel_said() {
        let answers = [
            (addr(1), Answer::Unreachable("connection refused".into())),
            (addr(2), Answer::Down(addr(6379))),
        ];
        let error = elect("m", &answers).expect_err("no votes");
        assert!(error.contains("127.0.0.1:1: connection refused"), "{error}");
        assert!(error.contains("is down"), "{error}");
    }

    #[test]
    fn a_majority_of_all_sentinels_settles_the_vote_early() {
        let answers = [(addr(1), master(6379, 0)), (addr(2), master(6379, 0))];
        assert_eq!(settled(&answers, 3), Some(addr(6379)));
        assert_eq!(settled(&answers[..1], 3), None);
        assert_eq!(settled(&answers, 4), None);
    }
}
