use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    brand: String,
}

fn main() {
    // A TAG field has no order.
    let _ = Product::brand().lt(3);
}
