use redis_om::{Model, RedisModel};

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: Option<String>,
    name: String,
}

fn main() {
    let _ = User::info();
}
