use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Address {
    city: String,
}

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(encoded = "json", index)]
    address: Address,
}

fn main() {}
