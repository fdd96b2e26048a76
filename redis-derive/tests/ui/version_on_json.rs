use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json")]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(version)]
    version: u64,
}

fn main() {}
