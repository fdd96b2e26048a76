//! Every command runs in a `redis` span described as the OpenTelemetry
//! database conventions describe a Redis call (the operation, the database,
//! the server, the error type on failure), never with its arguments.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use redis_core::commands::*;
use redis_core::{Addr, Cmd, Config, ErrorKind, Pipeline, Sentinel, Transaction};
use redis_tests::{Ctx, Setup, servers};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// What a span or event said: its name and every field as text.
type Recorded = (String, Vec<(String, String)>);

/// Keeps every span's fields and every event's fields.
#[derive(Default, Clone)]
struct Recorder {
    spans: Arc<Mutex<Vec<Recorded>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.push((field.name().to_owned(), value.to_string()));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.push((field.name().to_owned(), value.to_string()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        let mut spans = self.spans.lock().unwrap();
        spans.push((span.metadata().name().to_owned(), fields));
        Id::from_u64(spans.len() as u64)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.spans.lock().unwrap();
        let Some((_, fields)) = usize::try_from(span.into_u64() - 1)
            .ok()
            .and_then(|i| spans.get_mut(i))
        else {
            return;
        };
        values.record(&mut Fields(fields));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        let name = event.metadata().name().to_owned();
        self.events.lock().unwrap().push((name, fields));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(field, _)| field == name)
        .map(|(_, value)| value.as_str())
}

/// The spans named `redis`, each as its fields.
fn redis_spans(recorder: &Recorder) -> Vec<Vec<(String, String)>> {
    let spans = recorder.spans.lock().unwrap();
    spans
        .iter()
        .filter(|(name, _)| name == "redis")
        .map(|(_, fields)| fields.clone())
        .collect()
}

/// The span whose operation is `operation`.
fn span_of<'a>(spans: &'a [Vec<(String, String)>], operation: &str) -> &'a [(String, String)] {
    spans
        .iter()
        .find(|fields| field(fields, "db.operation.name") == Some(operation))
        .unwrap_or_else(|| panic!("no span for {operation} in {spans:#?}"))
}

/// Runs `work` on one thread with `recorder` listening, so every span is
/// created where the subscriber is set.
fn recording<T>(recorder: &Recorder, work: impl Future<Output = T>) -> T {
    let _guard = tracing::subscriber::set_default(recorder.clone());
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(work)
}

#[test]
fn commands_run_in_spans_that_name_them_but_never_their_arguments() {
    let recorder = Recorder::default();
    let secret = "a-value-nobody-may-log";
    let (host, port) = recording(&recorder, async {
        let ctx = Ctx::new("tracing", Setup::REDIS8_RESP3).await;
        let client = ctx.server_client().await;
        let key = ctx.key("k");
        client.set(&key, secret).await.unwrap();
        let pipe = Pipeline::new()
            .command(Cmd::new("GET").arg(&key))
            .command(Cmd::new("STRLEN").arg(&key));
        let (_, _): (String, i64) = pipe.query(&client).await.unwrap();
        let _: Option<(String, String)> = Cmd::new("BLPOP")
            .arg(ctx.key(secret))
            .arg(0.05)
            .query(&client)
            .await
            .unwrap();
        let dedicated = client.dedicated().await.unwrap();
        let _: String = Cmd::new("ECHO")
            .arg(secret)
            .query(&dedicated)
            .await
            .unwrap();
        match client.config().addr() {
            redis_core::Addr::Tcp { host, port } => (host.clone(), port.to_string()),
            other => panic!("the test servers listen on TCP, not {other}"),
        }
    });

    let redis = redis_spans(&recorder);
    for operation in ["SET", "PIPELINE", "BLPOP", "ECHO"] {
        let span = span_of(&redis, operation);
        assert_eq!(field(span, "otel.name"), Some(operation));
        assert_eq!(field(span, "otel.kind"), Some("client"));
        assert_eq!(field(span, "db.system.name"), Some("redis"));
        assert_eq!(field(span, "db.namespace"), Some("0"));
        assert_eq!(field(span, "server.address"), Some(host.as_str()));
        assert_eq!(field(span, "server.port"), Some(port.as_str()));
        // A client of one server uses the one it was given.
        assert_eq!(
            field(span, "network.peer.address"),
            Some(host.as_str()),
            "{operation}"
        );
        assert_eq!(field(span, "network.peer.port"), Some(port.as_str()));
        assert_eq!(field(span, "error.type"), None, "{operation} did not fail");
    }
    assert_eq!(
        field(span_of(&redis, "PIPELINE"), "db.operation.batch.size"),
        Some("2")
    );
    assert_eq!(
        field(span_of(&redis, "SET"), "db.operation.batch.size"),
        None,
        "a command alone is not a batch"
    );
    // One span per command: a blocking command sent through the client does
    // not get a second one from the dedicated connection it runs on.
    let blpops = redis
        .iter()
        .filter(|fields| field(fields, "db.operation.name") == Some("BLPOP"))
        .count();
    assert_eq!(blpops, 1);

    let events = recorder.events.lock().unwrap().clone();
    let spans = recorder.spans.lock().unwrap().clone();
    for (name, fields) in spans.iter().chain(events.iter()) {
        for (field, value) in fields {
            assert!(
                !value.contains(secret),
                "{name}: field {field} logs an argument: {value}"
            );
        }
    }
}

