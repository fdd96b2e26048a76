use redis_om::{Model, RedisModel};

#[derive(RedisModel)]
struct Tagged<T> {
    #[redis(pk)]
    id: String,
    value: T,
}

#[derive(RedisModel)]
struct Borrowed<'a> {
    #[redis(pk)]
    id: &'a str,
}

fn main() {
    let _ = Tagged::<u8>::info();
    let _ = Borrowed::info();
}
