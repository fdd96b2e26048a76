//! What every task of the soak shares: the stop flag, the hang check around
//! each call, the counters the report prints and the violations found.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redis_core::{Error, ErrorKind};

/// Slack past a call's own budget before it counts as hung: scheduling on a
/// busy machine, not a speed target.
pub const MARGIN: Duration = Duration::from_secs(1);

/// Violations kept word for word; the rest are only counted.
const KEPT_VIOLATIONS: usize = 40;

/// The outcome of one call: its result, or `None` when it hung (which is
/// already recorded as a violation).
pub type Outcome<T> = Option<redis_core::Result<T>>;

/// The state the workers, the fault injector and the monitor share.
pub struct Run {
    stop: AtomicBool,
    ops: AtomicU64,
    /// Replies to calls whose reply identifies them that were another call's.
    wrong_deliveries: AtomicU64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    failures: BTreeMap<String, u64>,
    slowest: Option<Slowest>,
    hangs: u64,
    fault_now: &'static str,
    failing_since: Option<(Instant, &'static str)>,
    longest_window: Option<(Duration, &'static str)>,
    violations: Vec<String>,
    violation_count: u64,
}

/// The call that came closest to its budget.
#[derive(Debug, Clone, Copy)]
pub struct Slowest {
    /// What it was.
    pub op: &'static str,
    /// How long it took.
    pub took: Duration,
    /// What it was allowed (its timeouts, before the margin).
    pub budget: Duration,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Run {
    pub fn new() -> Run {
        Run {
            stop: AtomicBool::new(false),
            ops: AtomicU64::new(0),
            wrong_deliveries: AtomicU64::new(0),
            state: Mutex::new(State {
                fault_now: "none",
                ..State::default()
            }),
        }
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Names the fault in effect, for the error windows that start under it.
    pub fn set_fault(&self, name: &'static str) {
        lock(&self.state).fault_now = name;
    }

    /// Runs one client call with the hang check: it must return within
    /// `budget` (what its timeouts allow) plus [`MARGIN`].
    pub async fn call<T>(
        &self,
        op: &'static str,
        budget: Duration,
        call: impl Future<Output = redis_core::Result<T>>,
    ) -> Outcome<T> {
        let started = Instant::now();
        let result = tokio::time::timeout(budget + MARGIN, call).await;
        let took = started.elapsed();
        self.ops.fetch_add(1, Ordering::Relaxed);
        let mut state = lock(&self.state);
        let ratio = |s: &Slowest| s.took.as_secs_f64() / s.budget.as_secs_f64();
        let this = Slowest { op, took, budget };
        if state.slowest.is_none_or(|s| ratio(&this) > ratio(&s)) {
            state.slowest = Some(this);
        }
        match result {
            Ok(Ok(value)) => {
                if let Some((since, fault)) = state.failing_since.take() {
                    let window = since.elapsed();
                    if state.longest_window.is_none_or(|(w, _)| window > w) {
                        state.longest_window = Some((window, fault));
                    }
                }
                Some(Ok(value))
            }
            Ok(Err(error)) => {
                *state
                    .failures
                    .entry(format!("{op} {}", failure_name(&error)))
                    .or_default() += 1;
                if state.failing_since.is_none() {
                    state.failing_since = Some((started, state.fault_now));
                }
                Some(Err(error))
            }
            Err(_) => {
                state.hangs += 1;
                drop(state);
                self.violation(format!(
                    "{op} hung: no result within {:?} (its budget {budget:?} plus {MARGIN:?})",
                    budget + MARGIN
                ));
                None
            }
        }
    }

    /// Records a broken promise; the run will exit non-zero.
    pub fn violation(&self, what: String) {
        eprintln!("soak: VIOLATION: {what}");
        let mut state = lock(&self.state);
        state.violation_count += 1;
        if state.violations.len() < KEPT_VIOLATIONS {
            state.violations.push(what);
        }
    }

    /// A call whose reply identifies it received another call's reply.
    pub fn wrong_delivery(&self, what: String) {
        self.wrong_deliveries.fetch_add(1, Ordering::Relaxed);
        self.violation(format!("reply delivered to the wrong caller: {what}"));
    }

    pub fn wrong_deliveries(&self) -> u64 {
        self.wrong_deliveries.load(Ordering::Relaxed)
    }

    pub fn ops(&self) -> u64 {
        self.ops.load(Ordering::Relaxed)
    }

    pub fn failures(&self) -> BTreeMap<String, u64> {
        lock(&self.state).failures.clone()
    }

    pub fn slowest(&self) -> Option<Slowest> {
        lock(&self.state).slowest
    }

    pub fn hangs(&self) -> u64 {
        lock(&self.state).hangs
    }

    /// The longest stretch from a failed call to the next successful one,
    /// and the fault in effect when it began.
    pub fn longest_error_window(&self) -> Option<(Duration, &'static str)> {
        let state = lock(&self.state);
        let open = state
            .failing_since
            .map(|(since, fault)| (since.elapsed(), fault));
        match (state.longest_window, open) {
            (Some(done), Some(open)) if open.0 > done.0 => Some(open),
            (None, open) => open,
            (done, _) => done,
        }
    }

    pub fn violations(&self) -> (u64, Vec<String>) {
        let state = lock(&self.state);
        (state.violation_count, state.violations.clone())
    }
}

/// `Timeout`, `Io`, `Server LOADING`, ...: with the call, how the report
/// groups failures.
fn failure_name(error: &Error) -> String {
    match (error.kind(), error.code()) {
        (ErrorKind::Server, Some(code)) => format!("Server {code}"),
        (kind, _) => format!("{kind:?}"),
    }
}
