//! vector sets commands against the real servers.
