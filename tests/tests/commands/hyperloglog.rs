//! hyperloglog commands against the real servers.
