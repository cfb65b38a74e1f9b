//! When and how long to wait before trying a request again.

use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::error::{Error, RateLimitKind};
use crate::model::rate_limit::SECONDARY_LIMIT_WAIT;

pub(crate) type SleepFn =
    Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// How the client retries failed requests.
///
/// ```
/// use std::time::Duration;
///
/// use github_packages::{Client, RetryPolicy};
///
/// // Wait out secondary rate limits for up to ten minutes per request.
/// let patient = RetryPolicy::new()
///     .max_attempts(8)
///     .max_total_wait(Duration::from_secs(600));
/// let client = Client::builder().retry(patient).build()?;
/// // Or fail at once and decide yourself.
/// let eager = Client::builder().retry(RetryPolicy::none()).build()?;
/// # let _ = (client, eager);
/// # Ok::<(), github_packages::Error>(())
/// ```
///
/// GETs are retried after connection errors, timeouts, 5xx answers and rate
/// limits. DELETEs and POSTs are retried only after rate-limit answers, which
/// show that GitHub did not carry the request out; a 5xx or a dropped
/// connection might have come after the deletion happened.
///
/// Waits grow exponentially from [`initial_backoff`](Self::initial_backoff)
/// with random jitter, up to [`max_backoff`](Self::max_backoff). A
/// rate-limit answer's own wait wins: `Retry-After`, the primary limit's
/// reset time, or a minute for a secondary limit without `Retry-After`. No
/// request is retried once [`max_attempts`](Self::max_attempts) have been
/// made or the next wait would take the total past
/// [`max_total_wait`](Self::max_total_wait); the last error is returned.
#[derive(Clone)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_total_wait: Duration,
    sleep: SleepFn,
}

impl Default for RetryPolicy {
    /// 4 attempts, backoff from 1 s up to 30 s, at most 2 minutes of waiting.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            max_total_wait: Duration::from_secs(120),
            sleep: Arc::new(|duration| Box::pin(tokio::time::sleep(duration))),
        }
    }
}

impl fmt::Debug for RetryPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetryPolicy")
            .field("max_attempts", &self.max_attempts)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("max_total_wait", &self.max_total_wait)
            .finish_non_exhaustive()
    }
}

/// Slack after a primary limit's reset time, for clock skew.
const RESET_MARGIN: Duration = Duration::from_secs(1);

impl RetryPolicy {
    /// The default policy (see [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every error is returned as it happens.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Attempts per request, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The first backoff wait; later ones double.
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest single backoff wait (rate-limit waits are not capped by it).
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The most time one request may spend waiting between attempts.
    pub fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Replaces how the client waits (by default `tokio::time::sleep`)
    /// between attempts and for the pauses GitHub asks for (a secondary
    /// limit, a spent quota; see [`Throttle`](crate::Throttle)), e.g. to
    /// record waits in tests instead of spending them. The throttle's own
    /// pacing keeps tokio's clock.
    pub fn sleep_with<F, Fut>(mut self, sleep: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.sleep = Arc::new(move |duration| Box::pin(sleep(duration)));
        self
    }

    pub(crate) fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        (self.sleep)(duration)
    }

    /// The most one request may wait, for the throttle's pauses too.
    pub(crate) fn wait_budget(&self) -> Duration {
        self.max_total_wait
    }

    /// How the client waits, for the throttle's pauses.
    pub(crate) fn sleeper(&self) -> &SleepFn {
        &self.sleep
    }

    /// How long to wait before attempt `attempt + 1`, or `None` to give up.
    ///
    /// `safe` says whether the request may be repeated after any transient
    /// failure (GET) or only after GitHub refused it (DELETE, POST). No
    /// header value can make this panic or return a wait that takes the
    /// total past [`max_total_wait`](Self::max_total_wait).
    pub(crate) fn delay(
        &self,
        error: &Error,
        safe: bool,
        attempt: u32,
        waited: Duration,
        now: DateTime<Utc>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let delay = match error {
            Error::RateLimited {
                retry_after: Some(after),
                ..
            } => *after,
            Error::RateLimited {
                kind: RateLimitKind::Primary,
                reset: Some(reset),
                ..
            } => (*reset - now)
                .to_std()
                .unwrap_or_default()
                .saturating_add(RESET_MARGIN),
            Error::RateLimited { .. } => SECONDARY_LIMIT_WAIT.max(self.backoff(attempt)),
            Error::Server {
                retry_after: Some(after),
                ..
            } if safe => *after,
            Error::Server { .. } | Error::Transport { .. } if safe => self.backoff(attempt),
            _ => return None,
        };
        let total = waited.checked_add(delay)?;
        (total <= self.max_total_wait).then_some(delay)
    }

    /// Exponential backoff for the wait after attempt `attempt` (1-based),
    /// with "equal jitter": between half and all of the exponential value.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponential = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_backoff);
        let factor = 0.5 + jitter() / 2.0;
        Duration::try_from_secs_f64(exponential.as_secs_f64() * factor).unwrap_or(exponential)
    }
}

