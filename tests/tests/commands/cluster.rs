//! cluster commands against the real servers.
