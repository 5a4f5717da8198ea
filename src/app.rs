//! Start-up shared by every subcommand: configuration to an open engine.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use newsbot_core::feeds::{self, Feed, Follower};
use newsbot_core::index::{self, Origin};
use newsbot_core::live::{self, WriterLock};
use newsbot_core::semantic::Semantic;
use newsbot_core::vectors::VectorStore;
use newsbot_core::{Engine, Prompts, SemanticStatus, Storage};

use crate::cli::Global;
use crate::service::Health;

pub fn storage(g: &Global) -> Storage {
    if g.in_memory {
        Storage::Memory
    } else {
        Storage::Disk(g.data.join("index"))
    }
}

/// Progress of long work on stderr: a bar on a terminal once the work takes a moment (so
/// small seed folders stay quiet), otherwise a plain line every `every` with the count and
/// an estimate of the time left, so a log or a pipe never sits in silence.
pub fn progress_bar(what: &'static str, every: Duration) -> impl FnMut(usize, usize) {
    use std::io::IsTerminal;
    let started = Instant::now();
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut last_line = started;
    move |done, total| {
        if !terminal {
            if done < total && last_line.elapsed() >= every {
                last_line = Instant::now();
                eprintln!(
                    "[{what}: {done}/{total}{}]",
                    time_left(started, done, total)
                );
            }
            return;
        }
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

/// ", about 3m 20s left", from the rate so far; empty before there is a rate.
fn time_left(started: Instant, done: usize, total: usize) -> String {
    if done == 0 {
        return String::new();
    }
    let per_item = started.elapsed().as_secs_f64() / done as f64;
    let secs = (per_item * total.saturating_sub(done) as f64).round() as u64;
    match secs {
        0..=59 => format!(", about {secs}s left"),
        60..=3599 => format!(", about {}m {:02}s left", secs / 60, secs % 60),
        _ => format!(", about {}h {:02}m left", secs / 3600, secs / 60 % 60),
    }
}

pub fn load_prompts(g: &Global) -> Result<Arc<Prompts>> {
    let prompts = Prompts::load(&g.prompts)
        .with_context(|| format!("loading prompts from {}", g.prompts.display()))?;
    Ok(Arc::new(prompts))
}

/// Which part a process plays in a data folder it may share with other processes.
pub enum Role {
    /// Writes the index: re-indexes seed changes and polls feeds. The lock is held for as
    /// long as the role lives (none in memory).
    Writer { _lock: Option<WriterLock> },
    /// Serves the index in `dir` that another process writes (its pid, when known).
    Reader {
        writer: Option<String>,
        dir: std::path::PathBuf,
    },
}

/// How long a reader waits for the writer's first index before giving up.
const WAIT_FOR_WRITER: Duration = Duration::from_secs(600);

/// Opens the engine for a one-shot command (`ask`, `stats`, `eval`): as the writer when no
/// other process is (building or refreshing the index, then letting go of the lock), else
/// read-only on the running writer's index.
pub fn open_engine(g: &Global, force_rebuild: bool) -> Result<Engine> {
    Ok(open_as(g, force_rebuild, false)?.0)
}

/// Opens the engine for a door that keeps running (`chat`, `serve`) and says what part it
/// plays: with `--indexer` it must be the writer.
pub fn open_service(g: &Global) -> Result<(Engine, Role)> {
    open_as(g, false, g.indexer)
}

/// Opens the engine: prompts validated, index reused when the seeds are unchanged, rebuilt
/// otherwise, or, when another process holds the writer lock, its index as it is. Seed
/// warnings are printed here, at the edge, never by the core.
fn open_as(g: &Global, force_rebuild: bool, must_write: bool) -> Result<(Engine, Role)> {
    let prompts = load_prompts(g)?;
    let (opened, role) = match storage(g) {
        Storage::Memory => (open_index(g, force_rebuild)?, Role::Writer { _lock: None }),
        Storage::Disk(dir) => {
            let mut waiting = false;
            let started = Instant::now();
            loop {
                match live::shared::claim(&g.data)
                    .with_context(|| format!("locking the data folder {}", g.data.display()))?
                {
                    live::Claim::Writer { lock, stale } => {
                        if let Some(pid) = stale {
                            eprintln!(
                                "note: took over the index writer lock {} from pid {pid}, which did not exit cleanly",
                                lock.path().display()
                            );
                        }
                        break (
                            open_index(g, force_rebuild)?,
                            Role::Writer { _lock: Some(lock) },
                        );
                    }
                    live::Claim::Held { pid } if must_write || force_rebuild => {
                        let held = live::shared::held(&g.data, pid);
                        if must_write {
                            anyhow::bail!(
                                "{held}, or start this one without --indexer to serve its index read-only"
                            );
                        }
                        return Err(held.into());
                    }
                    live::Claim::Held { pid } => match index::open_existing(&dir) {
                        Ok(Some(index)) => {
                            let warnings = index.manifest.warnings.clone();
                            let opened = index::Opened {
                                index,
                                origin: Origin::Reused,
                                warnings,
                            };
                            break (opened, Role::Reader { writer: pid, dir });
                        }
                        // The writer is building its first index, or is mid-commit.
                        _ => {
                            if !waiting {
                                waiting = true;
                                eprintln!(
                                    "waiting for the index writer (pid {}) to finish the index in {}",
                                    pid.as_deref().unwrap_or("unknown"),
                                    dir.display()
                                );
                            }
                            anyhow::ensure!(
                                started.elapsed() < WAIT_FOR_WRITER,
                                "no usable index in {} after {} s; is the writer (pid {}) stuck? Its lock is {}",
                                dir.display(),
                                WAIT_FOR_WRITER.as_secs(),
                                pid.as_deref().unwrap_or("unknown"),
                                g.data.join(live::shared::LOCK_FILE).display()
                            );
                            std::thread::sleep(Duration::from_millis(250));
                        }
                    },
                }
            }
        }
    };
    for w in &opened.warnings {
        eprintln!("warning: {w}");
    }
    newsbot_core::telemetry::passages_indexed(opened.index.manifest.passages);
    let mut engine = Engine::new(opened.index, prompts);
    let models = load_models(g);
    engine.set_semantic(models.semantic, models.status);
    engine.set_reranker(models.reranker, models.rerank_status);
    if g.rerank_decides {
        let mut t = *engine.tuning();
        t.rerank_decides = true;
        engine.set_tuning(t);
    }
    Ok((engine, role))
}

/// Reuses or builds the index, as the writer.
fn open_index(g: &Global, force_rebuild: bool) -> Result<index::Opened> {
    let started = Instant::now();
    let opened = index::open_or_build(
        &g.seeds,
        &storage(g),
        force_rebuild,
        progress_bar("indexing", g.progress_every()),
    )
    .with_context(|| format!("opening the index for seed folder {}", g.seeds.display()))?;
    if let Origin::Built { reason } = &opened.origin {
        tracing::info!(%reason, "index built");
        // One line when an index is written (the first run, or changed seeds), so a person
        // knows what the pause was; an in-memory index is built every time and says nothing.
        if !g.in_memory {
            let m = &opened.index.manifest;
            eprintln!(
                "indexed {} articles, {} passages in {} ms ({reason})",
                m.articles.len(),
                m.passages,
                started.elapsed().as_millis()
            );
        }
    }
    Ok(opened)
}

/// The model folder `--model` names: as given, or, for a relative path missing from the
/// working directory, under the source tree this binary was built from (so
/// `cargo run --release` works from any directory of a clone).
fn model_dir(model: &str) -> std::path::PathBuf {
    let p = std::path::PathBuf::from(model);
    if p.is_relative() && !p.exists() {
        let built = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(&p);
        if built.exists() {
            return built;
        }
    }
    p
}

/// The models an engine ranks with, each with why it is off when it is.
pub struct Models {
    pub semantic: Option<Arc<Semantic>>,
    pub status: SemanticStatus,
    pub reranker: Option<Arc<dyn newsbot_core::reranker::Reranker>>,
    pub rerank_status: SemanticStatus,
}

/// Loads the sentence-embedding model with its vector store, and the cross-encoder
/// reranker that shares its word-embedding table. Any failure is one warning line naming the
/// file and the fix, and the engine then ranks without that model: a broken model never
/// stops the bot.
pub fn load_models(g: &Global) -> Models {
    let off = |why: &str| SemanticStatus::Off(why.into());
    let mut models = Models {
        semantic: None,
        status: off("no model loaded"),
        reranker: None,
        rerank_status: off("no model loaded"),
    };
    if g.lexical {
        models.status = off("--lexical");
        models.rerank_status = off("--lexical");
        return models;
    }
    if g.model.trim().eq_ignore_ascii_case("none") {
        models.status = off("NEWSBOT_MODEL=none");
        models.rerank_status = off("NEWSBOT_MODEL=none (the reranker shares its vocabulary)");
        return models;
    }
    let dir = model_dir(&g.model);
    let started = Instant::now();
    let embedder = match newsbot_embed::BertEmbedder::load(&dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "warning: semantic ranking off, answering by words only: {e}. Restore the model \
                 (git checkout -- models/), point NEWSBOT_MODEL at a sentence-transformers \
                 folder, or pass --lexical to silence this."
            );
            models.status = SemanticStatus::Off(format!("model failed to load: {e}"));
            models.rerank_status = off("the sentence-embedding model it shares did not load");
            return models;
        }
    };
    tracing::info!(model = %dir.display(), ms = started.elapsed().as_millis() as u64, "model loaded");
    (models.reranker, models.rerank_status) = load_reranker(g, &embedder);
    use newsbot_core::embedder::Embedder;
    let (name, dims) = (embedder.name().to_string(), embedder.dims());
    let store = match (&g.vectors, g.in_memory) {
        (None, true) => Ok(VectorStore::in_memory(&name, dims)),
        (Some(dir), _) => VectorStore::open(dir, &name, dims),
        (None, false) => VectorStore::open(&g.data.join("vectors"), &name, dims),
    };
    match store {
        Ok(store) => {
            models.semantic = Some(Arc::new(Semantic::new(Arc::new(embedder), store)));
            models.status = SemanticStatus::On;
        }
        Err(e) => {
            eprintln!("warning: semantic ranking off, answering by words only: {e}");
            models.status = SemanticStatus::Off(format!("vector store unusable: {e}"));
        }
    }
    models
}

