//! Following feeds: polling RSS/Atom URLs and writing new items into the seed folder as
//! Markdown files (`feeds/<feed>/<date>-<slug>.md`), so the seed watcher indexes them like
//! any other file and everything downstream (merging copies, sources, accounting) is
//! unchanged.
//!
//! - [`config`]: `feeds.toml` and `NEWSBOT_FEEDS`;
//! - [`store`]: feed items → seed files;
//! - [`poll`]: one conditional fetch (ETag / Last-Modified), with caps, and the background
//!   [`Follower`] that polls each feed on its interval and backs off on errors.

pub mod config;
pub mod poll;
pub mod store;

pub use config::{Feed, DEFAULT_INTERVAL};
pub use poll::{Follower, Outcome, Poller};

/// Why polling one feed failed. The follower logs it once per failure streak and retries.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("{source_name}: {message}")]
    Config {
        source_name: String,
        message: String,
    },
    #[error("HTTP {0}")]
    Status(u16),
    #[error("cannot reach the feed: {0}")]
    Transport(String),
    #[error("the feed is larger than {0} MB; not read")]
    TooLarge(u64),
    #[error("not an RSS or Atom feed ({0})")]
    NotAFeed(String),
    #[error("cannot write {path}: {cause}")]
    Write {
        path: std::path::PathBuf,
        cause: std::io::Error,
    },
    #[error("reading the feed: {0}")]
    Read(std::io::Error),
}

impl FeedError {
    /// A feeds file or flag the user wrote wrong (exit 2); the rest are failures of one
    /// poll, retried.
    pub fn is_user(&self) -> bool {
        matches!(self, FeedError::Config { .. })
    }
}

/// Feed polls by `feed` and `result` (`fetched`, `not_modified`, `failed`).
pub const FEED_POLLS: &str = "newsbot_feed_polls_total";

/// Counts one feed poll; `result` is `fetched`, `not_modified` or `failed`.
pub fn feed_polled(feed: &str, result: &'static str) {
    metrics::counter!(FEED_POLLS, "feed" => feed.to_string(), "result" => result).increment(1);
}
