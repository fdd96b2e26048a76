use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(layout = "python", prefix = "omres:customer")]
struct Customer {
    #[redis(pk, rename = "id")]
    key: String,
    #[redis(index)]
    first_name: String,
}

fn main() {}
