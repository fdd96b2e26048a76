use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(pk)]
    email: String,
}

fn main() {}
