//! `newsbot bench`: index build, start-up, latency, throughput and memory on growing
//! archives.
//!
//! Each figure is measured in a fresh child process (this binary's hidden `bench-worker`, or
//! the real `ask`) so one size's memory high-water mark never leaks into the next, and the
//! serving process holds only what serving needs.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use newsbot_core::{corpus, index, stamps, Engine, Request};
use serde::{Deserialize, Serialize};

use crate::app;
use crate::cli::{BenchArgs, Global, WorkerArgs, WorkerMode};
use crate::synth;

const RNG_SEED: u64 = 0x006e_6577_7362_6f74;
const COLD_QUESTION: &str = "who was fined over cookies?";

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct BuildFigures {
    pub files: usize,
    pub articles: usize,
    pub passages: usize,
    pub text_bytes: u64,
    pub parse_secs: f64,
    pub index_secs: f64,
    /// User + system CPU time of the whole build: the machine is shared, so wall time alone
    /// overstates the cost when other work competes for the cores.
    pub cpu_secs: f64,
    pub peak_rss_kb: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ServeFigures {
    pub queries: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub long_p50_ms: f64,
    pub long_p99_ms: f64,
    pub qps_2_clients: f64,
    pub errors: usize,
    pub open_ms: f64,
    pub peak_rss_kb: u64,
    /// The slowest queries of the mix (median over rounds), for profiling.
    pub slowest: Vec<(f64, String)>,
}

#[derive(Debug, Serialize)]
pub struct SizeFigures {
    pub scale: usize,
    pub build: BuildFigures,
    pub build_secs: f64,
    pub build_mb_per_s: f64,
    pub passages_per_s: f64,
    pub index_bytes: u64,
    pub cold_start_ms: f64,
    pub serve: ServeFigures,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub machine: String,
    pub cpus: usize,
    pub sizes: Vec<SizeFigures>,
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// User + system CPU seconds of this process so far (Linux clock ticks are 1/100 s).
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let utime: f64 = f.get(11)?.parse().ok()?;
            let stime: f64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

fn machine() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_bytes(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The fixed query mix: the dev questions, every topic command (bare and with words), and
/// long pasted questions built from the seed articles' text. Long ones are marked with a
/// leading tab so the worker can report them apart.
fn query_mix(seeds: &Path, prompts: &Path, questions: &Path) -> Result<Vec<String>> {
    let mut mix = Vec::new();
    match std::fs::read_to_string(questions) {
        Ok(text) => {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("{}: bad JSON line", questions.display()))?;
                if let Some(q) = v.get("q").and_then(|q| q.as_str()) {
                    mix.push(q.to_string());
                }
            }
        }
        Err(e) => eprintln!(
            "warning: {}: {e}; the mix has no dev questions",
            questions.display()
        ),
    }
    let prompts = newsbot_core::Prompts::load(prompts)?;
    for t in &prompts.topics {
        mix.push(format!("/{}", t.name));
        mix.push(format!("/{} europe", t.name));
    }
    let corpus = corpus::load_dir(seeds)?;
    let paragraphs: Vec<&str> = corpus
        .articles
        .iter()
        .flat_map(|a| a.paragraphs.iter().map(|p| p.text.as_str()))
        .collect();
    // Eight pasted texts of 3,000-6,000 characters, each starting at a different article.
    for k in 0..8 {
        let target = 3000 + k * 400;
        let mut text = String::new();
        let mut i = k * paragraphs.len() / 8;
        while text.chars().count() < target && !paragraphs.is_empty() {
            text.push_str(paragraphs[i % paragraphs.len()]);
            text.push(' ');
            i += 1;
        }
        mix.push(format!("\t{}", text.trim()));
    }
    Ok(mix)
}

fn worker(exe: &Path, g: &Global, seeds: &Path, data: &Path, extra: &[&str]) -> Result<String> {
    let out = Command::new(exe)
        .arg("--seeds")
        .arg(seeds)
        .arg("--data")
        .arg(data)
        .arg("--prompts")
        .arg(&g.prompts)
        .args(["--log", "warn", "bench-worker"])
        .args(extra)
        .output()
        .context("starting a benchmark worker")?;
    if !out.status.success() {
        bail!(
            "benchmark worker {extra:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cold_start_ms(exe: &Path, g: &Global, seeds: &Path, data: &Path) -> Result<f64> {
    let mut runs = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let out = Command::new(exe)
            .arg("--seeds")
            .arg(seeds)
            .arg("--data")
            .arg(data)
            .arg("--prompts")
            .arg(&g.prompts)
            .args(["ask", COLD_QUESTION])
            .output()
            .context("starting `newsbot ask`")?;
        runs.push(ms(started.elapsed()));
        if !out.status.success() {
            bail!("`ask` failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    runs.sort_by(f64::total_cmp);
    Ok(percentile(&runs, 0.5))
}

pub fn run_bench(g: &Global, args: &BenchArgs) -> Result<()> {
    let exe = std::env::current_exe().context("finding this executable")?;
    let work = args
        .dir
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join("newsbot-bench"));
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let seed_corpus = corpus::load_dir(&g.seeds)
        .with_context(|| format!("reading seed folder {}", g.seeds.display()))?;
    let mix = query_mix(&g.seeds, &g.prompts, &args.questions)?;
    let mix_file = work.join("mix.txt");
    std::fs::write(&mix_file, mix.join("\n")).context("writing the query mix")?;

    let mut report = Report {
        machine: machine(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        sizes: Vec::new(),
    };
    for &scale in &args.sizes {
        let root = work.join(format!("x{scale}"));
        let seeds = root.join("seeds");
        let data = root.join("data");
        let done = root.join(format!(".generated-v{}", synth::GENERATOR_VERSION));
        if scale > 1 && !done.exists() {
            let _ = std::fs::remove_dir_all(&root);
            eprintln!("bench: generating ×{scale} archive in {}", seeds.display());
            synth::generate(&g.seeds, &seed_corpus, scale, RNG_SEED, &seeds)?;
            std::fs::write(&done, b"").context("marking the archive complete")?;
        }
        let seeds = if scale == 1 { g.seeds.clone() } else { seeds };
        let _ = std::fs::remove_dir_all(&data);
        eprintln!("bench: ×{scale}: building the index");
        let build: BuildFigures =
            serde_json::from_str(&worker(&exe, g, &seeds, &data, &["build"])?)
                .context("reading the build worker's figures")?;
        let index_bytes = dir_bytes(&data.join("index"));
        eprintln!("bench: ×{scale}: cold start");
        let cold = cold_start_ms(&exe, g, &seeds, &data)?;
        eprintln!("bench: ×{scale}: queries");
        let rounds = args.rounds.to_string();
        let serve: ServeFigures = serde_json::from_str(&worker(
            &exe,
            g,
            &seeds,
            &data,
            &[
                "serve",
                "--mix",
                &mix_file.to_string_lossy(),
                "--rounds",
                &rounds,
            ],
        )?)
        .context("reading the serve worker's figures")?;
        let build_secs = build.parse_secs + build.index_secs;
        report.sizes.push(SizeFigures {
            scale,
            build_mb_per_s: build.text_bytes as f64 / 1e6 / build_secs.max(1e-9),
            passages_per_s: build.passages as f64 / build_secs.max(1e-9),
            build_secs,
            index_bytes,
            cold_start_ms: cold,
            serve,
            build,
        });
        if !args.keep {
            let _ = std::fs::remove_dir_all(&data);
        }
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report));
    }
    Ok(())
}

fn table(r: &Report) -> String {
    let mut out = format!("machine: {} ({} CPUs)\n\n", r.machine, r.cpus);
    out.push_str("| size | articles | passages | text MB | build s | MB/s | MB/CPU-s | passages/s | index MB | build RSS MB | cold start ms | p50 ms | p99 ms | long p99 ms | q/s (2 clients) | serve RSS MB |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for s in &r.sizes {
        out.push_str(&format!(
            "| ×{} | {} | {} | {:.1} | {:.2} | {:.1} | {:.1} | {:.0} | {:.1} | {:.0} | {:.0} | {:.2} | {:.2} | {:.2} | {:.0} | {:.0} |\n",
            s.scale,
            s.build.articles,
            s.build.passages,
            s.build.text_bytes as f64 / 1e6,
            s.build_secs,
            s.build_mb_per_s,
            s.build.text_bytes as f64 / 1e6 / s.build.cpu_secs.max(1e-9),
            s.passages_per_s,
            s.index_bytes as f64 / 1e6,
            s.build.peak_rss_kb as f64 / 1024.0,
            s.cold_start_ms,
            s.serve.p50_ms,
            s.serve.p99_ms,
            s.serve.long_p99_ms,
            s.serve.qps_2_clients,
            s.serve.peak_rss_kb as f64 / 1024.0,
        ));
    }
    if let (Some(a), Some(b)) = (r.sizes.first(), r.sizes.last()) {
        if b.build.passages > a.build.passages {
            // Growth exponent k in figure ∝ passages^k between the smallest and largest size.
            let x = (b.build.passages as f64 / a.build.passages as f64).ln();
            let k = |fa: f64, fb: f64| {
                if fa > 0.0 && fb > 0.0 {
                    format!("{:.2}", (fb / fa).ln() / x)
                } else {
                    "-".into()
                }
            };
            out.push_str(&format!(
                "\ngrowth exponent k (figure ∝ passages^k, ×{} → ×{}): build time {}, index size {}, build RSS {}, cold start {}, p50 {}, p99 {}, q/s {}, serve RSS {}\n",
                a.scale,
                b.scale,
                k(a.build_secs, b.build_secs),
                k(a.index_bytes as f64, b.index_bytes as f64),
                k(a.build.peak_rss_kb as f64, b.build.peak_rss_kb as f64),
                k(a.cold_start_ms, b.cold_start_ms),
                k(a.serve.p50_ms, b.serve.p50_ms),
                k(a.serve.p99_ms, b.serve.p99_ms),
                k(a.serve.qps_2_clients, b.serve.qps_2_clients),
                k(a.serve.peak_rss_kb as f64, b.serve.peak_rss_kb as f64),
            ));
        }
    }
    out
}

/// The child side: `build` indexes the seed folder; `serve` opens the built index and runs
/// the query mix. Each prints one JSON object.
pub fn run_worker(g: &Global, args: &WorkerArgs) -> Result<()> {
    match args.mode {
        WorkerMode::Build => {
            let started = Instant::now();
            let corpus = corpus::load_dir(&g.seeds)?;
            let parse_secs = started.elapsed().as_secs_f64();
            let started = Instant::now();
            let storage = app::storage(g);
            index::build(&corpus, &storage, |_, _| {})?;
            let index_secs = started.elapsed().as_secs_f64();
            // Stamps as `open_or_build` leaves them, so cold starts measure the normal path.
            if let newsbot_core::Storage::Disk(dir) = &storage {
                let (_, fresh, _) = stamps::current_files(&g.seeds, &Default::default())?;
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
            let engine = app::open_engine(g, false)?;
            let open_ms = ms(started.elapsed());
            println!(
                "{}",
                serde_json::to_string(&serve(&engine, &mix, args.rounds, open_ms))?
            );
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
        qps_2_clients: qps,
        errors: errors + errors2,
        open_ms,
        peak_rss_kb: peak_rss_kb(),
        slowest,
    }
}
