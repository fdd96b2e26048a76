//! keys commands against the real servers.
