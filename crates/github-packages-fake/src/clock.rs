//! The fake's time: it starts where the seed says, runs `speed` times as
//! fast as real time (so a rate-limit "minute" can pass in a second), and
//! can be moved forward (so a 30-day restore window can close in a test).
//!
//! Clients live in real time, so waits the fake announces (`Retry-After`,
//! `x-ratelimit-reset`) are converted back into real time.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

/// The fake's clock.
#[derive(Debug)]
pub struct Clock {
    /// The fake time at a real instant, and how fast it runs from there.
    anchor: Mutex<Anchor>,
}

#[derive(Clone, Copy, Debug)]
struct Anchor {
    real: Instant,
    fake: DateTime<Utc>,
    speed: f64,
}

/// A speed the clock can run at: positive and finite, else real time.
fn valid(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    }
}

impl Clock {
    pub(crate) fn new(start: Option<DateTime<Utc>>, speed: f64) -> Self {
        Self {
            anchor: Mutex::new(Anchor {
                real: Instant::now(),
                fake: start.unwrap_or_else(|| SystemTime::now().into()),
                speed: valid(speed),
            }),
        }
    }

    fn anchor(&self) -> std::sync::MutexGuard<'_, Anchor> {
        self.anchor.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The fake's current time.
    pub fn now(&self) -> DateTime<Utc> {
        Self::at(&self.anchor())
    }

    fn at(anchor: &Anchor) -> DateTime<Utc> {
        let run = anchor.real.elapsed().mul_f64(anchor.speed);
        anchor.fake + chrono::Duration::from_std(run).unwrap_or(chrono::Duration::MAX)
    }

    /// Moves the fake's time forward.
    pub fn advance(&self, by: chrono::Duration) {
        let mut anchor = self.anchor();
        anchor.fake += by;
    }

    /// How fast the fake's time runs.
    pub fn speed(&self) -> f64 {
        self.anchor().speed
    }

    /// Runs the fake's time `speed` times as fast as real time from now
    /// on, without a jump (a speed that is not positive and finite is 1).
    pub fn set_speed(&self, speed: f64) {
        let mut anchor = self.anchor();
        *anchor = Anchor {
            real: Instant::now(),
            fake: Self::at(&anchor),
            speed: valid(speed),
        };
    }

    /// A span of the fake's time, as real time.
    pub fn to_real(&self, fake: chrono::Duration) -> Duration {
        fake.to_std().unwrap_or_default().div_f64(self.speed())
    }

    /// When a moment of the fake's time happens in real time, as seconds
    /// since the epoch (for `x-ratelimit-reset`), rounded up: a client
    /// waiting until then must find the moment passed.
    pub fn real_epoch_seconds(&self, at: DateTime<Utc>) -> i64 {
        let now: DateTime<Utc> = SystemTime::now().into();
        let ahead = self.to_real(at - self.now());
        let real = now + chrono::Duration::from_std(ahead).unwrap_or_default();
        real.timestamp() + i64::from(real.timestamp_subsec_nanos() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_can_run_fast_and_jump() {
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = Clock::new(Some(start), 3600.0);
        std::thread::sleep(Duration::from_millis(20));
        let ran = clock.now() - start;
        assert!(ran >= chrono::Duration::seconds(60), "{ran}");
        clock.advance(chrono::Duration::days(31));
        assert!(clock.now() - start > chrono::Duration::days(31));
        assert_eq!(
            clock.to_real(chrono::Duration::hours(1)),
            Duration::from_secs(1)
        );
        let before = clock.now();
        clock.set_speed(1.0);
        let after = clock.now();
        assert!(
            after >= before && after - before < chrono::Duration::minutes(1),
            "no jump"
        );
        assert_eq!(clock.speed(), 1.0);
    }
}
