//! connection commands against the real servers.
