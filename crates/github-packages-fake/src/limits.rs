//! GitHub's rate limits ("Rate limits for the REST API"; docs/github-behaviour.md,
//! "Rate limits"), each configurable or off:
//!
//! - primary: requests per hour per token, reported on every answer in
//!   `x-ratelimit-limit`, `-remaining`, `-used`, `-reset`, `-resource`;
//!   spent, GitHub answers 403 with `remaining: 0`;
//! - secondary: points per minute per token and endpoint (GET/HEAD 1,
//!   others 5; a sliding window), and requests in flight per token; over
//!   either, GitHub answers 403 with its "secondary rate limit" message
//!   and `Retry-After`.
//!
//! Time is the fake's clock; announced waits are converted to real time.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::github::accounts::Quota;
use crate::github::render::Answer;
use crate::seed::LimitsSeed;

/// GitHub's message for a secondary limit.
pub const SECONDARY_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few \
     minutes before you try again. If you reach out to GitHub Support for help, please include \
     the request ID.";
const SECONDARY_DOCS: &str = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/// The limits' state.
#[derive(Debug)]
pub(crate) struct Limits {
    config: LimitsSeed,
    inner: Mutex<Inner>,
}

/// When each request of a sliding window came, and its points.
type Window = VecDeque<(DateTime<Utc>, u64)>;

#[derive(Debug, Default)]
struct Inner {
    /// Per key: window start and requests in it.
    primary: HashMap<String, (DateTime<Utc>, u64)>,
    /// Per key and endpoint: (when, points) in the last minute.
    points: HashMap<(String, &'static str), Window>,
    in_flight: HashMap<String, u64>,
    /// How many answers were rate limits, by kind.
    pub(crate) primary_limited: u64,
    pub(crate) secondary_limited: u64,
}

/// Counts of rate-limit answers, for benchmarks and tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LimitStats {
    /// 403s because the hourly quota was spent.
    pub primary: u64,
    /// 403s because of a secondary limit.
    pub secondary: u64,
}

/// A request admitted under the limits; dropping it ends its flight.
#[derive(Debug)]
pub(crate) struct Admission {
    limits: Arc<Limits>,
    key: String,
    /// `x-ratelimit-*` headers for the answer.
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut inner = self.limits.lock();
        if let Some(count) = inner.in_flight.get_mut(&self.key) {
            *count = count.saturating_sub(1);
        }
    }
}

