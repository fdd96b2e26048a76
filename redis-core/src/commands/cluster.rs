//! Cluster introspection commands.