/// A number in [0, 1), different on every call; good enough to spread
/// retries of concurrent clients, with no dependency.
fn jitter() -> f64 {
    let bits = RandomState::new().hash_one(Instant::now());
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    fn target() -> crate::model::target::Target {
        crate::model::target::Target::for_owner(crate::model::owner::Owner::org("acme"))
    }

    fn server_error() -> Error {
        Error::Server {
            operation: "op",
            target: target(),
            status: StatusCode::BAD_GATEWAY,
            retry_after: None,
            message: None,
        }
    }

    fn rate_limited(
        kind: RateLimitKind,
        reset: Option<DateTime<Utc>>,
        retry_after: Option<Duration>,
    ) -> Error {
        Error::RateLimited {
            operation: "op",
            target: target(),
            status: StatusCode::FORBIDDEN,
            kind,
            reset,
            retry_after,
            message: None,
        }
    }

    #[test]
    fn server_errors_are_retried_only_when_safe_with_growing_jittered_backoff() {
        let policy = RetryPolicy::new();
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        for attempt in 1..=3 {
            let delay = policy
                .delay(&server_error(), true, attempt, Duration::ZERO, now)
                .unwrap();
            let full = Duration::from_secs(1 << (attempt - 1));
            assert!(
                delay >= full / 2 && delay <= full,
                "attempt {attempt}: {delay:?}"
            );
        }
        assert_eq!(
            policy.delay(&server_error(), true, 4, Duration::ZERO, now),
            None
        );
        assert_eq!(
            policy.delay(&server_error(), false, 1, Duration::ZERO, now),
            None
        );
    }

    #[test]
    fn rate_limits_wait_as_github_asks_even_for_unsafe_requests() {
        let policy = RetryPolicy::new();
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        let after = rate_limited(RateLimitKind::Secondary, None, Some(Duration::from_secs(7)));
        assert_eq!(
            policy.delay(&after, false, 1, Duration::ZERO, now),
            Some(Duration::from_secs(7))
        );

        let reset = now + chrono::Duration::seconds(10);
        let primary = rate_limited(RateLimitKind::Primary, Some(reset), None);
        assert_eq!(
            policy.delay(&primary, false, 1, Duration::ZERO, now),
            Some(Duration::from_secs(11))
        );

        let bare = rate_limited(RateLimitKind::Secondary, None, None);
        assert_eq!(
            policy.delay(&bare, true, 1, Duration::ZERO, now),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn the_total_wait_budget_and_none_stop_retries() {
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        let far = rate_limited(
            RateLimitKind::Primary,
            Some(now + chrono::Duration::hours(1)),
            None,
        );
        assert_eq!(
            RetryPolicy::new().delay(&far, true, 1, Duration::ZERO, now),
            None
        );
        let after = rate_limited(
            RateLimitKind::Secondary,
            None,
            Some(Duration::from_secs(30)),
        );
        assert_eq!(
            RetryPolicy::new().delay(&after, true, 2, Duration::from_secs(100), now),
            None
        );
        assert_eq!(
            RetryPolicy::none().delay(&server_error(), true, 1, Duration::ZERO, now),
            None
        );
    }

    #[test]
    fn huge_waits_give_up_instead_of_overflowing() {
        let now: DateTime<Utc> = std::time::SystemTime::now().into();
        let policy = RetryPolicy::new().max_total_wait(Duration::MAX);
        let forever = rate_limited(RateLimitKind::Secondary, None, Some(Duration::MAX));
        assert_eq!(
            policy.delay(&forever, true, 2, Duration::from_secs(1), now),
            None
        );
        let unavailable = Error::Server {
            operation: "op",
            target: target(),
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: Some(Duration::from_secs(5)),
            message: None,
        };
        assert_eq!(
            RetryPolicy::new().delay(&unavailable, true, 1, Duration::ZERO, now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            RetryPolicy::new().delay(&unavailable, false, 1, Duration::ZERO, now),
            None,
            "a DELETE answered 503 may have happened"
        );
        let wild = RetryPolicy::new()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX)
            .max_total_wait(Duration::MAX);
        assert!(
            wild.delay(&server_error(), true, 3, Duration::ZERO, now)
                .is_some()
        );
    }

    #[test]
    fn backoff_is_capped() {
        let policy = RetryPolicy::new()
            .max_attempts(20)
            .max_total_wait(Duration::from_secs(3600));
        let delay = policy
            .delay(
                &server_error(),
                true,
                15,
                Duration::ZERO,
                DateTime::UNIX_EPOCH,
            )
            .unwrap();
        assert!(delay <= Duration::from_secs(30), "{delay:?}");
    }
}
