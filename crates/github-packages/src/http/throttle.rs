//! A client-wide throttle that keeps a program under GitHub's limits
//! instead of meeting them (docs/github-behaviour.md, "Rate limits"; GitHub's "Rate
//! limits for the REST API"). What it does is documented on [`Throttle`].
//!
//! Over 500 lines on purpose: the budget's window, the two queues and the
//! pause share one lock and one admission path, which read best together;
//! the last third is tests on tokio's paused clock.

use std::collections::VecDeque;
use std::fmt;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex as Turnstile, Notify};
use tokio::time::Instant;

use crate::http::retry::SleepFn;

/// What to do when GitHub says the primary (hourly) quota is spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnPrimaryLimit {
    /// Wait until the quota resets (at most an hour), logging a warning.
    #[default]
    Wait,
    /// Fail at once with [`Error::RateLimited`](crate::Error::RateLimited)
    /// without sending.
    FailFast,
}

/// How the client paces its requests
/// ([`ClientBuilder::throttle`](crate::ClientBuilder::throttle)); every clone
/// of a client shares one throttle:
///
/// - at most [`concurrency`](Throttle::concurrency) requests in flight
///   (GitHub's secondary limit is 100);
/// - a points budget per window per endpoint, counted as GitHub counts it:
///   GET and HEAD cost 1 point, other methods 5 (GitHub: 900 points a
///   minute, so at most 180 deletions a minute per endpoint);
/// - when GitHub reports a secondary limit anyway, every request of the
///   client waits out its `Retry-After`, not just the one refused — but no
///   longer than the retry policy's
///   [`max_total_wait`](crate::RetryPolicy::max_total_wait): a request that
///   would have to wait longer fails at once with
///   [`Error::RateLimited`](crate::Error::RateLimited), unsent, and a pause
///   longer than that bound ends after it, or at the next successful answer;
/// - when the primary quota is spent (`x-ratelimit-remaining: 0`), requests
///   wait for the reset, or fail at once ([`OnPrimaryLimit`]).
///
/// Waiting is first come, first served: the concurrency cap and each
/// endpoint's budget are FIFO queues, so no request starves. A request
/// counts against its budget until a window after it *finished*, which
/// keeps the count behind GitHub's.
///
/// Sizing it:
///
/// | where | suggestion |
/// |---|---|
/// | github.com, a token used by one program | the default: 10 in flight, 900 points a minute per endpoint |
/// | github.com, a token shared by several programs | divide: e.g. two programs, `points(450, 60 s)` and `concurrency(5)` each |
/// | GitHub Actions' `GITHUB_TOKEN` | the default; its quota is 1,000 requests an hour per repository, so a job deleting more than about 900 versions waits for the next hour, or with [`OnPrimaryLimit::FailFast`] stops and leaves the rest to the next run |
/// | GitHub Enterprise Server | limits are off unless the admins set them: [`Throttle::off`], or their numbers |
///
/// ```
/// use std::time::Duration;
///
/// use github_packages::{Client, OnPrimaryLimit, Throttle};
///
/// // Half of GitHub's budget, for a token two programs share.
/// let shared = Throttle::new()
///     .concurrency(5)
///     .points(450, Duration::from_secs(60))
///     .on_primary_limit(OnPrimaryLimit::FailFast);
/// let client = Client::builder().throttle(shared).build()?;
/// // GitHub Enterprise Server without rate limits.
/// let ghes = Client::builder().enterprise_server("ghe.example.com").throttle(Throttle::off()).build()?;
/// # let _ = (client, ghes);
/// # Ok::<(), github_packages::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Throttle {
    concurrency: usize,
    points: Option<(u64, Duration)>,
    on_primary_limit: OnPrimaryLimit,
    pause_on_secondary: bool,
}

/// In flight at once by default: a tenth of GitHub's cap of 100, leaving
/// room for other programs using the same token.
pub const DEFAULT_CONCURRENCY: usize = 10;
/// GitHub's secondary budget: 900 points a minute per endpoint.
pub const DEFAULT_POINTS: (u64, Duration) = (900, Duration::from_secs(60));

impl Default for Throttle {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            points: Some(DEFAULT_POINTS),
            on_primary_limit: OnPrimaryLimit::Wait,
            pause_on_secondary: true,
        }
    }
}

