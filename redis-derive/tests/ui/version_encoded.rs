use redis_om::RedisModel;

#[derive(RedisModel)]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(version, encoded = "json")]
    version: u64,
}

fn main() {}
