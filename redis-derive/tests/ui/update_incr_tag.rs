use redis_om::{RedisModel, Repository};

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    brand: String,
}

async fn run(products: Repository<Product, redis_om::core::Client>) {
    // Only numeric fields are incremented.
    let _ = products.update(&"1".to_owned()).incr(Product::brand(), 1);
}

fn main() {}
