//! How far a plan has come, for a progress display that runs beside it.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How far a plan has come: packages planned of those selected, and
/// manifests read of those wanted so far (a plan learns which it wants as
/// it reads, so that total grows). Share one with
/// [`Retention::plan_with_progress`](crate::Retention::plan_with_progress)
/// and read it from another task.
#[derive(Debug, Default)]
pub struct PlanProgress {
    packages_total: AtomicUsize,
    packages_done: AtomicUsize,
    manifests_wanted: AtomicUsize,
    manifests_read: AtomicUsize,
}

impl PlanProgress {
    /// Nothing done yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Packages planned, and packages selected (0 until the selection is
    /// known).
    pub fn packages(&self) -> (usize, usize) {
        (
            self.packages_done.load(Ordering::Relaxed),
            self.packages_total.load(Ordering::Relaxed),
        )
    }

    /// Manifests read, and manifests wanted so far.
    pub fn manifests(&self) -> (usize, usize) {
        (
            self.manifests_read.load(Ordering::Relaxed),
            self.manifests_wanted.load(Ordering::Relaxed),
        )
    }

    pub(crate) fn selected(&self, packages: usize) {
        self.packages_total.store(packages, Ordering::Relaxed);
    }

    pub(crate) fn package_done(&self) {
        self.packages_done.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn wanted(&self, manifests: usize) {
        self.manifests_wanted
            .fetch_add(manifests, Ordering::Relaxed);
    }

    pub(crate) fn read(&self) {
        self.manifests_read.fetch_add(1, Ordering::Relaxed);
    }
}
