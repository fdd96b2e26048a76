use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Address {
    city: String,
}

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json")]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(embed)]
    address: Address,
}

fn main() {}
