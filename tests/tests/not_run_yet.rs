//! A server that answers it did not run a command (here `BUSY`, while a
//! script runs past `busy-reply-threshold`; `LOADING`, `MASTERDOWN` and
//! `TRYAGAIN` are classified the same) gets the command again, a write as
//! much as a read, as the retry policy allows and within its timeout; with
//! no retries, the answer is the caller's.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use redis_core::prelude::*;
use redis_core::retry::{ConstantBackoff, Retry};
use redis_core::{Client, Cmd, Config, Value};
use redis_tests::{TempServer, Version};

/// A script that keeps the server busy for `millis`.
fn busy_for(millis: u64) -> Cmd {
    let spin = "local t0 = redis.call('TIME') \
                repeat local t = redis.call('TIME') \
                until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > tonumber(ARGV[1]) * 1000 \
                return 1";
    Cmd::new("EVAL").arg(spin).arg(0).arg(millis)
}

async fn client(server: &TempServer, retry: Retry) -> Client {
    let config = Config::from_url(&server.url())
        .unwrap()
        .with_retry(retry)
        .with_response_timeout(Some(Duration::from_secs(10)));
    Client::connect(config).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_servers_answer_is_retried_until_it_runs_the_command() {
    let server = TempServer::start_with(Version::Redis8, &["--busy-reply-threshold", "50"]);
    let runner = client(&server, Retry::never()).await;
    let patient = client(
        &server,
        Retry::new(100, ConstantBackoff(Duration::from_millis(50))),
    )
    .await;
    let impatient = client(&server, Retry::never()).await;
    // Connected before the script starts: a busy server does not answer a
    // handshake either.
    let _: String = patient.ping().await.unwrap();
    let _: String = impatient.ping().await.unwrap();

    let started = Instant::now();
    let script = tokio::spawn(async move { busy_for(1500).query::<Value>(&runner).await });
    // Once the server says BUSY to a command that is not retried...
    let error = loop {
        match impatient.get::<Option<String>>("busy:k").await {
            Err(error) => break error,
            Ok(_) => {
                assert!(started.elapsed() < Duration::from_secs(5), "never busy");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    assert_eq!(error.code(), Some("BUSY"), "{error}");
    // ...a write sent meanwhile through the retrying client waits it out.
    patient.set("busy:k", "after").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(1400),
        "the SET ran while the script did"
    );
    script.await.unwrap().unwrap();
    assert_eq!(
        impatient.get::<Option<String>>("busy:k").await.unwrap(),
        Some("after".to_owned())
    );
}
