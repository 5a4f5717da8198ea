//! Shows how a question was planned and how its top candidates scored, part by part. It runs
//! the engine's own pipeline (`rank::candidates`), so it shows what the engine ranks.
//!
//! cargo run -p newsbot-core --example explain -- SEEDS PROMPTS "question"

use std::path::Path;

use newsbot_core::index::{open_or_build, Storage};
use newsbot_core::rank::{self, Search, TermStats};
use newsbot_core::{Prompts, Tuning};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = open_or_build(Path::new(&args[0]), &Storage::Memory, false, |_, _| {}).unwrap();
    let prompts = Prompts::load(Path::new(&args[1])).unwrap();
    let idx = opened.index;
    let searcher = idx.reader.searcher();
    let t = Tuning::default();
    let plan = rank::plan(
        &args[2],
        &prompts.variants,
        &TermStats::new(&searcher, &idx.fields),
        &t,
    );
    println!("answer type: {:?}", plan.answer);
    for c in &plan.concepts {
        let alts: Vec<String> = c
            .alts
            .iter()
            .map(|a| format!("{}×{}", a.terms.join(" "), a.factor))
            .collect();
        println!("  w={:.2} {}", c.weight, alts.join(" | "));
    }
    let search = Search {
        plan: &plan,
        browse: false,
        patterns: &[],
        semantic: None,
        latest: false,
        within: None,
    };
    for c in rank::candidates(&searcher, &idx.fields, search, &t)
        .unwrap()
        .list
        .iter()
        .take(6)
    {
        let p = &c.passage;
        let chars: Vec<char> = p.paragraph.chars().collect();
        let spans: Vec<String> = p
            .highlights
            .iter()
            .map(|&[a, b]| chars[a..b].iter().collect())
            .collect();
        println!(
            "{:.2} {:.2?} cov {:.2} | {spans:?} {}",
            c.score(),
            c.parts,
            c.coverage,
            p.paragraph.chars().take(200).collect::<String>()
        );
    }
}
