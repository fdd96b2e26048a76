//! A failing command inside a pipeline or transaction, on real servers:
//! fail-fast by default, one result per command when the reply type asks
//! for it (`Result<T>` slots), and errors that name the command and the
//! node (on a cluster, the node that sent the error reply). And what a batch
//! is decides how it goes, on one server and on the cluster alike: a
//! transaction whole, scripts loaded first, MULTI, EXEC and DISCARD written
//! by hand refused.

#![allow(clippy::unwrap_used)]

use redis_core::prelude::*;
use redis_core::{Executor, TypedScript, Value};
use redis_tests::{Ctx, each_server_setup, each_setup};

/// The same checks on any executor; `key` names a key of the test, all of
/// them in one hash slot.
async fn batches_go_as_what_they_are(redis: &impl Executor, key: impl Fn(&str) -> String) {
    let (a, b, c) = (key("a"), key("b"), key("c"));
    // Atomic: a command refused while queueing applies nothing, not even
    // the SET before it.
    let err = Transaction::new()
        .set(&a, 1)
        .command::<Value>(Cmd::new("SET").arg(&b))
        .query(redis)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("EXECABORT"), "{err}");
    assert_eq!(redis.exists(&a).await.unwrap(), 0);

    // Scripts the server has never seen (their code names this run's
    // keys): loaded before MULTI, then run inside the transaction.
    let code = |op: &str| format!("-- {a}\nreturn redis.call('{op}', KEYS[1], ARGV[1])");
    let incrby: TypedScript<(&str,), (i64,), i64> = TypedScript::new(&code("INCRBY"));
    let append: TypedScript<(&str,), (&str,), i64> = TypedScript::new(&code("APPEND"));
    let (x, y, n, z): (i64, i64, i64, i64) = Transaction::new()
        .invoke(incrby.call((&a,), (2,)).invocation())
        .invoke(incrby.call((&b,), (3,)).invocation())
        .incr(&a)
        .invoke(append.call((&c,), ("hi",)).invocation())
        .query(redis)
        .await
        .unwrap();
    assert_eq!((x, y, n, z), (2, 3, 3, 2));
    // In a pipeline, typed; once more with new code.
    let decr: TypedScript<(&str,), (i64,), i64> = TypedScript::new(&code("DECRBY"));
    let (after, text): (i64, String) = Pipeline::new()
        .call(&decr.call((&a,), (1,)))
        .get(&c)
        .query(redis)
        .await
        .unwrap();
    assert_eq!((after, text.as_str()), (2, "hi"));

    // MULTI, EXEC, DISCARD by hand: refused before sending, whole.
    let err = Pipeline::new()
        .set(&a, 10)
        .command::<Value>(Cmd::new("MULTI"))
        .set(&b, 10)
        .command::<Value>(Cmd::new("EXEC"))
        .query(redis)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    assert_eq!(err.command(), Some("MULTI"), "{err}");
    assert!(err.to_string().contains("use Transaction"), "{err}");
    let err = Transaction::new()
        .set(&a, 10)
        .command::<Value>(Cmd::new("DISCARD"))
        .query(redis)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Config, "{err}");
    let values: Vec<Option<i64>> = redis.mget([&a, &b]).await.unwrap();
    assert_eq!(values, [Some(2), Some(3)], "nothing was sent");

    // Not atomic, and on one slot (or one server) simply MSET.
    redis.mset_nonatomic([(&a, "x"), (&b, "y")]).await.unwrap();
    let values: Vec<Option<String>> = redis.mget([&a, &b]).await.unwrap();
    assert_eq!(values, [Some("x".into()), Some("y".into())]);
    assert_eq!(redis.del([&a, &b, &c]).await.unwrap(), 3);
}

each_setup!(batches_go_as_what_they_are, |ctx: Ctx| async move {
    let client = ctx.client().await;
    batches_go_as_what_they_are(&client, |name| ctx.key(name)).await;
});

each_server_setup!(
    batches_go_as_what_they_are_on_a_dedicated_connection,
    |ctx: Ctx| async move {
        let client = ctx.server_client().await;
        let conn = client.dedicated().await.unwrap();
        batches_go_as_what_they_are(&conn, |name| ctx.key(&format!("d:{name}"))).await;
        // A MULTI of one's own goes there command by command.
        let key = ctx.key("own");
        let ok: String = Cmd::new("MULTI").query(&conn).await.unwrap();
        let queued: String = Cmd::new("INCR").arg(&key).query(&conn).await.unwrap();
        let ran: Vec<i64> = Cmd::new("EXEC").query(&conn).await.unwrap();
        assert_eq!(
            (ok.as_str(), queued.as_str(), ran),
            ("OK", "QUEUED", vec![1])
        );
    }
);

