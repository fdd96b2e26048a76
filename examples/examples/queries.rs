//! Typed queries: conditions built from a model's field handles, combined
//! with `&`, `|` and `!`, run through `Repository::find` as one FT.SEARCH
//! with every value bound as a parameter, so that no value can change the
//! query (a brand called `x} | @price:[0 +inf]` is just a brand).
//!
//! Needs Redis with RediSearch (the test servers' Redis 8.2):
//! `cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example queries`.

use redis_om::core::commands::GeoUnit;
use redis_om::prelude::*;
use redis_om::query::{self, Distance};
use redis_om::{GeoPoint, RedisEnum};

#[derive(RedisEnum, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Condition {
    New,
    Used,
}

/// Stored at `example:query:product:{id}`, indexed as
/// `example:query:product:index`.
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "example:query:product")]
struct Product {
    #[redis(pk)]
    id: String,
    /// Searched as text, and kept for autocomplete.
    #[redis(index(text, sortable), autocomplete)]
    name: String,
    /// A TAG: exact values, any characters.
    #[redis(index)]
    brand: String,
    #[redis(index(sortable))]
    price: f64,
    #[redis(index)]
    stock: u32,
    #[redis(index)]
    condition: Condition,
    #[redis(index)]
    store: GeoPoint,
}

const PARIS: (f64, f64) = (2.3522, 48.8566);

fn product(
    name: &str,
    brand: &str,
    price: f64,
    stock: u32,
    condition: Condition,
    store: (f64, f64),
) -> Product {
    Product {
        id: String::new(),
        name: name.to_owned(),
        brand: brand.to_owned(),
        price,
        stock,
        condition,
        store: GeoPoint {
            longitude: store.0,
            latitude: store.1,
        },
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let products = Repository::<Product, _>::new(&client);
    Migrator::new(&client).model::<Product>().run().await?;
    // What an earlier run may have left.
    let stale = products.all_pks().try_collect().await?;
    products.delete_many(&stale).await?;

    let ids = products
        .save_many(&[
            product(
                "Blue desk lamp",
                "Acme & Sons (EU)",
                24.5,
                3,
                Condition::New,
                PARIS,
            ),
            product(
                "Desk lamp, blue",
                "x} | @price:[0 +inf]",
                9.0,
                0,
                Condition::Used,
                PARIS,
            ),
            product(
                "Red phone",
                "Globex",
                120.0,
                12,
                Condition::New,
                (-0.1276, 51.5072),
            ),
            product(
                "Blue phone case",
                "Acme & Sons (EU)",
                8.0,
                40,
                Condition::New,
                (2.36, 48.86),
            ),
        ])
        .await?;

    // A TAG value with every sort of character, bound as a parameter.
    let acme = products
        .find(Product::brand().eq("Acme & Sons (EU)"))
        .count()
        .await?;
    assert_eq!(acme, 2);
    let odd = products
        .find(Product::brand().eq("x} | @price:[0 +inf]"))
        .count()
        .await?;
    assert_eq!(odd, 1);

    // Numbers of the field's own type; Rust ranges; combinators.
    let cheap_in_stock = products
        .find(Product::price().in_range(5.0..25.0) & Product::stock().gt(0))
        .sort_by(Product::price().asc())
        .all()
        .await?;
    let names: Vec<&str> = cheap_in_stock.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Blue phone case", "Blue desk lamp"]);

    // Full text: terms, a phrase (words in order), a prefix, a typo.
    let lamps = products
        .find(Product::name().matches("LAMP"))
        .count()
        .await?;
    assert_eq!(lamps, 2);
    let phrase = products
        .find(Product::name().phrase("blue desk"))
        .all()
        .await?;
    assert_eq!(phrase.len(), 1);
    let phones = products.find(Product::name().prefix("pho")).count().await?;
    assert_eq!(phones, 2);
    let typo = products
        .find(Product::name().fuzzy("lmap", Distance::Two))
        .count()
        .await?;
    assert_eq!(typo, 2);

    // The matched terms marked up, beside the records as stored.
    let marked = products
        .find(Product::name().matches("lamp"))
        .sort_by(Product::price().asc())
        .highlight(Product::name())
        .tags("[", "]")
        .all()
        .await?;
    let excerpts: Vec<&str> = marked
        .iter()
        .filter_map(|hit| hit.excerpt(Product::name()))
        .collect();
    assert_eq!(excerpts, ["Desk [lamp], blue", "Blue desk [lamp]"]);
    assert_eq!(marked[0].model.name, "Desk lamp, blue");

    // Completing what a user started typing, from the names records hold.
    let completions = products
        .suggest(Product::name_suggestions(), "blu")
        .max(5)
        .all()
        .await?;
    assert_eq!(completions.len(), 2);

    // An enum TAG takes the enum; a GEO field a radius.
    let near_paris_new = products
        .find(
            Product::store().within_radius(PARIS.0, PARIS.1, 10.0, GeoUnit::Kilometers)
                & !Product::condition().eq(Condition::Used),
        )
        .sort_by(Product::price().desc())
        .first()
        .await?
        .ok_or("no new product near Paris")?;
    assert_eq!(near_paris_new.name, "Blue desk lamp");

    // Every record, a page at a time, in bounded memory.
    let mut all = products
        .find(query::all())
        .sort_by(Product::name().asc())
        .page_size(2)
        .stream();
    while let Some(product) = all.try_next().await? {
        println!("{:>7.2}  {}", product.price, product.name);
    }

    products.delete_many(&ids).await?;
    Ok(())
}
