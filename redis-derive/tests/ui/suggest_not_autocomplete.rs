use redis_om::{RedisModel, Repository};

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(autocomplete)]
    name: String,
    #[redis(index)]
    brand: String,
}

fn run(products: Repository<Product, redis_om::core::Client>) {
    let _ = products.suggest(Product::name_suggestions(), "des");
    // `brand` keeps no suggestions.
    let _ = products.suggest(Product::brand(), "ac");
}

fn main() {}
