//! Vector search on a model: nearest neighbours (KNN) after a typed
//! pre-filter, every record within a distance (a vector range), each hit
//! with the server's distance. The query vector is checked against the
//! field's dimension before anything is sent.
//!
//! Needs Redis with RediSearch (the test servers' Redis 8.2):
//! `cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example vector_search`.

use redis_om::core::commands::SearchCommands;
use redis_om::prelude::*;
use redis_om::{Migrator, ModelIndex};

/// A document with a 4-dimensional embedding (real ones have hundreds).
#[derive(RedisModel, Debug, Clone, PartialEq)]
#[redis(prefix = "example:vector:doc")]
struct Doc {
    #[redis(pk)]
    id: String,
    #[redis(index)]
    topic: String,
    #[redis(index(vector(dim = 4, metric = "cosine", algorithm = "hnsw")))]
    embedding: [f32; 4],
}

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let client = Client::connect(redis_examples::redis_url()).await?;
    let docs = Repository::<Doc, _>::new(&client);
    Migrator::new(&client).model::<Doc>().run().await?;
    let corpus = [
        ("d1", "databases", [0.9, 0.1, 0.0, 0.0]),
        ("d2", "databases", [0.8, 0.2, 0.1, 0.0]),
        ("d3", "cooking", [0.0, 0.1, 0.9, 0.2]),
        ("d4", "cooking", [0.1, 0.0, 0.8, 0.3]),
        ("d5", "databases", [0.2, 0.9, 0.1, 0.1]),
    ];
    for (id, topic, embedding) in corpus {
        let doc = Doc {
            id: id.to_owned(),
            topic: topic.to_owned(),
            embedding,
        };
        docs.save(&doc).await?;
    }
    wait_until_indexed(&client, corpus.len() as u64).await?;

    let question = [0.85f32, 0.15, 0.05, 0.0];
    let nearest = docs
        .find(Doc::topic().eq("databases"))
        .knn(Doc::embedding(), 2, &question)
        .all_with_distance()
        .await?;
    for (doc, distance) in &nearest {
        println!("{} at {distance:.4}", doc.id);
    }
    assert_eq!(nearest[0].0.id, "d1");

    let close = docs
        .find(redis_om::query::all())
        .within_distance(Doc::embedding(), 0.05, &question)
        .all()
        .await?;
    println!(
        "within 0.05: {:?}",
        close.iter().map(|d| &d.id).collect::<Vec<_>>()
    );
    assert!(close.iter().all(|d| d.topic == "databases"));

    // A vector of the wrong length never reaches the server.
    let wrong = docs
        .find(redis_om::query::all())
        .knn(Doc::embedding(), 2, &[1.0f32, 0.0])
        .all()
        .await;
    assert!(wrong.is_err());

    for (id, _, _) in corpus {
        docs.delete(&id.to_owned()).await?;
    }
    Ok(())
}

/// Waits (bounded) until the index holds `count` documents.
async fn wait_until_indexed(client: &Client, count: u64) -> Result<()> {
    let index = ModelIndex::of(Doc::info(), Doc::info().prefix()).ok_or_else(|| {
        redis_om::core::Error::new(redis_om::core::ErrorKind::Config, "Doc has no index")
    })?;
    for _ in 0..200 {
        if client.ft_info(index.name()).await?.num_docs >= count {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    Ok(())
}
