use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json")]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(encoded = "msgpack")]
    scores: Vec<u32>,
}

fn main() {}
