//! pubsub commands against the real servers.
