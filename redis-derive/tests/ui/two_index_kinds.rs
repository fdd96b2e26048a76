use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(text, sortable, tag))]
    name: String,
}

fn main() {}
