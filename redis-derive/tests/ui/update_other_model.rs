use redis_om::{RedisModel, Repository};

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    price: f64,
}

#[derive(RedisModel)]
struct Order {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    price: f64,
}

async fn run(products: Repository<Product, redis_om::core::Client>) {
    let _ = products.update(&"1".to_owned()).set(Order::price(), 1.0);
}

fn main() {}
