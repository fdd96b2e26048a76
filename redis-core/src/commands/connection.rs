//! Connection commands.