impl Throttle {
    /// GitHub's limits: [`DEFAULT_CONCURRENCY`] in flight,
    /// [`DEFAULT_POINTS`] per endpoint, waiting for a spent quota.
    pub fn new() -> Self {
        Self::default()
    }

    /// No pacing at all: every request is sent at once (GitHub Enterprise
    /// Server ships with rate limits off).
    pub fn off() -> Self {
        Self {
            concurrency: 0,
            points: None,
            on_primary_limit: OnPrimaryLimit::Wait,
            pause_on_secondary: false,
        }
    }

    /// At most this many requests in flight; 0 for no cap.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

    /// At most `points` per `window` per endpoint (GET/HEAD 1 point, other
    /// methods 5). A shorter window suits a test server whose clock runs
    /// fast.
    pub fn points(mut self, points: u64, window: Duration) -> Self {
        self.points = (points > 0 && !window.is_zero()).then_some((points, window));
        self
    }

    /// No points budget (the concurrency cap stays).
    pub fn no_points(mut self) -> Self {
        self.points = None;
        self
    }

    /// What to do when the primary quota is spent.
    pub fn on_primary_limit(mut self, on: OnPrimaryLimit) -> Self {
        self.on_primary_limit = on;
        self
    }
}

/// What a request costs, as GitHub counts it.
pub(crate) fn cost(safe: bool) -> u64 {
    if safe { 1 } else { 5 }
}

/// The throttle's state, shared by every clone of a client.
///
/// Pacing (the budget, the concurrency cap) runs on tokio's clock, so a
/// test with a paused clock sees it exactly. Waits GitHub asked for (a
/// secondary-limit pause, a spent quota) use the retry policy's sleep, like
/// the retries themselves.
pub(crate) struct Gate {
    config: Throttle,
    /// Everything counted, behind one lock: a request that need not wait
    /// takes it once to be admitted and once when it finishes.
    state: Mutex<State>,
    /// Where requests wait for a place in flight.
    places: Queue,
    paused: Mutex<Option<Pause>>,
    /// Whether a pause was ever set, to skip the lock until then.
    ever_paused: AtomicBool,
}

impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct State {
    /// Per operationId, in the order first used; a pass keeps the index of
    /// its endpoint's (see [`State::slot`]).
    endpoints: Vec<Spending>,
    /// Requests in flight, against the concurrency cap.
    in_flight: usize,
    /// Requests queued for a place in flight, and those of them waiting
    /// for one to finish.
    places_queued: usize,
    places_waiting: usize,
}

/// One endpoint's spending, and its queue.
#[derive(Debug)]
struct Spending {
    endpoint: &'static str,
    window: Window,
    /// Requests in the queue; while there are none, a request whose points
    /// are free takes them at once.
    queued: usize,
    /// Queued requests waiting for one in flight to finish.
    waiting: usize,
    queue: Arc<Queue>,
}

/// Where requests wait their turn.
#[derive(Debug, Default)]
struct Queue {
    /// Held by the request at the head of the queue: tokio's mutex is
    /// fair, so what is waited for goes out in arrival order.
    turnstile: Turnstile<()>,
    /// Signalled when a request finishes.
    finished: Notify,
}

/// The points of requests in flight, and of finished ones, oldest first.
/// A request counts until a window after it finished, which is never
/// earlier than GitHub saw it.
///
/// Finished requests are kept in buckets of a [`BUCKETS`]th of the window,
/// each expiring a window after its last request finished: memory stays
/// bounded however large the budget, and points never expire early.
#[derive(Debug)]
struct Window {
    length: Duration,
    /// `length / BUCKETS`.
    bucket_length: Duration,
    in_flight: u64,
    finished: VecDeque<Bucket>,
    finished_points: u64,
}

/// Buckets per window.
const BUCKETS: u32 = 64;

#[derive(Debug)]
struct Bucket {
    first: Instant,
    last: Instant,
    points: u64,
}

impl Window {
    fn new(length: Duration) -> Self {
        Self {
            length,
            bucket_length: length / BUCKETS,
            in_flight: 0,
            finished: VecDeque::new(),
            finished_points: 0,
        }
    }

