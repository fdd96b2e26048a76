use redis_om::RedisModel;

struct Address {
    city: String,
}

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(encoded = "json")]
    address: Address,
}

fn main() {}
