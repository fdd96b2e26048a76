//! geo commands against the real servers.