    /// Whether `cost` points are free. Checked first against what was
    /// forgotten when a request last finished, which spares reading the
    /// clock when the budget has room anyway; then against `now()`.
    fn fits(&mut self, cost: u64, budget: u64, now: impl Fn() -> Instant) -> bool {
        if self.spent().saturating_add(cost) <= budget {
            return true;
        }
        self.expire(now());
        self.spent().saturating_add(cost) <= budget
    }

    fn spent(&self) -> u64 {
        self.in_flight.saturating_add(self.finished_points)
    }

    /// Forgets the points that expired by `now`.
    fn expire(&mut self, now: Instant) {
        while let Some(bucket) = self.finished.front() {
            if now.saturating_duration_since(bucket.last) < self.length {
                break;
            }
            self.finished_points -= bucket.points;
            self.finished.pop_front();
        }
    }

    /// When enough points will have expired for `cost` more, or `None` if
    /// that needs a request in flight to finish first.
    fn free_at(&self, cost: u64, budget: u64) -> Option<Instant> {
        let mut spent = self.spent();
        self.finished.iter().find_map(|bucket| {
            spent -= bucket.points;
            (spent.saturating_add(cost) <= budget).then_some(bucket.last + self.length)
        })
    }

    /// A request of `points` finished at `now` (later than any before: the
    /// clock is read under the lock).
    fn finish(&mut self, points: u64, now: Instant) {
        self.in_flight -= points;
        self.finished_points += points;
        match self.finished.back_mut() {
            Some(bucket) if now.saturating_duration_since(bucket.first) < self.bucket_length => {
                bucket.last = now;
                bucket.points += points;
            }
            _ => self.finished.push_back(Bucket {
                first: now,
                last: now,
                points,
            }),
        }
        self.expire(now);
    }
}

/// A secondary-limit pause: GitHub asked for no request `until`; the client
/// holds to that up to `ends`, the retry policy's bound after the pause was
/// set (`until` itself when that is sooner).
#[derive(Clone, Copy, Debug)]
struct Pause {
    until: Instant,
    ends: Instant,
}

impl Pause {
    /// Whether GitHub asked for more than the client honours: such a pause
    /// also ends at the next successful answer.
    fn is_cut_short(&self) -> bool {
        self.ends < self.until
    }
}

/// Why a request was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NotAdmitted {
    /// The primary quota is spent until then, and the throttle fails fast.
    QuotaSpent(DateTime<Utc>),
    /// A secondary-limit pause lasts this much longer than the request may
    /// still wait.
    Paused(Duration),
}

/// What a request being retried has already waited out, so the throttle
/// does not make it wait for the same thing twice.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Waited {
    /// The end of the secondary-limit pause it slept through.
    pub(crate) pause: Option<Instant>,
    /// Whether it slept until a spent primary quota's reset.
    pub(crate) quota: bool,
}

/// A request admitted by the throttle. Dropping it, when the answer is in,
/// starts its points' expiry and frees its place in flight.
pub(crate) struct Pass<'a> {
    gate: &'a Gate,
    /// The endpoint's slot and the points spent there.
    spent: Option<(usize, u64)>,
    /// Whether it holds a place in flight.
    place: bool,
}

impl Drop for Pass<'_> {
    fn drop(&mut self) {
        self.gate
            .finish(self.spent.take(), std::mem::take(&mut self.place));
    }
}

/// Which count of the state a queued request is in.
#[derive(Clone, Copy)]
enum Count {
    /// An endpoint's queue, by slot.
    Queued(usize),
    /// Those of an endpoint's queue waiting for a request to finish.
    Waiting(usize),
    PlacesQueued,
    PlacesWaiting,
}

impl Count {
    fn of(self, state: &mut State) -> &mut usize {
        match self {
            Self::Queued(slot) => &mut state.endpoints[slot].queued,
            Self::Waiting(slot) => &mut state.endpoints[slot].waiting,
            Self::PlacesQueued => &mut state.places_queued,
            Self::PlacesWaiting => &mut state.places_waiting,
        }
    }
}

/// Lowers a count when dropped, also when the future holding it is.
struct Counted<'a> {
    gate: &'a Gate,
    count: Count,
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        *self.count.of(&mut self.gate.lock()) -= 1;
    }
}

