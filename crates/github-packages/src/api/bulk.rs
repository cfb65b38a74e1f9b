//! Deleting or restoring many packages or versions: every item is
//! attempted through the client's [`Throttle`](crate::Throttle) and gets
//! its own outcome; one failure does not stop the rest unless asked.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::sync::PoisonError;

use futures::future::{self, BoxFuture, Either, FutureExt as _};
use futures::stream::{FuturesUnordered, Stream, StreamExt};

use crate::api::dispatch;
use crate::client::Client;
use crate::error::Error;
use crate::http::pipeline::{DryRun, Halt, Write};
use crate::http::throttle::DEFAULT_CONCURRENCY;
use crate::model::target::Target;

/// What a [`Bulk`] does to each item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkAction {
    /// Delete (restorable for 30 days).
    Delete,
    /// Restore what was deleted in the last 30 days.
    Restore,
}

/// Many deletions or restores, from [`PackageRef::delete_versions`],
/// [`PackageRef::restore_versions`], [`OwnerPackages::delete_packages`] or
/// [`OwnerPackages::restore_packages`]. Await it for a [`BulkReport`], or
/// [`stream`](Self::stream) the outcomes as they come (for progress).
///
/// [`PackageRef::delete_versions`]: crate::PackageRef::delete_versions
/// [`PackageRef::restore_versions`]: crate::PackageRef::restore_versions
/// [`OwnerPackages::delete_packages`]: crate::OwnerPackages::delete_packages
/// [`OwnerPackages::restore_packages`]: crate::OwnerPackages::restore_packages
///
/// Every item is attempted once through the client (its throttle and retry
/// policy apply), up to [`concurrency`](Self::concurrency) at a time.
/// Outcomes are per item ([`BulkOutcome`]): a 404 on a deletion counts as
/// already gone, GitHub's refusals and 403s as refused, anything else as
/// failed; none of them stops the rest unless
/// [`stop_on_failure`](Self::stop_on_failure) says so.
///
/// ```no_run
/// # async fn example(image: github_packages::PackageRef, ids: Vec<github_packages::VersionId>) -> github_packages::Result<()> {
/// // See what would be sent first.
/// let plan = image.delete_versions(ids.iter().copied()).dry_run(true).await;
/// for item in &plan.items {
///     println!("{:?}", item.outcome);
/// }
/// let report = image.delete_versions(ids).await;
/// println!("{report}");
/// # Ok(()) }
/// ```
///
/// Stopping: dropping the future or the stream starts no more requests,
/// but the requests in flight at that moment are cut off, and GitHub may
/// or may not have carried them out. [`stop_when`](Self::stop_when) stops
/// cleanly: once the signal completes no request is sent (not even one
/// waiting for the throttle or for a retry), the ones already sent finish
/// and are reported, and the rest are reported as
/// [`NotAttempted`](BulkOutcome::NotAttempted).
#[must_use = "a bulk operation does nothing until it is awaited or streamed"]
pub struct Bulk {
    client: Client,
    action: BulkAction,
    items: Vec<Target>,
    dry_run: bool,
    stop_on_failure: bool,
    concurrency: usize,
    stop: Option<BoxFuture<'static, ()>>,
}

impl fmt::Debug for Bulk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bulk")
            .field("action", &self.action)
            .field("items", &self.items.len())
            .field("dry_run", &self.dry_run)
            .field("stop_on_failure", &self.stop_on_failure)
            .field("concurrency", &self.concurrency)
            .field("stop_when", &self.stop.is_some())
            .finish()
    }
}

impl Bulk {
    pub(crate) fn new(client: Client, action: BulkAction, items: Vec<Target>) -> Self {
        Self {
            client,
            action,
            items,
            dry_run: false,
            stop_on_failure: false,
            concurrency: DEFAULT_CONCURRENCY,
            stop: None,
        }
    }

    /// Sends nothing: each item's request is built and checked as it would
    /// be sent, and reported as [`BulkOutcome::DryRun`] with its method and
    /// URL.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Stops starting requests after the first item that was neither done
    /// nor already gone (refused or failed); the rest are reported as
    /// [`NotAttempted`](BulkOutcome::NotAttempted).
    pub fn stop_on_failure(mut self) -> Self {
        self.stop_on_failure = true;
        self
    }

    /// At most this many items in flight ([`DEFAULT_CONCURRENCY`] by
    /// default); the client's throttle may hold them back further.
    pub fn concurrency(mut self, items: usize) -> Self {
        self.concurrency = items.max(1);
        self
    }

