//! The binary's side of start-up: flags to a `newsbot_service::Config`, progress bars, and
//! the notes a person sees before answers start.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use newsbot_core::{Engine, Prompts};
use newsbot_service::{Config, ModelConfig, Service, Start};

use crate::cli::Global;
use crate::service::Health;

pub fn storage(g: &Global) -> newsbot_core::Storage {
    newsbot_service::storage(&config(g))
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

/// What start-up reads, from the flags and `.env`.
pub fn config(g: &Global) -> Config {
    Config {
        seeds: g.seeds.clone(),
        data: g.data.clone(),
        prompts: g.prompts.clone(),
        in_memory: g.in_memory,
        models: ModelConfig {
            lexical: g.lexical,
            model: g.model.clone(),
            rerank: g.rerank.on(),
            reranker_model: g.reranker_model.clone(),
            rerank_decides: g.rerank_decides,
            vectors: g.vectors.clone(),
        },
        feeds_file: Some(match &g.feeds_file {
            Some(p) => (p.clone(), true),
            None => (std::path::PathBuf::from("feeds.toml"), false),
        }),
        feed_urls: g.feed_urls.clone(),
        indexer: g.indexer,
        alerts_per_hour: g.alerts_per_hour,
    }
}

/// Opens the service as `start` says, with progress bars on stderr.
pub fn open(g: &Global, start: Start) -> Result<Service> {
    let every = g.progress_every();
    let progress = move |what: &'static str| -> Box<dyn FnMut(usize, usize)> {
        Box::new(progress_bar(what, every))
    };
    Ok(Service::open(&config(g), start, &progress)?)
}

/// Opens the engine for a one-shot command (`ask`, `stats`, `eval`): as the writer when no
/// other process is (building or refreshing the index, then letting go of the lock), else
/// read-only on the running writer's index.
pub fn open_engine(g: &Global, force_rebuild: bool) -> Result<Arc<Engine>> {
    Ok(open(g, Start::Once { force_rebuild })?.engine)
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

/// Starts `/metrics` and `/healthz` when `--metrics-addr` is given; the returned health is
/// what the caller marks as it comes up.
pub fn start_metrics(g: &Global, health: Health) -> Result<Arc<Health>> {
    let health = Arc::new(health);
    if let Some(addr) = g.metrics_addr {
        crate::service::start(addr, health.clone())?;
    }
    Ok(health)
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
