//! Calibrates the ranking weights (`Tuning`'s score fields): a grid search on one half of the question files, scored
//! on the other half, so the weights that ship are the ones that generalise.
//!
//! cargo run --release -p newsbot-core --example calibrate -- seeds prompts Q.jsonl [Q2.jsonl …]
//!
//! Unanswerable questions (a text file, one per line, named `*.txt`) are checked too: the
//! confidence threshold is the one that answers the most answerable questions while leaving
//! every unanswerable one unanswered.

use std::path::Path;
use std::sync::Arc;

use newsbot_core::index::{open_or_build, Storage};
use newsbot_core::{Engine, Prompts, Request, Tuning};
use newsbot_eval::eval::{self, Question};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    assert!(
        args.len() >= 3,
        "usage: calibrate SEEDS PROMPTS QUESTIONS.jsonl… [UNANSWERABLE.txt]"
    );
    let opened = open_or_build(Path::new(&args[0]), &Storage::Memory, false, |_, _| {}).unwrap();
    let prompts = Arc::new(Prompts::load(Path::new(&args[1])).unwrap());
    let mut engine = Engine::new(opened.index, prompts);
    let mut questions: Vec<Question> = Vec::new();
    let mut unanswerable: Vec<String> = Vec::new();
    for file in &args[2..] {
        let text = std::fs::read_to_string(file).unwrap();
        if file.ends_with(".txt") {
            unanswerable.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(String::from),
            );
        } else {
            questions.extend(eval::parse_questions(&text).unwrap());
        }
    }
    let (train, test): (Vec<_>, Vec<_>) = questions
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let train: Vec<Question> = train.into_iter().map(|(_, q)| q).collect();
    let test: Vec<Question> = test.into_iter().map(|(_, q)| q).collect();

    let run = |engine: &mut Engine, w: Tuning, qs: &[Question]| {
        engine.set_tuning(w);
        let r = eval::run(engine, qs).unwrap();
        (r.top1 + r.mrr10, r)
    };
    let base = Tuning::default();
    let (_, r) = run(&mut engine, base, &train);
    println!("default  train top1 {:.3} mrr {:.3}", r.top1, r.mrr10);
    let mut best = (f64::MIN, base);
    for both in [0.45, 0.6, 0.8] {
        for article_only in [0.25, 0.45] {
            for sentence in [0.5, 1.0, 1.5] {
                for proximity in [0.1, 0.3] {
                    for answer_type in [0.15, 0.3, 0.45] {
                        for bm25 in [0.0, 0.2] {
                            let w = Tuning {
                                both,
                                article_only,
                                sentence,
                                proximity,
                                answer_type,
                                bm25,
                                min_coverage: 0.0,
                                ..base
                            };
                            let (s, _) = run(&mut engine, w, &train);
                            if s > best.0 {
                                best = (s, w);
                            }
                        }
                    }
                }
            }
        }
    }
    let w = best.1;
    println!("best on train: {w:?}");
    for (name, qs) in [("train", &train), ("test", &test)] {
        let (_, d) = run(
            &mut engine,
            Tuning {
                min_coverage: 0.0,
                ..base
            },
            qs,
        );
        let (_, r) = run(&mut engine, w, qs);
        println!(
            "{name:5}  default top1 {:.3} mrr {:.3}  →  tuned top1 {:.3} mrr {:.3}",
            d.top1, d.mrr10, r.top1, r.mrr10
        );
    }
    // Threshold: the lowest confidence among unanswerable questions bounds it from below.
    engine.set_tuning(Tuning {
        min_coverage: 0.0,
        ..w
    });
    let worst_unanswerable = unanswerable
        .iter()
        .map(|q| engine.answer(&Request::parse(q)).unwrap().confidence)
        .fold(0.0f32, f32::max);
    let all: Vec<Question> = train.iter().chain(test.iter()).cloned().collect();
    let r = eval::run(&engine, &all).unwrap();
    let mut conf: Vec<f32> = r.outcomes.iter().map(|o| o.confidence).collect();
    conf.sort_by(f32::total_cmp);
    println!(
        "highest unanswerable confidence {worst_unanswerable:.3}; answerable confidence min {:.3} p10 {:.3} median {:.3}",
        conf[0],
        conf[conf.len() / 10],
        conf[conf.len() / 2]
    );
}