impl State {
    /// The index of `endpoint`'s spending, added when first used; slots
    /// are never removed. A scan, not a map: a program uses a few of the
    /// 27 operations, and their names are the table's literals, so the
    /// address usually matches before the text is read.
    fn slot(&mut self, endpoint: &'static str, window: Duration) -> usize {
        let found = self
            .endpoints
            .iter()
            .position(|s| std::ptr::eq(s.endpoint, endpoint) || s.endpoint == endpoint);
        found.unwrap_or_else(|| {
            self.endpoints.push(Spending {
                endpoint,
                window: Window::new(window),
                queued: 0,
                waiting: 0,
                queue: Arc::default(),
            });
            self.endpoints.len() - 1
        })
    }

    /// Whether `cost` points of the endpoint in `slot` may be taken now:
    /// they are free, and no request queued for them would be passed.
    fn points_free(&mut self, slot: usize, cost: u64, budget: u64) -> bool {
        let spending = &mut self.endpoints[slot];
        spending.queued == 0 && spending.window.fits(cost, budget, Instant::now)
    }

    /// Whether a place in flight may be taken now: one is free, and no
    /// request queued for one would be passed.
    fn place_free(&self, cap: usize) -> bool {
        self.places_queued == 0 && self.in_flight < cap
    }
}

impl Gate {
    pub(crate) fn new(config: Throttle) -> Self {
        Self {
            config,
            state: Mutex::default(),
            places: Queue::default(),
            paused: Mutex::default(),
            ever_paused: AtomicBool::new(false),
        }
    }

    pub(crate) fn config(&self) -> &Throttle {
        &self.config
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What a request of `cost` spends, the endpoints' budget and its
    /// window, if there is a budget. A request costing more than the whole
    /// budget spends all of it.
    fn points(&self, cost: u64) -> Option<(u64, u64, Duration)> {
        let (budget, window) = self.config.points?;
        Some((cost.min(budget), budget, window))
    }

    /// Raises `count` (the caller holds the lock) and returns the guard
    /// that lowers it.
    fn counted(&self, state: &mut State, count: Count) -> Counted<'_> {
        *count.of(state) += 1;
        Counted { gate: self, count }
    }

    /// A request finished: its points start to expire, its place is free.
    fn finish(&self, spent: Option<(usize, u64)>, place: bool) {
        if spent.is_none() && !place {
            return;
        }
        let (endpoint_waiters, place_waiters) = {
            let mut state = self.lock();
            let endpoint_waiters = spent.and_then(|(slot, points)| {
                let spending = &mut state.endpoints[slot];
                spending.window.finish(points, Instant::now());
                (spending.waiting > 0).then(|| Arc::clone(&spending.queue))
            });
            if place {
                state.in_flight -= 1;
            }
            (endpoint_waiters, place && state.places_waiting > 0)
        };
        if let Some(queue) = endpoint_waiters {
            queue.finished.notify_waiters();
        }
        if place_waiters {
            self.places.finished.notify_waiters();
        }
    }

