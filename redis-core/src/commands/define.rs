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
            ) -> $reply:ty $body:block
        )*
    ) => {
        $(
            $(#[$doc])*
            pub fn $name $(<$($generic: $bound),+>)? (
                $($arg: $arg_type),*
            ) -> $crate::commands::Command<$reply> {
                $crate::commands::Command::new($body)
            }
        )*

        $(#[$group_doc])*
        pub trait $group: $crate::commands::Target {
            $(
                $(#[$doc])*
                fn $name $(<$($generic: $bound),+>)? (
                    self, $($arg: $arg_type),*
                ) -> Self::Out<$reply> {
                    self.send::<$reply>($name($($arg),*))
                }
            )*
        }

        impl<X: $crate::commands::Target> $group for X {}
    };
}
