use redis_om::RedisModel;

#[derive(RedisModel)]
struct Account {
    #[redis(pk, version)]
    id: String,
}

fn main() {}
