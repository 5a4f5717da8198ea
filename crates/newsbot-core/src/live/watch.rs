//! The background thread that polls the seed folder and re-indexes when it changed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::index::stamps::Stamp;
use crate::index::{IndexHandle, Storage};

use super::{Reindexer, Report};

/// How often the seed folder is looked at, and how long it must stay still before a
/// re-index starts (an editor saving, or a copy of many files, is one change, not many).
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    pub poll: Duration,
    pub debounce: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            poll: Duration::from_millis(500),
            debounce: Duration::from_millis(700),
        }
    }
}

/// A background thread that keeps the engine's index in step with the seed folder. Polls
/// rather than using OS file events: a few hundred `stat` calls a second cost nothing and it
/// behaves the same on every filesystem, including network mounts and containers. Dropping
/// the watcher stops the thread.
pub struct Watcher {
    _thread: super::Background,
}

impl Watcher {
    /// Starts watching. `on_reindex` is called after each successful re-index (to print or
    /// log it); failures are logged and retried on the next change, and the last good index
    /// keeps serving.
    pub fn spawn(
        handle: IndexHandle,
        seeds: PathBuf,
        storage: Storage,
        options: WatchOptions,
        on_reindex: impl Fn(&Report) + Send + 'static,
    ) -> Watcher {
        Watcher {
            _thread: super::Background::spawn(
                "newsbot-watch",
                "live re-indexing is off",
                move |stop| watch(handle, seeds, storage, options, stop, on_reindex),
            ),
        }
    }
}

fn watch(
    handle: IndexHandle,
    seeds: PathBuf,
    storage: Storage,
    options: WatchOptions,
    stop: Arc<AtomicBool>,
    on_reindex: impl Fn(&Report),
) {
    let sleep = |d: Duration| super::nap(&stop, d);
    let mut reindexer = loop {
        match Reindexer::new(handle.clone(), &seeds, storage.clone()) {
            Ok(r) => break r,
            Err(e) => {
                tracing::warn!("live re-index: cannot read {}: {e}", seeds.display());
                sleep(options.poll * 10);
                if stop.load(Ordering::Relaxed) {
                    return;
                }
            }
        }
    };
    let mut last_scan: Option<BTreeMap<String, Stamp>> = None;
    let mut still_since = Instant::now();
    let mut failed_on: Option<BTreeMap<String, Stamp>> = None;
    let mut first = true;
    while !stop.load(Ordering::Relaxed) {
        if !first {
            sleep(options.poll);
        }
        let Ok(scan) = reindexer.scan() else {
            continue;
        };
        if last_scan.as_ref() != Some(&scan) {
            last_scan = Some(scan.clone());
            still_since = Instant::now();
            // The folder as it was at start-up needs no settling.
            if !first {
                continue;
            }
        }
        first = false;
        if still_since.elapsed() < options.debounce
            || !reindexer.differs(&scan)
            || failed_on.as_ref() == Some(&scan)
        {
            continue;
        }
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reindexer.refresh())) {
            Ok(Ok(Some(report))) => {
                failed_on = None;
                tracing::info!("{report}");
                on_reindex(&report);
            }
            Ok(Ok(None)) => failed_on = None,
            Ok(Err(e)) => {
                tracing::warn!("live re-index failed, still serving the last good index: {e}");
                failed_on = Some(scan);
            }
            Err(_) => {
                tracing::error!("live re-index panicked, still serving the last good index");
                failed_on = Some(scan);
            }
        }
    }
}
