use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk, skip)]
    id: String,
    name: String,
}

fn main() {}
