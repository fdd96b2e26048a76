//! A failing command inside a pipeline or transaction, on real servers:
//! fail-fast by default, one result per command when the reply type asks
//! for it (`Result<T>` slots), and errors that name the command and the
//! node. One server's: on a cluster a batch's replies come from several
//! nodes, and which one refused a command is not carried with its reply yet.

#![allow(clippy::unwrap_used)]

use redis_core::prelude::*;
use redis_tests::{Ctx, each_server_setup};

each_server_setup!(
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
        assert!(err.node().is_some(), "{err:?} names no node");
        // Not atomic: the commands around the failing one ran.
        assert_eq!(client.get::<i64>(&counter).await.unwrap(), 2);
    }
);

each_server_setup!(
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
        assert!(err.node().is_some(), "{err:?} names no node");

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

each_server_setup!(
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
        assert!(err.node().is_some(), "{err:?} names no node");
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
        assert!(err.node().is_some(), "{err:?} names no node");
        assert_eq!(client.get::<i64>(&a).await.unwrap(), 2);
    }
);

each_server_setup!(
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
        assert!(err.node().is_some(), "{err:?} names no node");
        assert_eq!(client.exists(ctx.key("a")).await.unwrap(), 0);
    }
);
