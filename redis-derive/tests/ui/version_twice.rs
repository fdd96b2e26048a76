use redis_om::RedisModel;

#[derive(RedisModel)]
struct Account {
    #[redis(pk)]
    id: String,
    #[redis(version)]
    version: u64,
    #[redis(version)]
    revision: u64,
}

fn main() {}
