//! `define_commands!`: writes each typed command once, as a function that
//! returns a [`Command`](super::Command), and as a one-line method of the
//! group's trait that sends it to any [`Target`](super::Target).

/// Defines a command group:
///
/// ```ignore
/// define_commands! {
///     /// The group trait's docs.
///     pub trait StringCommands;
///
///     /// `GET key`: the command's docs, shown on the function and the method.
///     fn get<T: FromValue>(key: impl ToArgs) -> T {
///         Cmd::new("GET").arg(key)
///     }
/// }
/// ```
///
/// The body builds the [`Cmd`](crate::Cmd); the reply type after `->` is
/// what the reply converts to. The command name is written as the literal
/// `Cmd::new("NAME")` (and a subcommand as `.arg("SUB")` right after it):
/// `cargo xtask coverage` finds typed commands by that form.
macro_rules! define_commands {
    (
        $(#[$group_doc:meta])*
        pub trait $group:ident;
        $(
            $(#[$doc:meta])*
            fn $name:ident $(<$($generic:ident: $bound:path),+>)? (
                $($arg:ident: $arg_type:ty),* $(,)?
            ) -> $reply:ty { $($body:tt)* }
        )*
    ) => {
        $(
            with_redis_alias! {
                [
                    $(#[$doc])*
                    pub fn $name $(<$($generic: $bound),+>)? (
                        $($arg: $arg_type),*
                    ) -> $crate::commands::Command<$reply> {
                        $crate::commands::Command::new({ $($body)* })
                    }
                ]
                $($body)*
            }
        )*

        $(#[$group_doc])*
        pub trait $group: $crate::commands::Target {
            $(
                with_redis_alias! {
                    [
                        $(#[$doc])*
                        fn $name $(<$($generic: $bound),+>)? (
                            self, $($arg: $arg_type),*
                        ) -> Self::Out<$reply> {
                            self.send::<$reply>($name($($arg),*))
                        }
                    ]
                    $($body)*
                }
            )*

            /// Each command of the group as (Rust name, Redis command name
            /// found in its body, "" when there is none): what the doc
            /// aliases were made of.
            #[cfg(test)]
            const COMMAND_NAMES: &'static [(&'static str, &'static str)] =
                &[$((stringify!($name), redis_name!($($body)*))),*];
        }

        impl<X: $crate::commands::Target> $group for X {}
    };
}

/// The Redis command a body sends: the literal of its first
/// `Cmd::new("NAME")`, looked for through the tokens of the body and of
/// the groups in it; `""` when there is none.
#[cfg(test)]
macro_rules! redis_name {
    (Cmd :: new ( $command:literal ) $($rest:tt)*) => {
        $command
    };
    (( $($inner:tt)* ) $($rest:tt)*) => {
        redis_name!($($inner)* $($rest)*)
    };
    ({ $($inner:tt)* } $($rest:tt)*) => {
        redis_name!($($inner)* $($rest)*)
    };
    ($skip:tt $($rest:tt)*) => {
        redis_name!($($rest)*)
    };
    () => {
        ""
    };
}

/// The item in brackets, with the Redis command its body sends (as
/// [`redis_name!`] finds it) as a doc alias, so that rustdoc's search for
/// `INCRBY`, `ZRANGE` or `FT.SEARCH` finds `incrby`, `zrange_withscores` and
/// `ft_search_with`. An alias equal to the name but for case is harmless:
/// the search ignores case.
macro_rules! with_redis_alias {
    ([$($item:tt)*] Cmd :: new ( $command:literal ) $($rest:tt)*) => {
        #[doc(alias = $command)]
        $($item)*
    };
    ([$($item:tt)*] ( $($inner:tt)* ) $($rest:tt)*) => {
        with_redis_alias!([$($item)*] $($inner)* $($rest)*);
    };
    ([$($item:tt)*] { $($inner:tt)* } $($rest:tt)*) => {
        with_redis_alias!([$($item)*] $($inner)* $($rest)*);
    };
    ([$($item:tt)*] $skip:tt $($rest:tt)*) => {
        with_redis_alias!([$($item)*] $($rest)*);
    };
    ([$($item:tt)*]) => {
        $($item)*
    };
}