#[test]
fn batches_are_named_by_kind_and_by_their_one_command() {
    let recorder = Recorder::default();
    recording(&recorder, async {
        let ctx = Ctx::new("tracing-batches", Setup::REDIS8_RESP2).await;
        let client = ctx.server_client().await;
        let key = ctx.key("counter");
        let (_, _): (i64, i64) = Transaction::new()
            .command(incr(&key))
            .command(incr(&key))
            .query(&client)
            .await
            .unwrap();
        let (_, _, _): (i64, i64, i64) = Pipeline::new()
            .command(incr(&key))
            .command(incr(&key))
            .command(incr(&key))
            .query(&client)
            .await
            .unwrap();
    });
    let redis = redis_spans(&recorder);
    let multi = span_of(&redis, "MULTI INCR");
    assert_eq!(field(multi, "otel.name"), Some("MULTI INCR"));
    assert_eq!(field(multi, "db.operation.batch.size"), Some("2"));
    let pipeline = span_of(&redis, "PIPELINE INCR");
    assert_eq!(field(pipeline, "db.operation.batch.size"), Some("3"));
}

#[test]
fn failed_commands_say_the_error_type() {
    let recorder = Recorder::default();
    recording(&recorder, async {
        let ctx = Ctx::new("tracing-errors", Setup::REDIS7_RESP3).await;
        let client = ctx.server_client().await;
        let list = ctx.key("a-list");
        client.rpush(&list, ["x"]).await.unwrap();
        let wrong = client.get::<Option<String>>(&list).await.unwrap_err();
        assert_eq!(wrong.code(), Some("WRONGTYPE"));
        let dedicated = client.dedicated().await.unwrap();
        let refused: redis_core::Result<i64> = Cmd::new("INCR").arg(&list).query(&dedicated).await;
        assert_eq!(refused.unwrap_err().code(), Some("WRONGTYPE"));
        // Blocks for ever, so only the command's own timeout can end it.
        let timeout = Cmd::new("BRPOP")
            .arg(ctx.key("empty"))
            .arg(0)
            .with_timeout(std::time::Duration::from_millis(50))
            .query::<Option<(String, String)>>(&client)
            .await
            .unwrap_err();
        assert_eq!(timeout.kind(), ErrorKind::Timeout);
    });
    let redis = redis_spans(&recorder);
    for operation in ["GET", "INCR"] {
        let failed = span_of(&redis, operation);
        assert_eq!(
            field(failed, "error.type"),
            Some("WRONGTYPE"),
            "{operation}"
        );
        assert_eq!(field(failed, "db.response.status_code"), Some("WRONGTYPE"));
        assert_eq!(field(failed, "otel.status_code"), Some("ERROR"));
    }
    let late = span_of(&redis, "BRPOP");
    assert_eq!(field(late, "error.type"), Some("timeout"));
    assert_eq!(field(late, "db.response.status_code"), None);
    let fine = span_of(&redis, "RPUSH");
    assert_eq!(field(fine, "otel.status_code"), None);
}

/// A Sentinel replica client is configured with the master the sentinels
/// named first (`server.address`) but sends its commands to a replica
/// (`network.peer.*`): the spans tell both. Reads the shared sentinel
/// group without changing it.
#[test]
fn spans_name_the_node_used_apart_from_the_configured_one() {
    let recorder = Recorder::default();
    let (configured, replica) = recording(&recorder, async {
        let sentinel = Sentinel::new(servers().sentinels())
            .unwrap()
            .with_node_config(Config::new(Addr::Tcp {
                host: "127.0.0.1".into(),
                port: 1,
            }));
        let name = servers().sentinel_master();
        let replicas = sentinel.discover_replicas(name).await.unwrap();
        let replica = replicas.first().expect("the group has a replica").clone();
        let client = sentinel.replica_for(name).await.unwrap();
        let _: Option<String> = client.get("tracing-peer:absent").await.unwrap();
        // Blocking, so on a dedicated connection; read-only, as a replica
        // wants.
        let _: redis_core::Value = Cmd::new("XREAD")
            .arg("BLOCK")
            .arg(50)
            .arg("STREAMS")
            .arg("tracing-peer:empty")
            .arg("$")
            .query(&client)
            .await
            .unwrap();
        (client.config().addr().clone(), replica)
    });
    let (
        Addr::Tcp { host, port },
        Addr::Tcp {
            host: peer_host,
            port: peer_port,
        },
    ) = (&configured, &replica)
    else {
        panic!("the sentinel group listens on TCP");
    };
    assert_ne!(
        configured, replica,
        "the replica client was configured with the master"
    );
    let redis = redis_spans(&recorder);
    for operation in ["GET", "XREAD"] {
        let span = span_of(&redis, operation);
        assert_eq!(field(span, "server.address"), Some(host.as_str()));
        assert_eq!(field(span, "server.port"), Some(port.to_string().as_str()));
        assert_eq!(
            field(span, "network.peer.address"),
            Some(peer_host.as_str())
        );
        assert_eq!(
            field(span, "network.peer.port"),
            Some(peer_port.to_string().as_str()),
            "{operation} went to the replica"
        );
    }
}
