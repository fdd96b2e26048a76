use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    tags: Vec<String>,
}

fn main() {}
