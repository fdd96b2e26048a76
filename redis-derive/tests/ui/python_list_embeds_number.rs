use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(embedded)]
struct Item {
    #[redis(index)]
    sku: String,
    #[redis(index)]
    qty: u32,
}

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json", layout = "python", prefix = "omres:order")]
struct Order {
    #[redis(pk)]
    pk: String,
    #[redis(embed)]
    items: Vec<Item>,
}

fn main() {}
