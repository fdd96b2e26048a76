//! Pub/sub introspection commands (PUBLISH, PUBSUB ...); subscribing is the pub/sub layer's.
