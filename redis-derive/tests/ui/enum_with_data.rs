use redis_om::{RedisEnum, RedisModel};

#[derive(RedisEnum)]
enum Shape {
    Dot,
    Circle(f64),
}

// The model using it adds no error of its own.
#[derive(RedisModel)]
struct Drawing {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    shape: Shape,
}

fn main() {}
