//! Scores one set of ranking weights on question files: a quick A/B for calibration.
//!
//! cargo run --release -p newsbot-core --example weights -- SEEDS PROMPTS "both=0.5,lead=0" Q.jsonl…

use std::path::Path;
use std::sync::Arc;

use newsbot_core::eval;
use newsbot_core::index::{open_or_build, Storage};
use newsbot_core::rank::Weights;
use newsbot_core::{Engine, Prompts};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = open_or_build(Path::new(&args[0]), &Storage::Memory, false, |_, _| {}).unwrap();
    let prompts = Arc::new(Prompts::load(Path::new(&args[1])).unwrap());
    let mut engine = Engine::new(opened.index, prompts);
    let mut w = Weights::default();
    for kv in args[2].split(',').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').expect("key=value");
        let v: f32 = v.parse().expect("number");
        match k {
            "both" => w.both = v,
            "article_only" => w.article_only = v,
            "variant" => w.variant = v,
            "sentence" => w.sentence = v,
            "proximity" => w.proximity = v,
            "answer_type" => w.answer_type = v,
            "lead" => w.lead = v,
            "bm25" => w.bm25 = v,
            "min_coverage" => w.min_coverage = v,
            _ => panic!("unknown weight {k}"),
        }
    }
    engine.set_weights(w);
    for file in &args[3..] {
        let qs = eval::parse_questions(&std::fs::read_to_string(file).unwrap()).unwrap();
        let r = eval::run(&engine, &qs).unwrap();
        println!(
            "{file}: top1 {:.3} mrr {:.3} headline {:.3}",
            r.top1, r.mrr10, r.headline
        );
    }
}
