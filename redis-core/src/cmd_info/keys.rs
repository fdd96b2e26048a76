//! Key specifications: where a command's keys are among its arguments, as
//! the server describes them in `COMMAND` (Redis 7+ `key_specs`), and the
//! search that applies them to a command's arguments the way the server
//! itself does (`getKeysUsingKeySpecs` in Redis's `db.c`).
//!
//! Arguments are counted as the server counts them: the command name is
//! argument 0, so a subcommand is 1 and the first key of `GET` is 1.

/// One key specification: where the search begins and how keys follow.
/// `K` holds the keyword of a keyword search: `&'static str` in the table,
/// `String` when learned from a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeySpec<K = &'static str> {
    /// Where the first key is.
    pub(crate) begin: Begin<K>,
    /// How many keys follow, and how far apart.
    pub(crate) find: Find,
    /// The arguments found are shard channels, not keys (SPUBLISH,
    /// SSUBSCRIBE): they hash to slots like keys, but hold no data.
    pub(crate) not_key: bool,
    /// The server warns that this spec may miss keys (MIGRATE ... KEYS).
    #[allow(dead_code, reason = "for the cluster layer: such commands need care")]
    pub(crate) incomplete: bool,
}

/// `begin_search`: where the search for keys starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Begin<K> {
    /// `index`: at this argument.
    Index(u16),
    /// `keyword`: after the first argument equal to `keyword` (in any case),
    /// searched from argument `from` on; a negative `from` counts from the
    /// end and searches backwards.
    Keyword {
        /// The word that precedes the keys (`STREAMS`, `STORE`, `KEYS`).
        keyword: K,
        /// Where the search starts.
        from: i16,
    },
    /// `unknown`: the keys cannot be found from the arguments alone (SORT
    /// ... BY/GET/STORE); this spec finds none.
    Unknown,
}

/// `find_keys`: which arguments from the beginning on are keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Find {
    /// `range`: every `step`-th argument up to `last`, an offset from the
    /// beginning (0: only the first), or when negative, counted from the end
    /// (-1: up to the last argument); with `limit` N > 0 (and `last` -1),
    /// only the first 1/N of the remaining arguments (XREAD's `STREAMS k1 k2
    /// id1 id2`: limit 2).
    Range {
        /// The last key, see above.
        last: i16,
        /// The distance between keys (MSET: 2).
        step: u16,
        /// A fraction of the remaining arguments, see above.
        limit: u16,
    },
    /// `keynum`: an argument says how many keys follow (EVAL, ZUNIONSTORE).
    Keynum {
        /// The number of keys is this many arguments after the beginning.
        index: u16,
        /// The first key is this many arguments after the beginning.
        first: u16,
        /// The distance between keys.
        step: u16,
    },
    /// `unknown`: no keys found.
    Unknown,
}

/// A table spec beginning at argument `index`; finish it with
/// [`Partial::range`] or [`Partial::keynum`].
pub(crate) const fn at(index: u16) -> Partial {
    Partial(Begin::Index(index))
}

/// A table spec beginning after `keyword`, searched for from `from`.
pub(crate) const fn after(keyword: &'static str, from: i16) -> Partial {
    Partial(Begin::Keyword { keyword, from })
}

/// A table spec the server cannot describe.
pub(crate) const fn unknown() -> KeySpec {
    KeySpec {
        begin: Begin::Unknown,
        find: Find::Unknown,
        not_key: false,
        incomplete: false,
    }
}

