//! connection commands against the real servers. Connection-state commands
//! (SELECT, AUTH, NO-TOUCH ...) run on a dedicated connection; the ones that
//! act on other clients (PAUSE, KILL by user or age) on a server of the
//! test's own.

use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{Client, Cmd, ErrorKind, Pipeline, Protocol};
use redis_tests::{Ctx, TempServer, Version, each_server_setup, each_setup};

/// A client id no server of the tests reaches.
const UNUSED_ID: u64 = 1 << 60;

async fn temp_client(server: &TempServer, protocol: u8) -> Client {
    Client::connect(format!("{}/?protocol={protocol}", server.url()))
        .await
        .unwrap()
}

each_setup!(ping_and_echo_answer_back, |ctx: Ctx| async move {
    let client = ctx.client().await;
    assert_eq!(client.ping().await.unwrap(), "PONG");
    assert_eq!(
        client.ping_message::<String>("hello").await.unwrap(),
        "hello"
    );
    let bytes: Vec<u8> = vec![0, 1, 2, 255, b'\r', b'\n'];
    assert_eq!(client.echo::<Vec<u8>>(&bytes[..]).await.unwrap(), bytes);
    assert_eq!(client.echo::<i64>("42").await.unwrap(), 42);
});

each_server_setup!(
    client_info_describes_this_connection,
    |ctx: Ctx| async move {
        let shared = ctx.server_client().await;
        // Naming a connection is state: the shared one refuses it.
        let err = shared.client_setname("x").await.unwrap_err();
        assert_eq!(err.kind(), redis_core::ErrorKind::Config);
        assert!(err.to_string().contains("with_client_name"), "{err}");
        let client = shared.dedicated().await.unwrap();
        let id = client.client_id().await.unwrap();
        assert_eq!(client.client_getname().await.unwrap(), None);
        let name = format!("conn-{id}");
        client.client_setname(&name).await.unwrap();
        assert_eq!(client.client_getname().await.unwrap(), Some(name.clone()));

        let me = client.client_info().await.unwrap();
        assert_eq!(me.id, id);
        assert_eq!(me.name.as_deref(), Some(name.as_str()));
        assert_eq!(me.db, 0);
        assert_eq!(me.cmd, "client|info");
        assert_eq!(me.user.as_deref(), Some("default"));
        assert_eq!(me.multi, None);
        let resp = match ctx.setup.protocol {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        };
        assert_eq!(me.resp, Some(resp));
        assert!(me.addr.starts_with("127.0.0.1:"));
        assert!(me.get("qbuf").is_some());
        assert!(me.has_flag('N'));

        let only_me = client
            .client_list_filtered(ClientListFilter::Ids(vec![id, UNUSED_ID]))
            .await
            .unwrap();
        assert_eq!(only_me.len(), 1);
        assert_eq!(only_me[0].name.as_deref(), Some(name.as_str()));
        let everyone = client.client_list().await.unwrap();
        assert!(everyone.iter().any(|c| c.id == id));
        let normal = client
            .client_list_filtered(ClientListFilter::Type(ClientType::Normal))
            .await
            .unwrap();
        assert!(normal.iter().any(|c| c.id == id));
        let pubsub = client
            .client_list_filtered(ClientListFilter::Type(ClientType::PubSub))
            .await
            .unwrap();
        assert!(pubsub.iter().all(|c| c.id != id));
        client.client_setname("").await.unwrap();
        assert_eq!(client.client_getname().await.unwrap(), None);
    }
);

each_setup!(
    select_and_auth_are_refused_on_the_shared_connection,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let err = client.select(1).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("dedicated"), "{err}");
        let err = client.auth_user("default", "x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        // Still on database 0.
        assert_eq!(client.client_info().await.unwrap().db, 0);
    }
);

