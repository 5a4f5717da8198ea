//! What keeps a running door's engine current, by role. Dropping the [`Upkeep`] stops every
//! thread it started.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsbot_core::live::{self, Background};
use newsbot_core::Engine;
use newsbot_feeds::{self as feeds, Feed, Follower};

use crate::{storage, Config, Error, Result, Role};

/// The threads of a running door.
pub struct Upkeep {
    _watcher: Option<live::Watcher>,
    _feeds: Option<Follower>,
    _reloader: Option<live::Reloader>,
    _prompts: live::PromptWatcher,
    _embedding: Option<Background>,
    _alerts: Option<Background>,
}

impl Upkeep {
    /// The writer watches the seed folder and polls the feeds (whose items land in the seed
    /// folder); a reader picks up each commit the writer makes instead. Every process reloads
    /// the prompts folder when it is edited, and embeds passages that have no vector yet.
    /// The writer also runs the alert worker (`alerts`, started by the caller).
    pub(crate) fn start(
        c: &Config,
        engine: &Arc<Engine>,
        role: &Role,
        on_prompts: Box<dyn Fn() + Send + 'static>,
        alerts: Option<Background>,
    ) -> Result<Upkeep> {
        let prompts = live::PromptWatcher::spawn(
            engine.prompts_handle().clone(),
            c.prompts.clone(),
            live::PromptWatchOptions::default(),
            move |change| {
                // A rejected folder is logged by the watcher itself: one line naming the file.
                if let live::PromptChange::Applied(p) = change {
                    eprintln!("[prompts reloaded: {} topics]", p.topics.len());
                    on_prompts();
                }
            },
        );
        let (watcher, feeds, reloader) = match role {
            Role::Writer { .. } => (Some(watch_seeds(c, engine)), follow_feeds(c)?, None),
            Role::Reader { writer, dir } => {
                eprintln!(
                    "[serving the index in {} read-only: pid {} writes it, watching the seeds and polling feeds]",
                    dir.display(),
                    writer.as_deref().unwrap_or("unknown")
                );
                let reloader = live::Reloader::spawn(
                    engine.index().clone(),
                    dir.clone(),
                    live::shared::RELOAD_POLL,
                    |m| {
                        eprintln!(
                            "[picked up the writer's index: {} articles, {} passages]",
                            m.articles.len(),
                            m.passages
                        )
                    },
                );
                (None, None, Some(reloader))
            }
        };
        Ok(Upkeep {
            _watcher: watcher,
            _feeds: feeds,
            _reloader: reloader,
            _prompts: prompts,
            _embedding: embed_in_background(engine),
            _alerts: alerts,
        })
    }
}

/// Keeps the engine's index in step with the seed folder: changed files are re-indexed in
/// the background and a one-line note is printed.
fn watch_seeds(c: &Config, engine: &Engine) -> live::Watcher {
    live::Watcher::spawn(
        engine.index().clone(),
        c.seeds.clone(),
        storage(c),
        live::WatchOptions::default(),
        |report| eprintln!("[{report}]"),
    )
}

/// The feeds to follow: the feeds file and the `NEWSBOT_FEEDS` list.
pub fn load_feeds(c: &Config) -> Result<Vec<Feed>> {
    let mut list = Vec::new();
    if let Some((path, required)) = &c.feeds_file {
        if *required || path.exists() {
            let text = std::fs::read_to_string(path).map_err(|cause| Error::FeedsFile {
                path: path.clone(),
                cause,
            })?;
            list.extend(feeds::config::parse_file(
                &path.display().to_string(),
                &text,
            )?);
        }
    }
    list.extend(feeds::config::parse_list("NEWSBOT_FEEDS", &c.feed_urls)?);
    Ok(feeds::config::dedupe(list))
}

/// Where the feeds' ETag and Last-Modified are kept between runs (none in memory).
pub fn feed_state(c: &Config) -> Option<PathBuf> {
    (!c.in_memory).then(|| c.data.join("feeds-state.json"))
}

/// Polls the configured feeds in the background; new items are written to the seed folder
/// and the seed watcher indexes them. `None` when no feed is set up.
fn follow_feeds(c: &Config) -> Result<Option<Follower>> {
    let list = load_feeds(c)?;
    if list.is_empty() {
        return Ok(None);
    }
    tracing::info!("following {} feeds", list.len());
    Ok(Some(Follower::spawn(
        list,
        c.seeds.clone(),
        feed_state(c),
        |feed, written| eprintln!("[feed {}: {} new items]", feed.name, written.len()),
    )))
}

/// How often the embedding worker looks for a new index version to embed.
const EMBED_POLL: Duration = Duration::from_secs(2);
/// How long it waits after a failure before trying again.
const EMBED_RETRY: Duration = Duration::from_secs(60);

/// Embeds in the background while a door serves: answers are lexical for passages without
/// a vector and turn semantic as batches land. It re-checks after each live re-index swaps
/// in a new index. Progress is a bracketed note every ten seconds (a bar would fight the
/// console's line editor), and one when done.
fn embed_in_background(engine: &Arc<Engine>) -> Option<Background> {
    let sem = engine.models().semantic.clone()?;
    let index = engine.index().clone();
    Some(Background::spawn(
        "embed",
        "passages without a vector rank by words only",
        move |stop: Arc<AtomicBool>| {
            // The index version last embedded; a weak pointer so an old index is freed.
            let mut done_for = std::sync::Weak::new();
            while !stop.load(Ordering::Relaxed) {
                let current = Arc::downgrade(&index.current());
                if !done_for.ptr_eq(&current) {
                    let started = Instant::now();
                    let mut last_note = Instant::now();
                    let mut report = |done: usize, total: usize| {
                        if done < total && last_note.elapsed().as_secs() >= 10 {
                            last_note = Instant::now();
                            eprintln!("[embedding passages: {done}/{total}; answers use words for the rest meanwhile]");
                        }
                    };
                    let result = newsbot_core::semantic::embed_pending(&index, &sem, &mut report);
                    if result.is_ok() {
                        let (embedded, _) = newsbot_core::semantic::coverage(&index, Some(&*sem));
                        newsbot_core::telemetry::passages_embedded(embedded);
                    }
                    match result {
                        Ok(0) => {}
                        Ok(n) => eprintln!(
                            "[embedded {n} passage{} in {:.1} s; semantic ranking covers {} now]",
                            if n == 1 { "" } else { "s" },
                            started.elapsed().as_secs_f64(),
                            if n == 1 { "it" } else { "them" }
                        ),
                        Err(e) => {
                            eprintln!("warning: embedding passages: {e}; retrying in a minute");
                            live::nap(&stop, EMBED_RETRY);
                            continue;
                        }
                    }
                    done_for = current;
                }
                live::nap(&stop, EMBED_POLL);
            }
        },
    ))
}
