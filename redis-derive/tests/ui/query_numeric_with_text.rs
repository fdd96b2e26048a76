use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable))]
    price: f64,
}

fn main() {
    // `price` takes an f64.
    let _ = Product::price().eq("ten");
}
