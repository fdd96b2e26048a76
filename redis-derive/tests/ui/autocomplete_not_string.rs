use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    // Suggestions are text.
    #[redis(autocomplete)]
    stock: u32,
}

fn main() {}
