//! A fake GitHub Packages server: in-process for Rust tests, or standalone
//! (`cargo run -p github-packages-fake -- --seed FILE`) for scripts in any
//! language.
//!
//! It is stateful and behaves like GitHub where GitHub's description is
//! silent or wrong (`docs/github-behaviour.md`): all 27
//! packages operations on the paths of `spec/`, tokens with scopes, private
//! packages, filters and pages with `Link` headers, deletion and 30-day
//! restoration, GitHub's two refusals, rate limits with GitHub's headers and
//! messages, a compressible clock, seeded faults, a request log, and the
//! registry side of container images (manifests, tags, the token exchange).
//!
//! ```no_run
//! use github_packages_fake::{Fake, PackageSeed, Seed, TokenSeed};
//!
//! # async fn example() -> Result<(), String> {
//! let fake = Fake::start(
//!     Seed::new()
//!         .org("acme", ["alice"])
//!         .token(TokenSeed::all_scopes("ghp_alice", "alice"))
//!         .package(PackageSeed::new("acme", "npm", "tool").versions(3)),
//! )
//! .await?;
//! println!("point your client at {}", fake.url());
//! assert_eq!(fake.requests().len(), 0);
//! # Ok(()) }
//! ```
//!
//! # How the crate is built
//!
//! This file is the public face: [`Fake`], the seed types and the
//! in-process controls. `server.rs` turns HTTP into calls and answers, and
//! [`admin`] serves the same controls over HTTP; both work on one running
//! fake (`instance.rs`). GitHub's semantics live in `github/` (the model
//! and its time rules, seeding, access, the nine operations, the account
//! endpoints, rendering), independent of HTTP; `routes.rs` builds the routes
//! from the generated operation table; `registry.rs` and `images.rs` serve
//! the container side (reads and pushes), `world.rs` changes it as another
//! actor would, `limits.rs` and `faults.rs` what GitHub does under load.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::net::TcpListener;
use tokio::sync::watch;

pub mod admin;
mod clock;
mod faults;
mod github;
pub mod heap;
pub mod images;
mod instance;
mod limits;
mod log;
mod registry;
pub mod routes;
mod seed;
mod server;
mod world;

pub use clock::Clock;
pub use github::model::{DOWNLOAD_LIMIT, LAST_VERSION, RESTORE_WINDOW_DAYS, TOO_MANY_DOWNLOADS};
pub use limits::{LimitStats, SECONDARY_MESSAGE};
pub use log::LoggedRequest;
pub use seed::{
    ClockSeed, FaultsSeed, ImageSeed, LimitsSeed, OrgSeed, PackageSeed, Seed, TokenKind, TokenSeed,
    UserSeed, VersionSeed,
};
pub use world::World;

use crate::faults::Faults;
use crate::github::model::State;
use crate::instance::{Hooks, InFlight, Server};
use crate::limits::Limits;
use crate::server::serve;

/// A running fake. Dropping it stops it.
#[derive(Debug)]
pub struct Fake {
    url: String,
    shared: Arc<Server>,
    stop: watch::Sender<bool>,
}

impl Fake {
    /// Starts a fake on an ephemeral loopback port.
    pub async fn start(seed: Seed) -> Result<Self, String> {
        Self::start_on(seed, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts a fake on `address`.
    pub async fn start_on(seed: Seed, address: SocketAddr) -> Result<Self, String> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| format!("cannot listen on {address}: {e}"))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("cannot tell the listening address: {e}"))?;
        let url = format!("http://{local}");
        let clock = Clock::new(seed.clock.start, seed.clock.speed);
        let state = State::from_seed(&seed, clock.now())?;
        let shared = Arc::new(Server {
            base: url.clone(),
            state: Mutex::new(state),
            grants: Mutex::default(),
            clock,
            limits: Arc::new(Limits::new(seed.limits.clone())),
            faults: Faults::new(seed.faults.clone()),
            log: Mutex::default(),
            in_flight: InFlight::default(),
            hooks: Hooks::default(),
            seed,
        });
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(serve(listener, Arc::clone(&shared), stopped));
        Ok(Self { url, shared, stop })
    }

    /// The base URL of the REST API and of the registry, e.g.
    /// `http://127.0.0.1:40123`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The fake's clock: read it, or move it forward (`advance`).
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log()
    }

    /// Forgets the requests so far.
    pub fn clear_requests(&self) {
        self.shared.clear_log();
    }

    /// The most requests the fake was answering at once (its injected
    /// latency included), for tests of a client's concurrency.
    pub fn peak_in_flight(&self) -> usize {
        self.shared.peak_in_flight()
    }

    /// Puts `faults` in force from now on (their random sequence from its
    /// start); `FaultsSeed::default()` is none.
    pub fn set_faults(&self, faults: FaultsSeed) {
        self.shared.faults.set(faults);
    }

    /// Puts the world back as the seed made it (registry sign-ins too); the
    /// clock, the log and the limits' counts go on.
    pub fn reset(&self) -> Result<(), String> {
        self.shared.reset()
    }

    /// Changes the world now, as another actor would (see [`World`]).
    ///
    /// ```no_run
    /// # fn example(fake: &github_packages_fake::Fake) -> Result<(), String> {
    /// use github_packages_fake::ImageSeed;
    ///
    /// // A build pushes a new `latest` while a clean-up is planned.
    /// let digest = fake.change(|world| world.push_image("acme", "app", &ImageSeed::new(["latest"])))?;
    /// # let _ = digest;
    /// # Ok(()) }
    /// ```
    pub fn change<T>(&self, change: impl FnOnce(&mut World<'_>) -> T) -> T {
        self.shared.change(change)
    }

    /// Calls `hook` with every request the fake receives, before it is
    /// answered, so that a test can change the world at an exact point of
    /// a client's run (when the second page of a listing is asked for,
    /// when the third DELETE arrives). The request's `status` is `None`.
    pub fn on_request(&self, hook: impl FnMut(&LoggedRequest, &mut World<'_>) + Send + 'static) {
        self.shared
            .hooks
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Box::new(hook));
    }

    /// How many answers were rate limits.
    pub fn limit_stats(&self) -> LimitStats {
        self.shared.limits.stats()
    }

    /// The names of a package's active versions, newest first; `None` if
    /// there is no such package. For tests to check what a client did.
    pub fn active_versions(
        &self,
        owner: &str,
        package_type: &str,
        name: &str,
    ) -> Option<Vec<String>> {
        self.with_package(owner, package_type, name, |package| {
            let mut versions: Vec<_> = package
                .versions
                .iter()
                .filter(|v| v.deleted.is_none())
                .collect();
            versions.sort_by(|a, b| github::model::newest_first(a, b));
            versions.into_iter().map(|v| v.name.clone()).collect()
        })
    }

    /// How often a version was downloaded (a manifest GET counts).
    pub fn downloads(
        &self,
        owner: &str,
        package_type: &str,
        name: &str,
        version: &str,
    ) -> Option<u64> {
        self.with_package(owner, package_type, name, |package| {
            package
                .versions
                .iter()
                .find(|v| v.name == version)
                .map(|v| v.downloads)
        })
        .flatten()
    }

    /// `look` at a package, under the state's lock; `None` if there is no
    /// such package.
    fn with_package<T>(
        &self,
        owner: &str,
        package_type: &str,
        name: &str,
        look: impl FnOnce(&github::model::Package) -> T,
    ) -> Option<T> {
        let state = self
            .shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let package = &state.packages[state.position(owner, package_type, name)?];
        Some(look(package))
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
