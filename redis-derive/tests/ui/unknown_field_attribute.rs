use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(sortable)]
    name: String,
}

fn main() {}
