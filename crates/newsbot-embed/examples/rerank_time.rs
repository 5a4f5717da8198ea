//! Time of one rerank call as the bot makes it: a seed question and five seed paragraphs,
//! scored in one batch. 10 warm-ups, then 100 timed calls; prints load time and p50/p90/p99.
//!
//! `cargo run --release -p newsbot-embed --example rerank_time [EMBEDDER_DIR RERANKER_DIR]`
//! (defaults: the repository's `models/all-MiniLM-L6-v2` and `models/reranker-minilm-l6-squad`).

use std::path::PathBuf;
use std::time::Instant;

use newsbot_rank::reranker::Reranker;

const QUESTION: &str = "Which company did Axian partner with to expand digital payments?";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args().skip(1);
    let embedder_dir = args
        .next()
        .map_or_else(|| repo.join("models/all-MiniLM-L6-v2"), PathBuf::from);
    let reranker_dir = args.next().map_or_else(
        || repo.join("models/reranker-minilm-l6-squad"),
        PathBuf::from,
    );

    let started = Instant::now();
    let embedder = newsbot_embed::BertEmbedder::load(&embedder_dir)?;
    let embedder_ms = started.elapsed().as_secs_f64() * 1000.0;
    let started = Instant::now();
    let reranker = newsbot_embed::BertReranker::load(&reranker_dir, &embedder)?;
    let reranker_ms = started.elapsed().as_secs_f64() * 1000.0;

    // The Axian article: its first five paragraphs, one a line in the seed file.
    let seed = std::fs::read_to_string(repo.join("seeds/000_836769b6343b3b07.txt"))?;
    let passages: Vec<&str> = seed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(5)
        .collect();
    let tokens: Vec<usize> = passages
        .iter()
        .map(|p| reranker.encoded_len(QUESTION, p))
        .collect::<Result<_, _>>()?;

    for _ in 0..10 {
        reranker.score(QUESTION, &passages)?;
    }
    let mut times = Vec::with_capacity(100);
    let mut logits = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        logits = reranker.score(QUESTION, &passages)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let p = |f: f64| times[((f * times.len() as f64) as usize).min(times.len() - 1)];
    println!(
        "{{\"pairs\": {}, \"tokens\": {tokens:?}, \"embedder_load_ms\": {embedder_ms:.0}, \
         \"reranker_load_ms\": {reranker_ms:.0}, \"p50_ms\": {:.2}, \"p90_ms\": {:.2}, \
         \"p99_ms\": {:.2}, \"logits\": {logits:?}}}",
        passages.len(),
        p(0.5),
        p(0.9),
        p(0.99)
    );
    Ok(())
}
