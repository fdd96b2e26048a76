use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(prefix = "omres:customer", layout = "pydantic")]
struct Customer {
    #[redis(pk)]
    id: String,
}

fn main() {}