each_server_setup!(
    select_and_auth_work_on_a_dedicated_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let conn = client.dedicated().await.unwrap();
        let key = ctx.key("in-db-2");
        conn.select(2).await.unwrap();
        assert_eq!(conn.client_info().await.unwrap().db, 2);
        conn.set(&key, "two").await.unwrap();
        assert_eq!(
            client.exists(&key).await.unwrap(),
            0,
            "the client stays on 0"
        );
        assert_eq!(conn.del(&key).await.unwrap(), 1);

        // The default user has no password: any password authenticates it,
        // while AUTH without a user name is refused.
        conn.auth_user("default", "anything").await.unwrap();
        assert_eq!(conn.acl_whoami().await.unwrap(), "default");
        let err = conn.auth("anything").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_server_setup!(
    tracking_info_reports_the_caching_state,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let conn = client.dedicated().await.unwrap();
        let off = conn.client_trackinginfo().await.unwrap();
        assert!(!off.is_on());
        assert_eq!(off.flags, ["off"]);
        assert_eq!(off.redirect, TrackingRedirect::Off);
        assert!(off.prefixes.is_empty());
        assert_eq!(conn.client_getredir().await.unwrap(), TrackingRedirect::Off);

        // Tracking itself is the connection layer's; turned on here by hand,
        // on a connection that is then not reused, to read the state back.
        let redirect_to = client.client_id().await.unwrap();
        let prefix = ctx.key("cached:");
        let () = Cmd::new("CLIENT")
            .arg("TRACKING")
            .arg("ON")
            .arg("REDIRECT")
            .arg(redirect_to)
            .arg("BCAST")
            .arg("PREFIX")
            .arg(&prefix)
            .query(&conn)
            .await
            .unwrap();
        let on = conn.client_trackinginfo().await.unwrap();
        assert!(on.is_on());
        assert!(on.flags.iter().any(|f| f == "bcast"));
        assert_eq!(on.redirect, TrackingRedirect::To(redirect_to));
        assert_eq!(on.prefixes, [prefix]);
        assert_eq!(
            conn.client_getredir().await.unwrap(),
            TrackingRedirect::To(redirect_to)
        );
    }
);

each_server_setup!(no_evict_sets_its_flag, |ctx: Ctx| async move {
    let client = ctx.server_client().await;
    let conn = client.dedicated().await.unwrap();
    conn.client_no_evict(true).await.unwrap();
    assert!(conn.client_info().await.unwrap().has_flag('e'));
    conn.client_no_evict(false).await.unwrap();
    assert!(!conn.client_info().await.unwrap().has_flag('e'));
});

each_server_setup!(no_touch_and_setinfo, |ctx: Ctx| async move {
    if !ctx
        .server_has_all(&["CLIENT|NO-TOUCH", "CLIENT|SETINFO"])
        .await
    {
        return;
    }
    let client = ctx.server_client().await;
    let conn = client.dedicated().await.unwrap();
    conn.client_no_touch(true).await.unwrap();
    assert!(conn.client_info().await.unwrap().has_flag('T'));
    conn.client_no_touch(false).await.unwrap();
    assert!(!conn.client_info().await.unwrap().has_flag('T'));

    client
        .client_setinfo(LibAttribute::Name, "redis-core-tests")
        .await
        .unwrap();
    client
        .client_setinfo(LibAttribute::Version, "0.1.0")
        .await
        .unwrap();
    let me = client.client_info().await.unwrap();
    assert_eq!(me.lib_name.as_deref(), Some("redis-core-tests"));
    assert_eq!(me.lib_ver.as_deref(), Some("0.1.0"));
    let err = client
        .client_setinfo(LibAttribute::Name, "no spaces allowed")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
});

