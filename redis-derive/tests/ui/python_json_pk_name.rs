use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(layout = "python", storage = "json", prefix = "omres:order")]
struct Order {
    #[redis(pk)]
    order_id: String,
    #[redis(index)]
    customer: String,
}

fn main() {}
