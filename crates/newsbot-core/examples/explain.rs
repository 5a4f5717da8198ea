//! Shows how a question was planned and how its top candidates scored, part by part.
//!
//! cargo run -p newsbot-core --example explain -- SEEDS PROMPTS "question"

use std::path::Path;

use newsbot_core::index::{open_or_build, Storage};
use newsbot_core::rank::{self, Weights};
use newsbot_core::{analysis, Prompts};
use tantivy::collector::TopDocs;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opened = open_or_build(Path::new(&args[0]), &Storage::Memory, false, |_, _| {}).unwrap();
    let prompts = Prompts::load(Path::new(&args[1])).unwrap();
    let idx = opened.index;
    let f = &idx.fields;
    let searcher = idx.reader.searcher();
    let w = Weights::default();
    let plan = rank::plan(&args[2], &prompts.variants, &searcher, f, &w);
    println!("answer type: {:?}", plan.answer);
    for c in &plan.concepts {
        let alts: Vec<String> = c
            .alts
            .iter()
            .map(|a| format!("{}×{}", a.terms.join(" "), a.factor))
            .collect();
        println!("  w={:.2} {}", c.weight, alts.join(" | "));
    }
    let hits = searcher
        .search(
            &*rank::retrieval_query(&plan, f, &searcher, false),
            &TopDocs::with_limit(40).order_by_score(),
        )
        .unwrap();
    let best = hits[0].0;
    let mut rows = Vec::new();
    for (bm25, addr) in hits {
        let doc: TantivyDocument = searcher.doc(addr).unwrap();
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let para = doc.get_first(f.para).and_then(|v| v.as_u64()).unwrap_or(0);
        let keys: rustc_hash::FxHashSet<std::rc::Rc<str>> = analysis::tokens(&get(f.keys))
            .into_iter()
            .map(|t| t.term)
            .collect();
        let body = get(f.body);
        let s = rank::score(&plan, &w, &body, &keys, para == 0, bm25 / best);
        let spans: Vec<String> = s
            .spans
            .iter()
            .map(|&(a, b)| body[a..b].to_string())
            .collect();
        rows.push((s.score, s.parts, s.coverage, format!("{spans:?} {body}")));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (score, parts, cov, body) in rows.iter().take(6) {
        println!(
            "{score:.2} {parts:.2?} cov {cov:.2} | {}",
            body.chars().take(200).collect::<String>()
        );
    }
}
