//! Scripts with typed keys, arguments and reply: a [`TypedScript`] says in
//! its type what it takes and what it returns, so a call with the wrong
//! keys or a reply read as the wrong type does not compile.

use std::marker::PhantomData;

use crate::pipeline::ReplyTuple;
use crate::script::{Script, ScriptInvocation};
use crate::{Executor, FromValue, Pipeline, Result, ToArgs};

/// A Lua script whose keys are a `K`, whose arguments are an `A` (tuples
/// of anything that is an argument: `(&str,)`, `(String, i64)`, `()`),
/// and whose reply is an `R`. It runs as a [`Script`] does (`EVALSHA`,
/// loaded on `NOSCRIPT`), alone through any executor, in a [`Pipeline`]
/// with [`Pipeline::call`], and on a cluster, whose client refuses, before
/// sending, a call whose keys are in more than one hash slot
/// ([`ErrorKind::CrossSlot`](crate::ErrorKind::CrossSlot)): give keys that
/// must go together a common `{hash tag}`.
///
/// ```no_run
/// use redis_core::TypedScript;
///
/// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
/// // Moves `amount` from one account to another if it is covered. (Lua's
/// // `false` reaches a client as nil; 1 and 0 read as a `bool`.)
/// let transfer: TypedScript<(&str, &str), (i64,), bool> = TypedScript::new(
///     "local have = tonumber(redis.call('GET', KEYS[1]) or '0')
///      if have < tonumber(ARGV[1]) then return 0 end
///      redis.call('DECRBY', KEYS[1], ARGV[1])
///      redis.call('INCRBY', KEYS[2], ARGV[1])
///      return 1",
/// );
/// let moved: bool = transfer
///     .call(("{acct}:alice", "{acct}:bob"), (25,))
///     .invoke(client)
///     .await?;
/// # let _ = moved; Ok(()) }
/// ```
pub struct TypedScript<K, A, R> {
    script: Script,
    types: PhantomData<fn(K, A) -> R>,
}

impl<K, A, R> Clone for TypedScript<K, A, R> {
    fn clone(&self) -> Self {
        TypedScript {
            script: self.script.clone(),
            types: PhantomData,
        }
    }
}

impl<K, A, R> std::fmt::Debug for TypedScript<K, A, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedScript")
            .field("sha1", &self.script.sha1())
            .finish()
    }
}

impl<K: ScriptValues, A: ScriptValues, R: FromValue> TypedScript<K, A, R> {
    /// Wraps the Lua source (its SHA1 is computed once).
    pub fn new(code: &str) -> Self {
        TypedScript {
            script: Script::new(code),
            types: PhantomData,
        }
    }

    /// The untyped script.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// A call with these keys (`KEYS`) and arguments (`ARGV`), in order.
    pub fn call(&self, keys: K, args: A) -> ScriptCall<R> {
        let invocation = args.add_to(keys.add_to(self.script.invocation(), true), false);
        ScriptCall {
            invocation,
            reply: PhantomData,
        }
    }
}

/// One call of a [`TypedScript`], ready to run.
#[derive(Debug, Clone)]
#[must_use = "a script call does nothing until it is invoked or added to a pipeline"]
pub struct ScriptCall<R> {
    invocation: ScriptInvocation,
    reply: PhantomData<fn() -> R>,
}

impl<R: FromValue> ScriptCall<R> {
    /// Runs it; the reply as an `R`.
    pub async fn invoke(&self, executor: &(impl Executor + ?Sized)) -> Result<R> {
        self.invocation.invoke(executor).await
    }

    /// The untyped invocation.
    pub fn invocation(&self) -> &ScriptInvocation {
        &self.invocation
    }
}

impl<P: ReplyTuple> Pipeline<P> {
    /// Appends a typed script call; its reply is an `R` in the pipeline's
    /// tuple.
    ///
    /// ```no_run
    /// # use redis_core::{Pipeline, TypedScript};
    /// # async fn run(client: &redis_core::Client) -> redis_core::Result<()> {
    /// let bump: TypedScript<(&str,), (), i64> =
    ///     TypedScript::new("return redis.call('INCR', KEYS[1])");
    /// let (a, b): (i64, i64) = Pipeline::new()
    ///     .call(&bump.call(("a",), ()))
    ///     .call(&bump.call(("b",), ()))
    ///     .query(client)
    ///     .await?;
    /// # let _ = (a, b); Ok(()) }
    /// ```
    pub fn call<R: FromValue>(self, call: &ScriptCall<R>) -> Pipeline<P::With<R>> {
        self.invoke::<R>(&call.invocation)
    }
}

/// Keys or arguments of a [`TypedScript`]: a tuple (up to eight) of
/// values that are arguments, each one key or one argument.
pub trait ScriptValues {
    /// Adds the values to `invocation`, as keys or as arguments.
    #[doc(hidden)]
    fn add_to(&self, invocation: ScriptInvocation, as_keys: bool) -> ScriptInvocation;
}

macro_rules! script_values {
    ($($t:ident $i:tt)*) => {
        impl<$($t: ToArgs),*> ScriptValues for ($($t,)*) {
            #[allow(unused_mut, unused_variables)]
            fn add_to(&self, mut invocation: ScriptInvocation, as_keys: bool) -> ScriptInvocation {
                $(
                    invocation = if as_keys {
                        invocation.key(&self.$i)
                    } else {
                        invocation.arg(&self.$i)
                    };
                )*
                invocation
            }
        }
    };
}

script_values!();
script_values!(A 0);
script_values!(A 0 B 1);
script_values!(A 0 B 1 C 2);
script_values!(A 0 B 1 C 2 D 3);
script_values!(A 0 B 1 C 2 D 3 E 4);
script_values!(A 0 B 1 C 2 D 3 E 4 F 5);
script_values!(A 0 B 1 C 2 D 3 E 4 F 5 G 6);
script_values!(A 0 B 1 C 2 D 3 E 4 F 5 G 6 H 7);
