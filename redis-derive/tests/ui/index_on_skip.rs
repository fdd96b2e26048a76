use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(skip, index(sortable))]
    score: f64,
}

fn main() {}
