//! The Sentinel client against real sentinels: the shared group (three
//! sentinels watching a primary and a replica as `mymaster`, quorum 2) and,
//! for what must not disturb it, groups of the test's own.
//!
//! Which of the group's two servers is the master is read, never assumed:
//! the failover test swaps them. The tests that use the group hold
//! [`GROUP`] so none of them runs during a failover, and leave the group
//! settled (every sentinel names the master, which has its replica).

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use redis_core::commands::*;
use redis_core::{
    Addr, Client, Cmd, Config, ConnectionEvent, ErrorKind, Pipeline, Protocol, PubSub, PubSubEvent,
    Sentinel,
};
use redis_tests::{TempServer, Version, servers};

/// Held by every test that uses the shared group: one of them fails it over.
static GROUP: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn name() -> &'static str {
    servers().sentinel_master()
}

fn addr(text: &str) -> Addr {
    let (host, port) = text.rsplit_once(':').unwrap();
    Addr::Tcp {
        host: host.to_owned(),
        port: port.parse().unwrap(),
    }
}

fn group_sentinel() -> Sentinel {
    Sentinel::new(servers().sentinels())
        .unwrap()
        .with_sentinel_timeout(Duration::from_millis(500))
        .with_node_config(
            Config::new(addr("127.0.0.1:1"))
                .with_connect_timeout(Duration::from_secs(1))
                .with_response_timeout(Some(Duration::from_secs(2))),
        )
}

async fn direct(addr: &Addr) -> Client {
    Client::connect(format!("redis://{addr}")).await.unwrap()
}

/// The group's master once nothing is moving: every sentinel names it, up,
/// with the other sentinels and a replica linked to it; the master itself
/// says so and has the replica connected. Fails with the last state seen if
/// it does not settle within a minute (after a failover the old master is
/// turned into a replica about ten seconds later).
async fn settled_master() -> Addr {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let last = match settled_once().await {
            Ok(master) => return master,
            Err(state) => state,
        };
        assert!(
            Instant::now() < deadline,
            "the sentinel group did not settle: {last}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn settled_once() -> Result<Addr, String> {
    let mut named = Vec::new();
    for sentinel in servers().sentinels() {
        let client = Client::connect(format!("redis://{sentinel}"))
            .await
            .map_err(|e| e.to_string())?;
        let master = client
            .sentinel_master(name())
            .await
            .map_err(|e| e.to_string())?;
        let replicas = client
            .sentinel_replicas(name())
            .await
            .map_err(|e| e.to_string())?;
        let linked = replicas
            .iter()
            .any(|r| r.flags == ["slave"] && r.master_link_ok && r.port != master.port);
        if master.flags != ["master"] || master.num_other_sentinels != 2 || !linked {
            return Err(format!("{sentinel}: {master:?} {replicas:?}"));
        }
        named.push(Addr::Tcp {
            host: master.ip,
            port: master.port,
        });
    }
    if named.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("the sentinels name different masters: {named:?}"));
    }
    let master = named.pop().ok_or("no sentinels")?;
    match direct(&master).await.role().await {
        Ok(Role::Master { replicas, .. }) if !replicas.is_empty() => Ok(master),
        other => Err(format!("{master} says {other:?}")),
    }
}

/// The group's other server: the replica of `master`.
fn other_server(master: &Addr) -> Addr {
    let [a, b] = [
        addr(servers().sentinel_primary()),
        addr(servers().sentinel_replica()),
    ];
    if *master == a { b } else { a }
}

