//! Per-question embedding time, one question at a time as the bot embeds them: the
//! newsbot side of `tools/st_reference.py`'s comparison with Python sentence-transformers.
//!
//! `cargo run --release --example query_time -- models/all-MiniLM-L6-v2 eval/dev_questions.jsonl`

use std::time::Instant;

use newsbot_index::embedder::Embedder;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(model), Some(file)) = (args.next(), args.next()) else {
        return Err("usage: query_time MODEL_DIR QUESTIONS.jsonl".into());
    };
    let started = Instant::now();
    let model = newsbot_embed::BertEmbedder::load(std::path::Path::new(&model))?;
    let load_ms = started.elapsed().as_secs_f64() * 1000.0;
    let questions: Vec<String> = std::fs::read_to_string(&file)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .map(|v| v["q"].as_str().unwrap_or_default().to_string())
        })
        .collect::<Result<_, _>>()?;
    for q in questions.iter().take(2) {
        model.embed_query(q)?; // warm-up, as the Python side does
    }
    let mut times: Vec<f64> = Vec::with_capacity(questions.len());
    for q in &questions {
        let t = Instant::now();
        model.embed_query(q)?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let p = |f: f64| times[((f * times.len() as f64) as usize).min(times.len() - 1)];
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(-1.0, |kb| kb / 1024.0);
    println!(
        "{{\"questions\": {}, \"load_ms\": {load_ms:.0}, \"p50_ms\": {:.2}, \"p99_ms\": {:.2}, \"peak_rss_mb\": {rss:.0}}}",
        questions.len(),
        p(0.5),
        p(0.99)
    );
    Ok(())
}
