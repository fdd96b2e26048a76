//! HyperLogLog commands.
