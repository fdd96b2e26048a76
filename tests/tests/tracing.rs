//! Every command runs in a `redis` span naming the command and the server,
//! never its arguments.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use redis_core::commands::*;
use redis_core::{Cmd, Pipeline};
use redis_tests::{Ctx, Setup};
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

    fn record(&self, _: &Id, _: &Record<'_>) {}

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

#[test]
fn commands_run_in_spans_that_name_them_but_never_their_arguments() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    // One thread, so every span is created where the subscriber is set.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secret = "a-value-nobody-may-log";
    let addr = runtime.block_on(async {
        let ctx = Ctx::new("tracing", Setup::REDIS8_RESP3).await;
        let client = ctx.client().await;
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
        client.config().addr().to_string()
    });

    let spans = recorder.spans.lock().unwrap().clone();
    let redis: Vec<&Vec<(String, String)>> = spans
        .iter()
        .filter(|(name, _)| name == "redis")
        .map(|(_, fields)| fields)
        .collect();
    let commands: Vec<&str> = redis
        .iter()
        .filter_map(|fields| field(fields, "command"))
        .collect();
    for expected in ["SET", "pipeline", "BLPOP", "ECHO"] {
        assert!(
            commands.contains(&expected),
            "no {expected} span in {commands:?}"
        );
    }
    let pipeline = redis
        .iter()
        .find(|fields| field(fields, "command") == Some("pipeline"))
        .unwrap();
    assert_eq!(field(pipeline, "count"), Some("2"));
    assert!(
        redis
            .iter()
            .all(|fields| field(fields, "addr") == Some(addr.as_str()))
    );
    // One span per command: a blocking command sent through the client does
    // not get a second one from the dedicated connection it runs on.
    assert_eq!(commands.iter().filter(|c| **c == "BLPOP").count(), 1);

    let events = recorder.events.lock().unwrap().clone();
    for (name, fields) in spans.iter().chain(events.iter()) {
        for (field, value) in fields {
            assert!(
                !value.contains(secret),
                "{name}: field {field} logs an argument: {value}"
            );
        }
    }
}