    fn paused(&self) -> std::sync::MutexGuard<'_, Option<Pause>> {
        self.paused.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops every request of the client for `wait` (a secondary limit
    /// GitHub reported), or for `bound` (the retry policy's
    /// `max_total_wait`) if that is shorter; a pause already set is only
    /// lengthened. Returns when this pause ends as GitHub asked, which the
    /// request that reported it sleeps through itself.
    pub(crate) fn pause(&self, wait: Duration, bound: Duration) -> Option<Instant> {
        if !self.config.pause_on_secondary {
            return None;
        }
        let now = Instant::now();
        let until = now.checked_add(wait)?;
        let ends = now.checked_add(bound.min(wait)).unwrap_or(until);
        let mut paused = self.paused();
        let pause = match *paused {
            Some(current) if current.until >= until && current.ends >= ends => return Some(until),
            Some(current) => Pause {
                until: current.until.max(until),
                ends: current.ends.max(ends),
            },
            None => Pause { until, ends },
        };
        tracing::warn!(
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            honoured_ms = u64::try_from(bound.min(wait).as_millis()).unwrap_or(u64::MAX),
            "GitHub reported a secondary rate limit; pausing every request of the client"
        );
        *paused = Some(pause);
        self.ever_paused.store(true, Ordering::Release);
        Some(until)
    }

    /// A request was answered successfully: a pause longer than the client
    /// honours is over (GitHub serves the client again).
    pub(crate) fn answered(&self) {
        if !self.ever_paused.load(Ordering::Acquire) {
            return;
        }
        let mut paused = self.paused();
        if paused.is_some_and(|pause| pause.is_cut_short()) {
            *paused = None;
        }
    }

    /// Admits a request to `endpoint` costing `cost` points at once if
    /// nothing would make it wait: no pause was ever set, and its points and
    /// a place in flight are free with no request queued for either. `None`
    /// leaves it to [`Gate::admit`]. Every request tries this first, so that
    /// the usual case takes one lock and builds no future.
    pub(crate) fn admit_now(&self, endpoint: &'static str, cost: u64) -> Option<Pass<'_>> {
        let cap = self.config.concurrency;
        let (points, place) = (self.points(cost), cap > 0);
        if points.is_none() && !place {
            return Some(Pass {
                gate: self,
                spent: None,
                place: false,
            });
        }
        if self.ever_paused.load(Ordering::Acquire) {
            return None;
        }
        let mut state = self.lock();
        if place && !state.place_free(cap) {
            return None;
        }
        let spent = match points {
            Some((cost, budget, window)) => {
                let slot = state.slot(endpoint, window);
                if !state.points_free(slot, cost, budget) {
                    return None;
                }
                state.endpoints[slot].window.in_flight += cost;
                Some((slot, cost))
            }
            None => None,
        };
        if place {
            state.in_flight += 1;
        }
        Some(Pass {
            gate: self,
            spent,
            place,
        })
    }

    /// Waits until a request to `endpoint` costing `cost` points may be
    /// sent: after any pause, within the primary quota, the endpoint's
    /// budget and the concurrency cap, in arrival order. `Err` carries the
    /// reset time of a spent primary quota the caller chose not to wait for.
    /// `spent_until` is when the primary quota resets if GitHub last said it
    /// is spent; `waited` is what the request already waited out before
    /// retrying; `budget` is how much longer it may wait for a pause.
    pub(crate) async fn admit(
        &self,
        endpoint: &'static str,
        cost: u64,
        spent_until: Option<DateTime<Utc>>,
        waited: Waited,
        budget: Duration,
        sleep: &SleepFn,
    ) -> Result<Pass<'_>, NotAdmitted> {
        let mut slept_for = waited.pause;
        if self.ever_paused.load(Ordering::Acquire) {
            self.wait_out_pause(&mut slept_for, budget, sleep).await?;
        }
        if let (Some(reset), false) = (spent_until, waited.quota) {
            self.wait_for_quota(reset, sleep)
                .await
                .map_err(NotAdmitted::QuotaSpent)?;
        }
        let cap = self.config.concurrency;
        // Points and place taken belong to the pass at once: if this
        // future is dropped while waiting below, they are given back.
        let mut pass = Pass {
            gate: self,
            spent: None,
            place: false,
        };
        // The points this request still has to wait for, if any.
        let owed = {
            let mut state = self.lock();
            let owed = self.points(cost).and_then(|(cost, budget, window)| {
                let slot = state.slot(endpoint, window);
                if state.points_free(slot, cost, budget) {
                    state.endpoints[slot].window.in_flight += cost;
                    pass.spent = Some((slot, cost));
                    return None;
                }
                Some((slot, cost, budget))
            });
            if cap > 0 && state.place_free(cap) {
                state.in_flight += 1;
                pass.place = true;
            }
            owed
        };
        if let Some((slot, cost, budget)) = owed {
            self.spend(slot, cost, budget).await;
            pass.spent = Some((slot, cost));
        }
        if cap > 0 && !pass.place {
            self.take_place(cap).await;
            pass.place = true;
        }
        // A pause that began while this request queued holds it too (the
        // time it queued is not counted against its budget: the throttle's
        // own pacing is not a wait GitHub asked for).
        if self.ever_paused.load(Ordering::Acquire) {
            self.wait_out_pause(&mut slept_for, budget, sleep).await?;
        }
        Ok(pass)
    }

    /// Takes `cost` points of `endpoint`'s budget once they are free, in
    /// turn with the other requests waiting for them.
    async fn spend(&self, slot: usize, cost: u64, budget: u64) {
        let (queue, queued) = {
            let mut state = self.lock();
            let queue = Arc::clone(&state.endpoints[slot].queue);
            (queue, self.counted(&mut state, Count::Queued(slot)))
        };
        let turn = queue.turnstile.lock().await;
        loop {
            // Listen before looking, under the lock `finish` takes, so a
            // request finishing in between is not missed.
            let mut finished = pin!(queue.finished.notified());
            let (free_at, waiting) = {
                let mut state = self.lock();
                let spending = &mut state.endpoints[slot];
                if spending.window.fits(cost, budget, Instant::now) {
                    spending.window.in_flight += cost;
                    break;
                }
                match spending.window.free_at(cost, budget) {
                    Some(at) => (Some(at), None),
                    None => {
                        finished.as_mut().enable();
                        (None, Some(self.counted(&mut state, Count::Waiting(slot))))
                    }
                }
            };
            match free_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => finished.await,
            }
            drop(waiting);
        }
        drop(turn);
        drop(queued);
    }

