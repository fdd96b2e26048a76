//! Cluster tips the modules do not state. Without their coordinators (on an open-source
//! cluster) the search, time series and graph modules keep their indexes, dictionaries and
//! label indexes on each node for that node's keys alone, and their commands that ask about
//! every key, or change a node-wide dictionary, carry no `request_policy`: sent to one node,
//! they would answer for a third of the data. These are the tips their coordinators act on.

use super::facts::{Request, Response};

/// The tips of module command `name` (in any case) when its module states none.
///
/// Listing indexes and graphs, and the label queries of TS.MGET, TS.MRANGE, TS.MREVRANGE and
/// TS.QUERYINDEX, ask every primary and join the answers (a GROUPBY of TS.MRANGE groups per
/// node: series of one group on several nodes come back as several groups). Dictionary
/// changes go to every primary, so that a spell check on the node of any index sees them.
/// The modules' settings (FT.CONFIG, GRAPH.CONFIG) are set on, and read from, every node,
/// as CONFIG is: the first node's answer stands for all.
pub(super) fn module_tips(name: &str) -> Option<(Request, Response)> {
    const JOINED: [&str; 6] = [
        "FT._LIST",
        "GRAPH.LIST",
        "TS.MGET",
        "TS.MRANGE",
        "TS.MREVRANGE",
        "TS.QUERYINDEX",
    ];
    const EVERY_PRIMARY: [&str; 2] = ["FT.DICTADD", "FT.DICTDEL"];
    const EVERY_NODE: [&str; 2] = ["FT.CONFIG", "GRAPH.CONFIG"];
    // Most commands have no dot: they are not looked up at all.
    if !name.contains('.') {
        return None;
    }
    let is = |known: &&str| known.eq_ignore_ascii_case(name);
    if JOINED.iter().any(is) {
        Some((Request::AllShards, Response::Default))
    } else if EVERY_PRIMARY.iter().any(is) {
        Some((Request::AllShards, Response::AllSucceeded))
    } else if EVERY_NODE.iter().any(is) {
        Some((Request::AllNodes, Response::AllSucceeded))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_commands_without_tips_get_their_coordinators() {
        assert_eq!(
            module_tips("ts.mget"),
            Some((Request::AllShards, Response::Default))
        );
        assert_eq!(
            module_tips("FT.DICTADD"),
            Some((Request::AllShards, Response::AllSucceeded))
        );
        assert_eq!(module_tips("FT.SEARCH"), None);
        assert_eq!(module_tips("GET"), None);
    }
}
