//! Live re-indexing: picks up added, changed and removed seed files under a running engine.
//!
//! Only the articles of changed files are deleted and re-added; the rest of the index is left
//! alone. Requests keep using the snapshot they started with, and the new index is swapped in
//! with [`IndexHandle::replace`](crate::index::IndexHandle::replace) only after tantivy has
//! committed, so a failed or half-done re-index is never visible.
//!
//! On disk, a marker file exists while a commit is in flight and the manifest is rewritten
//! after the commit; a crash at any point leaves either the previous index with its manifest,
//! or a marker / manifest mismatch that makes the next start rebuild.
//!
//! [`reindex`] applies one change; [`watch`] polls the seed folder and calls it; [`shared`]
//! lets several processes serve one data folder, one writing and the rest reading; [`prompts`]
//! reloads the prompts folder when it is edited.

pub mod prompts;
pub mod reindex;
pub mod shared;
pub mod watch;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use prompts::{PromptChange, PromptWatchOptions, PromptWatcher};
pub use reindex::{Reindexer, CACHE_LIMIT_BYTES};
pub use shared::{Claim, Reloader, WriterLock};
pub use watch::{WatchOptions, Watcher};

/// What one re-index did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Seed files whose content changed, appeared or disappeared.
    pub files: Vec<String>,
    pub articles_added: usize,
    pub articles_removed: usize,
    pub passages: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "re-indexed {} changed file{} ({}): +{} −{} articles, {} passages now, in {} ms",
            self.files.len(),
            if self.files.len() == 1 { "" } else { "s" },
            self.files.join(", "),
            self.articles_added,
            self.articles_removed,
            self.passages,
            self.elapsed.as_millis()
        )
    }
}

/// A polling thread that stops when its guard is dropped: what [`Watcher`], [`Reloader`],
/// [`PromptWatcher`] and the service's embedding worker are. The thread's body gets the stop flag and checks it between
/// polls.
pub struct Background {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Background {
    /// Starts `body` on a thread named `name`. If the thread cannot start, logs that `what`
    /// is off and returns a guard that does nothing.
    pub fn spawn(
        name: &str,
        what: &str,
        body: impl FnOnce(Arc<AtomicBool>) + Send + 'static,
    ) -> Background {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || body(flag))
            .ok();
        if thread.is_none() {
            tracing::warn!("could not start the {name} thread; {what}");
        }
        Background { stop, thread }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Sleeps `d` in short naps, so dropping a guard never waits a whole poll interval.
pub fn nap(stop: &AtomicBool, d: Duration) {
    let until = Instant::now() + d;
    while Instant::now() < until && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(50).min(d));
    }
}
