//! Scores one set of tuning knobs on question files: a quick A/B for calibration. Any field
//! of `Tuning` can be set by name.
//!
//! cargo run --release -p newsbot-core --example weights -- SEEDS PROMPTS "both=0.5,candidates=40" Q.jsonl…

use std::path::Path;
use std::sync::Arc;

use newsbot_core::index::{open_or_build, Storage};
use newsbot_core::{Engine, Prompts, Tuning};
use newsbot_eval::eval;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = open_or_build(Path::new(&args[0]), &Storage::Memory, false, |_, _| {}).unwrap();
    let prompts = Arc::new(Prompts::load(Path::new(&args[1])).unwrap());
    let mut engine = Engine::new(opened.index, prompts);
    let mut t = Tuning::default();
    for kv in args[2].split(',').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').expect("key=value");
        t.set(k, v.parse().expect("number")).unwrap();
    }
    engine.set_tuning(t);
    for file in &args[3..] {
        let qs = eval::parse_questions(&std::fs::read_to_string(file).unwrap()).unwrap();
        let r = eval::run(&engine, &qs).unwrap();
        println!(
            "{file}: top1 {:.3} mrr {:.3} headline {:.3}",
            r.top1, r.mrr10, r.headline
        );
    }
}
