use redis_om::RedisModel;

#[derive(RedisModel)]
struct User {
    #[redis(pk)]
    id: String,
    name: String,
    #[redis(rename = "name")]
    display_name: String,
}

fn main() {}
