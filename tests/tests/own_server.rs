//! Authentication, reconnection and timeouts, on servers of the tests' own.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{Client, Cmd, Config, ErrorKind, Executor, Protocol};
use redis_tests::{TempServer, each_version};

fn config(server: &TempServer, protocol: Protocol) -> Config {
    Config::from_url(&server.url())
        .unwrap()
        .with_protocol(protocol)
        .with_response_timeout(Some(Duration::from_secs(2)))
}

/// A client of `server` with the suite's settings; the test fails if it cannot connect.
async fn connect(server: &TempServer, protocol: Protocol) -> Client {
    Client::connect(config(server, protocol)).await.unwrap()
}

const PROTOCOLS: [Protocol; 2] = [Protocol::Resp3, Protocol::Resp2];

/// The server's id for the connection `on` sends through.
async fn client_id(on: &impl Executor) -> i64 {
    Cmd::new("CLIENT").arg("ID").query(on).await.unwrap()
}

/// `CLIENT KILL ID id` from `admin`; how many connections it closed.
async fn kill_client(admin: &Client, id: i64) -> i64 {
    Cmd::new("CLIENT")
        .arg("KILL")
        .arg("ID")
        .arg(id)
        .query(admin)
        .await
        .unwrap()
}

/// Sends `DEBUG SLEEP 2` allowed `sleep_timeout`, then, queued behind it, a
/// GET allowed 100 ms; returns both outcomes.
async fn sleep_then_a_quick_get(
    client: &Client,
    sleep_timeout: Duration,
) -> (redis_core::Result<()>, redis_core::Result<Option<String>>) {
    let slow = {
        let client = client.clone();
        tokio::spawn(async move {
            Cmd::new("DEBUG")
                .arg("SLEEP")
                .arg("2")
                .with_timeout(sleep_timeout)
                .query::<()>(&client)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let quick = Cmd::new("GET")
        .arg("k")
        .with_timeout(Duration::from_millis(100))
        .query::<Option<String>>(client)
        .await;
    (slow.await.unwrap(), quick)
}

each_version!(heals_after_client_kill, |version| async move {
    let server = TempServer::start(version);
    for protocol in PROTOCOLS {
        let client = connect(&server, protocol).await;
        let admin = connect(&server, protocol).await;
        client.set("k", "v").await.unwrap();
        let id = client_id(&client).await;
        assert_eq!(kill_client(&admin, id).await, 1);
        // A read-only command is retried once over the new connection.
        let value: String = client.get("k").await.unwrap();
        assert_eq!(value, "v");
        let new_id = client_id(&client).await;
        assert_ne!(new_id, id, "{protocol:?}: still on the killed connection");
    }
});

each_version!(
    a_write_in_flight_is_not_repeated_silently,
    |version| async move {
        let server = TempServer::start(version);
        let client = connect(&server, Protocol::Resp3).await;
        let admin = connect(&server, Protocol::Resp3).await;
        let id = client_id(&client).await;
        // Hold the connection busy so the INCR is in flight when it is killed.
        let sleeper = {
            let client = client.clone();
            tokio::spawn(async move {
                Cmd::new("DEBUG")
                    .arg("SLEEP")
                    .arg("0.3")
                    .query::<()>(&client)
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let incr = {
            let client = client.clone();
            tokio::spawn(async move { client.incrby("counter", 1).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        kill_client(&admin, id).await;
        let sleep_result = sleeper.await.unwrap();
        let incr_result = incr.await.unwrap();
        // The kill lands after DEBUG SLEEP: the INCR either ran once, or failed
        // with a connection error; it never ran twice.
        let counter: Option<i64> = admin.get("counter").await.unwrap();
        match incr_result {
            Ok(n) => assert_eq!((n, counter), (1, Some(1))),
            Err(e) => {
                assert!(e.is_connection_error(), "{e}");
                assert!(counter.unwrap_or(0) <= 1);
            }
        }
        let _ = sleep_result;
        assert_eq!(client.incrby("after", 1).await.unwrap(), 1);
    }
);

each_version!(heals_after_a_server_restart, |version| async move {
    let mut server = TempServer::start(version);
    for protocol in PROTOCOLS {
        let client = connect(&server, protocol).await;
        client.set("k", "before").await.unwrap();
        server.kill();
        // While the server is down, calls fail with a connection error, promptly.
        let started = Instant::now();
        let err = client.get::<Option<String>>("k").await.unwrap_err();
        assert!(
            err.is_connection_error() || err.is_timeout(),
            "{protocol:?}: {err}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        server.restart();
        // The same handle serves again once the server is back.
        let mut healed = false;
        for _ in 0..100 {
            match client.set("k", "after").await {
                Ok(()) => {
                    healed = true;
                    break;
                }
                Err(e) => {
                    assert!(e.is_connection_error() || e.is_timeout(), "{e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        assert!(
            healed,
            "{protocol:?}: the client did not reconnect after the restart"
        );
        assert_eq!(client.get::<String>("k").await.unwrap(), "after");
    }
});

each_version!(
    debug_sleep_times_out_and_the_client_recovers,
    |version| async move {
        let server = TempServer::start(version);
        for protocol in PROTOCOLS {
            let client = connect(&server, protocol).await;
            // A per-command timeout longer than the client's default lets it finish.
            Cmd::new("DEBUG")
                .arg("SLEEP")
                .arg("0.2")
                .with_timeout(Duration::from_secs(3))
                .query::<()>(&client)
                .await
                .unwrap();
            let err = Cmd::new("DEBUG")
                .arg("SLEEP")
                .arg("1")
                .with_timeout(Duration::from_millis(100))
                .query::<()>(&client)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
            assert_eq!(err.command(), Some("DEBUG"));
            // The next command waits for the sleeping server, then is answered.
            let pong: String = Cmd::new("PING").query(&client).await.unwrap();
            assert_eq!(pong, "PONG");
        }
    }
);

each_version!(connecting_to_nothing_fails_clearly, |version| async move {
    let server = TempServer::start(version);
    let url = server.url();
    drop(server);
    let err = Client::connect(url.as_str())
        .await
        .expect_err("nothing listens there");
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("connecting to 127.0.0.1"), "{err}");
});

each_version!(
    dropping_every_handle_closes_the_connection,
    |version| async move {
        let server = TempServer::start(version);
        let admin = connect(&server, Protocol::Resp3).await;
        let count = || async {
            let list: String = Cmd::new("CLIENT").arg("LIST").query(&admin).await.unwrap();
            list.lines().count()
        };
        let before = count().await;
        let client = connect(&server, Protocol::Resp3).await;
        let conn = client.dedicated().await.unwrap();
        Cmd::new("PING").query::<String>(&conn).await.unwrap();
        assert_eq!(count().await, before + 2);
        drop(conn);
        drop(client);
        let mut closed = false;
        for _ in 0..100 {
            if count().await == before {
                closed = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            closed,
            "connections stayed open after the last handle dropped"
        );
    }
);

each_version!(passwords_and_acl_users, |version| async move {
    let server = TempServer::start_with(version, &["--requirepass", "s3cret"]);
    for protocol in PROTOCOLS {
        let wrong = Client::connect(config(&server, protocol).with_password("wrong"))
            .await
            .expect_err("wrong password");
        assert_eq!(wrong.kind(), ErrorKind::Auth, "{protocol:?}: {wrong}");
        assert!(
            wrong
                .to_string()
                .contains("check the username and password"),
            "{wrong}"
        );
        let missing = Client::connect(config(&server, protocol)).await;
        // Without a password RESP3's HELLO is refused; RESP2 connects and every command is refused.
        if let Ok(client) = missing {
            let err = client.get::<Option<String>>("k").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
        }
        let client = Client::connect(config(&server, protocol).with_password("s3cret"))
            .await
            .unwrap();
        Cmd::new("ACL")
            .arg("SETUSER")
            .arg("app")
            .arg("on")
            .arg(">app-pass")
            .arg("~*")
            .arg("+@all")
            .query::<()>(&client)
            .await
            .unwrap();
        let url = format!(
            "redis://app:app-pass@{}/?protocol={}",
            server.addr(),
            if protocol == Protocol::Resp3 { 3 } else { 2 }
        );
        let app = Client::connect(url.as_str()).await.unwrap();
        let me: String = Cmd::new("ACL").arg("WHOAMI").query(&app).await.unwrap();
        assert_eq!(me, "app");
        // A user name without a password is a `nopass` user, not `default`.
        Cmd::new("ACL")
            .arg("SETUSER")
            .arg("guest")
            .arg("on")
            .arg("nopass")
            .arg("~*")
            .arg("+@all")
            .query::<()>(&client)
            .await
            .unwrap();
        let guest = Client::connect(config(&server, protocol).with_username("guest"))
            .await
            .unwrap();
        let me: String = Cmd::new("ACL").arg("WHOAMI").query(&guest).await.unwrap();
        assert_eq!(me, "guest");
    }
});

each_version!(
    unix_socket_database_and_client_name_from_the_url,
    |version| async move {
        let socket =
            std::env::temp_dir().join(format!("redis-test-{:08x}.sock", fastrand::u32(..)));
        let socket_arg = socket.to_string_lossy().into_owned();
        let _server = TempServer::start_with(
            version,
            &["--unixsocket", &socket_arg, "--unixsocketperm", "700"],
        );
        for protocol in ["2", "3"] {
            let url = format!(
                "unix://{socket_arg}?db=3&client_name=worker-{protocol}&protocol={protocol}"
            );
            let client = Client::connect(url.as_str()).await.unwrap();
            client.set("where", "db3").await.unwrap();
            let db: String = Cmd::new("CLIENT").arg("INFO").query(&client).await.unwrap();
            assert!(db.contains(" db=3 "), "{db}");
            let name: String = Cmd::new("CLIENT")
                .arg("GETNAME")
                .query(&client)
                .await
                .unwrap();
            assert_eq!(name, format!("worker-{protocol}"));
            // Dedicated connections get the same handshake.
            let conn = client.dedicated().await.unwrap();
            let value: String = conn.get("where").await.unwrap();
            assert_eq!(value, "db3");
        }
        let db0 = Client::connect(format!("unix://{socket_arg}").as_str())
            .await
            .unwrap();
        assert_eq!(db0.get::<Option<String>>("where").await.unwrap(), None);
        let _ = std::fs::remove_file(&socket);
    }
);

each_version!(an_idle_connection_is_health_checked, |version| async move {
    let server = TempServer::start(version);
    let client = Client::connect(
        config(&server, Protocol::Resp3)
            .with_health_check_interval(Some(Duration::from_millis(300))),
    )
    .await
    .unwrap();
    let admin = connect(&server, Protocol::Resp3).await;
    let id = client_id(&client).await;
    let mut pinged = false;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let list: String = Cmd::new("CLIENT")
            .arg("LIST")
            .arg("ID")
            .arg(id)
            .query(&admin)
            .await
            .unwrap();
        if list.contains("cmd=ping") {
            pinged = true;
            break;
        }
    }
    assert!(pinged, "the idle connection was never PINGed");
});

each_version!(
    the_pool_does_not_hand_out_a_connection_the_server_closed,
    |version| async move {
        let server = TempServer::start(version);
        for protocol in PROTOCOLS {
            let client = connect(&server, protocol).await;
            let admin = connect(&server, protocol).await;
            let conn = client.dedicated().await.unwrap();
            let id = client_id(&conn).await;
            drop(conn); // back to the pool, idle
            kill_client(&admin, id).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            let conn = client.dedicated().await.unwrap();
            let new_id = client_id(&conn).await;

            assert_ne!(new_id, id, "{protocol:?}: got the killed connection back");
        }
    }
);

each_version!(
    every_command_gets_its_own_timeout_even_behind_a_shorter_one,
    |version| async move {
        let server = TempServer::start(version);
        let client = connect(&server, Protocol::Resp3).await;
        let (slow, quick) = sleep_then_a_quick_get(&client, Duration::from_millis(300)).await;
        assert_eq!(quick.unwrap_err().kind(), ErrorKind::Timeout);
        let slow = slow.unwrap_err();
        assert_eq!(slow.kind(), ErrorKind::Timeout, "{slow}");
        assert!(slow.to_string().contains("300ms"), "{slow}");
    }
);

each_version!(
    a_slow_command_with_time_left_outlives_a_quicker_ones_timeout,
    |version| async move {
        let server = TempServer::start(version);
        let client = connect(&server, Protocol::Resp3).await;
        let id = client_id(&client).await;
        // The GET's timeout passes long before the sleep ends, which must not
        // make the connection look dead while the sleep has time left.
        let (slow, quick) = sleep_then_a_quick_get(&client, Duration::from_secs(5)).await;
        assert_eq!(quick.unwrap_err().kind(), ErrorKind::Timeout);
        slow.unwrap();
        let same = client_id(&client).await;
        assert_eq!(same, id, "the connection was replaced");
    }
);

each_version!(
    a_command_that_blocks_forever_waits_at_most_its_own_timeout,
    |version| async move {
        let server = TempServer::start(version);
        let client = connect(&server, Protocol::Resp3).await;
        let started = Instant::now();
        let err = Cmd::new("BLPOP")
            .arg("nothing-here")
            .arg(0)
            .with_timeout(Duration::from_millis(300))
            .query::<Option<(String, String)>>(&client)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
        assert!(started.elapsed() >= Duration::from_millis(300));
        // The blocked connection was not given back to the pool: the next
        // blocking command gets a working one.
        client.set("filled", "x").await.unwrap();
        Cmd::new("RPUSH")
            .arg("queue")
            .arg("job")
            .query::<i64>(&client)
            .await
            .unwrap();
        let job: Option<(String, String)> = Cmd::new("BLPOP")
            .arg("queue")
            .arg(1)
            .query(&client)
            .await
            .unwrap();
        assert_eq!(job, Some(("queue".to_owned(), "job".to_owned())));
    }
);

/// A command the generated table does not know (here BLPOP renamed, as a
/// module or a newer server would bring one) is learned from the server the
/// first time it is sent: commands of that name made afterwards know their
/// keys, and that they block, so they run on an exclusive connection and the
/// shared one keeps serving other callers meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_commands_are_learned_from_the_server() {
    let server = TempServer::start_with(
        redis_tests::Version::Redis8,
        &["--rename-command", "BLPOP", "WAITPOP"],
    );
    // Named, so that CLIENT LIST shows when its WAITPOP has blocked.
    const WAITING: &str = "waitpop-client";
    let client = Client::connect(config(&server, Protocol::Resp3).with_client_name(WAITING))
        .await
        .unwrap();
    let waitpop = || Cmd::new("waitpop").arg("jobs").arg(0.05);
    assert_eq!(waitpop().keys().count(), 0, "not known before it is sent");
    let first: Option<(String, String)> = waitpop().query(&client).await.unwrap();
    assert_eq!(first, None);

    let mut learned = false;
    for _ in 0..100 {
        if waitpop().keys().eq([&b"jobs"[..]]) {
            learned = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(learned, "WAITPOP's key specs were never learned");

    // Learned as blocking: it waits on a connection of its own.
    let blocked = {
        let client = client.clone();
        tokio::spawn(async move {
            Cmd::new("WAITPOP")
                .arg("jobs")
                .arg(0)
                .query::<Option<(String, String)>>(&client)
                .await
        })
    };
    let admin = connect(&server, Protocol::Resp3).await;
    redis_tests::until_blocked(&admin, WAITING).await;
    let pong: String = Cmd::new("PING").query(&client).await.unwrap();
    assert_eq!(pong, "PONG", "the shared connection is not held by WAITPOP");
    client.rpush("jobs", "j-1").await.unwrap();
    let popped = blocked.await.unwrap().unwrap();
    assert_eq!(popped, Some(("jobs".to_owned(), "j-1".to_owned())));
}
