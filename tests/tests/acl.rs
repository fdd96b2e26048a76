//! ACL users and credentials: a limited user gets exactly its permissions,
//! a rotating provider is asked on every reconnect, and secrets never show.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redis_core::commands::*;
use redis_core::{
    Client, Cmd, Config, Credentials, CredentialsFuture, CredentialsProvider, ErrorKind, Pipeline,
    Protocol, Secret, Transaction, Value,
};
use redis_tests::{TempServer, Version};

const BOTH: [Protocol; 2] = [Protocol::Resp3, Protocol::Resp2];

async fn admin(server: &TempServer) -> Client {
    Client::connect(server.url().as_str()).await.unwrap()
}

async fn set_user(admin: &Client, rules: &[&str]) {
    let mut cmd = Cmd::new("ACL").arg("SETUSER");
    for rule in rules {
        cmd = cmd.arg(*rule);
    }
    cmd.query::<()>(admin).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limited_user_can_do_exactly_what_it_was_granted() {
    let server = TempServer::start(Version::Redis8);
    let admin = admin(&server).await;
    set_user(
        &admin,
        &[
            "app",
            "on",
            ">app-pass",
            "~app:*",
            "+get",
            "+set",
            "+multi",
            "+exec",
        ],
    )
    .await;
    for protocol in BOTH {
        let config = Config::from_url(&server.url())
            .unwrap()
            .with_protocol(protocol)
            .with_username("app")
            .with_password("app-pass");
        let client = Client::connect(config).await.unwrap();
        client.set("app:greeting", "hi").await.unwrap();
        let read: Option<String> = client.get("app:greeting").await.unwrap();
        assert_eq!(read.as_deref(), Some("hi"), "{protocol:?}");

        let other_key = client
            .get::<Option<String>>("billing:total")
            .await
            .unwrap_err();
        let other_command = client.del("app:greeting").await.unwrap_err();
        for err in [other_key, other_command] {
            assert_eq!(err.kind(), ErrorKind::Auth, "{protocol:?}: {err}");
            assert_eq!(err.code(), Some("NOPERM"), "{protocol:?}: {err}");
            assert!(err.to_string().contains("\"app\""), "{protocol:?}: {err}");
            assert_eq!(
                err.node(),
                Some(server.addr().as_str()),
                "{protocol:?}: {err:?}"
            );
        }
        // Nothing was deleted.
        let still: Option<String> = admin.get("app:greeting").await.unwrap();
        assert_eq!(still.as_deref(), Some("hi"));
        // The same on a dedicated connection.
        let conn = client.dedicated().await.unwrap();
        let err = conn.del("app:greeting").await.unwrap_err();
        assert_eq!(err.code(), Some("NOPERM"), "{protocol:?}: {err}");
        assert!(err.to_string().contains("\"app\""), "{protocol:?}: {err}");
        // And inside a pipeline or a transaction, on the shared connection
        // and on a dedicated one: the node and the user, as for a command
        // alone.
        for on_dedicated in [false, true] {
            let pipeline: Pipeline<(Value, Value)> = Pipeline::new()
                .command(Cmd::new("GET").arg("app:greeting"))
                .command(Cmd::new("DEL").arg("app:greeting"));
            let transaction: Transaction<(Value, Value)> = Transaction::new()
                .command(Cmd::new("GET").arg("app:greeting"))
                .command(Cmd::new("DEL").arg("app:greeting"));
            let (in_pipeline, in_transaction) = if on_dedicated {
                (pipeline.query(&conn).await, transaction.query(&conn).await)
            } else {
                (
                    pipeline.query(&client).await,
                    transaction.query(&client).await,
                )
            };
            // The transaction is discarded whole (EXECABORT), saying why.
            let discarded = in_transaction.unwrap_err();
            assert_eq!(discarded.code(), Some("EXECABORT"), "{discarded:?}");
            for err in [in_pipeline.unwrap_err(), discarded] {
                let on = format!("{protocol:?}, dedicated: {on_dedicated}: {err:?}");
                assert!(err.to_string().contains("NOPERM"), "{on}");
                assert!(err.to_string().contains("\"app\""), "{on}");
                assert_eq!(err.node(), Some(server.addr().as_str()), "{on}");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_names_the_user_and_never_the_password() {
    let server = TempServer::start(Version::Redis8);
    let admin = admin(&server).await;
    set_user(&admin, &["app", "on", ">right-pass", "~*", "+@all"]).await;
    for protocol in BOTH {
        let config = Config::from_url(&server.url())
            .unwrap()
            .with_protocol(protocol)
            .with_username("app")
            .with_password("wrong-pass-8472");
        let err = Client::connect(config)
            .await
            .expect_err("a wrong password was accepted");
        assert_eq!(err.kind(), ErrorKind::Auth, "{protocol:?}: {err}");
        assert_eq!(err.code(), Some("WRONGPASS"), "{protocol:?}: {err}");
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("\"app\""), "{protocol:?}: {shown}");
        assert!(!shown.contains("wrong-pass-8472"), "{protocol:?}: {shown}");
    }
}

/// Hands out whatever password was set last, and counts how often it was asked.
#[derive(Debug)]
struct Rotating {
    password: Mutex<Secret>,
    asked: AtomicUsize,
}

impl CredentialsProvider for Rotating {
    fn credentials(&self) -> CredentialsFuture<'_> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let password = self
            .password
            .lock()
            .map(|p| p.clone())
            .unwrap_or_else(|_| Secret::new(""));
        Box::pin(async move { Ok(Credentials::new("rotating", password)) })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotating_provider_is_asked_again_on_every_reconnect() {
    let server = TempServer::start(Version::Redis8);
    let admin = admin(&server).await;
    set_user(&admin, &["rotating", "on", ">first-secret", "~*", "+@all"]).await;
    let provider = Arc::new(Rotating {
        password: Mutex::new(Secret::new("first-secret")),
        asked: AtomicUsize::new(0),
    });
    let config = Config::from_url(&server.url())
        .unwrap()
        .with_credentials_provider(provider.clone());
    let client = Client::connect(config).await.unwrap();
    let whoami: String = Cmd::new("ACL").arg("WHOAMI").query(&client).await.unwrap();
    assert_eq!(whoami, "rotating");
    let asked_before = provider.asked.load(Ordering::SeqCst);

    // The secret rotates: the server takes only the new one, the provider
    // hands it out, and the old connections are killed.
    set_user(&admin, &["rotating", "resetpass", ">second-secret"]).await;
    *provider.password.lock().unwrap() = Secret::new("second-secret");
    let killed: i64 = Cmd::new("CLIENT")
        .arg("KILL")
        .arg("USER")
        .arg("rotating")
        .query(&admin)
        .await
        .unwrap();
    assert!(killed >= 1, "no connection of the user was killed");

    // A read is retried once over the new connection; allow for the kill to
    // be noticed first.
    let mut whoami = Err(None);
    for _ in 0..50 {
        match Cmd::new("ACL").arg("WHOAMI").query::<String>(&client).await {
            Ok(name) => {
                whoami = Ok(name);
                break;
            }
            Err(err) => whoami = Err(Some(err)),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        whoami.map_err(|e| e.map(|e| e.to_string())),
        Ok("rotating".to_owned())
    );
    assert!(
        provider.asked.load(Ordering::SeqCst) > asked_before,
        "the provider was not asked for the reconnect"
    );
    // The old password no longer works, so the new one was used.
    let old = Config::from_url(&server.url())
        .unwrap()
        .with_username("rotating")
        .with_password("first-secret");
    assert!(Client::connect(old).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_appear_in_debug_or_display() {
    const SECRET: &str = "hunter2-do-not-print";
    let url = format!("redis://app:{SECRET}@127.0.0.1:1/0");
    let config = Config::from_url(&url).unwrap();
    let provider = Arc::new(Rotating {
        password: Mutex::new(Secret::new(SECRET)),
        asked: AtomicUsize::new(0),
    });
    let with_provider = config.clone().with_credentials_provider(provider);
    let credentials = Credentials::new("app", SECRET);
    let bad_url = Config::from_url(&format!("redis://app:{SECRET}@host:notaport")).unwrap_err();
    let bad_option = Config::from_url(&format!("redis://app:{SECRET}@host?nope=1")).unwrap_err();
    // A refused connection with that password in its config.
    let refused = Client::connect(config.clone())
        .await
        .expect_err("nothing listens on port 1");
    let server = TempServer::start_with(Version::Redis8, &["--requirepass", "the-right-one"]);
    let wrong = Config::from_url(&server.url())
        .unwrap()
        .with_password(SECRET);
    let wrong = Client::connect(wrong)
        .await
        .err()
        .unwrap_or_else(|| panic!("a password the server lacks was accepted"));
    let shown = [
        format!("{config:?}"),
        format!("{with_provider:?}"),
        format!("{credentials:?}"),
        format!("{bad_url} {bad_url:?}"),
        format!("{bad_option} {bad_option:?}"),
        format!("{refused} {refused:?}"),
        format!("{wrong} {wrong:?}"),
    ];
    for text in &shown {
        assert!(!text.contains(SECRET), "the secret shows in: {text}");
    }
    assert!(
        shown[0].contains("app"),
        "the user name is not secret: {}",
        shown[0]
    );
}

/// Every handle a program may hold shows which server it talks to in its
/// Debug output, and never the password, however it was given (here as
/// redis-py's `?username=&password=` options, which must also work).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_show_their_server_in_debug_and_never_the_password() {
    const SECRET: &str = "Dbg-S3cret-pw";
    let server = TempServer::start(Version::Redis8);
    let admin = admin(&server).await;
    set_user(&admin, &["dbg", "on", ">Dbg-S3cret-pw", "~*", "+@all"]).await;
    let addr = server.addr();
    for (protocol, n) in [(Protocol::Resp3, 3), (Protocol::Resp2, 2)] {
        let url = format!("redis://{addr}/0?protocol={n}&username=dbg&password={SECRET}");
        let client = Client::connect(url.as_str()).await.unwrap();
        client.set("dbg:k", 1).await.unwrap();
        let whoami: String = client.acl_whoami().await.unwrap();
        assert_eq!(whoami, "dbg");
        let conn = client.dedicated().await.unwrap();
        let executing = client.get::<Option<String>>("dbg:k");
        let scan = client.scan::<String>(Default::default());
        let shown = [
            format!("{client:?}"),
            format!("{client:#?}"),
            format!("{conn:?}"),
            format!("{executing:?}"),
            format!("{scan:?}"),
            format!("{:?}", client.config()),
        ];
        for text in &shown {
            assert!(!text.contains(SECRET), "{protocol:?}: {text}");
        }
        assert_eq!(
            shown[0],
            format!("Client {{ addr: {addr}, protocol: {protocol:?}, db: 0 }}")
        );
        assert!(shown[2].starts_with("Dedicated { addr: "), "{}", shown[2]);
        assert!(shown[2].contains(&addr), "{}", shown[2]);
        assert!(shown[3].contains("Cmd(GET +1 args)"), "{}", shown[3]);
        assert!(shown[3].contains(&addr), "{}", shown[3]);
        drop((executing, scan));
        // A struct holding a client can derive Debug.
        #[derive(Debug)]
        #[allow(dead_code)]
        struct App {
            redis: Client,
        }
        let app = format!("{:?}", App { redis: client });
        assert!(app.contains(&addr) && !app.contains(SECRET), "{app}");
    }
    // The blocking client, on a thread of its own (it runs its own runtime).
    let url = format!("redis://dbg:{SECRET}@{addr}");
    let shown = std::thread::spawn(move || {
        let client = redis_core::blocking::Client::connect(url.as_str()).unwrap();
        format!("{client:?}")
    })
    .join()
    .unwrap();
    assert!(shown.contains(&addr) && !shown.contains(SECRET), "{shown}");
}
