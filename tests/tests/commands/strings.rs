//! strings commands against the real servers.
