//! Fetching feeds: one conditional GET per feed and poll, with caps, and the background
//! follower that polls every feed on its own interval.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::config::Feed;
use super::{store, FeedError};
use newsbot_ingest::corpus::formats::feed::items;

/// Most bytes read from one feed in one poll. A real feed is well under 1 MB; past this it
/// is an endless stream or not a feed.
pub const MAX_FEED_BYTES: u64 = 8 << 20;
/// Most new items written from one feed in one poll; the rest wait for the next poll, so
/// a feed that suddenly lists 100,000 items cannot flood the seed folder at once.
pub const MAX_ITEMS_PER_POLL: usize = 50;
/// The longest wait between retries of a failing feed (unless its interval is longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the server said last time, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Validators {
    #[serde(default)]
    pub etag: Option<String>,
    #[serde(default)]
    pub last_modified: Option<String>,
}

/// What one poll of one feed did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 304: nothing changed since the last poll.
    NotModified,
    Fetched {
        /// Items the feed lists.
        items: usize,
        /// Seed names of the files written.
        written: Vec<String>,
        /// New items left for a later poll by [`MAX_ITEMS_PER_POLL`].
        left: usize,
    },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::NotModified => write!(f, "not modified"),
            Outcome::Fetched {
                items,
                written,
                left,
            } => {
                write!(f, "{items} items, {} new", written.len())?;
                if *left > 0 {
                    write!(f, " ({left} more left for the next poll)")?;
                }
                Ok(())
            }
        }
    }
}

/// Polls feeds into a seed folder, remembering each feed's validators (in `state`, a JSON
/// file, when given, so a cron job's `fetch-feeds` is conditional too).
pub struct Poller {
    agent: ureq::Agent,
    seeds: PathBuf,
    state: Option<PathBuf>,
    validators: BTreeMap<String, Validators>,
}

impl Poller {
    pub fn new(seeds: &Path, state: Option<PathBuf>) -> Poller {
        let validators = state
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .redirects(5)
            .user_agent(concat!("newsbot/", env!("CARGO_PKG_VERSION")))
            .build();
        Poller {
            agent,
            seeds: seeds.to_path_buf(),
            state,
            validators,
        }
    }

    /// One conditional GET of `feed`; new items are written to the seed folder. The
    /// validators are kept only once the items are written, so a failed write is retried.
    pub fn poll(&mut self, feed: &Feed) -> Result<Outcome, FeedError> {
        let known = self.validators.get(&feed.url).cloned().unwrap_or_default();
        let mut req = self.agent.get(&feed.url);
        if let Some(e) = &known.etag {
            req = req.set("If-None-Match", e);
        }
        if let Some(m) = &known.last_modified {
            req = req.set("If-Modified-Since", m);
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, _)) => return Err(FeedError::Status(code)),
            Err(ureq::Error::Transport(t)) => return Err(FeedError::Transport(t.to_string())),
        };
        if resp.status() == 304 {
            return Ok(Outcome::NotModified);
        }
        let fresh = Validators {
            etag: resp.header("ETag").map(str::to_string),
            last_modified: resp.header("Last-Modified").map(str::to_string),
        };
        let mut body = Vec::new();
        resp.into_reader()
            .take(MAX_FEED_BYTES + 1)
            .read_to_end(&mut body)
            .map_err(FeedError::Read)?;
        if body.len() as u64 > MAX_FEED_BYTES {
            return Err(FeedError::TooLarge(MAX_FEED_BYTES >> 20));
        }
        let found = items(&body).map_err(FeedError::NotAFeed)?;
        let (written, left) = store::write_new(&self.seeds, feed, &found, MAX_ITEMS_PER_POLL)?;
        // With items left over the feed must be read again next time, not answered 304.
        let keep = if left > 0 {
            Validators::default()
        } else {
            fresh
        };
        self.validators.insert(feed.url.clone(), keep);
        self.save();
        Ok(Outcome::Fetched {
            items: found.len(),
            written,
            left,
        })
    }

    /// Best effort: losing the validators only costs one unconditional fetch.
    fn save(&self) {
        let Some(path) = &self.state else { return };
        let Ok(json) = serde_json::to_vec_pretty(&self.validators) else {
            return;
        };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(&tmp, path);
        }
    }
}

