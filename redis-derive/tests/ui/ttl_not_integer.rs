use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(ttl = "1h")]
struct Session {
    #[redis(pk)]
    id: String,
}

fn main() {}
