use redis_om::RedisModel;

enum Color {
    Red,
    Green,
}

#[derive(RedisModel)]
struct Car {
    #[redis(pk)]
    id: String,
    color: Color,
}

fn main() {}
