//! Faults, drawn from a random sequence fixed by the seed, so a sequence
//! of requests meets the same faults on every run.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::seed::FaultsSeed;

/// What happens to one request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Fate {
    /// Close the connection without an answer.
    pub(crate) dropped: bool,
    /// Answer 5xx: `Some(true)` an HTML 502 page, `Some(false)` a JSON 500.
    pub(crate) server_error: Option<bool>,
    /// Wait before answering.
    pub(crate) latency: Duration,
    /// Trickle the body out with these pauses.
    pub(crate) slow_body: Option<Duration>,
}

/// The faults in force and the random sequence they are drawn from; both
/// can be replaced while the fake runs.
#[derive(Debug)]
pub(crate) struct Faults(Mutex<(FaultsSeed, fastrand::Rng)>);

impl Faults {
    pub(crate) fn new(config: FaultsSeed) -> Self {
        Self(Mutex::new((
            config.clone(),
            fastrand::Rng::with_seed(config.seed),
        )))
    }

    /// Puts `config` in force, its random sequence from the start.
    pub(crate) fn set(&self, config: FaultsSeed) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) =
            (config.clone(), fastrand::Rng::with_seed(config.seed));
    }

    /// Whether the next registry request is refused as too many
    /// (`registry_busy`), counting it.
    pub(crate) fn registry_busy(&self) -> bool {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let busy = &mut guard.0.registry_busy;
        let refused = *busy > 0;
        *busy = busy.saturating_sub(1);
        refused
    }

    /// Draws the next request's fate.
    pub(crate) fn draw(&self) -> Fate {
        let mut guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (config, rng) = &mut *guard;
        let dropped = config.dropped > 0.0 && rng.f64() < config.dropped;
        let server_error =
            (config.server_errors > 0.0 && rng.f64() < config.server_errors).then(|| rng.bool());
        let jitter = if config.jitter_ms > 0 {
            rng.u64(0..=config.jitter_ms)
        } else {
            0
        };
        Fate {
            dropped,
            server_error,
            latency: Duration::from_millis(config.latency_ms + jitter),
            slow_body: (config.slow_body_ms > 0)
                .then(|| Duration::from_millis(config.slow_body_ms)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let config = FaultsSeed {
            seed: 42,
            jitter_ms: 50,
            server_errors: 0.3,
            dropped: 0.1,
            ..FaultsSeed::default()
        };
        let draws = |faults: Faults| (0..200).map(|_| faults.draw()).collect::<Vec<_>>();
        let first = draws(Faults::new(config.clone()));
        assert_eq!(first, draws(Faults::new(config.clone())));
        let errors = first.iter().filter(|f| f.server_error.is_some()).count();
        assert!((30..=90).contains(&errors), "{errors} of 200 at 30%");
        assert!(first.iter().any(|f| f.server_error == Some(true)));
        assert!(first.iter().any(|f| f.server_error == Some(false)));
        assert!(first.iter().all(|f| f.latency <= Duration::from_millis(50)));
        assert_ne!(first, draws(Faults::new(FaultsSeed { seed: 43, ..config })));
    }
}
