//! server commands against the real servers. Those that change the server
//! for everyone (FLUSHALL, CONFIG SET, SLOWLOG RESET, ACL SETUSER ...) run
//! on a throw-away server of their own, over RESP3 and RESP2.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use redis_core::commands::{self, *};
use redis_core::{Client, Cmd, ErrorKind, Pipeline};
use redis_tests::{Ctx, TempServer, Version, each_redis8, each_server_setup, each_setup};

/// A client of `server` speaking RESP `protocol`, on database `db`.
async fn temp_client(server: &TempServer, protocol: u8, db: u32) -> Client {
    Client::connect(format!("{}/{db}?protocol={protocol}", server.url()))
        .await
        .unwrap()
}

/// The server's name as its INFO field `<name>_version` spells it, and its major version.
fn name_and_major(ctx: &Ctx) -> (&'static str, &'static str) {
    match ctx.setup.version {
        Version::Redis8 => ("redis", "8."),
        Version::Redis7 => ("redis", "7."),
        // Valkey keeps `redis_version:7.2.4` for clients that check it.
        Version::Valkey8 => ("valkey", "8."),
    }
}

fn near_now(time: SystemTime) -> bool {
    let now = SystemTime::now();
    let gap = now.duration_since(time).unwrap_or_else(|e| e.duration());
    gap < Duration::from_secs(60)
}

each_setup!(
    info_is_parsed_into_sections_of_fields,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let info = client.info().await.unwrap();
        let (name, major) = name_and_major(&ctx);
        let version = info.get_str("server", &format!("{name}_version")).unwrap();
        assert!(version.starts_with(major), "{version}");
        assert!(info.get::<u64>("server", "uptime_in_seconds").unwrap() > 0);
        assert!(info.get::<u64>("Server", "tcp_port").unwrap() > 0);
        assert_eq!(info.get::<u64>("server", "redis_version"), None);
        assert!(info.section("memory").is_some());

        client.set(ctx.key("k"), "v").await.unwrap();
        let chosen = client.info_sections(["clients", "keyspace"]).await.unwrap();
        let names: Vec<String> = chosen
            .sections()
            .map(|s| s.name().to_ascii_lowercase())
            .collect();
        assert_eq!(names, ["clients", "keyspace"]);
        assert!(chosen.get::<u64>("clients", "connected_clients").unwrap() >= 1);
        let db0 = chosen.keyspace().into_iter().find(|db| db.db == 0).unwrap();
        assert!(db0.keys >= 1);
    }
);

each_setup!(
    config_get_returns_the_matching_parameters,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let memory = client.config_get("maxmemory*").await.unwrap();
        assert!(memory.contains_key("maxmemory-policy"), "{memory:?}");
        assert!(memory.keys().all(|name| name.starts_with("maxmemory")));
        let two = client.config_get(["hz", "appendonly"]).await.unwrap();
        assert_eq!(two.len(), 2);
        assert!(two["hz"].parse::<u32>().unwrap() > 0);
        assert!(["yes", "no"].contains(&two["appendonly"].as_str()));
        assert!(client.config_get("no-such-*").await.unwrap().is_empty());
    }
);

each_setup!(
    time_and_lastsave_are_points_in_time,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let time = client.time().await.unwrap();
        assert!(near_now(time), "{time:?}");
        let lastsave = client.lastsave().await.unwrap();
        assert!(lastsave <= time);
        client.set(ctx.key("k"), 1).await.unwrap();
        assert!(client.dbsize().await.unwrap() >= 1);
    }
);

