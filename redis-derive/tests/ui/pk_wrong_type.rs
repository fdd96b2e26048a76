use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: i64,
    name: String,
}

fn main() {}
