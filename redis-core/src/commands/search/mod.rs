//! RediSearch commands (FT.*).
