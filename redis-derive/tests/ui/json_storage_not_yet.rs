use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(storage = "json")]
struct User {
    #[redis(pk)]
    id: String,
    tags: Vec<String>,
}

fn main() {}
