//! probabilistic commands against the real servers.