fn unique(prefix: &str) -> String {
    format!("sentinel-test:{prefix}:{:08x}", fastrand::u32(..))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_the_master_and_its_replica() {
    let _group = GROUP.lock().await;
    let master = settled_master().await;
    for protocol in [Protocol::Resp3, Protocol::Resp2] {
        discovers_over(protocol, &master).await;
    }
}

/// Discovery and both clients, with the sentinels and the data nodes
/// spoken to in `protocol`.
async fn discovers_over(protocol: Protocol, master: &Addr) {
    let master = master.clone();
    let sentinel = group_sentinel()
        .with_sentinel_config(Config::new(addr("127.0.0.1:1")).with_protocol(protocol))
        .with_node_config(
            Config::new(addr("127.0.0.1:1"))
                .with_protocol(protocol)
                .with_response_timeout(Some(Duration::from_secs(2))),
        );
    assert_eq!(sentinel.discover_master(name()).await.unwrap(), master);
    assert_eq!(
        sentinel.discover_replicas(name()).await.unwrap(),
        vec![other_server(&master)]
    );

    // The master client writes to the master, and its errors name it, not
    // a sentinel.
    let client = sentinel.master_for(name()).await.unwrap();
    let key = unique("discover");
    client.set(&key, "v").await.unwrap();
    let error = client.lpush(&key, "x").await.unwrap_err();
    assert_eq!(error.code(), Some("WRONGTYPE"));
    assert_eq!(error.node(), Some(master.to_string().as_str()), "{error}");
    assert!(format!("{client:?}").contains(&master.to_string()));

    // The replica client reads from the replica.
    let replica = sentinel.replica_for(name()).await.unwrap();
    assert!(matches!(
        replica.role().await.unwrap(),
        Role::Replica { .. }
    ));
    let port: HashMap<String, String> = replica.config_get("port").await.unwrap();
    assert_eq!(
        Addr::Tcp {
            host: "127.0.0.1".into(),
            port: port["port"].parse().unwrap()
        },
        other_server(&master)
    );
    client.del(&key).await.unwrap();

    // The URL form opens the same master client.
    let url = format!(
        "redis+sentinel://{}/{}/0?sentinel_timeout=0.5&protocol={}",
        servers().sentinels().join(","),
        name(),
        match protocol {
            Protocol::Resp2 => 2,
            _ => 3,
        }
    );
    let from_url = Sentinel::connect_url(&url).await.unwrap();
    assert!(matches!(
        from_url.role().await.unwrap(),
        Role::Master { .. }
    ));
    let replica_url = format!("{url}&client_type=replica");
    let from_url = Sentinel::connect_url(&replica_url).await.unwrap();
    assert!(matches!(
        from_url.role().await.unwrap(),
        Role::Replica { .. }
    ));
}

/// A port nothing listens on.
fn dead_addr() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentinel_that_is_down_or_silent_is_skipped() {
    let _group = GROUP.lock().await;
    let master = settled_master().await;
    // One refuses connections; one accepts them and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap().to_string();
    let mut addrs = vec![dead_addr(), silent_addr];
    addrs.extend(servers().sentinels().into_iter().map(str::to_owned));
    let timeout = Duration::from_millis(300);
    let sentinel = Sentinel::new(&addrs)
        .unwrap()
        .with_sentinel_timeout(timeout);
    let started = Instant::now();
    assert_eq!(sentinel.discover_master(name()).await.unwrap(), master);
    // A majority of the five (three) answered at once: the silent one was
    // not waited for.
    assert!(started.elapsed() < timeout, "took {:?}", started.elapsed());
    // The replicas are wanted from every voter, so the silent one costs
    // the timeout, once, not more.
    let started = Instant::now();
    assert_eq!(
        sentinel.discover_replicas(name()).await.unwrap(),
        vec![other_server(&master)]
    );
    assert!(
        started.elapsed() < timeout * 3,
        "took {:?}",
        started.elapsed()
    );
    let client = sentinel.master_for(name()).await.unwrap();
    assert!(matches!(client.role().await.unwrap(), Role::Master { .. }));

    // With only dead sentinels, the error says what each of them did.
    let dead = Sentinel::new([dead_addr(), dead_addr()]).unwrap();
    let error = dead.master_for(name()).await.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Io);
    assert!(error.to_string().contains("no sentinel named"), "{error}");
    drop(silent);
}

/// A sentinel process of a test's own: killed when dropped.
struct OwnSentinel {
    port: u16,
    dir: PathBuf,
    child: Child,
}

