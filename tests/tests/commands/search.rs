//! search commands against the real servers.