each_setup!(memory_usage_and_stats, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("blob");
    client.set(&key, "x".repeat(1000)).await.unwrap();
    let usage = client.memory_usage(&key).await.unwrap().unwrap();
    assert!((1000..4000).contains(&usage), "{usage}");
    let exact = client
        .memory_usage_with(&key, MemorySamples::All)
        .await
        .unwrap();
    assert_eq!(exact, Some(usage));
    let sampled = client
        .memory_usage_with(&key, MemorySamples::Count(2))
        .await
        .unwrap();
    assert_eq!(sampled, Some(usage));
    assert_eq!(client.memory_usage(ctx.key("missing")).await.unwrap(), None);

    let stats = client.memory_stats().await.unwrap();
    assert!(stats.peak_allocated().unwrap() >= stats.get::<u64>("startup.allocated").unwrap());
    assert!(stats.total_allocated().unwrap() > 0);
    assert!(stats.keys_count().unwrap() >= 1);
    assert!(stats.fragmentation().unwrap() > 0.0);
    assert!(stats.get::<f64>("dataset.percentage").unwrap() > 0.0);
    assert!(
        stats
            .databases
            .iter()
            .any(|db| db.db == 0 && db.overhead_hashtable_main > 0)
    );

    assert!(!client.memory_doctor().await.unwrap().is_empty());
    assert!(!client.memory_malloc_stats().await.unwrap().is_empty());
});

each_setup!(
    command_introspection_describes_commands,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        assert!(client.command_count().await.unwrap() > 200);

        let infos = client
            .command_info(["get", "no-such-command"])
            .await
            .unwrap();
        let get = infos[0].as_ref().unwrap();
        assert_eq!((get.name.as_str(), get.arity), ("get", 2));
        assert!(get.flags.iter().any(|f| f == "readonly"));
        assert_eq!((get.first_key, get.last_key, get.step), (1, 1, 1));
        assert!(get.acl_categories.iter().any(|c| c == "@string"));
        assert_eq!(get.key_specs.len(), 1);
        assert_eq!(get.key_specs[0].begin_search, BeginSearch::Index(1));
        assert_eq!(
            get.key_specs[0].find_keys,
            FindKeys::Range {
                last_key: 0,
                key_step: 1,
                limit: 0
            }
        );
        assert!(infos[1].is_none());

        let xread = client
            .command_info(["xread"])
            .await
            .unwrap()
            .remove(0)
            .unwrap();
        assert!(matches!(
            &xread.key_specs[0].begin_search,
            BeginSearch::Keyword { keyword, .. } if keyword == "STREAMS"
        ));
        let config = client
            .command_info(["config"])
            .await
            .unwrap()
            .remove(0)
            .unwrap();
        assert!(config.subcommands.iter().any(|s| s.name == "config|get"));

        let docs = client.command_docs(["get", "set"]).await.unwrap();
        let get = &docs["get"];
        assert_eq!(get.group, "string");
        assert_eq!(get.since.as_deref(), Some("1.0.0"));
        assert!(get.summary.as_deref().unwrap().contains("value of a key"));
        assert_eq!(get.arguments[0].kind, ArgKind::Key);
        let set = &docs["set"];
        assert!(!set.history.is_empty());
        let condition = set
            .arguments
            .iter()
            .find(|a| a.name == "condition")
            .unwrap();
        assert_eq!(condition.kind, ArgKind::OneOf);
        assert!(condition.flags.iter().any(|f| f == "optional"));
        assert!(
            condition
                .arguments
                .iter()
                .any(|a| a.token.as_deref() == Some("NX"))
        );
        let client_doc = client.command_docs(["client"]).await.unwrap();
        assert!(client_doc["client"].subcommands.contains_key("client|list"));

        let all = client.command_list().await.unwrap();
        assert!(all.iter().any(|c| c == "get") && all.iter().any(|c| c == "config|get"));
        let x = client
            .command_list_filtered(CommandFilter::Pattern("xa*".into()))
            .await
            .unwrap();
        assert!(x.iter().all(|c| c.starts_with("xa")), "{x:?}");
        for expected in ["xack", "xadd", "xautoclaim"] {
            assert!(x.iter().any(|c| c == expected), "{x:?}");
        }
        let keyspace = client
            .command_list_filtered(CommandFilter::AclCategory("keyspace".into()))
            .await
            .unwrap();
        assert!(keyspace.iter().any(|c| c == "del"));

        let key = ctx.key("k");
        let set = commands::set(&key, "v").into_cmd();
        assert_eq!(
            client.command_getkeys::<String>(&set).await.unwrap(),
            std::slice::from_ref(&key)
        );
        let flags = client
            .command_getkeysandflags::<String>(&set)
            .await
            .unwrap();
        assert_eq!(flags, [(key, vec!["OW".to_owned(), "update".to_owned()])]);
        let err = client
            .command_getkeys::<String>(&Cmd::new("PING"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
    }
);

each_redis8!(command_list_filters_by_module, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let bloom = client
        .command_list_filtered(CommandFilter::Module("bf".into()))
        .await
        .unwrap();
    assert!(bloom.iter().any(|c| c == "bf.add"), "{bloom:?}");
    let docs = client.command_docs(["bf.add"]).await.unwrap();
    assert_eq!(docs["bf.add"].module.as_deref(), Some("bf"));
});

