use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(prefix = "user", name = "users")]
struct User {
    #[redis(pk)]
    id: String,
}

fn main() {}
