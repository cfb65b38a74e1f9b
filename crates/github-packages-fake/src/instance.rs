//! One running fake: the world, the registry's sign-ins and uploads, the
//! clock, the limits, the faults, the request log and the hooks, shared by
//! the HTTP side (`server.rs`), the admin API (`admin.rs`) and the public
//! [`Fake`](crate::Fake).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use crate::clock::Clock;
use crate::faults::Faults;
use crate::github::model::State;
use crate::limits::Limits;
use crate::log::LoggedRequest;
use crate::registry;
use crate::seed::Seed;
use crate::world::World;

#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) state: Mutex<State>,
    pub(crate) grants: Mutex<registry::Grants>,
    pub(crate) clock: Clock,
    pub(crate) limits: Arc<Limits>,
    pub(crate) faults: Faults,
    pub(crate) log: Mutex<Vec<LoggedRequest>>,
    pub(crate) in_flight: InFlight,
    pub(crate) hooks: Hooks,
    /// What the world was made from, for a reset.
    pub(crate) seed: Seed,
}

/// A change to the world at a point of a client's run.
pub(crate) type Hook = Box<dyn FnMut(&LoggedRequest, &mut World<'_>) + Send>;

/// Called with every request before it is answered.
#[derive(Default)]
pub(crate) struct Hooks(pub(crate) Mutex<Vec<Hook>>);

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.0.lock().unwrap_or_else(PoisonError::into_inner).len();
        write!(f, "{count} hooks")
    }
}

/// Requests being answered now, and the most at once.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    pub(crate) now: AtomicUsize,
    pub(crate) peak: AtomicUsize,
}

impl Server {
    /// Every request so far, in arrival order.
    pub(crate) fn log(&self) -> Vec<LoggedRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Logs `entry`, answered (or dropped) now, `received` ago.
    pub(crate) fn record(&self, mut entry: LoggedRequest, received: std::time::Instant) {
        entry.duration_ms = u64::try_from(received.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }

    pub(crate) fn clear_log(&self) {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub(crate) fn peak_in_flight(&self) -> usize {
        self.in_flight.peak.load(Ordering::SeqCst)
    }

    /// Changes the world now, as another actor would.
    pub(crate) fn change<T>(&self, change: impl FnOnce(&mut World<'_>) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut World {
            state: &mut state,
            now: self.clock.now(),
        })
    }

    /// The world as the seed made it, and no registry sign-ins.
    pub(crate) fn reset(&self) -> Result<(), String> {
        let seeded = State::from_seed(&self.seed, self.clock.now())?;
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = seeded;
        *self.grants.lock().unwrap_or_else(PoisonError::into_inner) = registry::Grants::default();
        Ok(())
    }

    /// Lets the hooks see a request, and change the world, before it is
    /// answered.
    pub(crate) fn run_hooks(&self, request: &LoggedRequest) {
        let mut hooks = self.hooks.0.lock().unwrap_or_else(PoisonError::into_inner);
        if hooks.is_empty() {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut world = World {
            state: &mut state,
            now: self.clock.now(),
        };
        for hook in hooks.iter_mut() {
            hook(request, &mut world);
        }
    }
}
