//! GitHub's primary quota as the client last heard of it: every answer's
//! rate-limit headers are recorded here, and the throttle reads whether the
//! quota is spent before sending.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

use crate::model::rate_limit::RateLimit;

/// The last rate-limit state GitHub reported, shared by every request of a
/// client.
#[derive(Debug, Default)]
pub(crate) struct Quota {
    last: Mutex<Option<RateLimit>>,
    /// Whether `last` says the quota is spent, read without the lock.
    spent: AtomicBool,
}

impl Quota {
    /// Records GitHub's rate-limit headers, if the answer has them.
    pub(crate) fn observe(&self, headers: &HeaderMap) {
        if let Some(state) = RateLimit::from_headers(headers) {
            self.spent.store(state.remaining == 0, Ordering::Relaxed);
            *self.lock() = Some(state);
        }
    }

    /// The last state reported, if any.
    pub(crate) fn last(&self) -> Option<RateLimit> {
        self.lock().clone()
    }

    /// When the quota resets, if GitHub last said it is spent.
    pub(crate) fn spent_until(&self) -> Option<DateTime<Utc>> {
        if !self.spent.load(Ordering::Relaxed) {
            return None;
        }
        self.lock()
            .as_ref()
            .filter(|quota| quota.remaining == 0)
            .map(|quota| quota.reset)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<RateLimit>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
