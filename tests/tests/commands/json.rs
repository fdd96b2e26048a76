//! json commands against the real servers.
