//! The child side of the benchmark: one measurement in a fresh process, printed as JSON.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use newsbot_core::index::{self, stamps};
use newsbot_core::{corpus, Engine, Request, Storage};
use newsbot_service::{Config, ModelConfig, Service, Start};

use crate::figures::{cpu_secs, ms, peak_rss_kb, percentile, BuildFigures, ServeFigures};
use crate::{Global, WorkerArgs, WorkerMode};

/// The question the cold start answers.
pub const COLD_QUESTION: &str = "who was fined over cookies?";

fn storage(data: &Path) -> Storage {
    Storage::Disk(data.join("index"))
}

/// Opens the engine as the bot does, through its one start-up path: prompts validated,
/// index reused when the seeds are unchanged, models loaded.
fn open_engine(g: &Global, data: &Path) -> Result<Arc<Engine>> {
    let config = Config {
        seeds: g.seeds.clone(),
        data: data.to_path_buf(),
        prompts: g.prompts.clone(),
        in_memory: false,
        models: ModelConfig {
            lexical: false,
            model: g.model.clone(),
            rerank: true,
            reranker_model: g.reranker.clone(),
            rerank_decides: false,
            vectors: None,
        },
        feeds_file: None,
        feed_urls: Vec::new(),
        indexer: false,
        alerts_per_hour: 6,
    };
    let quiet = |_: &'static str| -> Box<dyn FnMut(usize, usize)> { Box::new(|_, _| {}) };
    let engine = Service::open(
        &config,
        Start::Once {
            force_rebuild: false,
        },
        &quiet,
    )?
    .engine;
    // The bot would answer without a broken model; a benchmark would measure the wrong thing.
    let models = engine.models();
    anyhow::ensure!(
        g.model_dir().is_none() || models.semantic.is_some(),
        "the model did not load (or pass --model none)"
    );
    anyhow::ensure!(
        g.reranker_dir().is_none() || models.reranker.is_some(),
        "the reranker did not load (or pass --reranker-model none)"
    );
    Ok(engine)
}

/// `build` indexes the seed folder; `serve` opens the built index and runs the query mix;
/// each prints one JSON object. `ask` answers one question and prints its note or top
/// headline, for the cold start.
pub fn run(g: &Global, args: &WorkerArgs) -> Result<()> {
    match args.mode {
        WorkerMode::Build => {
            let started = Instant::now();
            let corpus = corpus::load_dir(&g.seeds)?;
            let parse_secs = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let storage = storage(&args.data);
            index::build(&corpus, &storage, |_, _| {})?;
            let index_secs = started.elapsed().as_secs_f64();
            // Stamps as `open_or_build` leaves them, so cold starts measure the normal path.
            if let Storage::Disk(dir) = &storage {
                let fresh = stamps::current_files(&g.seeds, &Default::default())?.fresh;
                stamps::write(dir, &fresh);
            }
            let figures = BuildFigures {
                files: corpus.files.len(),
                articles: corpus.articles.len(),
                passages: corpus.passage_count(),
                text_bytes: corpus.total_bytes(),
                parse_secs,
                index_secs,
                cpu_secs: cpu_secs(),
                peak_rss_kb: peak_rss_kb(),
            };
            println!("{}", serde_json::to_string(&figures)?);
        }
        WorkerMode::Serve => {
            let mix_path = args.mix.as_deref().context("--mix is required")?;
            let mix = std::fs::read_to_string(mix_path)
                .with_context(|| format!("reading {}", mix_path.display()))?;
            let mix: Vec<(bool, String)> = mix
                .lines()
                .map(|l| match l.strip_prefix('\t') {
                    Some(long) => (true, long.to_string()),
                    None => (false, l.to_string()),
                })
                .collect();
            let started = Instant::now();
            let engine = open_engine(g, &args.data)?;
            let open_ms = ms(started.elapsed());
            println!(
                "{}",
                serde_json::to_string(&serve(&engine, &mix, args.rounds, open_ms))?
            );
        }
        WorkerMode::Embed => {
            let engine = open_engine(g, &args.data)?;
            let started = Instant::now();
            let mut last = Instant::now();
            let passages = engine
                .models()
                .embed_pending(engine.index(), &mut |done, total| {
                    if last.elapsed().as_secs() >= 30 {
                        last = Instant::now();
                        eprintln!("bench: embedded {done}/{total}");
                    }
                })?;
            let secs = started.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({"passages": passages, "secs": secs, "per_sec": passages as f64 / secs.max(1e-9)})
            );
        }
        WorkerMode::Ask => {
            let reply = open_engine(g, &args.data)?.answer(&Request::parse(COLD_QUESTION))?;
            let first = reply.passages.first().map(|p| p.headline.as_str());
            println!("{}", first.or(reply.message.as_deref()).unwrap_or_default());
        }
    }
    Ok(())
}

