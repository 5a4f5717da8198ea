//! Query latency over a fixed mix (question files, every topic command, and long pasted
//! questions), through `Engine::answer` with highlighting and reply building.
//!
//! cargo run --release -p newsbot-core --example latency -- SEEDS PROMPTS Q.jsonl…

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use newsbot_core::index::{open_or_build, Storage};
use newsbot_core::{Engine, Prompts, Request};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = open_or_build(Path::new(&args[0]), &Storage::Memory, false, |_, _| {}).unwrap();
    let prompts = Arc::new(Prompts::load(Path::new(&args[1])).unwrap());
    let topics: Vec<String> = prompts
        .topics
        .iter()
        .map(|t| format!("/{}", t.name))
        .collect();
    let engine = Engine::new(opened.index, prompts);
    let mut mix: Vec<String> = Vec::new();
    for file in &args[2..] {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                mix.push(v["q"].as_str().unwrap().to_string());
            }
        }
    }
    mix.extend(topics);
    let paste = "Cloud outages took down websites and banking apps across the world. ".repeat(70);
    mix.push(paste.clone());
    mix.push(format!("{paste} What happened to Amazon Web Services?"));
    let mut times = Vec::new();
    for round in 0..30 {
        for q in &mix {
            let t = Instant::now();
            let r = engine.answer(&Request::parse(q)).unwrap();
            if round > 0 {
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
            std::hint::black_box(r);
        }
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
    println!(
        "{} queries: p50 {:.0} µs, p90 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        times.len(),
        p(0.5),
        p(0.9),
        p(0.99),
        p(1.0)
    );
}