/// The cross-encoder, unless `--rerank off`. A missing or corrupt file is one warning
/// line naming it; answers then keep the engine's own order.
fn load_reranker(
    g: &Global,
    embedder: &newsbot_embed::BertEmbedder,
) -> (
    Option<Arc<dyn newsbot_core::reranker::Reranker>>,
    SemanticStatus,
) {
    if !g.rerank.on() {
        return (None, SemanticStatus::Off("--rerank off".into()));
    }
    if g.reranker_model.trim().eq_ignore_ascii_case("none") {
        return (
            None,
            SemanticStatus::Off("NEWSBOT_RERANKER_MODEL=none".into()),
        );
    }
    let dir = model_dir(&g.reranker_model);
    let started = Instant::now();
    match newsbot_embed::BertReranker::load(&dir, embedder) {
        Ok(r) => {
            tracing::info!(model = %dir.display(), ms = started.elapsed().as_millis() as u64, "reranker loaded");
            (Some(Arc::new(r)), SemanticStatus::On)
        }
        Err(e) => {
            eprintln!(
                "warning: reranker off, answers keep the engine's order: {e}. Restore it \
                 (git checkout -- models/), or pass --rerank off to silence this."
            );
            (
                None,
                SemanticStatus::Off(format!("model failed to load: {e}")),
            )
        }
    }
}

