use redis_om::RedisModel;
use serde::{Deserialize, Serialize};

#[derive(RedisModel, Serialize, Deserialize)]
#[redis(storage = "json")]
struct Doc {
    #[redis(pk)]
    id: String,
    #[redis(index(vector(dim = 4), sortable))]
    embedding: [f32; 4],
}

fn main() {}
