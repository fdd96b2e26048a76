//! Scripting and function commands.
