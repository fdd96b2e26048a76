//! sorted sets commands against the real servers.