    /// Stops cleanly when `signal` completes (Ctrl-C, a deadline): from then
    /// on no request is sent, including those waiting for the throttle or
    /// a retry, and a signal that completed before the run starts sends
    /// nothing at all. Requests already sent finish and are reported; the
    /// rest are [`NotAttempted`](BulkOutcome::NotAttempted).
    ///
    /// ```no_run
    /// # async fn example(image: github_packages::PackageRef, ids: Vec<github_packages::VersionId>) {
    /// use std::time::Duration;
    ///
    /// // At most ten minutes of deleting; what is left waits for next time.
    /// let report = image
    ///     .delete_versions(ids)
    ///     .stop_when(tokio::time::sleep(Duration::from_secs(600)))
    ///     .await;
    /// println!("{report}");
    /// # }
    /// ```
    pub fn stop_when(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.stop = Some(Box::pin(signal));
        self
    }

    /// Each item's outcome as it comes, in the order they finish.
    pub fn stream(self) -> impl Stream<Item = BulkItem> + Send + 'static {
        let run = Run {
            client: self.client,
            action: self.action,
            dry_run: self.dry_run,
            stop_on_failure: self.stop_on_failure,
            concurrency: self.concurrency,
            pending: self.items.into_iter().enumerate(),
            in_flight: FuturesUnordered::new(),
            stop: self.stop,
            halt: Halt::default(),
        };
        futures::stream::unfold(run, |mut run| async move {
            let item = run.next().await?;
            Some((item, run))
        })
        .boxed()
    }

    /// Runs every item and reports, in the order the items were given.
    pub async fn send(self) -> BulkReport {
        self.send_with(|_| {}).await
    }

    /// [`send`](Self::send), showing each item to `progress` as it
    /// finishes (for a progress bar, say).
    pub async fn send_with(self, mut progress: impl FnMut(&BulkItem)) -> BulkReport {
        let action = self.action;
        let mut items: Vec<BulkItem> = self.stream().inspect(|item| progress(item)).collect().await;
        items.sort_by_key(|item| item.index);
        BulkReport { action, items }
    }
}

impl IntoFuture for Bulk {
    type Output = BulkReport;
    type IntoFuture = BoxFuture<'static, BulkReport>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// One item of a [`Bulk`] and what became of it.
#[derive(Debug)]
pub struct BulkItem {
    /// Its position among the items given.
    pub index: usize,
    /// The package or version.
    pub target: Target,
    /// Deleted or restored.
    pub action: BulkAction,
    /// What happened.
    pub outcome: BulkOutcome,
}

/// What became of one item of a [`Bulk`].
#[derive(Debug)]
pub enum BulkOutcome {
    /// Deleted or restored.
    Done,
    /// A deletion answered 404: deleted before (a second deletion), or not
    /// there for this token. Counted as done.
    AlreadyGone,
    /// GitHub refused: the package's last version, a public version
    /// downloaded too often ([`Error::Refused`]), or no permission
    /// ([`Error::Forbidden`]).
    Refused(Error),
    /// Anything else went wrong; the error says what.
    Failed(Error),
    /// A dry run: this request would have been sent.
    DryRun {
        /// `DELETE` or `POST`.
        method: reqwest::Method,
        /// The full URL (a restore token is shown as `[redacted]`).
        url: String,
    },
    /// Not attempted: the run stopped before the request was sent
    /// ([`Bulk::stop_on_failure`], [`Bulk::stop_when`]).
    NotAttempted,
}

impl BulkOutcome {
    /// Done, or already gone: nothing left to do for this item.
    pub fn is_done(&self) -> bool {
        matches!(self, Self::Done | Self::AlreadyGone)
    }

    /// The error of a refused or failed item.
    pub fn error(&self) -> Option<&Error> {
        match self {
            Self::Refused(error) | Self::Failed(error) => Some(error),
            _ => None,
        }
    }
}

/// The outcomes of a [`Bulk`], in the order the items were given.
/// `Display` gives a one-line summary.
#[derive(Debug)]
pub struct BulkReport {
    /// What the run did.
    pub action: BulkAction,
    /// Every item, in the order given.
    pub items: Vec<BulkItem>,
}

impl BulkReport {
    fn count(&self, which: impl Fn(&BulkOutcome) -> bool) -> usize {
        self.items.iter().filter(|i| which(&i.outcome)).count()
    }

    /// Deleted or restored by this run.
    pub fn done(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Done))
    }

    /// Deletions answered 404.
    pub fn already_gone(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::AlreadyGone))
    }

    /// Refused by GitHub.
    pub fn refused(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Refused(_)))
    }

    /// Failed otherwise.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::Failed(_)))
    }

    /// Reported by a dry run.
    pub fn planned(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::DryRun { .. }))
    }

    /// Not attempted because the run stopped.
    pub fn not_attempted(&self) -> usize {
        self.count(|o| matches!(o, BulkOutcome::NotAttempted))
    }

    /// Whether every item is done, already gone, or was planned.
    pub fn is_success(&self) -> bool {
        self.items
            .iter()
            .all(|i| i.outcome.is_done() || matches!(i.outcome, BulkOutcome::DryRun { .. }))
    }
}

