//! Index migrations without downtime: a model gains a field (added in place
//! with FT.ALTER), then changes a field's kind (rebuilt beside the old index
//! and swapped in behind the name), while every query keeps working.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example migrations`),
//! or against a Redis with the search module: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use redis_om::core::commands::*;
use redis_om::prelude::*;
use redis_om::{MigrationOutcome, Migrator, query};

const PREFIX: &str = "example:migrate:book";
const INDEX: &str = "example:migrate:book:index";

/// The first release: titles as TAGs.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "example:migrate:book")]
struct Book {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    title: String,
    year: i64,
}

/// The next one queries by year: a field added at the end.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "example:migrate:book")]
struct BookWithYear {
    #[redis(pk)]
    id: String,
    #[redis(index(tag))]
    title: String,
    #[redis(index)]
    year: i64,
}

/// Then titles become full-text: a change FT.ALTER cannot make.
#[derive(RedisModel, Debug, Clone)]
#[redis(prefix = "example:migrate:book")]
struct BookFullText {
    #[redis(pk)]
    id: String,
    #[redis(index(text))]
    title: String,
    #[redis(index)]
    year: i64,
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    clean_up(&client).await?;

    let books = Repository::<Book, _>::new(&client);
    let titles = ["Dune", "Emma", "Ulysses", "Beloved", "Middlemarch"];
    for (i, title) in titles.iter().enumerate() {
        let year = 1870 + 25 * i64::try_from(i)?;
        let book = Book {
            id: format!("{i}"),
            title: (*title).to_owned(),
            year,
        };
        books.save(&book).await?;
    }
    let created = Migrator::new(&client).model::<Book>().run().await?;
    assert_eq!(created[0].outcome, MigrationOutcome::Created);

    // What would the next release's migration do? Nothing changes yet.
    let plan = Migrator::new(&client)
        .model::<BookWithYear>()
        .dry_run()
        .await?;
    println!("planned: {plan:?}");
    assert_eq!(plan[0].outcome, MigrationOutcome::Altered);

    let altered = Migrator::new(&client).model::<BookWithYear>().run().await?;
    assert_eq!(altered[0].outcome, MigrationOutcome::Altered);

    let rebuilt = Migrator::new(&client).model::<BookFullText>().run().await?;
    assert_eq!(rebuilt[0].outcome, MigrationOutcome::Rebuilt);
    let serving = client.ft_info(INDEX).await?.name;
    println!("{INDEX} is now an alias of {serving}");

    let full_text = Repository::<BookFullText, _>::new(&client);
    let all = full_text.find(query::all()).count().await?;
    assert_eq!(all, titles.len() as u64);
    let dune = full_text
        .find(BookFullText::title().matches("dune"))
        .all()
        .await?;
    println!("found by full text: {dune:?}");

    clean_up(&client).await?;
    Ok(())
}

/// Leaves the server as the example found it: the index serving under the
/// name (dropping it drops the alias too), what the migrator stored beside
/// it, and the books.
async fn clean_up(client: &Client) -> Result<()> {
    if let Ok(info) = client.ft_info(INDEX).await {
        client.ft_dropindex(&info.name).await?;
    }
    let mut keys: Vec<String> = client.keys(format!("{PREFIX}:*")).await?;
    keys.push(format!("{INDEX}:hash"));
    keys.push(format!("{INDEX}:schema"));
    client.del(keys).await?;
    Ok(())
}
