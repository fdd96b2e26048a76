//! hashes commands against the real servers.