impl OwnSentinel {
    /// Monitors `master` as `name`, quorum 1; returns once it finds it up.
    async fn start(name: &str, master: &str) -> OwnSentinel {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("sentinel-own-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (host, master_port) = master.rsplit_once(':').unwrap();
        let conf = dir.join("sentinel.conf");
        std::fs::write(
            &conf,
            format!(
                "port {port}\nbind 127.0.0.1\ndir \"{}\"\n\
                 sentinel monitor {name} {host} {master_port} 1\n\
                 sentinel down-after-milliseconds {name} 60000\n",
                dir.display()
            ),
        )
        .unwrap();
        let child = Command::new(servers().redis8_bin())
            .arg(&conf)
            .arg("--sentinel")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let own = OwnSentinel { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(client) = Client::connect(own.url()).await {
                if let Ok(master) = client.sentinel_master(name).await {
                    if master.flags == ["master"] {
                        return own;
                    }
                }
            }
            assert!(Instant::now() < deadline, "own sentinel did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn url(&self) -> String {
        format!("redis://{}", self.addr())
    }
}

impl Drop for OwnSentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sentinel_naming_another_master_is_outvoted() {
    let _group = GROUP.lock().await;
    let master = settled_master().await;
    // A server of its own, monitored under the group's master name.
    let impostor = TempServer::start(Version::Redis8);
    let rogue = OwnSentinel::start(name(), &impostor.addr()).await;

    // Alone, the rogue sentinel is believed: the test can tell who won.
    let alone = Sentinel::new([rogue.addr()]).unwrap();
    assert_eq!(
        alone.discover_master(name()).await.unwrap(),
        addr(&impostor.addr())
    );

    // Asked first, with the group's three, it is outvoted.
    let mut addrs = vec![rogue.addr()];
    addrs.extend(servers().sentinels().into_iter().map(str::to_owned));
    let sentinel = Sentinel::new(&addrs).unwrap();
    assert_eq!(sentinel.discover_master(name()).await.unwrap(), master);
    let client = sentinel.master_for(name()).await.unwrap();
    let key = unique("outvoted");
    client.set(&key, "group").await.unwrap();
    let on_master: Option<String> = direct(&master).await.get(&key).await.unwrap();
    assert_eq!(on_master.as_deref(), Some("group"));
    let on_impostor: Option<String> = Client::connect(impostor.url())
        .await
        .unwrap()
        .get(&key)
        .await
        .unwrap();
    assert_eq!(on_impostor, None);
    client.del(&key).await.unwrap();
}

/// A group of the test's own: a master A, a server B, one sentinel watching
/// A as `name`. A is demoted behind the sentinel's and the client's back
/// (REPLICAOF), which keeps the client's connection open: its next write
/// meets READONLY. The sentinel is then pointed at B, as a failover would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readonly_reply_replaces_the_connection_and_the_write_is_retried() {
    let a = TempServer::start(Version::Redis8);
    let b = TempServer::start(Version::Redis8);
    let name = format!("ro-{:08x}", fastrand::u32(..));
    let own = OwnSentinel::start(&name, &a.addr()).await;
    // Without the periodic check: only the READONLY reply moves the client.
    let sentinel = Sentinel::new([own.addr()])
        .unwrap()
        .with_master_check_interval(None);
    let client = sentinel.master_for(&name).await.unwrap();
    client.set("k", "on a").await.unwrap();
    let mut events = client.connection_events();

    let (b_host, b_port) = b
        .addr()
        .rsplit_once(':')
        .map(|(h, p)| (h.to_owned(), p.parse::<u16>().unwrap()))
        .unwrap();
    let a_client = Client::connect(a.url()).await.unwrap();
    Cmd::new("REPLICAOF")
        .arg(&b_host)
        .arg(b_port)
        .query::<()>(&a_client)
        .await
        .unwrap();
    // The sentinel still names A, which now says it is a replica: a new
    // master client refuses it, naming it.
    let error = sentinel.master_for(&name).await.unwrap_err();
    assert!(
        error.to_string().contains("says it is a replica"),
        "{error}"
    );
    assert_eq!(error.node(), Some(a.addr().as_str()));

    // The write meets READONLY on A and the connection is dropped; the
    // sentinel still names A, so reconnecting fails (A says it is a
    // replica) and the write, sent nowhere, waits and is tried again. Then
    // the sentinel names B, as after a failover, and the write is done there.
    let write = tokio::spawn({
        let client = client.clone();
        async move { client.set("k", "on b").await }
    });
    // A transaction whose script B has never seen: its SCRIPT LOAD goes first, then
    // MULTI ... EXEC, which A refuses whole, so the batch is tried again on B.
    let transaction = tokio::spawn({
        let client = client.clone();
        async move {
            let script = redis_core::Script::new("return redis.call('SET', KEYS[1], ARGV[1])");
            let replies: redis_core::Result<(String, i64)> = redis_core::Transaction::new()
                .invoke::<String>(&script.key("t").arg("by script on b"))
                .incr("n")
                .query(&client)
                .await;
            replies
        }
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let sentinel_client = Client::connect(own.url()).await.unwrap();
    sentinel_client.sentinel_remove(&name).await.unwrap();
    sentinel_client
        .sentinel_monitor(&name, &b_host, b_port, 1)
        .await
        .unwrap();
    write.await.unwrap().unwrap();
    assert_eq!(transaction.await.unwrap().unwrap(), ("OK".to_owned(), 1));
    let on_b: Option<String> = Client::connect(b.url())
        .await
        .unwrap()
        .get("k")
        .await
        .unwrap();
    assert_eq!(on_b.as_deref(), Some("on b"));
    let by_script: Option<String> = Client::connect(b.url())
        .await
        .unwrap()
        .get("t")
        .await
        .unwrap();
    assert_eq!(by_script.as_deref(), Some("by script on b"));
    let replaced = tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap();
    match replaced {
        ConnectionEvent::Replaced { node, reason } => {
            assert_eq!(node, a.addr());
            assert_eq!(reason.code(), Some("READONLY"), "{reason}");
        }
        other => panic!("expected the replacement of A, got {other:?}"),
    }
    match tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap()
    {
        ConnectionEvent::Connected { node } => assert_eq!(node, b.addr()),
        other => panic!("expected a connection to B, got {other:?}"),
    }

    // Client::reconnect asks the sentinel again (here: the same B).
    client.reconnect();
    match tokio::time::timeout(Duration::from_secs(5), events.recv())
        .await
        .unwrap()
        .unwrap()
    {
        ConnectionEvent::Replaced { node, .. } => assert_eq!(node, b.addr()),
        other => panic!("expected the replaced connection, got {other:?}"),
    }
    client.set("k2", "v").await.unwrap();
}

/// What one writer saw.
#[derive(Default)]
struct Tally {
    /// Keys whose write WAIT confirmed on the replica, with their values.
    acknowledged: Vec<(String, u64)>,
    /// Writes the master took but WAIT could not confirm in time.
    unconfirmed: u64,
    /// Failed commands, of both kinds.
    errors: u64,
    /// The longest time between two acknowledged writes.
    longest_gap: Duration,
    /// The longest time from the first error of a run of errors to the next
    /// success, on the shared connection.
    longest_error_window: Duration,
    /// The plain SETs the shared connection took.
    shared_writes: Vec<(String, u64)>,
}

/// Writes until `stop`, two ways at once: plain SETs, back to back, on the
/// shared connection (the load), and SETs each followed by `WAIT 1` in one
/// pipeline, which runs on a dedicated connection (WAIT confirms that
/// connection's own writes): a write counts as acknowledged only when WAIT
/// saw it on the replica.
async fn writer(client: Client, task: usize, prefix: String, stop: Arc<AtomicBool>) -> Tally {
    let shared = async {
        let mut tally = Tally::default();
        let mut first_error: Option<Instant> = None;
        let mut seq = 0u64;
        while !stop.load(Ordering::Relaxed) {
            seq += 1;
            let key = format!("{prefix}:shared:{task}:{seq}");
            match client.set(&key, seq).await {
                Ok(()) => {
                    if let Some(first) = first_error.take() {
                        tally.longest_error_window =
                            tally.longest_error_window.max(first.elapsed());
                    }
                    tally.shared_writes.push((key, seq));
                }
                Err(_) => {
                    tally.errors += 1;
                    first_error.get_or_insert_with(Instant::now);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
        tally
    };
    let acked = async {
        let mut tally = Tally::default();
        let mut last_ack = Instant::now();
        let mut seq = 0u64;
        while !stop.load(Ordering::Relaxed) {
            seq += 1;
            let key = format!("{prefix}:acked:{task}:{seq}");
            let acked: redis_core::Result<((), u64)> = Pipeline::new()
                .set(&key, seq)
                .wait(1, Duration::from_millis(500))
                .query(&client)
                .await;
            match acked {
                Ok(((), replicas)) if replicas >= 1 => {
                    tally.longest_gap = tally.longest_gap.max(last_ack.elapsed());
                    last_ack = Instant::now();
                    tally.acknowledged.push((key, seq));
                }
                Ok(_) => tally.unconfirmed += 1,
                Err(_) => {
                    tally.errors += 1;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
        tally.longest_gap = tally.longest_gap.max(last_ack.elapsed());
        tally
    };
    let (shared, acked) = tokio::join!(shared, acked);
    Tally {
        acknowledged: acked.acknowledged,
        unconfirmed: acked.unconfirmed,
        errors: shared.errors + acked.errors,
        longest_gap: acked.longest_gap,
        longest_error_window: shared.longest_error_window,
        shared_writes: shared.shared_writes,
    }
}

/// The port the client's shared connection is on.
async fn port_of_client(client: &Client) -> Option<u16> {
    let port: HashMap<String, String> = client.config_get("port").await.ok()?;
    port.get("port")?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_master_client_follows_a_failover_under_write_load() {
    let _group = GROUP.lock().await;
    let old_master = settled_master().await;
    // Without the master check, only the +switch-master subscription can
    // move the client in time: the old master answers READONLY (or drops
    // its clients) only about ten seconds after the failover.
    let sentinel = group_sentinel().with_master_check_interval(None);
    let client = sentinel.master_for(name()).await.unwrap();
    // The test's own ear on a sentinel: when the switch was announced.
    let mut announcements = PubSub::connect(format!("redis://{}", servers().sentinels()[0]))
        .await
        .unwrap()
        .ignore_subscribe_messages(true);
    announcements.subscribe(["+switch-master"]).await.unwrap();
    let prefix = unique("failover");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..16)
        .map(|task| tokio::spawn(writer(client.clone(), task, prefix.clone(), stop.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // SENTINEL FAILOVER answers NOGOODSLAVE until the sentinel has seen
    // the replica for a while; the group was settled, so not for long.
    let asked = Client::connect(format!("redis://{}", servers().sentinels()[0]))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match asked.sentinel_failover(name()).await {
            Ok(()) => break,
            Err(error) if Instant::now() < deadline => {
                eprintln!("SENTINEL FAILOVER: {error}; again");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(error) => panic!("SENTINEL FAILOVER kept failing: {error}"),
        }
    }
    let failover = Instant::now();
    let announced = tokio::spawn(async move {
        loop {
            match announcements.next_message().await {
                Some(PubSubEvent::Message(message)) => {
                    let payload = String::from_utf8_lossy(&message.payload).into_owned();
                    if payload.starts_with(&format!("{} ", name())) {
                        return failover.elapsed();
                    }
                }
                Some(_) => {}
                None => panic!("the test's +switch-master subscriber stopped"),
            }
        }
    });
    let new_master = other_server(&old_master);
    let Addr::Tcp { port: new_port, .. } = &new_master else {
        unreachable!()
    };

    // The same client, never rebuilt, reaches the new master.
    let deadline = Instant::now() + Duration::from_secs(30);
    while port_of_client(&client).await != Some(*new_port) {
        assert!(
            Instant::now() < deadline,
            "the master client did not move to {new_master} within 30 s of the failover"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let followed = failover.elapsed();
    let announced = tokio::time::timeout(Duration::from_secs(5), announced)
        .await
        .expect("the client moved, but the sentinel announced no +switch-master")
        .unwrap();
    // Writes go on for a while on the new master.
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut tallies = Vec::new();
    for writer in writers {
        tallies.push(writer.await.unwrap());
    }

    // Every acknowledged write is on the new master.
    let check = direct(&new_master).await;
    let acknowledged: Vec<&(String, u64)> = tallies.iter().flat_map(|t| &t.acknowledged).collect();
    let lost = missing(&check, &acknowledged).await;
    let plain: Vec<&(String, u64)> = tallies.iter().flat_map(|t| &t.shared_writes).collect();
    let plain_lost = missing(&check, &plain).await;
    let longest_gap = tallies.iter().map(|t| t.longest_gap).max().unwrap();
    let longest_error_window = tallies
        .iter()
        .map(|t| t.longest_error_window)
        .max()
        .unwrap();
    let errors: u64 = tallies.iter().map(|t| t.errors).sum();
    let unconfirmed: u64 = tallies.iter().map(|t| t.unconfirmed).sum();
    eprintln!(
        "failover {old_master} -> {new_master}: +switch-master announced {announced:?} after \
         SENTINEL FAILOVER, the client was on the new master at {followed:?} ({:?} after the \
         announcement); {} acknowledged writes (WAIT 1), {} lost; \
         {unconfirmed} taken but not confirmed by WAIT; {errors} errors; longest error window \
         on the shared connection {longest_error_window:?}; longest time without an \
         acknowledged write {longest_gap:?}; plain SETs (no WAIT): {} of {} missing on the new \
         master (the old one took them after the promotion, before the client moved)",
        followed.saturating_sub(announced),
        acknowledged.len(),
        lost.len(),
        plain_lost.len(),
        plain.len(),
    );
    assert!(!acknowledged.is_empty(), "no write was acknowledged");
    // The old master keeps taking writes until the sentinels demote it
    // (about ten seconds); the announcement moves the client long before,
    // in the time of one ask of the sentinels and a connect.
    assert!(
        followed < Duration::from_secs(6),
        "the client stayed on the old master for {followed:?}"
    );
    // Without the subscription (the periodic check is off here) only the
    // old master's demotion, about ten seconds on, would move the client;
    // the bound leaves room for a loaded machine (3-15 ms when idle).
    assert!(
        followed < announced + Duration::from_secs(3),
        "the client moved {:?} after the +switch-master announcement",
        followed.saturating_sub(announced)
    );
    assert!(lost.is_empty(), "acknowledged writes lost: {lost:?}");

    // Leave the group settled, and the keys gone.
    let settled = settled_master().await;
    assert_eq!(settled, new_master);
    let cleanup = direct(&settled).await;
    for chunk in acknowledged.chunks(500).chain(plain.chunks(500)) {
        let keys: Vec<&str> = chunk.iter().map(|(key, _)| key.as_str()).collect();
        let _ = cleanup.del(&keys).await;
    }
}

/// The keys of `written` that `client` does not hold with their value.
async fn missing(client: &Client, written: &[&(String, u64)]) -> Vec<String> {
    let mut missing = Vec::new();
    for chunk in written.chunks(500) {
        let keys: Vec<&str> = chunk.iter().map(|(key, _)| key.as_str()).collect();
        let stored: Vec<Option<u64>> = client.mget(&keys).await.unwrap();
        for ((key, seq), stored) in chunk.iter().zip(stored) {
            if stored != Some(*seq) {
                missing.push(key.clone());
            }
        }
    }
    missing
}

/// The port the server behind `conn` listens on.
async fn port_of_dedicated(conn: &redis_core::Dedicated) -> u16 {
    let port: HashMap<String, String> = conn.config_get("port").await.unwrap();
    port["port"].parse().unwrap()
}

fn port_of(addr: &str) -> u16 {
    addr.rsplit_once(':').unwrap().1.parse().unwrap()
}

/// A group of its own with two replicas: the replica client's connections
/// go to both in turn; with no replica at all, to the master.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_client_spreads_its_connections_and_falls_back_to_the_master() {
    let master = TempServer::start(Version::Redis8);
    let master_port = port_of(&master.addr()).to_string();
    let replica_args = ["--replicaof", "127.0.0.1", master_port.as_str()];
    let replicas = [
        TempServer::start_with(Version::Redis8, &replica_args),
        TempServer::start_with(Version::Redis8, &replica_args),
    ];
    let direct_master = Client::connect(master.url()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(Role::Master { replicas, .. }) = direct_master.role().await {
            if replicas.len() == 2 {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the replicas did not connect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let name = format!("spread-{:08x}", fastrand::u32(..));
    let own = OwnSentinel::start(&name, &master.addr()).await;
    let sentinel = Sentinel::new([own.addr()]).unwrap();
    let mut expected: Vec<Addr> = replicas.iter().map(|r| addr(&r.addr())).collect();
    expected.sort_by_key(ToString::to_string);
    let deadline = Instant::now() + Duration::from_secs(20);
    while sentinel.discover_replicas(&name).await.unwrap() != expected {
        assert!(
            Instant::now() < deadline,
            "the sentinel did not list both replicas up"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let client = sentinel.replica_for(&name).await.unwrap();
    // Held together, so that each is a new connection.
    let mut held = Vec::new();
    let mut ports = Vec::new();
    for _ in 0..4 {
        let conn = client.dedicated().await.unwrap();
        ports.push(port_of_dedicated(&conn).await);
        held.push(conn);
    }
    let replica_ports: Vec<u16> = replicas.iter().map(|r| port_of(&r.addr())).collect();
    assert!(
        ports.iter().all(|p| replica_ports.contains(p)),
        "{ports:?} not all replicas {replica_ports:?}"
    );
    for replica in &replica_ports {
        let used = ports.iter().filter(|p| *p == replica).count();
        assert_eq!(used, 2, "{ports:?}: not in turn over {replica_ports:?}");
    }

    // A master without replicas serves the replica client's reads.
    let lonely = TempServer::start(Version::Redis8);
    let lonely_name = format!("lonely-{:08x}", fastrand::u32(..));
    let own = OwnSentinel::start(&lonely_name, &lonely.addr()).await;
    let sentinel = Sentinel::new([own.addr()]).unwrap();
    assert!(
        sentinel
            .discover_replicas(&lonely_name)
            .await
            .unwrap()
            .is_empty()
    );
    let client = sentinel.replica_for(&lonely_name).await.unwrap();
    assert!(matches!(client.role().await.unwrap(), Role::Master { .. }));
    assert_eq!(
        port_of_dedicated(&client.dedicated().await.unwrap()).await,
        port_of(&lonely.addr())
    );
}