// ROLE of one server: a cluster's nodes are primaries and replicas.
each_server_setup!(a_standalone_server_is_a_primary, |ctx: Ctx| async move {
    let client = ctx.client().await;
    match client.role().await.unwrap() {
        Role::Master { replicas, .. } => assert!(replicas.is_empty()),
        other => panic!("{other:?}"),
    }
});

each_setup!(
    acl_introspection_of_the_default_user,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        assert_eq!(client.acl_whoami().await.unwrap(), "default");
        assert!(
            client
                .acl_users()
                .await
                .unwrap()
                .contains(&"default".to_owned())
        );
        let list = client.acl_list().await.unwrap();
        assert!(
            list.iter().any(|line| line.starts_with("user default ")),
            "{list:?}"
        );
        let categories = client.acl_cat().await.unwrap();
        assert!(categories.iter().any(|c| c == "keyspace"));
        let keyspace = client.acl_cat_commands("keyspace").await.unwrap();
        assert!(keyspace.iter().any(|c| c == "del"));

        let default = client.acl_getuser("default").await.unwrap().unwrap();
        assert!(default.is_enabled());
        assert!(default.flags.iter().any(|f| f == "nopass"));
        assert_eq!(default.commands, "+@all");
        assert_eq!(default.keys, "~*");
        assert!(default.selectors.is_empty());
        assert_eq!(client.acl_getuser(ctx.key("nobody")).await.unwrap(), None);

        let password = client.acl_genpass().await.unwrap();
        assert_eq!(password.len(), 64);
        assert!(password.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(client.acl_genpass_bits(32).await.unwrap().len(), 8);
        let get = commands::get::<String>(ctx.key("k")).into_cmd();
        assert_eq!(
            client.acl_dryrun("default", &get).await.unwrap(),
            AclDryRun::Allowed
        );
        assert!(client.acl_log(5).await.unwrap().len() <= 5);
    }
);

each_setup!(lolwut_shows_the_version, |ctx: Ctx| async move {
    let client = ctx.client().await;
    // Each version draws (or, from 8, writes) something else.
    assert!(!client.lolwut().await.unwrap().is_empty());
    let five = client.lolwut_version(5).await.unwrap();
    assert!(five.contains("Georg Nees"), "{five}");
    assert!(
        five.contains(&format!("Redis ver. {}", name_and_major(&ctx).1)),
        "{five}"
    );
});

each_setup!(server_commands_in_a_pipeline, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("k");
    let (time, hz, whoami, usage, role, info) = Pipeline::new()
        .time()
        .config_get("hz")
        .acl_whoami()
        .set(&key, "value")
        .memory_usage(&key)
        .role()
        .info_sections("server")
        .query(&client)
        .await
        .map(|(time, hz, whoami, (), usage, role, info)| (time, hz, whoami, usage, role, info))
        .unwrap();
    assert!(near_now(time));
    assert!(hz["hz"].parse::<u32>().unwrap() > 0);
    assert_eq!(whoami, "default");
    assert!(usage.unwrap() > 0);
    assert!(matches!(role, Role::Master { .. }));
    assert!(info.get::<u64>("server", "process_id").unwrap() > 0);
});

