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

use std::time::Duration;

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