/// The beginning of a table spec, waiting for its [`Find`].
pub(crate) struct Partial(Begin<&'static str>);

impl Partial {
    /// Keys up to `last`, every `step`-th, see [`Find::Range`].
    pub(crate) const fn range(self, last: i16, step: u16, limit: u16) -> KeySpec {
        self.find(Find::Range { last, step, limit })
    }

    /// A count of keys at `index`, see [`Find::Keynum`].
    pub(crate) const fn keynum(self, index: u16, first: u16, step: u16) -> KeySpec {
        self.find(Find::Keynum { index, first, step })
    }

    const fn find(self, find: Find) -> KeySpec {
        KeySpec {
            begin: self.0,
            find,
            not_key: false,
            incomplete: false,
        }
    }
}

impl KeySpec {
    /// The same spec, finding shard channels rather than keys.
    pub(crate) const fn not_key(self) -> KeySpec {
        KeySpec {
            not_key: true,
            ..self
        }
    }

    /// The same spec, marked as possibly missing keys.
    pub(crate) const fn incomplete(self) -> KeySpec {
        KeySpec {
            incomplete: true,
            ..self
        }
    }
}

impl<K: AsRef<str>> KeySpec<K> {
    /// Appends to `out` the positions in `args` (the name at 0) of the
    /// arguments this spec finds. Arguments that do not fit the spec (too
    /// few, a key count that is not a number) yield nothing: the server
    /// will reject the command itself.
    pub(crate) fn positions(&self, args: &[&[u8]], out: &mut impl Extend<usize>) {
        let argc = args.len();
        let Some(first) = self.begin(args) else {
            return;
        };
        let (first, last, step) = match self.find {
            Find::Range { last, step, limit } => {
                let last = if last >= 0 {
                    first + last as usize
                } else if limit == 0 {
                    match argc.checked_sub(last.unsigned_abs() as usize) {
                        Some(last) => last,
                        None => return,
                    }
                } else {
                    // The server only defines a limit with a last of -1.
                    let Some(rest) = argc.checked_sub(first) else {
                        return;
                    };
                    match (first + rest / limit as usize).checked_sub(1) {
                        Some(last) => last,
                        None => return,
                    }
                };
                (first, last, step)
            }
            Find::Keynum {
                index,
                first: offset,
                step,
            } => {
                let count = args
                    .get(first + index as usize)
                    .and_then(|n| std::str::from_utf8(n).ok())
                    .and_then(|n| n.parse::<usize>().ok());
                let Some(count) = count else {
                    return;
                };
                let first = first + offset as usize;
                match (first + count).checked_sub(1) {
                    Some(last) => (first, last, step),
                    None => return,
                }
            }
            Find::Unknown => return,
        };
        let step = usize::from(step.max(1));
        // `last` < `first` (no keys, as with `EVAL s 0`) yields nothing.
        out.extend((first..=last.min(argc.saturating_sub(1))).step_by(step));
    }

    /// The position of the first key, if the arguments have one.
    fn begin(&self, args: &[&[u8]]) -> Option<usize> {
        let argc = args.len();
        let first = match &self.begin {
            Begin::Index(index) => *index as usize,
            Begin::Keyword { keyword, from } => {
                let keyword = keyword.as_ref().as_bytes();
                let is_keyword = |&i: &usize| args[i].eq_ignore_ascii_case(keyword);
                // Never the last argument: a key must follow the keyword.
                let found = if *from >= 0 {
                    (usize::from(from.unsigned_abs()).max(1)..argc.saturating_sub(1))
                        .find(is_keyword)
                } else {
                    let start = argc.checked_sub(usize::from(from.unsigned_abs()))?;
                    (1..=start).rev().find(is_keyword)
                };
                found? + 1
            }
            Begin::Unknown => return None,
        };
        (first < argc).then_some(first)
    }
}

/// The positions of the keys `specs` find in `args` (the name at 0), in the
/// specs' order; shard channels (`not_key` specs) are left out unless
/// `channels` asks for them (they choose a cluster slot as keys do).
pub(crate) fn key_positions<K: AsRef<str>>(
    specs: &[KeySpec<K>],
    args: &[&[u8]],
    channels: bool,
) -> Vec<usize> {
    let mut out = Vec::new();
    for spec in specs.iter().filter(|spec| channels || !spec.not_key) {
        spec.positions(args, &mut out);
    }
    out
}

/// The position of the one key `specs` find in `args`; `None` when they
/// find none or several. Counts without collecting: a cached read asks this
/// on every hit.
pub(crate) fn only_key_position<K: AsRef<str>>(
    specs: &[KeySpec<K>],
    args: &[&[u8]],
) -> Option<usize> {
    #[derive(Default)]
    struct Only {
        first: Option<usize>,
        count: usize,
    }
    impl Extend<usize> for Only {
        fn extend<I: IntoIterator<Item = usize>>(&mut self, positions: I) {
            for position in positions {
                self.first.get_or_insert(position);
                self.count += 1;
            }
        }
    }
    let mut only = Only::default();
    for spec in specs.iter().filter(|spec| !spec.not_key) {
        spec.positions(args, &mut only);
    }
    (only.count == 1).then_some(only.first).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a>(specs: &[KeySpec], args: &[&'a str]) -> Vec<&'a str> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        key_positions(specs, &bytes, false)
            .into_iter()
            .map(|i| args[i])
            .collect()
    }

    #[test]
    fn index_and_range() {
        let get = [at(1).range(0, 1, 0)];
        assert_eq!(keys(&get, &["GET", "k"]), ["k"]);
        assert_eq!(keys(&get, &["GET"]), Vec::<&str>::new());
        let mset = [at(1).range(-1, 2, 0)];
        assert_eq!(keys(&mset, &["MSET", "a", "1", "b", "2"]), ["a", "b"]);
        let del = [at(1).range(-1, 1, 0)];
        assert_eq!(keys(&del, &["DEL", "a", "b", "c"]), ["a", "b", "c"]);
        // BLPOP: every argument but the timeout.
        let blpop = [at(1).range(-2, 1, 0)];
        assert_eq!(keys(&blpop, &["BLPOP", "a", "b", "0"]), ["a", "b"]);
        assert_eq!(keys(&blpop, &["BLPOP"]), Vec::<&str>::new());
    }

    #[test]
    fn keyword_with_a_limit() {
        let xread = [after("STREAMS", 1).range(-1, 1, 2)];
        assert_eq!(
            keys(
                &xread,
                &["XREAD", "COUNT", "1", "streams", "s1", "s2", "0", "0"]
            ),
            ["s1", "s2"]
        );
        assert_eq!(keys(&xread, &["XREAD", "COUNT", "1"]), Vec::<&str>::new());
        assert_eq!(keys(&xread, &["XREAD", "STREAMS"]), Vec::<&str>::new());
    }

    #[test]
    fn keyword_searched_backwards() {
        // MIGRATE host port "" 0 5000 KEYS k1 k2
        let migrate = [
            at(3).range(0, 1, 0),
            after("KEYS", -2).range(-1, 1, 0).incomplete(),
        ];
        let args = ["MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "k1", "k2"];
        assert_eq!(keys(&migrate, &args), ["", "k1", "k2"]);
    }

    #[test]
    fn counted_keys() {
        let eval = [at(2).keynum(0, 1, 1)];
        assert_eq!(
            keys(&eval, &["EVAL", "s", "2", "k1", "k2", "a"]),
            ["k1", "k2"]
        );
        assert_eq!(keys(&eval, &["EVAL", "s", "0", "a"]), Vec::<&str>::new());
        assert_eq!(keys(&eval, &["EVAL", "s", "x", "k"]), Vec::<&str>::new());
        // More keys announced than given: the server will refuse it.
        assert_eq!(keys(&eval, &["EVAL", "s", "3", "k1"]), ["k1"]);
        let zunionstore = [at(1).range(0, 1, 0), at(2).keynum(0, 1, 1)];
        assert_eq!(
            keys(
                &zunionstore,
                &["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"]
            ),
            ["dst", "a", "b"]
        );
    }

    #[test]
    fn channels_and_unknowns_are_no_keys() {
        let spublish = [at(1).range(0, 1, 0).not_key()];
        assert_eq!(
            keys(&spublish, &["SPUBLISH", "ch", "m"]),
            Vec::<&str>::new()
        );
        let sort = [at(1).range(0, 1, 0), unknown()];
        assert_eq!(keys(&sort, &["SORT", "k", "STORE", "d"]), ["k"]);
    }

    #[test]
    fn learned_specs_search_alike() {
        let learned = [KeySpec {
            begin: Begin::Keyword {
                keyword: "STREAMS".to_owned(),
                from: 1,
            },
            find: Find::Range {
                last: -1,
                step: 1,
                limit: 2,
            },
            not_key: false,
            incomplete: false,
        }];
        let args: [&[u8]; 5] = [b"XREAD", b"STREAMS", b"s", b"0", b"x"];
        // 3 arguments after STREAMS, half of them (rounded down) keys.
        assert_eq!(key_positions(&learned, &args, false), [2]);
    }
}
