use redis_om::RedisModel;

#[derive(RedisModel)]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(version)]
    version: String,
}

fn main() {}
