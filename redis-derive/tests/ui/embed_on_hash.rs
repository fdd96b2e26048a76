use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(embedded)]
struct Address {
    #[redis(index)]
    city: String,
}

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(embed)]
    address: Address,
}

fn main() {}
