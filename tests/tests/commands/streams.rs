//! streams commands against the real servers.
