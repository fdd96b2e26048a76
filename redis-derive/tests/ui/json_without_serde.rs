use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(storage = "json")]
struct Product {
    #[redis(pk)]
    id: String,
    tags: Vec<String>,
}

fn main() {}
