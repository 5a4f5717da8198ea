//! Answer-quality evaluation over a question file (one JSON object per line:
//! `{"q": …, "gold": [substrings of the answering paragraph], "headline": …}`).

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::Result;
use crate::reply::Request;
use crate::text::squash;

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
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub questions: usize,
    pub top1: f64,
    pub mrr10: f64,
    /// Share of questions whose top passage carries the expected headline.
    pub headline: f64,
    pub answered: f64,
    pub outcomes: Vec<Outcome>,
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
        outcomes,
    })
}
