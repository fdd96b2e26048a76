use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(layout = "python", prefix = "omres:customer")]
struct Customer {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable, case_sensitive))]
    email: String,
}

fn main() {}
