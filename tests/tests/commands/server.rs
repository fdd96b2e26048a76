//! server commands against the real servers.
