//! The non-interactive subcommands, each a typed function over an open engine.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use newsbot_core::accounting::{Accounting, Counts};
use newsbot_core::feeds::Poller;
use newsbot_core::{corpus, eval, index, Engine};

use crate::app;
use crate::cli::Global;

pub fn run_index(g: &Global, verbose: bool) -> Result<()> {
    let started = Instant::now();
    let corpus = corpus::load_dir_with(&g.seeds, app::progress_bar("reading"))
        .with_context(|| format!("reading seed folder {}", g.seeds.display()))?;
    for w in &corpus.warnings {
        eprintln!("warning: {w}");
    }
    print_encodings(&corpus.accounting);
    if verbose {
        for m in &corpus.accounting.merges {
            println!("{m}");
        }
    }
    let storage = app::storage(g);
    index::build(&corpus, &storage, app::progress_bar("indexing")).context("building the index")?;
    let secs = started.elapsed().as_secs_f64();
    let mb = corpus.total_bytes() as f64 / 1e6;
    println!(
        "Indexed {} articles ({} passages) from {} files in {:.2} s ({:.1} MB/s){}",
        corpus.articles.len(),
        corpus.passage_count(),
        corpus.files.len(),
        secs,
        mb / secs.max(1e-9),
        match storage {
            newsbot_core::Storage::Disk(d) => format!(" → {}", d.display()),
            newsbot_core::Storage::Memory => " (in memory)".into(),
        }
    );
    Ok(())
}

/// One line per file that was not plain UTF-8, so a guessed encoding is never silent.
fn print_encodings(acc: &Accounting) {
    for f in &acc.files {
        if let Some(enc) = &f.encoding {
            eprintln!("{}: read as {enc}", f.file);
        }
    }
}

pub fn run_stats(g: &Global, engine: &Engine, json: bool) -> Result<()> {
    let s = engine.stats();
    // The account is read from the seed files themselves (warnings were already printed
    // when the engine opened), so it says what the files hold now.
    let acc = corpus::load_dir(&g.seeds)
        .with_context(|| format!("reading seed folder {}", g.seeds.display()))?
        .accounting;
    print_encodings(&acc);
    if json {
        let mut v = serde_json::to_value(&s)?;
        v["accounting"] = serde_json::to_value(&acc)?;
        println!("{v}");
        return Ok(());
    }
    println!(
        "files:    {}\narticles: {}\npassages: {}\ntopics:   {}",
        s.files, s.articles, s.passages, s.topics
    );
    if s.skipped_files > 0 {
        println!("skipped:  {} (see warnings)", s.skipped_files);
    }
    print!("\n{}", accounting_table(&acc));
    if !acc.merges.is_empty() {
        println!("\nmerged as copies:");
        for m in &acc.merges {
            println!("  {m}");
        }
    }
    Ok(())
}

/// Per-file and total counts, one row each.
fn accounting_table(acc: &Accounting) -> String {
    let width = acc
        .files
        .iter()
        .map(|f| f.file.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let row = |name: &str, c: &Counts| {
        format!(
            "{name:<width$}  {:>7}  {:>10}  {:>9}  {:>8}  {:>5}  {:>10}\n",
            c.lines,
            c.paragraphs_indexed,
            c.headlines,
            c.headings,
            c.promo_lines,
            c.duplicates_stored_once
        )
    };
    let mut out = format!(
        "{:<width$}  {:>7}  {:>10}  {:>9}  {:>8}  {:>5}  {:>10}\n",
        "file", "lines", "paragraphs", "headlines", "headings", "promo", "duplicates"
    );
    for f in &acc.files {
        out.push_str(&row(&f.file, &f.counts));
    }
    out.push_str(&row("total", &acc.total));
    out
}

pub fn run_eval(engine: &Engine, file: &Path, verbose: bool, json: bool) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("reading question file {}", file.display()))?;
    let questions =
        eval::parse_questions(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    anyhow::ensure!(
        !questions.is_empty(),
        "{} holds no questions",
        file.display()
    );
    let report = eval::run(engine, &questions)?;
    if json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(());
    }
    if verbose {
        for o in report
            .outcomes
            .iter()
            .filter(|o| o.rank != Some(1) || !o.headline_ok)
        {
            println!(
                "miss  rank={:<4} {}\n      top headline: {}",
                o.rank.map_or("-".to_string(), |r| r.to_string()),
                o.q,
                o.top_headline.as_deref().unwrap_or("(none)")
            );
        }
    }
    println!(
        "questions: {}  top-1: {:.3}  MRR@10: {:.3}  headline: {:.3}",
        report.questions, report.top1, report.mrr10, report.headline
    );
    Ok(())
}

/// `fetch-feeds`: one poll of every feed. Fails (after polling all) when any feed failed,
/// so cron reports it.
pub fn run_fetch_feeds(g: &Global) -> Result<()> {
    let list = app::load_feeds(g)?;
    anyhow::ensure!(
        !list.is_empty(),
        "no feeds configured: write feeds.toml (or pass --feeds FILE), or set NEWSBOT_FEEDS"
    );
    std::fs::create_dir_all(&g.seeds)
        .with_context(|| format!("creating seed folder {}", g.seeds.display()))?;
    let mut poller = Poller::new(&g.seeds, app::feed_state(g));
    let mut failed = 0;
    for feed in &list {
        match poller.poll(feed) {
            Ok(outcome) => {
                println!("{}: {outcome}", feed.name);
                if let newsbot_core::feeds::Outcome::Fetched { written, .. } = &outcome {
                    for name in written {
                        println!("  + {name}");
                    }
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("error: feed {} ({}): {e}", feed.name, feed.url);
            }
        }
    }
    anyhow::ensure!(failed == 0, "{failed} of {} feeds failed", list.len());
    Ok(())
}
