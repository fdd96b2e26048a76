//! Sentinel suite (stub while building).
