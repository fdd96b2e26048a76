use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(numeric, sortable))]
    name: String,
}

fn main() {}
