use redis_om::RedisModel;

#[derive(RedisModel)]
#[redis(layout = "python", prefix = "omres:customer")]
struct Customer {
    #[redis(pk)]
    id: String,
    #[redis(index(full_text_search, no_stem))]
    last_name: String,
}

fn main() {}
