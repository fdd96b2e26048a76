use redis_om::RedisModel;

struct Connection;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    #[redis(skip)]
    connection: Connection,
}

fn main() {}
