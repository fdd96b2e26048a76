//! lists commands against the real servers.
