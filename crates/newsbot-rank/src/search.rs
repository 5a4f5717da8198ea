//! The search, stages 1-3 on one index snapshot: a question (or a topic) → its plan and
//! ordered candidates, with what the decision needs beyond them.
//!
//! The question's embedding runs on a second thread while the lexical stages run on the
//! caller's: it is most of a query's time.

use regex::Regex;

use crate::variants::Variants;
use newsbot_index::semantic::{Nearby, Semantic};
use newsbot_index::vectors::QVec;
use newsbot_index::Result;
use newsbot_index::SearchIndex;

use super::pipeline::{Meaning, Semantics};
use super::plan::{content_tokens, plan, Plan};
use super::term_stats::TermStats;
use super::tuning::Tuning;
use super::{candidates, recency, Candidate, Search};

/// What is searched for.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    /// The question, squashed; empty for a bare topic command, which browses the topic.
    pub text: &'a str,
    pub topic: Option<&'a TopicQuery<'a>>,
    /// `prompts/variants.toml`.
    pub variants: &'a Variants,
    /// Only passages of this article.
    pub within: Option<&'a str>,
}

/// A topic command's side of a search, from its prompts file.
#[derive(Debug, Clone)]
pub struct TopicQuery<'a> {
    /// Its query and every variant.
    pub search_text: String,
    /// Patterns worth highlighting in its answers.
    pub highlight: &'a [Regex],
    /// What the topic is about, embedded: a browse is compared with it rather than with
    /// its list of search words. Only read when browsing with a model.
    pub vector: Option<QVec>,
}

/// A question's ordered candidates, and what the decision needs beyond them.
#[derive(Debug, Clone)]
pub struct Ranked {
    pub plan: Plan,
    pub candidates: Vec<Candidate>,
    /// Share of the question's content words the corpus holds at all.
    pub known: f32,
    /// The question's vector, when the model is on.
    pub query: Option<QVec>,
}

/// Plans, retrieves, scores and orders the candidates for `q` on `idx`.
pub fn search(
    idx: &SearchIndex,
    q: Query,
    semantic: Option<&Semantic>,
    t: &Tuning,
) -> Result<Ranked> {
    let search_text = match q.topic {
        Some(topic) if q.text.is_empty() => topic.search_text.clone(),
        Some(topic) => format!("{} {}", q.text, topic.search_text),
        None => q.text.to_string(),
    };
    let browse = q.topic.is_some() && q.text.is_empty();
    // Over a dated archive, "latest" words say when, not what (`recency`).
    let latest = idx.dated && recency::asks_for_latest(q.text);
    let search_text = if latest {
        recency::without_latest_words(&search_text)
    } else {
        search_text
    };
    let searcher = idx.reader.searcher();
    let live = idx.text_keys();
    std::thread::scope(|scope| {
        // A topic browse adds no nearest passages.
        let meaning = match (semantic, q.topic) {
            (Some(_), Some(topic)) if browse => topic.vector.clone().map(|query| {
                Meaning::Ready(Nearby {
                    query,
                    nearest: Vec::new(),
                })
            }),
            (Some(sem), _) => {
                let (text, k) = (search_text.as_str(), t.semantic_candidates);
                Some(Meaning::Pending(scope.spawn(move || {
                    sem.nearby(text, k, |key| live.contains(&key))
                })))
            }
            _ => None,
        };
        let stats = TermStats::new(&searcher, &idx.fields);
        // A topic's words are curated, not typos: a browse never "corrects" one it does
        // not find ("sanction" is not "action").
        let browse_tuning = Tuning {
            typo_min_chars: usize::MAX,
            ..*t
        };
        let plan = plan(
            &search_text,
            q.variants,
            &stats,
            if browse { &browse_tuning } else { t },
        );
        let search = Search {
            plan: &plan,
            browse,
            patterns: q.topic.map(|t| t.highlight).unwrap_or(&[]),
            semantic: match (semantic, meaning) {
                (Some(model), Some(meaning)) => Some(Semantics { model, meaning }),
                _ => None,
            },
            latest,
            within: q.within,
        };
        let found = candidates(&searcher, &idx.fields, search, t)?;
        let words = content_tokens(&search_text);
        let known = words
            .iter()
            .filter(|w| stats.doc_freq(&w.term).1 > 0)
            .count() as f32
            / words.len().max(1) as f32;
        Ok(Ranked {
            plan,
            candidates: found.list,
            known,
            query: found.query,
        })
    })
}
