//! scripting commands against the real servers.
//!
//! Libraries and functions are server-wide, so the tests on the shared
//! servers give theirs random names and delete them; what empties the script
//! cache or the function libraries, or stops a running script, runs on a
//! server of its own.

use std::time::Duration;

use redis_core::commands::*;
use redis_core::{Client, Config, ErrorKind, Pipeline, Protocol, Value};
use redis_tests::{Ctx, TempServer, each_setup, each_version};

const NO_KEYS: &[&str] = &[];

/// A library name no other test uses (names are `[A-Za-z0-9_]` only).
fn unique(prefix: &str) -> String {
    format!("{prefix}_{:016x}", fastrand::u64(..))
}

/// A library of two functions: `<lib>_key` returns its first key (it may
/// write), `<lib>_echo` its first argument (flagged read-only).
fn library(name: &str) -> String {
    format!(
        "#!lua name={name}\n\
         redis.register_function('{name}_key', function(keys, args) return keys[1] end)\n\
         redis.register_function{{function_name='{name}_echo', \
         callback=function(keys, args) return args[1] end, \
         flags={{'no-writes', 'allow-stale'}}, description='echoes'}}"
    )
}

async fn connect(server: &TempServer, protocol: Protocol) -> Client {
    let config = Config::from_url(&server.url())
        .unwrap()
        .with_protocol(protocol);
    Client::connect(config).await.unwrap()
}

each_setup!(eval_passes_keys_and_arguments, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("counter");
    let (k, a, b): (String, String, i64) = client
        .eval(
            "return {KEYS[1], ARGV[1], tonumber(ARGV[2])}",
            [&key],
            ("x", 5),
        )
        .await
        .unwrap();
    assert_eq!((k.as_str(), a.as_str(), b), (key.as_str(), "x", 5));

    let total: i64 = client
        .eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", &key, 7)
        .await
        .unwrap();
    assert_eq!(total, 7);
    let nested: (i64, String, Vec<i64>) = client
        .eval("return {1, 'a', {2, 3}}", NO_KEYS, NO_KEYS)
        .await
        .unwrap();
    assert_eq!(nested, (1, "a".to_owned(), vec![2, 3]));
    let err = client
        .eval::<Value>("return redis.error_reply('MY failure')", NO_KEYS, NO_KEYS)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("MY"));
});

each_setup!(
    script_load_caches_scripts_that_evalsha_runs,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        // A comment with the key keeps the script (and its SHA1) this test's own.
        let source = format!("-- {key}\nreturn redis.call('SET', KEYS[1], ARGV[1])");
        let sha1 = client.script_load(&source).await.unwrap();
        assert_eq!(sha1, redis_core::Script::new(&source).sha1());
        let unknown = "ffffffffffffffffffffffffffffffffffffffff";
        assert_eq!(
            client
                .script_exists([sha1.as_str(), unknown])
                .await
                .unwrap(),
            [true, false]
        );
        let _: Value = client.evalsha(&sha1, &key, "v").await.unwrap();
        let stored: String = client.get(&key).await.unwrap();
        assert_eq!(stored, "v");
        let err = client
            .evalsha::<Value>(unknown, NO_KEYS, NO_KEYS)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("NOSCRIPT"));
    }
);

each_setup!(read_only_scripts_may_not_write, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let key = ctx.key("k");
    client.set(&key, "stored").await.unwrap();
    let read: String = client
        .eval_ro("return redis.call('GET', KEYS[1])", &key, NO_KEYS)
        .await
        .unwrap();
    assert_eq!(read, "stored");
    let err = client
        .eval_ro::<Value>("return redis.call('SET', KEYS[1], 'x')", &key, NO_KEYS)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);

    let source = format!("-- {key}\nreturn redis.call('GET', KEYS[1])");
    let sha1 = client.script_load(&source).await.unwrap();
    let read: String = client.evalsha_ro(&sha1, &key, NO_KEYS).await.unwrap();
    assert_eq!(read, "stored");
});

