use redis_om::{RedisModel, Repository};

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    price: f64,
}

async fn run(products: Repository<Product, redis_om::core::Client>) {
    // price takes f64.
    let _ = products.update(&"1".to_owned()).set(Product::price(), "ten");
}

fn main() {}
