//! Every typed command against the real servers, one module per command
//! group (as `redis_core::commands` has one file per group). Each test
//! checks the reply's content, over RESP3 and RESP2, and where it makes
//! sense sends the same commands through a `Pipeline` too.

#![allow(clippy::unwrap_used)]

mod bitmaps;
mod cluster;
mod connection;
mod geo;
mod graph;
mod hashes;
mod hyperloglog;
mod json;
mod keys;
mod lists;
mod probabilistic;
mod pubsub;
mod scan;
mod scripting;
mod search;
mod sentinel;
mod server;
mod sets;
mod sorted_sets;
mod streams;
mod strings;
mod timeseries;
mod vector_sets;
