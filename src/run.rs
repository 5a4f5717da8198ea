//! The non-interactive subcommands, each a typed function over an open engine.

use std::time::Instant;

use anyhow::{Context, Result};
use newsbot_core::accounting::{Accounting, Counts};
use newsbot_core::{corpus, index};
use newsbot_eval::eval;
use newsbot_feeds::Poller;

use crate::app;
use crate::cli::{EvalArgs, FetchFeedsArgs, Global, IndexArgs, StatsArgs};
use crate::error::{user_bail, UserError};

pub fn run_index(g: &Global, args: &IndexArgs) -> Result<()> {
    let started = Instant::now();
    // A rebuild swaps the index folder; a running writer must not have it changed under it.
    let _lock = if g.in_memory {
        None
    } else {
        let (lock, _) = newsbot_core::live::shared::require_writer(&g.data)?;
        Some(lock)
    };
    let corpus = corpus::load_dir_with(&g.seeds, app::progress_bar("reading", g.progress_every()))
        .with_context(|| format!("reading seed folder {}", g.seeds.display()))?;
    for w in &corpus.warnings {
        eprintln!("warning: {w}");
    }
    print_encodings(&corpus.accounting);
    if args.verbose {
        for m in &corpus.accounting.merges {
            println!("{m}");
        }
    }
    let storage = app::storage(g);
    index::build(
        &corpus,
        &storage,
        app::progress_bar("indexing", g.progress_every()),
    )
    .context("building the index")?;
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

pub fn run_stats(g: &Global, args: &StatsArgs) -> Result<()> {
    let service = app::open(
        g,
        newsbot_service::Start::Once {
            force_rebuild: false,
        },
    )?;
    let s = service.engine.stats_with_embeddings();
    // Followed topics, and how many of them are paused.
    let (subscriptions, paused) = (service.alerts.as_ref())
        .map(|a| a.counts())
        .transpose()?
        .unwrap_or_default();
    // The account is read from the seed files themselves (warnings were already printed
    // when the engine opened), so it says what the files hold now.
    let acc = corpus::load_dir(&g.seeds)
        .with_context(|| format!("reading seed folder {}", g.seeds.display()))?
        .accounting;
    print_encodings(&acc);
    if args.json {
        let mut v = serde_json::to_value(&s)?;
        // What the seed folder holds now, with each skipped file's name and reason.
        v["skipped_files"] = acc.files_skipped.into();
        v["skipped"] = acc
            .files
            .iter()
            .filter_map(|f| {
                let why = f.skipped.as_ref()?;
                Some(serde_json::json!({ "file": f.file, "reason": why }))
            })
            .collect();
        v["accounting"] = serde_json::to_value(&acc)?;
        v["subscriptions"] = subscriptions.into();
        v["subscriptions_paused"] = paused.into();
        println!("{v}");
        return Ok(());
    }
    println!(
        "files:    {}\narticles: {}\npassages: {}\ntopics:   {}\nsemantic: {}\nrerank:   {}\nembedded: {} of {} distinct passage texts",
        s.files, s.articles, s.passages, s.topics, s.semantic, s.rerank, s.embedded, s.distinct_passages
    );
    match paused {
        0 => println!("follows:  {subscriptions} topic subscriptions"),
        n => println!("follows:  {subscriptions} topic subscriptions ({n} paused)"),
    }
    if acc.files_skipped > 0 {
        println!(
            "skipped:  {} file{} (reasons in the table below)",
            acc.files_skipped,
            if acc.files_skipped == 1 { "" } else { "s" }
        );
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

/// Per-file and total counts, one row each; a file left out whole says why on its row, and
/// what a loaded file lost is listed under the table.
fn accounting_table(acc: &Accounting) -> String {
    let width = acc
        .files
        .iter()
        .map(|f| f.file.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let header = [
        "format",
        "lines",
        "blocks",
        "records",
        "paragraphs",
        "headlines",
        "headings",
        "promo",
        "dropped",
        "duplicates",
    ];
    let row = |name: &str, format: &str, c: &Counts| {
        format!(
            "{name:<width$}  {format:<8}  {:>7}  {:>6}  {:>7}  {:>10}  {:>9}  {:>8}  {:>5}  {:>7}  {:>10}\n",
            c.lines,
            c.blocks,
            c.records,
            c.paragraphs_indexed,
            c.headlines,
            c.headings,
            c.promo_lines,
            c.dropped,
            c.duplicates_stored_once
        )
    };
    let mut out = format!(
        "{:<width$}  {:<8}  {:>7}  {:>6}  {:>7}  {:>10}  {:>9}  {:>8}  {:>5}  {:>7}  {:>10}\n",
        "file",
        header[0],
        header[1],
        header[2],
        header[3],
        header[4],
        header[5],
        header[6],
        header[7],
        header[8],
        header[9]
    );
    for f in &acc.files {
        match &f.skipped {
            Some(why) => out.push_str(&format!(
                "{:<width$}  {:<8}  skipped: {why}\n",
                f.file, f.format
            )),
            None => out.push_str(&row(&f.file, &f.format, &f.counts)),
        }
    }
    out.push_str(&row("total", "", &acc.total));
    let notes: Vec<String> = acc
        .files
        .iter()
        .flat_map(|f| f.notes.iter().map(move |n| format!("  {}: {n}", f.file)))
        .collect();
    if !notes.is_empty() {
        out.push_str("\nleft out of files that loaded:\n");
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}

pub fn run_eval(g: &Global, o: &EvalArgs) -> Result<()> {
    let engine = app::open_engine(g, false)?;
    app::embed_now(g, &engine);
    let engine = &*engine;
    let file = &o.file;
    let text = std::fs::read_to_string(file)
        .map_err(|e| UserError(format!("cannot read question file {}: {e}", file.display())))?;
    let questions =
        eval::parse_questions(&text).map_err(|e| UserError(format!("{}: {e}", file.display())))?;
    if questions.is_empty() {
        user_bail!("{} holds no questions", file.display());
    }
    let declines = match &o.decline {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                UserError(format!(
                    "cannot read questions to decline {}: {e}",
                    path.display()
                ))
            })?;
            let qs = eval::parse_decline_questions(&text);
            if qs.is_empty() {
                user_bail!("{} holds no questions", path.display());
            }
            qs
        }
        None => Vec::new(),
    };
    if o.dump_candidates {
        let mut all = questions.clone();
        all.extend(declines.iter().map(|q| eval::Question {
            q: q.clone(),
            gold: Vec::new(),
            headline: None,
        }));
        for (i, mut line) in eval::dump_candidates(engine, &all)?.into_iter().enumerate() {
            line["decline"] = serde_json::Value::Bool(i >= questions.len());
            println!("{line}");
        }
        return Ok(());
    }
    let report = eval::run(engine, &questions)?;
    let bm25 = o
        .compare_bm25
        .then(|| eval::run_baseline(engine, &questions))
        .transpose()?;
    let decline = (!declines.is_empty())
        .then(|| eval::run_declines(engine, &declines))
        .transpose()?;
    if o.json {
        let mut v = serde_json::to_value(&report)?;
        v["semantic"] = serde_json::Value::String(engine.stats().semantic);
        v["rerank"] = serde_json::Value::String(engine.stats().rerank);
        if let Some(b) = &bm25 {
            v["bm25"] = serde_json::to_value(b)?;
        }
        if let Some(d) = &decline {
            v["decline"] = serde_json::to_value(d)?;
        }
        println!("{v}");
        return Ok(());
    }
    if o.verbose {
        for r in report
            .outcomes
            .iter()
            .filter(|r| r.rank != Some(1) || !r.headline_ok)
        {
            println!(
                "miss  rank={:<4} {}\n      top headline: {}",
                r.rank.map_or("-".to_string(), |r| r.to_string()),
                r.q,
                r.top_headline.as_deref().unwrap_or("(none)")
            );
        }
        for q in decline.iter().flat_map(|d| &d.answered_sure) {
            println!("sure on a question to decline: {q}");
        }
    }
    println!("semantic: {}", engine.stats().semantic);
    println!("rerank: {}", engine.stats().rerank);
    println!(
        "questions: {}  top-1: {:.3}  MRR@10: {:.3}  headline: {:.3}",
        report.questions, report.top1, report.mrr10, report.headline
    );
    println!(
        "answered as sure: {:.3}  closest match: {:.3}  declined: {:.3}",
        report.sure, report.closest, report.declined
    );
    if let Some(b) = &bm25 {
        println!(
            "plain BM25, same corpus:  top-1: {:.3}  MRR@10: {:.3}",
            b.top1, b.mrr10
        );
    }
    if let Some(d) = &decline {
        println!(
            "to decline: {}  declined: {:.3}  not answered as sure: {:.3}",
            d.questions, d.declined, d.not_sure
        );
    }
    Ok(())
}

/// `fetch-feeds`: one poll of every feed. Fails (after polling all) when any feed failed,
/// so cron reports it.
pub fn run_fetch_feeds(g: &Global, _: &FetchFeedsArgs) -> Result<()> {
    let config = app::config(g);
    let list = newsbot_service::load_feeds(&config)?;
    if list.is_empty() {
        user_bail!(
            "no feeds configured: write feeds.toml (or pass --feeds FILE), or set NEWSBOT_FEEDS"
        );
    }
    // A running writer polls the same feeds into the same seed folder and state file.
    let _lock = if g.in_memory {
        None
    } else {
        let (lock, _) = newsbot_core::live::shared::require_writer(&g.data).context(
            "fetch-feeds writes the seed folder and feed state a running bot writes too; run it only when no bot runs on this data folder",
        )?;
        Some(lock)
    };
    std::fs::create_dir_all(&g.seeds)
        .with_context(|| format!("creating seed folder {}", g.seeds.display()))?;
    let mut poller = Poller::new(&g.seeds, newsbot_service::feed_state(&config));
    let mut failed = 0;
    for feed in &list {
        match poller.poll(feed) {
            Ok(outcome) => {
                println!("{}: {outcome}", feed.name);
                if let newsbot_feeds::Outcome::Fetched { written, .. } = &outcome {
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