fn serve(engine: &Engine, mix: &[(bool, String)], rounds: usize, open_ms: f64) -> ServeFigures {
    let requests: Vec<(bool, Request)> = mix
        .iter()
        .map(|(long, q)| (*long, Request::parse(q)))
        .collect();
    let mut errors = 0;
    // One untimed pass so the figures are for a warm process, as a running bot is.
    for (_, r) in &requests {
        errors += engine.answer(r).is_err() as usize;
    }
    let mut all = Vec::new();
    let mut long = Vec::new();
    let mut per_query = vec![Vec::new(); requests.len()];
    for _ in 0..rounds {
        for (i, (is_long, r)) in requests.iter().enumerate() {
            let t = Instant::now();
            errors += engine.answer(r).is_err() as usize;
            let d = ms(t.elapsed());
            per_query[i].push(d);
            all.push(d);
            if *is_long {
                long.push(d);
            }
        }
    }
    all.sort_by(f64::total_cmp);
    long.sort_by(f64::total_cmp);
    let mut slowest: Vec<(f64, String)> = per_query
        .iter_mut()
        .zip(mix)
        .map(|(times, (_, q))| {
            times.sort_by(f64::total_cmp);
            (percentile(times, 0.5), q.chars().take(60).collect())
        })
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    slowest.truncate(8);
    let (rerank, reranked_share) = rerank_times(engine, &requests, rounds);
    let per_client = rounds.div_ceil(2).max(1);
    let started = Instant::now();
    let errors2: usize = std::thread::scope(|s| {
        let clients: Vec<_> = (0..2)
            .map(|c| {
                let requests = &requests;
                s.spawn(move || {
                    let mut errors = 0;
                    for round in 0..per_client {
                        // Clients start at different points of the mix.
                        for i in 0..requests.len() {
                            let (_, r) =
                                &requests[(i + c * requests.len() / 2 + round) % requests.len()];
                            errors += engine.answer(r).is_err() as usize;
                        }
                    }
                    errors
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join().unwrap_or(1)).sum()
    });
    let qps = (2 * per_client * requests.len()) as f64 / started.elapsed().as_secs_f64();
    ServeFigures {
        queries: all.len(),
        p50_ms: percentile(&all, 0.5),
        p99_ms: percentile(&all, 0.99),
        max_ms: all.last().copied().unwrap_or(0.0),
        long_p50_ms: percentile(&long, 0.5),
        long_p99_ms: percentile(&long, 0.99),
        rerank_p50_ms: percentile(&rerank, 0.5),
        rerank_p99_ms: percentile(&rerank, 0.99),
        reranked_share,
        qps_2_clients: qps,
        errors: errors + errors2,
        open_ms,
        peak_rss_kb: peak_rss_kb(),
        slowest,
    }
}

/// The rerank stage on its own: each question's candidates are found untimed, then only
/// the stage is timed. Returns the sorted times and the share of questions that ran the
/// full K (the rest had a clear engine lead and scored only their first passage).
fn rerank_times(engine: &Engine, requests: &[(bool, Request)], rounds: usize) -> (Vec<f64>, f64) {
    let questions: Vec<&str> = requests
        .iter()
        .filter(|(_, r)| r.command == "ask")
        .map(|(_, r)| r.text.as_str())
        .collect();
    if engine.models().reranker.is_none() || questions.is_empty() {
        return (Vec::new(), 0.0);
    }
    let mut times = Vec::new();
    let mut ran = 0usize;
    let mut asked = 0usize;
    for _ in 0..rounds.max(1) {
        for q in &questions {
            let Ok(mut ranked) = engine.candidates(q, None) else {
                continue;
            };
            let t = Instant::now();
            let r = engine.rerank(q, &mut ranked.candidates);
            asked += 1;
            if r.scored > 0 {
                times.push(ms(t.elapsed()));
            }
            ran += usize::from(r.scored > 1);
        }
    }
    times.sort_by(f64::total_cmp);
    (times, ran as f64 / asked.max(1) as f64)
}
