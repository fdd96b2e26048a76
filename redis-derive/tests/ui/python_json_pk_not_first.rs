use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(layout = "python", storage = "json", prefix = "omres:order")]
struct Order {
    #[redis(index)]
    customer: String,
    #[redis(pk)]
    pk: String,
}

fn main() {}
