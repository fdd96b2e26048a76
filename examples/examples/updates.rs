//! Atomic partial updates and optimistic versions: change a few fields of
//! a record in one Lua script, and refuse a save built from a stale copy.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example updates`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use redis_om::core::ErrorKind;
use redis_om::prelude::*;

#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "example:stock")]
struct Item {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    price: f64,
    #[redis(index)]
    stock: i64,
    /// Bumped by every save and update; a stale one is refused.
    #[redis(version)]
    version: u64,
}

/// A JSON document: the same updates, at the members' paths.
#[derive(RedisModel, serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
#[redis(storage = "json", prefix = "example:cart")]
struct Cart {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    total: f64,
    #[redis(index)]
    skus: Vec<String>,
    #[redis(index)]
    coupon: Option<String>,
    #[redis(version)]
    version: u64,
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let items = Repository::<Item, _>::new(&client);
    let id = "lamp".to_owned();
    items.delete(&id).await?;

    // Version 0 is an insert: it fails if the record exists already.
    let lamp = Item {
        id: id.clone(),
        price: 25.0,
        stock: 10,
        version: 0,
    };
    items.save(&lamp).await?;

    // Only these fields change, atomically; the version is bumped.
    let updated = items
        .update(&id)
        .set(Item::price(), 19.99)
        .incr(Item::stock(), -1)
        .if_version(1u64)
        .apply()
        .await?;
    assert!(updated);
    let now = items
        .get(&id)
        .await?
        .ok_or("the item just saved is missing")?;
    println!("after the update: {now:?}");
    assert_eq!((now.price, now.stock, now.version), (19.99, 9, 2));

    // A save built from the first copy (version 0 again) is refused.
    let stale = items
        .save(&lamp)
        .await
        .expect_err("a stale save must be refused");
    assert_eq!(stale.kind(), ErrorKind::Conflict);
    println!("stale save refused: {stale}");

    items.delete(&id).await?;

    // In a JSON model: JSON.NUMINCRBY, JSON.ARRAPPEND and JSON.DEL at the
    // members' paths, in one script; the version is bumped here too.
    let carts = Repository::<Cart, _>::new(&client);
    let cart_id = "c1".to_owned();
    carts.delete(&cart_id).await?;
    let cart = Cart {
        id: cart_id.clone(),
        total: 0.0,
        skus: Vec::new(),
        coupon: Some("WELCOME".to_owned()),
        version: 0,
    };
    carts.save(&cart).await?;
    carts
        .update(&cart_id)
        .incr(Cart::total(), 19.99)
        .append(Cart::skus(), "lamp".to_owned())
        .unset(Cart::coupon())
        .if_version(1u64)
        .apply()
        .await?;
    let cart = carts.get(&cart_id).await?.ok_or("the cart is missing")?;
    println!("the cart after its update: {cart:?}");
    assert_eq!(
        (cart.skus.len(), cart.coupon.is_none(), cart.version),
        (1, true, 2)
    );
    carts.delete(&cart_id).await?;
    Ok(())
}