/// The wait before retrying a feed after `failures` failures in a row: its interval, then
/// doubling, up to [`MAX_BACKOFF`] (or the interval, if that is longer).
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let doubled = interval.saturating_mul(1u32 << failures.saturating_sub(1).min(16));
    doubled.min(MAX_BACKOFF.max(interval))
}

/// A background thread polling every feed on its interval, for `serve` and `chat`. A
/// failing feed is logged once per failure streak (and again when it recovers) and retried
/// with [`backoff`]; it never stops the bot or the other feeds. Dropping the follower stops
/// it; a fetch in flight is abandoned rather than waited for.
pub struct Follower {
    stop: Arc<AtomicBool>,
}

impl Follower {
    /// Starts polling; each feed is polled at once, then on its interval. `on_new` hears of
    /// every poll that wrote files.
    pub fn spawn(
        feeds: Vec<Feed>,
        seeds: PathBuf,
        state: Option<PathBuf>,
        on_new: impl Fn(&Feed, &[String]) + Send + 'static,
    ) -> Follower {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let started = std::thread::Builder::new()
            .name("newsbot-feeds".into())
            .spawn(move || follow(feeds, Poller::new(&seeds, state), flag, on_new));
        if started.is_err() {
            tracing::warn!("could not start the feed follower; feeds are not polled");
        }
        Follower { stop }
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn follow(
    feeds: Vec<Feed>,
    mut poller: Poller,
    stop: Arc<AtomicBool>,
    on_new: impl Fn(&Feed, &[String]),
) {
    let now = Instant::now();
    let mut due: Vec<Instant> = vec![now; feeds.len()];
    let mut failures: Vec<u32> = vec![0; feeds.len()];
    while !stop.load(Ordering::Relaxed) {
        let now = Instant::now();
        for (i, feed) in feeds.iter().enumerate() {
            if due[i] > now || stop.load(Ordering::Relaxed) {
                continue;
            }
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| poller.poll(feed)))
                    .unwrap_or_else(|_| Err(FeedError::NotAFeed("the reader panicked".into())));
            match result {
                Ok(outcome) => {
                    let result = match outcome {
                        Outcome::NotModified => "not_modified",
                        Outcome::Fetched { .. } => "fetched",
                    };
                    crate::feed_polled(&feed.name, result);
                    if failures[i] > 0 {
                        tracing::warn!(
                            "feed {} recovered after {} failed polls",
                            feed.name,
                            failures[i]
                        );
                    }
                    failures[i] = 0;
                    due[i] = Instant::now() + feed.interval;
                    if let Outcome::Fetched { written, left, .. } = &outcome {
                        if *left > 0 {
                            tracing::warn!(
                                "feed {}: {left} new items over the cap of {MAX_ITEMS_PER_POLL} per poll; they follow at the next poll",
                                feed.name
                            );
                        }
                        if !written.is_empty() {
                            tracing::info!("feed {}: {outcome}", feed.name);
                            on_new(feed, written);
                        }
                    }
                }
                Err(e) => {
                    crate::feed_polled(&feed.name, "failed");
                    failures[i] += 1;
                    let wait = backoff(feed.interval, failures[i]);
                    if failures[i] == 1 {
                        tracing::warn!(
                            "feed {} ({}) failed: {e}; retrying with backoff (not logged again until it recovers)",
                            feed.name,
                            feed.url
                        );
                    }
                    due[i] = Instant::now() + wait;
                }
            }
        }
        // Short naps so a stop, or the next due feed, is never late by much.
        let next = due
            .iter()
            .min()
            .copied()
            .unwrap_or(now + Duration::from_secs(1));
        let nap = next
            .saturating_duration_since(Instant::now())
            .min(Duration::from_millis(100));
        std::thread::sleep(nap.max(Duration::from_millis(10)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let m = Duration::from_secs(60);
        assert_eq!(backoff(m, 1), m);
        assert_eq!(backoff(m, 3), m * 4);
        assert_eq!(backoff(m, 40), MAX_BACKOFF);
        let day = Duration::from_secs(86_400);
        assert_eq!(backoff(day, 5), day);
    }
}