each_server_setup!(unblock_wakes_a_blocked_connection, |ctx: Ctx| async move {
    let client = ctx.server_client().await;
    for (mode, times_out) in [(UnblockMode::Timeout, true), (UnblockMode::Error, false)] {
        let conn = client.dedicated().await.unwrap();
        let id = conn.client_id().await.unwrap();
        let key = ctx.key("never-filled");
        let started = Instant::now();
        let blocked =
            tokio::spawn(async move { conn.blpop::<String>(key, Duration::from_secs(10)).await });
        let mut woken = false;
        for _ in 0..100 {
            if client.client_unblock(id, mode).await.unwrap() {
                woken = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(woken, "the BLPOP never blocked");
        let result = blocked.await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        if times_out {
            assert_eq!(result.unwrap(), None);
        } else {
            assert_eq!(result.unwrap_err().code(), Some("UNBLOCKED"));
        }
    }
    assert!(
        !client
            .client_unblock(UNUSED_ID, UnblockMode::Timeout)
            .await
            .unwrap()
    );
});

each_server_setup!(
    kill_by_id_closes_only_that_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let victim = client.dedicated().await.unwrap();
        let id = victim.client_id().await.unwrap();
        let addr = victim.client_info().await.unwrap().addr;
        assert_eq!(
            client.client_kill(KillFilter::Id(UNUSED_ID)).await.unwrap(),
            0
        );
        let killed = client
            .client_kill(KillFilter::Id(id).and(KillFilter::Addr(addr)))
            .await
            .unwrap();
        assert_eq!(killed, 1);
        assert!(victim.ping().await.is_err());
        assert_eq!(client.ping().await.unwrap(), "PONG");
    }
);

each_setup!(connection_commands_in_a_pipeline, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let (pong, echoed, id, name, info): (String, String, u64, Option<String>, ClientInfo) =
        Pipeline::new()
            .ping()
            .echo("round trip")
            .client_id()
            .client_getname()
            .client_info()
            .query(&client)
            .await
            .unwrap();
    assert_eq!((pong.as_str(), echoed.as_str()), ("PONG", "round trip"));
    assert_eq!(info.id, id);
    assert_eq!(name, None);
});

/// KILL by user, type and age, and PAUSE, act on every client: on a server
/// of the test's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_filters_by_user_type_and_age() {
    let server = TempServer::start(Version::Redis8);
    for protocol in [2, 3] {
        let admin = temp_client(&server, protocol).await;
        admin
            .acl_setuser("guest", ["on", "nopass", "+@all", "~*"])
            .await
            .unwrap();
        let guest = admin.dedicated().await.unwrap();
        guest.auth_user("guest", "x").await.unwrap();
        let other = admin.dedicated().await.unwrap();
        other.ping().await.unwrap();

        let killed = admin
            .client_kill(KillFilter::User("guest".into()))
            .await
            .unwrap();
        assert_eq!(killed, 1);
        assert!(guest.ping().await.is_err());
        assert_eq!(other.ping().await.unwrap(), "PONG");

        // Older than an hour: none. Normal clients but this one: `other`
        // (and any idle pooled connection).
        let old = admin
            .client_kill(KillFilter::MaxAge(Duration::from_secs(3600)))
            .await
            .unwrap();
        assert_eq!(old, 0);
        let normal = admin
            .client_kill(KillFilter::Type(ClientType::Normal).and(KillFilter::SkipMe(true)))
            .await
            .unwrap();
        assert!(normal >= 1);
        assert!(other.ping().await.is_err());
        assert_eq!(admin.ping().await.unwrap(), "PONG");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_holds_writes_until_unpause() {
    let server = TempServer::start(Version::Redis8);
    for protocol in [2, 3] {
        let admin = temp_client(&server, protocol).await;
        let writer = temp_client(&server, protocol).await;
        admin
            .client_pause(Duration::from_secs(20), PauseMode::Write)
            .await
            .unwrap();
        let started = Instant::now();
        let write = tokio::spawn(async move { writer.set("paused", 1).await });
        // Reads go on during a WRITE pause.
        assert_eq!(admin.ping().await.unwrap(), "PONG");
        let _: Option<String> = admin.get("paused").await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(!write.is_finished(), "the write was not held");
        admin.client_unpause().await.unwrap();
        write.await.unwrap().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(admin.get::<i64>("paused").await.unwrap(), 1);

        admin
            .client_pause(Duration::from_millis(300), PauseMode::All)
            .await
            .unwrap();
        let started = Instant::now();
        let other = temp_client(&server, protocol).await;
        let _: Option<String> = other.get("paused").await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}
