//! Start-up shared by every subcommand: configuration to an open engine.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use newsbot_core::feeds::{self, Feed, Follower};
use newsbot_core::index::{self, Origin};
use newsbot_core::live;
use newsbot_core::{Engine, Prompts, Storage};

use crate::cli::Global;

pub fn storage(g: &Global) -> Storage {
    if g.in_memory {
        Storage::Memory
    } else {
        Storage::Disk(g.data.join("index"))
    }
}

/// A progress bar on stderr that shows only on a terminal and only once work takes a
/// moment, so scripted runs and small seed folders stay quiet.
pub fn progress_bar(what: &'static str) -> impl FnMut(usize, usize) {
    let started = Instant::now();
    let mut bar: Option<ProgressBar> = None;
    move |done, total| {
        if bar.is_none() && started.elapsed().as_millis() > 300 {
            let b = ProgressBar::new(total as u64);
            b.set_style(
                ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len} ({eta})")
                    .expect("template")
                    .progress_chars("=> "),
            );
            b.set_message(what);
            bar = Some(b);
        }
        if let Some(b) = &bar {
            b.set_position(done as u64);
            if done >= total {
                b.finish_and_clear();
            }
        }
    }
}

pub fn load_prompts(g: &Global) -> Result<Arc<Prompts>> {
    let prompts = Prompts::load(&g.prompts)
        .with_context(|| format!("loading prompts from {}", g.prompts.display()))?;
    Ok(Arc::new(prompts))
}

/// Opens the engine: prompts validated, index reused when the seeds are unchanged, rebuilt
/// otherwise. Seed warnings are printed here, at the edge, never by the core.
pub fn open_engine(g: &Global, force_rebuild: bool) -> Result<Engine> {
    let prompts = load_prompts(g)?;
    let opened = index::open_or_build(
        &g.seeds,
        &storage(g),
        force_rebuild,
        progress_bar("indexing"),
    )
    .with_context(|| format!("opening the index for seed folder {}", g.seeds.display()))?;
    for w in &opened.warnings {
        eprintln!("warning: {w}");
    }
    if let Origin::Built { reason } = &opened.origin {
        tracing::info!(%reason, "index built");
    }
    Ok(Engine::new(opened.index, prompts))
}

/// Keeps the engine's index in step with the seed folder while a door runs: changed files are
/// re-indexed in the background and a one-line note is printed. Dropping the guard stops it.
pub fn watch_seeds(g: &Global, engine: &Engine) -> live::Watcher {
    live::Watcher::spawn(
        engine.index().clone(),
        g.seeds.clone(),
        storage(g),
        live::WatchOptions::default(),
        |report| eprintln!("[{report}]"),
    )
}

/// The feeds to follow: the feeds file (`--feeds`, else `feeds.toml` when present) and the
/// `--feed` / `NEWSBOT_FEEDS` list.
pub fn load_feeds(g: &Global) -> Result<Vec<Feed>> {
    let mut list = Vec::new();
    let (path, required) = match &g.feeds_file {
        Some(p) => (p.clone(), true),
        None => (std::path::PathBuf::from("feeds.toml"), false),
    };
    if required || path.exists() {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading feeds file {}", path.display()))?;
        list.extend(feeds::config::parse_file(
            &path.display().to_string(),
            &text,
        )?);
    }
    list.extend(feeds::config::parse_list("NEWSBOT_FEEDS", &g.feed_urls)?);
    Ok(feeds::config::dedupe(list))
}

/// Where the feeds' ETag and Last-Modified are kept between runs (none in memory).
pub fn feed_state(g: &Global) -> Option<std::path::PathBuf> {
    (!g.in_memory).then(|| g.data.join("feeds-state.json"))
}

/// Polls the configured feeds in the background while a door runs; new items are written
/// to the seed folder and the seed watcher indexes them. `None` when no feed is set up.
pub fn follow_feeds(g: &Global) -> Result<Option<Follower>> {
    let list = load_feeds(g)?;
    if list.is_empty() {
        return Ok(None);
    }
    tracing::info!("following {} feeds", list.len());
    Ok(Some(Follower::spawn(
        list,
        g.seeds.clone(),
        feed_state(g),
        |feed, written| eprintln!("[feed {}: {} new items]", feed.name, written.len()),
    )))
}
