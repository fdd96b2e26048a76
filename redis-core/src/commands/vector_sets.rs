//! Vector set commands (Redis 8).
