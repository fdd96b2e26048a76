use redis_om::RedisModel;

#[derive(RedisModel)]
enum Status {
    Active,
    Banned,
}

fn main() {}