impl Limits {
    pub(crate) fn new(config: LimitsSeed) -> Self {
        Self {
            config,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn stats(&self) -> LimitStats {
        let inner = self.lock();
        LimitStats {
            primary: inner.primary_limited,
            secondary: inner.secondary_limited,
        }
    }

    /// `key`'s primary quota as counted so far, without counting (as
    /// `GET /rate_limit` reads it); `None` when the primary limit is off.
    pub(crate) fn quota(&self, clock: &Clock, key: &str) -> Option<Quota> {
        if self.config.primary == 0 {
            return None;
        }
        let now = clock.now();
        let inner = self.lock();
        let (start, used) = inner
            .primary
            .get(key)
            .copied()
            .filter(|(start, _)| now - *start < Duration::hours(1))
            .unwrap_or((now, 0));
        Some(Quota {
            limit: self.config.primary,
            used,
            reset: clock.real_epoch_seconds(start + Duration::hours(1)),
        })
    }

    /// Admits one request by `key` (a token, or the anonymous caller) to
    /// `endpoint` (method and path template), or answers as GitHub would.
    pub(crate) fn admit(
        self: &Arc<Self>,
        clock: &Clock,
        key: &str,
        method: &str,
        endpoint: &'static str,
    ) -> Result<Admission, Answer> {
        let now = clock.now();
        let mut inner = self.lock();
        let mut headers = Vec::new();

        if self.config.primary > 0 {
            let window = inner.primary.entry(key.to_owned()).or_insert((now, 0));
            if now - window.0 >= Duration::hours(1) {
                *window = (now, 0);
            }
            let (start, used) = *window;
            let reset = clock
                .real_epoch_seconds(start + Duration::hours(1))
                .to_string();
            let spent = used >= self.config.primary;
            if !spent {
                window.1 += 1;
            }
            let used = window.1;
            headers.extend([
                ("x-ratelimit-limit", self.config.primary.to_string()),
                (
                    "x-ratelimit-remaining",
                    self.config.primary.saturating_sub(used).to_string(),
                ),
                ("x-ratelimit-used", used.to_string()),
                ("x-ratelimit-reset", reset),
                ("x-ratelimit-resource", "core".to_owned()),
            ]);
            if spent {
                inner.primary_limited += 1;
                let mut answer = Answer::error(403, "API rate limit exceeded for this token.");
                answer.headers = headers;
                return Err(answer);
            }
        }

        let flying = inner.in_flight.entry(key.to_owned()).or_insert(0);
        if self.config.concurrency > 0 && *flying >= self.config.concurrency {
            inner.secondary_limited += 1;
            return Err(secondary(headers, std::time::Duration::from_secs(1)));
        }

        if self.config.points_per_minute > 0 {
            let cost = if matches!(method, "GET" | "HEAD" | "OPTIONS") {
                1
            } else {
                5
            };
            let budget = self.config.points_per_minute;
            let log = inner.points.entry((key.to_owned(), endpoint)).or_default();
            while log
                .front()
                .is_some_and(|(at, _)| now - *at >= Duration::minutes(1))
            {
                log.pop_front();
            }
            let spent: u64 = log.iter().map(|(_, p)| p).sum();
            if spent + cost > budget {
                // Wait until enough of the window has expired.
                let mut freed = 0;
                let mut until = now + Duration::minutes(1);
                for (at, points) in log.iter() {
                    freed += points;
                    if spent - freed + cost <= budget {
                        until = *at + Duration::minutes(1);
                        break;
                    }
                }
                inner.secondary_limited += 1;
                let wait = clock.to_real(until - now);
                return Err(secondary(headers, wait));
            }
            log.push_back((now, cost));
        }

        *inner.in_flight.entry(key.to_owned()).or_insert(0) += 1;
        Ok(Admission {
            limits: Arc::clone(self),
            key: key.to_owned(),
            headers,
        })
    }
}

/// GitHub's secondary-limit answer, waiting at least a second.
fn secondary(headers: Vec<(&'static str, String)>, wait: std::time::Duration) -> Answer {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut answer = Answer::error(403, SECONDARY_MESSAGE);
    if let Some(body) = &mut answer.body {
        body["documentation_url"] = SECONDARY_DOCS.into();
    }
    answer.headers = headers;
    answer.headers.push(("retry-after", seconds.to_string()));
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(primary: u64, points: u64, concurrency: u64) -> Arc<Limits> {
        Arc::new(Limits::new(LimitsSeed {
            primary,
            points_per_minute: points,
            concurrency,
        }))
    }

    #[test]
    fn the_primary_quota_counts_down_and_runs_out() {
        let clock = Clock::new(None, 1.0);
        let limits = limits(2, 0, 0);
        let first = limits.admit(&clock, "t", "GET", "/a").unwrap();
        assert!(
            first
                .headers
                .contains(&("x-ratelimit-remaining", "1".to_owned()))
        );
        drop(limits.admit(&clock, "t", "GET", "/a").unwrap());
        let refused = limits.admit(&clock, "t", "GET", "/a").unwrap_err();
        assert_eq!(refused.status, 403);
        assert!(
            refused
                .headers
                .contains(&("x-ratelimit-remaining", "0".to_owned()))
        );
        assert_eq!(
            limits.stats(),
            LimitStats {
                primary: 1,
                secondary: 0
            }
        );
        assert!(
            limits.admit(&clock, "other", "GET", "/a").is_ok(),
            "per token"
        );
    }

    #[test]
    fn points_are_per_endpoint_and_deletes_cost_five() {
        let clock = Clock::new(None, 1.0);
        let limits = limits(0, 10, 0);
        for _ in 0..2 {
            drop(limits.admit(&clock, "t", "DELETE", "/v").unwrap());
        }
        let refused = limits.admit(&clock, "t", "DELETE", "/v").unwrap_err();
        assert_eq!(refused.status, 403);
        let retry: u64 = refused
            .headers
            .iter()
            .find(|(n, _)| *n == "retry-after")
            .unwrap()
            .1
            .parse()
            .unwrap();
        assert!((59..=60).contains(&retry), "{retry}");
        assert!(limits.admit(&clock, "t", "GET", "/other").is_ok());
        clock.advance(Duration::seconds(61));
        assert!(
            limits.admit(&clock, "t", "DELETE", "/v").is_ok(),
            "the window slid on"
        );
    }

    #[test]
    fn requests_in_flight_are_capped() {
        let clock = Clock::new(None, 1.0);
        let limits = limits(0, 0, 2);
        let a = limits.admit(&clock, "t", "GET", "/a").unwrap();
        let _b = limits.admit(&clock, "t", "GET", "/a").unwrap();
        assert!(limits.admit(&clock, "t", "GET", "/a").is_err());
        drop(a);
        assert!(limits.admit(&clock, "t", "GET", "/a").is_ok());
        assert_eq!(limits.stats().secondary, 1);
    }
}