each_setup!(
    a_wrongtype_in_a_pipeline_fails_the_call_and_names_the_node,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (list, counter) = (ctx.key("list"), ctx.key("n"));
        client.rpush(&list, "x").await.unwrap();

        let err = Pipeline::new()
            .incr(&counter)
            .get::<String>(&list)
            .incr(&counter)
            .query(&client)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert_eq!(err.command(), Some("GET"));
        assert!(
            ctx.is_node(err.node()),
            "{err:?} names no node of the setup"
        );
        // Not atomic: the commands around the failing one ran.
        assert_eq!(client.get::<i64>(&counter).await.unwrap(), 2);
    }
);

each_setup!(
    result_slots_give_one_result_per_command,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (list, counter) = (ctx.key("list"), ctx.key("n"));
        client.rpush(&list, "x").await.unwrap();

        let (first, middle, last): (i64, Result<Option<String>>, i64) = Pipeline::new()
            .incr(&counter)
            .get(&list)
            .incr(&counter)
            .query(&client)
            .await
            .unwrap();
        assert_eq!((first, last), (1, 2));
        let err = middle.unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert_eq!(err.command(), Some("GET"));
        assert!(
            ctx.is_node(err.node()),
            "{err:?} names no node of the setup"
        );

        // Every slot a Result: a batch built in a loop.
        let mut pipe: Pipeline<Vec<Result<Option<String>>>> = Pipeline::default();
        pipe.push(redis_core::commands::get(&counter));
        pipe.push(redis_core::commands::get(&list));
        let results = pipe.query(&client).await.unwrap();
        assert_eq!(results[0].as_ref().unwrap().as_deref(), Some("2"));
        assert_eq!(results[1].as_ref().unwrap_err().code(), Some("WRONGTYPE"));

        // Every command's result, whatever its reply type.
        let (first, middle) = Pipeline::new()
            .incr(&counter)
            .incr(&list)
            .query_each(&client)
            .await
            .unwrap();
        assert_eq!(first.unwrap(), 3);
        assert_eq!(middle.unwrap_err().code(), Some("WRONGTYPE"));

        // A slot that is not a Result still fails the call.
        let err = Pipeline::new()
            .get::<Result<String>>(&list)
            .get::<String>(&list)
            .query(&client)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"));
    }
);

each_setup!(
    a_command_failing_at_exec_leaves_the_others_applied,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let (list, a, b) = (ctx.key("list"), ctx.key("a"), ctx.key("b"));
        client.rpush(&list, "x").await.unwrap();

        // Fail-fast: the call fails, naming the command and the node...
        let err = Transaction::new()
            .set(&a, 1)
            .incr(&list)
            .set(&b, 2)
            .query(&client)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert_eq!(err.command(), Some("INCR"));
        assert!(
            ctx.is_node(err.node()),
            "{err:?} names no node of the setup"
        );
        // ... though EXEC ran the others: Redis has no rollback.
        assert_eq!(client.get::<i64>(&a).await.unwrap(), 1);
        assert_eq!(client.get::<i64>(&b).await.unwrap(), 2);

        // Per command: what was applied and what failed, in one reply.
        let (first, middle, last) = Transaction::new()
            .incr(&a)
            .incr(&list)
            .incr(&b)
            .query_each(&client)
            .await
            .unwrap();
        assert_eq!((first.unwrap(), last.unwrap()), (2, 3));
        let err = middle.unwrap_err();
        assert_eq!(err.code(), Some("WRONGTYPE"));
        assert_eq!(err.command(), Some("INCR"));
        assert!(
            ctx.is_node(err.node()),
            "{err:?} names no node of the setup"
        );
        assert_eq!(client.get::<i64>(&a).await.unwrap(), 2);
    }
);

each_setup!(
    a_transaction_refused_while_queueing_names_the_node,
    |ctx: Ctx| async move {
        let client = ctx.client().await;
        let err = Transaction::new()
            .set(ctx.key("a"), 1)
            .command::<()>(Cmd::new("GET"))
            .query(&client)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("EXECABORT"));
        assert!(
            ctx.is_node(err.node()),
            "{err:?} names no node of the setup"
        );
        assert_eq!(client.exists(ctx.key("a")).await.unwrap(), 0);
    }
);