    /// Takes a place in flight once one is free, in turn with the other
    /// requests waiting for one.
    async fn take_place(&self, cap: usize) {
        let queued = self.counted(&mut self.lock(), Count::PlacesQueued);
        let turn = self.places.turnstile.lock().await;
        loop {
            let mut finished = pin!(self.places.finished.notified());
            let waiting = {
                let mut state = self.lock();
                if state.in_flight < cap {
                    state.in_flight += 1;
                    break;
                }
                finished.as_mut().enable();
                self.counted(&mut state, Count::PlacesWaiting)
            };
            finished.await;
            drop(waiting);
        }
        drop(turn);
        drop(queued);
    }

    /// Waits out a secondary-limit pause unless it is the one `slept_for`,
    /// or refuses with how long it still lasts when that is more than
    /// `budget`. Each pause is slept once, so an injected sleep that
    /// returns at once (a test recording waits) does not spin.
    async fn wait_out_pause(
        &self,
        slept_for: &mut Option<Instant>,
        budget: Duration,
        sleep: &SleepFn,
    ) -> Result<(), NotAdmitted> {
        loop {
            let now = Instant::now();
            let pause = {
                let mut paused = self.paused();
                if paused.is_some_and(|pause| pause.ends <= now) {
                    *paused = None;
                }
                *paused
            };
            let Some(pause) = pause else {
                return Ok(());
            };
            if *slept_for == Some(pause.until) {
                return Ok(());
            }
            let left = pause.until.saturating_duration_since(now);
            if left > budget {
                return Err(NotAdmitted::Paused(left));
            }
            sleep(pause.ends.min(pause.until).saturating_duration_since(now)).await;
            *slept_for = Some(pause.until);
        }
    }

