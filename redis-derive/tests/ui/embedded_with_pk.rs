use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(embedded, prefix = "address")]
struct Address {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    city: String,
}

fn main() {}
