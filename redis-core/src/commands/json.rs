//! RedisJSON commands.
