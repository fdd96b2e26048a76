use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    brand: String,
}

fn main() {
    // A string TAG takes a string.
    let _ = Product::brand().eq(3);
}
