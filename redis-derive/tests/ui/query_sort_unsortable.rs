use redis_om::core::Client;
use redis_om::{RedisModel, Repository, query};

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    brand: String,
}

fn cheapest(products: &Repository<Product, Client>) {
    // `brand` is not indexed `sortable`.
    let _ = products.find(query::all()).sort_by(Product::brand().asc());
}

fn main() {}