each_setup!(functions_load_list_call_and_delete, |ctx: Ctx| async move {
    let client = ctx.client().await;
    let name = unique("lib");
    assert_eq!(client.function_load(library(&name)).await.unwrap(), name);
    let err = client.function_load(library(&name)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "already loaded");
    assert_eq!(
        client.function_load_replace(library(&name)).await.unwrap(),
        name
    );

    let key = ctx.key("k");
    let got: String = client
        .fcall(format!("{name}_key"), &key, NO_KEYS)
        .await
        .unwrap();
    assert_eq!(got, key);
    let echoed: String = client
        .fcall_ro(format!("{name}_echo"), NO_KEYS, "hi")
        .await
        .unwrap();
    assert_eq!(echoed, "hi");
    let err = client
        .fcall_ro::<Value>(format!("{name}_key"), &key, NO_KEYS)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "may write: not for FCALL_RO");

    let listed = client
        .function_list_with(FunctionListOptions::new().library(&name))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let lib = &listed[0];
    assert_eq!(
        (lib.name.as_str(), lib.engine.as_str()),
        (name.as_str(), "LUA")
    );
    assert_eq!(lib.code, None);
    let mut functions = lib.functions.clone();
    functions.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(functions[0].name, format!("{name}_echo"));
    assert_eq!(functions[0].description.as_deref(), Some("echoes"));
    assert_eq!(
        functions[0].flags,
        [FunctionFlag::NoWrites, FunctionFlag::AllowStale]
    );
    assert_eq!(functions[1].name, format!("{name}_key"));
    assert_eq!(functions[1].description, None);
    assert!(functions[1].flags.is_empty());

    let with_code = client
        .function_list_with(FunctionListOptions::new().library(&name).with_code())
        .await
        .unwrap();
    assert_eq!(with_code[0].code.as_deref(), Some(library(&name).as_str()));
    let everything = client.function_list().await.unwrap();
    assert!(everything.iter().any(|l| l.name == name));

    let stats = client.function_stats().await.unwrap();
    let lua = stats.engines.iter().find(|e| e.engine == "LUA").unwrap();
    assert!(lua.libraries >= 1 && lua.functions >= 2, "{stats:?}");

    client.function_delete(&name).await.unwrap();
    let err = client.function_delete(&name).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "no such library");
    let gone = client
        .function_list_with(FunctionListOptions::new().library(&name))
        .await
        .unwrap();
    assert!(gone.is_empty());
});

each_setup!(
    scripting_commands_chain_in_a_pipeline,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let key = ctx.key("k");
        let source = format!("-- {key}\nreturn ARGV[1] .. KEYS[1]");
        let sha1 = redis_core::Script::new(&source).sha1().to_owned();
        let (loaded, exists, by_sha, by_source): (String, Vec<bool>, String, i64) = Pipeline::new()
            .script_load(&source)
            .script_exists(&sha1)
            .evalsha(&sha1, &key, "key=")
            .eval("return #KEYS", [&key, &key], NO_KEYS)
            .query(&client)
            .await
            .unwrap();
        assert_eq!(loaded, sha1);
        assert_eq!(exists, [true]);
        assert_eq!(by_sha, format!("key={key}"));
        assert_eq!(by_source, 2);
    }
);

each_version!(
    script_flush_empties_the_script_cache,
    |version| async move {
        let server = TempServer::start(version);
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let client = connect(&server, protocol).await;
            for mode in [ScriptFlushMode::Sync, ScriptFlushMode::Async] {
                let sha1 = client.script_load("return 1").await.unwrap();
                assert_eq!(client.script_exists(&sha1).await.unwrap(), [true]);
                client.script_flush(mode).await.unwrap();
                assert_eq!(client.script_exists(&sha1).await.unwrap(), [false]);
            }
        }
    }
);

