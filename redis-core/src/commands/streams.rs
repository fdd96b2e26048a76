//! Stream commands.
