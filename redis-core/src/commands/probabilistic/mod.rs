//! RedisBloom's probabilistic structures: Bloom and cuckoo filters, count-min sketch, top-k, t-digest.