    /// Waits for a spent primary quota to reset, or refuses, as configured.
    async fn wait_for_quota(
        &self,
        reset: DateTime<Utc>,
        sleep: &SleepFn,
    ) -> Result<(), DateTime<Utc>> {
        let now: DateTime<Utc> = SystemTime::now().into();
        let Ok(wait) = (reset - now).to_std() else {
            return Ok(()); // already reset
        };
        match self.config.on_primary_limit {
            OnPrimaryLimit::FailFast => Err(reset),
            OnPrimaryLimit::Wait => {
                // GitHub's quota is hourly; a reset further away is not one.
                let wait = wait.min(Duration::from_secs(3600)) + Duration::from_secs(1);
                tracing::warn!(
                    wait_s = wait.as_secs(),
                    "GitHub's hourly rate limit is spent; waiting for it to reset"
                );
                sleep(wait).await;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The gate on tokio's paused clock: every wait is exact.

    use std::sync::Arc;

    use chrono::Utc;
    use futures::future::join_all;

    use super::*;

    /// A wait budget nothing exceeds.
    const FOREVER: Duration = Duration::MAX;

    fn tokio_sleep() -> SleepFn {
        Arc::new(|wait| Box::pin(tokio::time::sleep(wait)))
    }

    async fn admit<'a>(gate: &'a Gate, endpoint: &'static str, cost: u64) -> Pass<'a> {
        gate.admit(
            endpoint,
            cost,
            None,
            Waited::default(),
            FOREVER,
            &tokio_sleep(),
        )
        .await
        .unwrap_or_else(|_| panic!("no quota given"))
    }

    #[tokio::test(start_paused = true)]
    async fn each_endpoint_spends_its_own_budget_for_a_window_after_finishing() {
        let gate = Gate::new(Throttle::new().points(10, Duration::from_secs(60)));
        let start = Instant::now();
        // Two deletions (5 points each) fill the budget at once.
        for _ in 0..2 {
            drop(admit(&gate, "delete", 5).await);
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        // Another endpoint is not held back.
        drop(admit(&gate, "get", 1).await);
        assert_eq!(start.elapsed(), Duration::ZERO);
        // The third deletion waits until the first one's points expire.
        tokio::time::advance(Duration::from_secs(15)).await;
        drop(admit(&gate, "delete", 5).await);
        assert_eq!(start.elapsed(), Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_in_flight_count_until_a_window_after_they_finish() {
        let gate = Gate::new(Throttle::new().points(5, Duration::from_secs(60)));
        let start = Instant::now();
        let slow = admit(&gate, "delete", 5).await;
        let waiting = async {
            drop(admit(&gate, "delete", 5).await);
            start.elapsed()
        };
        let finishing = async {
            tokio::time::sleep(Duration::from_secs(20)).await;
            drop(slow);
        };
        let (admitted_after, ()) = tokio::join!(waiting, finishing);
        // Finished at 20 s; its points count for a window from then.
        assert_eq!(admitted_after, Duration::from_secs(80));
    }

    #[tokio::test(start_paused = true)]
    async fn a_saturated_budget_admits_in_arrival_order() {
        let gate = Arc::new(Gate::new(
            Throttle::new().points(5, Duration::from_secs(10)),
        ));
        let order = Arc::new(Mutex::new(Vec::new()));
        let waiters = (0..6).map(|n| {
            let (gate, order) = (Arc::clone(&gate), Arc::clone(&order));
            async move {
                // Arrive one millisecond apart.
                tokio::time::sleep(Duration::from_millis(n)).await;
                drop(admit(&gate, "delete", 5).await);
                order.lock().unwrap().push((n, Instant::now()));
            }
        });
        let start = Instant::now();
        join_all(waiters).await;
        let order = order.lock().unwrap().clone();
        assert_eq!(
            order.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );
        // One deletion per window, none starved.
        let last = order.last().unwrap().1 - start;
        assert!(
            (Duration::from_secs(50)..Duration::from_secs(51)).contains(&last),
            "{last:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_concurrency_cap_holds_requests_until_one_finishes() {
        let gate = Gate::new(Throttle::new().concurrency(2).no_points());
        let first = admit(&gate, "get", 1).await;
        let _second = admit(&gate, "get", 1).await;
        let start = Instant::now();
        let third = async {
            drop(admit(&gate, "get", 1).await);
            start.elapsed()
        };
        let release = async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            drop(first);
        };
        let (admitted_after, ()) = tokio::join!(third, release);
        assert_eq!(admitted_after, Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_request_but_the_one_that_slept_through_it() {
        let gate = Gate::new(Throttle::new());
        let start = Instant::now();
        gate.pause(Duration::from_secs(30), FOREVER).unwrap();
        // A shorter pause does not shorten it.
        gate.pause(Duration::from_secs(5), FOREVER).unwrap();
        drop(admit(&gate, "list", 1).await);
        assert_eq!(start.elapsed(), Duration::from_secs(30));

        let until = gate.pause(Duration::from_secs(30), FOREVER).unwrap();
        let retried = Waited {
            pause: Some(until),
            quota: false,
        };
        let start = Instant::now();
        let pass = gate
            .admit("delete", 5, None, retried, FOREVER, &tokio_sleep())
            .await;
        assert!(pass.is_ok());
        assert_eq!(start.elapsed(), Duration::ZERO);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_longer_than_a_request_may_wait_refuses_it_unsent_until_the_bound() {
        let gate = Gate::new(Throttle::new());
        let bound = Duration::from_secs(120);
        gate.pause(Duration::from_secs(999_999), bound);
        let start = Instant::now();
        let refused = gate
            .admit("get", 1, None, Waited::default(), bound, &tokio_sleep())
            .await;
        assert_eq!(
            refused.err(),
            Some(NotAdmitted::Paused(Duration::from_secs(999_999)))
        );
        assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");
        // A request with less budget left is refused too.
        tokio::time::advance(Duration::from_secs(60)).await;
        let refused = gate
            .admit("get", 1, None, Waited::default(), bound, &tokio_sleep())
            .await;
        assert!(matches!(refused, Err(NotAdmitted::Paused(_))));
        // Once the bound has passed since the pause began, requests go.
        tokio::time::advance(Duration::from_secs(60)).await;
        let admitted = gate
            .admit("get", 1, None, Waited::default(), bound, &tokio_sleep())
            .await;
        assert!(admitted.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_success_ends_a_pause_cut_short_but_not_one_honoured_in_full() {
        let gate = Gate::new(Throttle::new());
        let bound = Duration::from_secs(120);
        gate.pause(Duration::from_secs(999_999), bound);
        gate.answered();
        let start = Instant::now();
        let admitted = gate
            .admit("get", 1, None, Waited::default(), bound, &tokio_sleep())
            .await;
        assert!(admitted.is_ok());
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(admitted);

        // A pause within the bound is GitHub's to end.
        gate.pause(Duration::from_secs(30), bound);
        gate.answered();
        drop(admit(&gate, "get", 1).await);
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_quota_is_waited_for_or_refused_as_configured() {
        let reset = Utc::now() + chrono::Duration::seconds(120);
        let spent = Some(reset);
        let failing = Gate::new(Throttle::new().on_primary_limit(OnPrimaryLimit::FailFast));
        let refused = failing
            .admit("get", 1, spent, Waited::default(), FOREVER, &tokio_sleep())
            .await;
        assert_eq!(refused.err(), Some(NotAdmitted::QuotaSpent(reset)));

        let waiting = Gate::new(Throttle::new());
        let start = Instant::now();
        let admitted = waiting
            .admit("get", 1, spent, Waited::default(), FOREVER, &tokio_sleep())
            .await;
        assert!(admitted.is_ok());
        let waited = start.elapsed();
        assert!(
            (Duration::from_secs(119)..=Duration::from_secs(121)).contains(&waited),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn admitting_at_once_never_jumps_a_queue() {
        let gate = Gate::new(
            Throttle::new()
                .concurrency(1)
                .points(5, Duration::from_secs(10)),
        );
        let first = gate.admit_now("delete", 5).expect("nothing to wait for");
        // The budget is spent and the place taken: neither is free now.
        assert!(gate.admit_now("delete", 5).is_none());
        assert!(gate.admit_now("get", 1).is_none());
        drop(first);
        // The place is free again, but a deletion's points are not.
        assert!(gate.admit_now("delete", 5).is_none());
        let get = gate
            .admit_now("get", 1)
            .expect("another endpoint, a free place");
        // A request queued for the place keeps it from one arriving later,
        // even once the place is free.
        let mut queued = pin!(admit(&gate, "get", 1));
        assert!(futures::poll!(queued.as_mut()).is_pending());
        drop(get);
        assert!(gate.admit_now("get", 1).is_none());
        drop(queued.await);
        assert!(gate.admit_now("get", 1).is_some());
        // A pause sends every request to the queue.
        gate.pause(Duration::from_secs(1), FOREVER);
        assert!(gate.admit_now("get", 1).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn off_admits_everything_at_once() {
        let gate = Gate::new(Throttle::off());
        let start = Instant::now();
        let passes: Vec<Pass> = join_all((0..500).map(|_| admit(&gate, "delete", 5))).await;
        assert_eq!(passes.len(), 500);
        assert!((0..500).all(|_| gate.admit_now("delete", 5).is_some()));
        assert_eq!(gate.pause(Duration::from_secs(60), FOREVER), None);
        drop(admit(&gate, "delete", 5).await);
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
