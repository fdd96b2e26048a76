use redis_om::RedisEnum;

#[derive(RedisEnum)]
#[serde(rename_all = "lowercase")]
enum Color {
    Red,
    #[serde(rename = "red")]
    Crimson,
}

fn main() {}
