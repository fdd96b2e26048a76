use redis_om::RedisEnum;

#[derive(RedisEnum)]
struct Color {
    red: u8,
}

fn main() {}