/// The commands that change the server, on a server of the test's own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushes_and_swapdb_empty_and_exchange_databases() {
    let server = TempServer::start(Version::Redis8);
    for protocol in [2, 3] {
        let db0 = temp_client(&server, protocol, 0).await;
        let db1 = temp_client(&server, protocol, 1).await;
        for i in 0..3 {
            db0.set(format!("k{i}"), i).await.unwrap();
        }
        db1.set("other", 1).await.unwrap();
        assert_eq!(db0.dbsize().await.unwrap(), 3);
        db0.swapdb(0, 1).await.unwrap();
        assert_eq!(db0.dbsize().await.unwrap(), 1);
        assert_eq!(db1.dbsize().await.unwrap(), 3);
        db1.flushdb().await.unwrap();
        assert_eq!(db1.dbsize().await.unwrap(), 0);
        assert_eq!(db0.dbsize().await.unwrap(), 1);
        db1.set("again", 1).await.unwrap();
        db0.flushdb_with(FlushMode::Sync).await.unwrap();
        assert_eq!(db0.dbsize().await.unwrap(), 0);
        assert_eq!(db1.dbsize().await.unwrap(), 1);
        db0.set("k", 1).await.unwrap();
        db0.flushall_with(FlushMode::Async).await.unwrap();
        assert_eq!(db0.dbsize().await.unwrap() + db1.dbsize().await.unwrap(), 0);
        db1.set("k", 1).await.unwrap();
        db0.flushall().await.unwrap();
        assert_eq!(db1.dbsize().await.unwrap(), 0);
        assert!(
            db0.info_sections("keyspace")
                .await
                .unwrap()
                .keyspace()
                .is_empty()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_set_changes_parameters_and_resetstat_zeroes_the_stats() {
    let server = TempServer::start(Version::Redis8);
    for (protocol, hz) in [(2, "17"), (3, "19")] {
        let client = temp_client(&server, protocol, 0).await;
        client
            .config_set([("hz", hz), ("maxmemory-samples", "7")])
            .await
            .unwrap();
        let got = client
            .config_get(["hz", "maxmemory-samples"])
            .await
            .unwrap();
        assert_eq!(got["hz"], hz);
        assert_eq!(got["maxmemory-samples"], "7");
        client.config_set(("slowlog-max-len", 64)).await.unwrap();
        assert_eq!(
            client.config_get("slowlog-max-len").await.unwrap()["slowlog-max-len"],
            "64"
        );
        let err = client.config_set(("hz", "not-a-number")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        let _: Option<String> = client.get("missing").await.unwrap();
        let misses = |client: Client| async move {
            let info = client.info_sections("stats").await.unwrap();
            info.get::<u64>("stats", "keyspace_misses").unwrap()
        };
        assert!(misses(client.clone()).await >= 1);
        client.config_resetstat().await.unwrap();
        assert_eq!(misses(client.clone()).await, 0);

        // A server started without a config file has nothing to rewrite.
        let err = client.config_rewrite().await.unwrap_err();
        assert!(err.to_string().contains("config file"), "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slowlog_records_commands_with_their_arguments_and_client() {
    let server = TempServer::start(Version::Redis8);
    for protocol in [2, 3] {
        let named = format!("{}/0?protocol={protocol}", server.url());
        let config = redis_core::Config::from_url(&named)
            .unwrap()
            .with_client_name("slow-one");
        let client = Client::connect(config).await.unwrap();
        client
            .config_set(("slowlog-log-slower-than", 0))
            .await
            .unwrap();
        client.slowlog_reset().await.unwrap();
        client.set("slow-key", "slow-value").await.unwrap();

        let entries = client.slowlog_get(10).await.unwrap();
        let set = entries
            .iter()
            .find(|e| e.args.first().is_some_and(|a| a == "SET" || a == "set"))
            .unwrap();
        assert_eq!(set.args.len(), 3);
        assert_eq!(&set.args[1][..], b"slow-key");
        assert_eq!(&set.args[2][..], b"slow-value");
        assert_eq!(set.client_name.as_deref(), Some("slow-one"));
        assert!(set.client_addr.starts_with("127.0.0.1:"));
        assert!(near_now(set.time));
        assert!(set.duration < Duration::from_secs(1));
        let ids: Vec<u64> = entries.iter().map(|e| e.id).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

        assert!(client.slowlog_len().await.unwrap() >= 2);
        assert_eq!(client.slowlog_get(1).await.unwrap().len(), 1);
        let all = client.slowlog_get_all().await.unwrap();
        assert!(all.len() >= entries.len().min(10));
        client.slowlog_reset().await.unwrap();
        assert!(client.slowlog_len().await.unwrap() <= 1);
        client
            .config_set(("slowlog-log-slower-than", 10_000))
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_monitor_reports_spikes_and_histograms() {
    // 20 ms: well below the 50 ms sleep, well above what a loaded machine
    // adds to an ordinary command.
    let server = TempServer::start_with(Version::Redis8, &["--latency-monitor-threshold", "20"]);
    for protocol in [2, 3] {
        let client = temp_client(&server, protocol, 0).await;
        client.latency_reset_all().await.unwrap();
        let () = Cmd::new("DEBUG")
            .arg("SLEEP")
            .arg("0.05")
            .query(&client)
            .await
            .unwrap();
        let latest = client.latency_latest().await.unwrap();
        let command = latest.iter().find(|e| e.event == "command").unwrap();
        assert!(command.latest >= Duration::from_millis(50), "{command:?}");
        assert!(command.max >= command.latest);
        assert!(near_now(command.time));
        let history = client.latency_history("command").await.unwrap();
        assert!(
            history
                .iter()
                .any(|sample| sample.latency == command.latest),
            "{history:?}"
        );
        assert!(
            client
                .latency_graph("command")
                .await
                .unwrap()
                .contains("command")
        );
        assert!(!client.latency_doctor().await.unwrap().is_empty());
        assert_eq!(client.latency_reset(["command"]).await.unwrap(), 1);
        let latest = client.latency_latest().await.unwrap();
        assert!(latest.iter().all(|e| e.event != "command"), "{latest:?}");
        let err = client.latency_graph("command").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);

        client.config_resetstat().await.unwrap();
        for i in 0..5 {
            client.set("h", i).await.unwrap();
        }
        let histograms = client.latency_histogram(["set", "get"]).await.unwrap();
        let set = &histograms["set"];
        assert_eq!(set.calls, 5);
        assert_eq!(set.buckets.last().map(|b| b.1), Some(5));
        assert!(
            set.buckets
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1)
        );
        assert!(
            !histograms.contains_key("get"),
            "GET never ran since the reset"
        );
        let every: Vec<String> = Vec::new();
        let all = client.latency_histogram(every).await.unwrap();
        assert!(all.contains_key("set") && all.contains_key("config|resetstat"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_report_their_status_and_lastsave_moves() {
    let server = TempServer::start(Version::Redis8);
    for protocol in [2, 3] {
        let client = temp_client(&server, protocol, 0).await;
        wait_for_no_child(&client).await;
        client.set("k", "v").await.unwrap();
        let before = client.time().await.unwrap();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        client.save().await.unwrap();
        let lastsave = client.lastsave().await.unwrap();
        assert!(
            lastsave > before - Duration::from_secs(1),
            "{lastsave:?} {before:?}"
        );
        assert_eq!(client.bgsave().await.unwrap(), "Background saving started");
        wait_for_no_child(&client).await;
        assert_eq!(
            client.bgrewriteaof().await.unwrap(),
            "Background append only file rewriting started"
        );
        let scheduled = client.bgsave_schedule().await.unwrap();
        assert!(scheduled.starts_with("Background saving "), "{scheduled}");
        wait_for_no_child(&client).await;
        client.memory_purge().await.unwrap();
    }
}

/// Waits until no save or AOF rewrite runs (a second one is refused).
async fn wait_for_no_child(client: &Client) {
    for _ in 0..200 {
        let info = client.info_sections("persistence").await.unwrap();
        let busy = [
            "rdb_bgsave_in_progress",
            "aof_rewrite_in_progress",
            "aof_rewrite_scheduled",
        ]
        .iter()
        .any(|field| info.get::<u8>("persistence", field) != Some(0));
        if !busy {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the background save did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acl_users_are_created_checked_logged_and_deleted() {
    let server = TempServer::start(Version::Redis8);
    for protocol in [2, 3] {
        let client = temp_client(&server, protocol, 0).await;
        client
            .acl_setuser(
                "alice",
                [
                    "reset",
                    "on",
                    ">secret",
                    "~app:*",
                    "+get",
                    "+set",
                    "+acl|whoami",
                ],
            )
            .await
            .unwrap();
        let alice = client.acl_getuser("alice").await.unwrap().unwrap();
        assert!(alice.is_enabled());
        assert_eq!(alice.passwords.len(), 1);
        assert_eq!(alice.keys, "~app:*");
        assert!(alice.commands.contains("+get"), "{}", alice.commands);
        let rules = vec![
            "on".to_owned(),
            "nopass".to_owned(),
            "(+get ~b:*)".to_owned(),
        ];
        client.acl_setuser("bob", rules).await.unwrap();
        let bob = client.acl_getuser("bob").await.unwrap().unwrap();
        assert_eq!(bob.selectors.len(), 1);
        assert_eq!(bob.selectors[0].keys, "~b:*");
        let users: HashSet<String> = client.acl_users().await.unwrap().into_iter().collect();
        assert!(users.contains("alice") && users.contains("bob"));

        let get = Cmd::new("GET").arg("app:1");
        assert!(client.acl_dryrun("alice", &get).await.unwrap().is_allowed());
        let del = Cmd::new("DEL").arg("app:1");
        match client.acl_dryrun("alice", &del).await.unwrap() {
            AclDryRun::Denied(why) => assert!(why.contains("del"), "{why}"),
            AclDryRun::Allowed => panic!("alice may not DEL"),
        }

        client.acl_log_reset().await.unwrap();
        let conn = client.dedicated().await.unwrap();
        let err = conn.auth_user("alice", "wrong").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        conn.auth_user("alice", "secret").await.unwrap();
        assert_eq!(conn.acl_whoami().await.unwrap(), "alice");
        let denied = conn.del("app:1").await.unwrap_err();
        assert_eq!(denied.code(), Some("NOPERM"));
        drop(conn);

        let log = client.acl_log(10).await.unwrap();
        let auth = log.iter().find(|e| e.reason == AclLogReason::Auth).unwrap();
        assert_eq!(auth.username, "alice");
        assert!(auth.object.eq_ignore_ascii_case("auth"), "{}", auth.object);
        assert!(auth.client_info.id > 0);
        assert!(auth.age < Duration::from_secs(60));
        assert!(auth.created.is_some_and(near_now));
        let command = log
            .iter()
            .find(|e| e.reason == AclLogReason::Command)
            .unwrap();
        assert!(
            command.object.eq_ignore_ascii_case("del"),
            "{}",
            command.object
        );
        assert_eq!(command.context, "toplevel");
        assert_eq!(client.acl_log(1).await.unwrap().len(), 1);
        client.acl_log_reset().await.unwrap();
        assert!(client.acl_log(10).await.unwrap().is_empty());

        assert_eq!(
            client
                .acl_deluser(["alice", "bob", "nobody"])
                .await
                .unwrap(),
            2
        );
        assert_eq!(client.acl_getuser("alice").await.unwrap(), None);
    }
}