/// Embeds the passages that have no vector yet, before answering (`ask`, `eval`), with
/// progress on stderr. A failure is a warning; answers fall back to
/// words for the passages left without a vector.
pub fn embed_now(g: &Global, engine: &Engine) {
    let started = Instant::now();
    let mut bar = progress_bar("embedding passages", g.progress_every());
    match engine.models().embed_pending(engine.index(), &mut bar) {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            passages = n,
            secs = started.elapsed().as_secs_f64(),
            "passages embedded"
        ),
        Err(e) => eprintln!("warning: embedding passages: {e}; those passages rank by words only"),
    }
}

/// Embeds in a background thread while a door serves (`chat`, `serve`): answers are lexical
/// for passages without a vector and turn semantic as batches land. It re-checks after each
/// live re-index swaps in a new index. Progress is a bracketed note on stderr every ten
/// seconds (a bar would fight the console's line editor), and one when done.
pub fn embed_in_background(engine: &Engine) {
    let Some(sem) = engine.models().semantic.clone() else {
        return;
    };
    let index = engine.index().clone();
    let spawned = std::thread::Builder::new()
        .name("embed".into())
        .spawn(move || {
            // The index version last embedded; a weak pointer so an old index is freed.
            let mut done_for = std::sync::Weak::new();
            loop {
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
                            std::thread::sleep(std::time::Duration::from_secs(60));
                            continue;
                        }
                    }
                    done_for = current;
                }
                std::thread::sleep(std::time::Duration::from_secs(2));
            }
        });
    if let Err(e) = spawned {
        eprintln!("warning: could not start background embedding: {e}");
    }
}

