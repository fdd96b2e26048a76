use redis_om::RedisModel;

#[derive(RedisModel)]
struct User(String, String);

fn main() {}
