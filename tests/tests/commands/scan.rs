//! scan commands against the real servers.