each_version!(
    function_dump_and_restore_follow_the_policy,
    |version| async move {
        let server = TempServer::start(version);
        for protocol in [Protocol::Resp3, Protocol::Resp2] {
            let client = connect(&server, protocol).await;
            client.function_flush(ScriptFlushMode::Sync).await.unwrap();
            client.function_load(library("one")).await.unwrap();
            let payload = client.function_dump().await.unwrap();
            assert!(!payload.is_empty());

            client.function_flush(ScriptFlushMode::Async).await.unwrap();
            assert!(client.function_list().await.unwrap().is_empty());
            client
                .function_restore(&payload[..], FunctionRestorePolicy::Append)
                .await
                .unwrap();
            let names =
                |libs: Vec<LibraryInfo>| libs.into_iter().map(|l| l.name).collect::<Vec<_>>();
            assert_eq!(names(client.function_list().await.unwrap()), ["one"]);

            let err = client
                .function_restore(&payload[..], FunctionRestorePolicy::Append)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Server, "`one` exists");
            client
                .function_restore(&payload[..], FunctionRestorePolicy::Replace)
                .await
                .unwrap();
            client.function_load(library("two")).await.unwrap();
            assert_eq!(client.function_list().await.unwrap().len(), 2);
            client
                .function_restore(&payload[..], FunctionRestorePolicy::Flush)
                .await
                .unwrap();
            assert_eq!(names(client.function_list().await.unwrap()), ["one"]);
            let err = client
                .function_restore(&b"garbage"[..], FunctionRestorePolicy::Append)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Server);
        }
    }
);

/// Runs `call` (a script that never ends) on a client of its own, and
/// `kill` from another once the server reports the script busy; returns
/// what the script's caller got.
async fn kill_busy(
    server: &TempServer,
    call: redis_core::Cmd,
    kill: impl AsyncFn(&Client) -> redis_core::Result<()>,
) -> redis_core::Error {
    let runner = connect(server, Protocol::Resp3).await;
    let killer = connect(server, Protocol::Resp2).await;
    let running = tokio::spawn(async move { call.query::<Value>(&runner).await });
    let mut attempts = 0;
    loop {
        match kill(&killer).await {
            Ok(()) => break,
            // Not started yet, or not past the busy threshold.
            Err(e) if e.code() == Some("NOTBUSY") && attempts < 100 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("kill failed: {e}"),
        }
    }
    running.await.unwrap().unwrap_err()
}

each_version!(
    script_kill_and_function_kill_stop_busy_scripts,
    |version| async move {
        let server = TempServer::start_with(version, &["--busy-reply-threshold", "100"]);
        let spin = "local i = 0 while true do i = i + 1 end";
        let err = kill_busy(
            &server,
            redis_core::Cmd::new("EVAL").arg(spin).arg(0),
            async |client: &Client| client.script_kill().await,
        )
        .await;
        assert!(err.to_string().contains("killed"), "{err}");

        let client = connect(&server, Protocol::Resp3).await;
        let err = client.script_kill().await.unwrap_err();
        assert_eq!(err.code(), Some("NOTBUSY"));
        let err = client.function_kill().await.unwrap_err();
        assert_eq!(err.code(), Some("NOTBUSY"));
        let stats = client.function_stats().await.unwrap();
        assert_eq!(stats.running, None);

        let code = format!(
            "#!lua name=busy\nredis.register_function{{function_name='spin', \
             callback=function(keys, args) {spin} end, flags={{'no-writes'}}}}"
        );
        client.function_load(code).await.unwrap();
        let err = kill_busy(
            &server,
            redis_core::Cmd::new("FCALL")
                .arg("spin")
                .arg(0)
                .arg("extra"),
            async |client: &Client| {
                let stats = client.function_stats().await?;
                let Some(running) = stats.running else {
                    return client.function_kill().await;
                };
                assert_eq!(running.name, "spin");
                assert_eq!(running.command, [&b"FCALL"[..], b"spin", b"0", b"extra"]);
                client.function_kill().await
            },
        )
        .await;
        assert!(err.to_string().contains("killed"), "{err}");
    }
);
