use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(prefix = "user")]
#[redis(prefix = "person")]
struct User {
    #[redis(pk)]
    id: String,
}

fn main() {}
