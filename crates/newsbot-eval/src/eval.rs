//! Answer-quality evaluation over a question file (one JSON object per line:
//! `{"q": …, "gold": [substrings of the answering paragraph], "headline": …}`).

use serde::{Deserialize, Serialize};

use crate::baseline;
use newsbot_core::text::squash;
use newsbot_core::Engine;
use newsbot_core::Result;
use newsbot_core::{Match, Request};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Question {
    pub q: String,
    pub gold: Vec<String>,
    #[serde(default)]
    pub headline: Option<String>,
}

/// Parses a JSONL question file. Blank lines are skipped; a bad line is an error naming it.
pub fn parse_questions(text: &str) -> std::result::Result<Vec<Question>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub q: String,
    /// 1-based rank of the first passage containing a gold string, within the top 10.
    pub rank: Option<usize>,
    pub top_headline: Option<String>,
    pub headline_ok: bool,
    pub answered: bool,
    pub confidence: f32,
    #[serde(rename = "match")]
    pub match_kind: Match,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub questions: usize,
    pub top1: f64,
    pub mrr10: f64,
    /// Share of questions whose top passage carries the expected headline.
    pub headline: f64,
    /// Shares answered at all (sure or closest), as sure, as closest, and declined.
    pub answered: f64,
    pub sure: f64,
    pub closest: f64,
    pub declined: f64,
    pub outcomes: Vec<Outcome>,
}

/// Plain BM25 on the same questions and corpus ([`baseline`]).
#[derive(Debug, Clone, Serialize)]
pub struct BaselineReport {
    pub top1: f64,
    pub mrr10: f64,
}

/// How questions that should be declined fared.
#[derive(Debug, Clone, Serialize)]
pub struct DeclineReport {
    pub questions: usize,
    /// Share given the no-answer note.
    pub declined: f64,
    /// Share not answered as sure (declined, or shown under the closest-match label).
    pub not_sure: f64,
    /// The questions answered as sure, which should not have been.
    pub answered_sure: Vec<String>,
}

/// Reads a file of questions to decline: one per line, or JSON lines with a `q` field.
pub fn parse_decline_questions(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .ok()
                .and_then(|v| v.get("q").and_then(|q| q.as_str()).map(str::to_string))
                .unwrap_or_else(|| l.to_string())
        })
        .collect()
}

pub fn run_declines(engine: &Engine, questions: &[String]) -> Result<DeclineReport> {
    let mut declined = 0;
    let mut answered_sure = Vec::new();
    for q in questions {
        match engine.answer(&Request::parse(q))?.match_kind {
            Match::None => declined += 1,
            Match::Closest => {}
            Match::Sure => answered_sure.push(q.clone()),
        }
    }
    let n = questions.len().max(1) as f64;
    Ok(DeclineReport {
        questions: questions.len(),
        declined: declined as f64 / n,
        not_sure: 1.0 - answered_sure.len() as f64 / n,
        answered_sure,
    })
}

/// Top-1 and MRR@10 of plain BM25 on `questions`.
pub fn run_baseline(engine: &Engine, questions: &[Question]) -> Result<BaselineReport> {
    let idx = engine.index().current();
    let mut top1 = 0.0;
    let mut mrr = 0.0;
    for q in questions {
        let found = baseline::search(&idx, &q.q, 10)?;
        if let Some(r) = found.iter().position(|p| contains_gold(p, &q.gold)) {
            mrr += 1.0 / (r + 1) as f64;
            if r == 0 {
                top1 += 1.0;
            }
        }
    }
    let n = questions.len().max(1) as f64;
    Ok(BaselineReport {
        top1: top1 / n,
        mrr10: mrr / n,
    })
}

/// One JSON object per question: each candidate's score parts, coverage and cosine, and
/// whether it holds the gold text, and its text (so a new signal can be tried offline, e.g.
/// `tools/sentence_cosine.py`, before it is built). What `tools/fit_weights.py` fits the
/// weights on.
/// How many of each question's candidates `--dump-candidates` scores with the reranker.
pub const DUMP_RERANKED: usize = 10;

pub fn dump_candidates(engine: &Engine, questions: &[Question]) -> Result<Vec<serde_json::Value>> {
    let mut out = Vec::new();
    for q in questions {
        let mut ranked = engine.candidates(&squash(&q.q), None)?;
        // Every candidate's logit up to DUMP_RERANKED, in the engine's order (the fits
        // simulate other K and w from these), when the reranker is on.
        if let Some(model) = engine.models().reranker.as_ref() {
            let n = ranked.candidates.len().min(DUMP_RERANKED);
            let texts: Vec<&str> = ranked.candidates[..n]
                .iter()
                .map(|c| c.passage.paragraph.as_str())
                .collect();
            let logits = model.score(&squash(&q.q), &texts)?;
            for (c, l) in ranked.candidates.iter_mut().zip(logits) {
                c.rerank = Some(l);
            }
        }
        let cands: Vec<serde_json::Value> = ranked
            .candidates
            .iter()
            .map(|c| {
                let p = &c.parts;
                serde_json::json!({
                    "lexical": p.relevance() - p.semantic,
                    "parts": {
                        "paragraph": p.paragraph,
                        "sentence": p.sentence,
                        "lead": p.lead,
                        "bm25": p.bm25,
                    },
                    "cos": c.cos,
                    "logit": c.rerank,
                    "coverage": c.coverage,
                    "gold": contains_gold(&c.passage.paragraph, &q.gold),
                    "text": c.passage.paragraph,
                })
            })
            .collect();
        out.push(serde_json::json!({"q": q.q, "known": ranked.known, "candidates": cands}));
    }
    Ok(out)
}

fn contains_gold(paragraph: &str, gold: &[String]) -> bool {
    let p = squash(paragraph).to_lowercase();
    gold.iter().any(|g| p.contains(&squash(g).to_lowercase()))
}

pub fn run(engine: &Engine, questions: &[Question]) -> Result<Report> {
    let mut outcomes = Vec::new();
    for q in questions {
        let reply = engine.answer(&Request::parse(&q.q))?;
        let rank = reply
            .passages
            .iter()
            .take(10)
            .position(|p| contains_gold(&p.paragraph, &q.gold))
            .map(|i| i + 1);
        let top_headline = reply.passages.first().map(|p| p.headline.clone());
        let headline_ok = match (&q.headline, &top_headline) {
            (Some(want), Some(got)) => squash(want) == squash(got),
            (None, _) => true,
            _ => false,
        };
        outcomes.push(Outcome {
            q: q.q.clone(),
            rank,
            top_headline,
            headline_ok,
            answered: reply.answered,
            confidence: reply.confidence,
            match_kind: reply.match_kind,
        });
    }
    let n = outcomes.len().max(1) as f64;
    let share = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count() as f64 / n;
    Ok(Report {
        questions: outcomes.len(),
        top1: share(&|o| o.rank == Some(1)),
        mrr10: outcomes
            .iter()
            .map(|o| o.rank.map_or(0.0, |r| 1.0 / r as f64))
            .sum::<f64>()
            / n,
        headline: share(&|o| o.headline_ok),
        answered: share(&|o| o.answered),
        sure: share(&|o| o.match_kind == Match::Sure),
        closest: share(&|o| o.match_kind == Match::Closest),
        declined: share(&|o| o.match_kind == Match::None),
        outcomes,
    })
}
