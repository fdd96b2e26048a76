use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(encoded = "bincode")]
    scores: Vec<u32>,
}

fn main() {}
