use redis_om::{Model, RedisModel};

#[derive(RedisModel)]
struct User {
    id: String,
    name: String,
}

fn main() {
    // The stub impl keeps uses of the model from adding errors of their own.
    let _ = User::info();
}
