use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(prefix = "user:")]
struct User {
    #[redis(pk)]
    id: String,
}

fn main() {}
