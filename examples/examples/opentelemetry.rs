//! Standard OpenTelemetry spans from every command, with no glue: the
//! client's `redis` spans already carry the database conventions' names and
//! attributes (`db.system.name`, `db.operation.name`, `db.namespace`,
//! `server.address`, `server.port`, `error.type` on failure), and
//! `tracing-opentelemetry` turns them into OpenTelemetry spans. This one
//! prints them with the stdout exporter; a service would use OTLP instead.
//!
//! Run it with the test servers up (`cargo xtask servers up`, then
//! `REDIS_SERVERS_ENV=target/redis-servers/servers.env cargo run -p redis-examples --example opentelemetry`),
//! or against any Redis: `REDIS_URL=redis://127.0.0.1:6379 cargo run ...`.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use redis_om::core::{Pipeline, commands};
use redis_om::prelude::*;
use tracing_subscriber::layer::SubscriberExt;

#[tokio::main]
async fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(opentelemetry_stdout::SpanExporter::default())
        .build();
    let otel = tracing_opentelemetry::layer().with_tracer(provider.tracer("redis-example"));
    let subscriber = tracing_subscriber::registry().with(otel);
    tracing::subscriber::set_global_default(subscriber)?;

    let client = Client::connect(redis_examples::redis_url()).await?;
    // Exported as a span named `SET`, with db.operation.name = "SET".
    client.set("example:otel:greeting", "hello").await?;
    // `PIPELINE INCR`, with db.operation.batch.size = 2.
    let (_, _): (i64, i64) = Pipeline::new()
        .command(commands::incr("example:otel:visits"))
        .command(commands::incr("example:otel:visits"))
        .query(&client)
        .await?;
    // A failure: error.type = "WRONGTYPE" and the span's status is Error.
    let wrong = client.lpush("example:otel:greeting", ["x"]).await;
    assert!(wrong.is_err());
    client
        .del(["example:otel:greeting", "example:otel:visits"])
        .await?;

    // Spans are exported as they end; shutting down flushes what is left.
    provider.shutdown()?;
    Ok(())
}