/// Starts `/metrics` and `/healthz` when `--metrics-addr` is given; the returned health is
/// what the caller marks as it comes up.
pub fn start_metrics(g: &Global, health: Health) -> Result<Arc<Health>> {
    let health = Arc::new(health);
    if let Some(addr) = g.metrics_addr {
        crate::service::start(addr, health.clone())?;
    }
    Ok(health)
}

/// What keeps a running door's index current, by role; dropping it stops the threads.
pub struct Upkeep {
    _watcher: Option<live::Watcher>,
    _feeds: Option<Follower>,
    _reloader: Option<live::Reloader>,
    _prompts: live::PromptWatcher,
}

/// The writer watches the seed folder and polls the feeds (whose items land in the seed
/// folder); a reader picks up each commit the writer makes instead. Every process reloads
/// the prompts folder when it is edited; `on_prompts` hears of each applied reload (`serve`
/// re-registers the commands).
pub fn upkeep(
    g: &Global,
    engine: &Engine,
    role: &Role,
    on_prompts: impl Fn() + Send + 'static,
) -> Result<Upkeep> {
    let prompts = live::PromptWatcher::spawn(
        engine.prompts_handle().clone(),
        g.prompts.clone(),
        live::PromptWatchOptions::default(),
        move |change| {
            // A rejected folder is logged by the watcher itself: one line naming the file.
            if let live::PromptChange::Applied(p) = change {
                eprintln!("[prompts reloaded: {} topics]", p.topics.len());
                on_prompts();
            }
        },
    );
    Ok(match role {
        Role::Writer { .. } => Upkeep {
            _watcher: Some(watch_seeds(g, engine)),
            _feeds: follow_feeds(g)?,
            _reloader: None,
            _prompts: prompts,
        },
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
            Upkeep {
                _watcher: None,
                _feeds: None,
                _reloader: Some(reloader),
                _prompts: prompts,
            }
        }
    })
}

/// Keeps the engine's index in step with the seed folder while a door runs: changed files are
/// re-indexed in the background and a one-line note is printed. Dropping the guard stops it.
fn watch_seeds(g: &Global, engine: &Engine) -> live::Watcher {
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
fn follow_feeds(g: &Global) -> Result<Option<Follower>> {
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

/// `ask --now`: answers with the vectors already stored. When some passages have none yet,
/// one line says how much semantic ranking covers.
pub fn note_coverage(engine: &Engine) {
    if engine.models().semantic.is_none() {
        return;
    }
    let (embedded, total) = engine.models().coverage(engine.index());
    if embedded < total {
        eprintln!(
            "note: answering now with {embedded} of {total} passages embedded ({:.0}%); the rest rank by words only. Run without --now to embed them first.",
            100.0 * embedded as f64 / total.max(1) as f64
        );
    }
}
