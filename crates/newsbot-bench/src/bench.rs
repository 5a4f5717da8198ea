//! The parent side of the benchmark: generates the archives, starts a worker per figure,
//! and prints the table.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use newsbot_core::corpus;

use crate::figures::{
    dir_bytes, machine, ms, percentile, BuildFigures, Report, ServeFigures, SizeFigures,
};
use crate::worker::COLD_QUESTION;
use crate::{synth, BenchArgs, Global};

const RNG_SEED: u64 = 0x006e_6577_7362_6f74;

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

/// A child process of `exe` on one archive.
fn child(exe: &Path, g: &Global, seeds: &Path) -> Command {
    let mut c = Command::new(exe);
    c.arg("--seeds")
        .arg(seeds)
        .arg("--prompts")
        .arg(&g.prompts)
        .arg("--model")
        .arg(&g.model)
        .arg("--reranker-model")
        .arg(&g.reranker);
    c
}

fn worker(exe: &Path, g: &Global, seeds: &Path, data: &Path, extra: &[&str]) -> Result<String> {
    let out = child(exe, g, seeds)
        .arg("worker")
        .args(extra)
        .arg("--data")
        .arg(data)
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

/// Wall clock from spawn to exit of a process that opens the built index and answers one
/// question, median of 7. That is `newsbot ask` when the bot's binary sits beside this one
/// (a workspace build), else this binary's own `ask` worker, which does the same work.
fn cold_start_ms(exe: &Path, g: &Global, seeds: &Path, data: &Path) -> Result<f64> {
    let bot = exe.with_file_name(format!("newsbot{}", std::env::consts::EXE_SUFFIX));
    let mut runs = Vec::new();
    for _ in 0..7 {
        let mut cmd = if bot.is_file() {
            let mut c = child(&bot, g, seeds);
            c.arg("--data").arg(data).args(["ask", COLD_QUESTION]);
            c
        } else {
            let mut c = child(exe, g, seeds);
            c.args(["worker", "ask", "--data"]).arg(data);
            c
        };
        let started = Instant::now();
        let out = cmd.output().context("starting the cold-start process")?;
        runs.push(ms(started.elapsed()));
        if !out.status.success() {
            bail!("`ask` failed: {}", String::from_utf8_lossy(&out.stderr));
        }
    }
    runs.sort_by(f64::total_cmp);
    Ok(percentile(&runs, 0.5))
}

pub fn run(g: &Global, args: &BenchArgs) -> Result<()> {
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
        let (embedded, embed_per_sec) = if g.model_dir().is_some() {
            eprintln!("bench: ×{scale}: embedding passages");
            let v: serde_json::Value =
                serde_json::from_str(&worker(&exe, g, &seeds, &data, &["embed"])?)
                    .context("reading the embed worker's figures")?;
            (
                v["passages"].as_u64().map(|n| n as usize),
                v["per_sec"].as_f64(),
            )
        } else {
            (None, None)
        };
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
            embedded,
            embed_per_sec,
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
    out.push_str("| size | articles | passages | text MB | build s | MB/s | MB/CPU-s | passages/s | index MB | build RSS MB | embedded/s | cold start ms | p50 ms | p99 ms | long p99 ms | rerank p50 ms | rerank p99 ms | full K | q/s (2 clients) | serve RSS MB |\n");
    out.push_str(
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for s in &r.sizes {
        out.push_str(&format!(
            "| ×{} | {} | {} | {:.1} | {:.2} | {:.1} | {:.1} | {:.0} | {:.1} | {:.0} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0}% | {:.0} | {:.0} |\n",
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
            s.embed_per_sec
                .map_or("-".to_string(), |r| format!("{r:.0}")),
            s.cold_start_ms,
            s.serve.p50_ms,
            s.serve.p99_ms,
            s.serve.long_p99_ms,
            s.serve.rerank_p50_ms,
            s.serve.rerank_p99_ms,
            100.0 * s.serve.reranked_share,
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