impl fmt::Display for BulkReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let done = match self.action {
            BulkAction::Delete => "deleted",
            BulkAction::Restore => "restored",
        };
        if self.planned() > 0 {
            write!(f, "dry run: {} would be {done}; ", self.planned())?;
        }
        write!(
            f,
            "{} {done}, {} already gone, {} refused, {} failed, {} not attempted",
            self.done(),
            self.already_gone(),
            self.refused(),
            self.failed(),
            self.not_attempted()
        )
    }
}

/// A bulk operation under way.
struct Run {
    client: Client,
    action: BulkAction,
    dry_run: bool,
    stop_on_failure: bool,
    concurrency: usize,
    pending: std::iter::Enumerate<std::vec::IntoIter<Target>>,
    in_flight: FuturesUnordered<BoxFuture<'static, BulkItem>>,
    stop: Option<BoxFuture<'static, ()>>,
    /// Set once the run stops: nothing more is sent, and the rest are
    /// reported as not attempted.
    halt: Halt,
}

impl Run {
    fn stopping(&self) -> bool {
        self.halt.is_halted()
    }

    async fn next(&mut self) -> Option<BulkItem> {
        loop {
            // A signal that has already completed stops the run before it
            // starts anything more.
            if let Some(stop) = self.stop.as_mut()
                && stop.now_or_never().is_some()
            {
                self.stop = None;
                self.halt.halt();
            }
            while !self.stopping() && self.in_flight.len() < self.concurrency {
                let Some((index, target)) = self.pending.next() else {
                    break;
                };
                let (client, action, dry_run) = (self.client.clone(), self.action, self.dry_run);
                let halt = self.halt.clone();
                self.in_flight.push(Box::pin(async move {
                    let outcome = attempt(&client, action, &target, dry_run, &halt).await;
                    BulkItem {
                        index,
                        target,
                        action,
                        outcome,
                    }
                }));
            }
            if self.in_flight.is_empty() {
                if !self.stopping() {
                    return None;
                }
                let (index, target) = self.pending.next()?;
                return Some(BulkItem {
                    index,
                    target,
                    action: self.action,
                    outcome: BulkOutcome::NotAttempted,
                });
            }
            let finished = match self.stop.as_mut() {
                None => self.in_flight.next().await,
                Some(stop) => match future::select(self.in_flight.next(), stop).await {
                    Either::Left((finished, _)) => finished,
                    Either::Right(((), _)) => {
                        self.stop = None;
                        self.halt.halt();
                        continue;
                    }
                },
            };
            let item = finished?;
            if self.stop_on_failure && item.outcome.error().is_some() {
                self.halt.halt();
            }
            return Some(item);
        }
    }
}

/// One item's request, and what its answer means for a bulk run.
async fn attempt(
    client: &Client,
    action: BulkAction,
    target: &Target,
    dry_run: bool,
    halt: &Halt,
) -> BulkOutcome {
    let pipeline = client.pipeline();
    let planned = dry_run.then(DryRun::default);
    let write = Write {
        dry_run: planned.as_ref(),
        halt: Some(halt),
    };
    let result = match (action, target.version_id().is_some()) {
        (BulkAction::Delete, true) => dispatch::delete_version(pipeline, target, write).await,
        (BulkAction::Delete, false) => dispatch::delete_package(pipeline, target, write).await,
        (BulkAction::Restore, true) => dispatch::restore_version(pipeline, target, write).await,
        (BulkAction::Restore, false) => {
            dispatch::restore_package(pipeline, target, None, write).await
        }
    };
    match result {
        Ok(()) => match planned {
            None => BulkOutcome::Done,
            Some(planned) => match planned.into_inner().unwrap_or_else(PoisonError::into_inner) {
                Some((method, url)) => BulkOutcome::DryRun { method, url },
                // Never reported as done: nothing was sent.
                None => BulkOutcome::Failed(Error::InvalidArgument {
                    operation: "bulk dry run",
                    message: "the dry run built no request".to_owned(),
                }),
            },
        },
        Err(Error::Stopped { .. }) => BulkOutcome::NotAttempted,
        Err(error) if action == BulkAction::Delete && error.is_not_found() => {
            BulkOutcome::AlreadyGone
        }
        Err(error @ (Error::Refused { .. } | Error::Forbidden { .. })) => {
            BulkOutcome::Refused(error)
        }
        Err(error) => BulkOutcome::Failed(error),
    }
}
