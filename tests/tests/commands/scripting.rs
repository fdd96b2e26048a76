//! scripting commands against the real servers.
