use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(layout = "python", prefix = "omres:customer")]
struct Customer {
    #[redis(pk, index(sortable))]
    id: String,
}

fn main() {}
