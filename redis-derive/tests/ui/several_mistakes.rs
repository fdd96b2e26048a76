// Every mistake is reported in one compilation, each at its own span.
use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(prefix = "user:", ttl = 0)]
struct User {
    #[redis(rename = "name")]
    id: String,
    name: String,
    #[redis(skip, rename = "c")]
    cache: Vec<u8>,
}

fn main() {}
