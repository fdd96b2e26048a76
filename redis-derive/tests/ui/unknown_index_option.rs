use redis_om::RedisModel;

#[derive(RedisModel)]
struct Product {
    #[redis(pk)]
    id: String,
    #[redis(index(sortable, nostem))]
    name: String,
}

fn main() {}
