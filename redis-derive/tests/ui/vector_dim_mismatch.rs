use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json")]
struct Doc {
    #[redis(pk)]
    id: String,
    #[redis(index(vector(dim = 4, metric = "l2")))]
    embedding: [f32; 3],
}

fn main() {}
